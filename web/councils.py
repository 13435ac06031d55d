"""The signed-in user's council, as the engine describes it, for pages and views."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, g, url_for

from .assets import brand_stylesheet
from .auth import current_user

if TYPE_CHECKING:
    from hearth.engine.api import Council


def current_council() -> Council | None:
    """The engine's Council for the signed-in user, or None (no user, or a system admin)."""
    if "council" not in g:
        # Imported here so the web package (and `hearth db ...`) loads even while the
        # engine is mid-change; pages still need it.
        from hearth.engine.api import UnknownCouncil, get_council

        user = current_user()
        council = None
        if user is not None and user.council_id:
            try:
                council = get_council(user.council_id)
            except UnknownCouncil:
                council = None  # a council folder was removed: show pages unbranded
        g.council = council
    return g.council


def init_app(app: Flask) -> None:
    @app.context_processor
    def _council():
        council = current_council()
        return {
            "council": council,
            "current_user": current_user(),
            "brand_css": url_for("static", filename=brand_stylesheet(council.id if council else None)),
            "themeColor": (council.brand.get("colour") if council else None) or "#505a5f",
        }
