"""Funding requests through the policy's gates. A manager may approve a request only when
the live evaluation's gate on its kind allows it (open, approved or overridden); a gate
that needs the panel lets a manager record the panel's approval. The gates come from the
evaluation's `gates` list: no rule about money is written here."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy import select

from hearth.forms import render_answers

from .. import db
from .. import workflow as wf
from ..audit import audit
from ..auth import current_user, role_required
from ..evaluation import evaluate_case, today
from ..models import AuditAction, AuditEntry, Case, Event, Role, Submission
from ..scoping import get_or_404, submission_or_404

bp = Blueprint("funding", __name__, url_prefix="/cases")

REQUEST_EVENT = "funding_requested"   # the shared vocabulary's event for a request
PANEL_EVENT = "panel_approved"        # and for the panel's agreement (field `request`)
APPROVED_EVENT = "funding_approved"   # and for a manager's approval (fields `request`, `cost`)


def request_event(sub: Submission) -> Event | None:
    """The funding request a submission recorded, if it recorded one."""
    return db.session().scalar(select(Event).where(Event.source_submission_id == sub.id,
                                                   Event.type == REQUEST_EVENT))


def decision(sub: Submission) -> AuditEntry | None:
    """The approval, kept in the audit trail (never updated or deleted)."""
    return db.session().scalar(select(AuditEntry).where(
        AuditEntry.object_type == "funding_request", AuditEntry.object_id == str(sub.id),
        AuditEntry.action == AuditAction.CHANGED.value).order_by(AuditEntry.id.desc()))


def funding_context(case: Case, sub: Submission, answer: dict | None) -> dict:
    event = request_event(sub) if sub.status == "submitted" else None
    if event is None:
        return {"funding": None}
    kind = (event.fields or {}).get("kind")
    return {"funding": {"event": event, "kind": kind, "cost": (event.fields or {}).get("cost"),
                        "gate": wf.gate_for(answer, kind), "decision": decision(sub)}}


def _page(case: Case, sub: Submission, problem: str, status: int):
    """The request's page with why the step was refused; the refusal goes in the audit trail
    (a security event for the auditor: a manager tried a step the policy does not allow now)."""
    db.session().rollback()  # nothing of the refused step is kept
    answer = evaluate_case(case).answer
    audit(AuditAction.REFUSED, "funding_request", sub.id,
          {"case": case.id, "status": status, "reason": problem},
          policy=answer["policy"] if answer else None)
    defn = wf.definition(case.council_id, sub.form_id, sub.form_version)
    return render_template("workflow/submission.html", case=case, sub=sub, defn=defn, problem=problem,
                           answers=render_answers(defn, sub.data) if defn else None,
                           **funding_context(case, sub, answer)), status


@bp.post("/<int:case_id>/submissions/<int:submission_id>/approve")
@role_required(Role.MANAGER)
def approve(case_id: int, submission_id: int):
    case = get_or_404(Case, case_id)
    sub = submission_or_404(case, submission_id)
    back = redirect(url_for("workflow.submission", case_id=case.id, submission_id=sub.id))
    answer = evaluate_case(case).answer
    funding = funding_context(case, sub, answer)["funding"]
    if funding is None:
        flash("Only a submitted funding request can be approved.")
        return back
    if funding["decision"] is not None:
        flash("This request has already been approved.")
        return back
    gate = funding["gate"]
    if gate is None:
        return _page(case, sub, "The policy check for this case cannot be run, so this request cannot be "
                                "approved now. Tell your council's policy officer.", 409)
    if not gate.may_approve:
        word = "needs the panel's approval first" if gate.status == "needs_approval" else "is blocked"
        because = f": {gate.because}" if gate.because else ""
        return _page(case, sub, f"This request cannot be approved: the policy says it {word}{because}.", 409)
    detail = {"case": case.id, "decision": "approved", "action": gate.action, "gate": gate.status,
              "cost": funding["cost"]}
    if gate.status == "overridden":
        detail["override_reason"] = gate.because  # the reason the policy names (e.g. safeguarding)
    # The decision goes in the audit trail and the case's history together, or not at all.
    audit(AuditAction.CHANGED, "funding_request", sub.id, detail,
          policy=answer["policy"], commit=False)
    approved = {"type": APPROVED_EVENT, "on": today(), "request": gate.action}
    if funding["cost"] is not None:
        approved["cost"] = funding["cost"]
    try:
        wf.record_events(case, [approved], current_user(), {"submission": sub.id, "decision": "approved"})
    except wf.Refused as e:
        return _page(case, sub, "The approval could not be recorded: " + "; ".join(e.messages), 409)
    flash("Request approved.", "success")
    return back


@bp.post("/<int:case_id>/submissions/<int:submission_id>/panel-approval")
@role_required(Role.MANAGER)
def panel_approval(case_id: int, submission_id: int):
    case = get_or_404(Case, case_id)
    sub = submission_or_404(case, submission_id)
    back = redirect(url_for("workflow.submission", case_id=case.id, submission_id=sub.id))
    funding = funding_context(case, sub, evaluate_case(case).answer)["funding"]
    if funding is None or funding["gate"] is None or funding["gate"].status != "needs_approval":
        flash("The policy does not ask for the panel's approval of this request now.")
        return back
    try:
        wf.record_events(case, [{"type": PANEL_EVENT, "on": today(), "request": funding["kind"]}],
                         current_user(), {"submission": sub.id, "panel": "approved"})
    except wf.Refused as e:
        return _page(case, sub, "The panel's approval could not be recorded: " + "; ".join(e.messages), 409)
    flash("The panel's approval is recorded. A manager can now approve the request.", "success")
    return back
