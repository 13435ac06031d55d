"""Transferring a case: a manager or the council's admin gives it to another worker and team,
with a reason; the page lists every allocation before. The case page shows who has the
case now, with a link here (``case_team`` names its team)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from .. import db
from ..admin_scope import users_of
from ..allocation import REASON_LENGTH, allocate, history
from ..audit import audit
from ..auth import current_user, role_required
from ..models import AuditAction, Case, Role, Team, User
from ..people_forms import NO_TEAM, chosen_id, team_choices
from ..scoping import get_or_404
from ..validators import PlainText
from .dashboard import CASE_ROLES

bp = Blueprint("allocation", __name__, url_prefix="/cases")
TRANSFER_ROLES = (Role.MANAGER, Role.ADMIN)


class TransferForm(FlaskForm):
    worker = SelectField("Worker", widget=GovSelect(), validators=[InputRequired("Select the worker")])
    team = SelectField("Team", widget=GovSelect())
    reason = TextAreaField("Why is the case moving?", widget=GovCharacterCount(),
                           description="For example, the worker is leaving the team",
                           validators=[InputRequired("Enter why the case is moving"),
                                       Length(max=REASON_LENGTH,
                                              message=f"The reason must be {REASON_LENGTH:,} characters or fewer"),
                                       PlainText()])
    submit = SubmitField("Transfer the case", widget=GovSubmitInput())

    def fill(self, council_id: str) -> None:
        """The council's active social workers and managers, and its teams: nobody of another council."""
        people = db.session().scalars(users_of(council_id).where(User.role.in_([r.value for r in CASE_ROLES]),
                                                                  User.active))
        self.worker.choices = [("", "Choose a worker")] + [(str(p.id), p.name or p.email) for p in people]
        self.team.choices = team_choices(council_id)


@bp.app_template_global()
def case_team(case: Case) -> Team | None:
    """The team a case is allocated to (the case page's summary)."""
    return db.session().get(Team, case.team_id) if case.team_id is not None else None


@bp.route("/<int:case_id>/transfer", methods=["GET", "POST"])
@role_required(*TRANSFER_ROLES)
def transfer(case_id: int):
    case = get_or_404(Case, case_id)
    s = db.session()
    form = TransferForm(data={"worker": str(case.worker_id or ""), "team": str(case.team_id or NO_TEAM)})
    form.fill(case.council_id)
    if form.validate_on_submit():
        worker, team_id = s.get(User, int(form.worker.data)), chosen_id(form.team.data)
        if worker.id == case.worker_id and team_id == case.team_id:
            form.worker.errors.append(f"The case is already allocated to {worker.name or worker.email}: "
                                      "choose another worker or team")
        else:
            before = {"worker": case.worker_id, "team": case.team_id}
            allocate(s, case, worker, s.get(Team, team_id) if team_id else None, current_user(),
                     form.reason.data.strip())
            audit(AuditAction.CHANGED, "case", case.id,
                  {"transferred": {"from": before, "to": {"worker": worker.id, "team": team_id}}},
                  council_id=case.council_id)
            flash(f"Case {case.child_ref} is now allocated to {worker.name or worker.email}", "success")
            return redirect(url_for("allocation.transfer", case_id=case.id))
    else:
        audit(AuditAction.VIEWED, "case_allocations", case.id, council_id=case.council_id)
    return render_template("admin/transfer.html", form=form, case=case, team=case_team(case),
                           allocations=history(s, case), can_open_case=current_user().role in CASE_ROLES)
