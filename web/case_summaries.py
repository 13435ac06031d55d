"""Each open case's summary, kept on its row so lists of cases need not ask the engine about
every case: the next thing due (hearth.web.evaluation.next_due, so lists and reminders agree),
its status, the recommendation and the placement in force, as of a day and a policy.

A summary's status is one of STATUS_ORDER: ``overdue``; ``decision`` when the answer
recommends a meeting but nothing is due yet (no deadline is running: nobody has decided);
``pending``; ``problem`` when the case could not be checked (``summary_problem`` says why, a
key of hearth.web.evaluation.PROBLEMS); ``none``.

Summaries are written
- when events are recorded: ``store``, called by hearth.web.workflow.record_events with the
  answer it has just had for the case with its new events (no second evaluation), in the
  same transaction;
- whenever else a case's events change (a record withdrawn, say): any flush that adds,
  changes or deletes an event marks its case's summary as needing one (``summary_as_of``
  cleared) and counts the change (``summary_revision``); lists make those before listing;
- daily and when a policy is published: the job ``refresh_summaries`` on the product's job
  queue (hearth.web.jobs) brings every summary not made today under the policy in force up to
  date; publishing asks for it once its commit is kept (``refresh_after_commit``);
- lazily: a list refreshes the stale summaries (another day's, another policy's) of the rows
  it shows (``refresh``).

A summary made outside the transaction that changed the events (a list's, the job's) is
written with a conditional UPDATE on the revision it was made from, so it never replaces a
newer one written meanwhile.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from hearth.engine import api

from . import db
from .evaluation import Evaluation, NextDue, evaluate_case, forget, next_due, policy_in_force, today
from .jobs import JobError, JobRecord, background, enqueue, report_progress
from .models import Case, Event

log = logging.getLogger(__name__)

FUNCTION = f"{__name__}.refresh_summaries"
SERVICE = ""   # the job queue's council for the whole service's run
STATUS_ORDER = ("overdue", "decision", "pending", "problem", "none")
BATCH = 200    # cases evaluated between commits, so a long run never holds the write lock long
_PUBLISHED = "hearth.summaries.published"   # session.info: councils whose policy this transaction published


@dataclass(frozen=True)
class Summary:
    status: str                       # one of STATUS_ORDER
    next: NextDue | None = None
    recommendation: str | None = None
    recommendation_label: str | None = None   # the policy's own words for it, when the answer gives them
    placement_type: str | None = None          # in force on as_of (after a move, not the first one)
    problem: str | None = None
    as_of: date | None = None
    policy_version: str | None = None
    policy_hash: str | None = None

    def columns(self) -> dict:
        """The Case columns that hold this summary."""
        following = self.next
        return {"next_status": self.status, "next_due": following.due if following else None,
                "next_due_on": following.day if following else None,
                "next_due_title": following.title[:200] if following else None,
                "next_due_kind": following.kind if following else None,
                "next_planned_for": following.planned_for if following else None,
                "next_planned_late": bool(following and following.planned_late),
                "recommendation": self.recommendation, "recommendation_label": self.recommendation_label,
                "placement_in_force": self.placement_type, "summary_problem": self.problem,
                "summary_as_of": self.as_of, "summary_policy_version": self.policy_version,
                "summary_policy_hash": self.policy_hash}


def policy_key(policy) -> str | None:
    """What names the policy a summary was made under: its published content, else its rules."""
    return (policy.policy_hash or policy.rules_hash) if policy is not None else None


def summarise(case: Case, evaluation: Evaluation, on: date, policy) -> Summary:
    """The summary of one evaluation of ``case`` on ``on`` under ``policy``."""
    made = {"as_of": on, "policy_version": policy.version if policy is not None else None,
            "policy_hash": policy_key(policy)}
    answer = evaluation.answer
    if answer is None:
        return Summary("problem", problem=evaluation.problem, placement_type=case.placement_type, **made)
    following = next_due(answer)
    recommendation = answer.get("recommendation") or None
    reason = answer.get("recommendation_reason") or {}
    if following is not None:
        status = following.status
    else:
        status = "decision" if recommendation else "none"
    return Summary(status, following, recommendation, reason.get("label") if recommendation else None,
                   (answer.get("placement") or {}).get("type", case.placement_type), **made)


def stored(case: Case) -> Summary | None:
    """The summary on the case's row; None when it has none (never made, or its events changed)."""
    if case.summary_as_of is None or case.next_status not in STATUS_ORDER:
        return None
    following = None
    if case.next_due and case.next_status in ("overdue", "pending"):
        following = NextDue(case.next_due_title or "", case.next_due, case.next_status, case.next_due_kind or "",
                            case.next_planned_for, bool(case.next_planned_late))
    return Summary(case.next_status, following, case.recommendation, case.recommendation_label,
                   case.placement_in_force or case.placement_type, case.summary_problem, case.summary_as_of,
                   case.summary_policy_version, case.summary_policy_hash)


def is_current(case: Case, on: date, policy) -> bool:
    return case.summary_as_of == on and case.summary_policy_hash == policy_key(policy)


