"""The home page: the council's open cases, 25 to a page, each with its next deadline and the
policy's recommendation: overdue first, then those that need a decision (a meeting recommended,
nothing decided yet), then by due date. Filtered by worker, team and status, and searched by
child reference or worker's name, with a plain GET form. A worker sees the cases allocated to
them (worker_id) unless they choose otherwise, so a case transferred to them is on their list
at once.

The list reads each case's stored summary (hearth.web.case_summaries), so a page costs the same
with 10,000 open cases as with 10: only cases whose events changed since their summary are
evaluated before listing (a few), and stale summaries (another day's or another policy's) only
for the rows the page shows."""
from __future__ import annotations

from dataclasses import dataclass, replace
from math import ceil

from flask import Blueprint, render_template, request
from sqlalchemy import Select, and_, case as sql_case, func, or_, select
from sqlalchemy.orm import selectinload

from .. import actions, case_summaries, db, entry_warnings, funding
from ..audit import audit
from ..auth import current_user, login_required
from ..case_summaries import STATUS_ORDER, Summary
from ..evaluation import NextDue, end_of_week, policy_in_force, today
from ..models import AuditAction, Case, Role, Team, User
from ..scoping import case_open_to, scoped_select

bp = Blueprint("dashboard", __name__)

# Who works with children's records. Policy officers and system admins do not need them.
CASE_ROLES = (Role.WORKER, Role.MANAGER)
STATUSES = {"all": "Any", "overdue": "Overdue", "decision": "Needs a decision", "week": "Due this week",
            "none": "No deadline"}
PAGE_SIZE = 25
LOAD_BATCH = 500   # cases loaded by id at once (the CSV's whole list, a few hundred at a time)
SEARCH_LENGTH = 64
# Cases whose events changed without a new summary (a record withdrawn) are summarised before
# listing, so they sort where they belong; more than this (a database just upgraded) waits for
# the refresh job, and each page refreshes its own rows meanwhile.
BEFORE_LISTING = 100
# Overdue, needs a decision, pending, not checked, no deadline; a case with no summary yet last.
_RANK = sql_case(*((Case.next_status == status, rank) for rank, status in enumerate(STATUS_ORDER)),
                 else_=len(STATUS_ORDER))

# What else a case's row says when it is not 0 ("2 overdue actions"): (one, many, a function of
# the page's case ids answering {case id: count}), asked once per page for its 25 cases only.
EXTRA_COUNTS: tuple = (
    ("overdue action", "overdue actions", lambda case_ids: actions.overdue_action_counts(db.session(), case_ids)),
    ("point for a manager", "points for a manager",
     lambda case_ids: entry_warnings.warning_counts(db.session(), case_ids)),
)


@dataclass(frozen=True)
class Row:
    case: Case
    next: NextDue | None
    problem: str | None  # the evaluation's problem, when there is no answer
    placement_type: str | None  # in force today: after a move, not the one the case was opened with
    status: str = "none"  # one of case_summaries.STATUS_ORDER
    recommendation: str | None = None
    recommendation_label: str | None = None
    counts: tuple = ()   # EXTRA_COUNTS in words for this case ("2 overdue actions"), those not 0

    @property
    def needs_decision(self) -> bool:
        return self.status == "decision"

    @property
    def order(self) -> tuple:
        rank = STATUS_ORDER.index(self.status) if self.status in STATUS_ORDER else len(STATUS_ORDER)
        return rank, self.next.due if self.next else "", self.case.child_ref


def _row(case: Case, summary: Summary) -> Row:
    return Row(case, summary.next, summary.problem, summary.placement_type, summary.status,
               summary.recommendation, summary.recommendation_label)


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


def search_choice() -> tuple[str, str | None]:
    """The search words (child reference or worker's name) and, when they cannot be used, why."""
    words = " ".join(request.args.get("search", "").split())
    if len(words) > SEARCH_LENGTH:
        return "", f"Search for {SEARCH_LENGTH} characters or fewer"
    return words, None


def _page_choice() -> int:
    text = request.args.get("page", "1")
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 7 and int(text) > 0 else 1


def _scope(worker: str, team: str, search: str) -> Select:
    """The user's council's open cases they may see, with the worker, team and search chosen."""
    stmt = scoped_select(Case).where(Case.status == "open")
    if worker == "none":
        stmt = stmt.where(Case.worker_id.is_(None))
    elif worker != "all":
        stmt = stmt.where(Case.worker_id == int(worker))
    if team != "all":
        stmt = stmt.where(Case.team_id == int(team))
    if search:
        pattern = "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        workers = select(User.id).where(User.council_id == current_user().council_id,
                                        or_(func.lower(User.name).like(pattern, escape="\\"),
                                            func.lower(User.email).like(pattern, escape="\\")))
        # lower(child_ref) and worker_id are in the summary index: the search reads it, not the rows.
        stmt = stmt.where(or_(func.lower(Case.child_ref).like(pattern, escape="\\"), Case.worker_id.in_(workers)))
    return stmt


def _status_condition(status: str):
    """The SQL condition of the status chosen; None for any status."""
    if status == "week":
        return and_(Case.next_status == "pending", Case.next_due_on <= end_of_week(today()))
    if status in ("overdue", "decision", "none"):
        return Case.next_status == status
    return None


def _summarise_changed(scope: Select) -> int:
    """Summaries for the cases in scope whose events changed since theirs (at most
    BEFORE_LISTING); how many were made."""
    ids = db.session().scalars(scope.with_only_columns(Case.id).where(Case.summary_as_of.is_(None))
                               .order_by(Case.id).limit(BEFORE_LISTING)).all()
    return len(case_summaries.refresh_ids(list(ids)))


