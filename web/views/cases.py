"""One child's case: reference, placement, timeline and what the policy says today."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..audit import audit
from ..auth import role_required
from ..evaluation import evaluate_case, policy_in_force, today
from ..models import AuditAction, Case
from ..scoping import get_or_404
from .dashboard import CASE_ROLES

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.get("/<int:case_id>")
@role_required(*CASE_ROLES)
def show(case_id: int):
    case = get_or_404(Case, case_id)
    evaluation = evaluate_case(case)
    # The audit names the version (and the set) the answer came from, so a decision can be traced to it.
    audit(AuditAction.VIEWED, "case", case.id, policy=evaluation.answer["policy"] if evaluation.answer else None)
    return render_template("case.html", case=case, evaluation=evaluation, answer=evaluation.answer,
                           policy=policy_in_force(case.council_id), today=today())
