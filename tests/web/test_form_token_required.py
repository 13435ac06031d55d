"""A web form post that records on a case must carry its one-time token (issue 13, item 3;
hearth.web.form_tokens): one without it, or with one bent out of shape (a page cut short, one
drawn before tokens, a script), saves nothing and loses nothing. The form comes back with what
was typed, a fresh token and a GOV.UK error summary saying the page had expired or was not
complete; the refusal is audited; submitting the page again saves once."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from hearth.web import db
from hearth.web.models import AuditEntry, Case, Event, Submission

from council_checks import example
from web_support import FORM_TOKEN_RE, form_keys
from workflow_support import boxes, definition, fill, new_case

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

TODAY = date(2026, 12, 16)
EXPIRED = "This page had expired or was not complete. Check your answers and submit again."


@pytest.fixture
def worker(app, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "HEARTH_TODAY", TODAY)
    return login_as("worker@swindon.demo")


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model).where(*where))


def _refusals(app, path: str) -> list[dict]:
    with app.app_context():
        return [e.detail for e in db.session().scalars(select(AuditEntry).where(AuditEntry.action == "refused"))
                if e.detail.get("path") == path and e.detail.get("reason") == "form_token_missing"]


def _refused_page(response) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == 400, (response.status_code, page[:2000])
    assert "<title>Error: " in page and "govuk-error-summary" in page and EXPIRED in page
    assert "Nothing has been saved." in page
    return page


def test_a_form_posted_without_its_token_saves_nothing_keeps_the_answers_then_saves_once(app, worker):
    case_id = new_case(worker, "S-NO-TOKEN", "ifa_foster", date(2026, 6, 1))
    url = f"/cases/{case_id}/forms/record_event"
    answers = {"event_date": "2026-12-15", "what": "absence", "details": "Typed <notes> & kept"}
    keys = form_keys(worker, url)
    events = _count(app, Event, Event.case_id == case_id)

    refused = worker.post(url, data=boxes("swindon", "record_event", answers, TODAY, keys["csrf_token"]))
    page = _refused_page(refused)
    assert 'value="15"' in page and 'value="absence" checked' in page and "Typed &lt;notes&gt; &amp; kept" in page
    fresh = FORM_TOKEN_RE.search(page).group(1)
    assert fresh != keys["hearth_form_token"]
    assert _count(app, Submission, Submission.case_id == case_id) == 0
    assert _count(app, Event, Event.case_id == case_id) == events
    assert [(d["status"], d["method"]) for d in _refusals(app, url)] == [(400, "POST")]

    # "Save as draft" without the token keeps nothing either
    draft = worker.post(url, data=boxes("swindon", "record_event", answers, TODAY, keys["csrf_token"],
                                        hearth_action="draft"))
    _refused_page(draft)
    assert _count(app, Submission, Submission.case_id == case_id) == 0

    # the page as drawn again, submitted: saved once; submitted again: refused as already saved
    data = boxes("swindon", "record_event", answers, TODAY, keys["csrf_token"], hearth_form_token=fresh)
    saved = worker.post(url, data=data)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    again = worker.post(url, data=data)
    assert again.status_code == 409 and "This form was already saved" in again.get_data(as_text=True)
    with app.app_context():
        subs = db.session().scalars(select(Submission).where(Submission.case_id == case_id)).all()
        assert [(s.status, s.data["details"]) for s in subs] == [("submitted", "Typed <notes> & kept")]
    assert _count(app, Event, Event.case_id == case_id) == events + 1


def test_the_new_case_page_with_a_bent_token_opens_nothing_then_opens_one(app, worker):
    url = "/cases/new"
    keys = form_keys(worker, url)
    typed = {"child_ref": "S-BENT-TOKEN", "placement_type": "ifa_foster", "started": ["1", "6", "2026"]}
    refused = worker.post(url, data={**keys, "hearth_form_token": keys["hearth_form_token"][:-1], **typed})
    page = _refused_page(refused)
    assert 'value="S-BENT-TOKEN"' in page and 'value="ifa_foster" checked' in page
    assert _count(app, Case, Case.child_ref == "S-BENT-TOKEN") == 0
    assert len(_refusals(app, url)) == 1
    fresh = FORM_TOKEN_RE.search(page).group(1)
    assert worker.post(url, data={**keys, "hearth_form_token": fresh, **typed}).status_code == 302
    assert _count(app, Case, Case.child_ref == "S-BENT-TOKEN") == 1


def test_correcting_a_record_or_an_action_without_the_token_saves_nothing(app, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "HEARTH_TODAY", TODAY)
    worker = login_as("worker@gateshead.demo")
    case_id = new_case(worker, "G-NO-TOKEN", "in_house_foster", date(2026, 6, 1))
    answers = example(definition("gateshead", "stable_homes_meeting", TODAY), TODAY, {
        "meeting_type": "initial", "meeting_date": "2026-12-09", "review_agreed": True, "review_date": "2026-12-23",
        "actions": [{"action": "Book respite", "who": "supervising_social_worker", "by_when": "2026-12-30"}]})
    saved = fill(worker, case_id, "gateshead", "stable_homes_meeting", answers, TODAY)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    with app.app_context():
        sub_id = db.session().scalar(select(Submission.id).where(Submission.case_id == case_id))
        action_id = db.session().scalar(select(Event.id).where(Event.case_id == case_id,
                                                               Event.type == "action_agreed"))
    records, events = _count(app, Submission), _count(app, Event, Event.case_id == case_id)

    url = f"/cases/{case_id}/submissions/{sub_id}/correct"
    keys = form_keys(worker, url)
    page = _refused_page(worker.post(url, data=boxes("gateshead", "stable_homes_meeting", answers, TODAY,
                                                     keys["csrf_token"], change_reason="Wrong date typed")))
    assert "Wrong date typed" in page and FORM_TOKEN_RE.search(page)

    for page_url, typed, kept in [
            (f"/cases/{case_id}/actions/{action_id}/done", {"note": "Booked for Friday"}, "Booked for Friday"),
            (f"/cases/{case_id}/actions/{action_id}/change",
             {"due": ["22", "1", "2027"], "owner": "iro", "reason": "The school asked"}, "The school asked")]:
        keys = form_keys(worker, page_url)
        page = _refused_page(worker.post(page_url, data={"csrf_token": keys["csrf_token"], **typed}))
        assert kept in page and FORM_TOKEN_RE.search(page)
        assert len(_refusals(app, page_url)) == 1

    assert (_count(app, Submission), _count(app, Event, Event.case_id == case_id)) == (records, events)
    assert len(_refusals(app, url)) == 1
