"""Fixtures and helpers for the JSON API's tests (tests/web/test_api_*.py).

The API answers from the engine, so its tests need councils whose policies have
versions. `api_policies` builds a policies folder with every council of `policies/`
(same ids, so the demo seed matches) and each one's own versions, or, for a council
whose versions are not written yet, the fixture council's versions in their place.
Expected answers always come from the engine itself, so they hold either way.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hearth.web.models import AuditEntry, Event, User

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_VERSIONS = ROOT / "tests" / "fixtures" / "policies" / "northshire" / "versions"


@pytest.fixture(autouse=True)
def api_policies(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "policies"
    for council in sorted((ROOT / "policies").iterdir()):
        if not (council / "council.yaml").is_file():
            continue
        (root / council.name).mkdir(parents=True)
        shutil.copy(council / "council.yaml", root / council.name / "council.yaml")
        versions = council / "versions"
        if not any(versions.glob("*.yaml")):
            versions = FIXTURE_VERSIONS
        shutil.copytree(versions, root / council.name / "versions")
        for part in ("forms", "demo", "document"):  # form submissions need the forms; the seed, the demo cases
            if (council / part).is_dir():
                shutil.copytree(council / part, root / council.name / part)
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
