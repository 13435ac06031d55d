"""Every publication of the council's policy, newest first: when it takes (or took) effect,
its content, who published and who approved it, when and why; which one is in force today
and which are due later. Any set other than the one in force can be published again (roll
back): "Publish this again" opens the publish page for that set, which goes through the same
request and approval by two officers as a draft, with a new effective date.
"""
from __future__ import annotations

from sqlalchemy import select

from flask import render_template

from ... import db, policy_store
from ...audit import audit
from ...auth import role_required
from ...evaluation import today
from ...models import AuditAction, PolicyPublication, PublicationRequest, RequestStatus
from .access import WORKSPACE_ROLES, workspace_council
from .releasing_common import bp

# Requests withdrawn or declined, most recent first, shown under the publications.
RECENT_DECISIONS = 20


@bp.get("/history")
@role_required(*WORKSPACE_ROLES)
def history(council: str):
    shown = workspace_council(council)
    s = db.session()
    day = today()
    in_force = policy_store.publication_in_force(s, shown.id, day)
    publications = s.scalars(select(PolicyPublication).where(PolicyPublication.council_id == shown.id)
                             .order_by(PolicyPublication.effective_from.desc(), PolicyPublication.published_at.desc(),
                                       PolicyPublication.id.desc())).all()
    rows = [{"publication": publication,
             "state": "in force" if in_force is not None and publication.id == in_force.id
             else "due" if publication.effective_from > day else "replaced",
             "again": in_force is None or publication.set_id != in_force.set_id}
            for publication in publications]
    declined = s.scalars(select(PublicationRequest).where(
        PublicationRequest.council_id == shown.id, PublicationRequest.status == RequestStatus.WITHDRAWN.value)
        .order_by(PublicationRequest.approved_at.desc(), PublicationRequest.id.desc()).limit(RECENT_DECISIONS)).all()
    audit(AuditAction.VIEWED, "policy_set", None, {"page": "history", "publications": len(rows)},
          council_id=shown.id)
    return render_template("workspace/history.html", title="History", shown_council=shown,
                           stage="workspace_releasing.history", rows=rows, declined=declined, today=day)
