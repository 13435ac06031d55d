"""Who may enter a council's workspace, and its stages (the sub-navigation every page shows).

Only the council's own policy officers: a worker, a manager or an admin is a 403 (audited,
hearth.web.auth.role_required); another council's workspace is a 404, audited as any
cross-council attempt, so nobody learns whether another council has a draft.
"""
from __future__ import annotations

from datetime import date

from flask import current_app

from hearth.engine import api
from hearth.engine.policy_files import PolicyFiles

from ... import db, policy_store
from ...models import PolicyDraft, Role
from ...scoping import own_council_or_404

WORKSPACE_ROLES = (Role.POLICY_OFFICER,)
PREFIX = "/councils/<council>/workspace"

# The stages, in the order a change goes through them: (endpoint, label). A page names its own
# stage as ``stage`` for the sub-navigation; an endpoint not registered is not shown.
STAGES = (
    ("workspace_drafts.index", "Draft"),
    ("workspace_trying.what_if", "Try a case"),
    ("workspace_trying.tests", "Policy tests"),
    ("workspace_trying.changes", "Changes in words"),
    ("workspace_releasing.impact", "Impact"),
    ("workspace_releasing.publish", "Publish"),
    ("workspace_releasing.history", "History"),
)


def workspace_council(council_id: str) -> api.Council:
    """The signed-in officer's own council, or 404 (audited when it is another council's or none)."""
    return own_council_or_404(council_id, "policy_workspace")


def stages() -> list[tuple[str, str]]:
    """The stages whose pages exist, for the sub-navigation."""
    return [(endpoint, label) for endpoint, label in STAGES if endpoint in current_app.view_functions]


def published_files(council_id: str, on: date) -> PolicyFiles | None:
    """The council's published set in force on ``on`` (None before any publication)."""
    return policy_store.files_in_force(db.session(), council_id, on)


def latest_published_files(council_id: str) -> PolicyFiles | None:
    """The set of the council's latest publication, whatever its date (None before any)."""
    publication = policy_store.latest_publication(db.session(), council_id)
    return policy_store.set_files(publication.policy_set) if publication is not None else None


def workspace_files(council_id: str) -> tuple[PolicyFiles | None, PolicyDraft | None]:
    """What the workspace works on: the council's draft and its files, or, before anyone has
    saved a change, the latest published set's files and no draft (a draft row is made by the
    first save, hearth.web.policy_store.save_draft, not by looking)."""
    draft = policy_store.draft_of(db.session(), council_id)
    if draft is not None:
        return policy_store.draft_files(draft), draft
    return latest_published_files(council_id), None
