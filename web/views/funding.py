"""Funding requests through the policy's gates (hearth.web.funding says where each stands).
A manager may approve a request only when the live evaluation's gate on its kind allows it
(open, approved or overridden); may decline any request not yet decided, with a reason; records
the panel's approval with its date and reference when a gate needs the panel; and confirms an
exception (a significant safeguarding concern) before it opens a gate. /approvals lists what
waits for a manager. Each decision is an event on the case and an audit entry, together or not
at all; no rule about money is written here. The decline, panel and confirm pages, and the
record page's 'Approve the request' form, each carry a one-time form token
(hearth.web.form_tokens): a post without one saves nothing, and a second post of the same page
is refused as already saved."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovDateInput, GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from hearth.engine.entry_checks import entry_checks
from hearth.forms import render_answers

from .. import db, form_tokens, funding
from .. import workflow as wf
from ..audit import audit
from ..auth import current_user, role_required
from ..evaluation import evaluate_case, today
from ..models import AuditAction, Case, Role, Submission
from ..scoping import case_open_to, get_or_404, submission_or_404, user_council_id
from ..validators import PlainText
from .new_case import GovDateField

bp = Blueprint("funding", __name__)

REASON_MIN_LENGTH = 10
# Where they were before hearth.web.funding held them (hearth.web.next_steps reads them here).
request_event, decision = funding.request_event, funding.decision


def _reason(label: str, hint: str, missing: str, least: int = REASON_MIN_LENGTH) -> TextAreaField:
    return TextAreaField(label, widget=GovCharacterCount(), description=hint, validators=[
        InputRequired(missing), Length(min=least, message=f"The reason must be at least {least} characters"),
        Length(max=1000, message="The reason must be 1,000 characters or fewer"), PlainText()])


class DeclineForm(FlaskForm):
    reason = _reason("Why is the request declined?", "The worker sees this reason on the request.",
                     "Enter why the request is declined")
    submit = SubmitField("Decline the request", widget=GovSubmitInput())


class PanelForm(FlaskForm):
    panel_date = GovDateField("When did the panel agree it?", widget=GovDateInput(), format="%d %m %Y",
                              description="For example, 27 3 2026",
                              not_real="The date of the panel must be a real date",
                              validators=[InputRequired("Enter the date of the panel")])
    reference = StringField("The panel's reference", widget=GovTextInput(),
                            description="As the panel's minutes or decision letter give it, for example CRP-2026-014",
                            validators=[InputRequired("Enter the panel's reference"),
                                        Length(max=100, message="The reference must be 100 characters or fewer"),
                                        PlainText()])
    submit = SubmitField("Record the panel's approval", widget=GovSubmitInput())

    def validate_panel_date(self, field):
        if field.data and field.data > today():
            raise ValidationError("The date of the panel must be today or in the past")


def _confirm_form(least: int):
    class ConfirmForm(FlaskForm):
        reason = _reason("Why does this concern warrant immediate action?",
                         f"At least {least} characters. Your confirmation lets the request go ahead before the "
                         "stability meeting.", "Enter why you confirm the exception", least)
        submit = SubmitField("Confirm the exception", widget=GovSubmitInput())
    return ConfirmForm


def funding_context(case: Case, sub: Submission, answer: dict | None) -> dict:
    event = funding.request_event(sub) if sub.status == "submitted" else None
    if event is None:
        return {"funding": None}
    kind = (event.fields or {}).get("kind")
    found = funding.status(case, sub, answer, kind)
    return {"funding": {"event": event, "kind": kind, "cost": (event.fields or {}).get("cost"),
                        "gate": found.gate, "decision": found.decision, "status": found}}


def _page(case: Case, sub: Submission, problem: str, status: int):
    """The request's page with why the step was refused; the refusal goes in the audit trail
    (a security event for the auditor: a manager tried a step the policy does not allow now)."""
    db.session().rollback()  # nothing of the refused step is kept
    answer = evaluate_case(case).answer
    audit(AuditAction.REFUSED, funding.DECISION, sub.id,
          {"case": case.id, "status": status, "reason": problem},
          policy=answer["policy"] if answer else None)
    return _request_page(case, sub, answer, problem, status)


def _request_page(case: Case, sub: Submission, answer: dict | None, problem: str, status: int):
    """The request's page (its record's page) with `problem` in its error summary."""
    defn = wf.definition(case.council_id, sub.form_id, sub.form_version)
    return render_template("workflow/submission.html", case=case, sub=sub, defn=defn, problem=problem,
                           answers=render_answers(defn, sub.data) if defn else None,
                           **funding_context(case, sub, answer)), status


def _request(case_id: int, submission_id: int):
    """The case, the record, its funding context and the way back to its page."""
    case = get_or_404(Case, case_id)
    sub = submission_or_404(case, submission_id)
    answer = evaluate_case(case).answer
    return case, sub, answer, funding_context(case, sub, answer)["funding"], redirect(
        url_for("workflow.submission", case_id=case.id, submission_id=sub.id, _anchor="funding"))


def _step(case: Case, sub: Submission, form_id: str, heading: str) -> form_tokens.Step:
    """A step page on the request, its one-time token read first (hearth.web.form_tokens)."""
    return form_tokens.Step(case, f"{form_id}:{sub.id}", heading, funding.DECISION, sub.id, saved=sub.id)


def _drawn(template: str, case: Case, sub: Submission, step: form_tokens.Step, problems: list, status: int,
           **context):
    """The step's page, with its token (a fresh one when the post had none)."""
    return render_template(template, case=case, sub=sub, problems=problems, token=step.page_token(),
                           token_field=form_tokens.FIELD, **context), status


