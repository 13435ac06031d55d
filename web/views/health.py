"""Liveness and status for the load balancer and monitoring: both answer without a session
and say nothing about children or people.

/healthz is liveness only: the process answers and reaches its database. /status adds each
council's policy state (ok, stale: the last good version in force while the files have
mistakes, broken: no good version), so monitoring can alert on one council's files without
any council being taken out of the load balancer: it answers 200 while the service can
serve, 503 only when the database cannot be reached.
"""
from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text

from hearth.engine import api

from .. import db
from ..evaluation import today

bp = Blueprint("health", __name__)


def _database_answers() -> bool:
    try:
        db.session().execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure to reach the database is "unavailable"
        return False
    return True


@bp.get("/healthz")
def healthz():
    if not _database_answers():
        return {"status": "error", "database": "unavailable"}, 503
    return {"status": "ok"}


@bp.get("/status")
def status():
    """Each council's policy state, version in force, since when, and how many problems
    (never the problems' text: that names files and may quote them; it is on the policy
    status page for admins and the council's policy officers)."""
    councils = {council_id: {"state": state["state"], "version": state["version"], "since": state["since"],
                             "problems": len(state["problems"])}
                for council_id, state in api.policy_states(on=today()).items()}
    worst = "ok" if all(c["state"] == "ok" for c in councils.values()) else "degraded"
    if not _database_answers():
        return {"status": "error", "database": "unavailable", "councils": councils}, 503
    return {"status": worst, "database": "ok", "councils": councils}
