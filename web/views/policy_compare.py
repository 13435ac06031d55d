"""Compare councils: two or more councils' published policies side by side, topic by topic,
each cell with the council's source sentence (hearth.engine.policy_compare).

The one deliberate cross-council read: policies are public documents, so any signed-in
policy officer or manager of any council may compare them. Only the published version in
force on the service's day is read (the library the app installs holds publications only),
never a draft and never a case. Councils are chosen with ``?council=<id>`` repeated (every
council the service runs when none is chosen); an unknown id, one council only or too many
are a located GOV.UK error message with a 400, never a 500. Every comparison shown is audited.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from hearth.engine import api
from hearth.engine.policy_compare import compare

from ..audit import audit
from ..auth import role_required
from ..evaluation import today
from ..models import AuditAction, Role

bp = Blueprint("policy_compare", __name__, url_prefix="/policy")

COMPARE_ROLES = (Role.POLICY_OFFICER, Role.MANAGER)
MAX_COUNCILS = 6        # columns a page can hold and still be read
MIN_COUNCILS = 2
_MAX_SAID = 40          # characters of an unknown id repeated back in a message
OBJECT = "policy_comparison"
FIELD = "council"       # the checkboxes' name, and the id of the first (what an error links to)
SUBMITTED = "compare"   # the Compare button's name: the form was sent, perhaps with no council ticked


def _said(council_id: str) -> str:
    """An id as asked for, short and printable, to repeat back in a message."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in council_id[:_MAX_SAID])
    return shown + ("…" if len(council_id) > _MAX_SAID else "")


def _problem(asked: list[str], known: dict) -> str | None:
    """What is wrong with the councils asked for, in words, or None."""
    unknown = [council_id for council_id in dict.fromkeys(asked) if council_id not in known]
    if unknown:
        names = ", ".join(f"'{_said(council_id)}'" for council_id in unknown[:3])
        return f"There is no council {names} in this service: choose councils from the list."
    if len(set(asked)) < MIN_COUNCILS:
        return f"Choose at least {MIN_COUNCILS} councils to compare."
    if len(set(asked)) > MAX_COUNCILS:
        return f"Choose at most {MAX_COUNCILS} councils to compare."
    return None


def _published(council: api.Council):
    """The council's published version in force on the service's day, or None (said in the log)."""
    try:
        return api.get_policy(council.id, on=today()).version_on(today())
    except (api.SourceError, api.NoPolicyInForce) as exc:
        current_app.logger.warning("The policy of %s cannot be compared: %s", council.id, exc)
        return None


def _page(choices: list[dict], error: str | None = None, comparison=None, missing=(), status: int = 200):
    return render_template("policy/compare.html", choices=choices, error=error, comparison=comparison,
                           missing=missing, field=FIELD, submitted=SUBMITTED,
                           max_councils=MAX_COUNCILS), status


@bp.get("/compare")
@role_required(*COMPARE_ROLES)
def show():
    known = {council.id: council for council in api.list_councils()}  # the published library's councils
    asked = [council_id for council_id in request.args.getlist(FIELD) if council_id]
    if not asked and SUBMITTED not in request.args:  # a first visit: every council (up to the most a page holds)
        asked = list(known)[:MAX_COUNCILS]
    chosen = list(dict.fromkeys(council_id for council_id in asked if council_id in known))
    choices = [{"value": council.id, "text": council.name, "checked": council.id in chosen}
               for council in known.values()]
    error = _problem(asked, known)
    if error:
        return _page(choices, error, status=400)
    policies = [(known[council_id], _published(known[council_id])) for council_id in chosen]
    missing = [council.name for council, version in policies if version is None]
    policies = [(council, version) for council, version in policies if version is not None]
    if len(policies) < MIN_COUNCILS:
        return _page(choices, "The policies of fewer than two of these councils can be read today: "
                              f"{', '.join(missing)} cannot. Choose other councils.", missing=missing)
    audit(AuditAction.VIEWED, OBJECT, None,
          {"councils": [council.id for council, _ in policies],
           "versions": {council.id: version.version for council, version in policies}})
    return _page(choices, comparison=compare(policies), missing=missing)
