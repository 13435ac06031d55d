"""Issue 8, findings 2, 3, 7 (drafts) and 9: one recording path for the pages and the API.

Each test reproduces a finding on both databases (HEARTH_TEST_DB=both): an API event
that would break a child's case for good, a worker recording an approval, the API's
events endpoint skipping the forms' rules, drafts that are not the form's boxes, a
refused approval with no audit entry. After every refused request nothing is stored
(events, submissions, audit entries counted before and after) and every stored case
still evaluates.
"""
from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from hearth.web import db, web_commands
from hearth.web.models import AuditEntry, Case, Event, Submission

from api_support import api_policies, audits, bearer, count  # noqa: F401 - fixtures
from web_support import csrf_token, form_keys, login
from workflow_support import fill, new_case

TODAY = date(2026, 12, 18)


@pytest.fixture
def pinned(app, monkeypatch):
    monkeypatch.setitem(app.config, "HEARTH_TODAY", TODAY)


def _case(demo, council: str = "swindon", placement: str = "ifa_foster") -> Case:
    return next(c for c in demo.cases[council] if c.placement_type == placement)


def _stored(app) -> tuple[int, int, int]:
    """What a refused request must leave as it was: events, submissions, audit entries of writes."""
    return (count(app, Event), count(app, Submission),
            count(app, AuditEntry, AuditEntry.action.in_(("created", "changed"))))


def _every_case_evaluates(app) -> None:
    from hearth.web.evaluation import evaluate_case
    with app.app_context():
        for case in db.session().scalars(select(Case)):
            found = evaluate_case(case)
            assert found.answer is not None, (case.id, case.child_ref, found.problem, found.messages)


def _post_events(client, case_id: int, headers: dict, events: list, **kwargs):
    return client.post(f"/api/v1/cases/{case_id}/events", headers=headers, json={"events": events}, **kwargs)


# --- finding 2: one API event breaks a child's case for good -------------------------------

BREAKING = [
    pytest.param({"type": "review_extended", "on": "2026-12-10", "days": 3000000}, id="days-3000000"),
    pytest.param({"type": "missing_episode", "on": "0001-01-01"}, id="year-1"),
    pytest.param({"type": "missing_episode", "on": "2026-12-10", "details": "\ud800"}, id="lone-surrogate"),
    pytest.param({"type": "missing_episode", "on": "2026-12-10", "details": "a\u0000b"}, id="nul-byte"),
]


@pytest.mark.parametrize("event", BREAKING)
def test_an_event_that_would_break_the_case_is_refused_and_nothing_is_saved(app, client, demo, bearer,
                                                                            pinned, event):
    case = _case(demo)
    headers = bearer("worker@swindon.demo")
    before = _stored(app)
    r = _post_events(client, case.id, headers, [event])
    assert r.status_code == 422, r.get_data(as_text=True)
    errors = r.get_json()["errors"]
    assert errors and all(e["field"].startswith("events[0]") for e in errors), errors
    assert _stored(app) == before
    r = client.get(f"/api/v1/cases/{case.id}", headers=headers)
    assert r.status_code == 200 and r.get_json()["evaluation"] is not None
    _every_case_evaluates(app)


def test_the_engine_is_tried_before_commit(app, client, demo, bearer, pinned, monkeypatch, login_as):
    """Whatever the case reader lets through, an evaluation that fails with the new events
    refuses them: 422 for the API, nothing saved."""
    from hearth.engine import evaluate as engine_evaluate

    real = engine_evaluate.evaluate

    def crashes_on_complaints(policy, case, on):
        if any(e.type == "complaint" for e in case.events):
            raise OverflowError("date value out of range")
        return real(policy, case, on)

    monkeypatch.setattr(engine_evaluate, "evaluate", crashes_on_complaints)
    case = _case(demo)
    headers = bearer("worker@swindon.demo")
    before = _stored(app)
    r = _post_events(client, case.id, headers, [{"type": "complaint", "on": "2026-12-10"}])
    assert r.status_code == 422, r.get_data(as_text=True)
    assert "could not be checked against the" in r.get_json()["errors"][0]["message"]
    assert _stored(app) == before
    web = login_as("worker@swindon.demo")
    r = fill(web, case.id, "swindon", "record_event", {"event_date": "2026-12-17", "what": "complaint"}, TODAY)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "could not be checked against the" in page
    assert _stored(app)[:2] == before[:2]


