"""Opening a case, one way for the pages and the API.

Both ask `open_case` with what they were given (already checked for its shape by the page's form
or the API's schema and the engine's case reader), so the rules of opening a case live here once:
a child has one case per council, nothing about the child or the placement is dated after the
service's today (hearth.web.evaluation.today, the day a demo or a test pins), the worker who opens
a case has it (hearth.web.allocation), and the opening is in the audit trail with the policy in
force. Nothing is committed: the caller commits with the rest of its request (a one-time form
token, an idempotency key) or rolls back.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError

from . import db
from .allocation import allocate_new_case
from .audit import audit
from .evaluation import today
from .models import AuditAction, Case, User
from .scoping import scoped_select


@dataclass(frozen=True)
class NotOpened(Exception):
    """Why a case was not opened: the field at fault (as the case document names it) and a message
    a person can act on. The session has been rolled back."""
    field: str
    message: str
    duplicate: bool = False

    def __str__(self) -> str:
        return self.message


def open_case(user: User, council_id: str, ref: str, placement_type: str, started: date,
              date_of_birth: date | None, via: str, policy=None) -> Case:
    """A new open case of `council_id` for child `ref`, added and flushed (not committed)."""
    session = db.session()
    problem = None
    if date_of_birth is not None and date_of_birth > today():
        problem = NotOpened("child.date_of_birth", "The child's date of birth must be today or in the past")
    elif started > today():
        problem = NotOpened("placement.started", "The date the placement started must be today or in the past")
    elif session.scalar(scoped_select(Case).where(Case.child_ref == ref)) is not None:
        problem = NotOpened("child.ref", f"There is already a case for child {ref}", duplicate=True)
    if problem is not None:
        session.rollback()
        raise problem
    case = Case(council_id=council_id, child_ref=ref, placement_type=placement_type, placement_started=started,
                child_date_of_birth=date_of_birth, status="open")
    session.add(case)
    try:
        session.flush()
    except IntegrityError:  # the same child opened at the same moment by someone else
        session.rollback()
        raise NotOpened("child.ref", f"There is already a case for child {ref}", duplicate=True) from None
    allocate_new_case(session, case, user)
    audit(AuditAction.CREATED, "case", case.id, {"via": via}, policy=policy, commit=False)
    return case
