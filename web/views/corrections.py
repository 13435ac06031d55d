"""Putting a record right: correcting a submitted record (a new record that amends it, the old one
kept), withdrawing one with a reason, and reopening a closed case. Nothing is deleted; each is
audited, and the evaluation follows because the events of a withdrawn or corrected record stop
counting (hearth.web.records). A corrected record that differs from the policy asks why in the form
page's boxes (hearth.web.entry_warnings) before anything is saved. Each page carries a one-time
form token (hearth.web.form_tokens): a post without one saves nothing, a second post of the same
page is refused as already saved.
Nested in the workflow blueprint (/cases/...)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from hearth.forms import build_form_class, formdata_for, render_form

from .. import db, entry_warnings, form_tokens, records
from .. import workflow as wf
from ..audit import audit, refused
from ..auth import current_user, role_required
from ..case_closing import REASON_LENGTH, may_reopen, reopen
from ..evaluation import forget, policy_in_force, today
from ..models import AuditAction, Case, Role, Submission, User
from ..scoping import get_or_404, submission_or_404
from ..validators import PlainText

bp = Blueprint("records", __name__)

REASON_FIELD = "change_reason"
REOPEN_FORM = "reopen"   # the reopen page's one-time tokens (hearth.web.form_tokens), with the case's id


def _reason(label: str, hint: str, missing: str) -> TextAreaField:
    return TextAreaField(label, widget=GovCharacterCount(), description=hint,
                         validators=[DataRequired(missing),
                                     Length(max=REASON_LENGTH,
                                            message=f"The reason must be {REASON_LENGTH:,} characters or fewer"),
                                     PlainText()])


class WithdrawForm(FlaskForm):
    reason = _reason("Why are you withdrawing this record?",
                     "For example, it was recorded on the wrong child's case. The record is kept, marked withdrawn.",
                     "Enter why you are withdrawing this record")
    submit = SubmitField("Withdraw this record", widget=GovSubmitInput())


class ReopenForm(FlaskForm):
    reason = _reason("Why are you reopening this case?", "For example, a new concern about the home.",
                     "Enter why you are reopening this case")
    submit = SubmitField("Reopen the case", widget=GovSubmitInput())


@dataclass(frozen=True)
class History:
    """What happened to a record after it was submitted, for its page."""
    amends: Submission | None
    amended_by: Submission | None
    withdrawn_by: User | None


@bp.app_template_global()
def record_history(sub: Submission) -> History:
    s = db.session()
    return History(s.get(Submission, sub.amends_id) if sub.amends_id else None,
                   s.get(Submission, sub.amended_by_id) if sub.amended_by_id else None,
                   s.get(User, sub.withdrawn_by_id) if sub.withdrawn_by_id else None)


@bp.app_template_global()
def case_closer(case: Case) -> User | None:
    """Who closed the case, for the case page's 'This case is closed'."""
    return db.session().get(User, case.closed_by_id) if case.closed_by_id else None


def _not_changeable(sub: Submission):
    """None when the record may be corrected or withdrawn; else the refusal to answer with."""
    if not records.may_change(sub, current_user()):
        return _back_to(sub, "record_not_changeable",
                        "This record cannot be corrected or withdrawn: it is not a record in force.")
    return None


def _back_to(sub: Submission, reason: str, message: str):
    """A correction asked of a record that cannot take one (a draft, one already corrected or
    withdrawn): refused and audited, then back to the record's page, which says why."""
    refused(reason, 409, "submission", sub.id)
    flash(message)
    return redirect(url_for("workflow.submission", case_id=sub.case_id, submission_id=sub.id))


@bp.route("/<int:case_id>/submissions/<int:submission_id>/withdraw", methods=["GET", "POST"])
@role_required(Role.WORKER, Role.MANAGER)
def withdraw(case_id: int, submission_id: int):
    case = get_or_404(Case, case_id)
    sub = submission_or_404(case, submission_id)
    step = form_tokens.Step(case, f"withdraw:{sub.id}", "Withdraw this record", "submission", sub.id, saved=sub.id)
    if step.used is not None:  # the page again after the record was withdrawn with it
        return step.already_saved()
    if (refusal := _not_changeable(sub)) is not None:
        return refusal
    form, problems, status = WithdrawForm(), [], 200
    if step.tokenless:
        problems, status = step.refuse_tokenless()
    elif form.validate_on_submit():
        if not step.save(lambda _: records.withdraw(case, sub, current_user(), form.reason.data.strip())):
            return step.already_saved()
        flash("Record withdrawn. Its events no longer count in the policy check; the record is kept.", "success")
        return redirect(url_for("workflow.submission", case_id=case.id, submission_id=sub.id))
    audit(AuditAction.VIEWED, "submission_withdraw", sub.id, {"case": case.id})
    return render_template("workflow/withdraw.html", case=case, sub=sub, form=form, problems=problems,
                           token=step.page_token(), token_field=form_tokens.FIELD), status


