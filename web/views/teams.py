"""A council's teams, run by its admin: creating one, renaming it and choosing its manager
(a manager or an admin of the same council), and who is in it. Members are set on the
people pages (a person's team), so one person is in one team."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from .. import db
from ..admin_scope import chosen_council, council_args, known_councils, row_or_404, users_of
from ..audit import audit
from ..auth import role_required
from ..models import AuditAction, Role, Team, User
from ..people_forms import chosen_id
from ..validators import PlainText
from .people import MANAGING_ROLES

bp = Blueprint("teams", __name__, url_prefix="/admin/teams")
NO_MANAGER = ""


class TeamForm(FlaskForm):
    name = StringField("Team name", widget=GovTextInput(),
                       validators=[InputRequired("Enter the team's name"),
                                   Length(max=100, message="Team name must be 100 characters or fewer"), PlainText()])
    manager = SelectField("Manager", widget=GovSelect(), default=NO_MANAGER,
                          description="A manager or administrator of the council")
    submit = SubmitField("Save", widget=GovSubmitInput())

    def fill(self, council_id: str) -> None:
        """The council's active managers and admins to choose from (none of another council's)."""
        people = db.session().scalars(users_of(council_id).where(User.role.in_(MANAGING_ROLES), User.active))
        self.manager.choices = [(NO_MANAGER, "No manager")] + [(str(p.id), p.name or p.email) for p in people]


def _name_taken(council_id: str, name: str, team_id: int | None = None) -> bool:
    stmt = select(Team.id).where(Team.council_id == council_id, func.lower(Team.name) == name.lower())
    if team_id is not None:
        stmt = stmt.where(Team.id != team_id)
    return db.session().scalar(stmt) is not None


@bp.get("")
@role_required(Role.ADMIN)
def index():
    council = chosen_council()
    if council is None:
        return render_template("admin/choose_council.html", councils=known_councils(), area="Teams",
                               endpoint="teams.index")
    s = db.session()
    teams = s.scalars(select(Team).where(Team.council_id == council.id).order_by(Team.name)).all()
    sizes = dict(s.execute(select(User.team_id, func.count()).where(User.council_id == council.id,
                                                                     User.team_id.is_not(None))
                           .group_by(User.team_id)).all())
    audit(AuditAction.VIEWED, "team_list", None, {"count": len(teams)}, council_id=council.id)
    return render_template("admin/teams.html", shown=council, teams=teams, sizes=sizes, args=council_args(council.id))


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new():
    council = chosen_council()
    if council is None:
        return redirect(url_for("teams.index"))
    form = TeamForm()
    form.fill(council.id)
    if form.validate_on_submit():
        name = form.name.data.strip()
        if not _name_taken(council.id, name):
            s = db.session()
            team = Team(council_id=council.id, name=name, manager_id=chosen_id(form.manager.data))
            s.add(team)
            try:
                s.flush()
            except IntegrityError:
                s.rollback()
            else:
                audit(AuditAction.CREATED, "team", team.id, {"manager": team.manager_id}, council_id=council.id)
                flash(f"Team {team.name} created. Add people to it from their pages.", "success")
                return redirect(url_for("teams.show", team_id=team.id))
        form.name.errors.append(f"{council.short_name} already has a team called {name}")
    return render_template("admin/team_form.html", form=form, shown=council, team=None, args=council_args(council.id))


@bp.route("/<int:team_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def show(team_id: int):
    team = row_or_404(Team, team_id, "team")
    form = TeamForm(data={"name": team.name, "manager": str(team.manager_id or "")})
    form.fill(team.council_id)
    if form.validate_on_submit():
        name, manager_id = form.name.data.strip(), chosen_id(form.manager.data)
        if _name_taken(team.council_id, name, team.id):
            form.name.errors.append(f"There is already a team called {name}")
        else:
            changed = {}
            if name != team.name:
                changed["name"] = "renamed"   # names are the council's words: the audit says that it changed
                team.name = name
            if manager_id != team.manager_id:
                changed["manager"] = {"from": team.manager_id, "to": manager_id}
                team.manager_id = manager_id
            if changed:
                audit(AuditAction.CHANGED, "team", team.id, changed, council_id=team.council_id)
            flash(f"Team {team.name} saved" if changed else "Nothing was changed", "success")
            return redirect(url_for("teams.show", team_id=team.id))
    else:
        audit(AuditAction.VIEWED, "team", team.id, council_id=team.council_id)
    members = db.session().scalars(users_of(team.council_id).where(User.team_id == team.id)).all()
    return render_template("admin/team.html", form=form, team=team, members=members, args=council_args(team.council_id))
