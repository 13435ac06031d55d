"""Agreed actions are tracked (issue 13, item 2): a meeting record's action rows become actions
with an owner, a due date and a status on the case page; marking one done or changing its date
or owner is an event (the evaluation follows) and an audit entry, once, with CSRF; another
council's action is a 404; the dashboard's counts of overdue actions."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from hearth.web import actions, db
from hearth.web.models import AuditEntry, Case, Event

from council_checks import example
from records_support import signed_in
from web_support import csrf_token, form_keys
from workflow_support import definition, fill, new_case

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

TODAY = date(2026, 12, 16)
TOKEN_RE = re.compile(r'name="hearth_form_token" value="([^"]+)"')
ROWS = [{"action": "Book respite for the carers", "who": "supervising_social_worker", "by_when": "2026-12-11"},
        {"action": "Ask the school about a mentor", "who": "childs_social_worker", "by_when": "2027-01-08"}]


@pytest.fixture
def worker(app, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "HEARTH_TODAY", TODAY)
    return login_as("worker@gateshead.demo")


def _meeting(client, ref: str) -> int:
    """A Gateshead case whose initial stable homes meeting on 9 December agreed ROWS."""
    case_id = new_case(client, ref, "in_house_foster", date(2026, 6, 1))
    defn = definition("gateshead", "stable_homes_meeting", TODAY)
    answers = example(defn, TODAY, {"meeting_type": "initial", "meeting_date": "2026-12-09", "review_agreed": True,
                                    "review_date": "2026-12-23", "actions": ROWS})
    answer = fill(client, case_id, "gateshead", "stable_homes_meeting", answers, TODAY)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return case_id


def _events(app, case_id: int, kind: str) -> list[Event]:
    with app.app_context():
        found = list(db.session().scalars(select(Event).where(Event.case_id == case_id, Event.type == kind)
                                          .order_by(Event.id)))
        db.session().expunge_all()
        return found


def _post(client, url: str, **data):
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(client, url), "hearth_form_token": TOKEN_RE.search(page)[1],
                                  **data})


def test_a_meeting_records_actions_followed_to_done_and_changed(app, worker):
    case_id = _meeting(worker, "G-ACTIONS")
    agreed = _events(app, case_id, "action_agreed")
    assert [(e.fields["action"], e.fields["owner"], e.fields["due"], e.on) for e in agreed] == \
        [(row["action"], row["who"], row["by_when"], date(2026, 12, 9)) for row in ROWS]
    late, later = agreed
    page = worker.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Agreed actions" in page and "1 action is overdue" in page
    assert page.index("Agreed actions") < page.index("Timeline")
    card = page[page.index(f'id="action-{late.id}"'):page.index(f'id="action-{later.id}"')]
    assert "Overdue" in card and "Supervising social worker" in card and "11 December 2026" in card
    with app.test_request_context():
        case = db.session().get(Case, case_id)
        assert [(a.id, a.status) for a in actions.open_actions(case)] == [(late.id, "overdue"), (later.id, "open")]
        assert actions.open_actions(case)[0].href == f"/cases/{case_id}/actions/{late.id}"
        assert actions.overdue_action_counts(db.session(), [case_id]) == {case_id: 1}

    done_url = f"/cases/{case_id}/actions/{late.id}/done"
    page = worker.get(done_url).get_data(as_text=True)
    token = TOKEN_RE.search(page)[1]
    answer = worker.post(done_url, data={"csrf_token": csrf_token(worker, done_url), "hearth_form_token": token,
                                         "note": "Booked for the weekend"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/cases/{case_id}")
    completed = _events(app, case_id, "action_completed")
    assert [(e.fields, e.on) for e in completed] == [({"action": str(late.id), "details": "Booked for the weekend"},
                                                      TODAY)]
    # posted again (Back, then Submit): already saved, linking to the action; nothing more is recorded
    session_csrf = csrf_token(worker, f"/cases/{case_id}/actions/{later.id}/done")   # one per session
    again = worker.post(done_url, data={"csrf_token": session_csrf, "hearth_form_token": token})
    assert again.status_code == 409 and len(_events(app, case_id, "action_completed")) == 1
    assert f'href="/cases/{case_id}/actions/{late.id}" id="already-saved-link"' in again.get_data(as_text=True)
    page = worker.get(f"/cases/{case_id}").get_data(as_text=True)
    card = page[page.index(f'id="action-{late.id}"'):page.index(f'id="action-{later.id}"')]
    assert "Done" in card and "16 December 2026" in card and "Mark as done" not in card
    assert "overdue" not in page[page.index("Agreed actions"):page.index("Timeline")]

    change_url = f"/cases/{case_id}/actions/{later.id}/change"
    refused = _post(worker, change_url, **{"due": ["", "", ""], "owner": "childs_social_worker", "reason": "No change"})
    assert refused.status_code == 200 and "Change the date or who will do it" in refused.get_data(as_text=True)
    refused = _post(worker, change_url, **{"due": ["22", "1", "2027"], "owner": "childs_social_worker", "reason": ""})
    assert "Enter why the action is changing" in refused.get_data(as_text=True)
    assert _events(app, case_id, "action_changed") == []
    changed = _post(worker, change_url, **{"due": ["22", "1", "2027"], "owner": "iro", "reason": "The school asked"})
    assert changed.status_code == 302
    assert [e.fields for e in _events(app, case_id, "action_changed")] == [
        {"action": str(later.id), "due": "2027-01-22", "owner": "iro", "reason": "The school asked"}]
    with app.test_request_context():
        moved = actions.find(db.session().get(Case, case_id), later.id)
        assert (moved.status, moved.due, moved.owner_role) == ("changed", date(2027, 1, 22), "iro")
        audited = db.session().scalars(select(AuditEntry).where(AuditEntry.object_type == "action",
                                                                AuditEntry.action == "changed")).all()
        assert {(e.object_id, e.detail["status"]) for e in audited} == {(str(late.id), "done"),
                                                                        (str(later.id), "changed")}
        event_audits = db.session().scalars(select(AuditEntry).where(AuditEntry.object_type == "event")).all()
        assert {e.detail["type"] for e in event_audits} >= {"action_completed", "action_changed"}


def test_a_withdrawn_meeting_record_takes_its_actions_with_it(app, worker):
    case_id = _meeting(worker, "G-ACT-WITHDRAWN")
    submission_id = _events(app, case_id, "action_agreed")[0].source_submission_id
    url = f"/cases/{case_id}/submissions/{submission_id}/withdraw"
    assert worker.post(url, data={**form_keys(worker, url), "reason": "Wrong child"}).status_code == 302
    page = worker.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "No actions agreed yet" in page and ROWS[0]["action"] not in page[page.index("Agreed actions"):
                                                                             page.index("Timeline")]


def test_another_councils_action_is_a_404_and_audited(app, worker):
    case_id = _meeting(worker, "G-ACT-SCOPE")
    action_id = _events(app, case_id, "action_agreed")[0].id
    other = signed_in(app, "worker@swindon.demo")
    for url in (f"/cases/{case_id}/actions/{action_id}", f"/cases/{case_id}/actions/{action_id}/done"):
        assert other.get(url).status_code == 404
    done_url = f"/cases/{case_id}/actions/{action_id}/done"
    assert other.post(done_url, data={"csrf_token": csrf_token(other, "/")}).status_code == 404
    assert _events(app, case_id, "action_completed") == []
    with app.app_context():
        refusals = db.session().scalars(select(AuditEntry).where(AuditEntry.action == "refused",
                                                                 AuditEntry.object_type == "case")).all()
        assert sum(e.detail.get("reason") == "another_council" and e.object_id == str(case_id) for e in refusals) == 3
    # an action id that is not one of this case's is a plain 404 in the right council too
    assert worker.get(f"/cases/{case_id}/actions/{action_id + 1000}").status_code == 404
