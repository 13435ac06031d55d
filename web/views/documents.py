"""A child's record as documents to keep: a submitted meeting record (any form submitted on a
case) and the case's history, each a tagged PDF (hearth.web.pdf) with the council's name, for
upload to the council's case-management system.

They are opened as the case is (hearth.web.scoping.get_or_404): another council's case, or a
restricted case the user is not named on, is a 404, audited; every download is audited as an
export."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth.engine import api
from hearth.forms import render_answers

from .. import db
from .. import workflow as wf
from ..access_models import CaseAllocation
from ..audit import audit
from ..auth import role_required
from ..evaluation import policy_in_force, today
from ..models import AuditAction, Case, Event, Submission, User
from ..pdf import download, render_pdf
from ..scoping import get_or_404, submission_or_404
from .dashboard import CASE_ROLES

bp = Blueprint("documents", __name__, url_prefix="/cases")

# A draft is not a record yet: only these are documents.
RECORDED = ("submitted", "amended", "withdrawn")


def _person(user_id: int | None) -> User | None:
    return db.session().get(User, user_id) if user_id is not None else None


def _record(case: Case, sub: Submission) -> dict:
    """One record's title, answers in words (as its page shows them) and who made it."""
    defn = wf.definition(case.council_id, sub.form_id, sub.form_version)
    return {"sub": sub, "title": defn.title if defn else None, "version": defn.version if defn else sub.form_version,
            "answers": render_answers(defn, sub.data or {}) if defn else None,
            "recorded_by": _person(sub.updated_by_id or sub.created_by_id),
            "withdrawn_by": _person(sub.withdrawn_by_id)}


@bp.get("/<int:case_id>/submissions/<int:submission_id>/record.pdf")
@role_required(*CASE_ROLES)
def record_pdf(case_id: int, submission_id: int):
    case = get_or_404(Case, case_id)
    sub = submission_or_404(case, submission_id)
    if sub.status not in RECORDED:   # a draft has no document until it is submitted: back to it
        flash("A draft has no PDF: submit it first, then download the record.")
        return redirect(url_for("workflow.submission", case_id=case.id, submission_id=sub.id))
    council = api.get_council(case.council_id)
    record = _record(case, sub)
    title = f"{record['title'] or sub.form_id} – {case.child_ref} – {council.name}"
    body = render_pdf("documents/record_pdf.html", title, case=case, council=council, record=record)
    audit(AuditAction.EXPORTED, "submission", sub.id, {"case": case.id, "format": "pdf"},
          policy=policy_in_force(case.council_id))
    return download(body, "application/pdf", f"{council.id}-case-{case.id}-record-{sub.id}.pdf")


@bp.get("/<int:case_id>/history.pdf")
@role_required(*CASE_ROLES)
def history_pdf(case_id: int):
    case = get_or_404(Case, case_id)
    s = db.session()
    council = api.get_council(case.council_id)
    events = s.scalars(select(Event).where(Event.case_id == case.id).options(selectinload(Event.recorded_by))
                       .order_by(Event.on, Event.id)).all()
    records = [_record(case, sub) for sub in s.scalars(
        select(Submission).where(Submission.case_id == case.id, Submission.status.in_(RECORDED))
        .order_by(Submission.updated_at, Submission.id))]
    allocations = s.scalars(select(CaseAllocation).where(CaseAllocation.case_id == case.id)
                            .order_by(CaseAllocation.at, CaseAllocation.id)).all()
    title = f"Case history of {case.child_ref} – {council.name}"
    body = render_pdf("documents/history_pdf.html", title, case=case, council=council, events=events,
                      records=records, allocations=allocations, made_on=today())
    audit(AuditAction.EXPORTED, "case_history", case.id, {"format": "pdf", "events": len(events),
                                                          "records": len(records)},
          policy=policy_in_force(case.council_id))
    return download(body, "application/pdf", f"{council.id}-case-{case.id}-history-{today().isoformat()}.pdf")
