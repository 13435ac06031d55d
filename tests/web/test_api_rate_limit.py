"""The JSON API's rate limit (hearth.web.api.ratelimit): per token's user, per address
without a valid token, /api/v1/ only, 429 JSON with Retry-After, nothing recorded by a
refused call, configurable and able to be turned off; Redis shared between workers.

Each test builds its own app (same database as the `app` fixture) with a small limit,
so its counts start from nothing and no other test's calls count against it."""
from __future__ import annotations

import logging
import os
import secrets
import socket
import time

import pytest
from sqlalchemy import select

from hearth.web import config
from hearth.web.api import ratelimit
from hearth.web.api import schemas as sc
from hearth.web.db import engine_for
from hearth.web.models import ApiToken, AuditEntry, Case, Event

from api_support import api_policies, bearer, count  # noqa: F401 - fixtures
from web_support import login, make_app

REDIS_URL = os.environ.get("HEARTH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


@pytest.fixture
def limited(database_url, demo):
    """limited(limit, **config) -> a test client of a new app with that API rate limit."""
    apps = []

    def _make(limit: str = "3 per minute", **overrides):
        app = make_app(database_url, HEARTH_API_RATE_LIMIT=limit, **overrides)
        apps.append(app)
        return app.test_client()
    yield _make
    for app in apps:
        engine_for(app).dispose()


def _calls(client, n, path="/api/v1/councils", **kwargs):
    return [client.get(path, **kwargs) for _ in range(n)]


def _assert_429(r, where=""):
    assert r.status_code == 429, f"{where}: {r.status_code} {r.get_data(as_text=True)[:200]}"
    assert r.is_json, where
    body = r.get_json()
    assert sc.ErrorListSchema().validate(body) == {}, body  # the API's one error shape
    assert body["errors"][0]["message"].startswith("Too many requests"), body
    assert 1 <= int(r.headers["Retry-After"]) <= 60, r.headers.get("Retry-After")
    assert r.headers["X-RateLimit-Remaining"] == "0"
    assert r.headers["Cache-Control"] == "no-store"  # the app's own headers still apply
    return body["errors"][0]["message"]


# --- per token's user ---------------------------------------------------------------------

def test_fourth_call_with_a_token_is_429_json_with_retry_after(limited, demo, bearer):
    client = limited("3 per minute")
    headers = bearer(demo.email("worker", demo.home))
    answers = _calls(client, 3, headers=headers)
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert [r.headers["X-RateLimit-Remaining"] for r in answers] == ["2", "1", "0"]
    for r in answers:
        assert r.headers["X-RateLimit-Limit"] == "3"
        assert int(r.headers["X-RateLimit-Reset"]) > time.time()
        assert "Retry-After" not in r.headers  # only a 429 says to wait
    message = _assert_429(client.get("/api/v1/councils", headers=headers))
    assert "each API user may make 3 per 1 minute" in message and "Try again in" in message
    # One allowance for the whole API, not one per route.
    _assert_429(client.get(f"/api/v1/councils/{demo.home}", headers=headers))


def test_another_users_token_is_unaffected(limited, demo, bearer):
    client = limited("3 per minute")
    worker = bearer(demo.email("worker", demo.home))
    _calls(client, 3, headers=worker)
    _assert_429(client.get("/api/v1/councils", headers=worker))
    for other in (demo.email("manager", demo.home), demo.email("worker", demo.other)):
        r = client.get("/api/v1/councils", headers=bearer(other))
        assert r.status_code == 200 and r.headers["X-RateLimit-Remaining"] == "2", other


def test_a_users_tokens_share_one_allowance(limited, demo, bearer):
    """Keyed on the user, so making more tokens does not buy more calls."""
    client = limited("3 per minute")
    email = demo.email("worker", demo.home)
    _calls(client, 3, headers=bearer(email))
    _assert_429(client.get("/api/v1/councils", headers=bearer(email)))


def test_a_refused_call_records_nothing(app, limited, demo, bearer):
    from hearth.web import db
    client = limited("3 per minute")
    headers = bearer(demo.email("worker", demo.home))
    assert all(r.status_code == 200 for r in _calls(client, 3, headers=headers))

    def token_used():
        with app.app_context():
            return db.session().scalar(select(ApiToken.last_used_at).where(ApiToken.user.has(
                email=demo.email("worker", demo.home))))
    before = count(app, Case), count(app, Event), count(app, AuditEntry), token_used()
    assert before[3] is not None
    case_id = demo.cases[demo.home][0].id
    _assert_429(client.post(f"/api/v1/cases/{case_id}/events", headers=headers,
                            json={"events": [{"type": "absence", "on": "2026-01-10"}]}))
    _assert_429(client.post(f"/api/v1/councils/{demo.home}/cases", headers=headers,
                            json={"child": {"ref": "LIMIT-1"},
                                  "placement": {"type": "other", "started": "2025-01-01"}}))
    _assert_429(client.get(f"/api/v1/cases/{case_id}", headers=headers))  # a read is audited too
    assert (count(app, Case), count(app, Event), count(app, AuditEntry), token_used()) == before


def test_every_api_route_answers_429_json_over_the_limit(limited, demo, bearer):
    """Walks the app's routes, so a new API route is covered without editing this file."""
    client = limited("1 per minute")
    headers = bearer(demo.email("worker", demo.home))
    assert client.get("/api/v1/councils", headers=headers).status_code == 200
    app = client.application
    args = {"council": demo.home, "case_id": demo.cases[demo.home][0].id}
    routes = [(rule, method) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi"
              for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    assert len(routes) >= 8
    for rule, method in routes:
        url = rule.build({a: args[a] for a in rule.arguments})[1]
        _assert_429(client.open(url, method=method, headers=headers, json={} if method == "POST" else None),
                    f"{method} {url}")


def test_retry_after_is_long_enough(limited, demo, bearer):
    client = limited("1 per 2 seconds")
    headers = bearer(demo.email("worker", demo.home))
    assert client.get("/api/v1/councils", headers=headers).status_code == 200
    r = client.get("/api/v1/councils", headers=headers)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) in (1, 2)
    time.sleep(int(r.headers["Retry-After"]))  # rounded up: waiting exactly this long is enough
    assert client.get("/api/v1/councils", headers=headers).status_code == 200


# --- without a valid token: per address ----------------------------------------------------

def test_unauthenticated_flood_is_limited_by_address(limited, demo, bearer):
    client = limited("3 per minute")
    attacker = {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}}
    guesses = [{}, {"Authorization": "Bearer hth_guess-1"}, {"Authorization": "Bearer hth_guess-2"}]
    for headers in guesses:  # no token, then wrong tokens: one allowance for the address
        assert client.get("/api/v1/councils", headers=headers, **attacker).status_code == 401
    message = _assert_429(client.get("/api/v1/councils", headers={"Authorization": "Bearer hth_guess-3"},
                                     **attacker))
    assert "without a valid API token from this address" in message
    _assert_429(client.get("/api/v1/openapi.json", **attacker))  # the API's one open route counts too
    # Another address is not affected...
    r = client.get("/api/v1/councils", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert r.status_code == 401 and r.headers["X-RateLimit-Remaining"] == "2"
    # ...nor is a valid token from the same address (councils' systems may share one).
    r = client.get("/api/v1/councils", headers=bearer(demo.email("worker", demo.home)), **attacker)
    assert r.status_code == 200


def test_a_bad_tokens_call_is_counted_before_the_token_lookup_answers(limited, demo):
    """A 401 is still a call: the address's allowance goes down with each one."""
    client = limited("3 per minute")
    r = client.get("/api/v1/councils", headers={"Authorization": "Bearer hth_nope"})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    assert r.headers["X-RateLimit-Remaining"] == "2"


# --- only the API ----------------------------------------------------------------------------

def test_html_pages_and_sign_in_are_not_limited(limited, demo, bearer):
    client = limited("2 per minute")
    for path in ["/login"] * 5 + ["/healthz"]:
        r = client.get(path)
        assert r.status_code == 200, path
        assert not any(h in r.headers for h in (*LIMIT_HEADERS, "Retry-After")), path
    assert login(client, demo.email("worker", demo.home)).status_code == 302
    for _ in range(5):
        r = client.get("/")
        assert r.status_code == 200 and "X-RateLimit-Limit" not in r.headers
    # None of that counted against the API (not by user, not by address).
    r = client.get("/api/v1/councils", headers=bearer(demo.email("worker", demo.home)))
    assert r.status_code == 200 and r.headers["X-RateLimit-Remaining"] == "1"
    assert client.get("/api/v1/councils").headers["X-RateLimit-Remaining"] == "1"


# --- configuration -----------------------------------------------------------------------------

@pytest.mark.parametrize("off", ["off", " OFF "])
def test_the_limit_can_be_turned_off(limited, demo, bearer, off):
    client = limited(off)
    assert ratelimit.limiter_for(client.application) is None
    headers = bearer(demo.email("worker", demo.home))
    for r in _calls(client, 10, headers=headers) + _calls(client, 10):
        assert r.status_code in (200, 401)
        assert not any(h in r.headers for h in (*LIMIT_HEADERS, "Retry-After"))


def test_settings_come_from_the_environment(database_url, demo, bearer, monkeypatch):
    monkeypatch.setenv("HEARTH_API_RATE_LIMIT", "2 per hour")
    monkeypatch.setenv("HEARTH_RATELIMIT_KEY_PREFIX", "hearth-env-test")
    app = make_app(database_url)
    try:
        assert app.config["HEARTH_RATELIMIT_KEY_PREFIX"] == "hearth-env-test"
        client = app.test_client()
        headers = bearer(demo.email("worker", demo.home))
        assert [r.status_code for r in _calls(client, 3, headers=headers)] == [200, 200, 429]
        monkeypatch.setenv("HEARTH_API_RATE_LIMIT", "off")
        assert ratelimit.limiter_for(make_app(database_url)) is None
    finally:
        engine_for(app).dispose()


@pytest.mark.parametrize("unset", [None, ""])
def test_defaults(monkeypatch, unset):
    """Unset, or set to nothing (a blank in an EnvironmentFile): the defaults, never "off"."""
    for name in ("HEARTH_API_RATE_LIMIT", "HEARTH_RATELIMIT_STORAGE_URI", "HEARTH_RATELIMIT_KEY_PREFIX"):
        if unset is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, unset)
    for env in ("development", "production"):
        c = config.load({"HEARTH_ENV": env, "SECRET_KEY": "x" * 40})
        assert c["HEARTH_API_RATE_LIMIT"] == "300 per minute"
        assert c["HEARTH_RATELIMIT_STORAGE_URI"] == "memory://"
        assert c["HEARTH_RATELIMIT_KEY_PREFIX"] == "hearth"
    # Tests get a ceiling none of them reaches, so the limiter never decides another test.
    assert config.load({"HEARTH_ENV": "testing"})["HEARTH_API_RATE_LIMIT"] == "100000 per minute"


