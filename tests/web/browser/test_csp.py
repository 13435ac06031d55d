"""In a real browser: the CSP lets GOV.UK Frontend's JS run (nonce'd inline script and
the module file), nothing is blocked, and the council's colour reaches the header.
(Moved here from tests/web/test_web_browser.py.)"""
from __future__ import annotations

from hearth.engine.api import get_council

from .conftest import councils, email, sign_in


def test_frontend_js_runs_under_the_csp(page, live):
    council = get_council(councils()[0])
    page.goto("/login")
    csp = page.evaluate("() => fetch(location.href).then(r => r.headers.get('content-security-policy'))")
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp
    assert "govuk-frontend-supported" in page.get_attribute("body", "class")
    # The password component's "Show" button is un-hidden only by Frontend's JS.
    page.wait_for_selector(".govuk-password-input__toggle:not([hidden])", timeout=5000)
    sign_in(page, email("worker", council.id))
    assert page.url == f"{live.url}/"
    assert page.locator("main a[href^='/cases/']").count() > 0, "the worker's cases are listed"
    colour = page.eval_on_selector(".govuk-generic-header", "e => getComputedStyle(e).backgroundColor")
    hex_colour = council.brand["colour"].lstrip("#")
    assert colour == "rgb({}, {}, {})".format(*(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4)))
    font = page.eval_on_selector("h1", "e => getComputedStyle(e).fontFamily").lower()
    assert "arial" in font and "gds" not in font
    assert not page.problems, page.problems

