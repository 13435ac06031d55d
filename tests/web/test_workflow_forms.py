"""Filling forms on a case: drafts, failed checks that keep what was typed, CSRF, the
engine refusing events (nothing half-saved), old form versions, overrides, roles."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from hearth.web import db
from hearth.web.models import AuditEntry, Case, Event, Submission

from web_support import csrf_token, form_keys
from workflow_support import boxes, fill, gate

TODAY = date(2026, 12, 18)


@pytest.fixture
def pinned(app, monkeypatch):
    monkeypatch.setitem(app.config, "HEARTH_TODAY", TODAY)


def _case(demo, council: str, placement: str = "ifa_foster") -> Case:
    return next(c for c in demo.cases[council] if c.placement_type == placement)


def _count(model, **where) -> int:
    stmt = select(func.count()).select_from(model)
    for k, v in where.items():
        stmt = stmt.where(getattr(model, k) == v)
    return db.session().scalar(stmt)


def test_failed_validation_keeps_what_was_typed_and_saves_nothing(app, demo, login_as, pinned):
    client = login_as("worker@swindon.demo")
    case = _case(demo, "swindon")
    url = f"/cases/{case.id}/forms/meeting_decision"
    r = client.post(url, data={**form_keys(client, url), "decision_date-day": "31", "decision_date-month": "2",
                               "decision_date-year": "2026", "details": "Typed <notes> & more",
                               "chair": "fostering_manager"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<title>Error: " in page
    assert "govuk-error-summary" in page and "must be a real date" in page
    assert 'value="31"' in page and "Typed &lt;notes&gt; &amp; more" in page
    assert 'value="fostering_manager" checked' in page
    with app.app_context():
        assert _count(Submission, case_id=case.id) == 0
        assert _count(Event, case_id=case.id) == len(case.events)


def test_draft_saves_invalid_answers_and_resumes_them(app, demo, login_as, pinned):
    client = login_as("worker@gateshead.demo")
    case = _case(demo, "gateshead")
    url = f"/cases/{case.id}/forms/funding_request"
    r = client.post(url, data={**form_keys(client, url), "hearth_action": "draft", "request_date-day": "40",
                               "request_date-month": "12", "request_date-year": "2026", "reason": "Half a thought"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/cases/{case.id}#drafts")
    with app.app_context():
        draft = db.session().scalar(select(Submission).where(Submission.case_id == case.id))
        assert draft.status == "draft" and draft.form_id == "funding_request" and draft.form_version == "1"
        assert _count(Event, case_id=case.id) == len(case.events)  # a draft records nothing
        draft_id = draft.id
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/submissions/{draft_id}" in page and "Continue the draft" in page
    resumed = client.get(f"/cases/{case.id}/submissions/{draft_id}").get_data(as_text=True)
    assert 'value="40"' in resumed and "Half a thought" in resumed and "Save as draft" in resumed

    # Submitting the resumed draft turns the same row into the record, with its events.
    r = fill(client, case.id, "gateshead", "funding_request",
             {"request_date": "2026-12-17", "kind": "increased_funding", "cost": 250.5, "reason": "Respite"},
             TODAY, url=f"/cases/{case.id}/submissions/{draft_id}")
    assert r.status_code == 302
    with app.app_context():
        s = db.session()
        sub = s.get(Submission, draft_id)
        assert sub.status == "submitted" and sub.data["cost"] == 250.5
        assert _count(Submission, case_id=case.id) == 1
        event = s.scalar(select(Event).where(Event.source_submission_id == draft_id))
        assert event.type == "funding_requested" and event.fields["kind"] == "increased_funding"
    shown = client.get(f"/cases/{case.id}/submissions/{draft_id}").get_data(as_text=True)
    assert "govuk-summary-list" in shown and "Respite" in shown and "Save as draft" not in shown


def test_posts_need_a_csrf_token(app, demo, login_as, pinned):
    client = login_as("worker@swindon.demo")
    case = _case(demo, "swindon")
    url = f"/cases/{case.id}/forms/record_event"
    data = boxes("swindon", "record_event", {"event_date": "2026-12-17", "what": "missing_episode"}, TODAY, "",
                 hearth_form_token=form_keys(client, url)["hearth_form_token"])
    del data["csrf_token"]
    answer = client.post(f"/cases/{case.id}/forms/record_event", data=data)
    assert answer.status_code == 400 and "Your form has expired" in answer.get_data(as_text=True)  # CSRF
    data.add("hearth_action", "draft")
    assert client.post(f"/cases/{case.id}/forms/record_event", data=data).status_code == 400
    assert client.post("/cases/new", data={"child_ref": "X-1"}).status_code == 400
    with app.app_context():
        assert _count(Submission, case_id=case.id) == 0


def test_engine_refusal_saves_nothing(app, demo, login_as, pinned, monkeypatch):
    """A placement type the policy no longer knows makes the engine refuse the case:
    the record is shown again with the engine's message, and no row is written."""
    client = login_as("worker@swindon.demo")
    case = _case(demo, "swindon")
    with app.app_context():
        s = db.session()
        s.get(Case, case.id).placement_type = "ifa_fostr"
        s.commit()
        before = (_count(Submission), _count(Event), _count(AuditEntry, object_type="submission"))
    r = fill(client, case.id, "swindon", "record_event", {"event_date": "2026-12-17", "what": "missing_episode"}, TODAY)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<title>Error: " in page
    assert "The council&#39;s policy cannot accept this record" in page and "ifa_fostr" in page
    assert "Nothing has been saved" in page
    with app.app_context():
        assert (_count(Submission), _count(Event), _count(AuditEntry, object_type="submission")) == before


