"""Publishing the draft by two policy officers (hearth.web.publishing), in the browser.

The publish page says whether the draft can be published (lint clean, every policy test
passing: otherwise the located problems, each linked to its file in the editor, and no
publish button -- a forged POST is refused the same, by publishing.request_publication).
It asks for the effective date (today or later; next Monday suggested) and a change note,
and lists the council's pending requests: an officer who did not ask sees Approve and
Decline (with a reason), the officer who asked sees Withdraw and never Approve (a forged
approval is refused with a message and audited). Approving publishes; after the chosen date
it takes effect on the day of approval, and the page says so. ``?hash=`` publishes an
earlier published set again (roll back, from the history page) through the same path.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.routing import BuildError

from hearth.engine.policy_files import PolicyFiles
from hearth.rules.limits import MAX_NAME_LENGTH
from hearth.rules.source import SourceError

from ... import db, policy_store, publishing
from ...audit import audit, refused
from ...auth import current_user, role_required
from ...evaluation import today
from ...models import AuditAction, PublicationRequest, RequestStatus
from .access import WORKSPACE_ROLES, workspace_council, workspace_files
from .releasing_common import MAX_NOTE, bp, next_monday, read_date, suggested

WHAT = "the date it takes effect"
OBJECT = "policy_request"


@bp.route("/publish", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def publish(council: str):
    shown = workspace_council(council)
    hash_prefix = (request.values.get("hash") or "").strip()[:MAX_NAME_LENGTH] or None
    files = _files(shown.id, hash_prefix)
    form = {"date": suggested("effective", next_monday(today())), "note": "", "errors": []}
    if request.method == "GET":
        audit(AuditAction.VIEWED, OBJECT, None, {"page": "publish", "rollback": hash_prefix is not None},
              council_id=shown.id)
        return _page(shown, files, hash_prefix, form)
    form["date"] = read_date(request.form, "effective", today(), WHAT)
    form["note"] = (request.form.get("change_note") or "")[:MAX_NOTE + 1]
    if form["date"].error:
        form["errors"].append({"text": form["date"].error, "href": f"#{form['date'].first_wrong}"})
    if not form["note"].strip():
        form["errors"].append({"text": "Enter a change note: what changes and why", "href": "#change_note"})
    elif len(form["note"]) > MAX_NOTE:
        form["errors"].append({"text": f"The change note must be {MAX_NOTE:,} characters or fewer",
                               "href": "#change_note"})
    if form["errors"] or files is None:  # the form again, its errors linked to their fields
        return _page(shown, files, hash_prefix, form)
    s = db.session()
    try:
        made = publishing.request_publication(s, files, by=current_user(), effective_from=form["date"].day,
                                              change_note=form["note"], today=today())
    except publishing.PublishRefused as exc:
        refused(exc.reason, 409, OBJECT, None)
        return _page(shown, files, hash_prefix, form, refusal=str(exc), status=409)
    except SourceError:
        refused("not_publishable", 409, OBJECT, None)
        return _page(shown, files, hash_prefix, form, status=409)
    audit(AuditAction.REQUESTED, OBJECT, made.id, {"hash": made.content_hash,
                                                   "effective_from": made.effective_from.isoformat(),
                                                   "rollback": hash_prefix is not None}, commit=False)
    s.commit()
    told = publishing.tell_requested(s, made, url_for(".publish", council=shown.id, _external=True))
    flash(f"Publication asked for, from {made.effective_from:%-d %B %Y}. A different policy officer must approve "
          f"it; emailed: {', '.join(told) or 'nobody (no other policy officer)'}.", "success")
    return redirect(url_for(".publish", council=shown.id))


@bp.post("/publish/requests/<int:request_id>/approve")
@role_required(*WORKSPACE_ROLES)
def approve(council: str, request_id: int):
    shown = workspace_council(council)
    s = db.session()
    try:
        done = publishing.approve(s, shown.id, by=current_user(), request_id=request_id, today=today())
    except publishing.PublishRefused as exc:
        return _refused(shown, exc.reason, str(exc), request_id)
    except SourceError as exc:
        return _refused(shown, "not_publishable", "It can no longer be published: "
                        + " ".join(str(problem) for problem in exc.problems[:5]), request_id)
    made, publication = done.request, done.publication
    publishing.settle_draft(s, publication)
    audit(AuditAction.APPROVED, OBJECT, made.id, {"hash": made.content_hash, "publication": publication.id,
                                                  "late": done.late}, commit=False)
    audit(AuditAction.PUBLISHED, "policy_set", made.content_hash,
          {"by": made.requested_by, "approved_by": made.approved_by, "request": made.id,
           "effective_from": publication.effective_from.isoformat()}, commit=False)
    s.commit()
    told = publishing.tell_approved(done, url_for(".history", council=shown.id, _external=True))
    moved = (f" It was asked for from {made.effective_from:%-d %B %Y}, which has passed, so it takes effect "
             "today, the day of approval." if done.late else "")
    flash(f"Approved and published: in force from {publication.effective_from:%-d %B %Y}.{moved} "
          f"Emailed: {', '.join(told) or 'nobody'}.", "success")
    return redirect(url_for(".history", council=shown.id))


@bp.post("/publish/requests/<int:request_id>/decline")
@role_required(*WORKSPACE_ROLES)
def decline(council: str, request_id: int):
    shown = workspace_council(council)
    reason = (request.form.get("reason") or "")[:MAX_NOTE]
    pending = _pending(shown.id, request_id)
    if pending is not None and pending.requested_by.lower() == current_user().email.lower():
        return _refused(shown, "own_request", "You asked for this publication: withdraw it rather than decline it.",
                        request_id)
    return _decide_against(shown, request_id, reason, declined=True)


@bp.post("/publish/requests/<int:request_id>/withdraw")
@role_required(*WORKSPACE_ROLES)
def withdraw(council: str, request_id: int):
    shown = workspace_council(council)
    pending = _pending(shown.id, request_id)
    if pending is not None and pending.requested_by.lower() != current_user().email.lower():
        return _refused(shown, "not_yours", f"Only {pending.requested_by}, who asked for it, can withdraw request "
                                            f"{request_id}; you can approve or decline it.", request_id)
    return _decide_against(shown, request_id, "", declined=False)


def _decide_against(shown, request_id: int, reason: str, *, declined: bool):
    s = db.session()
    try:
        decided = publishing.decide_against(s, shown.id, request_id, by=current_user(), note=reason)
    except publishing.PublishRefused as exc:
        if exc.reason == "no_reason":  # the form again, the reason box marked
            return _page(shown, *_current(shown.id), reason_error=(request_id, str(exc)))
        return _refused(shown, exc.reason, str(exc), request_id)
    audit(AuditAction.WITHDRAWN, OBJECT, decided.id, {"declined": declined, "hash": decided.content_hash},
          commit=False)
    s.commit()
    if declined:
        told = publishing.tell_declined(decided, url_for(".publish", council=shown.id, _external=True))
        flash(f"Request declined; emailed {', '.join(told) or 'nobody'} with your reason.", "success")
    else:
        flash("Request withdrawn: nothing will be published from it.", "success")
    return redirect(url_for(".publish", council=shown.id))


def _refused(shown, reason: str, message: str, request_id: int):
    """A step turned away, audited. A request no longer waiting (approved, declined or withdrawn
    a moment ago, or never this council's) is a stale page: back to the publish page as it is
    now, the message in a banner. Anything else (approving one's own request) is the page
    with the message, 409."""
    if reason == "no_request":
        refused(reason, 302, OBJECT, request_id)
        flash(message)
        return redirect(url_for(".publish", council=shown.id))
    refused(reason, 409, OBJECT, request_id)
    return _page(shown, *_current(shown.id), refusal=message, status=409)


def _current(council_id: str) -> tuple[PolicyFiles | None, None]:
    return workspace_files(council_id)[0], None


def _pending(council_id: str, request_id: int) -> PublicationRequest | None:
    return db.session().scalar(select(PublicationRequest).where(
        PublicationRequest.id == request_id, PublicationRequest.council_id == council_id,
        PublicationRequest.status == RequestStatus.PENDING.value))


def _files(council_id: str, hash_prefix: str | None) -> PolicyFiles | None:
    """The files to publish: the draft (or, before a save, the latest published set), or an
    earlier published set to roll back to (404, audited, for a hash the council never published)."""
    if hash_prefix is None:
        return workspace_files(council_id)[0]
    try:
        return publishing.earlier_files(db.session(), council_id, hash_prefix)
    except publishing.PublishRefused:
        refused("unknown_set", 404, "policy_set", hash_prefix)
        abort(404)


def _page(shown, files: PolicyFiles | None, hash_prefix: str | None, form: dict | None = None, *,
          refusal: str | None = None, reason_error: tuple | None = None, status: int = 200):
    s = db.session()
    problems = _problems(files) if files is not None else []
    latest = policy_store.latest_publication(s, shown.id)
    pending = s.scalars(select(PublicationRequest).where(
        PublicationRequest.council_id == shown.id, PublicationRequest.status == RequestStatus.PENDING.value)
        .order_by(PublicationRequest.id)).all()
    form = form or {"date": suggested("effective", next_monday(today())), "note": "", "errors": []}
    return render_template("workspace/publish.html", title="Publish", shown_council=shown,
                           stage="workspace_releasing.publish", files=files, hash_prefix=hash_prefix,
                           problems=problems, latest=latest, pending=pending, form=form, refusal=refusal,
                           reason_error=reason_error, me=current_user().email.lower(),
                           same_as_published=files is not None and latest is not None
                           and latest.policy_set.content_hash == files.content_hash()), status


def _problems(files: PolicyFiles) -> list[dict]:
    """Why the files cannot be published, each located and linked to its file in the editor
    (when the editor is there and the file is the draft's)."""
    try:
        publishing.check_publishable(files)
    except SourceError as exc:
        return [{"where": str(problem.loc), "message": problem.message,
                 "href": _editor_link(files, problem.loc.file)} for problem in exc.problems]
    return []


def _editor_link(files: PolicyFiles, located_file: str) -> str | None:
    prefix = f"{files.origin}/"
    if not located_file.startswith(prefix) or not files.origin.endswith("/draft"):
        return None
    try:
        return url_for("workspace_drafts.edit", council=files.council_id, path=located_file.removeprefix(prefix))
    except BuildError:
        return None
