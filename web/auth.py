"""Who is signed in: server-side login sessions behind a signed cookie, expiry,
and the decorators views use to require a user or a role."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import wraps

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from sqlalchemy import delete, select

from . import db
from .audit import refused
from .models import LoginSession, Role, User, utcnow

# Touch last_seen_at at most this often, so each page view does not write.
_TOUCH_EVERY = timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current_user() -> User | None:
    return g.get("user")


def start_session(user: User) -> None:
    """Sign `user` in: a fresh cookie (no fixation) pointing at a new server row."""
    token = secrets.token_urlsafe(32)
    s = db.session()
    # Sessions past the absolute limit can never be valid again; the audit trail keeps the log-ins.
    s.execute(delete(LoginSession).where(
        LoginSession.created_at < utcnow() - current_app.config["HEARTH_SESSION_ABSOLUTE"]))
    s.add(LoginSession(token_hash=token_hash(token), user_id=user.id))
    session.clear()
    session.permanent = True
    session["sid"] = token
    g.user = user


def end_session() -> None:
    row = g.pop("login_session", None)
    if row is not None:
        row.ended_at = utcnow()
    session.clear()
    g.user = None


def load_user() -> None:
    """before_request: find the signed-in user, ending sessions that are too old or idle."""
    g.user = None
    if request.endpoint == "static" or request.blueprint == "api":
        return  # the JSON API ignores cookies: bearer tokens only (hearth.web.api.auth)
    token = session.get("sid")
    if not token:
        return
    s = db.session()
    row = s.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash(token)))
    now = utcnow()
    cfg = current_app.config
    if (row is None or row.ended_at is not None or not row.user.active
            or now - row.created_at > cfg["HEARTH_SESSION_ABSOLUTE"]
            or now - row.last_seen_at > cfg["HEARTH_SESSION_IDLE"]):
        if row is not None and row.ended_at is None:
            row.ended_at = now
            s.commit()
        session.clear()
        g.session_expired = True
        return
    if now - row.last_seen_at > _TOUCH_EVERY:
        row.last_seen_at = now
        s.commit()
    g.user = row.user
    g.login_session = row


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            if g.get("session_expired"):
                flash("You have been signed out to protect children's records. Sign in again to continue.")
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)
    wrapped.login_required = True
    return wrapped


def role_required(*roles: Role | str):
    """Allow only these roles (after login_required). Admins are not implied: say so."""
    allowed = {str(r) for r in roles}
    unknown = allowed - {r.value for r in Role}
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user().role not in allowed:
                refused("role", 403)
                abort(403)
            return view(*args, **kwargs)
        wrapped = login_required(wrapped)
        wrapped.roles = frozenset(allowed)  # read by the route-walking tests
        return wrapped
    return decorate
