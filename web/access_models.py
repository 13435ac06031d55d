"""The tables of people and records: teams, who a case is allocated to (and was), who may
open a restricted case, one-time links (invitations, password resets), two-factor recovery
codes, and reviews of records past their council's retention period.

On hearth.web.models' Base, which imports this module at its end, so every table is in one
metadata. Every row carries (or reaches through its case or user) its council.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Base, Case, User, _in, utcnow


class Team(Base):
    """A council's team of workers, with its manager (who gets its reminders and approvals)."""
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("council_id", "name", name="uq_teams_council_id_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(100))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id])


class CaseAllocation(Base):
    """A case given to a worker and team: its first allocation or a transfer. Never changed:
    the case's worker_id and team_id say who has it now; these rows say who had it before."""
    __tablename__ = "case_allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    previous_worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    previous_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship()
    worker: Mapped[User | None] = relationship(foreign_keys=[worker_id])
    team: Mapped[Team | None] = relationship(foreign_keys=[team_id])
    previous_worker: Mapped[User | None] = relationship(foreign_keys=[previous_worker_id])
    previous_team: Mapped[Team | None] = relationship(foreign_keys=[previous_team_id])
    by: Mapped[User | None] = relationship(foreign_keys=[by_id])


class CaseAccess(Base):
    """A user named on a restricted case: only they (and nobody else, admins included unless
    named) may open it."""
    __tablename__ = "case_access"
    __table_args__ = (UniqueConstraint("case_id", "user_id", name="uq_case_access_case_id_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class LinkPurpose(StrEnum):
    INVITE = "invite"   # an admin invited the user: the link sets their first password
    RESET = "reset"     # the user forgot their password


class OneTimeLink(Base):
    """A link sent by email that works once, before it expires. Only its SHA-256 is kept."""
    __tablename__ = "one_time_links"
    __table_args__ = (CheckConstraint(_in("purpose", LinkPurpose), name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class RecoveryCode(Base):
    """One of a user's two-factor recovery codes (a hash; each works once)."""
    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class ReviewStatus(StrEnum):
    LISTING = "listing"       # the job is finding the records past the period
    LISTED = "listed"         # waiting for an admin to confirm (or cancel)
    ERASING = "erasing"       # confirmed; the job is erasing
    ERASED = "erased"
    CANCELLED = "cancelled"
    FAILED = "failed"


class RetentionReview(Base):
    """One look for a council's records past its retention period: what the job listed, and
    whether an admin confirmed their erasure. Nothing is erased without a confirmation, and
    only what was listed (and is still past the period when the erasure runs)."""
    __tablename__ = "retention_reviews"
    __table_args__ = (CheckConstraint(_in("status", ReviewStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(10), default=ReviewStatus.LISTING.value)
    # The day the period was judged on, and what was found: [{case_id, child_ref, reason...}]
    as_of: Mapped[datetime] = mapped_column(default=utcnow)
    listed: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    listed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    listed_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None]
    erased_count: Mapped[int] = mapped_column(default=0)
    finished_at: Mapped[datetime | None]
    job_id: Mapped[str | None] = mapped_column(String(64))
