"""Helpers the web tests import (a uniquely named module, so it never clashes with
another folder's conftest)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from hearth.web import create_app
from hearth.web.models import Case
from hearth.web.seed import DEMO_PASSWORD


def make_app(database_url: str, **overrides):
    return create_app({"HEARTH_ENV": "testing", "DATABASE_URL": database_url, **overrides})


@dataclass
class Demo:
    """The seeded world: every council's demo cases, and two councils to test between --
    the first two with demo cases, whichever they are (a test of `home` assumes only what
    that council declares)."""
    home: str
    other: str
    cases: dict[str, list[Case]]

    @staticmethod
    def email(role: str, council: str | None = None) -> str:
        prefix = {"policy_officer": "policy"}.get(role, role)
        return f"{prefix}@{council or 'hearth'}.demo"

    def refs(self, council: str) -> list[str]:
        return [c.child_ref for c in self.cases[council]]


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|type="hidden" name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    m = CSRF_RE.search(html)
    assert m, f"no CSRF token on {path}"
    return m.group(1) or m.group(2)


def login(client, email: str, password: str = DEMO_PASSWORD, **kwargs):
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token}, **kwargs)
