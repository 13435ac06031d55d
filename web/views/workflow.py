"""The meeting workflow: every step is one of the council's own forms (policies/<council>/forms),
filled on a case, saved as a draft or submitted; a submission becomes events at once
(hearth.web.workflow). Nothing here names a council's form: the catalog lists them."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from hearth.forms import build_form_class, events_from, formdata_for, render_answers, render_form
from hearth.forms.answers import Err
from hearth.rules.limits import text_problem

from .. import db, entry_warnings, form_tokens
from .. import workflow as wf
from ..audit import audit, refused as refuse
from ..auth import current_user, role_required
from ..case_records import CaseRecords
from ..evaluation import evaluate_case, policy_in_force, today
from ..funding import unconfirmed_exception
from ..models import AuditAction, Case, Role, Submission
from ..scoping import get_or_404, submission_or_404
from .corrections import bp as corrections_bp
from .dashboard import CASE_ROLES
from .funding import funding_context

bp = Blueprint("workflow", __name__, url_prefix="/cases")
bp.register_blueprint(corrections_bp)  # correcting and withdrawing records, reopening a case

ACTION = "hearth_action"  # the "Save as draft" button's name
_NOT_ANSWERS = {"csrf_token", ACTION, "hearth-row", form_tokens.FIELD}  # hearth.forms.ROW_BUTTON
REVIEW_FORM = "warnings_reviewed"   # the 'Mark as reviewed' form's one-time tokens, with the record's id


@bp.app_template_global()
def workflow_panel(case: Case, records: CaseRecords) -> Markup:
    """The case page's 'Record' panel: start a form, resume a draft, see what was submitted
    (``records``: the case's, as the case page read them once)."""
    return Markup(render_template("workflow/case_panel.html", case=case, forms=list(records.forms),
                                  drafts=records.drafts, submitted=records.records))


@bp.app_template_global()
def record_warnings(sub: Submission) -> list[dict]:
    return entry_warnings.record_warnings(sub)


@bp.app_template_global()
def warnings_review(sub: Submission):
    return entry_warnings.review(sub)


@bp.app_template_global()
def exception_open(case: Case, sub: Submission) -> bool:
    return sub.status == "submitted" and unconfirmed_exception(case, sub) is not None


@bp.app_template_global()
def review_token(case: Case, sub: Submission) -> str:
    """A one-time token for the record page's 'Mark as reviewed' form (hearth.web.form_tokens)."""
    return form_tokens.issue(current_user().id, case.id, f"{REVIEW_FORM}:{sub.id}")


@bp.post("/<int:case_id>/submissions/<int:submission_id>/warnings-reviewed")
@role_required(Role.MANAGER)
def review_warnings(case_id: int, submission_id: int):
    """A manager has read what a record says against the policy and why: the warnings close.
    The record page's form carries a one-time token: posted without one, nothing is saved and
    the page is drawn again with the note typed (400); posted again, it is already saved (409)."""
    case = get_or_404(Case, case_id)
    sub = submission_or_404(case, submission_id)
    step = form_tokens.Step(case, f"{REVIEW_FORM}:{sub.id}", "Mark as reviewed", entry_warnings.REVIEWED, sub.id,
                            saved=sub.id)
    if step.used is not None:
        return step.already_saved()
    back = redirect(url_for(".submission", case_id=case.id, submission_id=sub.id, _anchor="entry-warnings"))
    if sub.status != "submitted" or not entry_warnings.record_warnings(sub) or entry_warnings.review(sub):
        flash("This record has no warnings waiting for a review.")
        return back
    note = request.form.get("note", "").strip()
    if step.tokenless:  # nothing saved; the record's page again with the note as typed and a fresh token
        problems, status = step.refuse_tokenless()
        return _record_page(case, sub, problem=problems[0]["text"], problem_href="#review-note",
                            review_note=note), status
    if (problem := text_problem(note, 500)) is not None:
        flash(f"The note cannot be saved: {problem}.")
        return back
    if not step.save(lambda _: entry_warnings.mark_reviewed(case, sub, current_user(), note)):
        return step.already_saved()
    flash("Marked as reviewed.", "success")
    return back


@bp.get("/<int:case_id>/forms")
@role_required(*CASE_ROLES)
def forms(case_id: int):
    case = get_or_404(Case, case_id)
    policy = policy_in_force(case.council_id)
    audit(AuditAction.VIEWED, "case_forms", case.id, policy=policy)
    return render_template("workflow/forms.html", case=case, forms=wf.catalog(case.council_id).describe(),
                           drafts=wf.submissions(case, "draft"))


@bp.route("/<int:case_id>/forms/<form_id>", methods=["GET", "POST"])
@role_required(*CASE_ROLES)
def start(case_id: int, form_id: str):
    case = get_or_404(Case, case_id)
    defn = wf.definition(case.council_id, form_id)
    if defn is None:
        abort(404)
    return _fill(case, defn, None)


@bp.route("/<int:case_id>/submissions/<int:submission_id>", methods=["GET", "POST"])
@role_required(*CASE_ROLES)
def submission(case_id: int, submission_id: int):
    case = get_or_404(Case, case_id)
    sub = submission_or_404(case, submission_id)
    defn = wf.definition(case.council_id, sub.form_id, sub.form_version)
    if sub.status == "draft" and defn is not None:
        return _fill(case, defn, sub)
    if request.method == "POST":
        flash("This record has been submitted and cannot be changed here.")
        return redirect(url_for(".submission", case_id=case.id, submission_id=sub.id))
    return _record_page(case, sub)


def _record_page(case: Case, sub: Submission, **extra) -> str:
    """A submitted record's page (`extra`: a problem to show, what was typed in its forms)."""
    defn = wf.definition(case.council_id, sub.form_id, sub.form_version)
    answer = evaluate_case(case).answer
    audit(AuditAction.VIEWED, "submission", sub.id, {"case": case.id},
          policy=answer["policy"] if answer else None)
    return render_template("workflow/submission.html", case=case, sub=sub, defn=defn,
                           answers=render_answers(defn, sub.data) if defn else None,
                           **funding_context(case, sub, answer), **extra)


def _boxes(form) -> dict:
    return {k: form.getlist(k) for k in form if k not in _NOT_ANSWERS}


def _fill(case: Case, defn, draft: Submission | None):
    """Show, save as draft, or submit one form; a failed check re-renders what was typed."""

    defn = wf.for_role(defn, policy_in_force(case.council_id), current_user().role)
    Form = build_form_class(defn, base=FlaskForm)
    refused: list[str] = []
    refused_title = None
    prefill = None
    checked: dict = {"warnings": [], "reasons": {}, "problems": {}}  # the record against the policy
    status = 200
    token = form_tokens.posted(request.form) if request.method == "POST" else None
    if request.method == "GET":
        token, used = form_tokens.for_page(current_user().id, case.id, defn.id, request.args.get(form_tokens.URL_ARG))
        if used is not None:
            return already_saved(case, defn, used)
    if request.method == "POST" and token is None:  # nothing saved; drawn again as typed, with a fresh token
        refused, refused_title = [form_tokens.refuse_missing("form", defn.id)], "There is a problem"
        form = Form(request.form, today=today())
        status = form_tokens.MISSING_STATUS
    elif request.method == "POST":
        form = Form(request.form, today=today())
        if request.form.get(ACTION) == "draft":
            try:
                data = wf.draft_data(defn, _boxes(request.form), boxes=True)
            except wf.DraftRefused as e:
                refused, refused_title = [str(e)], "This draft cannot be saved"
            else:
                wf.save_draft(case, defn, data, current_user(), draft)
                flash(f"Draft saved: {defn.title}. You can come back to it from the case page.", "success")
                return redirect(url_for("cases.show", case_id=case.id, _anchor="drafts"))
        elif not form.row_action() and form.validate() and not (
                checked := _checked_against_policy(case, defn, form.answers))["problems"]:
            try:
                used = form_tokens.use(token, current_user().id, case.id, defn.id)
                sub = wf.submit(case, defn, form.answers, current_user(), draft, commit=False,
                                reasons=checked["reasons"])
                form_tokens.saved(used, submission_id=sub.id)
                db.session().commit()
            except form_tokens.AlreadyUsed as e:
                return already_saved(case, defn, e.token)
            except wf.Refused as e:
                db.session().rollback()  # the token stays unused for the corrected post
                refused = _on_questions(form, e)
            else:
                # no anchor: the page opens at its top, where the success banner takes focus
                confirm = " A manager must confirm the exception it records before it takes effect." if any(
                    w["kind"] == "confirmation" for w in entry_warnings.record_warnings(sub)) else ""
                flash(f"Saved: {defn.title}. The policy check below is updated.{confirm}", "success")
                return redirect(url_for("cases.show", case_id=case.id))
    else:
        saved = draft.data if draft is not None and isinstance(draft.data, dict) else {}
        boxes = wf.draft_boxes(draft)
        if draft is None and any(f.prefill for f in defn.all_fields()):
            prefill = _prefill_from_policy(case, defn)
            saved = defn.prefilled(prefill["given"])
        formdata = MultiDict([(k, v) for k, vs in boxes.items() for v in vs]) if boxes is not None \
            else (formdata_for(defn, saved) if saved else None)
        form = Form(formdata, today=today())
    token = token or form_tokens.issue(current_user().id, case.id, defn.id)
    action = (url_for(".submission", case_id=case.id, submission_id=draft.id, once=token) if draft
              else url_for(".start", case_id=case.id, form_id=defn.id, once=token))
    body = _with_draft_button(form, action)
    if checked["problems"]:   # the warnings still wanting a good reason, with their boxes, before the buttons
        body = entry_warnings.before_buttons(body, entry_warnings.reason_boxes(
            checked["warnings"], checked["reasons"], checked["problems"]))
    policy = policy_in_force(case.council_id)
    audit(AuditAction.VIEWED, "form", defn.id, {"case": case.id, "draft": draft.id if draft else None},
          policy=policy)
    return render_template("workflow/form.html", case=case, defn=defn, draft=draft, form=form,
                           refused=refused, refused_title=refused_title, refused_description=(
                               "Nothing has been saved." if refused_title else None), prefill=prefill,
                           entry_problems=entry_warnings.summary(checked["warnings"], checked["problems"]),
                           body=form_tokens.with_token(body, token)), status


def _checked_against_policy(case: Case, defn, answers: dict) -> dict:
    """The record's answers against the policy (hearth.web.entry_warnings): the warnings, the
    reasons posted for them, and what stops the save: a warning with no good reason yet."""
    warnings = entry_warnings.warnings_for(case, events_from(defn, answers))
    reasons = {w.id: request.form.get(entry_warnings.REASON_PREFIX + w.id, "").strip() for w in warnings}
    return {"warnings": [w.as_dict() for w in warnings], "reasons": reasons,
            "problems": entry_warnings.reasons_problems(warnings, reasons)}


def _on_questions(form, refusal: wf.Refused) -> list[str]:
    """A refusal located at one of the form's questions (answers.<id>: what the council's
    entry_checks refuse) is that question's error, in the form's own error summary; the rest
    are for the summary above the form."""
    questions = {f"{entry_warnings.ANSWERS}.{f.id}": f.id for section in form.definition.sections
                 for f in section.fields if f.kind != "group"}
    located = {}
    for problem in refusal.problems:
        question = questions.get(str(problem.get("field") or ""))
        if question is not None and question not in located:
            located[question] = problem["message"]
    for question, message in located.items():
        form.error_map[question] = Err(message)
        form[question].errors = list(form[question].errors) + [message]
    return [message for message in refusal.messages if message not in located.values()]


def already_saved(case: Case, defn, token):
    """A second post of a page already saved (Back then Submit, a double click): nothing is
    saved again; the page says so and links to what the first post saved. Audited as refused."""
    refuse("form_already_saved", 409, "form", defn.id)
    saved = token.submission_id if token is not None else None
    return render_template("workflow/already_saved.html", case=case, defn=defn, saved=saved), 409 if (
        request.method == "POST") else 200


def _prefill_from_policy(case: Case, defn) -> dict:
    """What a new form may start with (hearth.forms PREFILLS): the roles the live evaluation says
    to invite, and the case's latest recorded answers its questions name (`<type>.<field>`:
    the meeting arranged, the chair decided); for the page, also the roles it asks to be considered."""
    wanted = {f.prefill for f in defn.all_fields() if f.prefill}
    given = _latest_recorded(case, wanted)
    out = {"given": given, "consider": [], "one_of": [], "invitees": "invitees" in wanted,
           "from_records": sorted({name.partition(".")[0] for name in given})}
    answer = evaluate_case(case).answer if "invitees" in wanted else None
    if answer is not None:
        given["invitees"] = answer["invitees"]["required"]
        out.update(consider=answer["invitees"]["consider"],
                   one_of=[chosen["roles"] for chosen in answer["invitees"].get("required_one_of", [])])
    else:
        out["invitees"] = False
    return out


def _latest_recorded(case: Case, wanted: set[str]) -> dict:
    """{"<type>.<field>": value} of the case's latest event of each type named (withdrawn records
    left out; `.on` is the event's date)."""
    found: dict = {}
    for event in sorted(case.events, key=lambda e: (e.on, e.id), reverse=True):
        if event.withdrawn_at is not None:
            continue
        for name in wanted:
            kind, _, field = name.partition(".")
            if event.type == kind and name not in found:
                found[name] = event.on.isoformat() if field == "on" else (event.fields or {}).get(field)
    return {name: value for name, value in found.items() if value not in (None, "", [])}


def _with_draft_button(form, action: str) -> Markup:
    """render_form with a "Save as draft" button beside the main one. hearth.forms has no
    slot for a second button yet, so it goes in before the button group closes."""

    html = str(render_form(form, action=action, submit_label="Submit", today=today()))
    button = ('<button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" '
              f'name="{ACTION}" value="draft" formnovalidate>Save as draft</button>\n  </div>\n</form>')
    head, sep, _ = html.rpartition("</div>\n</form>")
    return Markup(head + button if sep else html)
