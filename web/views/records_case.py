"""One child's record, for the council's admin: its page (/admin/records/cases/<id>), its
subject-access export (JSON and PDF, hearth.web.subject_access) and the audit of who viewed,
changed, exported or was refused it.

The record's page and its audit are the admin's even on a restricted case they are not named
on (they look after its protection, and the audit holds no child's data); the export holds the
whole record, so it is opened like the case itself: a restricted case's export is a 404 for an
admin not named on it (hearth.web.scoping), who may name themselves first, which is audited.
"""
from __future__ import annotations

import json

from flask import Response, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import db, subject_access
from ..access_models import CaseAccess
from ..audit import audit
from ..auth import current_user, role_required
from ..models import AuditAction, AuditEntry, Case, Role
from ..scoping import council_case_or_404, get_or_404
from .data_protection import admin_council, bp

PER_PAGE = 50          # as the whole audit trail's page (hearth.web.views.admin)
MAX_PAGE_DIGITS = 9    # a longer page number is page 1 (never an OFFSET the database cannot take)


def page_number(text: str | None) -> int:
    if text and text.isascii() and text.isdigit() and len(text) <= MAX_PAGE_DIGITS:
        return max(int(text), 1)
    return 1


def may_open(case: Case) -> bool:
    """Whether the signed-in user may see what the case holds (not restricted, or named)."""
    if not case.restricted:
        return True
    return db.session().scalar(select(CaseAccess.id).where(CaseAccess.case_id == case.id,
                                                           CaseAccess.user_id == current_user().id)) is not None


@bp.get("/cases/<int:case_id>")
@role_required(Role.ADMIN)
def case(case_id: int):
    admin_council()
    found = council_case_or_404(case_id)
    audit(AuditAction.VIEWED, "case_record", found.id, {"page": "records"})
    return render_template("data_protection/case.html", case=found, may_open=may_open(found))


def _download(body: bytes | str, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _held(case_id: int) -> dict:
    admin_council()
    return subject_access.export(get_or_404(Case, case_id))  # a restricted case: only when named


@bp.get("/cases/<int:case_id>/export.json")
@role_required(Role.ADMIN)
def export_json(case_id: int):
    held = _held(case_id)
    audit(AuditAction.EXPORTED, "subject_access", case_id, {"format": "json", "events": len(held["events"]),
                                                            "submissions": len(held["submissions"])})
    return _download(json.dumps(held, indent=2, ensure_ascii=False), "application/json",
                     subject_access.filename(held, "json"))


@bp.get("/cases/<int:case_id>/export.pdf")
@role_required(Role.ADMIN)
def export_pdf(case_id: int):
    held = _held(case_id)
    body = subject_access.as_pdf(held)
    audit(AuditAction.EXPORTED, "subject_access", case_id, {"format": "pdf", "events": len(held["events"]),
                                                            "submissions": len(held["submissions"])})
    return _download(body, "application/pdf", subject_access.filename(held, "pdf"))


@bp.get("/cases/<int:case_id>/audit")
@role_required(Role.ADMIN)
def case_audit(case_id: int):
    admin_council()
    found = council_case_or_404(case_id)
    s = db.session()
    stmt = subject_access.case_audit(found)
    total = s.scalar(select(func.count()).select_from(stmt.subquery()))
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(page_number(request.args.get("page")), pages)
    entries = s.scalars(stmt.options(selectinload(AuditEntry.user))
                        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    audit(AuditAction.VIEWED, "case_audit", found.id, {"page": page})
    return render_template("data_protection/case_audit.html", case=found, entries=entries, page=page, pages=pages,
                           total=total)
