"""The chair table, a chair row's page, its check page and the intervention menu in Chromium:
a policy officer ticks one more role who may chair and sees the change in words before anything
is saved; axe on every page, and the chair table readable at 320 CSS pixels wide (the table
scrolls inside its own focusable region, the page never sideways)."""
from __future__ import annotations

from .accessibility import check_accessibility
from .editor_pages import check_narrow, open_editor


def test_the_chair_table_a_row_its_check_page_and_the_menu_are_accessible(page):
    council = open_editor(page, "Who chairs, by placement type")
    page.wait_for_selector("h1:has-text('Who chairs, by placement type')")
    check_accessibility(page, "chair table")
    check_narrow(page, "chair table", 1024)

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
