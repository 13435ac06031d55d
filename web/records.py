"""Records that stay right: a case closed by the event that ends its work (and reopened with a
reason), and a submitted record corrected or withdrawn with a reason, never deleted.

Which event types close a case, and which field holds the outcome, is the policy's vocabulary's
word (`closes_case`, docs/policy-language.md), so nothing here names a council's event. The
events of a withdrawn or amended record keep their rows with `withdrawn_at` set; the case
document the engine evaluates leaves them out (hearth.web.evaluation.case_document).
"""
from __future__ import annotations

from sqlalchemy import select

from . import db
from . import workflow as wf
from .audit import audit
from .case_closing import REASON_LENGTH, closing_outcome, reopen
from .evaluation import forget, policy_in_force
from .models import AuditAction, Case, Event, Role, Submission, User, utcnow


def may_change(sub: Submission, user: User) -> bool:
    """Who may correct or withdraw a record: whoever may record on the case (workers and managers)."""
    return sub.status == "submitted" and user.role in (Role.WORKER, Role.MANAGER)


def _take_back(case: Case, sub: Submission, user: User) -> list[Event]:
    """Set withdrawn_at on the record's events; reopen the case if one of them closed it."""
    now = utcnow()
    rows = list(db.session().scalars(select(Event).where(Event.source_submission_id == sub.id,
                                                         Event.withdrawn_at.is_(None))))
    policy = policy_in_force(case.council_id)
    for row in rows:
        row.withdrawn_at = now
    if case.status == "closed" and any(closing_outcome(policy, row.type, row.fields or {})[0] for row in rows):
        reopen(case, user, f"The record #{sub.id} that closed it was withdrawn or corrected",
               why="record_changed")
    db.session().flush()
    db.session().expire(case, ["events"])
    forget(case)
    return rows


def withdraw(case: Case, sub: Submission, user: User, reason: str) -> None:
    """Withdraw a submitted record: kept, with why and by whom; its events stop counting (not committed)."""
    rows = _take_back(case, sub, user)
    sub.status, sub.withdrawn_at, sub.withdrawn_by_id = "withdrawn", utcnow(), user.id
    sub.change_reason = reason[:REASON_LENGTH]
    audit(AuditAction.CHANGED, "submission", sub.id,
          {"case": case.id, "status": "withdrawn", "reason": sub.change_reason, "events": [r.id for r in rows]},
          user=user, council_id=case.council_id, policy=policy_in_force(case.council_id), commit=False)


def amend(case: Case, sub: Submission, defn, answers: dict, user: User, reason: str,
          reasons: dict[str, str] | None = None) -> Submission:
    """Replace a submitted record with a corrected copy (raises workflow.Refused: the caller rolls
    back). The old record's events stop counting before the new ones are checked, so the
    correction is judged against the case as it will stand."""
    old_events = _take_back(case, sub, user)
    new = wf.submit(case, defn, answers, user, commit=False, reasons=reasons, page=True)  # the page's boxes
    new.amends_id = sub.id
    sub.status, sub.amended_by_id, sub.change_reason = "amended", new.id, reason[:REASON_LENGTH]
    audit(AuditAction.CHANGED, "submission", sub.id,
          {"case": case.id, "status": "amended", "amended_by": new.id, "reason": sub.change_reason,
           "events": [r.id for r in old_events]},
          user=user, council_id=case.council_id, policy=policy_in_force(case.council_id), commit=False)
    return new
