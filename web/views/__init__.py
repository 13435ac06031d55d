"""The blueprints. Each module is one area of the site; add new areas here."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from . import admin, cases, dashboard, health, sign_in

    for module in (sign_in, dashboard, cases, admin, health):
        app.register_blueprint(module.bp)
