"""The council's policy pages in a browser: reached from the navigation, the index, one
section (who to invite, with its table by placement type) and one form's preview, each
accessible (axe) and readable at 320 CSS pixels wide (WCAG 1.4.10 reflow: no scrolling
sideways)."""
from __future__ import annotations

import pytest

from councils import shipped_councils

from .accessibility import check_accessibility
from .conftest import email, sign_in


def reflows(page, name: str) -> None:
    page.set_viewport_size({"width": 320, "height": 800})
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 320, f"{name} is {wide}px wide at a 320px window"
    check_accessibility(page, f"{name} at 320px")
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.mark.parametrize("council", shipped_councils())
def test_the_policy_pages_are_accessible_and_reflow(page, council):
    sign_in(page, email("policy_officer", council))
    page.click(".govuk-service-navigation a:text-is('Policy')")
    page.wait_for_selector("#sections")
    assert page.url.endswith(f"/councils/{council}/policy")
    check_accessibility(page, f"{council} policy index")
    reflows(page, f"{council} policy index")

    page.click("#sections a[href$='/invitees']")
    page.wait_for_selector("#by-placement")
    check_accessibility(page, f"{council} policy: who to invite")
    reflows(page, f"{council} policy: who to invite")

    page.goto(page.url.rsplit("/", 1)[0])
    page.click("#forms a >> nth=0")
    page.wait_for_selector("#preview form")
    check_accessibility(page, f"{council} form preview")
    reflows(page, f"{council} form preview")
