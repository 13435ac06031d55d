"""The JSON API's rate limit, with Flask-Limiter: one allowance per user for every call
with a valid token, one per client address for every call without one.

- Keyed on the token's *user*, not the address: several councils' systems may reach
  Hearth through one address, and one busy system must not starve the others. A user's
  tokens share one allowance, so making more tokens does not buy more calls.
- Calls without a valid token (none, malformed, unknown, revoked) are keyed on the
  client's address (`request.remote_addr`, which hearth.web.proxies sets from X-Forwarded-For only
  for HEARTH_TRUSTED_PROXIES: see docs/deploy.md), so guessing tokens is throttled too. A valid token
  from that address is still served: it has its own allowance.
- One shared bucket for all of /api/v1/ (not one per route). HTML pages and sign-in are
  never counted here; sign-in has its own limit (hearth.web.throttle).
- Over the limit: 429 in the API's JSON error shape, with Retry-After (whole seconds,
  rounded up, so waiting that long is enough) and X-RateLimit-Limit/-Remaining/-Reset.
  The answer is decided before authentication commits and before any view runs, so a
  refused call records nothing (not even the token's last_used_at).

Settings (hearth.web.config, docs/deploy.md): HEARTH_API_RATE_LIMIT ("300 per minute";
"off" turns it off), HEARTH_RATELIMIT_STORAGE_URI ("memory://", or "redis://..." so
several gunicorn workers share one count), HEARTH_RATELIMIT_KEY_PREFIX.
"""
from __future__ import annotations

import math
import time

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from limits import parse_many

from ..config import API_RATE_LIMIT, ConfigError

EXTENSION = "hearth.api_limiter"
SCOPE = "api"  # one bucket for every /api/v1/ route


def is_off(limit: str) -> bool:
    """Only the word turns it off: an empty setting is a mistake, not a wish."""
    return limit.strip().lower() == "off"


def rate_limit_key() -> str:
    """The bucket a call counts against: its token's user, or else its address.
    The token was looked up by hearth.web.api.auth.identify, which runs first."""
    user = g.get("api_token_user")
    if user is not None:
        return f"user:{user.id}"
    return f"address:{request.remote_addr or 'unknown'}"


def limiter_for(app: Flask) -> Limiter | None:
    """This app's API limiter; None when HEARTH_API_RATE_LIMIT is off."""
    return app.extensions.get(EXTENSION)


def init_app(app: Flask, blueprint, identify) -> None:
    """Register, in this order, `identify` (which finds the token's user) and the
    limiter's own hooks, so the limiter can key on the user. One Limiter per app, so
    several apps (tests, or one process serving two configurations) never share counts."""
    app.before_request(identify)
    limit = app.config.get("HEARTH_API_RATE_LIMIT", API_RATE_LIMIT)
    if is_off(limit):
        return
    try:
        if not parse_many(limit):
            raise ValueError("no limit given")
    except ValueError as e:
        raise ConfigError(f"HEARTH_API_RATE_LIMIT: {limit!r} is not a rate limit such as "
                          f"'300 per minute' (or 'off'): {e}") from None
    storage = app.config.get("HEARTH_RATELIMIT_STORAGE_URI") or "memory://"
    if app.config.get("HEARTH_ENV") == "production" and storage.startswith("memory://"):
        app.logger.warning(
            "The API rate limit is counted in memory, so each gunicorn worker counts on its own "
            "(the real limit is HEARTH_API_RATE_LIMIT times the workers). Set "
            "HEARTH_RATELIMIT_STORAGE_URI=redis://... to share one count (docs/deploy.md).")
    # Registered before the limiter, so it runs after the limiter's own after_request
    # (Flask runs them in reverse): it sees and corrects the limiter's headers.
    app.after_request(_retry_after)
    try:
        limiter = Limiter(
            rate_limit_key,
            storage_uri=storage,
            key_prefix=app.config.get("HEARTH_RATELIMIT_KEY_PREFIX") or "hearth",
            # "300 per minute" means at most 300 in any 60 seconds, with no burst of 600
            # across the boundary of two clock minutes.
            strategy="moving-window",
            headers_enabled=True,
            # If the shared store (Redis) stops answering, keep serving and keep limiting,
            # each worker in its own memory, until the store answers again (the library
            # retries it with back-off). The API stays up; the limit just gets looser.
            in_memory_fallback_enabled=True,
        )
        limiter.request_filter(lambda: request.blueprint != blueprint.name)  # the API only
        limiter.shared_limit(lambda: current_app.config["HEARTH_API_RATE_LIMIT"], scope=SCOPE)(blueprint)
        limiter.init_app(app)
    except Exception as e:  # noqa: BLE001 - e.g. an unknown storage scheme or a missing client library
        raise ConfigError(f"HEARTH_RATELIMIT_STORAGE_URI: cannot use {storage!r}: {e}") from e
    app.extensions[EXTENSION] = limiter


def seconds_to_wait() -> int | None:
    """Whole seconds until this call's bucket has room for one more (None if it was not counted)."""
    limiter = limiter_for(current_app)
    current = limiter.current_limit if limiter else None
    if current is None:
        return None
    reset_at, _remaining = current.window
    return max(1, math.ceil(reset_at - time.time()))


def _retry_after(response):
    """Retry-After only on a 429, and rounded up: the library sends it on every answer,
    truncated to whole seconds, so a client that waited exactly that long could be early."""
    if "X-RateLimit-Limit" not in response.headers:  # not counted: a page, or the limit is off
        return response
    if response.status_code == 429:
        wait = seconds_to_wait()
        if wait is not None:
            response.headers["Retry-After"] = str(wait)
    else:
        response.headers.pop("Retry-After", None)
    return response


def message(e: RateLimitExceeded) -> str:
    """What the 429's JSON says: which allowance ran out, and when to try again."""
    limit, wait = e.limit.limit, seconds_to_wait()
    again = f" Try again in {wait} second{'s' if wait != 1 else ''}." if wait else ""
    if g.get("api_token_user") is not None:
        return (f"Too many requests: each API user may make {limit} "
                f"(all of the user's tokens together).{again}")
    return f"Too many requests without a valid API token from this address: the limit is {limit}.{again}"
