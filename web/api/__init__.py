"""The JSON API, `/api/v1/`: councils, cases, events and the evaluation contract,
for other systems, with per-user bearer tokens (`hearth token create --user EMAIL`).

Every answer is JSON, errors included (`{"errors": [{file, line, column, field,
message}]}`); the OpenAPI document at `/api/v1/openapi.json` is generated from the
marshmallow schemas in `schemas.py` and the `doc()` note on each view. Calls are
rate-limited per token's user (`ratelimit.py`): over the limit, 429 with Retry-After.
"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from .. import db
from . import ratelimit
from .auth import authenticate, error, identify

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
bp.before_request(authenticate)


class ApiError(Exception):
    """Stop the view and answer `status` with these located errors."""

    def __init__(self, status: int, errors: list[dict]):
        self.status = status
        self.errors = errors
        super().__init__(errors)


@bp.errorhandler(ApiError)
def _api_error(e: ApiError):
    response = jsonify({"errors": e.errors})
    response.status_code = e.status
    return response


def http_error(e: HTTPException):
    """Also used app-wide for /api/ URLs that match no route (see hearth.web.errors)."""
    # One wording for every 404, so no answer hints at what exists in another council.
    response = error(e.code or 500, "Not found." if e.code == 404 else (e.description or e.name))
    if e.code == 405 and getattr(e, "valid_methods", None):
        response.headers["Allow"] = ", ".join(e.valid_methods)
    return response


bp.register_error_handler(HTTPException, http_error)


@bp.errorhandler(RateLimitExceeded)
def _too_many(e: RateLimitExceeded):
    # Raised before authentication commits and before any view: keep it that way.
    db.session().rollback()
    return error(429, ratelimit.message(e))  # headers: the limiter adds them (ratelimit.py)


@bp.errorhandler(Exception)
def _crash(e: Exception):
    current_app.logger.exception("Unhandled error in the API")
    return error(500, "Sorry, there is a problem with the service.")


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def init_app(app: Flask) -> None:
    from . import submissions, views  # noqa: F401 - registers the routes on bp
    from .. import csrf

    csrf.exempt(bp)  # bearer tokens only, never cookies: see auth.py
    ratelimit.init_app(app, bp, identify)  # identify, then the limiter, then bp's authenticate
    app.register_blueprint(bp)