@pytest.mark.parametrize("setting, value, words", [
    ("HEARTH_API_RATE_LIMIT", "lots", "not a rate limit"),
    ("HEARTH_API_RATE_LIMIT", "", "not a rate limit"),
    ("HEARTH_RATELIMIT_STORAGE_URI", "nosuchstore://127.0.0.1", "cannot use"),
])
def test_bad_settings_stop_the_app_starting(database_url, setting, value, words):
    with pytest.raises(config.ConfigError, match=words):
        make_app(database_url, **{setting: value})


def test_production_warns_when_workers_count_separately(database_url, caplog):
    with caplog.at_level(logging.WARNING):
        app = make_app(database_url, HEARTH_ENV="production", SECRET_KEY="x" * 40)
    engine_for(app).dispose()
    assert any("each gunicorn worker counts on its own" in m for m in caplog.messages)


def test_openapi_documents_the_429_and_headers(limited, demo):
    spec = limited("3 per minute").get("/api/v1/openapi.json").get_json()
    too_many = spec["components"]["responses"]["TooManyRequests"]
    assert set(too_many["headers"]) == {"Retry-After", *LIMIT_HEADERS}
    assert too_many["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorList"}
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            assert op["responses"]["429"] == {"$ref": "#/components/responses/TooManyRequests"}, (method, path)
            ok = next(v for k, v in op["responses"].items() if k.startswith("2"))
            assert set(ok["headers"]) - {"Idempotent-Replayed"} == set(LIMIT_HEADERS), (method, path)


