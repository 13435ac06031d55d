"""Sign-in rate limit: N failures per email and address within a window locks that pair.

Counted in the database (not memory) so it holds across gunicorn workers and restarts.
Keyed on email *and* address so one attacker cannot lock a worker out from elsewhere.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import delete, func, select

from . import db
from .models import LoginFailure, utcnow


def _since():
    return utcnow() - current_app.config["HEARTH_LOGIN_WINDOW"]


def is_locked(email: str, ip: str) -> bool:
    count = db.session().scalar(
        select(func.count()).select_from(LoginFailure)
        .where(LoginFailure.email == email, LoginFailure.ip == ip, LoginFailure.at > _since()))
    return count >= current_app.config["HEARTH_LOGIN_MAX_FAILURES"]


def record_failure(email: str, ip: str) -> None:
    s = db.session()
    s.add(LoginFailure(email=email, ip=ip))
    # Keep the table small: rows older than the window no longer count.
    s.execute(delete(LoginFailure).where(LoginFailure.at <= _since()))


def clear(email: str, ip: str) -> None:
    db.session().execute(delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.ip == ip))
