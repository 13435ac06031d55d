"""The web runtime's tables. Councils are not a table: they come from the policies
folder via ``hearth.engine.api``, so every row carries the council's id as text."""
from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, MetaData,
                        String, Text, TypeDecorator, UniqueConstraint, event, false, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC on the way out, even from SQLite (which drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; use hearth.web.models.utcnow()")
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    """Who may do what in the web app (not the policy's meeting roles)."""
    WORKER = "worker"
    MANAGER = "manager"
    POLICY_OFFICER = "policy_officer"
    ADMIN = "admin"


class AuditAction(StrEnum):
    VIEWED = "viewed"
    CREATED = "created"
    CHANGED = "changed"
    EXPORTED = "exported"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    # A request the app turned away: another council's object (404), a role that may not
    # (403), a step the policy does not allow now (409). Security events for the auditor.
    REFUSED = "refused"
    # A council's policy set published (hearth policy import, and later the workspace).
    PUBLISHED = "published"
    # A policy officer asked for a set to be published; a second one approved it (hearth.web.publishing).
    REQUESTED = "requested"
    APPROVED = "approved"
    # The policy workspace: policy tests, a what-if or an impact run on a draft (hearth.web.views.workspace);
    # a publication request withdrawn by its officer or declined by another.
    TESTED = "tested"
    WITHDRAWN = "withdrawn"
    # People and records (hearth.web.access_models): an API token revoked; a child's records
    # erased once past their council's retention period.
    REVOKED = "revoked"
    ERASED = "erased"


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[dict[str, Any]]: JSON(),
                           date: Date()}


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in("role", Role), name="role"),
        # Only admins may stand outside every council.
        CheckConstraint("council_id IS NOT NULL OR role = 'admin'", name="council_required"),
        UniqueConstraint("sso_issuer", "sso_subject", name="uq_users_sso_issuer_sso_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    # "" for no password: an invited user who has not set one yet, or one who signs in by SSO.
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(20))
    council_id: Mapped[str | None] = mapped_column(String(64), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The team the user works in (a worker's manager is their team's).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL",
                                                           use_alter=True), index=True)
    # Two-factor: the TOTP secret (base32), and since when it is confirmed (None: not set up).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    two_factor_since: Mapped[datetime | None]
    # The last TOTP time step accepted, so a code seen once is never accepted again (RFC 6238 5.2).
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Single sign-on: who the council's identity provider says this is (issuer and subject).
    sso_issuer: Mapped[str | None] = mapped_column(String(500))
    sso_subject: Mapped[str | None] = mapped_column(String(255))
    last_sign_in_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}@{self.council_id}>"