def _recorded(case: Case, sub: Submission, step: form_tokens.Step, save, what: str, message: str, back):
    """Run the step's `save` (its events on the case) with the page's token used up, together or
    not at all: the request's page with why when the case refuses `what`; else `message`, back."""
    try:
        if not step.save(save):
            return step.already_saved()
    except wf.Refused as e:
        return _page(case, sub, f"{what} could not be recorded: " + "; ".join(e.messages), 409)
    flash(message, "success")
    return back


def _decided(asked, back):
    if asked is None:
        flash("Only a submitted funding request can be decided.")
        return back
    if asked["decision"] is not None:
        flash(f"This request has already been {asked['status'].words.lower()}.")
        return back
    return None


# the steps' one-time token form ids (hearth.web.form_tokens), with the record's id
APPROVE, DECLINE, PANEL, CONFIRM = "funding_approve", "funding_decline", "funding_panel", "funding_confirm"


@bp.app_template_global()
def approve_token(case: Case, sub: Submission) -> str:
    """A one-time token for the record page's 'Approve the request' form (hearth.web.form_tokens)."""
    return form_tokens.issue(current_user().id, case.id, f"{APPROVE}:{sub.id}")


@bp.post("/cases/<int:case_id>/submissions/<int:submission_id>/approve")
@role_required(Role.MANAGER)
def approve(case_id: int, submission_id: int):
    """'Approve the request', a form on the request's page. Posted without its token, nothing is
    saved and the page is drawn again with a fresh one (400); posted again, already saved (409)."""
    case, sub, answer, asked, back = _request(case_id, submission_id)
    step = _step(case, sub, APPROVE, "Approve the request")
    if step.used is not None:
        return step.already_saved()
    if (done := _decided(asked, back)) is not None:
        return done
    found = asked["status"]
    if found.code == funding.NOT_CHECKED:
        return _page(case, sub, "The policy check for this case cannot be run, so this request cannot be "
                                "approved now. Tell your council's policy officer.", 409)
    if found.code != funding.WAITING:
        gate = found.gate
        word = {funding.PANEL: "needs the panel's approval first",
                funding.CONFIRM: "needs a manager to confirm the exception first"}.get(found.code, "is blocked")
        because = f": {gate.because}" if gate.because else ""
        return _page(case, sub, f"This request cannot be approved: the policy says it {word}{because}.", 409)
    gate = found.gate
    detail = {"case": case.id, "decision": "approved", "action": gate.action, "gate": gate.status,
              "cost": asked["cost"]}
    if gate.status == "overridden":
        detail["override_reason"] = gate.because  # the reason the policy names (e.g. safeguarding)
        detail["override_facts"] = (gate.facts or {}).get("overridden_by")  # the same as facts, for words
    if step.tokenless:   # nothing saved; the request's page again, its form with a fresh token
        problems, status = step.refuse_tokenless()
        return _request_page(case, sub, answer, problems[0]["text"], status)
    return _decide(case, sub, answer, asked, funding.APPROVED_EVENT, detail, "Request approved.", back, step)


