"""Regression tests for issue 8's findings on sign-in, proxies, audit of refusals, SQLite
and the "other 500s" (findings 5, 6, 7, 8 and 9), each written to fail before its fix.
Tests taking `app` run on SQLite and PostgreSQL (HEARTH_TEST_DB=both)."""
from __future__ import annotations

import importlib
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from hearth.web import db
from hearth.web.db import engine_for
from hearth.web.models import ApiToken, AuditEntry, Case, LoginThrottle, Submission, utcnow

from api_support import api_policies, bearer, count  # noqa: F401 - fixtures
from web_support import csrf_token, form_keys, login, make_app


def audit_entries(app, **where) -> list[AuditEntry]:
    with app.app_context():
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(AuditEntry, name) == value)
        return list(db.session().scalars(stmt))


def _sign_in_data(client, demo, password="hearth-demo", email=None):
    return {"email": email or demo.email("worker", demo.home), "password": password,
            "csrf_token": csrf_token(client)}


# --- 5. `next` after sign-in goes only to this site ----------------------------------

# As an attacker writes them in the link (already percent-encoded where they are).
BAD_NEXT_IN_URL = [
    "/%09/evil.example", "/%0a/evil.example", "/%0d/evil.example", "/%0d%0aSet-Cookie:%20x=1",
    "%2F%2Fevil.example", "//evil.example", "///evil.example", "/%5Cevil.example", "/%5C/evil.example",
    "https://evil.example/", "https:evil.example", "javascript:alert(1)", "%20/evil.example",
    "/%2F/evil.example", "/%252F%252Fevil.example", "/%E3%80%80/evil.example", "/%00/evil",
    "evil.example", "", "/%7F/evil",
]
# As the app receives them after decoding (for a client that sends them raw).
BAD_NEXT_DECODED = ["/\t/evil.example", "/\\evil.example", "/\r\nLocation: //evil", " //evil.example",
                    "/\u00a0/evil.example", "/\u200b/evil.example", "/" + "a" * 3000]


# Where a sign-in sends the user next is decided from the request alone, the same whichever
# database answers: these run on SQLite (how the app's tests choose, tests/web/conftest.py).
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")


@SQLITE_ONLY
@pytest.mark.parametrize("target", BAD_NEXT_IN_URL)
def test_next_refuses_other_sites_written_in_the_link(client, demo, target):
    r = client.post(f"/login?next={target}", data=_sign_in_data(client, demo))
    assert r.status_code == 302, r.status_code
    assert r.headers["Location"] == "/"


@SQLITE_ONLY
@pytest.mark.parametrize("target", BAD_NEXT_DECODED)
def test_next_refuses_other_sites_decoded(client, demo, target):
    r = client.post("/login", query_string={"next": target}, data=_sign_in_data(client, demo))
    assert r.status_code == 302, r.status_code
    assert r.headers["Location"] == "/"


@SQLITE_ONLY
@pytest.mark.parametrize("target", ["/cases/5", "/cases/5/forms?draft=1", "/admin/audit?page=2&audit_action=refused"])
def test_next_keeps_same_site_paths(client, demo, target):
    r = client.post("/login", query_string={"next": target}, data=_sign_in_data(client, demo))
    assert r.headers["Location"] == target


# --- 6. the sign-in limit: atomic, and X-Forwarded-For only from trusted proxies ------

def test_forty_concurrent_wrong_passwords_get_only_the_limits_checks(app, demo, monkeypatch):
    """40 wrong passwords sent at once: exactly HEARTH_LOGIN_MAX_FAILURES are checked
    against the hash (401), the rest are refused before any check (429)."""
    from hearth.web.views import sign_in
    checks = []
    real_verify = sign_in.verify_password

    def counting_verify(*args):
        checks.append(1)
        return real_verify(*args)

    monkeypatch.setattr(sign_in, "verify_password", counting_verify)
    attempts = 40
    clients = [app.test_client() for _ in range(attempts)]
    forms = [_sign_in_data(c, demo, password="wrong") for c in clients]
    start = threading.Barrier(attempts)

    def attempt(index: int) -> int:
        start.wait()
        return clients[index].post("/login", data=forms[index]).status_code

    with ThreadPoolExecutor(attempts) as pool:
        statuses = list(pool.map(attempt, range(attempts)))
    limit = app.config["HEARTH_LOGIN_MAX_FAILURES"]
    assert sorted(set(statuses)) == [401, 429], statuses
    assert statuses.count(401) == limit == len(checks)
    assert statuses.count(429) == attempts - limit