@bp.route("/<int:case_id>/submissions/<int:submission_id>/correct", methods=["GET", "POST"])
@role_required(Role.WORKER, Role.MANAGER)
def correct(case_id: int, submission_id: int):
    """The record's form, filled with its saved answers; saving makes a new record that amends it.
    The page's token is looked at first: posted again (or gone Back to) after the correction was
    saved, the record is no longer in force, but the answer is the 'already saved' page linking to
    the corrected record, not 'this record cannot be corrected'."""
    case = get_or_404(Case, case_id)
    sub = submission_or_404(case, submission_id)
    defn = wf.definition(case.council_id, sub.form_id)  # corrected on the form as it is today
    if defn is None:
        abort(404)
    # the 'already saved' page links to the correction, which the token names
    step = form_tokens.Step(case, f"correct:{sub.id}", f"Correct this record: {defn.title}", "submission", sub.id)
    if step.used is not None:  # the page again after the correction was saved with it
        return step.already_saved()
    if (refusal := _not_changeable(sub)) is not None:
        return refusal
    defn = wf.for_role(defn, policy_in_force(case.council_id), current_user().role)
    Form = build_form_class(defn, base=FlaskForm)
    problems: list[dict] = []
    reason = ""
    asked = Markup("")    # the reason boxes of what the corrected record says against the policy
    status = 200
    if step.tokenless:  # audited as the form's, as the form page's is
        problems, status = [{"text": form_tokens.refuse_missing("form", defn.id)}], form_tokens.MISSING_STATUS
        form = Form(request.form, today=today())
        reason = request.form.get(REASON_FIELD, "").strip()
    elif request.method == "POST":
        form = Form(request.form, today=today())
        reason = request.form.get(REASON_FIELD, "").strip()
        if not reason:
            problems.append({"text": "Enter why you are correcting this record", "href": f"#{REASON_FIELD}"})
        elif len(reason) > REASON_LENGTH:
            problems.append({"text": f"The reason must be {REASON_LENGTH:,} characters or fewer",
                             "href": f"#{REASON_FIELD}"})
        valid = form.validate() and not form.row_action()
        if valid and not problems:
            def amend(token_row):
                new = records.amend(case, sub, defn, form.answers, current_user(), reason,
                                    reasons=entry_warnings.posted(request.form))
                form_tokens.saved(token_row, submission_id=new.id)

            try:
                if not step.save(amend):   # two posts at once: the other one saved it
                    return step.already_saved()
            except wf.ReasonsWanted as e:   # the token stays unused for the post with the reasons
                forget(case)   # the case was tried with the old record taken back
                problems += entry_warnings.summary(e.warnings, e.wanted)
                asked = entry_warnings.reason_boxes(e.warnings, e.reasons, e.wanted)
            except wf.Refused as e:
                forget(case)
                problems += [{"text": message} for message in e.messages]
            else:
                flash(f"Record corrected: {defn.title}. The policy check on the case page is updated.", "success")
                return redirect(url_for("workflow.submission", case_id=case.id, submission_id=sub.amended_by_id))
    else:
        form = Form(formdata_for(defn, sub.data) if isinstance(sub.data, dict) else MultiDict(), today=today())
    audit(AuditAction.VIEWED, "submission_correct", sub.id, {"case": case.id})
    action = url_for(".correct", case_id=case.id, submission_id=sub.id, once=step.page_token())
    body = str(render_form(form, action=action, submit_label="Save the corrected record", today=today()))
    box = render_template("workflow/reason_box.html", name=REASON_FIELD, value=reason,
                          error=next((p["text"] for p in problems if p.get("href") == f"#{REASON_FIELD}"), None))
    body = entry_warnings.before_buttons(body, Markup(box) + asked)
    return render_template("workflow/correct.html", case=case, sub=sub, defn=defn, problems=problems,
                           body=form_tokens.with_token(body, step.page_token())), status


@bp.route("/<int:case_id>/reopen", methods=["GET", "POST"])
@role_required(Role.WORKER, Role.MANAGER)
def reopen_case(case_id: int):
    case = get_or_404(Case, case_id)
    step = form_tokens.Step(case, REOPEN_FORM, "Reopen the case", "case", case.id)
    if step.used is not None:  # the page again after the case was reopened with it
        return step.already_saved()
    if case.status != "closed" or not may_reopen(case, current_user()):
        # an open case, or someone who is neither a manager nor its worker: refused, back to the case
        refused("case_not_reopenable" if case.status == "closed" else "case_open", 409, "case", case.id)
        flash("Only a manager or the case's social worker can reopen it." if case.status == "closed"
              else "This case is open.")
        return redirect(url_for("cases.show", case_id=case.id))
    form, problems, status = ReopenForm(), [], 200
    if step.tokenless:
        problems, status = step.refuse_tokenless()
    elif form.validate_on_submit():
        if not step.save(lambda _: reopen(case, current_user(), form.reason.data.strip())):
            return step.already_saved()
        flash("Case reopened. It is back on the list of open cases.", "success")
        return redirect(url_for("cases.show", case_id=case.id))
    audit(AuditAction.VIEWED, "case_reopen", case.id)
    return render_template("workflow/reopen.html", case=case, form=form, problems=problems,
                           token=step.page_token(), token_field=form_tokens.FIELD), status
