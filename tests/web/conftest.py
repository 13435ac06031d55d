"""Fixtures for the web runtime's tests.

Every test that takes `app` runs once per database backend: SQLite, and PostgreSQL at
127.0.0.1:5432 (user postgres, database `test`; each run works in its own new database
`hearth_test_<random>`, dropped afterwards). Choose with HEARTH_TEST_DB=sqlite,
postgresql or both (default); HEARTH_TEST_PG_URL points elsewhere. PostgreSQL tests
skip, saying why, only when no server answers. A test that is about the councils, not the
database, runs once on SQLite by giving `database_url` only its SQLite value
(``pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")``):
it shares the SQLite database of the other tests.
"""
from __future__ import annotations

import fcntl
import os
import threading

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.orm import selectinload

from hearth.web import assets, db, migrate
from hearth.web.db import engine_for
from hearth.web.models import Base, Case, User

from councils import ROOT, generic_councils
from web_support import BACKENDS, Demo, login, make_app, postgres_database, seed_database



@pytest.fixture(autouse=True)
def _fresh_answers():
    """Each test starts with no remembered answers (hearth.web.evaluation.ANSWERS), so a test
    that swaps the engine out sees its own engine."""
    from hearth.web.evaluation import ANSWERS
    ANSWERS.clear()
    yield
    ANSWERS.clear()


@pytest.fixture(autouse=True)
def _no_job_left_running():
    """A job a test started in a thread of this process (hearth.web.jobs without Redis) has ended
    before the next test starts, so no test's work overlaps another's. One full run failed with
    CPython 3.11.7's "SystemError: AST constructor recursion depth mismatch" (gh-106905: the
    parser's depth count is shared by threads, so a thread formatting a traceback while another
    parses can trip it), in a test that started no thread of its own."""
    yield
    for thread in threading.enumerate():
        if thread.name.startswith("hearth-job-"):
            thread.join(timeout=30)


@pytest.fixture(scope="session", autouse=True)
def _brand_stylesheets():
    """Each council's stylesheet, as `make assets` builds them for policies/: the councils the
    session adds (tests/councils.py) get theirs here, once (web/static/brand is not in git).
    Without npm's packages (`make assets`) the pages fall back to the neutral style. Under a
    lock: the suite's workers (pytest-xdist) start together, and one builds while the others wait."""
    npm = ROOT / "build" / "npm"
    built = assets.STATIC / "brand"
    (ROOT / "build").mkdir(exist_ok=True)
    with open(ROOT / "build" / ".brand-stylesheets.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        missing = [c for c in generic_councils() if not (built / f"{c}.css").is_file()]
        if missing and (npm / "node_modules" / ".bin" / "sass").exists():
            assets.build(npm)


@pytest.fixture(scope="session", autouse=True)
def _instance(tmp_path_factory):
    os.environ.setdefault("HEARTH_INSTANCE", str(tmp_path_factory.mktemp("instance")))


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'hearth.db'}"
        return
    admin, name, url = postgres_database()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def app(database_url):
    app = make_app(database_url)
    migrate.upgrade(engine_for(app))
    yield app
    engine_for(app).dispose()


@pytest.fixture
def demo(app) -> Demo:
    """A database holding exactly the demo seed, rebuilt for every test."""
    with app.app_context():
        s = db.session()
        for table in reversed(Base.metadata.sorted_tables):
            s.execute(delete(table))
        s.commit()
        seed_database(s, app.config["DATABASE_URL"])
        councils = sorted({u.council_id for u in s.scalars(select(User)) if u.council_id})
        cases = {c: list(s.scalars(select(Case).where(Case.council_id == c).options(selectinload(Case.events))))
                 for c in councils}   # with their events, to read once the session is gone
        with_cases = [c for c in councils if cases[c]]
        assert len(with_cases) >= 2, "the web tests need two councils with demo cases (policies/<id>/demo/cases.yaml)"
        return Demo(home=with_cases[0], other=with_cases[1], cases=cases)


@pytest.fixture
def client(app, demo):
    return app.test_client()


@pytest.fixture
def login_as(client):
    def _login(email: str):
        r = login(client, email)
        assert r.status_code == 302, r.get_data(as_text=True)
        return client
    return _login
