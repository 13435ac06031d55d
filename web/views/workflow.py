"""The meeting workflow: every step is one of the council's own forms (policies/<council>/forms),
filled on a case, saved as a draft or submitted; a submission becomes events at once
(hearth.web.workflow). Nothing here names a council's form: the catalog lists them."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from hearth.forms import build_form_class, formdata_for, render_answers, render_form

from .. import db, form_tokens
from .. import workflow as wf
from ..audit import audit, refused as refuse
from ..auth import current_user, role_required
from ..evaluation import evaluate_case, policy_in_force, today
from ..models import AuditAction, Case, Submission
from ..scoping import get_or_404, submission_or_404
from .corrections import bp as corrections_bp
from .dashboard import CASE_ROLES
from .funding import funding_context

bp = Blueprint("workflow", __name__, url_prefix="/cases")
bp.register_blueprint(corrections_bp)  # correcting and withdrawing records, reopening a case

ACTION = "hearth_action"  # the "Save as draft" button's name
_NOT_ANSWERS = {"csrf_token", ACTION, "hearth-row", form_tokens.FIELD}  # hearth.forms.ROW_BUTTON


@bp.app_template_global()
def workflow_panel(case: Case) -> Markup:
    """The case page's 'Record' panel: start a form, resume a draft, see what was submitted."""
    try:
        forms = wf.catalog(case.council_id).describe()
    except Exception:  # noqa: BLE001 - a broken form file must not take the case page down
        forms = []
    return Markup(render_template("workflow/case_panel.html", case=case, forms=forms,
                                  drafts=wf.submissions(case, "draft"),
                                  submitted=[sub for sub in wf.submissions(case) if sub.status != "draft"]))


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
    answer = evaluate_case(case).answer
    audit(AuditAction.VIEWED, "submission", sub.id, {"case": case.id},
          policy=answer["policy"] if answer else None)
    return render_template("workflow/submission.html", case=case, sub=sub, defn=defn,
                           answers=render_answers(defn, sub.data) if defn else None,
                           **funding_context(case, sub, answer))


def _boxes(form) -> dict:
    return {k: form.getlist(k) for k in form if k not in _NOT_ANSWERS}


def _fill(case: Case, defn, draft: Submission | None):
    """Show, save as draft, or submit one form; a failed check re-renders what was typed."""

    defn = wf.for_role(defn, policy_in_force(case.council_id), current_user().role)
    Form = build_form_class(defn, base=FlaskForm)
    refused: list[str] = []
    refused_title = None
    prefill = None
    token = form_tokens.posted(request.form) if request.method == "POST" else None
    if request.method == "GET":
        token, used = form_tokens.for_page(current_user().id, case.id, defn.id, request.args.get(form_tokens.URL_ARG))
        if used is not None:
            return already_saved(case, defn, used)
    if request.method == "POST":
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
        elif not form.row_action() and form.validate():
            try:
                used = form_tokens.use(token, current_user().id, case.id, defn.id)
                sub = wf.submit(case, defn, form.answers, current_user(), draft, commit=False)
                form_tokens.saved(used, submission_id=sub.id)
                db.session().commit()
            except form_tokens.AlreadyUsed as e:
                return already_saved(case, defn, e.token)
            except wf.Refused as e:
                db.session().rollback()  # the token stays unused for the corrected post
                refused = e.messages
            else:
                # no anchor: the page opens at its top, where the success banner takes focus
                flash(f"Saved: {defn.title}. The policy check below is updated.", "success")
                return redirect(url_for("cases.show", case_id=case.id))
    else:
        saved = draft.data if draft is not None and isinstance(draft.data, dict) else {}
        boxes = wf.draft_boxes(draft)
        if draft is None and any(f.prefill for f in defn.all_fields()):
            prefill = _prefill_from_policy(case)
            saved = defn.prefilled(prefill["given"]) if prefill else {}
        formdata = MultiDict([(k, v) for k, vs in boxes.items() for v in vs]) if boxes is not None \
            else (formdata_for(defn, saved) if saved else None)
        form = Form(formdata, today=today())
    token = token or form_tokens.issue(current_user().id, case.id, defn.id)
    action = (url_for(".submission", case_id=case.id, submission_id=draft.id, once=token) if draft
              else url_for(".start", case_id=case.id, form_id=defn.id, once=token))
    policy = policy_in_force(case.council_id)
    audit(AuditAction.VIEWED, "form", defn.id, {"case": case.id, "draft": draft.id if draft else None},
          policy=policy)
    return render_template("workflow/form.html", case=case, defn=defn, draft=draft, form=form,
                           refused=refused, refused_title=refused_title, refused_description=(
                               "Nothing has been saved." if refused_title else None),
                           prefill=prefill, body=form_tokens.with_token(_with_draft_button(form, action), token))


def already_saved(case: Case, defn, token):
    """A second post of a page already saved (Back then Submit, a double click): nothing is
    saved again; the page says so and links to what the first post saved. Audited as refused."""
    refuse("form_already_saved", 409, "form", defn.id)
    saved = token.submission_id if token is not None else None
    return render_template("workflow/already_saved.html", case=case, defn=defn, saved=saved), 409 if (
        request.method == "POST") else 200


def _prefill_from_policy(case: Case) -> dict | None:
    """What the live evaluation says a new form may start with (hearth.forms PREFILLS), and
    the roles it asks to be considered, for the page to say; None when it has no answer."""
    answer = evaluate_case(case).answer
    if answer is None:
        return None
    return {"given": {"invitees": answer["invitees"]["required"]}, "consider": answer["invitees"]["consider"],
            "one_of": [chosen["roles"] for chosen in answer["invitees"].get("required_one_of", [])]}


def _with_draft_button(form, action: str) -> Markup:
    """render_form with a "Save as draft" button beside the main one. hearth.forms has no
    slot for a second button yet, so it goes in before the button group closes."""

    html = str(render_form(form, action=action, submit_label="Submit", today=today()))
    button = ('<button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" '
              f'name="{ACTION}" value="draft" formnovalidate>Save as draft</button>\n  </div>\n</form>')
    head, sep, _ = html.rpartition("</div>\n</form>")
    return Markup(head + button if sep else html)
