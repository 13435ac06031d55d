"""The admin pages in Chromium, with axe on every page visited: (a) a manager transfers a case
to the second worker, who finds it on their own dashboard; (b) a worker makes an API token, the
API answers it, their council's admin revokes it on the tokens page (passing the people and
teams pages on the way) and the API refuses it at once."""
from __future__ import annotations

import requests

from .accessibility import check_accessibility
from .conftest import councils, email, sign_in


def test_a_manager_transfers_a_case_and_the_new_worker_sees_it(page, live):
    council = councils()[0]
    try:
        sign_in(page, email("manager", council))
        page.click("#cases tbody tr:first-child a")
        ref = page.inner_text("h1")
        check_accessibility(page, "case page with its allocation")
        page.click("a:has-text('Transfer')")
        check_accessibility(page, "transfer page")
        page.locator("#worker").select_option(label=next(
            option for option in page.locator("#worker option").all_inner_texts() if "second social worker" in option))
        page.fill("#reason", "The worker is leaving the team")
        page.click("button:has-text('Transfer the case')")
        page.wait_for_load_state()
        assert "is now allocated to Demo second social worker" in page.inner_text("main")
        assert "The worker is leaving the team" in page.inner_text("#allocations")
        check_accessibility(page, "transfer page after a transfer, with its history")

        sign_in(page, email("worker2", council))
        assert ref in page.inner_text("#cases"), "the new worker's own cases list the transferred case"
        check_accessibility(page, "the new worker's dashboard")
    finally:
        live.reseed()


def test_a_revoked_token_is_refused_by_the_api_at_once(page, live):
    council = councils()[0]
    try:
        sign_in(page, email("worker", council))
        page.click("a:has-text('Your API tokens')")
        page.fill("#name", "Nightly sync")
        page.click("button:has-text('Create a token')")
        page.wait_for_load_state()
        token = page.input_value("#new-token")
        check_accessibility(page, "a new token, shown once")
        headers = {"Authorization": f"Bearer {token}"}
        assert requests.get(f"{live.url}/api/v1/councils", headers=headers, timeout=10).status_code == 200

        sign_in(page, email("admin", council))
        page.click(".govuk-service-navigation a:has-text('Admin')")
        check_accessibility(page, "admin landing page")
        page.click("#admin-areas a:has-text('People')")
        check_accessibility(page, "people list")
        page.click("#people a:has-text('Demo social worker')")
        check_accessibility(page, "a person's page")
        page.goto("/admin")
        page.click("#admin-areas a:has-text('Teams')")
        check_accessibility(page, "teams list")
        page.click("#teams a:has-text('Placements team')")
        check_accessibility(page, "a team's page")
        page.goto("/admin")
        page.click("#admin-areas a:has-text('API tokens')")
        check_accessibility(page, "the council's API tokens")
        page.locator("#tokens tr", has_text="Nightly sync").locator("button:has-text('Revoke')").click()
        page.wait_for_load_state()
        assert "no longer works" in page.inner_text("main")
        check_accessibility(page, "the council's API tokens after revoking one")
        assert requests.get(f"{live.url}/api/v1/councils", headers=headers, timeout=10).status_code == 401
    finally:
        live.reseed()
