"""Council scoping: every query for council data goes through here, so a user only
ever sees their own council's rows and another council's URL answers 404. A 404 for
an object that does exist in another council is a security event: it is recorded in
the audit trail (hearth.web.audit.refused) here, where the refusal is decided, for the
pages and the API alike."""
from __future__ import annotations

from typing import TypeVar

from flask import abort
from sqlalchemy import Select, false, select

from hearth.engine import api

from . import db
from .audit import refused
from .auth import current_user
from .models import Case, Submission

T = TypeVar("T")


def user_council_id() -> str | None:
    """The signed-in user's council id (None for a cross-council admin or no user)."""
    user = current_user()
    return user.council_id if user else None


def scoped(stmt: Select, model) -> Select:
    """Filter `stmt` to the current user's council. Users with no council (system
    admins) see no council data here; audit views widen this on purpose, elsewhere."""
    council_id = user_council_id()
    if council_id is None:
        return stmt.where(false())
    return stmt.where(model.council_id == council_id)


def scoped_select(model) -> Select:
    return scoped(select(model), model)


def get_or_404(model: type[T], object_id: int) -> T:
    """One row of the user's council, or 404 (never 403: that would confirm it exists).

    When the row exists but belongs to another council (or the user has none), the
    attempt is audited before the 404; an id that exists nowhere is an ordinary 404."""
    s = db.session()
    obj = s.scalar(scoped(select(model).where(model.id == object_id), model))
    if obj is None:
        if s.scalar(select(model.id).where(model.id == object_id)) is not None:
            reason = "another_council" if user_council_id() is not None else "no_council"
            refused(reason, 404, model.__name__.lower(), object_id)
        abort(404)
    return obj


def submission_or_404(case: Case, submission_id: int) -> Submission:
    """A submission of this (already scoped) case, or 404. Another case's record (perhaps
    another council's) is refused and audited like any other cross-council attempt."""
    sub = db.session().get(Submission, submission_id)
    if sub is None:
        abort(404)
    if sub.case_id != case.id:
        refused("another_case", 404, "submission", sub.id)
        abort(404)
    return sub


def own_council_or_404(council_id: str, object_type: str) -> api.Council:
    """The council a URL names, when it is the signed-in user's own; 404 otherwise: an unknown
    council, or another council's (audited as a cross-council attempt, ``object_type`` naming
    what was asked for), so nobody learns what another council has."""
    try:
        shown = api.get_council(council_id)
    except api.UnknownCouncil:
        abort(404)
    if current_user().council_id != shown.id:
        refused("another_council", 404, object_type, shown.id)
        abort(404)
    return shown
