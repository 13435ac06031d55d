"""Bearer-token authentication for the JSON API, and its JSON errors.

The API is called by other systems, never by a browser holding a sign-in cookie:
only `Authorization: Bearer <token>` counts. Whatever user a cookie signed in (the
app-wide `load_user` runs first) is forgotten here, so a page on another site
cannot make a signed-in worker's browser call the API (cross-site request
forgery), which is also why the API needs no CSRF token.
"""
from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request

from .. import db
from ..audit import refused
from ..auth import current_user
from ..models import Role
from ..tokens import user_for_token


def error(status: int, message: str, field: str = "", **headers):
    response = jsonify({"errors": [{"field": field, "message": message}]})
    response.status_code = status
    response.headers.update(headers)
    return response


def unauthorized(message: str):
    # RFC 6750: say which scheme, and (for a bad token) that it was the token.
    challenge = 'Bearer realm="hearth"'
    if request.headers.get("Authorization"):
        challenge += ', error="invalid_token"'
    return error(401, message, **{"WWW-Authenticate": challenge})


def identify():
    """App-wide before_request, for API calls only, registered before the rate limiter's
    own hook (hearth.web.api.ratelimit) so the limiter can count the call against the
    token's user: find that user, or None. It answers nothing itself and commits nothing:
    `authenticate` decides, once the call is within its limit."""
    if request.blueprint != "api":
        return
    g.api_token_user = None
    g.api_auth_problem = None
    if request.endpoint == "api.openapi":
        return  # the document describes the API; it holds no one's data
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        g.api_auth_problem = ("Send an API token: 'Authorization: Bearer <token>' "
                              "(make one with 'hearth token create --user EMAIL').")
    elif scheme.lower() != "bearer" or not token.strip():
        g.api_auth_problem = "Use 'Authorization: Bearer <token>'."
    else:
        g.api_token_user = user_for_token(db.session(), token.strip())  # may note last_used_at, uncommitted
        if g.api_token_user is None:
            g.api_auth_problem = ("This API token is not valid: it is unknown, revoked, "
                                  "or its user is inactive.")


def authenticate():
    """before_request of the API blueprint (after the rate limit): the token's user, or a 401 answer."""
    g.user = None  # a cookie's user never reaches an API view
    g.pop("login_session", None)
    if request.endpoint == "api.openapi":
        return None
    s = db.session()
    if g.get("api_token_user") is None:
        s.rollback()
        return unauthorized(g.get("api_auth_problem") or "Send an API token.")
    if s.dirty:  # last_used_at, at most once a minute (hearth.web.tokens): most calls write nothing
        s.commit()
    g.user = g.api_token_user
    return None


def roles(*allowed: Role | str):
    """Only these roles may call the view (403 otherwise: asked before any lookup,
    so a 403 never says whether another council's object exists)."""
    names = frozenset(str(r) for r in allowed)

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user().role not in names:
                refused("role", 403)
                return error(403, "Your role may not do this.")
            return view(*args, **kwargs)
        wrapped.roles = names  # read by the route-walking tests
        return wrapped
    return decorate
