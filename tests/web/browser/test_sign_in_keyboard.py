"""Sign-in by keyboard: the skip link is the first stop and moves focus to the main
content; Tab then reaches email, password and the button in that order; after a failed
sign-in the GOV.UK error summary has focus and its link takes focus to the field."""
from __future__ import annotations

from .accessibility import check_accessibility
from .conftest import email

FOCUSED = """() => { const e = document.activeElement;
  return {tag: e.tagName, id: e.id, cls: e.className, text: (e.innerText || e.value || '').trim().slice(0, 40)}; }"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def frontend_ready(page) -> None:
    """GOV.UK Frontend's JS has run (it un-hides the password's Show button)."""
    page.wait_for_selector(".govuk-password-input__toggle:not([hidden])")


def test_tab_order_and_skip_link(page):
    page.goto("/login")
    frontend_ready(page)
    page.keyboard.press("Tab")
    first = focused(page)
    assert "govuk-skip-link" in first["cls"] and first["text"] == "Skip to main content", first

    order = []
    for _ in range(12):
        page.keyboard.press("Tab")
        f = focused(page)
        if f["tag"] == "BODY":
            break
        order.append(f["id"] if f["tag"] == "INPUT" else f["text"])
    assert "email" in order and "password" in order and "Sign in" in order, order
    assert order.index("email") < order.index("password") < order.index("Sign in"), order

    page.goto("/login")
    frontend_ready(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"
    assert focused(page)["id"] == "main-content", "the skip link moves focus to <main>"
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "email", "from the main content the next stop is the email field"
    assert not page.problems, page.problems


def test_failed_sign_in_focuses_the_error_summary(page):
    page.goto("/login")
    frontend_ready(page)
    page.focus("#email")
    page.keyboard.type(email("worker", "nobody"))
    page.keyboard.press("Tab")
    page.keyboard.type("not the password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.wait_for_selector(".govuk-error-summary")
    page.wait_for_function("() => document.activeElement.classList.contains('govuk-error-summary')")
    assert page.title().startswith("Error: ")
    assert "Enter a correct email address and password" in summary.inner_text()
    assert page.input_value("#email") == email("worker", "nobody"), "what was typed is kept"
    check_accessibility(page, "sign-in after a failed attempt")
    page.click(".govuk-error-summary__list a")
    assert focused(page)["id"] == "email", "the summary's link takes focus to the field"
    # Failed sign-ins are expected here: the browser logs the 401 itself.
    assert all("status of 401" in p for p in page.problems), page.problems
