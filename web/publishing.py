"""Publishing a council's policy by two people: one policy officer asks for a set to be put in
force from a date (a PublicationRequest), a different officer of the same council approves it,
and only then is the PolicyPublication made (published by the first, approved by the second).

The checks are the same wherever the request comes from (`hearth policy publish` / `approve`
now, the workspace later): the set's lint is clean and every policy test passes (checked again
on approval, in case the engine changed meanwhile); the effective date is today or later when
asked for; approved after it, the set takes effect on the day of approval. Rolling back is a
request to publish an earlier published set again, with a new date.

Nobody is emailed yet: Hearth has no email path. ``NOT_EMAILED`` says so in the audit entry
and the command's output, naming the officers who should be told.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hearth.engine.policy_files import PolicyFiles

from . import policy_store
from .models import PolicyPublication, PublicationRequest, RequestStatus, Role, User, utcnow

NOT_EMAILED = "not emailed: Hearth has no email path yet; tell them yourself"


class PublishRefused(Exception):
    """A request or approval turned away. ``reason`` is a short id for the audit trail;
    ``user`` the officer who asked, when they are a user at all."""

    def __init__(self, reason: str, message: str, user: User | None = None):
        self.reason, self.user = reason, user
        super().__init__(message)


@dataclass(frozen=True)
class Approved:
    request: PublicationRequest
    publication: PolicyPublication
    late: bool  # approved after the date asked for: in force from the day of approval


def officer(session: Session, council_id: str, email: str) -> User:
    """The active policy officer of ``council_id`` with this email; PublishRefused otherwise."""
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active:
        raise PublishRefused("not_a_user", f"--by: {email} is not an active user of Hearth.")
    if user.role != Role.POLICY_OFFICER:
        raise PublishRefused("role", f"--by: {user.email} is a {user.role.replace('_', ' ')}; only a policy "
                                     f"officer of {council_id} publishes or approves its policy.", user)
    if user.council_id != council_id:
        raise PublishRefused("another_council", f"--by: {user.email} is a policy officer of {user.council_id}, "
                                                f"not of {council_id}.", user)
    return user


def earlier_files(session: Session, council_id: str, hash_prefix: str) -> PolicyFiles:
    """The files of a set the council has published before (to roll back to); PublishRefused otherwise."""
    try:
        stored = policy_store.published_set(session, council_id, hash_prefix)
    except policy_store.UnknownPolicySet as exc:
        raise PublishRefused("unknown_set", str(exc)) from None
    if session.scalar(select(PolicyPublication.id).where(PolicyPublication.set_id == stored.id).limit(1)) is None:
        raise PublishRefused("unknown_set", f"--hash: {stored.content_hash[:12]} was asked for but never published; "
                                            "publish its files with --from or --draft.")
    return policy_store.set_files(stored)


def request_publication(session: Session, files: PolicyFiles, *, by: User, effective_from: date,
                        change_note: str, today: date) -> PublicationRequest:
    """A pending request to put ``files`` in force from ``effective_from``. PublishRefused for a
    date in the past, SourceError (located) unless lint is clean and every policy test passes.
    ``by`` is checked by the caller (officer). Flushes; the caller commits."""
    if files.council_id != by.council_id:
        raise PublishRefused("another_council", f"These files are {files.council_id}'s, not {by.council_id}'s.", by)
    if effective_from < today:
        raise PublishRefused("past_date", f"--effective: {effective_from} is in the past; a set takes effect "
                                          f"today ({today}) or later.", by)
    if not change_note.strip():
        raise PublishRefused("no_note", "--note: say what changes and why (the change note is required).", by)
    policy_store.check_publishable(files)
    stored = policy_store.store_set(session, files)
    request = PublicationRequest(council_id=files.council_id, policy_set=stored, content_hash=files.content_hash(),
                                 requested_by=by.email, requested_at=utcnow(), effective_from=effective_from,
                                 change_note=change_note.strip(), status=RequestStatus.PENDING.value)
    session.add(request)
    session.flush()
    return request


def pending_request(session: Session, council_id: str, request_id: int | None, by: User) -> PublicationRequest:
    """The council's pending request with this id, or its only one; PublishRefused otherwise."""
    pending = session.scalars(select(PublicationRequest).where(
        PublicationRequest.council_id == council_id, PublicationRequest.status == RequestStatus.PENDING.value)
        .order_by(PublicationRequest.id)).all()
    listed = "; ".join(f"{r.id} ({r.content_hash[:12]} from {r.effective_from}, by {r.requested_by})" for r in pending)
    if request_id is not None:
        found = next((r for r in pending if r.id == request_id), None)
        if found is None:
            raise PublishRefused("no_request", f"--request: {council_id} has no pending request {request_id}. "
                                               f"Pending: {listed or 'none'}.", by)
        return found
    if len(pending) != 1:
        raise PublishRefused("no_request", f"{council_id} has {len(pending) or 'no'} pending publication requests"
                                           + (f"; choose one with --request: {listed}." if pending else "."), by)
    return pending[0]


def approve(session: Session, council_id: str, *, by: User, request_id: int | None, today: date) -> Approved:
    """Approve a pending request by a second officer (``by``, checked by the caller) and publish
    it: in force from its date, or from ``today`` if that has passed. PublishRefused when ``by``
    asked for it; SourceError (located) when the set no longer passes. Flushes; the caller commits."""
    request = pending_request(session, council_id, request_id, by)
    if request.requested_by.lower() == by.email.lower():
        raise PublishRefused("same_person", f"{by.email} asked for request {request.id}; a different policy officer "
                                            f"of {council_id} must approve it.", by)
    files = policy_store.set_files(request.policy_set)
    policy_store.check_publishable(files)
    # One conditional UPDATE: of two approvals of the same request at once, exactly one publishes.
    taken = session.execute(update(PublicationRequest)
                            .where(PublicationRequest.id == request.id,
                                   PublicationRequest.status == RequestStatus.PENDING.value)
                            .values(status=RequestStatus.APPROVED.value, approved_by=by.email, approved_at=utcnow())
                            .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise PublishRefused("no_request", f"Request {request.id} was approved or withdrawn a moment ago; "
                                           "nothing was published by this approval.", by)
    session.refresh(request)
    effective_from = max(request.effective_from, today)
    publication = policy_store.publish(session, files, published_by=request.requested_by, approved_by=by.email,
                                       effective_from=effective_from, change_note=request.change_note)
    request.publication = publication
    session.flush()
    return Approved(request, publication, late=effective_from != request.effective_from)