# --- storage ---------------------------------------------------------------------------------

@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own on the Redis at REDIS_URL; its keys are removed after."""
    import redis
    r = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        r.ping()
    except redis.RedisError as e:
        r.close()
        pytest.skip(f"Redis rate-limit test skipped: no Redis answers at {REDIS_URL} ({type(e).__name__}: {e}). "
                    "Start one, or point HEARTH_TEST_REDIS_URL at one.")
    prefix = f"hearth-test-{secrets.token_hex(6)}"
    yield prefix
    keys = list(r.scan_iter(match=f"*{prefix}*"))
    if keys:
        r.delete(*keys)
    r.close()


def test_redis_shares_one_count_between_workers(limited, demo, bearer, redis_prefix):
    """Two apps stand in for two gunicorn workers: with Redis they count together."""
    import redis
    settings = {"HEARTH_RATELIMIT_STORAGE_URI": REDIS_URL, "HEARTH_RATELIMIT_KEY_PREFIX": redis_prefix}
    first, second = limited("3 per minute", **settings), limited("3 per minute", **settings)
    headers = bearer(demo.email("worker", demo.home))
    answers = [worker.get("/api/v1/councils", headers=headers) for worker in (first, second, first)]
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert [r.headers["X-RateLimit-Remaining"] for r in answers] == ["2", "1", "0"]
    _assert_429(second.get("/api/v1/councils", headers=headers))
    # Another user still has a whole allowance, and the counts really are in Redis.
    assert first.get("/api/v1/councils", headers=bearer(demo.email("manager", demo.home))).status_code == 200
    store = redis.Redis.from_url(REDIS_URL)
    try:
        assert list(store.scan_iter(match=f"*{redis_prefix}*user:*"))
    finally:
        store.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_if_the_store_stops_answering_the_api_keeps_serving_and_limiting(limited, demo, bearer, caplog):
    client = limited("3 per minute",
                     HEARTH_RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{_closed_port()}/0?socket_connect_timeout=1")
    headers = bearer(demo.email("worker", demo.home))
    with caplog.at_level(logging.WARNING):
        assert [r.status_code for r in _calls(client, 3, headers=headers)] == [200, 200, 200]
    assert any("falling back to in-memory" in m for m in caplog.messages)
    _assert_429(client.get("/api/v1/councils", headers=headers))
