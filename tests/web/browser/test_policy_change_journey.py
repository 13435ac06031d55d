"""The whole life of a policy change in Chromium, as a council's policy officers live it (issue 10):
a change made in the YAML editor, the policy tests that catch it and are then brought into line,
the change in words, the open cases it would affect, a request to publish from next Monday, a
second officer's approval, and a worker's case that follows the old rule before that Monday and
the new one from it. Swindon's minutes (5 to 3 working days) and Gateshead's initial meeting
(5 to 10 working days, after a mistake that is shown on its line and can never be published).
axe on every page visited."""
from __future__ import annotations

import re
from datetime import date

from hearth.engine import api
from hearth.engine.evaluate import evaluate
from hearth.engine.policy import load_policy
from hearth.web import db, policy_store
from hearth.web.evaluation import case_document
from hearth.web.models import Case
from hearth.web.views.workspace.releasing_common import next_monday

from councils import needs_council

from . import screenshots
from .accessibility import check_accessibility
from .conftest import TODAY, email, sign_in

EDITOR = "document.querySelector('.CodeMirror').CodeMirror"
SWINDON_MINUTES = ("due: 5 working days after stability_meeting_held or review_meeting_held\n"
                   "    met_by: minutes_circulated")
GATESHEAD_INITIAL = "due: 5 working days after stability_meeting_decided\n    met_by: stability_meeting_held"


# ------------------------------------------------------------------ steps an officer takes
def edit_in_browser(page, council: str, path: str, change) -> None:
    """Open a file of the draft in the editor, change its text (``change(text) -> text``, as the
    officer types it) and save it."""
    page.goto(f"/councils/{council}/workspace/files/{path}")
    page.wait_for_selector(".CodeMirror")
    text = page.evaluate(f"() => {EDITOR}.getValue()")
    page.evaluate(f"(text) => {EDITOR}.setValue(text)", change(text))
    page.click("#save")
    page.wait_for_load_state()


def run_tests(page, council: str) -> list[dict]:
    """Run the policy tests on the draft; each failed expectation as the page shows it."""
    page.goto(f"/councils/{council}/workspace/tests")
    page.click("button:has-text('Run the tests')")
    page.wait_for_selector("#counts")
    return page.evaluate("""() => [...document.querySelectorAll('.hearth-test-failure')].flatMap(block => {
        const path = block.querySelector('a, p').textContent.match(/In (\\S+), line/)[1];
        return [...block.querySelectorAll('.govuk-summary-list__row')].map(row => ({
          path, line: (row.querySelector('dt').textContent.match(/line (\\d+)/) || [])[1],
          expected: (row.textContent.match(/Expected: (.+)/) || [])[1],
          came: (row.textContent.match(/Came: (.+)/) || [])[1]}));
      })""")


def bring_tests_into_line(failures: list[dict]) -> dict[str, callable]:
    """What the officer does on reading the failures: the value expected, at the line named or
    just below it (a list under its key), becomes the one that came (a date, a status). By file:
    the change to make to its text."""
    by_path: dict[str, list] = {}
    for failure in failures:
        assert failure["line"] and failure["expected"] and failure["came"], failure
        by_path.setdefault(failure["path"], []).append(
            (int(failure["line"]), _as_written(failure["expected"]), _as_written(failure["came"])))

    def changer(fixes):
        def change(text: str) -> str:
            lines = text.split("\n")
            for line, expected, came in fixes:
                value = re.compile(rf"(?<![\w-]){re.escape(expected)}(?![\w-])")
                at = next(number for number in range(line - 1, len(lines)) if value.search(lines[number]))
                lines[at] = value.sub(came, lines[at], count=1)
            return "\n".join(lines)
        return change
    return {path: changer(fixes) for path, fixes in by_path.items()}


def _as_written(shown: str) -> str:
    """A value as the page shows it ('2026-05-29', True) as a test file writes it (2026-05-29, true)."""
    value = shown.strip().strip("'")
    return value.lower() if value in ("True", "False") else value


def request_and_approve(page, council: str, note: str) -> None:
    """The first officer asks for the draft to be published from the Monday suggested; the
    second approves it."""
    page.goto(f"/councils/{council}/workspace/publish")
    check_accessibility(page, f"{council}: publish")
    page.fill("#change_note", note)
    page.click("button:has-text('Ask for approval to publish')")
    page.locator(".govuk-notification-banner").wait_for()
    sign_in(page, f"policy2@{council}.demo")
    page.goto(f"/councils/{council}/workspace/publish")
    assert note in page.inner_text("main")
    page.click("button:has-text('Approve request')")
    page.locator(".govuk-notification-banner").wait_for()
    check_accessibility(page, f"{council}: history after approval")


def deadline_row(page, case_id: int, title: str) -> str:
    """What the case page says of a deadline: its title and what it counts from (not its source
    sentence, which quotes the document as it stands)."""
    page.goto(f"/cases/{case_id}")
    return page.locator("#deadlines th", has_text=re.compile(rf"^\s*{re.escape(title)}")).inner_text()


# ------------------------------------------------------------------ what the engine says, for the checks
def version_path(live, council: str, sentence: str) -> str:
    with live.app.app_context():
        files = policy_store.files_in_force(db.session(), council, TODAY)
    return next(path for path in files.glob("versions/*.yaml") if sentence in files.text(path))


