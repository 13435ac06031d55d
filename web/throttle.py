"""Sign-in rate limit: N attempts that fail per email and address within a window lock that pair.

Counted in one database row per pair (not memory) so it holds across gunicorn workers and
restarts, and counted *atomically before* the password is checked: each attempt takes a
turn with one ``UPDATE ... SET attempts = attempts + 1 ... RETURNING`` that only succeeds
while the count is under the limit, and commits it at once. Forty guesses sent together
therefore get the limit's worth of password checks, not one each (the count was read and
then written, so concurrent attempts all read the same low number). A sign-in that
succeeds clears the row. Keyed on email *and* address so one attacker cannot lock a
worker out from elsewhere.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from . import db
from .models import LoginThrottle, utcnow


def _since():
    return utcnow() - current_app.config["HEARTH_LOGIN_WINDOW"]


def take_attempt(email: str, ip: str) -> bool:
    """Count one attempt for (email, ip) and commit it; False when the pair is locked.

    Call before checking the password; call `clear` when the password was right."""
    s = db.session()
    limit = current_app.config["HEARTH_LOGIN_MAX_FAILURES"]
    key = (LoginThrottle.email == email, LoginThrottle.ip == ip)
    for _ in range(2):
        # A window that has passed starts again (only one concurrent attempt can win this).
        s.execute(update(LoginThrottle).where(*key, LoginThrottle.window_started_at <= _since())
                  .values(attempts=0, window_started_at=utcnow()))
        taken = s.execute(update(LoginThrottle).where(*key, LoginThrottle.attempts < limit)
                          .values(attempts=LoginThrottle.attempts + 1)
                          .returning(LoginThrottle.attempts)).first()
        if taken is not None:
            s.commit()
            return True
        if s.scalar(select(LoginThrottle.id).where(*key)) is not None:
            s.commit()
            return False  # the row is there and full: locked
        try:
            s.add(LoginThrottle(email=email, ip=ip, attempts=0, window_started_at=utcnow()))
            s.commit()
        except IntegrityError:  # another worker made the row first: count against it
            s.rollback()
    return False


def clear(email: str, ip: str) -> None:
    """A right password: forget the pair's attempts (and rows whose window has passed)."""
    s = db.session()
    s.execute(delete(LoginThrottle).where(LoginThrottle.email == email, LoginThrottle.ip == ip))
    s.execute(delete(LoginThrottle).where(LoginThrottle.window_started_at <= _since()))
