"""API bearer tokens: shown once at creation, stored only as a SHA-256 hash.
(A fast hash is enough: tokens are 256 random bits, not guessable passwords.)

A token is made for its user's council and role as they are then, and works only while
they still are: a user moved to another council or given another role (more or less) has
to make a new token, so a token never carries more than it was made with. Revoking one,
or deactivating its user, stops it at the next call."""
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


# The longest name a token may have (api_tokens.name).
NAME_LENGTH = 100


def create_token(s: Session, user: User, name: str = "", created_by: User | None = None) -> str:
    """A new token for ``user`` (added to the session, not committed), for their council and
    role as they are now; only its hash and first characters are kept."""
    token = PREFIX + secrets.token_urlsafe(32)
    s.add(ApiToken(token_hash=token_hash(token), prefix=token[:12], user_id=user.id, name=name[:NAME_LENGTH],
                   council_id=user.council_id, role=user.role,
                   created_by_id=(created_by or user).id))
    return token


def still_fits(row: ApiToken) -> bool:
    """Whether the token's user is still in the council and role it was made for. Tokens
    made before these were kept (role None) act with the user's own, as they always did."""
    return row.role is None or (row.role == row.user.role and row.council_id == row.user.council_id)


def revoke(row: ApiToken, by: User) -> bool:
    """Revoke a token (not committed). False when it already was."""
    if row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    row.revoked_by_id = by.id
    return True


def user_for_token(s: Session, token: str) -> User | None:
    """The active user a bearer token belongs to, while the token is not revoked and its user
    is still in the council and role it was made for, noting when it was last used (to
    the minute: only when the stamp is older than STAMP_EVERY, so most calls write
    nothing). The caller commits; `session.dirty` says whether there is anything to.
    INTEGRATION POINT: the JSON API's `Authorization: Bearer` check calls this."""
    if not token.startswith(PREFIX):
        return None
    row = s.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token),
                                          ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.active or not still_fits(row):
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= STAMP_EVERY:
        row.last_used_at = now
    return row.user
