"""The rule editors in Chromium: the triggers listing (readable at 320 CSS pixels wide: its table
scrolls inside its own focusable region), a counted trigger's page where the officer types a
new "How many events" and sees the change in words before anything is saved, the deadlines and
duties listing and a deadline's page, the gates listing and a gate's page; axe on every page."""
from __future__ import annotations

from .accessibility import check_accessibility
from .editor_pages import check_narrow, open_editor


def test_the_rule_listings_a_trigger_its_check_page_a_deadline_and_a_gate_are_accessible(page):
    council = open_editor(page, "Triggers: what calls for a meeting")
    change = f"/councils/{council}/workspace/change"
    page.wait_for_selector("table caption:has-text('Triggers')")
    check_accessibility(page, "triggers")
    check_narrow(page, "triggers", 1024)

    counted = page.locator("tr", has_text="At least").first
    if counted.count():
        counted.locator("a:has-text('Change')").click()
        page.wait_for_selector("label:has-text('How many events')")
        check_accessibility(page, "a trigger")
        was = int(page.input_value("#at_least"))
        page.fill("#at_least", str(was + 1))
        page.click("button:has-text('Continue')")
        page.wait_for_selector("h1:has-text('Check your change to the trigger')")
        assert f"at_least: {was + 1}" in page.locator("main").inner_text()
        check_accessibility(page, "check a change to a trigger")

    page.goto(change + "/deadlines")
    page.wait_for_selector("table caption:has-text('Deadlines')")
    check_accessibility(page, "deadlines and duties")
    page.locator("#deadlines a:has-text('Change')").first.click()
    page.wait_for_selector("h1")
    check_accessibility(page, "a deadline")

    page.goto(change + "/gates")
    page.wait_for_selector("table caption:has-text('Gates')")
    check_accessibility(page, "gates")
    gate = page.locator("#gates a:has-text('Change')")
    if gate.count():
        gate.first.click()
        page.wait_for_selector("legend:has-text('What opens it')")
        check_accessibility(page, "a gate")
    assert not page.problems, page.problems
