"""An agreed action's page, and marking it done or changing its date or owner (hearth.web.actions).

Both are events recorded through hearth.web.workflow.record_events (so the policy check follows
and each event is audited), each with an audit entry of its own naming the action, a one-time
form token (hearth.web.form_tokens), CSRF, and the case scoped to the user's council (a case or
action of another council is a 404). A post without the token saves nothing (the page again, 400);
the page posted again after it was saved, or gone Back to, is the 'already saved' page linking to
the action (409), whether or not the action is still open. Social workers and managers of the
council may do both.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovDateInput, GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from .. import actions as tracked
from .. import form_tokens
from .. import workflow as wf
from ..audit import audit, refused
from ..auth import current_user, role_required
from ..filters import role_label
from ..evaluation import policy_in_force, today
from ..models import AuditAction, Case, Role
from ..scoping import get_or_404
from ..validators import PlainText
from .new_case import GovDateField

bp = Blueprint("actions", __name__, url_prefix="/cases")
bp.add_app_template_global(tracked.case_actions, "case_actions")   # the case page's include

NOTE_LENGTH = REASON_LENGTH = 1000


class CompleteForm(FlaskForm):
    note = TextAreaField("What was done? (optional)", widget=GovCharacterCount(),
                         description="For example, respite booked for the weekend of 14 March.",
                         validators=[Optional(), Length(max=NOTE_LENGTH, message=f"The note must be {NOTE_LENGTH:,} "
                                                                                 "characters or fewer"), PlainText()])
    submit = SubmitField("Mark as done", widget=GovSubmitInput())


class ChangeForm(FlaskForm):
    due = GovDateField("New date", widget=GovDateInput(), format="%d %m %Y", description="For example, 27 3 2026",
                       not_real="The new date must be a real date", validators=[])
    owner = SelectField("Who will do it", widget=GovSelect())
    reason = TextAreaField("Why is it changing?", widget=GovCharacterCount(),
                           description="For example, the carer asked for more time.",
                           validators=[DataRequired("Enter why the action is changing"),
                                       Length(max=REASON_LENGTH, message=f"The reason must be {REASON_LENGTH:,} "
                                                                         "characters or fewer"), PlainText()])
    submit = SubmitField("Save the change", widget=GovSubmitInput())

    def __init__(self, *args, action: tracked.Action, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action

    def validate_due(self, field):
        if field.data is not None and field.data < self.action.agreed_on:
            raise ValidationError("The new date must be on or after the day the action was agreed")

    def validate_owner(self, field):
        if field.data == self.action.owner_role and (self.due.data is None or self.due.data == self.action.due):
            raise ValidationError("Change the date or who will do it")


def _action_or_404(case_id: int, action_id: int) -> tuple[Case, tracked.Action]:
    case = get_or_404(Case, case_id)   # another council's case: audited, then 404
    action = tracked.find(case, action_id)
    if action is None:
        abort(404)
    return case, action


def _not_open(case: Case, action: tracked.Action):
    """A done action cannot be done or changed again: refused, audited, back to its page."""
    refused("action_done", 409, "action", action.id)
    flash("This action is already done, so it cannot be changed.")
    return redirect(url_for(".action", case_id=case.id, action_id=action.id))


def _step(case: Case, action: tracked.Action, form_id: str, heading: str) -> form_tokens.Step:
    """The action's step page, its one-time token read first; 'already saved' links to the action."""
    return form_tokens.Step(case, f"{form_id}:{action.id}", heading, "action", action.id, link=action.href)


def _record(case: Case, action: tracked.Action, step: form_tokens.Step, event: dict, what: str, message: str):
    """Record the event with the action's own audit entry and the page's token used up, together or
    not at all: flashed `message` and back to the case when saved; the problems for the page's
    summary when the case refuses it (nothing saved)."""
    def save(_):
        wf.record_events(case, [event], current_user(), {"action": action.id}, commit=False)
        audit(AuditAction.CHANGED, "action", action.id, {"case": case.id, "status": what}, user=current_user(),
              council_id=case.council_id, policy=policy_in_force(case.council_id), commit=False)

    try:
        if not step.save(save):   # two posts at once: the other one saved it
            return step.already_saved()
    except wf.Refused as exc:
        return [{"text": problem} for problem in exc.messages]
    flash(message, "success")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/<int:case_id>/actions/<int:action_id>")
@role_required(Role.WORKER, Role.MANAGER)
def action(case_id: int, action_id: int):
    case, found = _action_or_404(case_id, action_id)
    audit(AuditAction.VIEWED, "action", found.id, {"case": case.id})
    return render_template("actions/action.html", case=case, action=found)


@bp.route("/<int:case_id>/actions/<int:action_id>/done", methods=["GET", "POST"])
@role_required(Role.WORKER, Role.MANAGER)
def complete(case_id: int, action_id: int):
    case, found = _action_or_404(case_id, action_id)
    step = _step(case, found, "action_done", f"Mark as done: {found.title}")
    if step.used is not None:
        return step.already_saved()
    if not found.is_open:
        return _not_open(case, found)
    form, problems, status = CompleteForm(), [], 200
    if step.tokenless:  # nothing saved; drawn again as typed, with a fresh token
        problems, status = step.refuse_tokenless()
    elif form.validate_on_submit():
        event = {"type": tracked.COMPLETED, "on": today().isoformat(), "action": str(found.id)}
        if form.note.data and form.note.data.strip():
            event["details"] = form.note.data.strip()
        outcome = _record(case, found, step, event, tracked.DONE, f"Action marked as done: {found.title}")
        if not isinstance(outcome, list):
            return outcome
        problems = outcome
    return render_template("actions/complete.html", case=case, action=found, form=form, problems=problems,
                           token=step.page_token(), token_field=form_tokens.FIELD, on=today()), status


@bp.route("/<int:case_id>/actions/<int:action_id>/change", methods=["GET", "POST"])
@role_required(Role.WORKER, Role.MANAGER)
def change(case_id: int, action_id: int):
    case, found = _action_or_404(case_id, action_id)
    step = _step(case, found, "action_change", f"Change: {found.title}")
    if step.used is not None:
        return step.already_saved()
    if not found.is_open:
        return _not_open(case, found)
    form = ChangeForm(action=found)
    policy = policy_in_force(case.council_id)
    # the roles the council's forms offer (its vocabulary's offers_roles), in their words
    form.owner.choices = policy.vocabulary.options()["roles"] if policy is not None else []
    if found.owner_role and found.owner_role not in dict(form.owner.choices):  # recorded before, kept as it is
        form.owner.choices.append((found.owner_role, role_label(found.owner_role)))
    if request.method == "GET":
        form.owner.data = found.owner_role
    problems, status = [], 200
    if step.tokenless:  # nothing saved; drawn again as typed, with a fresh token
        problems, status = step.refuse_tokenless()
    elif form.validate_on_submit():
        event = {"type": tracked.CHANGED, "on": today().isoformat(), "action": str(found.id),
                 "reason": form.reason.data.strip()}
        if form.due.data is not None and form.due.data != found.due:
            event["due"] = form.due.data.isoformat()
        if form.owner.data != found.owner_role:
            event["owner"] = form.owner.data
        outcome = _record(case, found, step, event, tracked.CHANGED_STATUS, f"Action changed: {found.title}")
        if not isinstance(outcome, list):
            return outcome
        problems = outcome
    return render_template("actions/change.html", case=case, action=found, form=form, problems=problems,
                           token=step.page_token(), token_field=form_tokens.FIELD), status
