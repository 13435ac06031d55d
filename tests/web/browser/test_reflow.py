"""WCAG 2.2 1.4.10 reflow: at 320 CSS pixels wide (a 1280px screen at 400% zoom, or a small
phone) the pages each role works in read top to bottom with no sideways scroll -- wide tables
stacked into labelled lines -- and still pass axe at that width. Two councils' worker and
manager: the dashboard, a case page, one of its forms, the policy's reading pages; a council's
administrator: the audit trail and the admin lists; and the public service pages. (Every page
any browser test checks with axe is also measured at 320px: accessibility.check_accessibility.)"""
from __future__ import annotations

import re

import pytest

from councils import shipped_councils

from .accessibility import REFLOW_WIDTH, assert_reflows, check_accessibility
from .conftest import email, sign_in

PHONE = {"width": REFLOW_WIDTH, "height": 800}


def first_link(page, pattern: str) -> str:
    """The first link on the page whose path matches `pattern`."""
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = [h for h in hrefs if re.fullmatch(pattern, h.split("?")[0])]
    assert found, f"{page.url} links to nothing like {pattern}"
    return found[0]


def visit(page, path: str, name: str) -> None:
    response = page.goto(path)
    assert response.status == 200, f"{name} {path}: {response.status}"
    assert_reflows(page, name)
    check_accessibility(page, f"{name} at {REFLOW_WIDTH}px")


@pytest.mark.parametrize("council", shipped_councils()[:2])
def test_case_work_reflows_at_320_pixels(page, live, council):
    page.set_viewport_size(PHONE)
    sign_in(page, email("worker", council))
    visit(page, "/", f"{council} worker's dashboard")
    visit(page, first_link(page, r"/cases/\d+"), f"{council} case page")
    visit(page, first_link(page, r"/cases/\d+/forms/[a-z0-9_]+"), f"{council} form")
    visit(page, f"/councils/{council}/policy", f"{council} policy")
    visit(page, first_link(page, rf"/councils/{council}/policy/[a-z0-9_]+"), f"{council} policy section")
    sign_in(page, email("manager", council))
    visit(page, "/", f"{council} manager's dashboard")


def test_admin_and_service_pages_reflow_at_320_pixels(page, live):
    """The admin lists are one template for every council: one council's admin is enough."""
    page.set_viewport_size(PHONE)
    for path in ("/accessibility", "/privacy", "/cookies"):
        visit(page, path, f"signed out {path}")
    council = shipped_councils()[0]
    sign_in(page, email("admin", council))
    for path in ("/admin/audit", "/admin/people", "/admin/teams", "/admin/tokens"):
        visit(page, path, f"{council} admin {path}")
