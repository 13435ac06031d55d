"""The policy status page: for admins and a council's policy officers, each council's
policy state and its mistakes, located (file, line, column), so the people told by the
banner on every page can see what to fix. A system admin sees every council; a council's
admin and policy officers see their own. Nothing here names a child or a person.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, render_template

from hearth.engine import api

from ..auth import current_user, role_required
from ..councils import TOLD_ROLES
from ..evaluation import today

bp = Blueprint("policy_status", __name__)


def _shown_file(file: str, root: Path) -> str:
    """A problem's file as the policy officer knows it: under the policies folder."""
    try:
        return str(Path(file).relative_to(root))
    except ValueError:
        return file


@bp.get("/policy-status")
@role_required(*TOLD_ROLES)
def show():
    user = current_user()
    root = api.policies_root()
    states = api.policy_states(on=today())
    if user.council_id:
        states = {k: v for k, v in states.items() if k == user.council_id}
    names = {c.id: c.name for c in api.list_councils()}
    councils = [{"id": council_id, "name": names.get(council_id, council_id), **state,
                 "problems": [{**p, "file": _shown_file(p["file"], root)} for p in state["problems"]]}
                for council_id, state in states.items()]
    return render_template("policy_status.html", councils=councils)
