"""The meeting workflow end to end through the test client, for each council: every step
is the council's own form, and the live evaluation's deadlines after each step are the
dates worked out by hand below (England's bank holidays: 25 and 28 December 2026,
1 January 2027)."""
from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from hearth.web import db
from hearth.web.models import AuditEntry, Event, Submission

from web_support import csrf_token, form_keys
from workflow_support import answer, due, fill, gate, new_case


@pytest.fixture
def on(app, monkeypatch):
    """Move 'today' as the story goes on."""
    def _set(day: date):
        monkeypatch.setitem(app.config, "HEARTH_TODAY", day)
        return day
    return _set


# Why these records differ from the policy (a meeting without everyone the policy requires):
# the form page asks, for each warning (hearth.web.entry_warnings), before it saves.
REASONS = {f"entry_reason-{kind}-{index}-{field}": "Agreed with the chair beforehand."
           for index in range(3) for kind, field in (("invitee", "invited"), ("invitee", "attendees"),
                                                     ("chair", "chair"), ("claim", "meeting_held"))}


def _ok(r):
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]


def test_gateshead_meeting_workflow(app, login_as, on):
    client = login_as("worker@gateshead.demo")
    on(date(2026, 12, 16))
    case_id = new_case(client, "G-JOURNEY", "in_house_foster", date(2026, 6, 1))
    _ok(fill(client, case_id, "gateshead", "stability_concern",
             {"concern_date": "2026-12-16", "raised_by": "carer", "happening": ["missing_episode"],
              "details": "Missing overnight twice this week."}, date(2026, 12, 16)))
    assert answer(app, case_id)["recommendation"] == "hold_stability_meeting"
    assert due(app, case_id) == {}

    # Decision on Friday 18 December: five working days, 25 and 28 December are bank holidays.
    today = on(date(2026, 12, 18))
    _ok(fill(client, case_id, "gateshead", "meeting_decision",
             {"decision_date": "2026-12-18", "chair": "fostering_team_manager",
              "arranger": "childs_social_worker"}, today))
    assert due(app, case_id) == {"initial_meeting": ("2026-12-29", "pending")}
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "29 December 2026" in page and "Decision to hold a stable homes meeting" in page
    # Arranged first for Wednesday 30th, a day late: the case page says so; then moved to the 29th.
    invited = ["fostering_team_manager", "childs_social_worker", "foster_carer", "iro"]
    for day in ("2026-12-30", "2026-12-29"):
        _ok(fill(client, case_id, "gateshead", "schedule_meeting",
                 {"arranged_on": "2026-12-18", "meeting": "stability", "meeting_date": day, "invited": invited},
                 today, **REASONS))
        page = client.get(f"/cases/{case_id}").get_data(as_text=True)
        assert f"Arranged for {int(day[-2:])} December 2026" in page
        assert ("Arranged after the due date" in page) == (day == "2026-12-30")
        dashboard = BeautifulSoup(client.get("/?worker=all").get_data(as_text=True), "html.parser")
        row = next(tr.get_text(" ", strip=True) for tr in dashboard.select("#cases tbody tr") if "G-JOURNEY" in tr.get_text())
        assert f"Arranged for {int(day[-2:])} December 2026" in row
        assert ("Arranged after the due date" in row) == (day == "2026-12-30")
    assert due(app, case_id) == {"initial_meeting": ("2026-12-29", "pending")}, "arranging is not holding"

    # The meeting on its due day, with who was invited (the scheduling) and a review agreed.
    today = on(date(2026, 12, 29))
    record = {"meeting_type": "initial", "meeting_date": "2026-12-29", "chair": "fostering_team_manager",
              "invited": ["fostering_team_manager", "childs_social_worker", "foster_carer", "iro"],
              "attended": ["fostering_team_manager", "childs_social_worker", "foster_carer"],
              "reason": "Missing episodes.", "views": [{"party": "foster_carer", "view": "Worried."}],
              "child_attended": False, "child_views_how": "Seen at home.", "child_views": "Wants to stay.",
              "decisions": "Support plan.", "actions": [{"action": "Visit", "who": "childs_social_worker",
                                                         "by_when": "2027-01-05"}],
              "outcome": "Plan agreed.", "success": "No more missing.", "review_agreed": True,
              "review_date": "2027-01-12", "review_timing": "usual"}
    _ok(fill(client, case_id, "gateshead", "stable_homes_meeting", record, today, **REASONS))
    assert due(app, case_id) == {"initial_meeting": ("2026-12-29", "met"),
                                 "review_meeting": ("2027-01-12", "pending")}

    today = on(date(2027, 1, 12))
    review = dict(record, meeting_type="review", meeting_date="2027-01-12", review_agreed=False,
                  review_date=None, review_timing=None, no_review_reason="Home settled.",
                  statutory_review_needed=False,
                  actions=[{"action": "Keep visiting", "who": "childs_social_worker", "by_when": "2027-01-20"}])
    _ok(fill(client, case_id, "gateshead", "stable_homes_meeting", review, today, **REASONS))
    assert due(app, case_id)["review_meeting"] == ("2027-01-12", "met")

    today = on(date(2027, 1, 13))
    _ok(fill(client, case_id, "gateshead", "record_event",
             {"event_date": "2027-01-13", "what": "concern_closed", "outcome": "home_stable"}, today))
    with app.app_context():
        s = db.session()
        types = [e.type for e in s.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.on, Event.id))]
        assert types == ["stability_concern_raised", "missing_episode", "stability_meeting_decided",
                         "meeting_scheduled", "meeting_scheduled", "stability_meeting_held", "action_agreed",
                         "review_meeting_held", "action_agreed", "concern_closed"]
        events = s.scalars(select(Event).where(Event.case_id == case_id)).all()
        assert all(e.source_submission_id and e.policy_version == "2024-04" for e in events)
        subs = s.scalars(select(Submission).where(Submission.case_id == case_id)).all()
        assert len(subs) == 7 and {x.status for x in subs} == {"submitted"}
        assert all(x.policy_version == "2024-04" and x.form_version == "1" for x in subs)
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.object_type == "submission", AuditEntry.policy_version == "2024-04")) == 7