def not_current(on: date, policy):
    """The SQL condition of a case whose summary is missing, another day's or another policy's."""
    return or_(Case.summary_as_of.is_(None), Case.summary_as_of != on,
               Case.summary_policy_hash.is_distinct_from(policy_key(policy)))


# --- writing --------------------------------------------------------------------------------

def store(case: Case, answer: dict | None) -> None:
    """The recording hook: the answer the engine gave for the case with the events being
    recorded, written in the same transaction (None: leave it to be made, as the flush marked)."""
    if answer is None:
        return
    on = today()
    policy = policy_in_force(case.council_id, on)
    for name, value in summarise(case, Evaluation(answer=answer), on, policy).columns().items():
        setattr(case, name, value)


def refresh(cases: list[Case], on: date | None = None) -> dict[int, Summary]:
    """Evaluate these cases and write their summaries (over the revision each was read at),
    then commit. Their summaries by case id, including any a newer write kept instead."""
    on = on or today()
    s = db.session()
    made = {}
    for case in cases:
        policy = policy_in_force(case.council_id, on)
        summary = summarise(case, evaluate_case(case, on), on, policy)
        columns = summary.columns()
        written = s.execute(update(Case).where(Case.id == case.id, Case.summary_revision == case.summary_revision)
                            .values(**columns).execution_options(synchronize_session=False))
        if written.rowcount == 1:
            for name, value in columns.items():
                set_committed_value(case, name, value)
        made[case.id] = summary
    if cases:
        s.commit()
    return made


def refresh_ids(case_ids: list[int], on: date | None = None) -> dict[int, Summary]:
    """``refresh`` for cases by id, their events read in one query per batch."""
    s = db.session()
    made = {}
    for start in range(0, len(case_ids), BATCH):
        batch = s.scalars(select(Case).where(Case.id.in_(case_ids[start:start + BATCH]))
                          .options(selectinload(Case.events))).all()
        made.update(refresh(list(batch), on))
    return made


def refresh_council(council_id: str, on: date) -> int:
    """Bring every open case of the council whose summary is not today's under the policy in
    force up to date, a batch at a time (the session emptied between: any number of cases).
    How many were refreshed."""
    s = db.session()
    policy = policy_in_force(council_id, on)
    ids = s.scalars(select(Case.id).where(Case.council_id == council_id, Case.status == "open",
                                          not_current(on, policy)).order_by(Case.id)).all()
    for start in range(0, len(ids), BATCH):
        cases = s.scalars(select(Case).where(Case.id.in_(ids[start:start + BATCH]))
                          .options(selectinload(Case.events))).all()
        refresh(list(cases), on)
        for case in cases:
            forget(case)   # one batch's answers at a time
        s.expunge_all()
        report_progress(100 * (start + len(cases)) // max(len(ids), 1))
    return len(ids)


@background
def refresh_summaries(council: str = SERVICE, on: str | None = None) -> dict:
    """The job: one council's summaries (every council's for SERVICE) as of ``on`` (default today)."""
    day = date.fromisoformat(on) if on else today()
    councils = [council] if council else [c.id for c in api.list_councils()]
    return {"on": day.isoformat(), "refreshed": {council_id: refresh_council(council_id, day)
                                                 for council_id in councils}}


def queue_refresh(council: str = SERVICE, on: date | None = None) -> JobRecord:
    """Put a refresh on the product's job queue (a worker, or a thread of this process, runs it)."""
    return enqueue(FUNCTION, council, {"council": council, "on": on.isoformat() if on else None})


def refresh_after_commit(session: Session, council_id: str) -> None:
    """The publishing hook: once this transaction is committed, refresh the council's summaries
    under the policy it published (nothing when it is rolled back)."""
    session.info.setdefault(_PUBLISHED, set()).add(council_id)


@event.listens_for(Session, "after_commit")
def _published(session: Session) -> None:
    for council_id in sorted(session.info.pop(_PUBLISHED, ())):
        try:
            queue_refresh(council_id)
        except JobError as exc:   # the daily run and the lists catch up; the publication stands
            log.warning("Could not queue the case summaries of %s after a publication: %s", council_id, exc)


@event.listens_for(Session, "after_rollback")
def _not_published(session: Session) -> None:
    session.info.pop(_PUBLISHED, None)


@event.listens_for(Session, "before_flush")
def _events_changed(session: Session, _context, _instances) -> None:
    """A case whose events are added, changed or deleted needs a new summary: mark it."""
    touched = [obj for obj in (*session.new, *session.deleted) if isinstance(obj, Event)]
    touched += [obj for obj in session.dirty if isinstance(obj, Event) and session.is_modified(obj)]
    if not touched:
        return
    marked: set[int] = set()
    with session.no_autoflush:
        for row in touched:
            case = row.case if row.case is not None else (session.get(Case, row.case_id) if row.case_id else None)
            if case is None or id(case) in marked or case in session.deleted:
                continue
            marked.add(id(case))
            case.summary_as_of = None
            case.summary_revision = (case.summary_revision or 0) + 1
