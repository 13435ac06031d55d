"""API bearer tokens: shown once at creation, stored only as a SHA-256 hash.
(A fast hash is enough: tokens are 256 random bits, not guessable passwords.)"""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .auth import token_hash
from .models import ApiToken, User, utcnow

PREFIX = "hth_"
# How stale last_used_at may be before a call stamps it again. Stamping every call
# made every API call a write: on SQLite, 50 clients queued on the one write lock.
STAMP_EVERY = timedelta(minutes=1)


def create_token(s: Session, user: User) -> str:
    token = PREFIX + secrets.token_urlsafe(32)
    s.add(ApiToken(token_hash=token_hash(token), prefix=token[:12], user_id=user.id))
    return token


def user_for_token(s: Session, token: str) -> User | None:
    """The active user a bearer token belongs to, noting when it was last used (to
    the minute: only when the stamp is older than STAMP_EVERY, so most calls write
    nothing). The caller commits; `session.dirty` says whether there is anything to.
    INTEGRATION POINT: the JSON API's `Authorization: Bearer` check calls this."""
    if not token.startswith(PREFIX):
        return None
    row = s.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token),
                                          ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= STAMP_EVERY:
        row.last_used_at = now
    return row.user
