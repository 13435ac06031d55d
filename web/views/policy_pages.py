"""The council's policy, read in the browser: plain-English pages of the version in force
(or any version, from the list with their effective dates), each rule beside the sentence
of the council's document it encodes, and each of the council's forms previewed exactly as
workers see it.

For the council's own staff (social workers, managers and policy officers), like its
document; another council's policy is a 404, audited like any other cross-council attempt,
and every page viewed is an audit entry. The words come from hearth.engine.policy_words;
the forms are drawn by hearth.forms, the same stack the workflow fills them with, with no
buttons (nothing here is saved: "Add another" shows the preview again with a row more).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, current_app, render_template, request

from hearth.engine import api, form_words, policy_words
from hearth.engine.policy_model import Policy, PolicyVersion
from hearth.forms import build_form_class, render_form

from .. import workflow as wf
from ..audit import audit
from ..auth import role_required
from ..evaluation import policy_in_force, today
from ..models import AuditAction, Role
from ..scoping import own_council_or_404
from .document import DOCUMENT_ROLES
from .workspace.editing import change_links_for, form_change_link

bp = Blueprint("policy_pages", __name__, url_prefix="/councils")

# The sections whose rules count working days: their pages say how.
COUNTED = ("deadlines", "duties", "gates")
# The app role whose view of a form the preview shows (hearth.web.workflow.for_role).
PREVIEW_ROLE = Role.WORKER


@dataclass(frozen=True)
class VersionRow:
    version: PolicyVersion
    until: date | None   # the day the next version took (or takes) over
    state: str           # "in_force", "earlier" or "later"


def _council(council_id: str) -> api.Council:
    """The signed-in user's council, or 404 (audited when it is another council's)."""
    return own_council_or_404(council_id, "council_policy")


def _policy(council: api.Council) -> Policy | None:
    try:
        return api.get_policy(council.id, on=today())  # the set in force on the service's day
    except api.SourceError as exc:
        current_app.logger.warning("The policy of %s cannot be shown: %s", council.id, exc)
        return None


def version_rows(policy: Policy, on: date) -> list[VersionRow]:
    """Every version, newest first, with the day it gave way and whether it is in force on ``on``."""
    try:
        in_force = policy.version_on(on)
    except api.NoPolicyInForce:
        in_force = None
    rows = []
    for index, version in enumerate(policy.versions):
        after = policy.versions[index + 1].effective_from if index + 1 < len(policy.versions) else None
        state = "in_force" if version is in_force else ("later" if version.effective_from > on else "earlier")
        rows.append(VersionRow(version, after, state))
    return rows[::-1]


def _chosen(policy: Policy, version: str | None) -> PolicyVersion:
    """The version asked for, or the one in force today (the first, before any is)."""
    if version is not None:
        found = next((v for v in policy.versions if v.version == version), None)
        if found is None:
            abort(404)
        return found
    try:
        return policy.version_on(today())
    except api.NoPolicyInForce:
        return policy.versions[0]


def _viewed(council: api.Council, page: str, version: PolicyVersion | None) -> None:
    audit(AuditAction.VIEWED, "council_policy", council.id, {"page": page, "version": version.version if version else None},
          council_id=council.id, policy=version)


@bp.get("/<council>/policy")
@bp.get("/<council>/policy/versions/<version>")
@role_required(*DOCUMENT_ROLES)
def index(council: str, version: str | None = None):
    shown = _council(council)
    policy = _policy(shown)
    if policy is None:
        _viewed(shown, "index", None)
        return render_template("policy/index.html", shown_council=shown, policy=None)
    chosen = _chosen(policy, version)
    words = policy_words.entries(chosen)
    counts = {section: sum(1 for entry in words if entry.section == section) for section, _ in policy_words.SECTIONS}
    forms = wf.catalog(shown.id).describe()
    _viewed(shown, "index", chosen)
    return render_template("policy/index.html", shown_council=shown, policy=policy, chosen=chosen,
                           pinned=version is not None, versions=version_rows(policy, today()),
                           sections=policy_words.SECTIONS, counts=counts, forms=forms)


@bp.get("/<council>/policy/<section>")
@bp.get("/<council>/policy/versions/<version>/<section>")
@role_required(*DOCUMENT_ROLES)
def section(council: str, section: str, version: str | None = None):
    shown = _council(council)
    if section not in policy_words.SECTION_TITLES:
        abort(404)
    policy = _policy(shown)
    if policy is None:
        abort(404)
    chosen = _chosen(policy, version)
    tables = {kind: policy_words.placement_rows(chosen, kind) for kind in ("chair", "invitees") if kind == section}
    _viewed(shown, section, chosen)
    return render_template("policy/section.html", shown_council=shown, chosen=chosen, pinned=version is not None,
                           section=section, heading=policy_words.SECTION_TITLES[section],
                           entries=policy_words.section_entries(chosen, section), table=tables.get(section),
                           working_days=policy_words.calendar_words(chosen) if section in COUNTED else (),
                           change_link=change_links_for(shown.id))


@bp.get("/<council>/policy/forms/<form_id>")
@role_required(*DOCUMENT_ROLES)
def form(council: str, form_id: str):
    shown = _council(council)
    defn = wf.definition(shown.id, form_id)
    if defn is None:
        abort(404)
    version = policy_in_force(shown.id)
    defn = wf.for_role(defn, version, PREVIEW_ROLE)
    preview = build_form_class(defn)(request.args or None, today=today())
    preview.row_action()
    body = render_form(preview, action=request.path, method="get", submit_label=None, today=today())
    said = form_words.form_entries(defn, version)[1:] if version is not None else ()  # its questions and checks
    _viewed(shown, f"form:{defn.id}", version)
    return render_template("policy/form.html", shown_council=shown, defn=defn, body=body, said=said,
                           questions_link=form_change_link(shown.id, defn.id))
