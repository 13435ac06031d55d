"""Council scoping: every query for council data goes through here, so a user only
ever sees their own council's rows and another council's URL answers 404. A 404 for
an object that does exist in another council is a security event: it is recorded in
the audit trail (hearth.web.audit.refused) here, where the refusal is decided, for the
pages and the API alike.

A restricted case (Case.restricted) is a second scope inside the council: only the users
named on it (hearth.web.access_models.CaseAccess) see it, in every page, form, list, count
and API answer, because every query for cases goes through ``scoped`` here. Everyone else,
admins included, gets the same 404 as for a case that does not exist, audited as
``restricted``."""
from __future__ import annotations

from typing import TypeVar

from flask import abort
from sqlalchemy import ColumnElement, Select, false, or_, select

from hearth.engine import api

from . import db
from .audit import refused
from .auth import current_user
from .access_models import CaseAccess
from .models import Case, Submission, User

T = TypeVar("T")


def user_council_id() -> str | None:
    """The signed-in user's council id (None for a cross-council admin or no user)."""
    user = current_user()
    return user.council_id if user else None


def case_open_to(user: User | None) -> ColumnElement[bool]:
    """The condition a case meets when ``user`` may see it: it is not restricted, or it names
    them. Without a user (a background job), only unrestricted cases."""
    if user is None:
        return Case.restricted.is_(False)
    return or_(Case.restricted.is_(False),
               Case.id.in_(select(CaseAccess.case_id).where(CaseAccess.user_id == user.id)))


def scoped(stmt: Select, model) -> Select:
    """Filter `stmt` to the current user's council (and, for cases, to those they may see:
    restricted ones only when named). Users with no council (system admins) see no council
    data here; audit views widen this on purpose, elsewhere."""
    council_id = user_council_id()
    if council_id is None:
        return stmt.where(false())
    stmt = stmt.where(model.council_id == council_id)
    if model is Case:
        stmt = stmt.where(case_open_to(current_user()))
    return stmt


def scoped_select(model) -> Select:
    return scoped(select(model), model)


def get_or_404(model: type[T], object_id: int) -> T:
    """One row of the user's council, or 404 (never 403: that would confirm it exists).

    When the row exists but belongs to another council (or the user has none), the
    attempt is audited before the 404; an id that exists nowhere is an ordinary 404."""
    s = db.session()
    obj = s.scalar(scoped(select(model).where(model.id == object_id), model))
    if obj is None:
        found = s.execute(select(model.council_id).where(model.id == object_id)).first()
        if found is not None:
            council_id = user_council_id()
            if council_id is None:
                reason = "no_council"
            elif found.council_id == council_id:
                reason = "restricted"  # the only way a row of the user's own council is out of scope
            else:
                reason = "another_council"
            refused(reason, 404, model.__name__.lower(), object_id)
        abort(404)
    return obj


def council_case_or_404(case_id: int) -> Case:
    """A case of the user's council whether or not it is restricted, or 404 (audited as
    get_or_404's). Only for the pages that look after a record's protection -- who is named
    on it, its audit, its retention -- which never show what the record holds."""
    s = db.session()
    council_id = user_council_id()
    case = s.get(Case, case_id)
    if case is None:
        abort(404)
    if council_id is None or case.council_id != council_id:
        refused("another_council" if council_id is not None else "no_council", 404, "case", case_id)
        abort(404)
    return case


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
