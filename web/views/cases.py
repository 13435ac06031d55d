"""One child's case: reference, placement, what to do next, timeline and what the policy says today."""
from __future__ import annotations

from flask import Blueprint, render_template

from .. import case_facts, entry_warnings
from ..audit import audit
from ..auth import role_required
from ..case_records import CaseRecords
from ..evaluation import evaluate_case, policy_in_force, today
from ..explain import recommendation_why
from ..models import AuditAction, Case
from ..next_steps import next_steps
from ..scoping import get_or_404
from .dashboard import CASE_ROLES

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.get("/<int:case_id>")
@role_required(*CASE_ROLES)
def show(case_id: int):
    case = get_or_404(Case, case_id)
    evaluation = evaluate_case(case)
    answer = evaluation.answer
    policy = policy_in_force(case.council_id)
    # The audit names the version (and the set) the answer came from, so a decision can be traced to it.
    audit(AuditAction.VIEWED, "case", case.id, policy=answer["policy"] if answer else None)
    records = CaseRecords.load(case)  # read once, shared by every part of the page
    facts = None
    if answer:
        facts = {"chair": case_facts.latest(case, case_facts.CHAIR),
                 "arranger": case_facts.latest(case, case_facts.ARRANGER),
                 "attendance": case_facts.attendance(case, answer),
                 "interventions": case_facts.interventions(case, answer, records),
                 "why": recommendation_why(answer, policy)}
    return render_template("case.html", case=case, evaluation=evaluation, answer=answer, policy=policy, today=today(),
                           steps=next_steps(case, answer, policy, records) if case.status == "open" else [],
                           facts=facts, records=records,
                           open_ones=entry_warnings.open_warnings(case, records.with_status("submitted")))
