"""The home page: the council's open cases, each with its next deadline from the live
evaluation, overdue first, filtered by worker, team and status with a plain GET form.
A worker sees the cases allocated to them (worker_id) unless they choose otherwise, so a
case transferred to them is on their list at once."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template, request
from sqlalchemy.orm import selectinload

from .. import db
from ..audit import audit
from ..auth import current_user, login_required
from ..evaluation import NextDue, end_of_week, evaluate_case, next_due, policy_in_force, today
from ..models import AuditAction, Case, Role, Team, User
from ..scoping import scoped_select

bp = Blueprint("dashboard", __name__)

# Who works with children's records. Policy officers and system admins do not need them.
CASE_ROLES = (Role.WORKER, Role.MANAGER)
STATUSES = {"all": "Any", "overdue": "Overdue", "week": "Due this week", "none": "No deadline"}


@dataclass(frozen=True)
class Row:
    case: Case
    next: NextDue | None
    problem: str | None  # the evaluation's problem, when there is no answer
    placement_type: str | None  # in force today: after a move, not the one the case was opened with

    @property
    def order(self) -> tuple:
        group = 3 if self.next is None else (0 if self.next.status == "overdue" else 1)
        if self.next is None and self.problem:
            group = 2  # unknown deadlines before "none": someone should look
        return group, self.next.due if self.next else "", self.case.child_ref


def _worker_choice(people: list[User]) -> str:
    """`all`, `none` (unassigned) or a user id of this council; workers default to themselves."""
    user = current_user()
    default = str(user.id) if user.role == Role.WORKER else "all"
    chosen = request.args.get("worker", default)
    return chosen if chosen in {"all", "none", *(str(p.id) for p in people)} else default


def _team_choice(teams: list[Team]) -> str:
    """`all` or a team id of this council."""
    chosen = request.args.get("team", "all")
    return chosen if chosen in {"all", *(str(t.id) for t in teams)} else "all"


def _matches(row: Row, status: str) -> bool:
    if status == "overdue":
        return row.next is not None and row.next.status == "overdue"
    if status == "week":
        return (row.next is not None and row.next.status == "pending"
                and row.next.day <= end_of_week(today()))
    if status == "none":
        return row.next is None and row.problem is None
    return True


def _rows(worker: str, status: str, team: str = "all") -> list[Row]:
    stmt = (scoped_select(Case).where(Case.status == "open")
            .options(selectinload(Case.worker), selectinload(Case.events)))
    if worker == "none":
        stmt = stmt.where(Case.worker_id.is_(None))
    elif worker != "all":
        stmt = stmt.where(Case.worker_id == int(worker))
    if team != "all":
        stmt = stmt.where(Case.team_id == int(team))
    rows = []
    for case in db.session().scalars(stmt):
        evaluation = evaluate_case(case)  # once per case: remembered for this request
        in_force = (evaluation.answer or {}).get("placement") or {}
        rows.append(Row(case, next_due(evaluation.answer), evaluation.problem,
                        in_force.get("type", case.placement_type)))
    return sorted((r for r in rows if _matches(r, status)), key=lambda r: r.order)


def filters() -> tuple[list[User], str, list[Team], str, str]:
    """The council's people and teams, and the worker, team and status the request chooses:
    the page's filters, which its CSV download (hearth.web.views.downloads) follows too."""
    people = db.session().scalars(scoped_select(User).where(User.role.in_(list(CASE_ROLES)), User.active)
                                  .order_by(User.name, User.email)).all()
    teams = db.session().scalars(scoped_select(Team).order_by(Team.name)).all()
    status = request.args.get("status", "all")
    return people, _worker_choice(people), teams, _team_choice(teams), status if status in STATUSES else "all"


def case_rows(worker: str, status: str, team: str = "all") -> list[Row]:
    """The dashboard's rows for these filters (the page's and its CSV's)."""
    return _rows(worker, status, team)


@bp.get("/")
@login_required
def index():
    user = current_user()
    if user.role not in CASE_ROLES:
        return render_template("dashboard.html", can_see_cases=False)
    people, worker, teams, team, status = filters()
    rows = _rows(worker, status, team)
    policy = policy_in_force(user.council_id)
    audit(AuditAction.VIEWED, "case_list", None, {"count": len(rows), "worker": worker, "team": team,
                                                    "status": status},
          policy=policy)
    return render_template("dashboard.html", can_see_cases=True, rows=rows, people=people, worker=worker,
                           teams=teams, team=team, status=status, statuses=STATUSES, today=today(), week_end=end_of_week(today()))