def _break_stored_case(app, case_id: int) -> None:
    """A case stored before these checks: an event the engine cannot evaluate."""
    with app.app_context():
        s = db.session()
        s.add(Event(case_id=case_id, type="review_extended", on=date(2026, 12, 1), fields={"days": 3000000}))
        s.commit()


def test_a_write_evaluates_the_case_once_and_answers_with_that_evaluation(app, client, demo, bearer, pinned,
                                                                          monkeypatch):
    """Recording tries the case with its new events before saving; the answer after the write is
    that same evaluation, not a second run of the engine."""
    from hearth.engine import evaluate as engine_evaluate

    real, calls = engine_evaluate.evaluate, []

    def counted(policy, case, on):
        calls.append(len(case.events))
        return real(policy, case, on)

    monkeypatch.setattr(engine_evaluate, "evaluate", counted)
    case = _case(demo)
    r = _post_events(client, case.id, bearer("worker@swindon.demo"), [{"type": "complaint", "on": "2026-12-10"}])
    assert r.status_code == 201, r.get_data(as_text=True)
    assert len(calls) == 1
    assert any(t["rule"] == "allegation-or-complaint" for t in r.get_json()["evaluation"]["triggers"])
    monkeypatch.setattr(engine_evaluate, "evaluate", real)
    assert client.get(f"/api/v1/cases/{case.id}", headers=bearer("worker@swindon.demo")).get_json()["evaluation"] \
        == r.get_json()["evaluation"]


