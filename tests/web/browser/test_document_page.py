"""The council's procedure document in a browser: reached from the case page's "From
<document>" link, accessible (axe), and readable at 320 CSS pixels wide (WCAG 1.4.10
reflow: no scrolling sideways)."""
from __future__ import annotations

import pytest

from councils import shipped_councils

from .accessibility import check_accessibility
from .conftest import email, sign_in


@pytest.mark.parametrize("council", shipped_councils())
def test_the_document_is_reached_from_a_case_and_reflows(page, council):
    sign_in(page, email("worker", council))
    page.click("table a >> nth=0")  # the dashboard's first case
    link = page.locator("#evaluation a[href*='/document?quote=']").first
    link.locator("xpath=ancestor::details[1]/summary").click()  # the source sits behind its details
    link.click()
    page.wait_for_selector("#document-text")
    assert f"/councils/{council}/document?quote=" in page.url
    assert page.locator("mark#quoted").is_visible(), "the sentence the source quotes is marked"
    check_accessibility(page, f"{council} document")
    page.set_viewport_size({"width": 320, "height": 800})
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 320, f"the page is {wide}px wide at a 320px window"
    check_accessibility(page, f"{council} document at 320px")
