"""Opening a case: the child's reference, the placement type (from the council's policy
vocabulary, so a new placement type needs no code) and when it started."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import DateField, RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from .. import db, form_tokens
from ..audit import refused
from ..auth import current_user, role_required
from ..case_opening import NotOpened, open_case
from ..evaluation import policy_in_force, today
from ..models import Case
from ..scoping import get_or_404
from ..validators import PlainText
from .dashboard import CASE_ROLES

bp = Blueprint("new_case", __name__, url_prefix="/cases")

FORM_ID = "new_case"  # the one-time token's form (hearth.web.form_tokens)


def _label(entry) -> str | None:
    return entry.get("label") if isinstance(entry, dict) else getattr(entry, "label", entry)


class GovDateField(DateField):
    """A three-box date with GOV.UK's wording when it is not a real date."""

    def __init__(self, *args, not_real: str = "The date the placement started must be a real date", **kwargs):
        super().__init__(*args, **kwargs)
        self.not_real = not_real

    def process_formdata(self, valuelist):
        if len(valuelist) != 3:  # a hand-made post: the widget draws exactly day, month and year
            valuelist = self.raw_data = (list(valuelist) + ["", "", ""])[:3]
        if valuelist and not " ".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.not_real) from None


class NewCaseForm(FlaskForm):
    child_ref = StringField("Child's reference", widget=GovTextInput(),
                            description="The reference on the child's record, for example C-0001",
                            validators=[InputRequired("Enter the child's reference"),
                                        Length(max=64, message="The child's reference must be 64 characters or fewer"),
                                        PlainText()])
    placement_type = RadioField("Type of placement", widget=GovRadioInput(),
                                validators=[InputRequired("Select the type of placement")])
    started = GovDateField("When did the placement start?", widget=GovDateInput(), format="%d %m %Y",
                        description="For example, 27 3 2025",
                        validators=[InputRequired("Enter the date the placement started")])
    # For the council's retention period (hearth.web.retention): optional, as a reference may be all
    # that is known when a case is opened; without it the case's period cannot be judged.
    child_date_of_birth = GovDateField("Child's date of birth (optional)", widget=GovDateInput(), format="%d %m %Y",
                                       description="For example, 14 6 2012",
                                       not_real="The child's date of birth must be a real date",
                                       validators=[])   # all three boxes empty: none given
    submit = SubmitField("Open the case", widget=GovSubmitInput())

    def validate_child_date_of_birth(self, field):
        if field.data and field.data > today():
            raise ValidationError("The child's date of birth must be today or in the past")

    def validate_started(self, field):
        if field.data and field.data > today():
            raise ValidationError("The date the placement started must be today or in the past")


@bp.route("/new", methods=["GET", "POST"])
@role_required(*CASE_ROLES)
def new():
    user = current_user()
    policy = policy_in_force(user.council_id)
    form = NewCaseForm()
    types = policy.vocabulary.placement_types if policy else {}
    form.placement_type.choices = [(k, _label(v) or k) for k, v in types.items()]
    problems, status = [], 200
    token = form_tokens.posted(request.form) if request.method == "POST" else None
    if request.method == "GET":
        token, used = form_tokens.for_page(user.id, None, FORM_ID, request.args.get(form_tokens.URL_ARG))
        if used is not None and used.case_id is not None:  # Back to the page after it opened the case
            return _already_opened(used.case_id)
    if request.method == "POST" and token is None:  # nothing opened; drawn again as typed, with a fresh token
        problems, status = [{"text": form_tokens.refuse_missing("form", FORM_ID)}], form_tokens.MISSING_STATUS
    elif form.validate_on_submit():
        s = db.session()
        ref = form.child_ref.data.strip()
        try:
            used = form_tokens.use(token, user.id, None, FORM_ID)
        except form_tokens.AlreadyUsed as e:
            if e.token is not None and e.token.case_id is not None:
                return _already_opened(e.token.case_id)
            s.rollback()
            token = None
            form.child_ref.errors.append("This page has expired. Check the details and open the case again")
        else:
            try:
                case = open_case(user, user.council_id, ref, form.placement_type.data, form.started.data,
                                 form.child_date_of_birth.data, via="web", policy=policy)
            except NotOpened as problem:  # the token stays unused for the corrected post
                fields = {"child.date_of_birth": form.child_date_of_birth, "placement.started": form.started}
                fields.get(problem.field, form.child_ref).errors.append(problem.message)
            else:
                form_tokens.saved(used, case_id=case.id)
                s.commit()
                return redirect(url_for("cases.show", case_id=case.id))
    token = token or form_tokens.issue(user.id, None, FORM_ID)
    return render_template("workflow/new_case.html", form=form, form_token=token, token_field=form_tokens.FIELD,
                           problems=problems), status


def _already_opened(case_id: int):
    """The new-case page posted again after it opened the case: nothing is opened twice."""
    case = get_or_404(Case, case_id)
    refused("form_already_saved", 409, "form", FORM_ID)
    return render_template("workflow/already_saved.html", case=case, defn=None, heading="Open a case", saved=None,
                           again=url_for(".new")), 409 if request.method == "POST" else 200