def test_database_failure_half_way_leaves_nothing(app, demo, login_as, pinned, monkeypatch):
    """If writing the events fails after the submission row, the whole record is rolled back."""
    from hearth.web import workflow

    client = login_as("worker@swindon.demo")
    case = _case(demo, "swindon")

    def broken(*_a, **_k):
        yield Event(case_id=case.id, type="missing_episode", on=None)  # NOT NULL: the flush fails

    monkeypatch.setattr(workflow, "_event_rows", broken)
    app.config["PROPAGATE_EXCEPTIONS"], old = False, app.config.get("PROPAGATE_EXCEPTIONS")
    try:
        r = fill(client, case.id, "swindon", "record_event", {"event_date": "2026-12-17", "what": "missing_episode"},
                 TODAY)
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = old
    assert r.status_code == 500
    with app.app_context():
        assert _count(Submission, case_id=case.id) == 0
        assert _count(Event, case_id=case.id) == len(case.events)


def test_override_is_recorded_with_the_policys_reason(app, demo, login_as, pinned):
    client = login_as("manager@swindon.demo")
    case = _case(demo, "swindon", "in_house_foster")
    r = fill(client, case.id, "swindon", "funding_request",
             {"request_date": "2026-12-18", "kind": "alternative_placement", "cost": 3000, "reason": "Unsafe.",
              "before_meeting": "safeguarding",
              "safeguarding_reason": "Serious harm at home, disclosed to the school this morning."}, TODAY)
    assert r.status_code == 302
    assert gate(app, case.id, "alternative_placement") == "blocked"  # until a manager confirms it
    with app.app_context():
        sub_id = db.session().scalar(select(Submission.id).where(Submission.case_id == case.id))
        types = sorted(e.type for e in db.session().scalars(select(Event).where(Event.source_submission_id == sub_id)))
        assert types == ["funding_requested", "safeguarding_concern"]
    url = f"/cases/{case.id}/submissions/{sub_id}/confirm-exception"
    assert client.post(url, data={**form_keys(client, url),
                                  "reason": "Confirmed with the police: the child cannot stay tonight."}).status_code == 302
    assert gate(app, case.id, "alternative_placement") == "overridden"
    approve = f"/cases/{case.id}/submissions/{sub_id}/approve"
    assert client.post(approve, data=form_keys(client, f"/cases/{case.id}/submissions/{sub_id}", approve)
                       ).status_code == 302
    with app.app_context():
        approval = db.session().scalar(select(AuditEntry).where(AuditEntry.object_type == "funding_request"))
        assert approval.detail["gate"] == "overridden" and "safeguarding" in approval.detail["override_reason"]
    page = client.get(f"/cases/{case.id}/submissions/{sub_id}").get_data(as_text=True)
    assert "overridden" in page


def test_workers_record_but_do_not_approve(app, demo, login_as, pinned):
    client = login_as("worker@gateshead.demo")
    case = _case(demo, "gateshead")
    r = fill(client, case.id, "gateshead", "funding_request",
             {"request_date": "2026-12-18", "kind": "increased_funding", "cost": 10, "reason": "Bus fares"}, TODAY)
    assert r.status_code == 302
    with app.app_context():
        sub_id = db.session().scalar(select(Submission.id).where(Submission.case_id == case.id))
    page = client.get(f"/cases/{case.id}/submissions/{sub_id}").get_data(as_text=True)
    assert "A manager can approve this request" in page and "Approve the request" not in page
    r = client.post(f"/cases/{case.id}/submissions/{sub_id}/approve", data={"csrf_token": csrf_token(client, "/")})
    assert r.status_code == 403


def test_old_form_versions_still_display(app, demo, login_as, pinned):
    """A record filled against Swindon's funding request version 1 shows with version 1's questions."""
    from hearth.engine.forms_catalog import load_forms

    old = load_forms("swindon", TODAY).get("funding_request", "1")
    question = old.all_fields()[0].label
    case = _case(demo, "swindon")
    with app.app_context():
        s = db.session()
        sub = Submission(case_id=case.id, form_id="funding_request", form_version="1", policy_version="2025-01",
                         status="submitted", data={f.id: None for f in old.all_fields()})
        s.add(sub)
        s.commit()
        sub_id = sub.id
    client = login_as("worker@swindon.demo")
    page = client.get(f"/cases/{case.id}/submissions/{sub_id}").get_data(as_text=True)
    assert question in page and "form version 1" in page