def _rows_of(cases: list[Case]) -> list[Row]:
    """Rows for these cases from their summaries, refreshing those not made today under the policy in force."""
    on = today()
    stale = [c.id for c in cases if not case_summaries.is_current(c, on, policy_in_force(c.council_id, on))]
    fresh = case_summaries.refresh_ids(stale, on) if stale else {}
    rows = []
    for case in cases:
        summary = fresh.get(case.id) or case_summaries.stored(case)
        rows.append(_row(case, summary or Summary("none", placement_type=case.placement_type)))
    return sorted(rows, key=lambda r: r.order)


@dataclass(frozen=True)
class Listing:
    rows: list[Row]
    total: int
    page: int
    pages: int
    catching_up: int   # cases in scope whose stored summary is not yet today's (the order may move)

    def page_numbers(self) -> list[int | None]:
        """GOV.UK pagination's items: the first and last pages and those beside this one, None
        for the gaps between (an ellipsis)."""
        shown = sorted({1, self.pages, *range(max(1, self.page - 1), min(self.pages, self.page + 1) + 1)})
        numbers: list[int | None] = []
        for number in shown:
            if numbers and number - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


def listing(worker: str, status: str, team: str = "all", search: str = "", page: int = 1,
            size: int | None = PAGE_SIZE) -> Listing:
    """One page of the dashboard (every row with size=None) for these filters."""
    s = db.session()
    scope = _scope(worker, team, search)
    condition = _status_condition(status)
    chosen = scope if condition is None else scope.where(condition)
    policy = policy_in_force(current_user().council_id) if current_user().council_id else None
    # The first count filters by the status alone: the scope (a search, say) is the WHERE's, once.
    chosen_count = func.count(Case.id) if condition is None else func.count(Case.id).filter(condition)
    counts = (scope.with_only_columns(chosen_count,
                                      func.count(Case.id).filter(case_summaries.not_current(today(), policy)),
                                      func.count(Case.id).filter(Case.summary_as_of.is_(None)))
              .order_by(None))
    total, behind, changed = s.execute(counts).one()   # one pass over the cases for all three
    if changed and _summarise_changed(scope):
        total, behind, changed = s.execute(counts).one()
    pages = max(1, ceil(total / size)) if size else 1
    page = min(max(page, 1), pages)
    # The page's ids sorted first, then only its cases loaded: the sort carries ids, not rows.
    ordered = chosen.with_only_columns(Case.id).order_by(_RANK, Case.next_due, Case.child_ref)
    if size:
        ordered = ordered.offset((page - 1) * size).limit(size)
    ids = s.scalars(ordered).all()
    loaded = {case.id: case for start in range(0, len(ids), LOAD_BATCH)
              for case in s.scalars(select(Case).where(Case.id.in_(ids[start:start + LOAD_BATCH]))
                                    .options(selectinload(Case.worker)))}
    rows = _rows_of([loaded[case_id] for case_id in ids])
    if rows:
        figures = [(one, many, count([row.case.id for row in rows])) for one, many, count in EXTRA_COUNTS]
        rows = [replace(row, counts=tuple(f"{n} {one if n == 1 else many}" for one, many, figure in figures
                                          if (n := figure.get(row.case.id, 0)))) for row in rows]
    return Listing(rows, total, page, pages, behind)


def filters() -> tuple[list[User], str, list[Team], str, str]:
    """The council's people and teams, and the worker, team and status the request chooses:
    the page's filters, which its CSV download (hearth.web.views.downloads) follows too."""
    people = db.session().scalars(scoped_select(User).where(User.role.in_(list(CASE_ROLES)), User.active)
                                  .order_by(User.name, User.email)).all()
    teams = db.session().scalars(scoped_select(Team).order_by(Team.name)).all()
    status = request.args.get("status", "all")
    return people, _worker_choice(people), teams, _team_choice(teams), status if status in STATUSES else "all"


def case_rows(worker: str, status: str, team: str = "all") -> list[Row]:
    """Every row of the dashboard for these filters and the request's search (its CSV's)."""
    return listing(worker, status, team, search_choice()[0], size=None).rows


@bp.get("/")
@login_required
def index():
    user = current_user()
    if user.role not in CASE_ROLES:
        return render_template("dashboard.html", can_see_cases=False)
    people, worker, teams, team, status = filters()
    search, search_error = search_choice()
    shown = listing(worker, status, team, search, _page_choice())
    detail = {"count": shown.total, "worker": worker, "team": team, "status": status}
    if search:
        detail["search"] = search
    if shown.page > 1:
        detail["page"] = shown.page
    # A manager's queue of requests waiting for their decision, above their cases.
    waiting = (funding.awaiting_decision(db.session(), user.council_id, case_open_to(user))
               if user.role == Role.MANAGER else None)
    if waiting is not None:
        detail["waiting"] = len(waiting)
    audit(AuditAction.VIEWED, "case_list", None, detail, policy=policy_in_force(user.council_id))
    chosen = {"worker": worker, "team": team, "status": status, "search": search or None}
    return render_template("dashboard.html", can_see_cases=True, listing=shown, rows=shown.rows, people=people,
                           worker=worker, teams=teams, team=team, status=status, statuses=STATUSES,
                           search=search, search_error=search_error, chosen=chosen, page_size=PAGE_SIZE,
                           waiting=waiting,
                           today=today(), week_end=end_of_week(today()))
