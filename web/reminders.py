"""Reminders: once a day, tell the people who hold a case what on it is coming due or overdue.

For every council and every open case, the case is evaluated exactly as its page does
(hearth.web.evaluation.evaluate_case, on the service's day, ``today()``), and each open
deadline and duty of the engine's answer is sorted into a stage:

- ``due``: pending and due within the council's ``notify.remind_within_working_days``
  working days (default 2; 0 means on the day itself), on its policy's working calendar;
- ``overdue``: past its due date and still not met.

Each is emailed (hearth.web.notify: GOV.UK Notify, or the outbox without an API key) to the
case's worker and their team's manager (the case's team, else the worker's; with no team,
the council's active managers). A restricted case's reminder goes only to those of them
named on it (CaseAccess): nobody is emailed about a case they may not open.

Once only, however often the job runs and even when two runs overlap: before an email is
queued its ReminderSending row is inserted with ``ON CONFLICT DO NOTHING`` against the
table's unique key (case, item kind, item id, due date, stage, person) and committed; only
the run whose insert made the row queues the email. A row whose email the queue refused is
deleted again, so the next run tries it. An item whose due date moves (a deadline extended)
is a new item. Each run leaves one audit entry per council, with counts and no personal data.

Kinds of item are ItemKind: the answer's deadlines and duties (``items_for``), and the case's
agreed actions not yet done (``action_items``, hearth.web.actions), due by their date as last
changed; an action's item id is its reference, so a changed date is a new item too. Actions need
no evaluation: a case the engine cannot answer for is still reminded of them.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hearth.engine import api

from . import db, notify
from .access_models import CaseAccess, Team
from .actions import DONE, OVERDUE, actions_from
from .audit import audit
from .evaluation import evaluate_case, forget, policy_in_force, today
from .filters import day_date
from .jobs import JobError, JobRecord, background, enqueue
from .models import AuditAction, Case, Role, User
from .record_models import ReminderSending
from .user_cli import DEVELOPMENT_BASE_URL

log = logging.getLogger(__name__)

FUNCTION = f"{__name__}.send_reminders"
SERVICE = ""   # the job queue's council for a job that is the whole service's


class ItemKind(StrEnum):
    DEADLINE = "deadline"
    DUTY = "duty"
    ACTION = "action"      # an agreed action of a meeting (hearth.web.actions)


class Stage(StrEnum):
    DUE = "due"
    OVERDUE = "overdue"


# Where each kind of item is in the engine's answer.
ANSWER_SOURCES = ((ItemKind.DEADLINE, "deadlines"), (ItemKind.DUTY, "duties"))
TEMPLATE_KINDS = {Stage.DUE: "reminder_due", Stage.OVERDUE: "reminder_overdue"}
TITLE_LENGTH = 100   # an action's words in an email's subject: it may be a paragraph
KIND_WORDS = {ItemKind.DEADLINE: "deadline", ItemKind.DUTY: "duty", ItemKind.ACTION: "agreed action"}


@dataclass(frozen=True)
class DueItem:
    """One thing on a case coming due or overdue."""
    kind: ItemKind
    item_id: str
    title: str
    due_on: date
    stage: Stage


@dataclass
class Report:
    """What one run did, in counts (the audit entry and the command print these), and the email
    jobs it queued (the command waits for them when they run in its own threads)."""
    on: date
    cases: int = 0
    due: int = 0           # emails queued at the 'due' stage
    overdue: int = 0       # and at the 'overdue' stage
    already_sent: int = 0  # items and people a run before this one had already emailed
    not_queued: int = 0    # emails the job queue refused (tried again next run)
    not_evaluated: int = 0 # cases the engine could not answer for
    emails: list[JobRecord] = field(default_factory=list)

    def counts(self) -> dict:
        return {"on": self.on.isoformat(), "cases": self.cases, "due": self.due, "overdue": self.overdue,
                "already_sent": self.already_sent, "not_queued": self.not_queued,
                "not_evaluated": self.not_evaluated}


def queue_daily_run(on: date | None = None) -> JobRecord:
    """Put a run on the product's job queue (a worker, or a thread of this process, runs it)."""
    return enqueue(FUNCTION, SERVICE, {"on": on.isoformat() if on else None})


@background
def send_reminders(on: str | None = None) -> dict:
    """The daily job: every council's reminders for ``on`` (default the service's day)."""
    return run(date.fromisoformat(on) if on else today()).counts()


def run(on: date) -> Report:
    """Every council's reminders for the day ``on``."""
    report = Report(on)
    base_url = _base_url()
    for council in api.list_councils():
        before = report.counts()
        _run_council(council, on, base_url, report)
        counted = {key: value - before[key] for key, value in report.counts().items() if key != "on"}
        audit(AuditAction.CREATED, "reminders", on.isoformat(), {"on": on.isoformat(), **counted},
              council_id=council.id)
    return report


def _run_council(council: api.Council, on: date, base_url: str, report: Report) -> None:
    s = db.session()
    case_ids = s.scalars(select(Case.id).where(Case.council_id == council.id, Case.status == "open")
                         .order_by(Case.id)).all()
    policy = policy_in_force(council.id, on)
    if policy is None:   # logged by policy_in_force; its cases are counted as not evaluated
        report.cases += len(case_ids)
        report.not_evaluated += len(case_ids)
        return
    settings = council.settings.notify
    horizon = policy.calendar.add_working_days(on, settings.remind_within_working_days)
    templates = {stage: settings.template(kind) or notify.template_id(kind) for stage, kind in TEMPLATE_KINDS.items()}
    for case_id in case_ids:
        case = s.get(Case, case_id)
        report.cases += 1
        evaluation = evaluate_case(case, on)
        forget(case)   # one case's answer at a time, however many cases there are
        if evaluation.answer is None:
            report.not_evaluated += 1
        items = items_for(evaluation.answer, on, horizon) if evaluation.answer is not None else []
        items += action_items(case, on, horizon)
        if items:
            people = recipients(case)
            for item in items:
                for person in people:
                    _send_once(case, council, item, person, templates[item.stage], base_url, report)
        s.expunge_all()


