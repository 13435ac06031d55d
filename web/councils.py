"""The signed-in user's council, as the engine describes it, for pages and views; and
whether their council's policy files have mistakes, for the people who can fix them."""
from __future__ import annotations

from flask import Flask, g, url_for

from hearth.engine import api
from hearth.engine.api import Council

from .assets import brand_stylesheet
from .auth import current_user
from .evaluation import today
from .models import Role

# Who is told, on every page, that a council's policy files have mistakes: the people who
# can fix them or get them fixed. Others keep working with the version in force.
TOLD_ROLES = (Role.ADMIN, Role.POLICY_OFFICER)


def current_council() -> Council | None:
    """The engine's Council for the signed-in user, or None (no user, or a system admin)."""
    if "council" not in g:
        user = current_user()
        council = None
        if user is not None and user.council_id:
            try:
                council = api.get_council(user.council_id, on=today())  # the last good council.yaml if it went bad
            except api.UnknownCouncil:
                council = None  # a council folder was removed: show pages unbranded
        g.council = council
    return g.council


def policy_troubles() -> list[dict]:
    """The councils this user is told about whose policy is stale or broken: a system admin
    hears of every council, a council's admin and policy officers of their own; nobody else
    (their pages keep working with the version in force)."""
    if "policy_troubles" not in g:
        user = current_user()
        troubles = []
        if user is not None and user.role in TOLD_ROLES:
            if user.council_id:
                try:
                    states = {user.council_id: api.policy_state(user.council_id, on=today())}
                except api.UnknownCouncil:
                    states = {}
            else:
                states = api.policy_states(on=today())
            names = {c.id: c.name for c in api.list_councils()}
            troubles = [{"council": council_id, "name": names.get(council_id, council_id), **state}
                        for council_id, state in states.items() if state["state"] != "ok"]
        g.policy_troubles = troubles
    return g.policy_troubles


def init_app(app: Flask) -> None:
    @app.context_processor
    def _council():
        council = current_council()
        return {
            "council": council,
            "current_user": current_user(),
            "brand_css": url_for("static", filename=brand_stylesheet(council.id if council else None)),
            "themeColor": (council.brand.get("colour") if council else None) or "#505a5f",
            "policy_troubles": policy_troubles(),
        }
