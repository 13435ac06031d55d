"""Which council an admin page acts on, and the rows of that council it may touch.

A council's admin (an admin with a council) acts only on their own council: another
council's user, team or token id in a URL is a 404, audited as refused, exactly as
hearth.web.scoping does for cases. The service-wide admin (an admin with no council) acts on
any council, choosing it on the page (``?council=<id>``); a row names its own council, so a
URL with an id needs no choice. Nobody reaches a service-wide admin's account through these
pages: those are made on the server (``hearth user create``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, request
from sqlalchemy import Select, select

from hearth.engine import api

from . import db
from .audit import refused
from .auth import current_user
from .models import ApiToken, User

T = TypeVar("T")


def known_councils() -> list[api.Council]:
    """Every council the service holds, by name (for the service-wide admin's choice)."""
    return sorted(api.list_councils(), key=lambda council: council.name)


def chosen_council() -> api.Council | None:
    """The council the page acts on: a council admin's own; for the service-wide admin, the
    one named by ``council`` in the query or form, when it is one the service holds (None
    until they choose)."""
    user = current_user()
    wanted = user.council_id if user.council_id is not None else request.values.get("council", "")
    if not wanted:
        return None
    if wanted not in api.library().council_ids():
        return None
    return api.get_council(wanted)


def council_args(council_id: str) -> dict[str, str]:
    """What a link or form must carry to stay in ``council_id``: for the service-wide admin,
    the council it chose; nothing for a council's admin (the page knows theirs)."""
    return {"council": council_id} if current_user().council_id is None else {}


def may_act_on(council_id: str | None) -> bool:
    """Whether the signed-in admin may act on a row of ``council_id``."""
    own = current_user().council_id
    return council_id is not None and (own is None or own == council_id)


def row_or_404(model: type[T], object_id: int, object_type: str,
               council_of: Callable[[T], str | None] = lambda row: row.council_id) -> T:
    """A row the signed-in admin may act on, or 404 (never 403: that would say it exists).
    A row of another council (or a service-wide admin's account) is audited as refused."""
    row = db.session().get(model, object_id)
    if row is None:
        abort(404)
    if not may_act_on(council_of(row)):
        reason = "another_council" if current_user().council_id is not None else "no_council"
        refused(reason, 404, object_type, object_id)
        abort(404)
    return row


def user_or_404(user_id: int) -> User:
    return row_or_404(User, user_id, "user")


def token_or_404(token_id: int) -> ApiToken:
    """A token of a user of the admin's council (its user's council: tokens made before
    tokens kept their council have none of their own)."""
    return row_or_404(ApiToken, token_id, "api_token", lambda row: row.user.council_id)


def users_of(council_id: str) -> Select:
    """The council's users, by name."""
    return select(User).where(User.council_id == council_id).order_by(User.name, User.email)
