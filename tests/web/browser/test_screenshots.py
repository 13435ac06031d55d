"""Screenshots for the README (see screenshots.py), taken from the pristine demo seed, of
the councils in the policies folder (not the extra councils the session adds). Each page
pictured is also checked: it is the council's, with its colour and no crown. The
workflow's pictures follow story.py's answers, so they are of the councils it was written
for, by name."""
from __future__ import annotations

import pytest

from hearth.engine.api import get_council

from councils import needs_council, shipped_councils

from . import screenshots, story
from .accessibility import check_accessibility


def test_sign_in_screenshots(page, live):
    shots = screenshots.sign_in_pages(page)
    assert all(p.stat().st_size > 10_000 for p in shots)


@pytest.mark.parametrize("council", shipped_councils())
def test_council_screenshots(page, live, council):
    live.reseed()  # other tests may have changed cases
    shots = screenshots.council_pages(page, live, council)
    pictured = [f"{council}-dashboard.png"] + ([f"{council}-case.png", f"{council}-case-next-steps.png",
                                                f"{council}-case-phone.png"]
                                               if screenshots.first_case(live, council) else [])
    assert [p.name for p in shots] == pictured
    assert all(p.stat().st_size > 10_000 for p in shots)
    # The last page pictured, once more, signed in: the council's header, no crown.
    screenshots.sign_in(page, screenshots.email("worker", council))
    header = page.locator(".govuk-generic-header")
    assert get_council(council).name in header.inner_text()
    assert page.locator("svg.govuk-header__logotype, .govuk-logo-dot, [class*='crown']").count() == 0
    check_accessibility(page, f"{council} dashboard")


@pytest.mark.parametrize("council", [pytest.param(c, marks=needs_council(c)) for c in story.COUNCILS])
def test_workflow_screenshots(page, live, council):
    live.reseed()
    try:
        shots = screenshots.workflow_pages(page, live, council)
    finally:
        live.reseed()  # the pictures' records go again
    expected = [f"{council}-schedule-meeting.png", f"{council}-meeting-record-error.png"]
    if council == "swindon":
        expected.append("swindon-funding-request-blocked.png")
    assert [p.name for p in shots] == expected
    assert all(p.stat().st_size > 10_000 for p in shots)
    assert not page.problems, page.problems