class LoginSession(Base):
    """Server-side half of a sign-in, so sign-out and idle expiry cannot be undone
    by replaying an old cookie. The cookie holds only a random id; we store its hash."""
    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """Failed sign-ins per email and address within a window, one row per pair.

    One row, counted with a single UPDATE ... RETURNING before the password is checked,
    so concurrent attempts in every gunicorn worker take their turn at the same count
    (hearth.web.throttle): 40 guesses at once check at most the limit's worth."""
    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("email", "ip", name="uq_login_throttle_email_ip"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(45))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """Bearer tokens for the JSON API; only a SHA-256 of the token is kept. A token acts for
    its user, in the council and with the role it was made for: when the user's council or
    role changes, the token stops working (it never carries more than it was made with)."""
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # to recognise a token in lists, not secret
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # What it is for ("Mosaic nightly sync"), and the council and role it was made for
    # (None for tokens made before these were kept: they act with the user's own).
    name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    council_id: Mapped[str | None] = mapped_column(String(64), index=True)
    role: Mapped[str | None] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class IdempotencyKey(Base):
    """An API write's Idempotency-Key and the answer it got, so a client that retries
    (a timeout, a dropped connection) gets the first answer and nothing is saved twice.
    ``status`` is None while the first request is still being answered."""
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_id_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        Index("ix_cases_council_id_child_ref", "council_id", "child_ref", unique=True),
        # The dashboard's counts, sort, filters and search (by the reference's lower case) read only
        # this index, not the rows (case_summaries; hearth.web.views.dashboard).
        Index("ix_cases_summary", "council_id", "status", "restricted", "next_status", "next_due", "child_ref",
              "summary_as_of", "summary_policy_hash", "worker_id", "team_id", "next_due_on",
              text("lower(child_ref)")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[str] = mapped_column(String(64), index=True)
    child_ref: Mapped[str] = mapped_column(String(64))
    placement_type: Mapped[str] = mapped_column(String(64))
    placement_started: Mapped[date]
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    outcome: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The team the case is allocated to (with worker_id; hearth.web.access_models.CaseAllocation
    # keeps every allocation and transfer).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    # Only the users named in case_access may open a restricted case (a 404 for everyone else).
    restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # For the council's retention period (records kept until the child's 75th birthday, say).
    child_date_of_birth: Mapped[date | None]
    closed_at: Mapped[datetime | None]

    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    # The case's summary for lists (hearth.web.case_summaries): what the engine's answer said on
    # summary_as_of under that policy, so the dashboard sorts and pages without evaluating every
    # case. next_status: overdue, decision (a meeting recommended, nothing due yet), pending,
    # problem (not checked: summary_problem says why) or none. summary_revision counts changes
    # to the case's events; a summary is only written over the revision it was made from.
    next_status: Mapped[str | None] = mapped_column(String(10))
    next_due: Mapped[str | None] = mapped_column(String(32))   # as the engine wrote it
    next_due_on: Mapped[date | None]
    next_due_title: Mapped[str | None] = mapped_column(String(200))
    next_due_kind: Mapped[str | None] = mapped_column(String(10))
    next_planned_for: Mapped[str | None] = mapped_column(String(32))
    next_planned_late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    recommendation: Mapped[str | None] = mapped_column(String(100))
    recommendation_label: Mapped[str | None] = mapped_column(String(200))
    placement_in_force: Mapped[str | None] = mapped_column(String(64))
    summary_problem: Mapped[str | None] = mapped_column(String(10))
    summary_as_of: Mapped[date | None]
    summary_policy_version: Mapped[str | None] = mapped_column(String(40))
    summary_policy_hash: Mapped[str | None] = mapped_column(String(64))
    summary_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    worker: Mapped[User | None] = relationship(foreign_keys=[worker_id])
    events: Mapped[list[Event]] = relationship(back_populates="case", order_by="(Event.on, Event.id)")


class Submission(Base):
    """A filled-in (or half-filled) council form; submitting it records events."""
    __tablename__ = "submissions"
    # withdrawn: taken back with a reason (its events no longer count); amended: replaced by a
    # corrected copy (amended_by_id), whose events count instead. Neither is ever deleted.
    __table_args__ = (CheckConstraint("status IN ('draft', 'submitted', 'withdrawn', 'amended')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    form_id: Mapped[str] = mapped_column(String(100))
    form_version: Mapped[str] = mapped_column(String(40))
    policy_version: Mapped[str | None] = mapped_column(String(40))
    # The content hash of the council's published set it was made under (PolicyFiles.content_hash).
    policy_hash: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Corrections (hearth.web.record_models has the one-time tokens and reminders): the record
    # this one corrects, the one that corrected it, and why and by whom it was withdrawn or amended.
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id", ondelete="SET NULL"))
    amended_by_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    change_reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship()


class Event(Base):
    """Something that happened to a child's placement; what the engine evaluates."""
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(100))
    on: Mapped[date]
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    policy_version: Mapped[str | None] = mapped_column(String(40))
    policy_hash: Mapped[str | None] = mapped_column(String(64))
    source_submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="SET NULL"))
    # Set when the record it came from was withdrawn or amended: kept, never evaluated again.
    withdrawn_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship(back_populates="events")
    recorded_by: Mapped[User | None] = relationship()


class AuditEntry(Base):
    """Who looked at or changed what, when. Never updated or deleted by the app."""
    __tablename__ = "audit_entries"
    __table_args__ = (CheckConstraint(_in("action", AuditAction), name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    council_id: Mapped[str | None] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(20))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    policy_version: Mapped[str | None] = mapped_column(String(40))
    policy_hash: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)

    user: Mapped[User | None] = relationship()


# ---------------------------------------------------------------- a council's policy, stored
# hearth.web.policy_store reads and writes these. A published set and its publications are
# never changed or deleted through a session (the guards at the end of this module).
HASH_LENGTH = 64  # hearth.engine.policy_files.PolicyFiles.content_hash: SHA-256, hex
# A file's relative path: the longest a council may have is forms/_versions/<name>/<name> with names
# of hearth.rules.limits.MAX_NAME_LENGTH characters (417; tests/web/test_policy_store.py checks).
PATH_LENGTH = 500
BY_LENGTH = 254   # a user's email, or policy_store.IMPORT_MARKER


class PolicySet(Base):
    """A council's files as published: identified by their content hash, never changed."""
    __tablename__ = "policy_sets"
    __table_args__ = (UniqueConstraint("council_id", "content_hash", name="uq_policy_sets_council_id_content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[str] = mapped_column(String(64), index=True)
    content_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    files: Mapped[list[PolicySetFile]] = relationship(order_by="PolicySetFile.path")


class PolicySetFile(Base):
    """One file of a published set: its relative path and exact text."""
    __tablename__ = "policy_set_files"
    __table_args__ = (UniqueConstraint("set_id", "path", name="uq_policy_set_files_set_id_path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("policy_sets.id", ondelete="RESTRICT"), index=True)
    path: Mapped[str] = mapped_column(String(PATH_LENGTH))
    text: Mapped[str] = mapped_column(Text)


class PolicyPublication(Base):
    """A set put in force for its council from a date: who published and who approved it,
    when, and why. Rolling back is a new publication of an earlier set; none is ever changed."""
    __tablename__ = "policy_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[str] = mapped_column(String(64), index=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("policy_sets.id", ondelete="RESTRICT"), index=True)
    published_by: Mapped[str] = mapped_column(String(BY_LENGTH))
    approved_by: Mapped[str] = mapped_column(String(BY_LENGTH))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)
    effective_from: Mapped[date]
    change_note: Mapped[str] = mapped_column(Text, default="")

    policy_set: Mapped[PolicySet] = relationship()


class PolicyDraft(Base):
    """A council's one draft: the published set it started from and a revision that every
    save moves on, so a save made on a stale copy is refused (optimistic concurrency)."""
    __tablename__ = "policy_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[str] = mapped_column(String(64), unique=True)
    base_hash: Mapped[str | None] = mapped_column(String(HASH_LENGTH))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_by: Mapped[str] = mapped_column(String(BY_LENGTH))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    files: Mapped[list[PolicyDraftFile]] = relationship(order_by="PolicyDraftFile.path",
                                                        cascade="all, delete-orphan")


class PolicyDraftFile(Base):
    """One file of a council's draft."""
    __tablename__ = "policy_draft_files"
    __table_args__ = (UniqueConstraint("draft_id", "path", name="uq_policy_draft_files_draft_id_path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("policy_drafts.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(PATH_LENGTH))
    text: Mapped[str] = mapped_column(Text)


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"


class PublicationRequest(Base):
    """A policy officer's request to put a set in force from a date, waiting for a second
    officer's approval. Kept apart from the publications (which are never changed): this row
    moves from pending to approved (naming the publication it made) or withdrawn."""
    __tablename__ = "publication_requests"
    __table_args__ = (CheckConstraint(_in("status", RequestStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[str] = mapped_column(String(64), index=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("policy_sets.id", ondelete="RESTRICT"), index=True)
    content_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    requested_by: Mapped[str] = mapped_column(String(BY_LENGTH))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    effective_from: Mapped[date]
    change_note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.PENDING.value)
    approved_by: Mapped[str | None] = mapped_column(String(BY_LENGTH))
    approved_at: Mapped[datetime | None]
    # Why it was withdrawn or declined (approved_by then names who did it).
    decision_note: Mapped[str | None] = mapped_column(Text)
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("policy_publications.id", ondelete="RESTRICT"))

    policy_set: Mapped[PolicySet] = relationship()
    publication: Mapped[PolicyPublication | None] = relationship()


_PUBLISHED = (PolicySet, PolicySetFile, PolicyPublication)


class PublishedPolicyImmutable(Exception):
    """An attempt to change or delete a published set, one of its files or a publication."""


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_published(session: Session, _context, _instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, _PUBLISHED):
            raise PublishedPolicyImmutable(f"A published policy is never deleted ({type(obj).__name__} {obj.id}).")
    for obj in session.dirty:
        if isinstance(obj, _PUBLISHED) and session.is_modified(obj, include_collections=True):
            raise PublishedPolicyImmutable(
                f"A published policy is never changed ({type(obj).__name__} {obj.id}); publish a new set instead.")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes_to_published(state) -> None:
    """UPDATE or DELETE statements on the published models through a session (table-level
    statements, which the tests' clean-up uses, are not the app's and pass)."""
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ in _PUBLISHED:
        raise PublishedPolicyImmutable(f"A published policy is never changed or deleted "
                                       f"({state.bind_mapper.class_.__name__}).")


# The tables of people and records (teams, allocations, restricted access, one-time links,
# recovery codes, retention reviews): their own module, on the same Base.
from .access_models import (CaseAccess, CaseAllocation, LinkPurpose, OneTimeLink, RecoveryCode,  # noqa: E402,F401
                            RetentionReview, ReviewStatus, Team)
from .record_models import FormToken, ReminderSending  # noqa: E402,F401
