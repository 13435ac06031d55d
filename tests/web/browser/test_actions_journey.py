"""An agreed action followed to done, in Chromium with axe (and the 320px reflow check) on every
page, for both councils: a meeting's record with two actions, the actions on the case page
with who and by when, one marked done, and the case page showing it done."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hearth.web import db
from hearth.web.models import Event

from councils import needs_council

from .accessibility import check_accessibility
from .conftest import TODAY, email, sign_in
from .govuk_forms import fill_form, submit
from .story import COUNCILS, MEETING_FORM, meeting_record

# A meeting as the policy asks for a home with in-house foster carers: its chair, and everyone
# required invited and there (so no reason for a difference is asked of the worker).
AS_THE_POLICY_ASKS = {
    "gateshead": {"invited": ["fostering_team_manager", "childs_social_worker", "foster_carer", "iro",
                              "supervising_social_worker"],
                  "attended": ["fostering_team_manager", "childs_social_worker", "foster_carer", "iro",
                               "supervising_social_worker"]},
    "swindon": {"chair": "fostering_manager",
                "attended": ["fostering_manager", "childs_social_worker", "childs_team_manager", "iro", "home_finding",
                             "supervising_social_worker", "foster_carer"]},
}


@pytest.mark.parametrize("council", [pytest.param(c, marks=needs_council(c)) for c in COUNCILS])
def test_an_agreed_action_followed_to_done(page, live, council):
    try:
        sign_in(page, email("worker", council))
        page.goto("/cases/new")
        fill_form(page, {"child_ref": f"{council[0].upper()}-ACTIONS", "placement_type": "in_house_foster",
                         "started": "2025-06-01"})
        submit(page, "Open the case")
        case_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

        page.goto(f"/cases/{case_id}/forms/{MEETING_FORM[council]}")
        record = meeting_record(council, held=TODAY - timedelta(days=3), review=TODAY + timedelta(days=7),
                                action_by=TODAY + timedelta(days=5)) | AS_THE_POLICY_ASKS[council]
        fill_form(page, record)
        submit(page)
        assert "Agreed actions" in page.inner_text("main"), page.inner_text("main")[:1000]
        visits = page.locator("div[id^='action-']", has_text="Weekly visits to the carers.")
        text = visits.inner_text()
        assert "Open" in text and "Child's social worker" in text and (TODAY + timedelta(days=5)).strftime("%B") in text
        check_accessibility(page, "the case page with its agreed actions")

        visits.get_by_role("link", name=re.compile("^Mark as done")).click()
        page.wait_for_load_state()
        assert "Mark as done: Weekly visits to the carers." in page.inner_text("h1")
        check_accessibility(page, "marking an action as done")
        page.fill("#note", "Visits booked every Tuesday.")
        submit(page, "Mark as done")
        assert "Action marked as done" in page.inner_text(".govuk-notification-banner--success")
        done = page.locator("div[id^='action-']", has_text="Weekly visits to the carers.").inner_text()
        assert "Done" in done and "Mark as done" not in done
        other = page.locator("div[id^='action-']", has_text="Refer to the missing support service.").inner_text()
        assert "Open" in other and "Mark as done" in other
        check_accessibility(page, "the case page with an action done")

        page.locator("div[id^='action-']", has_text="Refer to the missing support service.").get_by_role(
            "link", name=re.compile("^Change")).click()
        page.wait_for_load_state()
        for box, value in (("day", "31"), ("month", "2"), ("year", "2026")):   # no 31 February
            page.fill(f"#due-{box}", value)
        page.fill("#reason", "The service's waiting list")
        submit(page, "Save the change")
        assert page.title().startswith("Error: ")
        page.click(".govuk-error-summary a:has-text('The new date must be a real date')")
        assert page.evaluate("document.activeElement.id") == "due-day"
        check_accessibility(page, "changing an action, with its errors")
        with live.app.app_context():
            completed = db.session().scalars(select(Event).where(Event.case_id == case_id,
                                                                 Event.type == "action_completed")).all()
            assert [e.fields["details"] for e in completed] == ["Visits booked every Tuesday."]
    finally:
        live.reseed()
