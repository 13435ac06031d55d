"""Response headers every page gets: a strict CSP with a per-request nonce, no framing,
no sniffing, no caching of personal data, HSTS in production."""
from __future__ import annotations

import secrets

from flask import Flask, g, request

PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str, production: bool) -> str:
    parts = [
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    if production:
        parts.append("upgrade-insecure-requests")
    return "; ".join(parts)


def init_app(app: Flask) -> None:
    production = app.config["HEARTH_ENV"] == "production"

    @app.context_processor
    def _nonce():
        return {"cspNonce": csp_nonce()}

    @app.after_request
    def _headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", content_security_policy(csp_nonce(), production))
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Permissions-Policy", PERMISSIONS)
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        h.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if not request.path.startswith("/static/"):
            # Pages carry children's personal data: never keep them in a cache.
            h["Cache-Control"] = "no-store"
        if production:
            h.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        return response
