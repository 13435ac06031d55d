"""Compare councils in a browser: reached from the council's policy page, two councils chosen
with the checkboxes and the Compare button (no JavaScript needed), accessible (axe) and
readable at 320 CSS pixels wide (each table scrolls inside its own focusable region, the page
never sideways); the picture for the README and the policy guide (policy-compare.png)."""
from __future__ import annotations

from councils import needs_council

from . import screenshots
from .accessibility import check_accessibility
from .conftest import email, sign_in

COMPARED = ("gateshead", "swindon")
PICTURE_WIDTH = 1280


@needs_council("gateshead")
@needs_council("swindon")
def test_gateshead_and_swindon_side_by_side(page):
    sign_in(page, email("policy_officer", "swindon"))
    page.goto("/councils/swindon/policy")
    page.click("#compare a")
    page.wait_for_selector("form input[name='council']")
    for box in page.locator("input[name='council']").all():
        box.set_checked(box.get_attribute("value") in COMPARED)
    page.click("button:has-text('Compare')")
    page.wait_for_selector("#topic-triggers")
    assert "council=gateshead" in page.url and "council=swindon" in page.url
    councils = {cell.get_attribute("data-council") for cell in page.locator("#triggers td").all()}
    assert councils == set(COMPARED)
    check_accessibility(page, "compare councils")
    # The picture: the page down to who is invited (the choice, the triggers and who chairs; the whole is long).
    invitees = page.evaluate("() => document.querySelector('#topic-invitees').getBoundingClientRect().top + scrollY")
    page.set_viewport_size({"width": PICTURE_WIDTH, "height": int(invitees)})
    screenshots.save(page, "policy-compare", full_page=False)

    page.set_viewport_size({"width": 320, "height": 800})
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 320, f"compare councils is {wide}px wide at a 320px window"
    region = page.locator(".hearth-table-scroll").first
    assert region.evaluate("element => element.scrollWidth > element.clientWidth"), \
        "the table scrolls inside its region at 320px"
    check_accessibility(page, "compare councils at 320px")
