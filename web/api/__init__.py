"""The JSON API, `/api/v1/`: councils, cases, events and the evaluation contract,
for other systems, with per-user bearer tokens (`hearth token create --user EMAIL`).

Every answer is JSON, errors included (`{"errors": [{file, line, column, field,
message}]}`); the OpenAPI document at `/api/v1/openapi.json` is generated from the
marshmallow schemas in `schemas.py` and the `doc()` note on each view.
"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from .auth import authenticate, error

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
    app.register_blueprint(bp)
