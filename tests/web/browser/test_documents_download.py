"""The meeting record downloaded as a PDF from its page in Chromium (the page's own link), its
text holding the council's name, the child's reference and the answers; then a manager's page
for a month's meeting timeliness from the dashboard, with its error; axe on every page."""
from __future__ import annotations

from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from hearth.engine import api
from hearth.web import db
from hearth.web.models import Case, Submission, User

from councils import needs_council

from .accessibility import check_accessibility
from .conftest import email, sign_in

COUNCIL = "gateshead"   # the answers below are its meeting_decision form's
DETAILS = "The carers asked for a weekend of respite."


@needs_council(COUNCIL)
def test_the_meeting_record_downloads_as_a_pdf_holding_its_answers(page, live, tmp_path):
    with live.app.app_context():
        s = db.session()
        case = s.scalars(select(Case).where(Case.council_id == COUNCIL).order_by(Case.child_ref)).first()
        worker = s.scalar(select(User).where(User.email == email("worker", COUNCIL)))
        record = Submission(case_id=case.id, form_id="meeting_decision", form_version="1", status="submitted",
                            created_by_id=worker.id, updated_by_id=worker.id,
                            data={"decision_date": date(2026, 1, 20).isoformat(), "chair": "fostering_team_manager",
                                  "arranger": "childs_social_worker", "details": DETAILS})
        s.add(record)
        s.commit()
        case_id, ref, record_id = case.id, case.child_ref, record.id
    try:
        sign_in(page, email("worker", COUNCIL))
        page.goto(f"/cases/{case_id}/submissions/{record_id}")
        check_accessibility(page, "a submitted record")
        with page.expect_download() as downloading:
            page.click("a:has-text('Download this record as a PDF')")
        saved = tmp_path / downloading.value.suggested_filename
        downloading.value.save_as(saved)
        assert saved.name == f"{COUNCIL}-case-{case_id}-record-{record_id}.pdf"
        text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(saved).pages)
        for expected in (api.get_council(COUNCIL).name, ref, "Who will chair the meeting?", DETAILS):
            assert expected in text, expected

        sign_in(page, email("manager", COUNCIL))   # a manager's month of meetings: the form, and its error
        page.click("a:has-text('meeting timeliness')")
        check_accessibility(page, "a month's meeting timeliness")
        page.fill("#year", "20x6")
        page.click("button:has-text('Download the CSV')")
        assert "Enter the year as 4 digits" in page.inner_text(".govuk-error-summary")
        check_accessibility(page, "a month's meeting timeliness, with an error")
    finally:
        with live.app.app_context():
            s = db.session()
            s.delete(s.get(Submission, record_id))
            s.commit()
