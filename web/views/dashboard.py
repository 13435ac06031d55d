"""The home page: the user's council's cases. Deadlines join here once the engine evaluates."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy.orm import selectinload

from .. import db
from ..audit import audit
from ..auth import current_user, login_required
from ..models import AuditAction, Case, Role
from ..scoping import scoped_select

bp = Blueprint("dashboard", __name__)

# Who works with children's records. Policy officers and system admins do not need them.
CASE_ROLES = (Role.WORKER, Role.MANAGER)


@bp.get("/")
@login_required
def index():
    cases = []
    if current_user().role in CASE_ROLES:
        stmt = (scoped_select(Case).options(selectinload(Case.worker))
                .order_by(Case.status.desc(), Case.child_ref))
        cases = db.session().scalars(stmt).all()
        audit(AuditAction.VIEWED, "case_list", None, {"count": len(cases)})
    # INTEGRATION POINT (engine evaluate): for each open case, call
    # hearth.web.evaluation.evaluate_case(case) and show its next pending deadline.
    return render_template("dashboard.html", cases=cases, can_see_cases=current_user().role in CASE_ROLES)
