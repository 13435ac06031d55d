"""A policy officer tries a case in the browser: builds a what-if (the event's details drawn
after "Add another event", no JavaScript needed), sees the draft's changed deadline beside the
published one said in words, and makes it a policy test; then reads the change in words and runs
the policy tests. axe on every page visited."""
from __future__ import annotations

from datetime import date

from hearth.engine import api
from hearth.web import db, policy_store

from councils import needs_council

from . import screenshots
from .accessibility import check_accessibility
from .conftest import email, sign_in
from .test_policy_pages import reflows

COUNCIL = "swindon"
MINUTES = ("due: 5 working days after stability_meeting_held or review_meeting_held\n"
           "    met_by: minutes_circulated")


def draft_with_three_day_minutes(live) -> None:
    with live.app.app_context():
        s = db.session()
        policy_store.import_folder(s, api.policies_root() / COUNCIL, date(2025, 1, 1))
        s.commit()
        files = policy_store.set_files(policy_store.latest_publication(s, COUNCIL).policy_set)
        path = next(path for path in files.glob("versions/*.yaml") if MINUTES in files.text(path))
        policy_store.save_draft(s, COUNCIL, path, files.text(path).replace(MINUTES, MINUTES.replace("5", "3")), 0,
                                "someone@test")
        s.commit()


@needs_council(COUNCIL)
def test_an_officer_tries_a_case_sees_the_difference_and_makes_it_a_test(page, live):
    draft_with_three_day_minutes(live)
    try:
        sign_in(page, email("policy_officer", COUNCIL))
        page.goto(f"/councils/{COUNCIL}/workspace/try")
        check_accessibility(page, "what-if, empty")
        page.select_option("#placement_type", "ifa_foster")
        page.fill("#placement_started", "2025-06-01")
        page.select_option("#events-0-type", "stability_meeting_decided")
        page.fill("#events-0-on", "2026-01-12")
        page.select_option("#events-1-type", "stability_meeting_held")
        page.fill("#events-1-on", "2026-01-19")
        page.click("button:has-text('Add another event')")
        page.select_option("#events-1-chair", "childrens_social_work_manager")
        page.fill("#events-1-attendees", "childs_social_worker, iro")
        page.select_option("#events-1-review", "no")
        page.fill("#events-1-review_reason", "plan agreed")
        page.fill("#on", "2026-01-20")
        page.click("button:has-text('Try the case')")
        deadlines = page.inner_text("#part-deadlines")
        assert "Different" in deadlines
        assert "22 January 2026" in deadlines and "26 January 2026" in deadlines
        assert "26 January 2026 → 22 January 2026" in page.inner_text("#differences")
        screenshots.save(page, f"{COUNCIL}-workspace-what-if")
        check_accessibility(page, "what-if answered")
        reflows(page, "what-if answered")
        page.fill("#test_name", "Minutes of a meeting on 19 January are due on 22 January")
        page.click("button:has-text('Make this a policy test')")
        assert "was added to the draft" in page.inner_text(".govuk-notification-banner")
        check_accessibility(page, "what-if made a test")
        page.goto(f"/councils/{COUNCIL}/workspace/changes")
        assert "5 working days → Within 3 working days" in page.inner_text("#in-words")
        check_accessibility(page, "changes in words")
        reflows(page, "changes in words")
        page.goto(f"/councils/{COUNCIL}/workspace/tests")
        page.click("button:has-text('Run the tests')")
        assert "failed" in page.inner_text("#counts")
        check_accessibility(page, "policy tests run")
        assert not page.problems
    finally:
        live.reseed()
