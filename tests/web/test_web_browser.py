"""In a real browser: the CSP lets GOV.UK Frontend's JS run (nonce'd inline script and
the module file), nothing is blocked, and the council's colour reaches the header."""
from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from web_support import make_app

sync_api = pytest.importorskip("playwright.sync_api")


def _chromium_path() -> str | None:
    with sync_api.sync_playwright() as p:
        try:
            bundled = p.chromium.executable_path
        except Exception:  # noqa: BLE001
            bundled = None
    import os
    if bundled and os.path.exists(bundled):
        return None  # Playwright's own build: no path needed
    system = shutil.which("chromium") or shutil.which("chromium-browser")
    if system is None:
        pytest.skip("No Chromium: run `make chromium` (Debian's chromium or `playwright install chromium`)")
    return system


@pytest.fixture
def live_url(database_url, demo):
    if not database_url.startswith("sqlite"):
        pytest.skip("browser checks run once, on the SQLite backend")
    server = make_server("127.0.0.1", 0, make_app(database_url), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_frontend_js_runs_under_the_csp(live_url, demo):
    from hearth.engine.api import get_council
    path = _chromium_path()
    problems = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        page = browser.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{live_url}/login")
        assert "govuk-frontend-supported" in page.get_attribute("body", "class")
        # The password component's "Show" button is un-hidden only by Frontend's JS.
        page.wait_for_selector(".govuk-password-input__toggle:not([hidden])", timeout=5000)
        page.fill("#email", demo.email("worker", demo.home))
        page.fill("#password", "hearth-demo")
        page.click("button:has-text('Sign in')")
        page.wait_for_url(f"{live_url}/")
        assert demo.refs(demo.home)[0] in page.content()
        colour = page.eval_on_selector(".govuk-generic-header", "e => getComputedStyle(e).backgroundColor")
        hex_colour = get_council(demo.home).brand["colour"].lstrip("#")
        assert colour == "rgb({}, {}, {})".format(*(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4)))
        font = page.eval_on_selector("h1", "e => getComputedStyle(e).fontFamily").lower()
        assert "arial" in font and "gds" not in font
        browser.close()
    assert not problems, problems
