"""Who may open a restricted case (/admin/records/cases/<id>/restriction): the council's admin,
or the manager of the case's team, restricts or unrestricts it and names or removes people.

Restricting names the person doing it and the case's current worker at once, so the case never
becomes one nobody can open by accident. Unrestricting removes the names: they mean nothing on a
case everyone in the council may open. The admin reaches this page from the records area by the
child's reference even when not named (they manage the list; they open the record only when
named). Every change is audited (CHANGED, ``case_access``), with user ids, never the child's data.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from sqlalchemy import delete, select
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.validators import AnyOf, InputRequired

from .. import db
from ..access_models import CaseAccess, Team
from ..audit import audit, refused
from ..auth import current_user, role_required
from ..models import AuditAction, Case, Role, User
from ..scoping import council_case_or_404
from .data_protection import bp

MANAGING_ROLES = (Role.ADMIN, Role.MANAGER)


class RestrictForm(FlaskForm):
    to = HiddenField(validators=[AnyOf(["restrict", "unrestrict"])])
    submit = SubmitField("Restrict this case", widget=GovSubmitInput())


class NameForm(FlaskForm):
    user = SelectField("Person to name", widget=GovSelect(), validators=[InputRequired("Select a person to name")])
    submit = SubmitField("Name this person", widget=GovSubmitInput())


class RemoveForm(FlaskForm):
    user = HiddenField(validators=[InputRequired()])


@bp.app_template_global()
def may_manage_restriction(case: Case) -> bool:
    """Whether the signed-in user may restrict the case and name people on it: their council's
    admin, or the manager of the case's team."""
    user = current_user()
    if user is None or user.council_id is None or user.council_id != case.council_id:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.MANAGER or case.team_id is None:
        return False
    team = db.session().get(Team, case.team_id)
    return team is not None and team.manager_id == user.id


def _case_or_404(case_id: int) -> Case:
    case = council_case_or_404(case_id)
    if not may_manage_restriction(case):
        refused("not_team_manager", 404, "case_access", case.id)
        abort(404)
    return case


def named(case: Case) -> list[CaseAccess]:
    return db.session().scalars(select(CaseAccess).where(CaseAccess.case_id == case.id)
                                .order_by(CaseAccess.id)).all()


def _candidates(case: Case, already: list[CaseAccess]) -> list[User]:
    """The council's active users not yet named."""
    taken = {access.user_id for access in already}
    people = db.session().scalars(select(User).where(User.council_id == case.council_id, User.active)
                                  .order_by(User.name, User.email)).all()
    return [person for person in people if person.id not in taken]


def _name(case: Case, user_id: int | None) -> bool:
    """Name a user on the case (once); whether they were added."""
    s = db.session()
    if user_id is None or s.scalar(select(CaseAccess.id).where(CaseAccess.case_id == case.id,
                                                               CaseAccess.user_id == user_id)) is not None:
        return False
    s.add(CaseAccess(case_id=case.id, user_id=user_id, granted_by_id=current_user().id))
    s.flush()
    return True


def _page(case: Case, name_form: NameForm | None = None):
    already = named(case)
    name_form = name_form or NameForm(prefix="name")
    name_form.user.choices = [("", "Select a person")] + [
        (str(person.id), f"{person.name or person.email} ({person.role.replace('_', ' ')})")
        for person in _candidates(case, already)]
    audit(AuditAction.VIEWED, "case_access", case.id, {"named": len(already)})
    return render_template("data_protection/restriction.html", case=case, named=already, name_form=name_form,
                           restrict_form=RestrictForm(prefix="restrict"))


@bp.get("/cases/<int:case_id>/restriction")
@role_required(*MANAGING_ROLES)
def restriction(case_id: int):
    return _page(_case_or_404(case_id))


@bp.post("/cases/<int:case_id>/restriction")
@role_required(*MANAGING_ROLES)
def restrict(case_id: int):
    case = _case_or_404(case_id)
    form = RestrictForm(prefix="restrict")
    if not form.validate_on_submit():
        return redirect(url_for(".restriction", case_id=case.id))
    s = db.session()
    if form.to.data == "restrict" and not case.restricted:
        case.restricted = True
        added = [user_id for user_id in (current_user().id, case.worker_id) if _name(case, user_id)]
        audit(AuditAction.CHANGED, "case_access", case.id, {"restricted": True, "named": added}, commit=False)
        flash("The case is restricted: only the people named below can open it.", "success")
    elif form.to.data == "unrestrict" and case.restricted:
        case.restricted = False
        removed = s.execute(delete(CaseAccess).where(CaseAccess.case_id == case.id)).rowcount
        audit(AuditAction.CHANGED, "case_access", case.id, {"restricted": False, "removed": removed}, commit=False)
        flash("The restriction is removed: everyone in the council who works with cases can open it.", "success")
    s.commit()
    return redirect(url_for(".restriction", case_id=case.id))


@bp.post("/cases/<int:case_id>/restriction/people")
@role_required(*MANAGING_ROLES)
def name_person(case_id: int):
    case = _case_or_404(case_id)
    form = NameForm(prefix="name")
    form.user.choices = [("", "Select a person")] + [(str(person.id), person.email)
                                                     for person in _candidates(case, named(case))]
    if not case.restricted:
        flash("Restrict the case before naming people on it.")
        return redirect(url_for(".restriction", case_id=case.id))
    if not form.validate_on_submit():
        return _page(case, form)
    _name(case, int(form.user.data))
    audit(AuditAction.CHANGED, "case_access", case.id, {"named": [int(form.user.data)]}, commit=False)
    db.session().commit()
    flash("The person is named: they can open the case.", "success")
    return redirect(url_for(".restriction", case_id=case.id))


@bp.post("/cases/<int:case_id>/restriction/people/remove")
@role_required(*MANAGING_ROLES)
def remove_person(case_id: int):
    case = _case_or_404(case_id)
    form = RemoveForm(prefix="remove")
    s = db.session()
    if form.validate_on_submit() and form.user.data.isdigit() and len(form.user.data) <= 12:
        removed = s.execute(delete(CaseAccess).where(CaseAccess.case_id == case.id,
                                                     CaseAccess.user_id == int(form.user.data))).rowcount
        if removed:
            audit(AuditAction.CHANGED, "case_access", case.id, {"removed": [int(form.user.data)]}, commit=False)
            s.commit()
            flash("The person is no longer named: they cannot open the case.", "success")
    return redirect(url_for(".restriction", case_id=case.id))
