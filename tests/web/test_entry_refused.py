"""A council that refuses, not only asks why, a record its policy does not allow (issue 13, item
4): a copy of Swindon whose council.yaml says ``entry_checks: {chair: refuse}``. A chair outside
the policy is a GOV.UK error on the chair question (summary and field), with no reason to give
and nothing saved, the answers kept as typed; the API refuses the same record with 422, located
at the same question in the same words; a chair the policy allows is saved. Who may chair is
read from the live evaluation, not written here."""
from __future__ import annotations

from datetime import date

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from hearth.web import db
from hearth.web.entry_warnings import REASON_PREFIX
from hearth.web.models import Case, Event, Submission

from api_support import api_policies, bearer  # noqa: F401 - fixtures
from workflow_support import answer, fill

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

TODAY = date(2026, 12, 18)
ROLES = ("childrens_social_work_manager", "fostering_manager", "social_care_manager")


@pytest.fixture
def refusing(app, demo, api_policies, monkeypatch) -> Case:  # noqa: F811 - the fixture imported above
    """Swindon's copy refuses a chair outside its policy; its case S-2004, on a pinned day."""
    monkeypatch.setitem(app.config, "HEARTH_TODAY", TODAY)
    monkeypatch.setitem(app.config, "HEARTH_POLICY_LIBRARY", "folders")   # the copy, not the publications
    council = api_policies / "swindon" / "council.yaml"
    council.write_text(council.read_text() + "entry_checks: {chair: refuse}\n")
    return next(c for c in demo.cases["swindon"] if c.child_ref == "S-2004")


def _saved(app, case_id: int) -> tuple[int, int]:
    with app.app_context():
        s = db.session()
        return (s.scalar(select(func.count()).select_from(Submission).where(Submission.case_id == case_id)),
                s.scalar(select(func.count()).select_from(Event).where(Event.case_id == case_id)))


def _decision(chair: str) -> dict:
    return {"decision_date": "2026-12-18", "care_planning_held": False, "why_no_care_planning": "Urgent move.",
            "chair": chair, "arranger": "supervising_social_worker"}


def test_a_chair_the_policy_does_not_allow_is_refused_on_the_page_and_the_api(app, client, login_as, bearer,  # noqa: F811
                                                                              refusing):
    case = refusing
    options = answer(app, case.id)["chair"]["options"]
    outside = next(role for role in ROLES if role not in options)
    before = _saved(app, case.id)

    client = login_as("worker@swindon.demo")
    r = fill(client, case.id, "swindon", "meeting_decision", _decision(outside), TODAY)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "govuk-error-summary" in page and 'href="#chair"' in page
    assert 'id="chair-error"' in page and "The council does not accept such a record" in page
    assert REASON_PREFIX not in page and "This record differs from the council" not in page  # no reason asked
    assert f'value="{outside}" checked' in page and "Urgent move." in page   # kept as typed
    assert _saved(app, case.id) == before

    r = client.post(f"/api/v1/cases/{case.id}/submissions", headers=bearer("worker@swindon.demo"),
                    json={"form": "meeting_decision", "answers": _decision(outside)})
    assert r.status_code == 422, r.get_json()
    [problem] = r.get_json()["errors"]
    assert problem["field"] == "answers.chair" and "The council does not accept such a record" in problem["message"]
    assert str(escape(problem["message"])) in page   # the same words as the page's
    assert _saved(app, case.id) == before

    r = fill(client, case.id, "swindon", "meeting_decision", _decision(options[0]), TODAY)
    assert r.status_code == 302, r.get_data(as_text=True)
    assert _saved(app, case.id) == (before[0] + 1, before[1] + 1)
