"""Issue #4's journey, as a worker would walk it, for each council, checking every page
with axe on the way. What the pages must say comes from the engine's own answer for the
case (`hearth.web.evaluation.evaluate_case`), so the test holds the page to the policy.

`test_worker_sees_why_the_policy_calls_for_a_meeting`, for every council (tests/councils.py)
on the first of its demo cases that the policy has something to say about: sign in, find
the child on the dashboard, open the case, see each trigger, why it fired and the sentence
of the council's document it comes from, every event in the timeline, the recommendation,
who may chair, and each gate with its status and source.

`test_worker_runs_the_meeting_workflow`, for the councils story.py is written for (by
name), a new case through the real pages with the council's own forms (answers in story.py, filled by govuk_forms.fill_form): open the
case, record three missing episodes, see the trigger and the recommendation, decide to
hold a meeting (initial meeting due in five working days), arrange it (the policy's
invitees ticked), record the meeting with an answer left out first (the GOV.UK error
summary, focused, what was typed kept), then the review due ten working days after it.
Swindon also asks for increased funding before the meeting: blocked, and a manager
cannot approve it; after the meeting the same manager approves it. The due dates are
worked out by hand below, over Easter 2026, and must also be the engine's."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from hearth.engine.api import policy_on
from hearth.engine.forms_catalog import load_forms
from hearth.web import db
from hearth.web.evaluation import evaluate_case
from hearth.web.models import Case

from councils import needs_council

from . import story
from .accessibility import check_accessibility
from .conftest import TODAY, councils, email, sign_in
from .govuk_forms import assert_kept, fill_form, submit, ticked


def long_date(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.day} {d:%B %Y}"


def quoted(source: str) -> str:
    """The sentence of a source ('file.txt: 'sentence'') as the page quotes it."""
    return source.split(": ", 1)[1].strip("'").replace("*", "")   # the document's emphasis marks left out


def seeded_case(live, council: str) -> tuple[int, str, dict]:
    """The first demo case of the council whose evaluation has a trigger (else its first
    case), and the engine's answer."""
    with live.app.app_context():
        cases = db.session().scalars(select(Case).where(Case.council_id == council).order_by(Case.id)).all()
        if not cases:
            pytest.skip(f"{council} has no demo cases (policies/{council}/demo/cases.yaml)")
        answers = [(case, evaluate_case(case)) for case in cases]
        for case, evaluation in answers:
            assert evaluation.answer, evaluation.problem
        case, evaluation = next(((c, e) for c, e in answers if e.answer["triggers"]), answers[0])
        return case.id, case.child_ref, evaluation.answer


@pytest.mark.parametrize("council", councils())
def test_worker_sees_why_the_policy_calls_for_a_meeting(page, live, council):
    live.reseed()
    case_id, ref, answer = seeded_case(live, council)
    vocab = policy_on(council, TODAY).vocabulary

    sign_in(page, email("worker", council))
    check_accessibility(page, f"{council} dashboard")
    page.click(f"main a:text-is('{ref}')")
    page.wait_for_url(f"**/cases/{case_id}")
    check_accessibility(page, f"{council} case {ref}")
    # the policy's words sit behind "details" (closed): read them as text, not as rendered
    main = " ".join(page.text_content("main").split())

    for trigger in answer["triggers"]:
        assert trigger["title"] in main, f"trigger {trigger['rule']} is not shown"
        assert " ".join(quoted(trigger["source"]).split()) in main, f"{trigger['rule']}'s source is not quoted"
        assert trigger["source"].split(":")[0] in main, "the source names its document"
    timeline = text(page, "#timeline") if page.locator("#timeline").count() else ""
    for kind, day in _events(live, case_id):
        assert long_date(day) in main, f"{day} is not on the page"
        assert vocab.event_types[kind].label in timeline, f"{kind} is not in the timeline"
    reason = answer["recommendation_reason"]
    if reason:
        assert reason["label"] in main, "the recommendation is named"
        assert " ".join(quoted(reason["source"]).split()) in main, "the recommendation quotes its source"
    if answer["chair"].get("source"):
        assert " ".join(quoted(answer["chair"]["source"]).split()) in main, "who may chair, and why"

    for gate in answer["gates"]:
        label = vocab.actions[gate["action"]]["label"]
        shown = page.locator("#gates tbody tr").filter(has=page.get_by_text(label, exact=True))
        assert shown.count() == 1, f"the gate on {gate['action']} has a row"
        words = " ".join(shown.inner_text().split())
        assert gate["status"].replace("_", " ").lower() in words.lower(), (gate["status"], words)
        # a gate's sentence is quoted once, in its first action's row
        assert " ".join(quoted(gate["source"]).split())[:80] in " ".join(page.text_content("#gates").split()), \
            f"{gate['action']}'s source is quoted"
    assert not page.problems, page.problems


