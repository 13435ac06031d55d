"""Publishing a council's policy by two people: one policy officer asks for a set to be put in
force from a date (a PublicationRequest), a different officer of the same council approves it,
and only then is the PolicyPublication made (published by the first, approved by the second).

The checks are the same wherever the request comes from (`hearth policy publish` / `approve`,
or the workspace's publish page, hearth.web.views.workspace.releasing_publish): the set's lint
is clean and every policy test passes (checked again on approval by a new process, in case the
engine changed meanwhile: check_publishable remembers a set's answer within one process); the effective date is today or later when
asked for; approved after it, the set takes effect on the day of approval. Rolling back is a
request to publish an earlier published set again, with a new date.

A request is withdrawn by the officer who made it, or declined (with a reason) by another;
either way it stays, status withdrawn, naming who did it and why. People are told by email
(hearth.web.notify, queued so nobody waits on it): the council's other policy officers when a
publication is asked for, both officers when it is approved (with the date it takes effect,
and whether that moved to the day of approval), the officer who asked when it is declined.
The caller tells them once its transaction is committed (``tell_*``), so nobody hears of
something that was then not kept.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hearth.engine import api
from hearth.engine.policy_files import PolicyFiles

from . import case_summaries, notify, policy_store
from .jobs import JobError
from .models import PolicyDraft, PolicyPublication, PublicationRequest, RequestStatus, Role, User, utcnow
from .policy_store import check_publishable  # remembered per set's content in this process

log = logging.getLogger(__name__)


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
    check_publishable(files)
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
    check_publishable(files)
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
    case_summaries.refresh_after_commit(session, council_id)  # the dashboard's stored summaries, once kept
    return Approved(request, publication, late=effective_from != request.effective_from)


def decide_against(session: Session, council_id: str, request_id: int, *, by: User, note: str) -> PublicationRequest:
    """Withdraw (``by`` asked for it) or decline (another officer; ``note`` is the reason,
    required) a pending request: it becomes withdrawn, naming ``by`` and the note. The same
    conditional UPDATE as approve, so a request approved a moment ago is not also declined.
    Flushes; the caller commits."""
    request = pending_request(session, council_id, request_id, by)
    declining = request.requested_by.lower() != by.email.lower()
    if declining and not note.strip():
        raise PublishRefused("no_reason", "Say why you decline it: the officer who asked is told your reason.", by)
    taken = session.execute(update(PublicationRequest)
                            .where(PublicationRequest.id == request.id,
                                   PublicationRequest.status == RequestStatus.PENDING.value)
                            .values(status=RequestStatus.WITHDRAWN.value, approved_by=by.email, approved_at=utcnow(),
                                    decision_note=note.strip() or None)
                            .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise PublishRefused("no_request", f"Request {request.id} was approved or withdrawn a moment ago.", by)
    session.refresh(request)
    return request


def settle_draft(session: Session, publication: PolicyPublication) -> PolicyDraft | None:
    """After a publication, a draft holding exactly the published files now starts from them
    (its base_hash moves on); a draft changed since the request is left as it is.

    Kept rather than deleted: officers may have the draft open at its revision, and a
    deleted draft would turn their next save into a stale-copy refusal for no reason; the
    draft's revision and history go on, and its changes against the published set are none."""
    draft = policy_store.draft_of(session, publication.council_id)
    if draft is None or policy_store.draft_files(draft).content_hash() != publication.policy_set.content_hash:
        return None
    draft.base_hash = publication.policy_set.content_hash
    session.flush()
    return draft


# ---------------------------------------------------------------- telling people
def tell_requested(session: Session, request: PublicationRequest, link: str = "") -> list[str]:
    """Email the council's other active policy officers that a publication waits for them."""
    others = session.scalars(select(User.email).where(
        User.council_id == request.council_id, User.role == Role.POLICY_OFFICER, User.active.is_(True),
        func.lower(User.email) != request.requested_by.lower()).order_by(User.email)).all()
    subject = f"{_council_name(request.council_id)}: a policy change waits for your approval"
    body = (f"{request.requested_by} asks for a change to the policy to take effect from "
            f"{_day(request.effective_from)}.\n\nChange note: {request.change_note}\n\n"
            f"A different policy officer must approve or decline it{_at(link)}.")
    return _tell(others, "publication_requested", request, subject, body)


def tell_approved(approved: Approved, link: str = "") -> list[str]:
    """Email both officers that the change is published, from when, and whether it moved."""
    request, publication = approved.request, approved.publication
    moved = (f" It was asked for from {_day(request.effective_from)}, which had passed when it was approved, "
             "so it takes effect from the day of approval." if approved.late else "")
    subject = f"{_council_name(request.council_id)}: policy change approved, in force from {_day(publication.effective_from)}"
    body = (f"{request.approved_by} approved the change {request.requested_by} asked for. It takes effect from "
            f"{_day(publication.effective_from)}.{moved}\n\nChange note: {request.change_note}"
            + (f"\n\nHistory: {link}" if link else ""))
    return _tell([request.requested_by, request.approved_by], "publication_approved", request, subject, body,
                 {"effective_from": publication.effective_from.isoformat(), "moved": "yes" if approved.late else "no"})


def tell_declined(request: PublicationRequest, link: str = "") -> list[str]:
    """Email the officer who asked that another declined it, and why."""
    subject = f"{_council_name(request.council_id)}: policy change declined"
    body = (f"{request.approved_by} declined the change you asked to take effect from "
            f"{_day(request.effective_from)}.\n\nTheir reason: {request.decision_note}\n\n"
            f"Change note: {request.change_note}" + (f"\n\nPublish page: {link}" if link else ""))
    return _tell([request.requested_by], "publication_declined", request, subject, body)


def _tell(recipients: list[str], kind: str, request: PublicationRequest, subject: str, body: str,
          more: dict | None = None) -> list[str]:
    """Queue one email per recipient; those the queue took (a queue down is logged, not raised:
    the decision is kept either way)."""
    personalisation = {"subject": subject, "body": body, "council": _council_name(request.council_id),
                       "request": str(request.id), **(more or {})}
    told = []
    for to in recipients:
        try:
            notify.send_email(to, notify.template_id(kind), personalisation, council=request.council_id)
        except JobError as exc:
            log.warning("Could not queue the %s email for request %s: %s", kind, request.id, exc)
            continue
        told.append(to)
    return told


def _council_name(council_id: str) -> str:
    try:
        return api.get_council(council_id).name
    except api.UnknownCouncil:
        return council_id


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _at(link: str) -> str:
    return f": {link}" if link else ""
