"""A restricted case in Chromium, with axe on every page visited: the team's manager restricts a
case from its page (naming themselves and its worker), removes the worker and names the second
worker; the first worker then gets a 404 for it, and the second opens it."""
from __future__ import annotations

from .accessibility import check_accessibility
from .conftest import councils, email, sign_in


def test_a_restricted_case_is_404_for_a_worker_not_named_and_opens_for_one_named(page, live):
    council = councils()[0]
    try:
        sign_in(page, email("manager", council))
        page.click("#cases tbody tr:first-child a")
        case_url = page.url
        check_accessibility(page, "case page")
        page.click("a:has-text('Manage who can open this case')")
        check_accessibility(page, "who can open a case")
        page.click("button:has-text('Restrict this case')")
        page.wait_for_load_state()
        assert "Demo social worker" in page.inner_text("main"), "restricting names the case's worker"
        check_accessibility(page, "a restricted case's named people")
        page.click("button:has-text('Remove Demo social worker')")
        page.wait_for_load_state()
        page.locator("#name-user").select_option(label=next(
            option for option in page.locator("#name-user option").all_inner_texts() if "second social worker" in option))
        page.click("button:has-text('Name this person')")
        page.wait_for_load_state()
        check_accessibility(page, "a restricted case with the second worker named")

        sign_in(page, email("worker", council))
        assert page.goto(case_url).status == 404
        check_accessibility(page, "a restricted case, for a worker not named")

        sign_in(page, email("worker2", council))
        assert page.goto(case_url).status == 200
        assert "Restricted" in page.inner_text("main")
        check_accessibility(page, "a restricted case, for a worker named on it")
    finally:
        live.reseed()
