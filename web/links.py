"""One-time links sent by email: an invitation to set a first password, or a password reset.

A link is 256 random bits in the URL; only its SHA-256 is kept (like API tokens), so a copy
of the database opens no account. It works once, before it expires, and only for an active
user; issuing a new link of the same purpose retires the user's earlier ones, so only the
latest email works. ``redeem`` marks it used in the same transaction as what it allows (the
new password), with one conditional UPDATE, so two tabs racing with one link cannot both win.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .auth import token_hash
from .models import LinkPurpose, OneTimeLink, User, utcnow

# How long each kind of link works: an invitation waits for someone to start work; a reset
# is for now.
LIFETIMES = {LinkPurpose.INVITE: timedelta(days=7), LinkPurpose.RESET: timedelta(hours=1)}
# A link's token is this long (token_urlsafe(32)); anything else in a URL is not one of ours.
TOKEN_LENGTH = 43


def issue(s: Session, user: User, purpose: LinkPurpose, created_by: User | None = None) -> str:
    """A new link's token for ``user`` (added to the session, not committed); the user's
    earlier unused links of this purpose stop working."""
    now = utcnow()
    s.execute(update(OneTimeLink).where(OneTimeLink.user_id == user.id, OneTimeLink.purpose == purpose.value,
                                        OneTimeLink.used_at.is_(None)).values(used_at=now))
    token = secrets.token_urlsafe(32)
    s.add(OneTimeLink(user_id=user.id, purpose=purpose.value, token_hash=token_hash(token),
                      expires_at=now + LIFETIMES[purpose], created_by_id=created_by.id if created_by else None))
    return token


def find(s: Session, token: str, purpose: LinkPurpose) -> OneTimeLink | None:
    """The link a token names, while it can still be used (unused, unexpired, its user active)."""
    if not isinstance(token, str) or len(token) != TOKEN_LENGTH:
        return None
    link = s.scalar(select(OneTimeLink).where(OneTimeLink.token_hash == token_hash(token),
                                              OneTimeLink.purpose == purpose.value))
    if link is None or link.used_at is not None or link.expires_at <= utcnow() or not link.user.active:
        return None
    return link


def redeem(s: Session, link: OneTimeLink) -> bool:
    """Mark the link used (not committed: commit it with what it allowed). False when another
    request used it first."""
    done = s.execute(update(OneTimeLink).where(OneTimeLink.id == link.id, OneTimeLink.used_at.is_(None))
                     .values(used_at=utcnow()))
    return done.rowcount == 1
