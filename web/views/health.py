"""Liveness for the load balancer: answers without a session and says nothing about data."""
from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text

from .. import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session().execute(text("SELECT 1"))
    except Exception:
        return {"status": "error", "database": "unavailable"}, 503
    return {"status": "ok"}
