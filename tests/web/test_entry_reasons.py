"""Reasons for entry warnings given through the JSON API and on the correction page (issue 13,
item 4), by the one path (hearth.web.workflow.submit): the API's `reasons` held to the form
page's rules, located at reasons.<id>, nothing saved on any mistake, an id the record did not
raise refused with the ids it could use; without `reasons` the record is saved with its warnings
open, as before, and the answer lists them with their ids. The correction page asks for each
reason in the form page's boxes, with the GOV.UK error summary, and saves nothing until given.
Who may chair is read from the live evaluation, not written here."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from hearth.web import db
from hearth.web.entry_warnings import REASON_PREFIX, WARNINGS_KEY
from hearth.web.models import Case, Event, Submission

from api_support import api_policies, bearer  # noqa: F401 - fixtures
from workflow_support import answer, fill

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

TODAY = date(2026, 12, 18)
REASON = "The IRO was on leave and sent a written report; the chair agreed."
ROLES = ("childrens_social_work_manager", "fostering_manager", "social_care_manager")
FORM_MESSAGE_SHORT = "The reason must be at least 10 characters"   # the form page's words
FORM_MESSAGE_MISSING = "Enter why this record differs from the policy"


@pytest.fixture
def case(app, demo, monkeypatch) -> Case:
    monkeypatch.setitem(app.config, "HEARTH_TODAY", TODAY)
    return next(c for c in demo.cases["swindon"] if c.child_ref == "S-2004")


def _decision(chair: str) -> dict:
    return {"decision_date": "2026-12-18", "care_planning_held": False, "why_no_care_planning": "Urgent move.",
            "chair": chair, "arranger": "supervising_social_worker"}


def _chairs(app, case_id: int) -> tuple[str, str]:
    """A chair the policy allows for the case today, and one it does not."""
    options = answer(app, case_id)["chair"]["options"]
    return options[0], next(role for role in ROLES if role not in options)


def _saved(app, case_id: int) -> tuple[int, int]:
    with app.app_context():
        s = db.session()
        return (s.scalar(select(func.count()).select_from(Submission).where(Submission.case_id == case_id)),
                s.scalar(select(func.count()).select_from(Event).where(Event.case_id == case_id,
                                                                      Event.withdrawn_at.is_(None))))


def _post(client, headers, case_id: int, chair: str, **body):
    return client.post(f"/api/v1/cases/{case_id}/submissions", headers=headers,
                       json={"form": "meeting_decision", "answers": _decision(chair), **body})


def test_the_api_keeps_a_reason_refuses_a_short_one_or_an_unknown_id(app, client, login_as, bearer, case):  # noqa: F811
    allowed, outside = _chairs(app, case.id)
    headers = bearer("worker@swindon.demo")
    before = _saved(app, case.id)

    r = _post(client, headers, case.id, outside, reasons={})   # {}: tell me what needs a reason
    assert r.status_code == 422, r.get_json()
    [missing] = r.get_json()["errors"]
    assert missing["field"] == "reasons.chair-0-chair" and missing["message"].startswith(FORM_MESSAGE_MISSING)
    assert "is recorded as chair" in missing["message"]   # the warning in the pages' words
    assert _saved(app, case.id) == before

    r = _post(client, headers, case.id, outside, reasons={"chair-0-chair": "  too short "})
    assert r.status_code == 422, r.get_json()
    assert [(e["field"], e["message"].split(":")[0]) for e in r.get_json()["errors"]] == [
        ("reasons.chair-0-chair", FORM_MESSAGE_SHORT)]
    assert _saved(app, case.id) == before

    r = _post(client, headers, case.id, outside, reasons={"chair-0-chiar": REASON})
    assert r.status_code == 422, r.get_json()
    errors = {e["field"]: e["message"] for e in r.get_json()["errors"]}
    assert set(errors) == {"reasons.chair-0-chiar", "reasons.chair-0-chair"}
    assert "Did you mean 'chair-0-chair'?" in errors["reasons.chair-0-chiar"]
    r = _post(client, headers, case.id, allowed, reasons={"chair-0-chair": REASON})
    assert r.status_code == 422 and "raises none that asks a reason" in r.get_json()["errors"][0]["message"]
    r = _post(client, headers, case.id, outside, reasons={"chair-0-chair": 12345678901})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "reasons.chair-0-chair"
    assert _saved(app, case.id) == before

    r = _post(client, headers, case.id, outside, reasons={"chair-0-chair": f"  {REASON} "})
    assert r.status_code == 201, r.get_json()
    made = r.get_json()["submission"]
    [warning] = made["warnings"]
    assert (warning["id"], warning["kind"], warning["needs_reason"], warning["reason"]) == (
        "chair-0-chair", "chair", True, REASON)
    assert WARNINGS_KEY not in made["answers"]
    assert _saved(app, case.id) == (before[0] + 1, before[1] + 1)
    with app.app_context():
        kept = db.session().get(Submission, made["id"]).data[WARNINGS_KEY]
        assert [(w["id"], w["reason"]) for w in kept] == [("chair-0-chair", REASON)]
    page = login_as("worker@swindon.demo").get(f"/cases/{case.id}/submissions/{made['id']}").get_data(as_text=True)
    assert REASON in page


def test_the_api_without_reasons_saves_the_warnings_open(app, client, bearer, case):  # noqa: F811
    _, outside = _chairs(app, case.id)
    r = _post(client, bearer("worker@swindon.demo"), case.id, outside)
    assert r.status_code == 201, r.get_json()
    [warning] = r.get_json()["submission"]["warnings"]
    assert (warning["id"], warning["needs_reason"], warning["reason"]) == ("chair-0-chair", True, None)
    listed = client.get(f"/api/v1/cases/{case.id}/submissions", headers=bearer("worker@swindon.demo")).get_json()
    assert listed["submissions"][0]["warnings"] == r.get_json()["submission"]["warnings"]


def test_the_correction_page_asks_the_reason_and_keeps_it(app, client, login_as, case):
    allowed, outside = _chairs(app, case.id)
    client = login_as("worker@swindon.demo")
    assert fill(client, case.id, "swindon", "meeting_decision", _decision(allowed), TODAY).status_code == 302
    with app.app_context():
        first = db.session().scalar(select(Submission.id).where(Submission.case_id == case.id)
                                    .order_by(Submission.id.desc()))
    url = f"/cases/{case.id}/submissions/{first}/correct"
    before = _saved(app, case.id)
    why = {"change_reason": "The chair was entered wrongly."}

    r = fill(client, case.id, "swindon", "meeting_decision", _decision(outside), TODAY, url=url, **why)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "govuk-error-summary" in page
    assert f'href="#{REASON_PREFIX}chair-0-chair"' in page and f'id="{REASON_PREFIX}chair-0-chair"' in page
    assert FORM_MESSAGE_MISSING in page and "This record differs from the council" in page
    assert _saved(app, case.id) == before

    r = fill(client, case.id, "swindon", "meeting_decision", _decision(outside), TODAY, url=url, **why,
             **{f"{REASON_PREFIX}chair-0-chair": "short"})
    assert r.status_code == 200 and FORM_MESSAGE_SHORT in r.get_data(as_text=True)
    assert _saved(app, case.id) == before

    r = fill(client, case.id, "swindon", "meeting_decision", _decision(outside), TODAY, url=url, **why,
             **{f"{REASON_PREFIX}chair-0-chair": REASON})
    assert r.status_code == 302, r.get_data(as_text=True)
    new = int(r.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        corrected = db.session().get(Submission, new)
        assert corrected.amends_id == first
        assert [(w["id"], w["reason"]) for w in corrected.data[WARNINGS_KEY]] == [("chair-0-chair", REASON)]
    assert REASON in client.get(f"/cases/{case.id}/submissions/{new}").get_data(as_text=True)
