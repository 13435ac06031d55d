"""Changing a policy without YAML, in Chromium (issue 11): Swindon's policy officer makes four
changes through the editors only — the repeated-missing trigger from 3 to 2 episodes within 28
days, a question added to the minutes form and moved up, an intervention removed from the menu,
a second chair option for in-house foster placements — sees each in words and the draft's YAML
with its comments and `source` lines kept, brings the policy tests that pinned the old trigger
into line without YAML, and publishes from next Monday once a second officer approves. A worker's
case and form follow the old policy before that Monday and the new one from it. Then one change
of Gateshead's (an intervention added to its menu), the same way. axe on every page visited."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from hearth.engine.editing.yaml_text import YamlText
from hearth.web import db, policy_store
from hearth.web.models import Case, User
from hearth.web.views.workspace.releasing_common import next_monday
from hearth.web.workflow import record_events

from councils import needs_council

from . import screenshots
from .accessibility import check_accessibility
from .conftest import TODAY, email, sign_in
from .test_policy_change_journey import draft_files, request_and_approve, run_tests

NEW_QUESTION = "Did the carers say what would help them most?"


# ------------------------------------------------------------------ steps an officer takes
def check_and_save(page, what: str) -> str:
    """On the check page: read the change in words (returned), check the page, save to the draft."""
    page.wait_for_selector("#in-words")
    said = page.inner_text("#in-words")
    check_accessibility(page, f"check page: {what}")
    page.get_by_role("button", name="Save to the draft").click()
    page.locator(".govuk-notification-banner").wait_for()
    assert "Saved" in page.inner_text(".govuk-notification-banner"), what
    return said


def change_link_on_reading_page(page, council: str, section: str, title: str) -> None:
    """From the published policy's reading page, follow the rule's "Change … in the draft"."""
    page.goto(f"/councils/{council}/policy/{section}")
    page.get_by_role("link", name=re.compile(rf"^Change {re.escape(title)} in the draft$")).first.click()
    page.wait_for_load_state()


def expect_what_came_for_every_failure(page, council: str) -> int:
    """Run the policy tests; for each failed test, rename it to say what it now shows and take
    over what came (the officer has read the failures: the trigger changed on purpose)."""
    taken = 0
    while True:
        failures = run_tests(page, council)
        if not failures:
            return taken
        form = page.locator("form.hearth-expect").first
        assert form.count(), f"a failure no button can take over: {failures}"
        name = form.locator("input[name=name]")
        name.fill(name.input_value().replace("not yet repeated", "repeated").replace(", so nothing fires", "")
                  .replace("are not", "are"))
        form.get_by_role("button", name=re.compile("^Expect what came")).click()
        check_and_save(page, "a test brought into line")
        taken += 1
        assert taken < 10, "the same tests keep failing"


# ------------------------------------------------------------------ what the worker's pages say
def arrange_two_episodes(live, council: str) -> int:
    """An open case with no missing episode or absence, given two missing episodes in the last
    week (recorded through the app's own path, as a worker would)."""
    with live.app.app_context():
        session = db.session()
        worker = session.scalars(select(User).filter_by(email=email("worker", council))).one()
        for case in session.scalars(select(Case).filter_by(council_id=council, status="open")):
            if not {"missing_episode", "absence"} & {event.type for event in case.events}:
                record_events(case, [{"type": "missing_episode", "on": (TODAY - timedelta(days=5)).isoformat()},
                                     {"type": "missing_episode", "on": (TODAY - timedelta(days=2)).isoformat()}],
                              worker)
                session.commit()
                return case.id
        raise AssertionError("no open case without missing episodes or absences")


def open_case_placed(live, council: str, placement_type: str) -> int:
    with live.app.app_context():
        return db.session().scalars(select(Case.id).filter_by(council_id=council, status="open",
                                                               placement_type=placement_type)).first()


def case_text(page, case_id: int) -> str:
    page.goto(f"/cases/{case_id}")
    return page.inner_text("main")


def chair_and_menu(page, case_id: int) -> tuple[str, str]:
    """What the case page says of who may chair, and its menu of interventions."""
    page.goto(f"/cases/{case_id}")
    # who may chair sits behind a "details" once a chair is recorded: read as text, not as rendered
    return page.text_content("#chair"), page.inner_text("#interventions")


# ------------------------------------------------------------------ the journeys
@needs_council("swindon")
def test_swindon_four_changes_without_yaml_published_from_next_monday(page, live):
    council, monday = "swindon", next_monday(TODAY)
    try:
        sign_in(page, email("policy_officer", council))
        with live.app.app_context():
            published = policy_store.files_in_force(db.session(), council, TODAY)
        version = sorted(published.glob("versions/*.yaml"))[-1]
        minutes = "forms/stability_meeting_minutes.yaml"
        before = YamlText(published.text(version))
        trigger = next(item for item in before.data["triggers"] if item["id"] == "repeated-missing")
        chair_row = next(index for index, row in enumerate(before.data["chair"])
                         if (row.get("when") or {}).get("placement.type") == "in_house_foster")
        removed = next(item for item in before.data["interventions"] if item["id"] == "behaviour_management_training")

        # 1. the trigger, from its reading page: 3 → 2 episodes within 28 days
        change_link_on_reading_page(page, council, "triggers", trigger["title"])
        check_accessibility(page, "swindon: trigger editor")
        assert page.input_value("#at_least") == "3"
        page.fill("#at_least", "2")
        screenshots.save(page, f"{council}-editor-trigger")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_selector("#in-words")
        screenshots.save(page, f"{council}-editor-check")
        said = check_and_save(page, "swindon: trigger")
        assert trigger["title"] in said and re.search(r"\b3\b[^\n]*→[^\n]*\b2\b", said), said

        # 2. the minutes form: a question added at the end of its first section, then moved up
        page.goto(f"/councils/{council}/policy/forms/stability_meeting_minutes")
        questions_href = page.get_attribute("#change-questions", "href")
        page.click("#change-questions")
        page.wait_for_url(f"**{questions_href}")
        check_accessibility(page, "swindon: the minutes' questions")
        page.get_by_role("link", name=re.compile(r"^Add a question")).first.click()
        page.fill("#label", NEW_QUESTION)
        page.locator("input[name=kind][value=long_text]").check()
        page.locator("input[name=required][value=no]").check()
        check_accessibility(page, "swindon: add a question")
        page.get_by_role("button", name="Check the new question").click()
        said = check_and_save(page, "swindon: question added")
        assert NEW_QUESTION in said
        page.get_by_role("button", name=re.compile(rf"^Move up\W+{re.escape(NEW_QUESTION)}")).click()
        check_and_save(page, "swindon: question moved up")

        # 3. an intervention removed from the menu
        page.goto(f"/councils/{council}/workspace/change")
        page.get_by_role("link", name="The intervention menu").click()
        check_accessibility(page, "swindon: the intervention menu")
        page.get_by_role("button", name=re.compile(rf"^Remove\W+{re.escape(removed['label'])}")).click()
        said = check_and_save(page, "swindon: intervention removed")
        assert removed["label"] in said

        # 4. a second chair option for in-house foster placements, from the chair's reading page
        page.goto(f"/councils/{council}/workspace/change")
        page.get_by_role("link", name="Who chairs, by placement type").click()
        check_accessibility(page, "swindon: the chair table")
        page.goto(f"/councils/{council}/workspace/change/chair/{chair_row}")
        second = page.locator("input[name=options]:not(:checked)").first
        second_role = second.get_attribute("value")
        second_label = page.locator(f"label[for='{second.get_attribute('id')}']").inner_text().strip()
        second.check()
        page.get_by_role("button", name="Continue").click()
        check_and_save(page, "swindon: chair option added")

        # each change in words, and the draft's YAML with its comments and sources kept
        page.goto(f"/councils/{council}/workspace/changes")
        in_words = page.inner_text("#in-words")
        for expected in (trigger["title"], NEW_QUESTION, removed["label"]):
            assert expected in in_words, expected
        check_accessibility(page, "swindon: changes in words")
        draft = draft_files(live, council)
        for path in (version, minutes):
            kept_lines = draft.text(path).split("\n")
            for line in published.text(path).split("\n"):
                if line.lstrip().startswith("#") or line.lstrip().startswith("source:"):
                    assert line in kept_lines or removed["source"] in line, (path, line)
        after = YamlText(draft.text(version))
        assert next(item for item in after.data["triggers"] if item["id"] == "repeated-missing")["when"]["at_least"] == 2
        assert after.data["chair"][chair_row]["options"][1] == second_role
        questions = [field["label"] for section in YamlText(draft.text(minutes)).data["sections"]
                     for field in section["fields"]]
        at = questions.index(NEW_QUESTION)
        published_version = YamlText(published.text(minutes)).value(("version",))   # kept for its records
        assert draft.text(f"forms/_versions/stability_meeting_minutes/{published_version}.yaml").endswith(
            published.text(minutes))
        assert at > 0 and questions[at + 1] != NEW_QUESTION

        # the tests that pinned "3 episodes" are brought into line without YAML
        assert expect_what_came_for_every_failure(page, council) >= 1
        assert "All tests pass" in page.inner_text("#counts")

        request_and_approve(page, council, "Two episodes within 28 days; carers' needs asked in the minutes")

        case_id, fostered = arrange_two_episodes(live, council), open_case_placed(live, council, "in_house_foster")
        sign_in(page, email("worker", council))
        assert trigger["title"] not in case_text(page, case_id)
        check_accessibility(page, "swindon: case before the change")
        chair, menu = chair_and_menu(page, fostered)
        assert second_label not in chair and removed["label"] in menu
        page.goto(f"/cases/{case_id}/forms/stability_meeting_minutes")
        assert NEW_QUESTION not in page.inner_text("main")
        live.app.config["HEARTH_TODAY"] = monday
        assert trigger["title"] in case_text(page, case_id)
        check_accessibility(page, "swindon: case after the change")
        chair, menu = chair_and_menu(page, fostered)
        assert second_label in chair and removed["label"] not in menu
        page.goto(f"/cases/{case_id}/forms/stability_meeting_minutes")
        assert NEW_QUESTION in page.inner_text("main")
        check_accessibility(page, "swindon: minutes form after the change")
        assert not page.problems, page.problems
    finally:
        live.app.config["HEARTH_TODAY"] = TODAY
        live.reseed()


@needs_council("gateshead")
def test_gateshead_an_intervention_added_without_yaml(page, live):
    council, monday = "gateshead", next_monday(TODAY)
    label = "Peer mentoring for the young person"
    try:
        sign_in(page, email("policy_officer", council))
        page.goto(f"/councils/{council}/workspace/change")
        page.get_by_role("link", name="The intervention menu").click()
        page.get_by_role("link", name=re.compile("^Add an intervention")).click()
        check_accessibility(page, "gateshead: add an intervention")
        page.fill("#id", "peer_mentoring")
        page.fill("#label", label)
        page.locator("input[name=costed][value=no]").check()
        page.fill("#source", "Family Support")
        page.get_by_role("button", name="Continue").click()
        assert label in check_and_save(page, "gateshead: intervention added")
        assert run_tests(page, council) == []
        request_and_approve(page, council, "Peer mentoring offered")

        with live.app.app_context():
            case_id = db.session().scalars(select(Case.id).filter_by(council_id=council, status="open")).first()
        sign_in(page, email("worker", council))
        assert label not in chair_and_menu(page, case_id)[1]
        live.app.config["HEARTH_TODAY"] = monday
        assert label in chair_and_menu(page, case_id)[1]
        check_accessibility(page, "gateshead: case after the change")
        assert not page.problems, page.problems
    finally:
        live.app.config["HEARTH_TODAY"] = TODAY
        live.reseed()
