"""A record as a document: a submitted meeting record and a case's history as tagged PDFs
(PDF/UA: marked, a structure tree, the language and the title in the metadata) holding the
council's name and every answer in words; downloads, never cached, audited as exports; a
restricted case's or another council's is a 404 (audited)."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pikepdf
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from hearth.engine import api
from hearth.web import db
from hearth.web.models import AuditAction, AuditEntry, Case, Event, Submission, User

from records_support import refusals, restrict, signed_in, url

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")
COUNCIL = "gateshead"   # its meeting_decision form's questions are what the record shows
DETAILS = "Agreed with the chair by phone; the carers asked for respite."


def submitted_record(app, case: Case) -> int:
    """A meeting decision submitted on the case by its council's worker."""
    with app.app_context():
        s = db.session()
        worker = s.scalar(select(User).where(User.email == f"worker@{COUNCIL}.demo"))
        sub = Submission(case_id=case.id, form_id="meeting_decision", form_version="1", policy_version="2024-04",
                         status="submitted", created_by_id=worker.id, updated_by_id=worker.id,
                         data={"decision_date": date(2026, 1, 12).isoformat(), "chair": "fostering_team_manager",
                               "arranger": "childs_social_worker", "details": DETAILS})
        s.add(sub)
        s.commit()
        return sub.id


def text_of(body: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(body)).pages)


def assert_tagged(body: bytes, title: str) -> None:
    with pikepdf.open(io.BytesIO(body)) as document:
        assert document.Root.MarkInfo.Marked == True  # noqa: E712 - a pikepdf Boolean object
        assert "/StructTreeRoot" in document.Root
        assert str(document.Root.Lang) == "en-GB"
        assert document.open_metadata()["dc:title"] == title


def assert_download(answer, name_part: str) -> None:
    assert answer.status_code == 200 and answer.mimetype == "application/pdf" and answer.data.startswith(b"%PDF")
    assert answer.headers["Cache-Control"] == "no-store"
    disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and name_part in disposition and disposition.endswith('.pdf"')


def test_the_meeting_record_and_the_case_history_as_tagged_pdfs(app, demo):
    case = demo.cases[COUNCIL][0]
    record_id = submitted_record(app, case)
    council_name = api.get_council(COUNCIL).name
    manager = signed_in(app, demo.email("manager", COUNCIL))

    page = manager.get(url(app, "workflow.submission", case_id=case.id, submission_id=record_id)).get_data(as_text=True)
    link = url(app, "documents.record_pdf", case_id=case.id, submission_id=record_id)
    assert f'href="{link}"' in page
    record = manager.get(link)
    assert_download(record, f"case-{case.id}-record-{record_id}")
    text = text_of(record.data)
    for expected in (council_name, case.child_ref, "Who will chair the meeting?", "Who is responsible for arranging",
                     DETAILS, "version 1", "2024-04", "UK time", "Decide to hold a stable homes meeting"):
        assert expected in text, expected
    assert_tagged(record.data, f"Decide to hold a stable homes meeting – {case.child_ref} – {council_name}")

    history = manager.get(url(app, "documents.history_pdf", case_id=case.id))
    assert_download(history, f"case-{case.id}-history")
    text = text_of(history.data)
    assert council_name in text and f"Case history of child {case.child_ref}" in text and DETAILS in text
    assert f"Events ({len(case.events)})" in text and "Records (1)" in text
    assert_tagged(history.data, f"Case history of {case.child_ref} – {council_name}")

    with app.app_context():   # withdrawn: the record and its events stay in the history, marked
        s = db.session()
        s.get(Submission, record_id).status, s.get(Submission, record_id).change_reason = "withdrawn", "Wrong child"
        s.get(Event, case.events[0].id).withdrawn_at = datetime(2026, 2, 3, 12, 0, tzinfo=UTC)
        s.commit()
    text = text_of(manager.get(url(app, "documents.history_pdf", case_id=case.id)).data)
    assert "Withdrawn: Wrong child" in text and "(withdrawn Tuesday 3 February 2026 at 12pm: no longer counts)" in text

    with app.app_context():
        exported = db.session().scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORTED.value)).all()
        assert sorted((entry.object_type, entry.object_id) for entry in exported) == [
            ("case_history", str(case.id)), ("case_history", str(case.id)), ("submission", str(record_id))]


def test_a_restricted_case_and_another_councils_are_404s(app, demo):
    case = demo.cases[COUNCIL][0]
    record_id = submitted_record(app, case)
    restrict(app, case.id, demo.email("worker", COUNCIL))
    manager = signed_in(app, demo.email("manager", COUNCIL))
    assert manager.get(url(app, "documents.history_pdf", case_id=case.id)).status_code == 404
    assert manager.get(url(app, "documents.record_pdf", case_id=case.id, submission_id=record_id)).status_code == 404
    assert len(refusals(app, "restricted", "case")) == 2

    other = signed_in(app, demo.email("manager", demo.other if demo.other != COUNCIL else demo.home))
    assert other.get(url(app, "documents.history_pdf", case_id=case.id)).status_code == 404
    assert other.get(url(app, "documents.record_pdf", case_id=case.id, submission_id=record_id)).status_code == 404
    assert len(refusals(app, "another_council", "case")) == 2
    with app.app_context():
        assert db.session().scalar(select(AuditEntry.id).where(AuditEntry.action == AuditAction.EXPORTED.value)) is None
