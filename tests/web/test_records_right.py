"""Records that stay right (issue 13, item 3): closing work closes the case with its outcome and
takes it off the open list, reopening is audited; a record corrected or withdrawn keeps the
original while the evaluation (pages and API) follows; a form page posted twice saves once."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from hearth.web import db, tokens
from hearth.web.models import AuditEntry, Case, Event, Submission, User

from web_support import csrf_token, form_keys
from workflow_support import answer, boxes, fill, new_case

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

TODAY = date(2026, 12, 16)
TOKEN_RE = re.compile(r'name="hearth_form_token" value="([^"]+)"')
CONCERN = {"concern_date": "2026-12-14", "raised_by": "carer", "happening": ["missing_episode"],
           "details": "Missing overnight."}


@pytest.fixture
def worker(app, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "HEARTH_TODAY", TODAY)
    return login_as("worker@gateshead.demo")


def _page_post(client, url: str, council: str, form_id: str, answers: dict, **extra):
    """Fetch the form page once and post it as the browser would (with its one-time token)."""
    html = client.get(url).get_data(as_text=True)
    token = TOKEN_RE.search(html).group(1)
    data = boxes(council, form_id, answers, TODAY, csrf_token(client, url), hearth_form_token=token, **extra)
    return lambda: client.post(url, data=data)


def _row(app, model, row_id):
    with app.app_context():
        found = db.session().get(model, row_id)
        db.session().expunge(found)
        return found


def _counted(app, case_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.type, e.on.isoformat()) for e in db.session().scalars(
            select(Event).where(Event.case_id == case_id, Event.withdrawn_at.is_(None)))]


def _case_changes(app, case_id: int) -> list[dict]:
    with app.app_context():
        return [e.detail for e in db.session().scalars(select(AuditEntry).where(
            AuditEntry.object_type == "case", AuditEntry.object_id == str(case_id),
            AuditEntry.action == "changed").order_by(AuditEntry.id))]


def test_closing_work_closes_the_case_with_its_outcome_and_reopening_is_audited(app, worker):
    case_id = new_case(worker, "G-CLOSE", "in_house_foster", date(2026, 6, 1))
    assert "G-CLOSE" in worker.get("/?worker=all").get_data(as_text=True)
    r = fill(worker, case_id, "gateshead", "record_event",
             {"event_date": "2026-12-15", "what": "concern_closed", "outcome": "planned_ending"}, TODAY)
    assert r.status_code == 302
    case = _row(app, Case, case_id)
    assert (case.status, case.outcome) == ("closed", "planned_ending")
    assert case.closed_at is not None and _row(app, User, case.closed_by_id).email == "worker@gateshead.demo"
    assert "G-CLOSE" not in worker.get("/?worker=all").get_data(as_text=True)
    page = worker.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "This case is closed" in page and "Planned ending" in page

    url = f"/cases/{case_id}/reopen"
    r = worker.post(url, data={**form_keys(worker, url), "reason": ""})
    assert r.status_code == 200 and "Enter why you are reopening this case" in r.get_data(as_text=True)
    assert _row(app, Case, case_id).status == "closed"
    r = worker.post(url, data={**form_keys(worker, url), "reason": "A new concern about the home"})
    assert r.status_code == 302
    case = _row(app, Case, case_id)
    assert (case.status, case.outcome, case.closed_at) == ("open", None, None)
    assert "G-CLOSE" in worker.get("/?worker=all").get_data(as_text=True)
    changes = _case_changes(app, case_id)
    assert [c["status"] for c in changes] == ["closed", "open"]
    assert changes[1]["reason"] == "A new concern about the home" and changes[1]["outcome_was"] == "planned_ending"


def test_correcting_and_withdrawing_keep_the_record_and_the_evaluation_follows(app, worker, client):
    case_id = new_case(worker, "G-AMEND", "in_house_foster", date(2026, 6, 1))
    assert fill(worker, case_id, "gateshead", "stability_concern", CONCERN, TODAY).status_code == 302
    with app.app_context():
        first = db.session().scalar(select(Submission.id).where(Submission.case_id == case_id))
    assert answer(app, case_id)["recommendation"] == "hold_stability_meeting"

    # corrected: the date changes; the original is kept, marked, and its events no longer count
    url = f"/cases/{case_id}/submissions/{first}/correct"
    page = worker.get(url).get_data(as_text=True)
    assert "Missing overnight." in page  # filled with what was saved
    post = _page_post(worker, url, "gateshead", "stability_concern", {**CONCERN, "concern_date": "2026-12-15"})
    r = post()
    assert r.status_code == 200 and "Enter why you are correcting this record" in r.get_data(as_text=True)
    post = _page_post(worker, url, "gateshead", "stability_concern", {**CONCERN, "concern_date": "2026-12-15"},
                      change_reason="The wrong date was entered")
    r = post()
    assert r.status_code == 302
    second = int(r.headers["Location"].rsplit("/", 1)[1])
    old, new = _row(app, Submission, first), _row(app, Submission, second)
    assert (old.status, old.amended_by_id, old.change_reason) == ("amended", second, "The wrong date was entered")
    assert (new.status, new.amends_id) == ("submitted", first)
    counted = _counted(app, case_id)
    assert counted and all(on == "2026-12-15" for _, on in counted)
    page = worker.get(f"/cases/{case_id}/submissions/{first}").get_data(as_text=True)
    assert "Corrected" in page and f"record #{second}" in page and "The wrong date was entered" in page

    # withdrawn: a reason is required; then its events stop counting, in the pages and in the API
    url = f"/cases/{case_id}/submissions/{second}/withdraw"
    r = worker.post(url, data={**form_keys(worker, url), "reason": "  "})
    assert "Enter why you are withdrawing this record" in r.get_data(as_text=True)
    assert _row(app, Submission, second).status == "submitted"
    r = worker.post(url, data={**form_keys(worker, url), "reason": "Recorded on the wrong child"})
    assert r.status_code == 302
    new = _row(app, Submission, second)
    assert (new.status, new.change_reason) == ("withdrawn", "Recorded on the wrong child")
    assert new.withdrawn_at is not None and new.withdrawn_by_id == new.created_by_id
    assert _counted(app, case_id) == []
    assert answer(app, case_id)["recommendation"] is None
    with app.app_context():
        kept = db.session().scalar(select(func.count()).select_from(Event).where(Event.case_id == case_id))
        changed = db.session().scalars(select(AuditEntry.detail).where(
            AuditEntry.object_type == "submission", AuditEntry.action == "changed")).all()
        token = tokens.create_token(db.session(), db.session().scalar(
            select(User).where(User.email == "worker@gateshead.demo")))
        db.session().commit()
    assert kept == 2 * len(counted)  # nothing deleted: the original's events and the correction's
    assert [d["status"] for d in changed] == ["amended", "withdrawn"]
    api = client.get(f"/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.get_json()["evaluation"]["recommendation"] is None
    listed = client.get(f"/api/v1/cases/{case_id}/events", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert listed["events"] and all(e["withdrawn_at"] for e in listed["events"])


def test_a_form_page_posted_twice_saves_once(app, worker):
    case_id = new_case(worker, "G-TWICE", "in_house_foster", date(2026, 6, 1))
    url = f"/cases/{case_id}/forms/record_event"
    absence = {"event_date": "2026-12-14", "what": "absence", "details": "Away overnight."}
    post = _page_post(worker, url, "gateshead", "record_event", absence)
    assert post().status_code == 302
    again = post()  # Back, then Submit again
    assert again.status_code == 409
    text = again.get_data(as_text=True)
    assert "This form was already saved" in text
    with app.app_context():
        saved = db.session().scalars(select(Submission.id).where(Submission.case_id == case_id)).all()
    assert len(saved) == 1 and f"/cases/{case_id}/submissions/{saved[0]}" in text
    assert _counted(app, case_id) == [("absence", "2026-12-14")]

    # a page shown again with errors keeps its token: the corrected post saves
    post = _page_post(worker, url, "gateshead", "record_event", {"what": "absence"})
    assert post().status_code == 200
    token = TOKEN_RE.search(post().get_data(as_text=True)).group(1)
    data = boxes("gateshead", "record_event", {**absence, "event_date": "2026-12-15"}, TODAY,
                 csrf_token(worker, url), hearth_form_token=token)
    assert worker.post(url, data=data).status_code == 302
    assert len(_counted(app, case_id)) == 2

    # the new-case page posted twice opens one case and says where it is
    url = "/cases/new"
    html = worker.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(worker, url), "hearth_form_token": TOKEN_RE.search(html).group(1),
            "child_ref": "G-ONCE", "placement_type": "in_house_foster", "started": ["1", "6", "2026"]}
    assert worker.post(url, data=data).status_code == 302
    again = worker.post(url, data=data)
    assert again.status_code == 409 and "This form was already saved" in again.get_data(as_text=True)
