"""Helpers for the data-protection tests (restricted cases, retention, subject access): a demo
case restricted with chosen people named, a case made at a chosen date of birth, the audit's
refusals, and URLs built by endpoint."""
from __future__ import annotations

from datetime import UTC, date, datetime

from flask import url_for
from sqlalchemy import select

from hearth.web import db
from hearth.web.access_models import CaseAccess
from hearth.web.models import AuditAction, AuditEntry, Case, User

from web_support import login


def signed_in(app, email: str):
    """A new client signed in as ``email`` (one client each: /login is not shown to someone
    already signed in)."""
    client = app.test_client()
    answer = login(client, email)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def user_id(email: str) -> int:
    return db.session().scalar(select(User.id).where(User.email == email))


def restrict(app, case_id: int, *named_emails: str) -> None:
    """Restrict a case, naming exactly these people."""
    with app.app_context():
        s = db.session()
        s.get(Case, case_id).restricted = True
        s.add_all(CaseAccess(case_id=case_id, user_id=user_id(email)) for email in named_emails)
        s.commit()


def add_case(council: str, ref: str, born: date | None, closed: bool, **columns) -> int:
    """A case of the council (inside an app context), closed or open; its id."""
    s = db.session()
    case = Case(council_id=council, child_ref=ref, placement_type="any", placement_started=date(2000, 1, 1),
                status="closed" if closed else "open", child_date_of_birth=born,
                closed_at=datetime(2001, 1, 1, tzinfo=UTC) if closed else None, **columns)
    s.add(case)
    s.commit()
    return case.id


def refusals(app, reason: str, object_type: str | None = None) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session().scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.REFUSED.value)).all()
        return [entry for entry in entries if entry.detail.get("reason") == reason
                and (object_type is None or entry.object_type == object_type)]


def url(app, endpoint: str, **arguments) -> str:
    with app.test_request_context():
        return url_for(endpoint, **arguments)
