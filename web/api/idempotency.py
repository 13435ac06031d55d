"""Idempotent API writes: a client that retries a POST (a timeout, a dropped connection,
a worker killed mid-answer) gets the first answer back and nothing is saved twice.

A POST may carry `Idempotency-Key: <1..200 printable ASCII characters>`. The first
request with a key claims it: a row in `idempotency_keys` with no status yet, committed
on its own, so the unique constraint on (user, key) decides a race between two copies
of the request: the second finds the claim and is answered 409 (still in flight). The
view's writes and its answer (status, JSON body, Location) are then committed in ONE
transaction: either both are there or neither is, so a replay never answers for writes
that were not kept, nor misses ones that were. A retry with the same key, path and body
gets the stored answer with `Idempotent-Replayed: true` and saves nothing; the same key
for another path or body is a 422. A refused request (4xx) or a failure (5xx) is not
stored and its claim is released, so the client can fix the request and retry with the
same key. A claim left by a worker killed mid-request is taken over once the worker
timeout (HEARTH_WORKER_TIMEOUT, the one gunicorn uses) and IN_FLIGHT_GRACE_SECONDS have
passed: no request can still be running then.

Keys are kept at least IDEMPOTENCY_KEY_HOURS (24 hours); older ones are purged as new
keys are claimed, and a key reused after that is a new request.

Without the header the view runs as before, and `idempotent` commits its writes once
the answer is built, so every API write commits in one place.
"""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from functools import wraps

from flask import Response, current_app, make_response, request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from hearth.rules.limits import IDEMPOTENCY_KEY_HOURS, MAX_IDEMPOTENCY_KEY_LENGTH

from .. import db
from ..auth import current_user
from ..models import IdempotencyKey, utcnow
from . import ApiError

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
# A claim with no answer is in flight for the worker timeout and a minute more (the master
# notices a stuck worker only after the timeout): older, its worker is surely gone.
IN_FLIGHT_GRACE_SECONDS = 60
_KEY = re.compile(r"^[\x20-\x7e]+$")
_KEPT_HEADERS = ("Location",)


def idempotent(view):
    """Run an API write at most once per Idempotency-Key (see the module's docstring)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            response = make_response(view(*args, **kwargs))
            if 200 <= response.status_code < 300:
                db.session().commit()
            return response
        _check(key)
        claimed = _claim(current_user().id, key, _fingerprint())
        if isinstance(claimed, Response):
            return claimed
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            _release(claimed)
            raise
        if not 200 <= response.status_code < 300:
            _release(claimed)
            return response
        s = db.session()
        row = s.get(IdempotencyKey, claimed)
        row.status = response.status_code
        row.response = response.get_data(as_text=True)
        row.headers = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
        s.commit()  # the view's writes and the stored answer together
        return response
    return wrapped


def _refuse(status: int, message: str) -> ApiError:
    return ApiError(status, [{"file": "headers", "line": 0, "column": 0, "field": HEADER, "message": message}])


def _check(key: str) -> None:
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH or not _KEY.match(key):
        raise _refuse(422, f"An {HEADER} is 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters, "
                           "for example a UUID; this one is not.")


def _fingerprint() -> str:
    """What makes a request the same request: method, path and body, byte for byte."""
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.get_data()):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _find(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session().scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                            IdempotencyKey.key == key))


def _claim(user_id: int, key: str, fingerprint: str) -> int | Response:
    """The id of this request's new claim on the key, or the answer to give instead."""
    s = db.session()
    s.execute(delete(IdempotencyKey).where(
        IdempotencyKey.created_at < utcnow() - timedelta(hours=IDEMPOTENCY_KEY_HOURS)))
    existing = _find(user_id, key)
    if existing is None:
        row = IdempotencyKey(user_id=user_id, key=key, method=request.method, path=request.path[:500],
                             request_hash=fingerprint, status=None, response=None, headers={})
        s.add(row)
        try:
            s.commit()
        except IntegrityError:  # another copy of the request claimed it first
            s.rollback()
            existing = _find(user_id, key)
            if existing is None:
                raise _refuse(409, "A request with this key is still being answered; try again shortly.") from None
        else:
            return row.id
    s.commit()  # the purge above
    if existing.request_hash != fingerprint:
        raise _refuse(422, f"This {HEADER} was first used for a different request (another path or body). "
                           "Use a new key for a new request.")
    if existing.status is None:
        return _take_over(existing)
    response = Response(existing.response, status=existing.status, mimetype="application/json")
    for name, value in (existing.headers or {}).items():
        response.headers[name] = value
    response.headers[REPLAYED] = "true"
    return response


def _take_over(existing: IdempotencyKey) -> int:
    """A claim with no answer: still in flight (409), or left by a worker that died (taken over)."""
    s = db.session()
    started = existing.created_at
    in_flight = current_app.config["HEARTH_WORKER_TIMEOUT"] + IN_FLIGHT_GRACE_SECONDS
    if utcnow() - started < timedelta(seconds=in_flight):
        raise _refuse(409, "A request with this key is still being answered; try again shortly.")
    taken = s.execute(update(IdempotencyKey).where(IdempotencyKey.id == existing.id,
                                                   IdempotencyKey.status.is_(None),
                                                   IdempotencyKey.created_at == started)
                      .values(created_at=utcnow()))
    s.commit()
    if taken.rowcount != 1:
        raise _refuse(409, "A request with this key is still being answered; try again shortly.")
    return existing.id


def _release(claim_id: int) -> None:
    """Forget a claim whose request was refused or failed: nothing of it was kept."""
    s = db.session()
    s.rollback()
    s.execute(delete(IdempotencyKey).where(IdempotencyKey.id == claim_id, IdempotencyKey.status.is_(None)))
    s.commit()