def test_swindon_workflow_with_funding_through_the_gate(app, login_as, on, client):
    client = login_as("worker@swindon.demo")
    today = on(date(2026, 12, 14))
    case_id = new_case(client, "S-JOURNEY", "ifa_foster", date(2026, 6, 1))
    _ok(fill(client, case_id, "swindon", "stability_concern",
             {"concern_date": "2026-12-14", "raised_by": "foster_carer", "happening": ["missing_episode"],
              "details": "Missing overnight."}, today))
    today = on(date(2026, 12, 18))
    _ok(fill(client, case_id, "swindon", "meeting_decision",
             {"decision_date": "2026-12-18", "care_planning_held": False, "why_no_care_planning": "Urgent.",
              "chair": "childrens_social_work_manager", "arranger": "supervising_social_worker"}, today))
    assert due(app, case_id) == {"initial_meeting": ("2026-12-29", "pending")}
    _ok(fill(client, case_id, "swindon", "schedule_meeting",
             {"arranged_on": "2026-12-18", "meeting": "stability", "meeting_date": "2026-12-22",
              "invited": ["childrens_social_work_manager", "childs_social_worker", "foster_carer"]}, today, **REASONS))

    # A funding request before the meeting is blocked, and a manager cannot approve it.
    _ok(fill(client, case_id, "swindon", "funding_request",
             {"request_date": "2026-12-18", "kind": "increased_funding", "cost": 1200, "reason": "Respite.",
              "before_meeting": "waiting"}, today))
    with app.app_context():
        sub_id = db.session().scalar(select(Submission.id).where(Submission.case_id == case_id,
                                                                 Submission.form_id == "funding_request"))
    assert gate(app, case_id, "increased_funding") == "blocked"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    client = login_as("manager@swindon.demo")
    page = client.get(f"/cases/{case_id}/submissions/{sub_id}").get_data(as_text=True)
    assert "Approve the request" not in page and 'id="approval-blocked"' in page
    r = client.post(f"/cases/{case_id}/submissions/{sub_id}/approve",
                    data={"csrf_token": csrf_token(client, "/")})
    assert r.status_code == 409
    assert "This request cannot be approved: the policy says it is blocked" in r.get_data(as_text=True)

    # The stability meeting on Tuesday 22 December: minutes due five working days later,
    # Thursday 31 December (23, 24, 29, 30, 31: the 25th and 28th are bank holidays).
    today = on(date(2026, 12, 22))
    minutes = {"meeting_date": "2026-12-22", "chair": "childrens_social_work_manager",
               "attended": ["childrens_social_work_manager", "childs_social_worker", "foster_carer"],
               "purpose": "Missing episodes.", "child_attended": False, "child_views_how": "Visited.",
               "two_parts": False, "advocate_considered": False,
               "reflections": [{"who": "foster_carer", "reflection": "Tired."}],
               "support_to_date": "Weekly visits.", "needs": "Stability.", "child_experience": "Unsettled.",
               "child_voice": "Wants to stay.", "carer_experience": "Hard.", "plan": "Respite.",
               "in_reach_considered": True,
               "actions": [{"action": "Arrange respite", "who": "supervising_social_worker", "by_when": "2027-01-05"}],
               "review_booked": True, "review_date": "2027-01-12"}
    _ok(fill(client, case_id, "swindon", "stability_meeting_minutes", minutes, today, **REASONS))
    assert due(app, case_id) == {"initial_meeting": ("2026-12-29", "met"),
                                 "review_meeting": ("2027-01-12", "pending"),
                                 "minutes_circulated": ("2026-12-31", "pending")}
    assert gate(app, case_id, "increased_funding") == "open"
    page = client.get(f"/cases/{case_id}/submissions/{sub_id}").get_data(as_text=True)
    assert "Approve the request" in page
    approve = f"/cases/{case_id}/submissions/{sub_id}/approve"
    _ok(client.post(approve, data=form_keys(client, f"/cases/{case_id}/submissions/{sub_id}", approve)))
    page = client.get(f"/cases/{case_id}/submissions/{sub_id}").get_data(as_text=True)
    assert "Approved by Demo manager" in page

    today = on(date(2026, 12, 30))
    _ok(fill(client, case_id, "swindon", "record_event", {"event_date": "2026-12-30", "what": "minutes_circulated"}, today))
    assert due(app, case_id)["minutes_circulated"] == ("2026-12-31", "met")

    today = on(date(2027, 1, 12))
    _ok(fill(client, case_id, "swindon", "review_meeting",
             {"meeting_date": "2027-01-12", "chair": "childrens_social_work_manager",
              "attended": ["childrens_social_work_manager", "childs_social_worker"], "child_voice": "Happier.",
              "actions_reviewed": [{"action": "Arrange respite", "progress": "done"}],
              "progress_summary": "Settled.", "outcome": "stable", "review_booked": False,
              "no_review_reason": "Home stable."}, today, **REASONS))
    assert due(app, case_id)["review_meeting"] == ("2027-01-12", "met")
    _ok(fill(client, case_id, "swindon", "record_event",
             {"event_date": "2027-01-12", "what": "concern_closed", "outcome": "home_stable"}, today))
    with app.app_context():
        s = db.session()
        approval = s.scalar(select(AuditEntry).where(AuditEntry.object_type == "funding_request",
                                                      AuditEntry.action == "changed"))
        assert approval.detail["decision"] == "approved" and approval.detail["gate"] == "open"
        assert approval.policy_version == "2025-01" and approval.council_id == "swindon"
        approved = s.scalar(select(Event).where(Event.case_id == case_id, Event.type == "funding_approved"))
        assert approved.fields == {"request": "increased_funding", "cost": 1200} and approved.on == date(2026, 12, 22)
        assert s.scalar(select(func.count()).select_from(Event).where(Event.case_id == case_id,
                                                                      Event.type == "concern_closed")) == 1


