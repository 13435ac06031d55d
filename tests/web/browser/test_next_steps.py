"""The case page's next steps lead to the right forms, in Chromium for each council, axe and
reflow on every page: a worry recorded calls for the council's recommendation, whose button
opens a form recording what ends it (or starts the deadline that does); once the meeting is
decided, the first step carries that deadline's date and its button opens a form whose
`produces:` meets it. Expectations come from the policy and the forms' catalog."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from hearth.engine import api
from hearth.engine.forms_catalog import load_forms
from hearth.web import db
from hearth.web.evaluation import evaluate_case
from hearth.web.models import Case, Event, User
from hearth.web.next_steps import ending_events

from councils import needs_council

from .accessibility import check_accessibility
from .conftest import TODAY, email, sign_in

REF = "NEXT-STEPS"


def _add(live, council: str, events: list[tuple[str, int, dict]]) -> int:
    """A case of the council with these events (type, days before today, fields); its id."""
    with live.app.app_context():
        s = db.session()
        s.execute(delete(Case).where(Case.child_ref == REF, Case.council_id == council))
        worker = s.scalar(select(User).where(User.email == email("worker", council)))
        case = Case(council_id=council, child_ref=REF, placement_type="in_house_foster",
                    placement_started=TODAY - timedelta(days=200), worker=worker, status="open")
        case.events = [Event(type=kind, on=TODAY - timedelta(days=before), fields=fields, recorded_by=worker)
                       for kind, before, fields in events]
        s.add(case)
        s.commit()
        return case.id


def _first_button(page, case_id: int, name: str) -> tuple[str, str]:
    """Opens the case page, checks it, clicks the first step's button: (form id, first step's text)."""
    page.goto(f"/cases/{case_id}")
    check_accessibility(page, name)
    step = page.locator("#next-steps li").first
    words = " ".join(step.inner_text().split())
    button = step.locator("a.govuk-button").first
    form_id = button.get_attribute("data-form")
    button.click()
    page.wait_for_url(f"**/cases/{case_id}/forms/{form_id}**")
    return form_id, words


@pytest.mark.parametrize("council", [pytest.param(council, marks=needs_council(council))
                                     for council in ("gateshead", "swindon")])
def test_next_steps_lead_to_the_forms_that_meet_them(page, live, council):
    policy = api.policy_on(council, TODAY)
    catalog = {form["id"]: form for form in load_forms(council, TODAY).describe()}
    decided = "stability_meeting_decided"
    deadline = next((ob for ob in policy.deadlines if decided in ob.starts.types), None)
    assert deadline is not None, f"{council}'s policy has a deadline started by a decision to hold a meeting"
    sign_in(page, email("worker", council))

    case_id = _add(live, council, [("stability_concern_raised", 2, {})])
    form_id, words = _first_button(page, case_id, f"{council}: a case with a worry")
    with live.app.app_context():
        answer = evaluate_case(db.session().get(Case, case_id)).answer
    assert answer["recommendation_reason"]["label"] in words
    row = policy.recommendation[int(answer["recommendation_reason"]["rule"].split("[")[1].rstrip("]"))]
    ending = ending_events(row.when, policy)
    leads_to = ending | {t for ob in policy.deadlines if ending & set(ob.met_by.types) for t in ob.starts.types}
    assert set(catalog[form_id]["events"]) & leads_to, (form_id, leads_to)
    assert catalog[form_id]["title"] in page.inner_text("h1")
    check_accessibility(page, f"{council}: the form the recommendation leads to")

    case_id = _add(live, council, [("stability_concern_raised", 2, {}), (decided, 1, {})])
    form_id, words = _first_button(page, case_id, f"{council}: a case with a meeting decided")
    assert "Due by" in words
    assert set(catalog[form_id]["events"]) & set(deadline.met_by.types), (form_id, deadline.met_by.types)
    assert catalog[form_id]["title"] in page.inner_text("h1")
    check_accessibility(page, f"{council}: the form that meets the deadline")
    assert not page.problems, page.problems
