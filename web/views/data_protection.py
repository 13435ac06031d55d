"""Records and data protection, for a council's own admin (/admin/records): finding a child's
record (its subject-access export, its audit, who may open it) and reviewing the records past
the council's retention period, which are erased only once an admin has confirmed it.

The service-wide admin (no council) is told these are each council's own. A child's record
pages, their exports and audit are in hearth.web.views.records_case; who may open a restricted
case in hearth.web.views.restriction: both on this blueprint.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextInput
from sqlalchemy import select, update
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from hearth.engine import api

from .. import db, retention
from ..access_models import RetentionReview, ReviewStatus
from ..audit import audit, refused
from ..auth import current_user, role_required
from ..evaluation import today
from ..jobs import JobError
from ..models import AuditAction, Case, Role, utcnow
from ..validators import PlainText

bp = Blueprint("data_protection", __name__, url_prefix="/admin/records")
bp.add_app_template_filter(retention.ordinal, "ordinal")
REVIEWS_SHOWN = 20
UNDERSTOOD = "I understand these records will be erased and cannot be recovered"


class FindChildForm(FlaskForm):
    child_ref = StringField("Child's reference", widget=GovTextInput(),
                            description="The reference on the child's record, for example C-0001",
                            validators=[InputRequired("Enter the child's reference"),
                                        Length(max=64, message="The child's reference must be 64 characters or fewer"),
                                        PlainText()])
    submit = SubmitField("Find the record", widget=GovSubmitInput())


class StartReviewForm(FlaskForm):
    submit = SubmitField("Look for records past the period", widget=GovSubmitInput())


class CancelReviewForm(FlaskForm):
    submit = SubmitField("Cancel this review", widget=GovSubmitInput())


class ConfirmErasureForm(FlaskForm):
    understood = BooleanField(UNDERSTOOD, widget=GovCheckboxInput(),
                              validators=[DataRequired("Select the box to say you understand the records "
                                                       "cannot be recovered")])
    count = StringField("How many records will be erased?", widget=GovTextInput(),
                        description="Type the number of records listed to be erased",
                        validators=[InputRequired("Enter the number of records to be erased"),
                                    Length(max=9, message="Enter the number of records to be erased")])
    submit = SubmitField("Erase these records", widget=GovSubmitInput())

    def __init__(self, expected: int, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def validate_count(self, field):
        if field.data.strip() != str(self.expected):
            raise ValidationError(f"Enter {self.expected}, the number of records listed to be erased")


def admin_council() -> str:
    """The signed-in admin's council; a 404 (audited) for the service-wide admin, whose pages
    these are not: a council's records are its own admin's to look after."""
    council_id = current_user().council_id
    if council_id is None:
        refused("no_council", 404)
        abort(404)
    return council_id


def review_or_404(review_id: int) -> RetentionReview:
    """A review of the admin's own council, or 404 (another council's is audited)."""
    council_id = admin_council()
    review = db.session().get(RetentionReview, review_id)
    if review is None:
        abort(404)
    if review.council_id != council_id:
        refused("another_council", 404, "retention_review", review_id)
        abort(404)
    return review


@bp.route("/", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def index():
    council_id = current_user().council_id
    if council_id is None:
        audit(AuditAction.VIEWED, "records", None, {"page": "index"})
        return render_template("data_protection/index.html", council_id=None)
    form = FindChildForm(prefix="find")
    if form.validate_on_submit():
        ref = form.child_ref.data.strip()
        case = db.session().scalar(select(Case).where(Case.council_id == council_id, Case.child_ref == ref))
        if case is not None:
            return redirect(url_for(".case", case_id=case.id))
        form.child_ref.errors.append(f"There is no case for child {ref}")
    s = db.session()
    reviews = s.scalars(select(RetentionReview).where(RetentionReview.council_id == council_id)
                        .order_by(RetentionReview.id.desc()).limit(REVIEWS_SHOWN)).all()
    audit(AuditAction.VIEWED, "records", council_id, {"page": "index"})
    return render_template("data_protection/index.html", council_id=council_id, form=form,
                           start_form=StartReviewForm(prefix="start"), reviews=reviews,
                           records=api.get_council(council_id).settings.records)


@bp.post("/reviews")
@role_required(Role.ADMIN)
def start_review():
    council_id = current_user().council_id
    if council_id is None:   # the service-wide admin: the index says these are each council's own
        return redirect(url_for(".index"))
    form = StartReviewForm(prefix="start")
    if not form.validate_on_submit():
        return redirect(url_for(".index"))
    try:
        review = retention.start_review(council_id, current_user(), today())
    except JobError as exc:
        flash(f"The review could not be started: {exc}")
        return redirect(url_for(".index"))
    return redirect(url_for(".review", review_id=review.id))


def _review_page(review: RetentionReview, form: ConfirmErasureForm | None = None):
    listed = review.listed or []
    to_erase = retention.to_erase(review)
    form = form or ConfirmErasureForm(len(to_erase), prefix="confirm")
    audit(AuditAction.VIEWED, "retention_review", review.id, {"status": review.status})
    return render_template("data_protection/review.html", review=review, to_erase=to_erase,
                           still_open=[e for e in listed if e.get("kind") == retention.STILL_OPEN],
                           no_date_of_birth=[e for e in listed if e.get("kind") == retention.NO_DATE_OF_BIRTH],
                           form=form, cancel_form=CancelReviewForm(prefix="cancel"),
                           keep_until_age=retention.keep_until_age(review.council_id))


@bp.get("/reviews/<int:review_id>")
@role_required(Role.ADMIN)
def review(review_id: int):
    return _review_page(review_or_404(review_id))


@bp.post("/reviews/<int:review_id>/erase")
@role_required(Role.ADMIN)
def confirm_erasure(review_id: int):
    """Nothing is erased without this: the box ticked and the number of records typed."""
    found = review_or_404(review_id)
    if found.status != ReviewStatus.LISTED.value:
        flash("This review is not waiting for a confirmation: nothing was erased.")
        return redirect(url_for(".review", review_id=found.id))
    form = ConfirmErasureForm(len(retention.to_erase(found)), prefix="confirm")
    if not form.validate_on_submit():
        return _review_page(found, form)
    s = db.session()
    # Only one confirmation takes: the status moves from LISTED exactly once.
    moved = s.execute(update(RetentionReview).where(RetentionReview.id == found.id,
                                                    RetentionReview.status == ReviewStatus.LISTED.value)
                      .values(status=ReviewStatus.ERASING.value, confirmed_by_id=current_user().id,
                              confirmed_at=utcnow())).rowcount
    if not moved:
        s.rollback()
        flash("This review is not waiting for a confirmation: nothing was erased.")
        return redirect(url_for(".review", review_id=found.id))
    audit(AuditAction.APPROVED, "retention_review", found.id, {"to_erase": len(retention.to_erase(found))},
          commit=False)
    s.commit()
    s.refresh(found)
    try:
        retention.start_erasure(found)
    except JobError as exc:
        flash(f"The erasure could not be started: {exc}")
    return redirect(url_for(".review", review_id=found.id))


@bp.post("/reviews/<int:review_id>/cancel")
@role_required(Role.ADMIN)
def cancel_review(review_id: int):
    found = review_or_404(review_id)
    if CancelReviewForm(prefix="cancel").validate_on_submit():
        if retention.cancel(found):
            flash("The review was cancelled. Nothing was erased.", "success")
        else:
            flash("This review can no longer be cancelled.")
    return redirect(url_for(".review", review_id=found.id))


# A child's record pages and who may open a restricted case live on this blueprint too.
from . import records_case, restriction  # noqa: E402,F401
