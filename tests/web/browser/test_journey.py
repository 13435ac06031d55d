"""Issue #4's journey, as a worker would walk it, for each council, checking every page
with axe on the way. What the pages must say comes from the engine's own answer for the
case (`hearth.web.evaluation.evaluate_case`), so the test holds the page to the policy.

Covered now (the pages that exist): sign in, find the child on the dashboard, open the
case, see each trigger, why it fired and the sentence of the council's document it comes
from, the three missing episodes in the timeline, the recommendation, who may chair, and
(Swindon) increased funding blocked until a stability meeting, with its source.

The meeting workflow pages (record an event, decide, schedule, record the meeting with an
error first, circulate minutes, review deadline in working days; the funding request
blocked then allowed) are not built yet: those steps join this file when they land."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from hearth.web import db
from hearth.web.evaluation import evaluate_case
from hearth.web.models import Case

from .accessibility import check_accessibility
from .conftest import councils, email, sign_in


def long_date(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.day} {d:%B %Y}"


def quoted(source: str) -> str:
    """The sentence of a source ('file.txt: 'sentence'') as the page quotes it."""
    return source.split(": ", 1)[1].strip("'")


def seeded_case(live, council: str) -> tuple[int, str, dict]:
    """The seed's first case (three missing episodes in a fortnight) and the engine's answer."""
    with live.app.app_context():
        case = db.session().scalars(select(Case).where(Case.council_id == council).order_by(Case.id)).first()
        evaluation = evaluate_case(case)
        assert evaluation.answer, evaluation.problem
        return case.id, case.child_ref, evaluation.answer


@pytest.mark.parametrize("council", councils())
def test_worker_sees_why_the_policy_calls_for_a_meeting(page, live, council):
    live.reseed()
    case_id, ref, answer = seeded_case(live, council)
    missing = [t for t in answer["triggers"] if t["rule"].endswith("missing")]
    assert missing, f"the engine should see {ref}'s three missing episodes as a trigger: {answer['triggers']}"

    sign_in(page, email("worker", council))
    check_accessibility(page, f"{council} dashboard")
    page.click(f"main a:text-is('{ref}')")
    page.wait_for_url(f"**/cases/{case_id}")
    check_accessibility(page, f"{council} case {ref}")
    main = " ".join(page.inner_text("main").split())

    for trigger in answer["triggers"]:
        assert trigger["title"] in main, f"trigger {trigger['rule']} is not shown"
        assert " ".join(quoted(trigger["source"]).split()) in main, f"{trigger['rule']}'s source is not quoted"
        assert trigger["source"].split(":")[0] in main, "the source names its document"
    for day in _missing_dates(live, case_id):
        assert long_date(day) in main, f"{day} is not on the page"
    timeline = page.locator("main table").last.inner_text()
    assert timeline.count("Missing episode") >= 3, timeline
    reason = answer["recommendation_reason"]
    assert reason["label"] in main, "the recommendation is named"
    assert " ".join(quoted(reason["source"]).split()) in main, "the recommendation quotes its source"
    assert " ".join(quoted(answer["chair"]["source"]).split()) in main, "who may chair, and why"

    gates = {g["action"]: g for g in answer["gates"]}
    if "increased_funding" in gates:
        funding = page.locator("main tr").filter(has=page.get_by_text("Increased funding", exact=True))
        assert funding.count() == 1, "the funding gate has a row"
        assert gates["increased_funding"]["status"] == "blocked"
        assert "Blocked" in funding.inner_text()
        assert " ".join(quoted(gates["increased_funding"]["source"]).split())[:80] in " ".join(funding.inner_text().split())
    assert not page.problems, page.problems


def _missing_dates(live, case_id: int) -> list[str]:
    with live.app.app_context():
        case = db.session().get(Case, case_id)
        return [e.on.isoformat() for e in case.events if e.type == "missing_episode"]