def items_for(answer: dict, on: date, horizon: date) -> list[DueItem]:
    """The answer's deadlines and duties coming due by ``horizon`` or overdue on ``on``."""
    items = []
    for kind, key in ANSWER_SOURCES:
        for entry in answer.get(key, []):
            due_on = date.fromisoformat(str(entry["due"])[:10])
            if entry["status"] == "overdue" or (entry["status"] == "pending" and due_on < on):
                stage = Stage.OVERDUE
            elif entry["status"] == "pending" and due_on <= horizon:
                stage = Stage.DUE
            else:
                continue
            items.append(DueItem(kind, str(entry["id"]), entry.get("title") or str(entry["id"]), due_on, stage))
    return items


def action_items(case: Case, on: date, horizon: date) -> list[DueItem]:
    """The case's agreed actions not yet done, overdue on ``on`` or coming due by ``horizon``."""
    items = []
    for action in actions_from(case.events, on):
        if action.status == DONE or (action.status != OVERDUE and action.due > horizon):
            continue
        stage = Stage.OVERDUE if action.status == OVERDUE else Stage.DUE
        title = action.title if len(action.title) <= TITLE_LENGTH else action.title[:TITLE_LENGTH - 1] + "…"
        items.append(DueItem(ItemKind.ACTION, str(action.id), title, action.due, stage))
    return items


def recipients(case: Case) -> list[User]:
    """Who is told about a case: its worker and their team's manager (the council's managers
    when there is no team), active and of the case's council; for a restricted case, only
    those named on it."""
    s = db.session()
    worker = case.worker if case.worker is not None and case.worker.active else None
    team_id = case.team_id or (worker.team_id if worker is not None else None)
    team = s.get(Team, team_id) if team_id is not None else None
    if team is not None:
        managers = [team.manager] if team.manager is not None else []
    else:
        managers = list(s.scalars(select(User).where(User.council_id == case.council_id,
                                                     User.role == Role.MANAGER.value).order_by(User.id)))
    people = {person.id: person for person in [worker, *managers]
              if person is not None and person.active and person.council_id == case.council_id}
    if case.restricted:
        named = set(s.scalars(select(CaseAccess.user_id).where(CaseAccess.case_id == case.id)))
        people = {user_id: person for user_id, person in people.items() if user_id in named}
    return list(people.values())


def _send_once(case: Case, council: api.Council, item: DueItem, person: User, template: str, base_url: str,
               report: Report) -> None:
    """Claim the sending (its row), then queue the email; nothing when another run claimed it."""
    s = db.session()
    key = {"case_id": case.id, "item_kind": item.kind.value, "item_id": item.item_id, "due_on": item.due_on,
           "stage": item.stage.value, "to_user_id": person.id}
    dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
    claimed = s.scalar(dialect.insert(ReminderSending).values(council_id=case.council_id, to_email=person.email,
                                                              **key).on_conflict_do_nothing()
                       .returning(ReminderSending.id))
    s.commit()
    if claimed is None:
        report.already_sent += 1
        return
    row = ReminderSending.id == claimed
    try:
        sent = notify.send_email(person.email, template, personalisation(case, council, item, base_url),
                                 council=case.council_id)
    except JobError as exc:
        log.warning("Could not queue a reminder for case %s: %s", case.id, exc)
        s.execute(delete(ReminderSending).where(row))
        s.commit()
        report.not_queued += 1
        return
    s.execute(update(ReminderSending).where(row).values(job_id=sent.id))
    s.commit()
    report.emails.append(sent)
    if item.stage is Stage.DUE:
        report.due += 1
    else:
        report.overdue += 1


def personalisation(case: Case, council: api.Council, item: DueItem, base_url: str) -> dict:
    """The email's words: the child's reference, what is due, by when, and the case's link."""
    what = f"{item.title} ({KIND_WORDS[item.kind]})"
    when = day_date(item.due_on)
    link = f"{base_url}/cases/{case.id}"
    if item.stage is Stage.OVERDUE:
        subject = f"Overdue since {when}: {item.title} for child {case.child_ref}"
        opening = f"This was due on {when} and has not been recorded as done."
    else:
        subject = f"Due {when}: {item.title} for child {case.child_ref}"
        opening = f"This is due on {when}."
    body = (f"Child {case.child_ref}: {what}.\n\n{opening}\n\nOpen the case to see what to do and record it: "
            f"{link}\n\nYou are told because you hold this case or manage the team that does.")
    return {"subject": subject, "body": body, "council": council.name, "child_ref": case.child_ref,
            "what": what, "due_date": when, "link": link}


def _base_url() -> str:
    """Where staff reach Hearth, for the case's link (there is no request to take it from)."""
    base = current_app.config["HEARTH_BASE_URL"]
    if base:
        return base
    if current_app.config["HEARTH_ENV"] == "production":
        raise JobError("Set HEARTH_BASE_URL to the address staff reach Hearth at, like "
                       "https://hearth.example.gov.uk: each reminder links to its case (docs/deploy.md).")
    return DEVELOPMENT_BASE_URL
