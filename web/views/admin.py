"""Administration: the landing page listing the admin areas (people, teams and API tokens
live in their own modules), and the audit trail. System admins (no council) see every
council's; a council's own admin sees that council's.

The page shows what an auditor needs to follow who did what: when, who, council,
action, which object (type and id), the policy version, how a refused request ended
and why, what was asked for, and from which address. An entry's `detail` may hold
more (a child's reference sent to the evaluate endpoint, the email typed at a failed
sign-in): that stays in the database for an investigation and is never drawn here.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import false, func, select
from sqlalchemy.orm import selectinload

from hearth.engine.api import list_councils
from hearth.rules.limits import text_problem

from .. import db
from ..audit import audit
from ..auth import current_user, role_required
from ..models import AuditAction, AuditEntry, Role, User

bp = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 50
# A page number is at most this many digits; anything else is page 1, and a page past
# the end is the last page (a 20-digit page overflowed the database's OFFSET: a 500).
MAX_PAGE_DIGITS = 9


def _page_number(text: str | None) -> int:
    if text and text.isascii() and text.isdigit() and len(text) <= MAX_PAGE_DIGITS:
        return max(int(text), 1)
    return 1


def _filters() -> tuple[dict[str, str], list[str]]:
    """The filters asked for that can be used, and a sentence for each that cannot."""
    chosen, problems = {}, []
    # Not "action": a form field of that name hides the form's own action in the DOM.
    action = request.args.get("audit_action", "")
    if action in {a.value for a in AuditAction}:
        chosen["audit_action"] = action
    for name, label in (("council", "Council"), ("user", "Email address")):
        value = request.args.get(name, "").strip()
        if not value:
            continue
        problem = text_problem(value, 254)
        if problem:
            problems.append(f"{label}: {problem}")
        else:
            chosen[name] = value.lower() if name == "user" else value
    return chosen, problems


@bp.get("")
@role_required(Role.ADMIN)
def index():
    """What an admin runs: people, teams, API tokens, the audit trail."""
    return render_template("admin/index.html")


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit_trail():
    filters, problems = _filters()
    scope = select(AuditEntry)
    council_id = current_user().council_id
    if council_id is not None:  # a council's own admin sees only that council
        scope = scope.where(AuditEntry.council_id == council_id)
    s = db.session()
    councils = [council_id] if council_id is not None else s.scalars(
        select(AuditEntry.council_id).where(AuditEntry.council_id.is_not(None)).distinct()
        .order_by(AuditEntry.council_id)).all()
    stmt = scope
    if "audit_action" in filters:
        stmt = stmt.where(AuditEntry.action == filters["audit_action"])
    if "council" in filters:
        stmt = stmt.where(AuditEntry.council_id == filters["council"])
    if "user" in filters:
        stmt = stmt.where(AuditEntry.user_id.in_(select(User.id).where(func.lower(User.email) == filters["user"])))
    if problems:
        stmt = stmt.where(false())
    total = s.scalar(select(func.count()).select_from(stmt.subquery()))
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(_page_number(request.args.get("page")), pages)
    entries = s.scalars(stmt.options(selectinload(AuditEntry.user))
                        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    audit(AuditAction.VIEWED, "audit_trail", None, {"page": page, **filters})
    return render_template("admin/audit.html", entries=entries, page=page, pages=pages, total=total,
                           filters=filters, problems=problems, actions=[a.value for a in AuditAction],
                           councils=councils, council_names={c.id: c.name for c in list_councils()})
