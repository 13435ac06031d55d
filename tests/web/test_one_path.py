"""The pages and the API reach the engine and open cases one way (issue 13, item 9): the
same service day (HEARTH_TODAY pinned, as in a demo), the same answer for a case, and the
same rules and record for opening one (hearth.web.case_opening)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hearth.web import db
from hearth.web.evaluation import evaluate_case
from hearth.web.models import AuditEntry, Case

from api_support import bearer  # noqa: F401 - fixture
from web_support import form_keys

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

# The service's day, ten days before the machine's: anything that asked the machine's clock
# instead of the service's would take the next date as in the past.
PINNED = date.today() - timedelta(days=10)
AFTER_PINNED = PINNED + timedelta(days=5)


@pytest.fixture
def pinned(app, monkeypatch):
    monkeypatch.setitem(app.config, "HEARTH_TODAY", PINNED)
    return PINNED


def _opened(app, ref: str) -> tuple[Case, AuditEntry] | None:
    with app.app_context():
        s = db.session()
        case = s.scalar(select(Case).where(Case.child_ref == ref))
        if case is None:
            return None
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "created", AuditEntry.object_type == "case",
                                                  AuditEntry.object_id == str(case.id)))
        return case, entry


def test_a_placement_after_the_service_day_is_refused_alike(app, demo, login_as, bearer, pinned):
    started = AFTER_PINNED
    r = bearer("worker@swindon.demo")
    answer = app.test_client().post("/api/v1/councils/swindon/cases", headers=r, json={
        "child": {"ref": "API-1"}, "placement": {"type": "ifa_foster", "started": started.isoformat()}})
    assert answer.status_code == 422, answer.get_json()
    error = answer.get_json()["errors"][0]
    assert error["field"] == "placement.started"
    client = login_as("worker@swindon.demo")
    page = client.post("/cases/new", data={**form_keys(client, "/cases/new"), "child_ref": "WEB-1",
                                           "placement_type": "ifa_foster",
                                           "started": [str(started.day), str(started.month), str(started.year)]})
    assert page.status_code == 200
    assert error["message"].rstrip(".") in page.get_data(as_text=True)
    assert _opened(app, "API-1") is None and _opened(app, "WEB-1") is None


def test_a_case_opened_by_page_or_api_is_the_same_record(app, demo, login_as, bearer, pinned):
    started = PINNED - timedelta(days=30)
    answer = app.test_client().post("/api/v1/councils/swindon/cases", headers=bearer("worker@swindon.demo"), json={
        "child": {"ref": "API-2"}, "placement": {"type": "ifa_foster", "started": started.isoformat()}})
    assert answer.status_code == 201, answer.get_json()
    client = login_as("worker@swindon.demo")
    page = client.post("/cases/new", data={**form_keys(client, "/cases/new"), "child_ref": "WEB-2",
                                           "placement_type": "ifa_foster",
                                           "started": [str(started.day), str(started.month), str(started.year)]})
    assert page.status_code == 302
    (by_api, api_entry), (by_page, page_entry) = _opened(app, "API-2"), _opened(app, "WEB-2")
    for case in (by_api, by_page):
        assert (case.status, case.placement_started, case.council_id) == ("open", started, "swindon")
    assert by_api.worker_id == by_page.worker_id is not None and by_api.team_id == by_page.team_id
    assert (api_entry.detail["via"], page_entry.detail["via"]) == ("api", "web")
    assert api_entry.policy_version == page_entry.policy_version is not None


def test_the_api_answers_what_the_case_page_shows_on_the_service_day(app, demo, login_as, bearer, pinned):
    case = next(c for c in demo.cases["swindon"] if c.events)
    answer = app.test_client().get(f"/api/v1/cases/{case.id}", headers=bearer("worker@swindon.demo")).get_json()
    evaluation = answer["evaluation"]
    assert evaluation["as_of"] == PINNED.isoformat()
    with app.test_request_context():
        assert evaluation == evaluate_case(db.session().get(Case, case.id)).answer
    page = login_as("worker@swindon.demo").get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"{PINNED:%A} {PINNED.day} {PINNED:%B %Y}" in page