def _fresh_wsgi_app(monkeypatch, database_url, **environ):
    """hearth.web.wsgi as gunicorn imports it, with this environment."""
    monkeypatch.setenv("HEARTH_ENV", "testing")
    monkeypatch.setenv("DATABASE_URL", database_url)
    for name in ("HEARTH_PROXIES", "HEARTH_TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("hearth.web.wsgi", None)
    return importlib.import_module("hearth.web.wsgi").app


def test_gunicorn_reached_directly_ignores_x_forwarded_for(app, demo, database_url, monkeypatch):
    """With the documented defaults, rotating X-Forwarded-For gave unlimited guesses."""
    wsgi_app = _fresh_wsgi_app(monkeypatch, database_url)
    client = wsgi_app.test_client()
    limit = app.config["HEARTH_LOGIN_MAX_FAILURES"]
    statuses = [client.post("/login", headers={"X-Forwarded-For": f"198.51.100.{i}"},
                            data=_sign_in_data(client, demo, password="wrong")).status_code
                for i in range(limit + 3)]
    assert statuses == [401] * limit + [429] * 3
    assert {e.ip for e in audit_entries(app, action="login_failed")} == {"127.0.0.1"}


def test_a_long_x_forwarded_for_is_not_a_500(app, demo, database_url, monkeypatch):
    wsgi_app = _fresh_wsgi_app(monkeypatch, database_url, HEARTH_TRUSTED_PROXIES="127.0.0.1")
    client = wsgi_app.test_client()
    for forwarded in ("x" * 60, "1" * 60, "::ffff:" + "e" * 50, "\x00", "300.1.1.1", ", , ,"):
        r = client.post("/login", headers={"X-Forwarded-For": forwarded},
                        data=_sign_in_data(client, demo, password="wrong"))
        assert r.status_code in (401, 429), (forwarded, r.status_code)
    assert {e.ip for e in audit_entries(app, action="login_failed")} == {"127.0.0.1"}


def test_the_old_hop_count_setting_is_refused_with_a_pointer(monkeypatch, database_url):
    from hearth.web.config import ConfigError
    monkeypatch.setenv("HEARTH_PROXIES", "1")
    with pytest.raises(ConfigError, match="HEARTH_TRUSTED_PROXIES"):
        make_app(database_url)
    monkeypatch.setenv("HEARTH_PROXIES", "0")  # the same as the new default: accepted
    make_app(database_url)


@pytest.mark.parametrize("setting", ["10.0.0.0/33", "example.com", "10.0.0.1;10.0.0.2"])
def test_a_trusted_proxy_that_is_not_an_address_is_refused(database_url, setting):
    from hearth.web.config import ConfigError
    with pytest.raises(ConfigError, match="HEARTH_TRUSTED_PROXIES"):
        make_app(database_url, HEARTH_TRUSTED_PROXIES=setting)


@pytest.fixture
def behind_proxies(app, database_url):
    proxied = make_app(database_url, HEARTH_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8")
    yield proxied
    engine_for(proxied).dispose()


@pytest.mark.parametrize("peer, forwarded, expected", [
    ("127.0.0.1", "203.0.113.5", "203.0.113.5"),            # the proxy says who called it
    ("127.0.0.1", "198.51.100.1, 203.0.113.5", "203.0.113.5"),  # the left one was typed by the client
    ("127.0.0.1", "203.0.113.5, 10.1.2.3", "203.0.113.5"),  # through two trusted proxies
    ("127.0.0.1", "10.1.2.3", "10.1.2.3"),                  # every hop trusted: the leftmost
    ("192.0.2.7", "203.0.113.5", "192.0.2.7"),              # not a proxy: the header is ignored
    ("127.0.0.1", "not-an-address", "127.0.0.1"),           # garbage: the proxy itself
    ("127.0.0.1", "2001:DB8::0:1", "2001:db8::1"),          # stored in its one canonical form
])
def test_x_forwarded_for_is_trusted_only_from_configured_proxies(behind_proxies, demo, peer, forwarded, expected):
    client = behind_proxies.test_client()
    r = client.post("/login", headers={"X-Forwarded-For": forwarded}, environ_base={"REMOTE_ADDR": peer},
                    data=_sign_in_data(client, demo, password="wrong"))
    assert r.status_code == 401
    assert [e.ip for e in audit_entries(behind_proxies, action="login_failed")] == [expected]
    with behind_proxies.app_context():
        assert db.session().scalars(select(LoginThrottle.ip)).all() == [expected]


def test_forwarded_proto_only_from_a_trusted_proxy(behind_proxies, demo):
    from flask import request
    seen = []
    behind_proxies.before_request_funcs.setdefault(None, []).append(lambda: seen.append(request.scheme))
    client = behind_proxies.test_client()
    client.get("/login", headers={"X-Forwarded-Proto": "https"})
    client.get("/login", headers={"X-Forwarded-Proto": "https"}, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert seen == ["https", "http"]


# --- 7. ids too large for the database, pages too far, NUL bytes --------------------

HUGE_IDS = [2 ** 31, 2 ** 63, 99999999999, int("9" * 40)]


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_huge_ids_in_any_web_url_are_404(app, demo, login_as, huge):
    client = login_as(demo.email("worker", demo.home))
    checked = 0
    for rule in app.url_map.iter_rules():
        # The policy workspace refuses a worker by role (403) before any id in its path is read.
        if "GET" not in rule.methods or rule.endpoint.startswith(("api.", "workspace_")):
            continue
        ints = [a for a in rule.arguments if a.endswith("_id")]
        if not ints:
            continue
        values = {a: huge if a in ints else "record_event" for a in rule.arguments}
        url = rule.build(values)[1]
        assert client.get(url).status_code == 404, url
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_huge_ids_in_any_api_url_are_404(app, client, demo, bearer, huge):
    headers = bearer(demo.email("worker", demo.home))
    for url in (f"/api/v1/cases/{huge}", f"/api/v1/cases/{huge}/events", f"/api/v1/cases/{huge}/submissions"):
        r = client.get(url, headers=headers)
        assert r.status_code == 404 and r.is_json, (url, r.status_code)
    r = client.post(f"/api/v1/cases/{huge}/events", headers=headers,
                    json={"events": [{"type": "absence", "on": "2026-01-10"}]})
    assert r.status_code == 404


@pytest.mark.parametrize("page", ["99999999999999999999", "9" * 5000, "-3", "0", "two", "1e9"])
def test_audit_page_number_out_of_range_is_not_a_500(app, demo, login_as, page):
    client = login_as(demo.email("admin"))
    r = client.get("/admin/audit", query_string={"page": page})
    assert r.status_code == 200, r.status_code


def test_a_nul_in_a_child_reference_is_a_form_error(app, demo, login_as):
    client = login_as(demo.email("worker", demo.home))
    before = count(app, Case)
    r = client.post("/cases/new", data={**form_keys(client, "/cases/new"), "child_ref": "C-\x00-1",
                                        "placement_type": "other", "started": ["1", "1", "2025"]})
    page = r.get_data(as_text=True)
    assert r.status_code in (200, 422) and "There is a problem" in page and "control character" in page
    assert count(app, Case) == before


def test_a_nul_in_a_child_reference_through_the_api_is_422(app, client, demo, bearer):
    headers = bearer(demo.email("worker", demo.home))
    before = count(app, Case)
    r = client.post(f"/api/v1/councils/{demo.home}/cases", headers=headers,
                    json={"child": {"ref": "C-\u0000-1"}, "placement": {"type": "other", "started": "2025-01-01"}})
    assert r.status_code == 422, r.get_data(as_text=True)
    assert r.get_json()["errors"][0]["field"] == "child.ref"
    assert count(app, Case) == before


@pytest.mark.parametrize("field, value", [
    ("email", "worker@x.demo\x00"), ("email", "a" * 300 + "@x.demo"), ("email", "\x00" * 10),
    ("password", "hearth-demo\x00"), ("password", "p" * 5000),
])
def test_sign_in_fields_out_of_bounds_are_form_errors(app, client, demo, field, value):
    data = _sign_in_data(client, demo)
    data[field] = value
    r = client.post("/login", data=data)
    assert r.status_code == 400, r.status_code
    assert "There is a problem" in r.get_data(as_text=True)


# --- 8. SQLite as a real default -----------------------------------------------------

def test_sqlite_connections_use_wal_and_wait_for_the_lock(app):
    engine = engine_for(app)
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 15000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_token_use_is_stamped_at_most_once_a_minute(app, client, demo, bearer):
    headers = bearer(demo.email("worker", demo.home))
    stamps = []

    def note(_conn, _cursor, statement, *_rest):
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS"):
            stamps.append(statement)

    engine = engine_for(app)
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get("/api/v1/councils", headers=headers).status_code == 200
        assert client.get("/api/v1/councils", headers=headers).status_code == 200
        assert len(stamps) == 1
        with app.app_context():  # a minute later, the next call stamps again
            db.session().execute(update(ApiToken).values(last_used_at=utcnow() - timedelta(seconds=61)))
            db.session().commit()
        stamps.clear()
        assert client.get("/api/v1/councils", headers=headers).status_code == 200
        assert len(stamps) == 1
    finally:
        event.remove(engine, "before_cursor_execute", note)
    with app.app_context():
        used = db.session().scalar(select(ApiToken.last_used_at))
    assert (utcnow() - used).total_seconds() < 60


# --- 9. refusals are security events; the audit page shows what an auditor needs ----

def test_another_councils_case_is_404_and_audited(app, demo, login_as):
    client = login_as(demo.email("worker", demo.home))
    theirs = demo.cases[demo.other][0]
    assert client.get(f"/cases/{theirs.id}").status_code == 404
    refused = audit_entries(app, action="refused")
    assert len(refused) == 1
    entry = refused[0]
    assert (entry.object_type, entry.object_id, entry.council_id) == ("case", str(theirs.id), demo.home)
    assert entry.user_id is not None and entry.ip == "127.0.0.1"
    assert entry.detail == {"reason": "another_council", "status": 404, "method": "GET",
                            "path": f"/cases/{theirs.id}"}
    assert theirs.child_ref not in str(entry.detail)


def test_another_councils_case_through_the_api_is_audited(app, client, demo, bearer):
    headers = bearer(demo.email("worker", demo.home))
    theirs = demo.cases[demo.other][0]
    r = client.post(f"/api/v1/cases/{theirs.id}/events", headers=headers,
                    json={"events": [{"type": "absence", "on": "2026-01-10"}]})
    assert r.status_code == 404
    [entry] = audit_entries(app, action="refused")
    assert (entry.object_type, entry.object_id, entry.council_id) == ("case", str(theirs.id), demo.home)
    assert entry.detail["method"] == "POST" and entry.detail["reason"] == "another_council"


def test_another_councils_submission_under_ones_own_case_is_404_and_audited(app, demo, login_as):
    theirs = demo.cases[demo.other][0]
    with app.app_context():
        s = db.session()
        sub = Submission(case_id=theirs.id, form_id="record_event", form_version="1", data={}, status="draft")
        s.add(sub)
        s.commit()
        sub_id = sub.id
    client = login_as(demo.email("worker", demo.home))
    mine = demo.cases[demo.home][0]
    assert client.get(f"/cases/{mine.id}/submissions/{sub_id}").status_code == 404
    refused = [e for e in audit_entries(app, action="refused") if e.object_type == "submission"]
    assert [(e.object_id, e.detail["reason"], e.council_id) for e in refused][:1] == [
        (str(sub_id), "another_case", demo.home)]


def test_another_councils_council_through_the_api_is_404_and_audited(app, client, demo, bearer):
    headers = bearer(demo.email("worker", demo.home))
    assert client.get(f"/api/v1/councils/{demo.other}", headers=headers).status_code == 404
    assert client.get("/api/v1/councils/no-such-council", headers=headers).status_code == 404
    [entry] = audit_entries(app, action="refused")
    assert (entry.object_type, entry.object_id, entry.detail["reason"]) == ("council", demo.other, "another_council")


def test_a_missing_case_is_404_without_a_security_event(app, demo, login_as):
    client = login_as(demo.email("worker", demo.home))
    assert client.get("/cases/2147483000").status_code == 404
    assert audit_entries(app, action="refused") == []


def test_a_role_refusal_is_403_and_audited(app, demo, login_as):
    client = login_as(demo.email("policy_officer", demo.home))
    case = demo.cases[demo.home][0]
    assert client.get(f"/cases/{case.id}").status_code == 403
    assert client.get("/admin/audit").status_code == 403
    refused = audit_entries(app, action="refused")
    assert [(e.object_type, e.object_id, e.detail["reason"], e.detail["status"]) for e in refused] == [
        ("case", str(case.id), "role", 403), (None, None, "role", 403)]
    assert refused[1].detail["path"] == "/admin/audit"
    assert all(e.council_id == demo.home for e in refused)


def test_an_api_role_refusal_is_audited(app, client, demo, bearer):
    headers = bearer(demo.email("policy_officer", demo.home))
    case = demo.cases[demo.home][0]
    assert client.get(f"/api/v1/cases/{case.id}", headers=headers).status_code == 403
    [entry] = audit_entries(app, action="refused")
    assert (entry.object_type, entry.object_id, entry.detail["reason"]) == ("case", str(case.id), "role")


def test_a_refusal_is_audited_but_nothing_else_the_request_began_is_saved(app, demo, login_as, monkeypatch):
    """The refusal's audit commits; work the request had not committed does not ride along."""
    from hearth.web import scoping
    client = login_as(demo.email("worker", demo.home))
    theirs = demo.cases[demo.other][0]
    real = scoping.get_or_404

    def half_way(model, object_id):
        db.session().add(Case(council_id=demo.home, child_ref="HALF-1", placement_type="other",
                              placement_started=utcnow().date(), status="open"))
        return real(model, object_id)

    monkeypatch.setattr("hearth.web.views.cases.get_or_404", half_way)
    before = count(app, Case)
    assert client.get(f"/cases/{theirs.id}").status_code == 404
    assert count(app, Case) == before
    assert len(audit_entries(app, action="refused")) == 1


def test_the_audit_page_shows_what_an_auditor_needs_and_no_child_references(app, demo, login_as):
    with app.app_context():
        s = db.session()
        s.add(AuditEntry(action="viewed", object_type="evaluation", council_id=demo.home, ip="203.0.113.9",
                         policy_version="2025-04", detail={"via": "api", "child_ref": "C-SECRET-77",
                                                           "email": "someone@private.example"}))
        s.add(AuditEntry(action="refused", object_type="case", object_id="42", council_id=demo.home,
                         ip="203.0.113.10", detail={"reason": "another_council", "status": 404,
                                                    "method": "GET", "path": "/cases/42"}))
        s.commit()
    page = login_as(demo.email("admin")).get("/admin/audit").get_data(as_text=True)
    assert "C-SECRET-77" not in page and "someone@private.example" not in page
    for shown in ("203.0.113.9", "2025-04", "Another council", "/cases/42", "404", "203.0.113.10"):
        assert shown in page, shown


def test_the_audit_page_can_be_filtered(app, demo, login_as):
    client = login_as(demo.email("worker", demo.other))
    client.get(f"/cases/{demo.cases[demo.home][0].id}")  # refused: another council
    admin = app.test_client()
    assert login(admin, demo.email("admin")).status_code == 302
    page = admin.get("/admin/audit", query_string={"audit_action": "refused"}).get_data(as_text=True)
    assert demo.email("worker", demo.other) in page and "Login" not in page.split("<tbody")[1]
    page = admin.get("/admin/audit", query_string={"council": demo.home}).get_data(as_text=True)
    assert demo.email("worker", demo.other) not in page.split("<tbody")[1]