def _decide(case, sub, answer, asked, event_type: str, detail: dict, message: str, back, step: form_tokens.Step):
    """The decision goes in the audit trail and the case's history together, or not at all, with
    the page's one-time token used up."""
    event = {"type": event_type, "on": today(), "request": asked["kind"]}
    if asked["cost"] is not None:
        event["cost"] = asked["cost"]

    def decide(_):
        audit(AuditAction.CHANGED, funding.DECISION, sub.id, detail, policy=answer["policy"] if answer else None,
              commit=False)
        wf.record_events(case, [event], current_user(), {"submission": sub.id, "decision": detail["decision"]})

    return _recorded(case, sub, step, decide, "The decision", message, back)


@bp.route("/cases/<int:case_id>/submissions/<int:submission_id>/decline", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def decline(case_id: int, submission_id: int):
    case, sub, answer, asked, back = _request(case_id, submission_id)
    step = _step(case, sub, DECLINE, "Decline the request")
    if step.used is not None:
        return step.already_saved()
    if (done := _decided(asked, back)) is not None:
        return done
    form, problems, status = DeclineForm(), [], 200
    if step.tokenless:
        problems, status = step.refuse_tokenless()
    elif form.validate_on_submit():
        detail = {"case": case.id, "decision": "declined", "action": asked["kind"], "cost": asked["cost"],
                  "reason": form.reason.data.strip(), "status_before": asked["status"].code}
        return _decide(case, sub, answer, asked, funding.DECLINED_EVENT, detail, "Request declined.", back, step)
    audit(AuditAction.VIEWED, "funding_decline", sub.id, {"case": case.id})
    return _drawn("workflow/funding_decline.html", case, sub, step, problems, status, form=form, funding=asked)


@bp.route("/cases/<int:case_id>/submissions/<int:submission_id>/panel-approval", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def panel_approval(case_id: int, submission_id: int):
    case, sub, answer, asked, back = _request(case_id, submission_id)
    step = _step(case, sub, PANEL, "Record the panel's approval")
    if step.used is not None:
        return step.already_saved()
    if asked is None or asked["decision"] is not None or asked["status"].code != funding.PANEL:
        flash("The policy does not ask for the panel's approval of this request now.")
        return back
    form, problems, status = PanelForm(), [], 200
    if step.tokenless:
        problems, status = step.refuse_tokenless()
    elif form.validate_on_submit():
        event = {"type": funding.PANEL_EVENT, "on": form.panel_date.data, "request": asked["kind"],
                 "reference": form.reference.data.strip()}
        meta = {"submission": sub.id, "panel": "approved", "reference": event["reference"]}
        return _recorded(case, sub, step, lambda _: wf.record_events(case, [event], current_user(), meta),
                         "The panel's approval",
                         "The panel's approval is recorded. A manager can now approve the request.", back)
    audit(AuditAction.VIEWED, "funding_panel", sub.id, {"case": case.id})
    return _drawn("workflow/funding_panel.html", case, sub, step, problems, status, form=form, funding=asked)


@bp.route("/cases/<int:case_id>/submissions/<int:submission_id>/confirm-exception", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def confirm_exception(case_id: int, submission_id: int):
    case, sub, answer, asked, back = _request(case_id, submission_id)
    step = _step(case, sub, CONFIRM, "Confirm the exception")
    if step.used is not None:
        return step.already_saved()
    exception = funding.unconfirmed_exception(case, sub) if sub.status == "submitted" else None
    needed = entry_checks().confirmation_for({"type": exception.type, **(exception.fields or {})}) if exception else None
    if needed is None or (asked is not None and asked["decision"] is not None):
        flash("This request has no exception waiting for a manager's confirmation.")
        return back
    form, problems, status = _confirm_form(needed.reason_min_length)(), [], 200
    if step.tokenless:
        problems, status = step.refuse_tokenless()
    elif form.validate_on_submit():
        event = {"type": needed.confirmed_by, "on": today(), "details": form.reason.data.strip()}
        meta = {"submission": sub.id, "confirms": exception.type, "confirms_event": exception.id}
        return _recorded(case, sub, step, lambda _: wf.record_events(case, [event], current_user(), meta),
                         "The confirmation", "Exception confirmed. The policy check is updated.", back)
    audit(AuditAction.VIEWED, "funding_exception", sub.id, {"case": case.id})
    return _drawn("workflow/funding_confirm.html", case, sub, step, problems, status, form=form,
                  funding=asked, exception=exception)


@bp.get("/approvals")
@role_required(Role.MANAGER)
def approvals():
    """The council's requests waiting for a manager, most to act on first."""
    waiting = funding.awaiting_decision(db.session(), user_council_id(), case_open_to(current_user()))
    audit(AuditAction.VIEWED, "approvals", None, {"count": len(waiting)})
    return render_template("workflow/approvals.html", waiting=waiting)
