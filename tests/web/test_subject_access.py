"""The subject-access export: everything held about one child (the case as opened with its date
of birth, every event and submission, the audit about it) and nothing of another child or
council, as JSON and as a PDF with the child's reference in its text and a title; both
downloads, never cached, and audited."""
from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from hearth.web import db
from hearth.web.models import AuditAction, AuditEntry, Case, Event, Submission

from records_support import signed_in, url
from web_support import form_keys

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")
REF = "SAR-0001"


def open_case(app, demo, council: str) -> int:
    """A case opened on the new-case form with the child's date of birth (a future one refused)."""
    worker = signed_in(app, demo.email("worker", council))
    page = url(app, "new_case.new")
    form = {"child_ref": REF, "placement_type": demo.cases[council][0].placement_type,
            "started": ["1", "1", "2024"], "child_date_of_birth": ["14", "6", "2999"]}
    refused = worker.post(page, data={**form_keys(worker, page), **form})
    assert "The child&#39;s date of birth must be today or in the past" in refused.get_data(as_text=True)
    opened = worker.post(page, data={**form_keys(worker, page), **form,
                                     "child_date_of_birth": ["14", "6", "2012"]})
    assert opened.status_code == 302
    case_id = int(opened.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert worker.get(opened.headers["Location"]).status_code == 200   # viewed: in the audit
    return case_id


def test_the_export_holds_everything_about_the_child_and_nothing_else(app, demo):
    council = demo.home
    case_id = open_case(app, demo, council)
    with app.app_context():
        s = db.session()
        s.add_all([Event(case_id=case_id, type="note", on=case.placement_started, fields={"said": "first"})
                   for case in [s.get(Case, case_id)] * 2])
        s.add(Submission(case_id=case_id, form_id="a_form", form_version="1", data={"answer": "held"}))
        s.add(Submission(case_id=demo.cases[council][0].id, form_id="a_form", form_version="1",
                         data={"answer": "another child's"}))
        s.commit()
        event_ids = set(s.scalars(select(Event.id).where(Event.case_id == case_id)))
        submission_ids = set(s.scalars(select(Submission.id).where(Submission.case_id == case_id)))
    admin = signed_in(app, demo.email("admin", council))

    answer = admin.get(url(app, "data_protection.export_json", case_id=case_id))
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert answer.headers["Cache-Control"] == "no-store"
    held = json.loads(answer.get_data(as_text=True))
    assert (held["format"], held["version"]) == ("hearth-subject-access", 1)
    assert held["case"]["child_ref"] == REF and held["case"]["child_date_of_birth"] == "2012-06-14"
    assert {event["id"] for event in held["events"]} == event_ids and len(event_ids) == 2
    assert {found["id"] for found in held["submissions"]} == submission_ids
    assert held["submissions"][0]["answers"] == {"answer": "held"}
    assert {(entry["action"], entry["object_type"]) for entry in held["audit"]} >= {("created", "case"),
                                                                                    ("viewed", "case")}
    text = answer.get_data(as_text=True)
    others = [ref for refs in (demo.refs(c) for c in demo.cases) for ref in refs]
    assert not [ref for ref in others if f'"{ref}"' in text] and "another child's" not in text

    pdf = admin.get(url(app, "data_protection.export_pdf", case_id=case_id))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Cache-Control"] == "no-store" and "attachment" in pdf.headers["Content-Disposition"]
    document = PdfReader(io.BytesIO(pdf.data))
    assert REF in document.metadata.title
    assert REF in "".join(page.extract_text() for page in document.pages)
    with app.app_context():
        exported = db.session().scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORTED.value))
        assert sorted(entry.detail["format"] for entry in exported if entry.object_id == str(case_id)) == ["json", "pdf"]

    audit_page = admin.get(url(app, "data_protection.case_audit", case_id=case_id)).get_data(as_text=True)
    assert "Exported" in audit_page and "Viewed" in audit_page and demo.email("worker", council) not in audit_page
