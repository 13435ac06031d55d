"""The form questions editor in Chromium: a policy officer goes from the editors' index to the
forms, a form's questions, one question's page, the check of a changed label (nothing saved), the
page to add a question and the draft's preview; axe on each, and the questions page read at 320
CSS pixels without sideways scrolling."""
from __future__ import annotations

from .accessibility import check_accessibility
from .editor_pages import check_narrow, open_editor


def test_an_officer_visits_every_page_of_the_form_questions_editor(page):
    open_editor(page, "Forms and their questions")
    page.wait_for_selector("h1:text-is('Forms and their questions')")
    check_accessibility(page, "the council's forms")

    page.locator("table a").first.click()
    page.wait_for_selector("h1")
    check_accessibility(page, "a form's questions")
    check_narrow(page, "a form's questions", 1280)

    page.locator("a:has-text('Add a question')").first.click()
    page.wait_for_selector("h1:text-is('Add a question')")
    check_accessibility(page, "adding a question")
    page.go_back()

    page.click("a:text-is('Preview the form as workers will see it')")
    page.wait_for_selector("#preview")
    check_accessibility(page, "the draft's form previewed")
    page.go_back()

    page.locator(".govuk-summary-list__actions a:has-text('Change')").first.click()
    page.wait_for_selector("h1:text-is('Change the question')")
    check_accessibility(page, "a question")
    page.fill("#label", "A question asked in other words")
    page.click("button:text-is('Check the change')")
    page.wait_for_selector("h1:has-text('Check your change to')")
    assert "A question asked in other words" in page.inner_text("main")
    check_accessibility(page, "the check of a changed question")
    assert not page.problems, page.problems
