"""Hearth's Flask web runtime: ``create_app()`` (hearth.web.app) wires config, database, sign-in,
security headers, error pages and the blueprints in ``hearth.web.views``.

``create_app`` and ``csrf`` are loaded when first asked for (PEP 562), not when the package is:
every module of the web, the `hearth` command's included, is in this package, and the
application's imports (Flask, SQLAlchemy and the rest: 0.6 s) are not needed by the engine's
commands, `hearth evaluate` and `hearth policy test` among them (hearth.web.cli)."""
from __future__ import annotations

import importlib
from typing import Any

_FROM_THE_APP = ("create_app", "csrf")


def __getattr__(name: str) -> Any:
    if name in _FROM_THE_APP:
        return getattr(importlib.import_module("hearth.web.app"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_FROM_THE_APP])
