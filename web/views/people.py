"""A council's people, run by its admin: who has an account, with which role and team,
inviting someone, changing their role and team, deactivating and reactivating them, and
sending an invitation again.

Nobody is left without an admin: the last active admin of a council cannot be deactivated
or given another role, and nobody deactivates or changes the role of their own account
(another admin does). Deactivating someone ends their sign-ins at once; their API tokens
stop working with them (hearth.web.tokens). Every change is audited with what changed,
never a password or a link.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import account_emails, db, links
from ..admin_scope import chosen_council, council_args, known_councils, user_or_404, users_of
from ..audit import audit, refused
from ..auth import current_user, role_required
from ..models import AuditAction, Case, LinkPurpose, LoginSession, Role, Team, User, utcnow
from ..people_forms import ROLE_HINTS, ROLE_LABELS, ChangeForm, InviteForm, chosen_id
from ..scoping import scoped_select

bp = Blueprint("people", __name__, url_prefix="/admin/people")
# Roles that may manage a team (Team.manager_id).
MANAGING_ROLES = (Role.MANAGER.value, Role.ADMIN.value)


def _teams(council_id: str) -> dict[int, Team]:
    return {team.id: team for team in db.session().scalars(select(Team).where(Team.council_id == council_id))}


def _other_active_admins(user: User) -> int:
    return db.session().scalar(select(func.count()).select_from(User).where(
        User.council_id == user.council_id, User.role == Role.ADMIN.value, User.active, User.id != user.id))


def _invitation_pending(user: User) -> bool:
    """Whether the person has yet to set a password (and does not sign in by single sign-on)."""
    return user.password_hash == "" and user.sso_subject is None


@bp.get("")
@role_required(Role.ADMIN)
def index():
    council = chosen_council()
    if council is None:
        return render_template("admin/choose_council.html", councils=known_councils(), area="People",
                               endpoint="people.index")
    people = db.session().scalars(users_of(council.id)).all()
    audit(AuditAction.VIEWED, "user_list", None, {"count": len(people)}, council_id=council.id)
    return render_template("admin/people.html", shown=council, people=people, teams=_teams(council.id),
                           roles=ROLE_LABELS, args=council_args(council.id), pending=_invitation_pending)


@bp.route("/invite", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def invite():
    council = chosen_council()
    if council is None:
        return redirect(url_for("people.index"))
    form = InviteForm()
    form.fill(council.id)
    if form.validate_on_submit():
        admin, s = current_user(), db.session()
        email = form.email.data.strip().lower()
        person = User(email=email, name=form.name.data.strip(), password_hash="", role=form.role.data,
                      council_id=council.id, team_id=chosen_id(form.team.data))
        if s.scalar(select(User.id).where(func.lower(User.email) == email)) is None:
            s.add(person)
            try:
                s.flush()
            except IntegrityError:  # someone else invited the same address a moment ago
                s.rollback()
            else:
                token = links.issue(s, person, LinkPurpose.INVITE, created_by=admin)
                audit(AuditAction.CREATED, "user", person.id,
                      {"role": person.role, "team": person.team_id, "via": "web"}, council_id=council.id, commit=False)
                s.commit()
                _tell(account_emails.send_invitation(person, token, admin), person, "An invitation has been sent to")
                return redirect(url_for("people.show", user_id=person.id))
        form.email.errors.append("Hearth already has an account with this email address")
    return render_template("admin/invite.html", form=form, shown=council, args=council_args(council.id),
                           hints=ROLE_HINTS)


def _tell(sent: bool, person: User, done: str) -> None:
    if sent:
        flash(f"{done} {person.email}", "success")
    else:
        flash(f"The invitation email to {person.email} could not be sent. Try sending it again in a few minutes.")


def _show(person: User, form: ChangeForm, problem: str | None = None, status: int = 200):
    council_id = person.council_id
    open_cases = []
    if current_user().council_id is not None:  # the service-wide admin sees no child's records
        # scoped: the admin's own council, and no restricted case they are not named on
        open_cases = db.session().scalars(scoped_select(Case).where(Case.status == "open", Case.worker_id == person.id)
                                          .order_by(Case.child_ref)).all()
    return render_template("admin/person.html", person=person, form=form, problem=problem,
                           team=_teams(council_id).get(person.team_id), roles=ROLE_LABELS, hints=ROLE_HINTS,
                           open_cases=open_cases, pending=_invitation_pending(person),
                           args=council_args(council_id)), status


def _change_form(person: User) -> ChangeForm:
    form = ChangeForm(data={"role": person.role, "team": str(person.team_id or "")})
    form.fill(person.council_id)
    return form


@bp.get("/<int:user_id>")
@role_required(Role.ADMIN)
def show(user_id: int):
    person = user_or_404(user_id)
    audit(AuditAction.VIEWED, "user", person.id, council_id=person.council_id)
    return _show(person, _change_form(person))


def _refuse(person: User, reason: str, message: str):
    """A change that would leave the council without an admin, or an admin changing their own
    account: audited, and the page says why."""
    refused(reason, 409, "user", person.id)
    return _show(person, _change_form(person), message, 409)


@bp.post("/<int:user_id>")
@role_required(Role.ADMIN)
def change(user_id: int):
    person = user_or_404(user_id)
    form = ChangeForm()
    form.fill(person.council_id)
    if not form.validate_on_submit():
        return _show(person, form)
    role, team_id = form.role.data, chosen_id(form.team.data)
    if role != person.role:
        if person.id == current_user().id:
            return _refuse(person, "own_account", "You cannot change your own role: ask another administrator")
        if person.role == Role.ADMIN and person.active and not _other_active_admins(person):
            return _refuse(person, "last_admin", f"{person.name or person.email} is the council's only active "
                           "administrator: give someone else that role first")
    changed = {}
    if role != person.role:
        changed["role"] = {"from": person.role, "to": role}
        if role not in MANAGING_ROLES:  # a team's manager is a manager or an admin
            managed = db.session().scalars(select(Team).where(Team.manager_id == person.id)).all()
            for team in managed:
                team.manager_id = None
            if managed:
                changed["no_longer_manages"] = sorted(team.id for team in managed)
        person.role = role
    if team_id != person.team_id:
        changed["team"] = {"from": person.team_id, "to": team_id}
        person.team_id = team_id
    if changed:
        audit(AuditAction.CHANGED, "user", person.id, changed, council_id=person.council_id)
        flash(f"{person.name or person.email}: changes saved", "success")
    else:
        flash("Nothing was changed", "success")
    return redirect(url_for("people.show", user_id=person.id))


@bp.post("/<int:user_id>/deactivate")
@role_required(Role.ADMIN)
def deactivate(user_id: int):
    person = user_or_404(user_id)
    if person.id == current_user().id:
        return _refuse(person, "own_account", "You cannot deactivate your own account: ask another administrator")
    if person.role == Role.ADMIN and person.active and not _other_active_admins(person):
        return _refuse(person, "last_admin", f"{person.name or person.email} is the council's only active "
                       "administrator: give someone else that role first")
    if person.active:
        s = db.session()
        person.active = False
        ended = s.execute(update(LoginSession).where(LoginSession.user_id == person.id, LoginSession.ended_at.is_(None))
                          .values(ended_at=utcnow())).rowcount
        audit(AuditAction.CHANGED, "user", person.id, {"active": {"from": True, "to": False}, "sessions_ended": ended},
              council_id=person.council_id)
    flash(f"{person.name or person.email} is deactivated: they cannot sign in, and their API tokens do not work",
          "success")
    return redirect(url_for("people.show", user_id=person.id))


@bp.post("/<int:user_id>/reactivate")
@role_required(Role.ADMIN)
def reactivate(user_id: int):
    person = user_or_404(user_id)
    if not person.active:
        person.active = True
        audit(AuditAction.CHANGED, "user", person.id, {"active": {"from": False, "to": True}},
              council_id=person.council_id)
    flash(f"{person.name or person.email} can sign in again", "success")
    return redirect(url_for("people.show", user_id=person.id))


@bp.post("/<int:user_id>/invitation")
@role_required(Role.ADMIN)
def resend(user_id: int):
    person = user_or_404(user_id)
    if not (_invitation_pending(person) and person.active):
        flash(f"{person.name or person.email} already has a password or signs in with single sign-on: "
              "no invitation was sent")
        return redirect(url_for("people.show", user_id=person.id))
    admin, s = current_user(), db.session()
    token = links.issue(s, person, LinkPurpose.INVITE, created_by=admin)
    audit(AuditAction.CHANGED, "user", person.id, {"invitation": "sent again"}, council_id=person.council_id,
          commit=False)
    s.commit()
    _tell(account_emails.send_invitation(person, token, admin), person, "A new invitation has been sent to")
    return redirect(url_for("people.show", user_id=person.id))