def _events(live, case_id: int) -> list[tuple[str, str]]:
    with live.app.app_context():
        case = db.session().get(Case, case_id)
        return [(e.type, e.on.isoformat()) for e in case.events]


# ------------------------------------------------------------------ the meeting workflow
# The story's days. England's bank holidays fall in it: Good Friday 3 April and Easter
# Monday 6 April 2026.
STARTED = date(2025, 9, 1)                 # the placement began
EPISODES = (date(2026, 3, 17), date(2026, 3, 22), date(2026, 3, 27))  # Tue, Sun, Fri: within a fortnight
RECORDED = date(2026, 3, 30)               # Monday: the worker records them
DECIDED = date(2026, 3, 31)                # Tuesday: the decision to hold a meeting
# 5 working days after Tuesday 31 March: Wed 1 April (1), Thu 2 (2), [Fri 3 Good Friday,
# the weekend, Mon 6 Easter Monday], Tue 7 (3), Wed 8 (4), Thu 9 (5).
INITIAL_DUE = date(2026, 4, 9)
HELD = date(2026, 4, 2)                    # Thursday: the meeting, before Easter
# 10 working days after Thursday 2 April: [Fri 3, Mon 6 bank holidays], Tue 7 (1),
# Wed 8 (2), Thu 9 (3), Fri 10 (4), Mon 13 (5), Tue 14 (6), Wed 15 (7), Thu 16 (8),
# Fri 17 (9), Mon 20 April (10). Both policies take the date agreed at the meeting, so
# the record agrees the rule of thumb's date.
REVIEW_DUE = date(2026, 4, 20)
# Swindon's minutes, 5 working days after it: Tue 7, Wed 8, Thu 9, Fri 10, Mon 13 April.
MINUTES_DUE = date(2026, 4, 13)
ACTIONS_BY = date(2026, 4, 10)


def day_date(d: date) -> str:
    return f"{d:%A} {long_date(d.isoformat())}"


@pytest.fixture
def story_day(live):
    """Move the app's 'today' as the story goes on (the server runs in this process, so it
    reads the same config); afterwards the pinned day and the seed again."""
    def move(day: date) -> None:
        live.app.config["HEARTH_TODAY"] = day
    yield move
    live.app.config["HEARTH_TODAY"] = TODAY
    live.reseed()


def engine_answer(live, case_id: int) -> dict:
    with live.app.app_context():
        evaluation = evaluate_case(db.session().get(Case, case_id))
        assert evaluation.answer, evaluation.problem
        return evaluation.answer


def deadlines(answer: dict) -> dict:
    return {d["id"]: (d["due"], d["status"]) for d in answer["deadlines"]}


def gate(answer: dict, action: str) -> str | None:
    return next((g["status"] for g in answer["gates"] if g["action"] == action), None)


def text(page, where="main") -> str:
    """The words of a selector's element (or a locator's), spaces made single."""
    return " ".join((page.inner_text(where) if isinstance(where, str) else where.inner_text()).split())


def row(page, table: str, heading: str):
    """The row of table #`table` whose first cell starts with `heading`."""
    found = page.locator(f"#{table} tbody tr").filter(has_text=re.compile(r"^\s*" + re.escape(heading)))
    assert found.count() == 1, f"{found.count()} rows of #{table} start with {heading!r}"
    return found


def start(page, form_id: str) -> None:
    """Start one of the council's forms from the case page's 'Record something' list."""
    page.click(f"#forms a[href$='/forms/{form_id}']")
    # the page may put its one-time token in its address (?once=..., static/js/form-once.mjs)
    page.wait_for_url(re.compile(rf"/forms/{form_id}(\?.*)?$"))


def submitted_to_case(page, case_id: int) -> None:
    submit(page)
    if page.locator("#entry-warnings textarea").count():  # the record differs from the policy: say why
        for box in page.locator("#entry-warnings textarea").all():
            box.fill("Agreed with the chair: the others sent their views in writing.")
        submit(page)
    assert re.search(rf"/cases/{case_id}(#.*)?$", page.url), f"not saved: {text(page)[:800]}"
    assert "Saved:" in text(page, ".govuk-notification-banner"), "the case page says it was saved"


