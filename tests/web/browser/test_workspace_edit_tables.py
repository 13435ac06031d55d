"""The chair table, a chair row's page, its check page and the intervention menu in Chromium:
a policy officer ticks one more role who may chair and sees the change in words before anything
is saved; axe on every page, and the chair table readable at 320 CSS pixels wide (the table
scrolls inside its own focusable region, the page never sideways)."""
from __future__ import annotations

from councils import shipped_councils

from .accessibility import check_accessibility
from .conftest import email, sign_in


def test_the_chair_table_a_row_its_check_page_and_the_menu_are_accessible(page):
    council = shipped_councils()[0]
    sign_in(page, email("policy_officer", council))
    page.goto(f"/councils/{council}/workspace/change")
    page.click("a:text-is('Who chairs, by placement type')")
    page.wait_for_selector("h1:has-text('Who chairs, by placement type')")
    check_accessibility(page, "chair table")

    page.set_viewport_size({"width": 320, "height": 800})
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 320, f"the chair table is {wide}px wide at a 320px window"
    check_accessibility(page, "chair table at 320px")
    page.set_viewport_size({"width": 1024, "height": 800})

    page.locator("#rows a", has_text="row 1:").first.click()
    page.wait_for_selector("legend:has-text('Who may chair')")
    check_accessibility(page, "a chair row")
    unticked = page.locator("input[name='options']:not(:checked)").first
    label = page.locator(f"label[for='{unticked.get_attribute('id')}']").inner_text().strip()
    unticked.check()
    page.click("button:has-text('Continue')")
    page.wait_for_selector("h1:has-text('Check your change to row 1 of who chairs')")
    assert label in page.locator("main").inner_text()
    check_accessibility(page, "check a change to who chairs")

    page.goto(f"/councils/{council}/workspace/change/menu")
    page.wait_for_selector("table caption:has-text('Interventions')")
    check_accessibility(page, "intervention menu")
    page.locator("#menu a:has-text('Change')").first.click()
    page.wait_for_selector("legend:has-text('Does it have a cost?')")
    check_accessibility(page, "an intervention")
    assert not page.problems, page.problems
