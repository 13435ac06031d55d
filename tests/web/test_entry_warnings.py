"""The policy checked as entries are made (issue 13 item 4): a chair outside the policy or a
required invitee left out asks for a reason, which is kept with the record and shown until a
manager reviews it; a meeting claimed that the case does not show; a safeguarding exception that
takes effect only once a manager confirms it; requests declined with a reason; the panel's
approval with its date and reference; one status on the request's page. What is expected is
read from the live evaluation, not written here."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from hearth.web import db
from hearth.web.entry_warnings import REASON_PREFIX, WARNINGS_KEY, warning_counts
from hearth.web.funding import CONFIRM, PANEL, WAITING, awaiting_decision
from hearth.web.models import AuditEntry, Case, Event, Submission

from web_support import csrf_token, form_keys
from workflow_support import answer, fill, gate

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

TODAY = date(2026, 12, 18)
REASON = "The IRO was on leave and sent a written report; the chair agreed."


@pytest.fixture
def pinned(app, monkeypatch):
    monkeypatch.setitem(app.config, "HEARTH_TODAY", TODAY)


def _case(demo, council: str, ref: str) -> Case:
    return next(c for c in demo.cases[council] if c.child_ref == ref)


def _latest(case_id: int, form_id: str) -> Submission | None:
    return db.session().scalar(select(Submission).where(Submission.case_id == case_id, Submission.form_id == form_id)
                               .order_by(Submission.id.desc()))


def _page(client, url: str) -> str:
    return client.get(url).get_data(as_text=True)


def test_a_chair_outside_the_policy_needs_a_reason_shown_until_a_manager_reviews_it(app, demo, login_as, pinned):
    client = login_as("worker@swindon.demo")
    case = _case(demo, "swindon", "S-2004")
    options = answer(app, case.id)["chair"]["options"]
    outside = next(r for r in ("childrens_social_work_manager", "fostering_manager", "social_care_manager")
                   if r not in options)
    decision = {"decision_date": "2026-12-18", "care_planning_held": False, "why_no_care_planning": "Urgent.",
                "chair": outside, "arranger": "supervising_social_worker"}
    r = fill(client, case.id, "swindon", "meeting_decision", decision, TODAY)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "This record differs from the council&#39;s policy" in page
    assert f'id="{REASON_PREFIX}chair-0-chair"' in page and "govuk-warning-text" in page
    with app.app_context():
        assert _latest(case.id, "meeting_decision") is None  # nothing saved without a reason
    r = fill(client, case.id, "swindon", "meeting_decision", decision, TODAY, **{f"{REASON_PREFIX}chair-0-chair": "x"})
    assert r.status_code == 200 and "The reason must be at least 10 characters" in r.get_data(as_text=True)
    r = fill(client, case.id, "swindon", "meeting_decision", decision, TODAY, **{f"{REASON_PREFIX}chair-0-chair": REASON})
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        sub = _latest(case.id, "meeting_decision")
        kept = sub.data[WARNINGS_KEY]
        assert [(w["kind"], w["given"], w["expected"], w["reason"]) for w in kept] == [
            ("chair", [outside], options, REASON)]
        assert warning_counts(db.session(), [case.id, case.id + 1000]) == {case.id: 1}
    case_page = _page(client, f"/cases/{case.id}")
    assert 'id="case-warnings"' in case_page and REASON in case_page
    record = _page(client, f"/cases/{case.id}/submissions/{sub.id}")
    assert REASON in record and "Mark as reviewed" not in record   # a worker cannot review

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    client = login_as("manager@swindon.demo")
    assert "Mark as reviewed" in _page(client, f"/cases/{case.id}/submissions/{sub.id}")
    r = client.post(f"/cases/{case.id}/submissions/{sub.id}/warnings-reviewed",
                    data={**form_keys(client, f"/cases/{case.id}/submissions/{sub.id}"), "note": "Agreed."})
    assert r.status_code == 302
    assert 'id="case-warnings"' not in _page(client, f"/cases/{case.id}")
    assert 'id="warnings-reviewed"' in _page(client, f"/cases/{case.id}/submissions/{sub.id}")
    with app.app_context():
        assert warning_counts(db.session(), [case.id]) == {}
        review = db.session().scalar(select(AuditEntry).where(AuditEntry.object_type == "entry_warnings"))
        assert review.detail["reviewed"] == ["chair-0-chair"] and review.user.email == "manager@swindon.demo"


def test_a_required_invitee_left_out_and_a_meeting_claimed_that_the_case_does_not_show(app, demo, login_as, pinned):
    client = login_as("worker@gateshead.demo")
    case = _case(demo, "gateshead", "G-1003")
    required = answer(app, case.id)["invitees"]["required"]
    arranged = {"arranged_on": "2026-12-18", "meeting": "stability", "meeting_date": "2026-12-22",
                "invited": required[1:]}
    r = fill(client, case.id, "gateshead", "schedule_meeting", arranged, TODAY,
             **{f"{REASON_PREFIX}invitee-0-invited": "The social worker is the one arranging it."})
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        kept = _latest(case.id, "schedule_meeting").data[WARNINGS_KEY]
        assert [(w["kind"], w["expected"]) for w in kept] == [("invitee", required[:1])]

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    client = login_as("worker@swindon.demo")
    case = _case(demo, "swindon", "S-2003")
    assert not any(e["type"].endswith("meeting_held") for e in answer(app, case.id).get("events", []))
    request = {"request_date": "2026-12-18", "kind": "increased_funding", "cost": 200, "reason": "Respite.",
               "before_meeting": "held"}
    r = fill(client, case.id, "swindon", "funding_request", request, TODAY)
    assert r.status_code == 200 and f'id="{REASON_PREFIX}claim-0-meeting_held"' in r.get_data(as_text=True)
    r = fill(client, case.id, "swindon", "funding_request", request, TODAY,
             **{f"{REASON_PREFIX}claim-0-meeting_held": "Held on paper by the previous team."})
    assert r.status_code == 302
    with app.app_context():
        sub = _latest(case.id, "funding_request")
        assert [w["kind"] for w in sub.data[WARNINGS_KEY]] == ["claim"]
    # The claim opens nothing: the policy still waits for a meeting it can see.
    assert gate(app, case.id, "increased_funding") == "blocked"
    page = _page(client, f"/cases/{case.id}/submissions/{sub.id}")
    assert page.count('id="request-status"') == 1 and "Blocked by the policy" in page
    assert "What the policy says today" not in page and "Not approved yet" not in page


def test_a_safeguarding_exception_waits_for_a_manager_then_the_request_is_declined(app, demo, login_as, pinned):
    client = login_as("worker@swindon.demo")
    case = _case(demo, "swindon", "S-2001")
    request = {"request_date": "2026-12-18", "kind": "alternative_placement", "cost": 3000, "reason": "Unsafe.",
               "before_meeting": "safeguarding", "safeguarding_reason": "x"}
    r = fill(client, case.id, "swindon", "funding_request", request, TODAY)
    assert r.status_code == 200 and "must be 40 characters or more" in r.get_data(as_text=True)
    request["safeguarding_reason"] = "The child disclosed harm by an adult in the household last night."
    r = fill(client, case.id, "swindon", "funding_request", request, TODAY)
    assert r.status_code == 302, r.get_data(as_text=True)
    assert gate(app, case.id, "alternative_placement") == "blocked"  # declared, not yet confirmed
    with app.app_context():
        sub = _latest(case.id, "funding_request")
        assert [w["kind"] for w in sub.data[WARNINGS_KEY]] == ["confirmation"]
        assert warning_counts(db.session(), [case.id]) == {case.id: 1}
    assert "Waiting for a manager to confirm the exception" in _page(client, f"/cases/{case.id}/submissions/{sub.id}")
    assert client.get(f"/cases/{case.id}/submissions/{sub.id}/confirm-exception").status_code == 403

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    client = login_as("manager@swindon.demo")
    with app.test_request_context():
        app.preprocess_request()
        waiting = awaiting_decision(db.session(), "swindon")
        assert [(w["submission"].id, w["status"].code) for w in waiting] == [(sub.id, CONFIRM)]
    assert "S-2001" in _page(client, "/approvals")
    # The manager's dashboard: the queue above the cases, and the point to confirm in the case's row.
    dashboard = _page(client, "/")
    queue = dashboard[dashboard.index('id="approvals-heading"'):dashboard.index('id="cases"')]
    assert f'/cases/{case.id}/submissions/{sub.id}#funding' in queue
    row = re.search(rf'<tr class="govuk-table__row">\s*<th scope="row"[^>]*><a [^>]*href="/cases/{case.id}"[^>]*>.*?</tr>',
                    dashboard, re.S).group(0)
    assert "1 point for a manager" in row and "overdue action" not in row
    r = client.post(f"/cases/{case.id}/submissions/{sub.id}/approve", data={"csrf_token": csrf_token(client, "/")})
    assert r.status_code == 409 and "confirm the exception" in r.get_data(as_text=True)
    url = f"/cases/{case.id}/submissions/{sub.id}/confirm-exception"
    r = client.post(url, data={**form_keys(client, url), "reason": "Agreed."})
    assert r.status_code == 200 and "at least 40 characters" in r.get_data(as_text=True)
    r = client.post(url, data={**form_keys(client, url),
                               "reason": "Police confirmed the disclosure; the child cannot stay tonight."})
    assert r.status_code == 302
    assert gate(app, case.id, "alternative_placement") == "overridden"
    page = _page(client, f"/cases/{case.id}/submissions/{sub.id}")
    assert "Waiting for a manager&#39;s decision" in page and "Approve the request" in page
    with app.app_context():
        assert warning_counts(db.session(), [case.id]) == {}

    url = f"/cases/{case.id}/submissions/{sub.id}/decline"
    r = client.post(url, data={**form_keys(client, url), "reason": ""})
    assert r.status_code == 200 and "Enter why the request is declined" in r.get_data(as_text=True)
    r = client.post(url, data={**form_keys(client, url), "reason": "An emergency foster home is found."})
    assert r.status_code == 302
    page = _page(client, f"/cases/{case.id}/submissions/{sub.id}")
    assert "Declined by Demo manager" in page and "An emergency foster home is found." in page
    assert "Approve the request" not in page and "Decline the request" not in page
    r = client.post(f"/cases/{case.id}/submissions/{sub.id}/approve", data={"csrf_token": csrf_token(client, "/")})
    assert r.status_code == 302  # already decided: back to the page, nothing recorded
    with app.app_context():
        s = db.session()
        declined = s.scalar(select(Event).where(Event.case_id == case.id, Event.type == "funding_declined"))
        assert declined.fields == {"request": "alternative_placement", "cost": 3000}
        assert s.scalar(select(Event).where(Event.case_id == case.id, Event.type == "funding_approved")) is None
        decisions = list(s.scalars(select(AuditEntry).where(AuditEntry.object_type == "funding_request",
                                                            AuditEntry.action == "changed")))
        assert [d.detail["decision"] for d in decisions] == ["declined"]
        assert decisions[0].detail["reason"] == "An emergency foster home is found."
    assert 'id="approvals-empty"' in _page(client, "/approvals")
    assert 'id="approvals-empty"' in _page(client, "/")


def test_the_panels_approval_records_its_date_and_reference(app, demo, login_as, pinned):
    client = login_as("manager@swindon.demo")
    case = _case(demo, "swindon", "S-2002")  # the stability meeting has been held
    request = {"request_date": "2026-12-18", "kind": "external_service", "cost": 500, "reason": "Therapy.",
               "before_meeting": "held", "panel_presenter": "childs_social_worker"}
    assert fill(client, case.id, "swindon", "funding_request", request, TODAY).status_code == 302
    with app.app_context():
        sub = _latest(case.id, "funding_request")
        assert WARNINGS_KEY not in sub.data  # the meeting it claims is on the case
    assert gate(app, case.id, "external_service") == "needs_approval"
    page = _page(client, f"/cases/{case.id}/submissions/{sub.id}")
    assert "Waiting for the panel&#39;s approval" in page and "Approve the request" not in page
    with app.test_request_context():
        app.preprocess_request()
        assert [w["status"].code for w in awaiting_decision(db.session(), "swindon")] == [PANEL]
    url = f"/cases/{case.id}/submissions/{sub.id}/panel-approval"
    assert 'name="panel_date-day"' in _page(client, url) or 'name="panel_date"' in _page(client, url)
    r = client.post(url, data={**form_keys(client, url), "panel_date": ["21", "12", "2026"],
                               "reference": "CRP-2026-014"})
    assert r.status_code == 200 and "The date of the panel must be today or in the past" in r.get_data(as_text=True)
    r = client.post(url, data={**form_keys(client, url), "panel_date": ["16", "12", "2026"],
                               "reference": ""})
    assert r.status_code == 200 and "Enter the panel&#39;s reference" in r.get_data(as_text=True)
    r = client.post(url, data={**form_keys(client, url), "panel_date": ["16", "12", "2026"],
                               "reference": "CRP-2026-014"})
    assert r.status_code == 302
    with app.app_context():
        panel = db.session().scalar(select(Event).where(Event.case_id == case.id, Event.type == "panel_approved"))
        assert (panel.on, panel.fields) == (date(2026, 12, 16), {"request": "external_service",
                                                                  "reference": "CRP-2026-014"})
    with app.test_request_context():
        app.preprocess_request()
        assert [w["status"].code for w in awaiting_decision(db.session(), "swindon")] == [WAITING]
    approve = f"/cases/{case.id}/submissions/{sub.id}/approve"
    r = client.post(approve, data=form_keys(client, f"/cases/{case.id}/submissions/{sub.id}", approve))
    assert r.status_code == 302
    page = _page(client, f"/cases/{case.id}/submissions/{sub.id}")
    assert "Approved by Demo manager" in page and page.count('id="request-status"') == 1