def test_external_service_needs_the_panel_then_a_manager(app, login_as, on):
    client = login_as("manager@swindon.demo")
    today = on(date(2026, 12, 22))
    case_id = new_case(client, "S-PANEL", "ifa_foster", date(2026, 6, 1))
    _ok(fill(client, case_id, "swindon", "record_event",
             {"event_date": "2026-12-21", "what": "safeguarding_concern", "significant": True}, today))
    assert gate(app, case_id, "external_service") == "blocked"  # until a manager confirms the exception
    with app.app_context():
        concern_id = db.session().scalar(select(Submission.id).where(Submission.case_id == case_id))
    url = f"/cases/{case_id}/submissions/{concern_id}/confirm-exception"
    _ok(client.post(url, data={**form_keys(client, url),
                               "reason": "The child disclosed harm at home; the plan cannot wait for a meeting."}))
    _ok(fill(client, case_id, "swindon", "funding_request",
             {"request_date": "2026-12-22", "kind": "external_service", "cost": 500, "reason": "Therapy.",
              "before_meeting": "held", "panel_presenter": "childs_social_worker"}, today, **REASONS))
    assert gate(app, case_id, "external_service") == "needs_approval"
    with app.app_context():
        sub_id = db.session().scalar(select(Submission.id).where(Submission.case_id == case_id,
                                                                 Submission.form_id == "funding_request"))
    page = client.get(f"/cases/{case_id}/submissions/{sub_id}").get_data(as_text=True)
    assert 'id="approval-panel"' in page and "Approve the request" not in page
    r = client.post(f"/cases/{case_id}/submissions/{sub_id}/approve", data={"csrf_token": csrf_token(client, "/")})
    assert r.status_code == 409 and "needs the panel" in r.get_data(as_text=True)
    panel = f"/cases/{case_id}/submissions/{sub_id}/panel-approval"
    _ok(client.post(panel, data={**form_keys(client, panel), "panel_date": ["22", "12", "2026"],
                                 "reference": "CRP-2026-031"}))
    assert gate(app, case_id, "external_service") in ("approved", "overridden", "open")
    approve = f"/cases/{case_id}/submissions/{sub_id}/approve"
    _ok(client.post(approve, data=form_keys(client, f"/cases/{case_id}/submissions/{sub_id}", approve)))
    with app.app_context():
        s = db.session()
        panel = s.scalar(select(Event).where(Event.case_id == case_id, Event.type == "panel_approved"))
        assert panel.fields == {"request": "external_service", "reference": "CRP-2026-031"}
        assert panel.on == date(2026, 12, 22)
        approval = s.scalar(select(AuditEntry).where(AuditEntry.object_type == "funding_request",
                                                      AuditEntry.action == "changed"))
        assert approval.detail["decision"] == "approved"
        if approval.detail["gate"] == "overridden":
            assert approval.detail["override_reason"]