def open_record(page, ref: str, href: str) -> None:
    """From the dashboard's list of cases to the case, then to one of its submitted records."""
    page.click(f"#cases a:text-is('{ref}')")
    page.click(f"#submitted + ul a[href='{href}']")
    page.wait_for_url(f"**{href}")


@pytest.mark.parametrize("council", [pytest.param(c, marks=needs_council(c)) for c in story.COUNCILS])
def test_worker_runs_the_meeting_workflow(page, live, story_day, council):
    live.reseed()
    ref = f"{council[0].upper()}-JOURNEY"
    vocab = policy_on(council, RECORDED).vocabulary

    # 1. A new case, from the dashboard's button.
    story_day(RECORDED)
    sign_in(page, email("worker", council))
    check_accessibility(page, f"{council} worker's dashboard")
    page.click("main a:text-is('Open a case')")
    page.wait_for_url(re.compile(r"/cases/new(\?.*)?$"))
    check_accessibility(page, f"{council} new case form")
    fill_form(page, {"child_ref": ref, "placement_type": story.PLACEMENT[council], "started": STARTED})
    submit(page, "Open the case")
    case_id = int(re.search(r"/cases/(\d+)$", page.url).group(1))
    assert ref in text(page, "h1") and "No events have been recorded" in text(page)
    check_accessibility(page, f"{council} case {ref}, new")

    # 2. Three missing episodes through the council's own form (the first from the list
    # of every form, which no page links to yet; then from the case page).
    page.goto(f"/cases/{case_id}/forms")
    check_accessibility(page, f"{council} forms for {ref}")
    for n, day in enumerate(EPISODES):
        start(page, "record_event")
        if n == 0:
            check_accessibility(page, f"{council} record_event form")
        fill_form(page, story.missing_episode(day))
        submitted_to_case(page, case_id)

    # 3. The trigger, and the sentence it comes from; the recommendation.
    answer = engine_answer(live, case_id)
    missing = [t for t in answer["triggers"] if t["rule"].endswith("missing")]
    assert missing, f"the engine should see three missing episodes as a trigger: {answer['triggers']}"
    main = " ".join(page.text_content("main").split())   # with the policy's words behind "details"
    for trigger in missing:
        assert trigger["title"] in main, f"trigger {trigger['rule']} is not shown"
        assert " ".join(quoted(trigger["source"]).split()) in main, f"{trigger['rule']}'s source is not quoted"
    reason = answer["recommendation_reason"]
    assert reason["label"] in text(page, "#recommendation"), "the recommendation is named"
    assert " ".join(quoted(reason["source"]).split()) in main, "the recommendation quotes its source"
    timeline = text(page, "#timeline")
    assert timeline.count(vocab.event_types["missing_episode"].label) == 3, timeline
    assert all(long_date(d.isoformat()) in timeline for d in EPISODES), timeline
    assert deadlines(answer) == {}, "no deadline before a decision"
    check_accessibility(page, f"{council} case {ref}, triggered")

    # 4. The decision to hold a meeting: the initial meeting is due in five working days.
    story_day(DECIDED)
    start(page, "meeting_decision")
    check_accessibility(page, f"{council} meeting_decision form")
    fill_form(page, story.decision(council, DECIDED))
    submitted_to_case(page, case_id)
    answer = engine_answer(live, case_id)
    assert deadlines(answer) == {"initial_meeting": (INITIAL_DUE.isoformat(), "pending")}
    initial = next(d for d in answer["deadlines"] if d["id"] == "initial_meeting")
    shown = text(page, row(page, "deadlines", initial["title"]))
    assert day_date(INITIAL_DUE) in shown and "Pending" in shown, shown
    check_accessibility(page, f"{council} case {ref}, meeting decided")

    # 5. Arranging the meeting: the invitees the policy requires start ticked, and are kept.
    start(page, "schedule_meeting")
    check_accessibility(page, f"{council} schedule_meeting form")
    required = set(answer["invitees"]["required"])
    offered = set(page.locator("input[name='invited']").evaluate_all("all => all.map(e => e.value)"))
    invited = set(ticked(page, "invited"))
    assert required and invited == required & offered, f"ticked {invited}, the policy requires {required}"
    fill_form(page, story.schedule(DECIDED, HELD))
    submitted_to_case(page, case_id)
    arranged = page.locator("#timeline tbody tr").filter(has=page.get_by_role(
        "rowheader", name=vocab.event_types["meeting_scheduled"].label, exact=True))
    assert arranged.count() == 1, "the timeline shows the meeting arranged"
    arranged = text(page, arranged)
    assert arranged.startswith(long_date(DECIDED.isoformat())), arranged
    assert long_date(HELD.isoformat()) in arranged and "The foster carers' home" in arranged, arranged
    assert all(vocab.roles[r] in arranged for r in invited), arranged
    assert deadlines(engine_answer(live, case_id)) == {"initial_meeting": (INITIAL_DUE.isoformat(), "pending")}

    # 8a. Where the policy gates funding (Swindon): a request before the meeting is
    # blocked on the case page, and a manager cannot approve it.
    funding = vocab.actions.get("increased_funding")
    request = None
    if any(g["action"] == "increased_funding" for g in answer["gates"]):
        start(page, "funding_request")
        check_accessibility(page, f"{council} funding_request form")
        fill_form(page, story.funding_request(DECIDED))
        submitted_to_case(page, case_id)
        assert gate(engine_answer(live, case_id), "increased_funding") == "blocked"
        assert "Blocked" in text(page, row(page, "gates", funding["label"]))
        request = page.locator("#submitted + ul a").filter(has_text="Funding request").get_attribute("href")
        sign_in(page, email("manager", council))
        check_accessibility(page, f"{council} manager's dashboard")
        open_record(page, ref, request)
        assert page.locator("#approval-blocked").is_visible()
        assert page.get_by_role("button", name="Approve the request").count() == 0
        check_accessibility(page, f"{council} funding request, blocked")
        sign_in(page, email("worker", council))
        page.click(f"main a:text-is('{ref}')")

    # 6. The meeting's record: first with a required answer left out.
    story_day(HELD)
    form_id, left_out = story.MEETING_FORM[council], story.LEFT_OUT[council]
    record = story.meeting_record(council, HELD, REVIEW_DUE, ACTIONS_BY)
    start(page, form_id)
    check_accessibility(page, f"{council} {form_id} form")
    typed = {k: v for k, v in record.items() if k != left_out}
    fill_form(page, typed)
    submit(page)
    page.wait_for_function("() => document.activeElement.classList.contains('govuk-error-summary')")
    assert page.title().startswith("Error: ")
    links = page.locator(".govuk-error-summary__list a")
    name = load_forms(council, HELD).get(form_id).field(left_out).name
    assert [(a.get_attribute("href"), a.inner_text()) for a in links.all()] == [(f"#{left_out}", f"Enter {name}")]
    assert_kept(page, typed)
    check_accessibility(page, f"{council} {form_id} form with an error")
    links.first.click()
    assert page.evaluate("document.activeElement.id") == left_out, "the summary's link goes to the question"
    fill_form(page, {left_out: record[left_out]})
    submitted_to_case(page, case_id)
    assert vocab.event_types["stability_meeting_held"].label in text(page, "#timeline")

    # 7. The review, ten working days after the meeting (and Swindon's minutes, five).
    expected = {"initial_meeting": (INITIAL_DUE.isoformat(), "met"),
                "review_meeting": (REVIEW_DUE.isoformat(), "pending")}
    if council == "swindon":
        expected["minutes_circulated"] = (MINUTES_DUE.isoformat(), "pending")
    answer = engine_answer(live, case_id)
    assert deadlines(answer) == expected
    review = next(d for d in answer["deadlines"] if d["id"] == "review_meeting")
    shown = text(page, row(page, "deadlines", review["title"]))
    assert day_date(REVIEW_DUE) in shown and "Pending" in shown, shown
    check_accessibility(page, f"{council} case {ref}, meeting held")

    # 8b. After the meeting the gate is open, and a manager approves the same request.
    if request:
        assert gate(answer, "increased_funding") == "open"
        assert "Open" in text(page, row(page, "gates", funding["label"]))
        sign_in(page, email("manager", council))
        open_record(page, ref, request)
        assert page.locator("#approval-blocked").count() == 0
        # the form carries its one-time token (hearth.web.form_tokens) as a hidden field, posted with the click
        assert page.locator("form[action$='/approve'] input[type=hidden][name=hearth_form_token]").count() == 1
        with page.expect_navigation():
            page.get_by_role("button", name="Approve the request").click()
        assert text(page, "#decision").startswith("Approved by"), text(page, "#decision")
        check_accessibility(page, f"{council} funding request, approved")
    assert not page.problems, page.problems
