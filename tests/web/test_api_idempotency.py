"""Idempotent API writes (hearth.web.api.idempotency), on both databases: a retried POST
with the same Idempotency-Key gets the first answer and saves nothing twice; another body
or path with the key is a 422; a key still in flight is a 409; refusals are not remembered."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hearth.web import db
from hearth.web.api.idempotency import _fingerprint as fingerprint
from hearth.web.models import AuditEntry, Case, Event, IdempotencyKey, Submission, User, utcnow

from api_support import api_policies, bearer, count  # noqa: F401 - fixtures

TODAY = date(2026, 12, 18)


@pytest.fixture
def worker(app, demo, bearer, monkeypatch):
    monkeypatch.setitem(app.config, "HEARTH_TODAY", TODAY)
    case = next(c for c in demo.cases["swindon"] if c.placement_type == "ifa_foster")
    return case, bearer("worker@swindon.demo")


def _stored(app) -> tuple[int, ...]:
    return (count(app, Case), count(app, Event), count(app, Submission),
            count(app, AuditEntry, AuditEntry.action == "created"))


def _with_key(headers: dict, key: str) -> dict:
    return {**headers, "Idempotency-Key": key}


POSTS = [
    ("/api/v1/councils/swindon/cases", {"child": {"ref": "IDEM-1"}, "placement": {"type": "ifa_foster",
                                                                                  "started": "2026-06-01"}}),
    ("/api/v1/cases/{case}/events", {"events": [{"type": "missing_episode", "on": "2026-12-17"}]}),
    ("/api/v1/cases/{case}/submissions", {"form": "record_event",
                                          "answers": {"event_date": "2026-12-17", "what": "absence"}}),
    ("/api/v1/cases/{case}/submissions", {"form": "record_event", "answers": {"what": "absence"}, "draft": True}),
]


@pytest.mark.parametrize("url,body", POSTS, ids=["case", "events", "submission", "draft"])
def test_a_retry_gets_the_first_answer_and_saves_nothing(app, client, worker, url, body):
    case, headers = worker
    url = url.format(case=case.id)
    first = client.post(url, headers=_with_key(headers, "retry-1"), json=body)
    assert first.status_code == 201, first.get_json()
    after_first = _stored(app)
    again = client.post(url, headers=_with_key(headers, "retry-1"), json=body)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert again.headers.get("Location") == first.headers.get("Location")
    assert "Idempotent-Replayed" not in first.headers
    assert _stored(app) == after_first
    with app.app_context():
        row = db.session().scalar(select(IdempotencyKey).where(IdempotencyKey.key == "retry-1"))
        assert row.status == 201 and row.path == url


def test_without_a_key_each_post_is_a_new_write(app, client, worker):
    case, headers = worker
    body = {"events": [{"type": "missing_episode", "on": "2026-12-17"}]}
    before = count(app, Event)
    for _ in range(2):
        assert client.post(f"/api/v1/cases/{case.id}/events", headers=headers, json=body).status_code == 201
    assert count(app, Event) == before + 2 and count(app, IdempotencyKey) == 0


def test_the_same_key_for_another_body_or_path_is_422(app, client, worker):
    case, headers = worker
    url = f"/api/v1/cases/{case.id}/events"
    assert client.post(url, headers=_with_key(headers, "k"),
                       json={"events": [{"type": "absence", "on": "2026-12-17"}]}).status_code == 201
    before = _stored(app)
    r = client.post(url, headers=_with_key(headers, "k"), json={"events": [{"type": "absence", "on": "2026-12-16"}]})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "Idempotency-Key"
    r = client.post(f"/api/v1/cases/{case.id}/submissions", headers=_with_key(headers, "k"),
                    json={"events": [{"type": "absence", "on": "2026-12-17"}]})
    assert r.status_code == 422 and "different request" in r.get_json()["errors"][0]["message"]
    assert _stored(app) == before


@pytest.mark.parametrize("key", ["", "x" * 201, "caf\u00e9", "tab\there"], ids=["empty", "201", "non-ascii", "tab"])
def test_a_key_must_be_1_to_200_printable_ascii_characters(app, client, worker, key):
    case, headers = worker
    before = _stored(app)
    r = client.post(f"/api/v1/cases/{case.id}/events", headers=_with_key(headers, key),
                    json={"events": [{"type": "absence", "on": "2026-12-17"}]})
    assert r.status_code == 422 and "printable ASCII" in r.get_json()["errors"][0]["message"]
    assert _stored(app) == before and count(app, IdempotencyKey) == 0


def test_a_refused_request_is_not_remembered(app, client, worker):
    case, headers = worker
    url = f"/api/v1/cases/{case.id}/events"
    before = _stored(app)
    r = client.post(url, headers=_with_key(headers, "fix-me"), json={"events": [{"type": "absence", "on": "2026-12-31"}]})
    assert r.status_code == 422
    assert _stored(app) == before and count(app, IdempotencyKey) == 0
    # The client fixes the request and retries with the same key: a new request, answered 201.
    r = client.post(url, headers=_with_key(headers, "fix-me"), json={"events": [{"type": "absence", "on": "2026-12-17"}]})
    assert r.status_code == 201 and "Idempotent-Replayed" not in r.headers


def _claim(app, email: str, key: str, url: str, age: timedelta) -> None:
    """A claim as the first copy of a request leaves it while it is being answered."""
    with app.app_context():
        s = db.session()
        user = s.scalar(select(User).where(User.email == email))
        s.add(IdempotencyKey(user_id=user.id, key=key, method="POST", path=url, request_hash="0" * 64,
                             status=None, response=None, headers={}, created_at=utcnow() - age))
        s.commit()


def test_a_key_still_in_flight_is_409_and_an_abandoned_one_is_taken_over(app, client, worker):
    case, headers = worker
    url = f"/api/v1/cases/{case.id}/events"
    body = {"events": [{"type": "absence", "on": "2026-12-17"}]}
    _claim(app, "worker@swindon.demo", "busy", url, timedelta(seconds=1))
    before = _stored(app)
    r = client.post(url, headers=_with_key(headers, "busy"), json=body)
    # The claim's fingerprint is another request's: the key is refused either way, nothing saved.
    assert r.status_code in (409, 422) and _stored(app) == before
    with app.test_request_context(url, method="POST", json=body):
        same = fingerprint()  # the hash the view will compute for this request
    with app.app_context():
        s = db.session()
        row = s.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "busy"))
        row.request_hash = same
        s.commit()
    r = client.post(url, headers=_with_key(headers, "busy"), json=body)
    assert r.status_code == 409 and "still being answered" in r.get_json()["errors"][0]["message"]
    assert _stored(app) == before
    timeout = app.config["HEARTH_WORKER_TIMEOUT"]
    with app.app_context():  # past the worker timeout, but the master may not have noticed yet
        s = db.session()
        row = s.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "busy"))
        row.created_at = utcnow() - timedelta(seconds=timeout + 30)
        s.commit()
    assert client.post(url, headers=_with_key(headers, "busy"), json=body).status_code == 409
    with app.app_context():
        s = db.session()
        row = s.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "busy"))
        row.created_at = utcnow() - timedelta(seconds=timeout + 61)  # its worker is surely gone
        s.commit()
    r = client.post(url, headers=_with_key(headers, "busy"), json=body)
    assert r.status_code == 201 and count(app, Event) == before[1] + 1


def test_keys_belong_to_their_user_and_expire(app, client, worker, bearer):
    case, headers = worker
    url = f"/api/v1/cases/{case.id}/events"
    body = {"events": [{"type": "absence", "on": "2026-12-17"}]}
    assert client.post(url, headers=_with_key(headers, "shared"), json=body).status_code == 201
    manager = bearer("manager@swindon.demo")
    r = client.post(url, headers=_with_key(manager, "shared"), json=body)
    assert r.status_code == 201 and "Idempotent-Replayed" not in r.headers
    with app.app_context():
        s = db.session()
        for row in s.scalars(select(IdempotencyKey)):
            row.created_at = utcnow() - timedelta(hours=25)
        s.commit()
    before = count(app, Event)
    r = client.post(url, headers=_with_key(headers, "shared"), json=body)
    assert r.status_code == 201 and "Idempotent-Replayed" not in r.headers and count(app, Event) == before + 1


def test_the_openapi_document_describes_the_header(client, demo):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/councils/{council}/cases", "/api/v1/cases/{case_id}/events",
                 "/api/v1/cases/{case_id}/submissions"):
        post = spec["paths"][path]["post"]
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])
        assert "Idempotent-Replayed" in post["responses"]["201"]["headers"]
        assert "409" in post["responses"]
