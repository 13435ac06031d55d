"""Form submissions over the JSON API: the form's own checks (422 with the field), the
same recording as the web pages (submission, events, audit), drafts, refusals save nothing."""
from __future__ import annotations

from datetime import date

import pytest

from hearth.web.models import AuditEntry, Case, Event, Submission

from api_support import api_policies, audits, bearer, count  # noqa: F401 - fixtures


@pytest.fixture
def swindon(app, demo, bearer, monkeypatch):
    monkeypatch.setitem(app.config, "HEARTH_TODAY", date(2026, 12, 18))
    case = next(c for c in demo.cases["swindon"] if c.placement_type == "ifa_foster")
    return case, bearer("worker@swindon.demo")


def test_field_errors_are_422_with_the_field(app, client, swindon):
    case, headers = swindon
    r = client.post(f"/api/v1/cases/{case.id}/submissions", headers=headers,
                    json={"form": "record_event", "answers": {"event_date": "2026-12-31", "what": "absence"}})
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert [e["field"] for e in errors] == ["answers.event_date"]
    assert "today or in the past" in errors[0]["message"] or "past" in errors[0]["message"]
    r = client.post(f"/api/v1/cases/{case.id}/submissions", headers=headers, json={"form": "nope", "answers": {}})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "form"
    assert count(app, Submission) == 0


def test_submission_records_events_and_answers_the_evaluation(app, client, swindon):
    _, headers = swindon
    made = client.post("/api/v1/councils/swindon/cases", headers=headers,
                       json={"child": {"ref": "API-1"}, "placement": {"type": "ifa_foster", "started": "2026-06-01"}})
    case = Case(id=made.get_json()["id"])
    before = count(app, Event, Event.case_id == case.id)
    r = client.post(f"/api/v1/cases/{case.id}/submissions", headers=headers,
                    json={"form": "meeting_decision",
                          "answers": {"decision_date": "2026-12-18", "care_planning_held": True,
                                      "chair": "childrens_social_work_manager", "arranger": "fostering_manager"}})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["submission"]["status"] == "submitted" and body["submission"]["form_version"] == "1"
    assert [e["type"] for e in body["events"]] == ["stability_meeting_decided"]
    assert {"id": "initial_meeting", "due": "2026-12-29"}.items() <= next(
        d for d in body["evaluation"]["deadlines"] if d["id"] == "initial_meeting").items()
    assert count(app, Event, Event.case_id == case.id) == before + 1
    entry = audits(app, object_type="submission")[-1]
    assert entry.detail["via"] == "api" and entry.policy_version == "2025-01"
    listed = client.get(f"/api/v1/cases/{case.id}/submissions", headers=headers).get_json()["submissions"]
    assert [s["id"] for s in listed] == [body["submission"]["id"]]


def test_drafts_and_refusals(app, client, swindon):
    case, headers = swindon
    r = client.post(f"/api/v1/cases/{case.id}/submissions", headers=headers,
                    json={"form": "record_event", "answers": {"what": "absence"}, "draft": True})
    assert r.status_code == 201 and r.get_json()["submission"]["status"] == "draft" and r.get_json()["events"] == []
    from hearth.web import db
    with app.app_context():
        db.session().get(Case, case.id).placement_type = "ifa_fostr"
        db.session().commit()
    before = count(app, Submission), count(app, Event)
    r = client.post(f"/api/v1/cases/{case.id}/submissions", headers=headers,
                    json={"form": "record_event", "answers": {"event_date": "2026-12-17", "what": "absence"}})
    assert r.status_code == 422 and "ifa_fostr" in r.get_data(as_text=True)
    assert (count(app, Submission), count(app, Event)) == before
    assert client.post(f"/api/v1/cases/{case.id}/submissions", headers=headers, data="x").status_code == 415
    assert count(app, AuditEntry, AuditEntry.object_type == "submission") == 0
