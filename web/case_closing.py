"""Closing a case: the event that ends its work closes it (status, outcome, when, by whom), and
a manager or the case's worker may reopen it with a reason. Which event types close a case and
which field holds the outcome is the policy vocabulary's `closes_case` (docs/policy-language.md),
so nothing here names a council's event. Kept apart from hearth.web.records so the one recording
path (hearth.web.workflow) can close a case without importing corrections."""
from __future__ import annotations

from .audit import audit
from .evaluation import policy_in_force
from .models import AuditAction, Case, Event, Role, User, utcnow

# The longest reason kept for reopening a case or correcting or withdrawing a record.
REASON_LENGTH = 1000


def closing_outcome(policy, event_type: str, fields: dict) -> tuple[bool, str | None]:
    """Whether recording this event closes the case, and the outcome it gives (if its type names one)."""
    described = policy.vocabulary.event_types.get(event_type) if policy is not None else None
    if described is None or not described.closes_case:
        return False, None
    outcome = fields.get(described.outcome_field) if described.outcome_field else None
    return True, str(outcome) if outcome not in (None, "") else None


def close_for(case: Case, rows: list[Event], user: User, policy) -> None:
    """Close the case when one of these new events' types closes it (in the caller's
    transaction): status, outcome, when and by whom, audited."""
    for row in rows:
        closes, outcome = closing_outcome(policy, row.type, row.fields or {})
        if closes:
            case.status, case.outcome, case.closed_at, case.closed_by_id = "closed", outcome, utcnow(), user.id
            audit(AuditAction.CHANGED, "case", case.id,
                  {"status": "closed", "outcome": outcome, "event": row.id, "type": row.type},
                  user=user, council_id=case.council_id, policy=policy, commit=False)


def may_reopen(case: Case, user: User) -> bool:
    """A manager of the council, or the case's own social worker."""
    return user.role == Role.MANAGER or (user.role == Role.WORKER and case.worker_id == user.id)


def reopen(case: Case, user: User, reason: str, *, why: str = "reopened") -> None:
    """Open a closed case again, keeping why in the audit (not committed)."""
    audit(AuditAction.CHANGED, "case", case.id,
          {"status": "open", "was": why, "reason": reason[:REASON_LENGTH], "outcome_was": case.outcome},
          user=user, council_id=case.council_id, policy=policy_in_force(case.council_id), commit=False)
    case.status, case.outcome, case.closed_at, case.closed_by_id = "open", None, None, None
