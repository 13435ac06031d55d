"""The tables that keep children's records right and followed up: one-time tokens that stop a
form being saved twice, and the reminders sent about what comes due.

On hearth.web.models' Base, which imports this module at its end.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, utcnow


class FormToken(Base):
    """One page of a form as it was served: posting it uses the token up, so pressing Back and
    submitting again (or a double click) is refused, naming what the first post saved. Only a
    SHA-256 of the token is kept."""
    __tablename__ = "form_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    form_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    used_at: Mapped[datetime | None]
    # What the post that used it saved (a submission), for the "already saved" message's link.
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id", ondelete="SET NULL"))


class ReminderSending(Base):
    """One reminder sent (or queued) to one person about one item of one case coming due or
    overdue. Unique on what it is about, so however often the daily job runs, each item is
    sent once when due and once when overdue."""
    __tablename__ = "reminder_sendings"
    __table_args__ = (
        CheckConstraint("stage IN ('due', 'overdue')", name="stage"),
        UniqueConstraint("case_id", "item_kind", "item_id", "due_on", "stage", "to_user_id",
                         name="uq_reminder_sendings_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_kind: Mapped[str] = mapped_column(String(20))     # deadline, duty, action
    item_id: Mapped[str] = mapped_column(String(100))      # the policy's id (or an action's)
    due_on: Mapped[date]
    stage: Mapped[str] = mapped_column(String(10))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    to_email: Mapped[str] = mapped_column(String(254))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    job_id: Mapped[str | None] = mapped_column(String(64))
