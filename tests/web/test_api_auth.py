"""The API's doorway: bearer tokens only, JSON errors, no cookie sessions (so no CSRF
through it), roles, and a record of when each token was last used."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from hearth.web.models import ApiToken, Case, User, utcnow

from api_support import api_policies, bearer, count  # noqa: F401 - fixtures
from web_support import csrf_token, login

# Token checks are the API's own, the same on either database (tokens are stored and read on
# PostgreSQL by test_api_idempotency.py and test_web_database.py): on SQLite, for CI's time.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")


def _api_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def _url(rule, demo):
    args = {"council": demo.home, "case_id": demo.cases[demo.home][0].id}
    return rule.build({a: args[a] for a in rule.arguments})[1]


def _assert_401(r, where=""):
    assert r.status_code == 401, f"{where}: {r.status_code}"
    assert r.is_json and r.get_json()["errors"][0]["message"], where
    assert r.headers["WWW-Authenticate"].startswith("Bearer"), where


def test_every_route_without_a_token_is_401_json(client, demo):
    for rule, method in _api_routes(client.application):
        r = client.open(_url(rule, demo), method=method, json={})
        _assert_401(r, f"{method} {rule}")
        assert not any(ref in r.get_data(as_text=True) for ref in demo.refs(demo.home))


def test_bad_tokens_are_401(client, demo, bearer):
    good = bearer(demo.email("worker", demo.home))["Authorization"]
    for header in ("Bearer hth_not-a-real-token", "Bearer ", "Bearer nothing", good.replace("Bearer", "Basic"),
                   good[:-2], "hth_" + good):
        r = client.get("/api/v1/councils", headers={"Authorization": header})
        _assert_401(r, header)
        assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    assert client.get("/api/v1/councils", headers={"Authorization": good}).status_code == 200


def test_revoked_token_and_inactive_user_are_401(app, client, demo, bearer):
    from hearth.web import db
    headers = bearer(demo.email("worker", demo.home))
    assert client.get("/api/v1/councils", headers=headers).status_code == 200
    with app.app_context():
        db.session().execute(update(ApiToken).values(revoked_at=utcnow()))
        db.session().commit()
    _assert_401(client.get("/api/v1/councils", headers=headers))
    headers = bearer(demo.email("manager", demo.home))
    with app.app_context():
        db.session().execute(update(User).where(User.email == demo.email("manager", demo.home)).values(active=False))
        db.session().commit()
    _assert_401(client.get("/api/v1/councils", headers=headers))


def test_a_signed_in_browser_session_cannot_call_the_api(app, client, demo):
    """A cookie is not a credential here, so a page elsewhere cannot use a worker's
    signed-in browser to read or write through the API (no CSRF through the API)."""
    assert login(client, demo.email("worker", demo.home)).status_code == 302
    assert client.get("/").status_code == 200  # the cookie works for pages
    _assert_401(client.get("/api/v1/councils"))
    _assert_401(client.get(f"/api/v1/cases/{demo.cases[demo.home][0].id}"))
    before = count(app, Case)
    token = csrf_token(client, "/")
    for kwargs in ({"json": {"child": {"ref": "X-1"}, "placement": {"type": "other", "started": "2025-01-01"}}},
                   {"data": {"csrf_token": token}},
                   {"data": "child=x", "content_type": "application/x-www-form-urlencoded"}):
        r = client.post(f"/api/v1/councils/{demo.home}/cases", **kwargs)
        _assert_401(r)
    assert count(app, Case) == before
    # ...and a token in a request does not sign the browser session in or out.
    assert client.get("/").status_code == 200


def test_api_answers_never_set_a_session_cookie(client, demo, bearer):
    headers = bearer(demo.email("worker", demo.home))
    r = client.get("/api/v1/councils", headers=headers)
    assert r.status_code == 200
    assert "Set-Cookie" not in r.headers
    assert r.headers["Cache-Control"] == "no-store"


def test_token_use_is_recorded(app, client, demo, bearer):
    from hearth.web import db
    headers = bearer(demo.email("worker", demo.home))
    with app.app_context():
        assert db.session().scalar(select(ApiToken.last_used_at)) is None
    assert client.get("/api/v1/councils", headers=headers).status_code == 200
    with app.app_context():
        used = db.session().scalar(select(ApiToken.last_used_at))
    assert used is not None and (utcnow() - used).total_seconds() < 60


def test_roles_that_may_not_see_cases_get_403(client, demo, bearer):
    case_id = demo.cases[demo.home][0].id
    for role, council in (("policy_officer", demo.home), ("admin", None)):
        headers = bearer(demo.email(role, council))
        for url in (f"/api/v1/councils/{demo.home}/cases", f"/api/v1/cases/{case_id}",
                    f"/api/v1/cases/{case_id}/events"):
            r = client.get(url, headers=headers)
            assert r.status_code == 403, f"{role} GET {url}: {r.status_code}"
            assert r.is_json and demo.cases[demo.home][0].child_ref not in r.get_data(as_text=True)
        r = client.post(f"/api/v1/cases/{case_id}/events", headers=headers,
                        json={"events": [{"type": "missing_episode", "on": "2026-01-01"}]})
        assert r.status_code == 403


def test_unknown_api_urls_and_methods_answer_json(client, demo, bearer):
    headers = bearer(demo.email("worker", demo.home))
    r = client.get("/api/v1/no-such-thing", headers=headers)
    assert r.status_code == 404 and r.get_json() == {"errors": [{"field": "", "message": "Not found."}]}
    r = client.delete("/api/v1/councils", headers=headers)
    assert r.status_code == 405 and r.is_json and "GET" in r.headers["Allow"]