def test_a_stored_case_that_does_not_evaluate_is_still_readable(app, client, demo, bearer, pinned, login_as):
    case = _case(demo)
    _break_stored_case(app, case.id)
    headers = bearer("worker@swindon.demo")
    r = client.get(f"/api/v1/cases/{case.id}", headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)
    body = r.get_json()
    assert body["evaluation"] is None and body["events"]
    assert "This case's records could not be checked against the council's policy" in body["evaluation_errors"][0]["message"]
    # A later write is saved once and answered 201 (not a 500 a client would retry).
    before = count(app, Event, Event.case_id == case.id)
    r = _post_events(client, case.id, headers, [{"type": "missing_episode", "on": "2026-12-17"}])
    assert r.status_code == 201, r.get_data(as_text=True)
    assert r.get_json()["evaluation"] is None and r.get_json()["evaluation_errors"]
    assert count(app, Event, Event.case_id == case.id) == before + 1
    page = login_as("worker@swindon.demo").get(f"/cases/{case.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "could not be checked against the" in text
    assert 'id="timeline"' in text


def test_db_check_lists_cases_that_do_not_evaluate(app, demo, pinned, monkeypatch):
    monkeypatch.setattr(web_commands, "cli_app", lambda: app)
    runner = CliRunner()
    result = runner.invoke(web_commands.db_group, ["check"])
    assert result.exit_code == 0, result.output
    case = _case(demo)
    _break_stored_case(app, case.id)
    result = runner.invoke(web_commands.db_group, ["check"])
    assert result.exit_code == 1, result.output
    assert case.child_ref in result.output and "swindon" in result.output and str(case.id) in result.output
    assert "Traceback" not in result.output


# --- finding 3: a worker can record approvals; the API skipped the forms' rules -------------

@pytest.mark.parametrize("event", [{"type": "panel_approved", "on": "2026-12-17", "request": "external_service"},
                                   {"type": "funding_approved", "on": "2026-12-17", "request": "increased_funding",
                                    "cost": 100}], ids=["panel", "funding"])
def test_a_worker_cannot_record_an_approval_through_the_api(app, client, demo, bearer, pinned, event):
    case = _case(demo)
    before = _stored(app)
    r = _post_events(client, case.id, bearer("worker@swindon.demo"), [event])
    assert r.status_code == 422, r.get_data(as_text=True)
    error = r.get_json()["errors"][0]
    assert error["field"] == "events[0].type" and error["message"].startswith("Only a manager can record")
    assert _stored(app) == before
    r = client.post(f"/api/v1/cases/{case.id}/submissions", headers=bearer("worker@swindon.demo"),
                    json={"form": "record_event", "answers": {"event_date": "2026-12-17", "what": "panel_approved",
                                                              "approved_request": "external_service"}})
    assert r.status_code == 422 and "Only a manager can record" in r.get_data(as_text=True)
    assert _stored(app) == before
    r = _post_events(client, case.id, bearer("manager@swindon.demo"), [event])
    assert r.status_code == 201, r.get_data(as_text=True)


def test_a_worker_cannot_record_the_panels_approval_through_the_form(app, demo, login_as, pinned):
    client = login_as("worker@swindon.demo")
    case = _case(demo)
    before = _stored(app)
    r = fill(client, case.id, "swindon", "record_event",
             {"event_date": "2026-12-17", "what": "panel_approved", "approved_request": "external_service"}, TODAY)
    page = r.get_data(as_text=True)
    assert r.status_code in (200, 422) and "govuk-error-summary" in page
    # The option is not offered to a worker, so a forged post is an answer the form does not have.
    assert "Select what happened from the list" in page
    assert _stored(app)[:2] == before[:2]


def test_the_forms_do_not_offer_a_worker_what_only_a_manager_records(app, demo, login_as, pinned):
    case = _case(demo)
    worker = login_as("worker@swindon.demo").get(f"/cases/{case.id}/forms/record_event").get_data(as_text=True)
    assert 'value="missing_episode"' in worker and 'value="panel_approved"' not in worker
    client = app.test_client()
    login(client, "manager@swindon.demo")
    manager = client.get(f"/cases/{case.id}/forms/record_event").get_data(as_text=True)
    assert 'value="panel_approved"' in manager


@pytest.mark.parametrize("event,field", [
    ({"type": "missing_episode", "on": "2026-12-19"}, "events[0].on"),
    ({"type": "review_brought_forward", "on": "2026-12-17", "to": "9999-12-31"}, "events[0].to"),
    ({"type": "missing_episode", "on": "9999-12-31"}, "events[0].on"),
    ({"type": "missing_episode", "on": "2026-12-17", "details": "nul\u0000"}, "events[0].details"),
], ids=["future", "to-9999", "on-9999", "nul"])
def test_the_api_applies_the_recording_rules(app, client, demo, bearer, pinned, event, field):
    case = _case(demo)
    before = _stored(app)
    r = _post_events(client, case.id, bearer("worker@swindon.demo"), [event])
    assert r.status_code == 422, r.get_data(as_text=True)
    assert field in {e["field"] for e in r.get_json()["errors"]}
    assert _stored(app) == before


@pytest.mark.parametrize("text", ['{"events": [{"type": "review_extended", "on": "2026-12-17", "days": Infinity}]}',
                                  '{"events": [{"type": "review_extended", "on": "2026-12-17", "days": NaN}]}',
                                  '{"events": [{"type": "review_extended", "on": "2026-12-17", "days": 1e400}]}',
                                  '{"events": [{"type": "review_extended", "on": "2026-12-17", "days": '
                                  + "9" * 5000 + "}]}"],
                         ids=["infinity", "nan", "1e400", "5000-digits"])
def test_json_numbers_are_bounded_before_anything_else(app, client, demo, bearer, pinned, text):
    case = _case(demo)
    before = _stored(app)
    for url in (f"/api/v1/cases/{case.id}/events", f"/api/v1/cases/{case.id}/submissions"):
        r = client.post(url, headers=bearer("worker@swindon.demo"), data=text, content_type="application/json")
        assert r.status_code == 422, r.get_data(as_text=True)
        message = r.get_json()["errors"][0]["message"]
        assert "number" in message, message
    assert _stored(app) == before


def test_too_many_events_in_one_request(app, client, demo, bearer, pinned):
    from hearth.rules.limits import MAX_EVENTS_PER_REQUEST
    case = _case(demo)
    before = _stored(app)
    events = [{"type": "absence", "on": "2026-12-17"}] * (MAX_EVENTS_PER_REQUEST + 1)
    r = _post_events(client, case.id, bearer("worker@swindon.demo"), events)
    assert r.status_code == 422 and str(MAX_EVENTS_PER_REQUEST) in r.get_data(as_text=True)
    assert _stored(app) == before


# --- finding 7 (drafts) ------------------------------------------------------------------------

def test_a_draft_whose_boxes_are_not_a_mapping_still_opens(app, demo, login_as, pinned):
    case = _case(demo)
    client = login_as("worker@swindon.demo")
    with app.app_context():
        s = db.session()
        for data in ({"_boxes": ["not", "a", "mapping"]}, {"_boxes": {"details": "not a list"}}, ["x"]):
            sub = Submission(case_id=case.id, form_id="record_event", form_version="1", data=data, status="draft")
            s.add(sub)
            s.commit()
            r = client.get(f"/cases/{case.id}/submissions/{sub.id}")
            assert r.status_code == 200, r.get_data(as_text=True)[:500]


def test_drafts_keep_only_the_forms_own_boxes_within_a_size(app, client, demo, bearer, login_as, pinned):
    from hearth.rules.limits import MAX_DRAFT_BYTES
    case = _case(demo)
    headers = bearer("worker@swindon.demo")
    before = _stored(app)
    url = f"/api/v1/cases/{case.id}/submissions"
    r = client.post(url, headers=headers, json={"form": "record_event", "draft": True,
                                                "answers": {"what": "absence", "_boxes": ["x"]}})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "answers._boxes"
    r = client.post(url, headers=headers, json={"form": "record_event", "draft": True,
                                                "answers": {"details": "x" * (MAX_DRAFT_BYTES + 1)}})
    assert r.status_code in (413, 422) and "draft" in r.get_data(as_text=True).lower()
    assert _stored(app) == before
    # The web keeps only the boxes the form has.
    web = login_as("worker@swindon.demo")
    form_url = f"/cases/{case.id}/forms/record_event"
    keys = form_keys(web, form_url)   # a draft leaves the page's one-time token unused
    r = web.post(form_url, data={**keys, "hearth_action": "draft", "details": "kept",
                                 "smuggled": "y" * 1000})
    assert r.status_code == 302
    with app.app_context():
        draft = db.session().scalars(select(Submission).where(Submission.status == "draft")).all()[-1]
        assert draft.data["_boxes"] == {"details": ["kept"]}
    r = web.post(form_url, data={**keys, "hearth_action": "draft",
                                 "details": "z" * (MAX_DRAFT_BYTES + 1)})
    assert r.status_code in (200, 413, 422) and r.status_code != 302


# --- finding 9: a refused approval is audited -------------------------------------------------

def test_a_refused_approval_is_audited(app, demo, login_as, pinned):
    client = login_as("worker@swindon.demo")
    case = Case(id=new_case(client, "S-REFUSED", "ifa_foster", date(2026, 6, 1)))
    r = fill(client, case.id, "swindon", "funding_request",
             {"request_date": "2026-12-18", "kind": "increased_funding", "cost": 1200, "reason": "Respite.",
              "before_meeting": "waiting"}, TODAY)
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        sub_id = db.session().scalar(select(Submission.id).where(Submission.case_id == case.id,
                                                                 Submission.form_id == "funding_request"))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    client = login_as("manager@swindon.demo")
    events_before = count(app, Event)
    r = client.post(f"/cases/{case.id}/submissions/{sub_id}/approve", data={"csrf_token": csrf_token(client, "/")})
    assert r.status_code == 409
    refused = audits(app, action="refused")
    assert refused and refused[-1].object_type == "funding_request" and refused[-1].object_id == str(sub_id)
    assert refused[-1].detail["status"] == 409 and refused[-1].user_id is not None
    assert count(app, Event) == events_before
    assert not audits(app, action="changed", object_type="funding_request")
