"""The browser suite's fixtures: the app on a free port (SQLite, the demo seed on a
pinned day), Debian's Chromium under Playwright, one fresh context per test.

Chromium is /usr/bin/chromium, never a downloaded build (`make chromium` installs
Debian's package). When it, Playwright or axe-core is missing the tests skip with the
command to run, except in CI (the `CI` variable set), where they fail."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import date

import pyotp
import pytest
from sqlalchemy import delete
from werkzeug.serving import WSGIRequestHandler, make_server

from hearth.web import db, migrate
from hearth.web.db import engine_for
from hearth.web.models import Base
from hearth.web.seed import DEMO_PASSWORD

from councils import generic_councils
from web_support import Demo, fresh_code, make_app, seed_database

from .accessibility import axe_source, missing

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# The demo seed dates its events back from today: pin both, so pages (and screenshots)
# are the same on every run. Monday 26 January 2026, as in the README's tour.
TODAY = date(2026, 1, 26)
VIEWPORT = {"width": 1280, "height": 900}
ROLES = ("worker", "manager", "policy_officer")


def councils() -> list[str]:
    """Every council of the session's policies folder (tests/councils.py)."""
    return generic_councils()


@dataclass
class Live:
    """The running app: its address, and the Flask app to reach the database."""
    url: str
    app: object

    def reseed(self) -> None:
        """Back to exactly the demo seed (for tests that change cases)."""
        with self.app.app_context():
            s = db.session()
            for table in reversed(Base.metadata.sorted_tables):
                s.execute(delete(table))
            s.commit()
            seed_database(s, self.app.config["DATABASE_URL"], TODAY)


# The running app, for sign_in (which is given only the page) to read a user's two-factor secret.
LIVE_APPS: list = []


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # a line per request drowns a failure's report
        pass


@pytest.fixture(scope="session")
def live(tmp_path_factory) -> Live:
    """One SQLite database and server for the whole browser suite (one backend is enough here)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'hearth.db'}"
    app = make_app(url, HEARTH_TODAY=TODAY)
    migrate.upgrade(engine_for(app))
    live = Live("", app)
    LIVE_APPS.append(app)
    live.reseed()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live.url = f"http://127.0.0.1:{server.server_port}"
    yield live
    server.shutdown()
    engine_for(app).dispose()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium under Playwright, for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright for Python is not installed: run `make install`")
    if not os.access(CHROMIUM, os.X_OK):
        missing(f"No Chromium at {CHROMIUM}: run `make chromium` (Debian's chromium package; "
                "`playwright install` cannot download a browser here)")
    axe_source()  # fail or skip early, with the command to run, when axe-core is missing
    p = sync_playwright().start()
    browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    p.stop()


@pytest.fixture
def context(chromium, live):
    ctx = chromium.new_context(base_url=live.url, viewport=VIEWPORT, locale="en-GB",
                               timezone_id="Europe/London")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    """A page whose console errors and uncaught exceptions are in `page.problems`."""
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    return page


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in as `email`, starting signed out: the open page is left first, so none of its
    late answers can set a session cookie again once the cookies are cleared."""
    for _ in range(3):
        page.goto("about:blank")
        page.context.clear_cookies()
        page.goto("/login")
        # seen once in CI: /login answered as still signed in (a session cookie set again after
        # the clear), so the form never came; clearing again and reloading is the way out
        if page.locator("#email").count():
            break
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()
    two_factor_step(page, email)
    assert "/login" not in page.url, f"{email} could not sign in: {page.inner_text('main')[:300]}"


def two_factor_step(page, email: str) -> None:
    """After the password: the code (computed from the user's secret in the database), or on a
    first sign-in the setup (the key read off the page) and its recovery codes' page."""
    if "/login/code" in page.url:
        page.fill("#code", fresh_code(LIVE_APPS[-1], email))
        page.click("button:has-text('Continue')")
        page.wait_for_load_state()
    elif "/login/two-factor/setup" in page.url:
        secret = page.inner_text("#two-factor-secret").replace(" ", "")
        page.fill("#code", pyotp.TOTP(secret).now())
        page.click("button:has-text('Confirm')")
        page.wait_for_load_state()
        page.click("a:has-text('Continue')")
        page.wait_for_load_state()


def email(role: str, council: str | None = None) -> str:
    return Demo.email(role, council)
