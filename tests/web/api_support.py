"""Fixtures and helpers for the JSON API's tests (tests/web/test_api_*.py).

The API answers from the engine, so its tests need councils whose policies have
versions. `api_policies` gives each test its own copy of the session's councils
(tests/councils.py: same ids, so the demo seed matches). Expected answers always come
from the engine itself.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hearth.web.models import AuditEntry, Event, User

from councils import session_root


@pytest.fixture(autouse=True)
def api_policies(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "policies"
    for council in sorted(session_root().iterdir()):
        if (council / "council.yaml").is_file():
            shutil.copytree(council, root / council.name)
    monkeypatch.setenv("HEARTH_POLICIES", str(root))
    return root


@pytest.fixture
def bearer(app, demo):
    """bearer(email) -> headers with a fresh API token for that demo user."""
    def _make(email: str) -> dict:
        from hearth.web import db, tokens
        with app.app_context():
            s = db.session()
            user = s.scalar(select(User).where(User.email == email))
            token = tokens.create_token(s, user)
            s.commit()
        return {"Authorization": f"Bearer {token}"}
    return _make


def count(app, model, *where) -> int:
    from hearth.web import db
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model).where(*where))


def audits(app, **filters) -> list[AuditEntry]:
    from hearth.web import db
    with app.app_context():
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        for key, value in filters.items():
            stmt = stmt.where(getattr(AuditEntry, key) == value)
        return list(db.session().scalars(stmt))


def events_of(app, case_id: int) -> list[Event]:
    from hearth.web import db
    with app.app_context():
        return list(db.session().scalars(select(Event).where(Event.case_id == case_id).order_by(Event.id)))
