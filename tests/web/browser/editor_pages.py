"""What the editors' browser tests share (test_workspace_edit_rules, test_workspace_edit_tables,
test_workspace_edit_forms): a policy officer of the first shipped council signed in and on one
editor reached from the editors' index, and a page read at 320 CSS pixels wide, which must never
scroll sideways (a wide table scrolls inside its own focusable region)."""
from __future__ import annotations

from councils import shipped_councils

from .accessibility import check_accessibility
from .conftest import email, sign_in


def open_editor(page, link: str) -> str:
    """Sign in the first shipped council's policy officer and follow the editors' index link
    ``link``; returns the council."""
    council = shipped_councils()[0]
    sign_in(page, email("policy_officer", council))
    page.goto(f"/councils/{council}/workspace/change")
    page.click(f"a:text-is('{link}')")
    return council


def check_narrow(page, what: str, width_after: int) -> None:
    """The page at a 320px window: no sideways scroll, and axe passes; then ``width_after`` again."""
    page.set_viewport_size({"width": 320, "height": 800})
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 320, f"{what} is {wide}px wide at a 320px window"
    check_accessibility(page, f"{what} at 320px")
    page.set_viewport_size({"width": width_after, "height": 800})
