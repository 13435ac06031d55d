"""Administration: the audit trail. System admins (no council) see every council's."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import db
from ..audit import audit
from ..auth import current_user, role_required
from ..models import AuditAction, AuditEntry, Role

bp = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 50


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit_trail():
    page = max(request.args.get("page", 1, type=int), 1)
    stmt = select(AuditEntry)
    council_id = current_user().council_id
    if council_id is not None:  # a council's own admin sees only that council
        stmt = stmt.where(AuditEntry.council_id == council_id)
    s = db.session()
    total = s.scalar(select(func.count()).select_from(stmt.subquery()))
    entries = s.scalars(stmt.options(selectinload(AuditEntry.user))
                        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    audit(AuditAction.VIEWED, "audit_trail", None, {"page": page})
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    return render_template("admin/audit.html", entries=entries, page=page, pages=pages, total=total)
