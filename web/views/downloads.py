"""Downloads for managers and their council's admin, as CSV for a spreadsheet
(hearth.web.spreadsheet): the dashboard's list with the filters it shows, and a month's meeting
timeliness (hearth.web.timeliness). Workers see their cases on the pages; these lists are the
council's, so they are a manager's. Every download is audited as an export."""
from __future__ import annotations

from calendar import month_name

from flask import Blueprint, abort, render_template
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField, SubmitField, ValidationError
from wtforms.validators import InputRequired, Length

from hearth.engine import api

from .. import db, timeliness
from ..audit import audit, refused
from ..auth import current_user, role_required
from ..evaluation import evaluate_case, policy_in_force, today
from ..filters import humanise, person, placement_label
from ..models import AuditAction, Case, Role
from ..pdf import download
from ..scoping import scoped_select
from ..spreadsheet import csv_bytes
from . import dashboard

bp = Blueprint("downloads", __name__, url_prefix="/downloads")

DOWNLOAD_ROLES = (Role.MANAGER, Role.ADMIN)
FIRST_YEAR = 2000   # no council kept these records before; an earlier year is a typing mistake
CASES_HEADER = ("Child reference", "Placement", "Worker", "Next deadline", "Due", "Status", "Arranged for")


def _council() -> api.Council:
    """The signed-in manager's or admin's council. The service-wide admin has none and never sees
    a child's record: a 403, audited (the page exists; it is not theirs)."""
    council_id = current_user().council_id
    if council_id is None:
        refused("no_council", 403)
        abort(403)
    return api.get_council(council_id)


def _case_cells(row: dashboard.Row) -> tuple:
    """One dashboard row as the page shows it, in words; dates as YYYY-MM-DD for sorting."""
    base = (row.case.child_ref, placement_label(row.placement_type), person(row.case.worker))
    if row.next is not None:
        return base + (humanise(row.next.title), row.next.due[:10], humanise(row.next.status),
                       row.next.planned_for or "")
    if row.problem:
        return base + ("Could not be checked against the policy", "", "Not checked", "")
    if row.needs_decision:
        return base + ("Nothing decided yet", "", "Needs a decision", "")
    return base + ("No deadline", "", "", "")


@bp.get("/cases.csv")
@role_required(*DOWNLOAD_ROLES)
def cases_csv():
    council = _council()
    _people, worker, _teams, team, status = dashboard.filters()
    rows = dashboard.case_rows(worker, status, team)
    audit(AuditAction.EXPORTED, "case_list", None, {"format": "csv", "count": len(rows), "worker": worker,
                                                    "team": team, "status": status},
          policy=policy_in_force(council.id))
    return download(csv_bytes(CASES_HEADER, (_case_cells(row) for row in rows)), "text/csv; charset=utf-8",
                    f"{council.id}-open-cases-{today().isoformat()}.csv")


class MonthForm(FlaskForm):
    month = SelectField("Month", widget=GovSelect(), default=None,
                        choices=[(str(number), month_name[number]) for number in range(1, 13)],
                        validators=[InputRequired("Select the month")])
    year = StringField("Year", widget=GovTextInput(), description="For example, 2026",
                       validators=[InputRequired("Enter the year"), Length(max=4, message="Enter the year as 4 digits")])
    submit = SubmitField("Download the CSV", widget=GovSubmitInput())

    def validate_year(self, field) -> None:
        text = (field.data or "").strip()
        if not (text.isascii() and text.isdigit() and len(text) == 4):
            raise ValidationError("Enter the year as 4 digits, for example 2026")
        if not FIRST_YEAR <= int(text) <= today().year:
            raise ValidationError(f"Enter a year from {FIRST_YEAR} to {today().year}")
        if self.month.data and (int(text), int(self.month.data)) > (today().year, today().month):
            raise ValidationError("The month must be this month or before")


@bp.route("/meeting-timeliness", methods=["GET", "POST"])
@role_required(*DOWNLOAD_ROLES)
def meeting_timeliness():
    council = _council()
    form = MonthForm()
    if not form.is_submitted():
        form.month.data, form.year.data = str(today().month), str(today().year)
    if form.validate_on_submit():
        year, month = int(form.year.data.strip()), int(form.month.data)
        first, last = timeliness.month_bounds(year, month)
        cases = db.session().scalars(scoped_select(Case).options(selectinload(Case.worker), selectinload(Case.events))
                                     .order_by(Case.child_ref))
        found = [meeting for case in cases for meeting in timeliness.meetings(case, evaluate_case(case).answer,
                                                                               first, last)]
        audit(AuditAction.EXPORTED, "meeting_timeliness", None, {"format": "csv", "month": f"{year}-{month:02d}",
                                                                "count": len(found)},
              policy=policy_in_force(council.id))
        return download(csv_bytes(timeliness.HEADER, (meeting.cells(person(meeting.case.worker)) for meeting in found)),
                        "text/csv; charset=utf-8", f"{council.id}-meeting-timeliness-{year}-{month:02d}.csv")
    audit(AuditAction.VIEWED, "meeting_timeliness", None, policy=policy_in_force(council.id))
    return render_template("downloads/timeliness.html", form=form, council=council)
