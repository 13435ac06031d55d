"""Records that stay right, in Chromium with axe on every page: a record saved (the success banner
takes focus), the same page sent again after Back refused, a record corrected and one withdrawn,
and the case closed with its outcome and gone from the open list."""
from __future__ import annotations

from sqlalchemy import func, select

from hearth.web import db
from hearth.web.models import Case, Event, Submission

from councils import needs_council

from .accessibility import check_accessibility
from .conftest import email, sign_in
from .govuk_forms import fill_form, submit

COUNCIL = "gateshead"   # the answers below are its record_event form's
REF = "G-RECORDS"


def _submissions(live, case_id: int) -> list[tuple[int, str]]:
    with live.app.app_context():
        return [(row.id, row.status) for row in db.session().scalars(
            select(Submission).where(Submission.case_id == case_id).order_by(Submission.id))]


@needs_council(COUNCIL)
def test_records_corrected_withdrawn_sent_twice_and_the_case_closed(page, live):
    try:
        sign_in(page, email("worker", COUNCIL))
        page.goto("/cases/new")
        check_accessibility(page, "opening a case")
        fill_form(page, {"child_ref": REF, "placement_type": "in_house_foster", "started": "2025-06-01"})
        submit(page, "Open the case")
        case_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
        check_accessibility(page, "a case just opened")

        page.goto(f"/cases/{case_id}/forms/record_event")
        check_accessibility(page, "a record's form")
        fill_form(page, {"what": "absence", "event_date": "2026-01-20"})
        submit(page)
        page.wait_for_function("document.activeElement.classList.contains('govuk-notification-banner')")
        assert "Saved" in page.inner_text(".govuk-notification-banner--success")
        assert page.evaluate("window.scrollY") == 0, "the page opens at its top, not at the evaluation"
        check_accessibility(page, "the case page after a record is saved")

        page.go_back()   # Back to the form: it was saved, so it is not drawn again to be sent twice
        assert "This form was already saved" in page.inner_text("main")
        check_accessibility(page, "a form sent twice")
        (first, _), = _submissions(live, case_id)
        page.click("#already-saved-link")
        assert page.url.endswith(f"/submissions/{first}")
        check_accessibility(page, "a submitted record")

        page.click("a:has-text('Correct this record')")
        check_accessibility(page, "correcting a record")
        fill_form(page, {"event_date": "2026-01-21", "change_reason": "The wrong day was entered"})
        submit(page, "Save the corrected record")
        assert "Corrects" in page.inner_text("#record-history")
        check_accessibility(page, "a corrected record")
        page.click("a:has-text('Withdraw this record')")
        check_accessibility(page, "withdrawing a record")
        page.fill("#reason", "Recorded on the wrong child's case")
        submit(page, "Withdraw this record")
        assert "Withdrawn" in page.inner_text("#record-history")
        check_accessibility(page, "a withdrawn record")
        assert [status for _, status in _submissions(live, case_id)] == ["amended", "withdrawn"]
        with live.app.app_context():
            counted = db.session().scalar(select(func.count()).select_from(Event).where(
                Event.case_id == case_id, Event.withdrawn_at.is_(None)))
        assert counted == 0

        page.goto(f"/cases/{case_id}/forms/record_event")
        fill_form(page, {"what": "concern_closed", "event_date": "2026-01-22", "outcome": "home_stable"})
        submit(page)
        assert "This case is closed" in page.inner_text("#case-closed")
        assert "Home stable" in page.inner_text("#case-closed")
        check_accessibility(page, "a closed case")
        page.goto("/?worker=all")
        assert REF not in page.inner_text("main")
        check_accessibility(page, "the open cases without the closed one")
        with live.app.app_context():
            assert db.session().scalar(select(Case.status).where(Case.id == case_id)) == "closed"
    finally:
        live.reseed()
