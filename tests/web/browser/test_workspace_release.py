"""Two policy officers publish a change in the browser: the first checks its impact on the open
cases (the progress page polled until the result) and asks for the draft to take effect from
next Monday; the second signs in and approves it; the history then shows it due, and a manager
opens the impact result. axe on every page visited; the publish and history pages at 320px."""
from __future__ import annotations

from datetime import date

from hearth.engine import api
from hearth.web import db, policy_store
from hearth.web.views.workspace.releasing_common import next_monday

from .accessibility import check_accessibility
from .conftest import TODAY, councils, email, sign_in
from .test_workspace_trying import reflows

NOTE = "The council's contacts reviewed; no rule changes"


def valid_draft(live, council: str) -> None:
    """The council's folder published, and a draft with a change that keeps every test passing."""
    with live.app.app_context():
        s = db.session()
        policy_store.import_folder(s, api.policies_root() / council, date(2025, 1, 1))
        s.commit()
        files = policy_store.set_files(policy_store.latest_publication(s, council).policy_set)
        policy_store.save_draft(s, council, "council.yaml", files.text("council.yaml") + "\n# Reviewed.\n", 0,
                                "someone@test")
        s.commit()


def test_one_officer_asks_to_publish_from_next_monday_and_another_approves(page, live):
    council, monday = councils()[0], next_monday(TODAY)
    valid_draft(live, council)
    publish = f"/councils/{council}/workspace/publish"
    try:
        sign_in(page, email("policy_officer", council))
        page.goto(f"/councils/{council}/workspace/impact")
        check_accessibility(page, "impact, choose the date")
        page.click("button:has-text('Check the open cases')")
        page.wait_for_selector("text=would change", timeout=30_000)  # polled, then the result loaded
        assert "open case" in page.inner_text("main")
        check_accessibility(page, "impact result")
        result = page.url
        page.goto(publish)
        check_accessibility(page, "publish, draft ready")
        reflows(page, "publish, draft ready")
        assert page.input_value("#effective-day") == str(monday.day)  # next Monday suggested
        assert page.input_value("#effective-month") == str(monday.month)
        page.fill("#change_note", NOTE)
        page.click("button:has-text('Ask for approval to publish')")
        assert "A different policy officer must approve it" in page.inner_text(".govuk-notification-banner")
        assert page.locator("button:has-text('Approve request')").count() == 0
        check_accessibility(page, "publish, request waiting (the officer who asked)")

        sign_in(page, f"policy2@{council}.demo")
        page.goto(publish)
        assert NOTE in page.inner_text("main")
        check_accessibility(page, "publish, request waiting (another officer)")
        page.click("button:has-text('Approve request')")
        assert f"in force from {monday.day} {monday:%B %Y}" in page.inner_text(".govuk-notification-banner")
        assert page.url.endswith(f"/councils/{council}/workspace/history")
        assert "Due later" in page.inner_text("main")
        check_accessibility(page, "history after approval")
        reflows(page, "history")

        sign_in(page, email("manager", council))  # the one workspace page a manager may open
        page.goto(result)
        assert "would change" in page.inner_text("main") and page.locator(".hearth-workspace-nav").count() == 0
        check_accessibility(page, "impact result, as a manager")
        assert not page.problems
    finally:
        live.reseed()