def cases_whose_deadline_moves(live, council: str, deadline: str, day: date, changed_files) -> dict[str, int]:
    """The open cases whose ``deadline`` falls due on another day under the changed files (by
    reference, with their ids): what the impact list and the worker's page must agree with."""
    with live.app.app_context():
        published = api.policy_on(council, day)
        changed = load_policy(changed_files).version_on(day)
        moved = {}
        for case in db.session().query(Case).filter_by(council_id=council, status="open"):
            document = case_document(case)
            due = [{item["id"]: item["due"] for item in evaluate(version, api.parse_case(version, document), day)
                    ["deadlines"] if item["id"] == deadline} for version in (published, changed)]
            if due[0] != due[1]:
                moved[case.child_ref] = case.id
        return moved


def draft_files(live, council: str):
    with live.app.app_context():
        return policy_store.draft_files(policy_store.draft_of(db.session(), council))


# ------------------------------------------------------------------ the journeys
@needs_council("swindon")
def test_swindon_minutes_from_5_to_3_working_days_published_from_next_monday(page, live):
    council, monday = "swindon", next_monday(TODAY)
    path = version_path(live, council, SWINDON_MINUTES)
    try:
        sign_in(page, email("policy_officer", council))
        page.goto(f"/councils/{council}/policy/chair")  # the reading pages: the rule beside its sentence
        screenshots.save(page, f"{council}-policy-chair")
        check_accessibility(page, "swindon: policy, chair")
        edit_in_browser(page, council, path, lambda text: text.replace(SWINDON_MINUTES,
                                                                       SWINDON_MINUTES.replace("5", "3")))
        assert "Saved" in page.inner_text(".govuk-notification-banner")
        check_accessibility(page, "swindon: editor, saved")

        failures = run_tests(page, council)  # the minutes tests still expect 5 working days
        assert failures and "failed" in page.inner_text("#counts")
        screenshots.save(page, f"{council}-workspace-tests-failing")
        check_accessibility(page, "swindon: tests failing")
        for test_path, change in bring_tests_into_line(failures).items():
            edit_in_browser(page, council, test_path, change)
        assert run_tests(page, council) == []
        assert "All tests pass" in page.inner_text("#counts")

        page.goto(f"/councils/{council}/workspace/changes")
        assert "Within 5 working days → Within 3 working days" in page.inner_text("main")
        screenshots.save(page, f"{council}-workspace-changes")
        check_accessibility(page, "swindon: changes in words")

        moved = cases_whose_deadline_moves(live, council, "minutes_circulated", monday, draft_files(live, council))
        assert moved, "a demo case with a meeting held, whose minutes' due date moves"
        page.goto(f"/councils/{council}/workspace/impact")
        page.click("button:has-text('Check the open cases')")
        page.wait_for_selector("text=would change", timeout=30_000)
        listed = set(page.locator("main h2[id^='case-']").all_inner_texts())
        assert set(moved) <= {reference.strip() for reference in listed}
        screenshots.save(page, f"{council}-workspace-impact")
        check_accessibility(page, "swindon: impact")

        request_and_approve(page, council, "Minutes within 3 working days, as agreed at the January board")

        reference, case_id = sorted(moved.items())[0]
        sign_in(page, email("worker", council))
        before = deadline_row(page, case_id, "Minutes")   # today, the Monday before: the old rule
        assert "5 working days" in before and "3 working days" not in before
        check_accessibility(page, "swindon: case before the change")
        live.app.config["HEARTH_TODAY"] = monday
        after = deadline_row(page, case_id, "Minutes")    # from next Monday: the new one
        assert "3 working days" in after and "5 working days" not in after
        assert not page.problems, page.problems
    finally:
        live.app.config["HEARTH_TODAY"] = TODAY
        live.reseed()


@needs_council("gateshead")
def test_gateshead_initial_meeting_a_mistake_never_published_then_10_working_days(page, live):
    council, monday = "gateshead", next_monday(TODAY)
    path = version_path(live, council, GATESHEAD_INITIAL)
    try:
        sign_in(page, email("policy_officer", council))
        # a mistake first: the message on its line, and no way to publish
        edit_in_browser(page, council, path, lambda text: text.replace(GATESHEAD_INITIAL,
                                                                       GATESHEAD_INITIAL.replace("due:", "dew:")))
        line = next(number for number, text in enumerate(draft_files(live, council).text(path).split("\n"), 1)
                    if "dew:" in text)
        summary = page.inner_text(".govuk-error-summary")
        assert f"Line {line}" in summary and "dew" in summary
        assert "dew" in page.inner_text(f"#line-{line}")
        screenshots.save(page, f"{council}-workspace-editor-error")
        check_accessibility(page, "gateshead: editor with a mistake on its line")
        page.goto(f"/councils/{council}/workspace/publish")
        assert page.locator("button:has-text('Ask for approval to publish')").count() == 0
        check_accessibility(page, "gateshead: publish refused")

        edit_in_browser(page, council, path, lambda text: text.replace("dew: 5 working days", "due: 10 working days"))
        failures = run_tests(page, council)
        for test_path, change in bring_tests_into_line(failures).items():
            edit_in_browser(page, council, test_path, change)
        assert run_tests(page, council) == []
        page.goto(f"/councils/{council}/workspace/changes")
        assert "Within 5 working days → Within 10 working days" in page.inner_text("main")

        moved = cases_whose_deadline_moves(live, council, "initial_meeting", monday, draft_files(live, council))
        assert moved, "a demo case waiting for its initial meeting"
        request_and_approve(page, council, "Initial meeting within 10 working days")
        case_id = sorted(moved.items())[0][1]
        sign_in(page, email("worker", council))
        assert "5 working days" in deadline_row(page, case_id, "Initial")
        live.app.config["HEARTH_TODAY"] = monday
        assert "10 working days" in deadline_row(page, case_id, "Initial")
        check_accessibility(page, "gateshead: case after the change")
        assert not page.problems, page.problems
    finally:
        live.app.config["HEARTH_TODAY"] = TODAY
        live.reseed()