def test_new_case_page(app, demo, login_as, pinned):
    client = login_as("worker@swindon.demo")
    page = client.get("/cases/new").get_data(as_text=True)
    assert "Independent fostering agency (IFA) foster carers" in page  # from the vocabulary
    keys = form_keys(client, "/cases/new")
    r = client.post("/cases/new", data={**keys, "child_ref": demo.refs("swindon")[0],
                                        "placement_type": "ifa_foster", "started": ["1", "13", "2026"]})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "<title>Error: " in page
    assert "must be a real date" in page and "There is already a case" not in page  # checked after the date
    r = client.post("/cases/new", data={**keys, "child_ref": demo.refs("swindon")[0],
                                        "placement_type": "ifa_foster", "started": ["1", "12", "2026"]})
    assert "There is already a case for child" in r.get_data(as_text=True)
    assert client.get(f"/cases/{demo.cases['gateshead'][0].id}/forms/record_event").status_code == 404
    assert client.get(f"/cases/{_case(demo, 'swindon').id}/forms/no_such_form").status_code == 404


@pytest.mark.parametrize("council", ["gateshead", "swindon"])
def test_arranging_a_meeting_starts_with_the_policys_invitees_ticked(app, demo, login_as, pinned, council):
    """`prefill: invitees`: a new form ticks the roles the live evaluation requires for this
    child; a resumed draft keeps what the worker had instead."""
    from workflow_support import answer
    from bs4 import BeautifulSoup

    client = login_as(f"worker@{council}.demo")
    case = _case(demo, council, "ifa_foster")
    case_page = BeautifulSoup(client.get(f"/cases/{case.id}").get_data(as_text=True), "html.parser")
    assert case_page.find("a", string=lambda t: t and "Record something else" in t)["href"] == f"/cases/{case.id}/forms"
    invitees = answer(app, case.id)["invitees"]
    assert invitees["required"], "the policy names people to invite for an IFA placement"
    page = client.get(f"/cases/{case.id}/forms/schedule_meeting").get_data(as_text=True)
    soup = BeautifulSoup(page, "html.parser")
    ticked = [box["value"] for box in soup.select("input[name=invited][checked]")]
    assert sorted(ticked) == sorted(invitees["required"])
    inset = " ".join(soup.select_one("#prefilled").get_text().split())
    assert "already ticked" in inset
    if invitees["consider"]:
        assert "consider inviting" in inset

    r = fill(client, case.id, council, "schedule_meeting",
             {"arranged_on": "2026-12-18", "meeting": "stability", "meeting_date": "2026-12-22",
              "invited": ticked[:2], "venue": "Civic Centre"}, TODAY,
             **{"entry_reason-invitee-0-invited": "The others are invited by the chair."})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    with app.app_context():
        event = db.session().scalar(select(Event).where(Event.case_id == case.id, Event.type == "meeting_scheduled"))
    assert event.on == TODAY and event.fields["meeting_date"] == "2026-12-22"
    assert event.fields["invited"] == ticked[:2] and event.fields["venue"] == "Civic Centre"
    assert "Meeting arranged" in client.get(f"/cases/{case.id}").get_data(as_text=True)

    # The meeting's record starts from the meeting arranged (`prefill: meeting_scheduled.<field>`).
    record = {"gateshead": "stable_homes_meeting", "swindon": "stability_meeting_minutes"}[council]
    soup = BeautifulSoup(client.get(f"/cases/{case.id}/forms/{record}").get_data(as_text=True), "html.parser")
    assert [soup.select_one(f"input[name=meeting_date-{part}]")["value"] for part in ("day", "month", "year")] == \
        ["22", "12", "2026"]
    assert "meeting arranged" in soup.select_one("#prefilled-from-records").get_text()
    if council == "gateshead":
        assert [box["value"] for box in soup.select("input[name=invited][checked]")] == ticked[:2]

    # a draft resumes with the worker's own ticks, not the policy's
    r = fill(client, case.id, council, "schedule_meeting", {"invited": ticked[:1]}, TODAY, hearth_action="draft")
    assert r.status_code == 302
    with app.app_context():
        draft = db.session().scalar(select(Submission).where(Submission.case_id == case.id,
                                                             Submission.status == "draft"))
    soup = BeautifulSoup(client.get(f"/cases/{case.id}/submissions/{draft.id}").get_data(as_text=True), "html.parser")
    assert [box["value"] for box in soup.select("input[name=invited][checked]")] == ticked[:1]
    assert soup.select_one("#prefilled") is None
