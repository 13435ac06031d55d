"""Funding requests and where each stands: one status per request (approved, declined, waiting
for a manager to confirm an exception, blocked by the policy, waiting for the panel, waiting for
a manager), from the manager's decision in the audit trail and the live evaluation's gate on
what is asked for. No rule about money is written here: the gates come from the answer, the
exception's confirming event from hearth.engine.entry_checks."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from hearth.engine.entry_checks import entry_checks

from . import db
from . import workflow as wf
from .evaluation import evaluate_case
from .models import AuditAction, AuditEntry, Case, Event, Submission

REQUEST_EVENT = "funding_requested"   # the shared vocabulary's event for a request
PANEL_EVENT = "panel_approved"        # and for the panel's agreement (fields `request`, `reference`)
APPROVED_EVENT = "funding_approved"   # and for a manager's approval (fields `request`, `cost`)
DECLINED_EVENT = "funding_declined"   # and for a manager's refusal (fields `request`, `cost`)
DECISION = "funding_request"          # the audit object type of a manager's decision

# Statuses, in the order a manager's queue lists them (most to act on first).
CONFIRM = "confirm_exception"
WAITING = "waiting_for_manager"
PANEL = "waiting_for_panel"
BLOCKED = "blocked"
APPROVED = "approved"
DECLINED = "declined"
NOT_CHECKED = "not_checked"
AWAITING = (CONFIRM, WAITING, PANEL)   # a manager has something to do
WORDS = {CONFIRM: "Waiting for a manager to confirm the exception", WAITING: "Waiting for a manager's decision",
         PANEL: "Waiting for the panel's approval", BLOCKED: "Blocked by the policy", APPROVED: "Approved",
         DECLINED: "Declined", NOT_CHECKED: "The policy check for this case cannot be run"}


@dataclass(frozen=True)
class Status:
    code: str
    gate: wf.Gate | None
    decision: AuditEntry | None = None
    exception: Event | None = None    # the request's exception still to be confirmed

    @property
    def words(self) -> str:
        return WORDS[self.code]

    @property
    def tag(self) -> str:
        return {APPROVED: "green", DECLINED: "red", BLOCKED: "red", NOT_CHECKED: "grey"}.get(self.code, "yellow")


def request_event(sub: Submission) -> Event | None:
    """The funding request a submission recorded, if it recorded one."""
    return db.session().scalar(select(Event).where(Event.source_submission_id == sub.id,
                                                   Event.type == REQUEST_EVENT))


def decision(sub: Submission) -> AuditEntry | None:
    """The manager's decision (approved or declined), kept in the audit trail (never updated)."""
    return db.session().scalar(select(AuditEntry).where(
        AuditEntry.object_type == DECISION, AuditEntry.object_id == str(sub.id),
        AuditEntry.action == AuditAction.CHANGED.value).order_by(AuditEntry.id.desc()))


def unconfirmed_exception(case: Case, sub: Submission) -> Event | None:
    """An event of this request that a manager must confirm (entry_checks' confirmations) while
    the case has no confirmation in force."""
    checks = entry_checks()
    events = db.session().scalars(select(Event).where(Event.source_submission_id == sub.id,
                                                      Event.withdrawn_at.is_(None)))
    for event in events:
        needed = checks.confirmation_for({"type": event.type, **(event.fields or {})})
        if needed is not None and not db.session().scalar(select(Event.id).where(
                Event.case_id == case.id, Event.type == needed.confirmed_by, Event.withdrawn_at.is_(None))):
            return event
    return None


def status(case: Case, sub: Submission, answer: dict | None, kind: str | None) -> Status:
    """The one status of a request, for its page and the manager's queue."""
    decided = decision(sub)
    gate = wf.gate_for(answer, kind) if kind else None
    if decided is not None:
        return Status(DECLINED if decided.detail.get("decision") == "declined" else APPROVED, gate, decided)
    if gate is None:
        return Status(NOT_CHECKED, None)
    exception = unconfirmed_exception(case, sub)
    if exception is not None and not gate.may_approve:
        return Status(CONFIRM, gate, exception=exception)
    if gate.status == "needs_approval":
        return Status(PANEL, gate)
    if gate.may_approve:
        return Status(WAITING, gate)
    return Status(BLOCKED, gate)


def awaiting_decision(session: Session, council_id: str, open_to: ColumnElement[bool] | None = None) -> list[dict]:
    """The council's requests waiting for a manager (to confirm an exception, record the panel's
    approval, or approve or decline), oldest first: {case, submission, kind, cost, status}.
    `open_to` limits the cases (hearth.web.scoping.case_open_to: restricted cases for the named)."""
    stmt = (select(Submission, Case, Event).join(Case, Submission.case_id == Case.id)
            .join(Event, Event.source_submission_id == Submission.id)
            .where(Case.council_id == council_id, Case.status == "open", Submission.status == "submitted",
                   Event.type == REQUEST_EVENT, Event.withdrawn_at.is_(None))
            .where(~select(AuditEntry.id).where(AuditEntry.object_type == DECISION,
                                                AuditEntry.action == AuditAction.CHANGED.value,
                                                AuditEntry.object_id == Submission.id.cast(AuditEntry.object_id.type))
                   .exists())
            .order_by(Submission.updated_at, Submission.id))
    if open_to is not None:
        stmt = stmt.where(open_to)
    waiting = []
    for sub, case, event in session.execute(stmt):
        kind = (event.fields or {}).get("kind")
        found = status(case, sub, evaluate_case(case).answer, kind)
        if found.code in AWAITING:
            waiting.append({"case": case, "submission": sub, "kind": kind, "cost": (event.fields or {}).get("cost"),
                            "status": found})
    return sorted(waiting, key=lambda item: AWAITING.index(item["status"].code))
