"""Helpers the web tests import (a uniquely named module, so it never clashes with
another folder's conftest)."""
from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from datetime import date

import pyotp
import pytest
import redis
from sqlalchemy import create_engine, func, select, text, update

from hearth.engine import api
from hearth.engine.policy_files import PolicyFiles
from hearth.web import create_app, db, policy_library, policy_store
from hearth.web.models import Base, Case, User
from hearth.web.seed import DEMO_PASSWORD, seed_demo


PG_URL = os.environ.get("HEARTH_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHOICE = os.environ.get("HEARTH_TEST_DB", "both")
BACKENDS = {"both": ["sqlite", "postgresql"]}.get(CHOICE, [CHOICE])
REDIS_URL = os.environ.get("HEARTH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_or_skip(what: str, timeout: float = 2) -> redis.Redis:
    """A connection to the test Redis (HEARTH_TEST_REDIS_URL). Without one the test skips,
    saying why; under CI it fails, since the job queue's tests must run there."""
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=timeout)
    try:
        connection.ping()
    except redis.RedisError as exc:
        message = f"no Redis answers at {REDIS_URL} ({type(exc).__name__}: {exc})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"The job queue's tests need Redis under CI: {message}.")
        pytest.skip(f"{what} skipped: {message}. Start one, or point HEARTH_TEST_REDIS_URL at one.")
    return connection


def postgres_database():
    """(admin engine, name, url) of a new PostgreSQL database; skips, saying why, when no server answers."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as e:  # noqa: BLE001 - any failure to connect means "no server"
        admin.dispose()
        pytest.skip(f"PostgreSQL tests skipped: no server answers at {PG_URL} ({type(e).__name__}). "
                    "Start one, or set HEARTH_TEST_DB=sqlite.")
    name = f"hearth_test_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, PG_URL.rsplit("/", 1)[0] + f"/{name}"


# The demo seed as rows, per (database, policies folder's content, day): every council's folder
# published (lint and policy tests run), its demo file read through the case reader and a
# password hashed, the same for every test.
_SEEDED: dict[tuple, list] = {}
# When the councils' folders are in force from in the test database: before any day a test uses.
POLICIES_FROM = date(2000, 1, 1)


def _policies_content() -> tuple:
    """The policies folder by content: a test's copy of the same councils seeds as they do."""
    root = api.policies_root()
    return tuple((council_id, PolicyFiles.from_folder(root / council_id).content_hash())
                 for council_id in api.library(root).council_ids())


def seed_database(s, database_url: str, today: date | None = None) -> None:
    """The demo into an empty database: every council folder of the policies root imported
    (published, as `make run` does: the app reads the policy in force from there) and seed_demo,
    the first time for this database, policies and day; then the same rows again (the same ids,
    which the sequences have already passed)."""
    today = today or date.today()
    key = (database_url, _policies_content(), today)
    policy_library.forget()  # the publications a test before made are gone: read them again
    if key in _SEEDED:
        _insert_seeded(s, _SEEDED[key])
        s.commit()
        return
    root = api.policies_root()
    for council_id in api.library(root).council_ids():
        policy_store.import_folder(s, root / council_id, POLICIES_FROM)
    s.commit()
    assert seed_demo(s, today=today)
    _SEEDED[key] = [(table, [dict(row) for row in s.execute(select(table)).mappings()])
                    for table in Base.metadata.sorted_tables]


def _insert_seeded(s, seeded: list) -> None:
    """The seed's rows again, table by table in dependency order; a column whose foreign key
    closes a cycle (users.team_id: teams come after users) is filled once every row is in."""
    later = []
    for table, rows in seeded:
        deferred = [column.name for column in table.columns if any(key.use_alter for key in column.foreign_keys)]
        if rows:
            s.execute(table.insert(), [{**row, **{name: None for name in deferred}} for row in rows])
        later += [(table, name, row["id"], row[name]) for name in deferred for row in rows if row[name] is not None]
    for table, name, row_id, value in later:
        s.execute(update(table).where(table.c.id == row_id).values({name: value}))


def make_app(database_url: str, **overrides):
    return create_app({"HEARTH_ENV": "testing", "DATABASE_URL": database_url, **overrides})


@dataclass
class Demo:
    """The seeded world: every council's demo cases, and two councils to test between --
    the first two with demo cases, whichever they are (a test of `home` assumes only what
    that council declares)."""
    home: str
    other: str
    cases: dict[str, list[Case]]

    @staticmethod
    def email(role: str, council: str | None = None) -> str:
        prefix = {"policy_officer": "policy"}.get(role, role)
        return f"{prefix}@{council or 'hearth'}.demo"

    def refs(self, council: str) -> list[str]:
        return [c.child_ref for c in self.cases[council]]


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|type="hidden" name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    m = CSRF_RE.search(html)
    assert m, f"no CSRF token on {path}"
    return m.group(1) or m.group(2)


FORM_TOKEN_RE = re.compile(r'name="hearth_form_token" value="([^"]+)"')


def form_keys(client, path: str, action: str | None = None) -> dict[str, str]:
    """The hidden fields a browser posts with the form at `path`, read from the page as drawn:
    the CSRF token and the one-time form token (hearth.web.form_tokens), which every form that
    records on a case must carry. `action`: the form that posts there, on a page with several
    (a request's page has 'Mark as reviewed' and 'Approve the request'); else the page's first."""
    html = client.get(path).get_data(as_text=True)
    if action is not None:
        found = re.search(rf'<form [^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
        assert found, f"no form posting to {action} on {path}"
        html = found.group(1)
    csrf, once = CSRF_RE.search(html), FORM_TOKEN_RE.search(html)
    assert csrf and once, f"no CSRF token or form token on {path}" + (f", form to {action}" if action else "")
    return {"csrf_token": csrf.group(1) or csrf.group(2), "hearth_form_token": once.group(1)}


SECRET_RE = re.compile(r'id="two-factor-secret"[^>]*>([A-Z2-7 ]+)<')


def login(client, email: str, password: str = DEMO_PASSWORD, **kwargs):
    """Sign in as `email`, completing two-factor when it is asked for (the code computed from
    the user's secret, or, on a first sign-in, from the key the setup page shows): the
    answer is the last step's (302 to where the sign-in goes on; the recovery codes' page
    after a first setup)."""
    path = kwargs.pop("path", "/login")
    token = csrf_token(client)
    answer = client.post(path, data={"email": email, "password": password, "csrf_token": token}, **kwargs)
    where = answer.headers.get("Location", "") if answer.status_code == 302 else ""
    if where.startswith("/login/code"):
        return client.post("/login/code", data={"code": fresh_code(client.application, email),
                                                "csrf_token": csrf_token(client, "/login/code")}, **kwargs)
    if where.startswith("/login/two-factor/setup"):
        page = client.get("/login/two-factor/setup").get_data(as_text=True)
        secret = SECRET_RE.search(page).group(1).replace(" ", "")
        return client.post("/login/two-factor/setup", data={"code": pyotp.TOTP(secret).now(),
                                                            "csrf_token": csrf_token(client, "/login/two-factor/setup")},
                           **kwargs)
    return answer


def fresh_code(app, email: str) -> str:
    """The user's current code, usable again: a code is accepted once per 30-second step,
    so the step last used is forgotten first (tests sign the same person in many times)."""
    with app.app_context():
        s = db.session()
        s.execute(update(User).where(func.lower(User.email) == email.lower()).values(totp_last_step=None))
        s.commit()
        secret = s.scalar(select(User.totp_secret).where(func.lower(User.email) == email.lower()))
    return pyotp.TOTP(secret).now()
