"""The workspace's try, test and compare stages (hearth.web.views.workspace.trying): a what-if under
the draft beside the published version with the difference said in words, a what-if made into a
policy test that passes (and fails once the rule changes), bad input located with nothing lost,
a copied case carrying nothing about the child, the policy tests run on the draft with each failure's
expected and came, the draft's change in words; only the council's own policy officers, every
view and run audited. The test database holds no published policy: each test publishes its own."""
from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from hearth.engine import api
from hearth.engine.policy_tests import run_council_tests
from hearth.engine.whatif_tests import WHAT_IF_TESTS
from hearth.web import db, policy_store
from hearth.web.models import AuditAction, AuditEntry
from hearth.web.views.workspace.trying_case import FIRST_ROWS, MAX_EVENT_ROWS

from councils import needs_council
from policy_store_support import SWINDON_MINUTES
from web_support import Demo, csrf_token, login

# What is tested is not the database: on SQLite only (tests/web/conftest.py; the database's own
# behaviour is tested on both in test_web_database, test_policy_store, test_hardening_*, ...).
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

SWINDON = "swindon"
THREE_DAYS = SWINDON_MINUTES.replace("due: 5 working days", "due: 3 working days")
# A meeting held on Monday 7 December 2026: minutes due 14 December within 5 working days, 10 within 3.
MEETING = {"placement_type": "ifa_foster", "placement_started": "2025-06-01", "on": "2026-12-08", "rows": "3",
           "events-0-type": "stability_meeting_decided", "events-0-on": "2026-12-01",
           "events-1-type": "stability_meeting_held", "events-1-on": "2026-12-07",
           "events-1-chair": "childrens_social_work_manager", "events-1-attendees": "childs_social_worker, iro",
           "events-1-review": "no", "events-1-review_reason": "plan agreed"}


def publish(app, council: str) -> None:
    with app.app_context():
        s = db.session()
        policy_store.import_folder(s, api.policies_root() / council, date(2025, 1, 1))
        s.commit()


def change_draft(app, council: str, path: str, old: str, new: str) -> int:
    """One edit to the council's draft (made from the published set on its first save); its revision."""
    with app.app_context():
        s = db.session()
        draft = policy_store.draft_of(s, council)
        text = (policy_store.draft_files(draft) if draft else policy_store.set_files(
            policy_store.latest_publication(s, council).policy_set)).text(path)
        assert old in text
        saved = policy_store.save_draft(s, council, path, text.replace(old, new), draft.revision if draft else 0,
                                        "someone@test")
        s.commit()
        return saved.revision


def draft_files(app, council: str):
    with app.app_context():
        return policy_store.draft_files(policy_store.draft_of(db.session(), council))


def signed_in(app, role: str, council: str):
    client = app.test_client()
    assert login(client, Demo.email(role, council)).status_code == 302  # with two-factor, for officers
    return client


def post(client, path: str, data: dict):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def words(node) -> str:
    return " ".join(node.get_text(" ").split())


def audited(app, action: AuditAction, council: str) -> list[AuditEntry]:
    with app.app_context():
        return db.session().scalars(select(AuditEntry).where(AuditEntry.action == action.value,
                                                             AuditEntry.council_id == council)).all()


def minutes_file(app) -> str:
    with app.app_context():
        files = policy_store.set_files(policy_store.latest_publication(db.session(), SWINDON).policy_set)
    return next(path for path in files.glob("versions/*.yaml") if SWINDON_MINUTES in files.text(path))


# ------------------------------------------------------------------------------ what-if
@needs_council(SWINDON)
def test_what_if_shows_the_drafts_change_beside_the_published_answer(app, demo):
    publish(app, SWINDON)
    change_draft(app, SWINDON, minutes_file(app), SWINDON_MINUTES, THREE_DAYS)
    client = signed_in(app, "policy_officer", SWINDON)
    page = soup(post(client, f"/councils/{SWINDON}/workspace/try", {**MEETING, "action": "try"}))
    deadlines = words(page.find(id="part-deadlines"))
    assert "Different" in deadlines
    assert "due 10 December 2026" in deadlines and "due 14 December 2026" in deadlines
    assert "14 December 2026 → 10 December 2026" in words(page.find(id="differences"))
    assert "the same" in words(page.find(id="part-chair"))
    assert [entry.detail["kind"] for entry in audited(app, AuditAction.TESTED, SWINDON)] == ["what_if"]


@needs_council(SWINDON)
def test_a_draft_with_mistakes_says_so_and_the_published_answer_still_shows(app, demo):
    publish(app, SWINDON)
    change_draft(app, SWINDON, minutes_file(app), SWINDON_MINUTES, SWINDON_MINUTES.replace("5 working days", "soon"))
    client = signed_in(app, "policy_officer", SWINDON)
    page = soup(post(client, f"/councils/{SWINDON}/workspace/try", {**MEETING, "action": "try"}))
    assert "The draft has mistakes" in words(page.find(id="draft-problems"))
    assert minutes_file(app) in words(page)
    deadlines = words(page.find(id="part-deadlines"))
    assert "due 14 December 2026" in deadlines and "Different" not in deadlines
    assert page.find(id="test_name") is None


@needs_council(SWINDON)
def test_a_what_if_made_a_test_passes_on_the_draft_and_fails_when_the_rule_changes(app, demo):
    publish(app, SWINDON)
    revision = change_draft(app, SWINDON, minutes_file(app), SWINDON_MINUTES, THREE_DAYS)
    client = signed_in(app, "policy_officer", SWINDON)
    name = "Minutes of a meeting on 7 December are due on 10 December"
    response = post(client, f"/councils/{SWINDON}/workspace/try",
                    {**MEETING, "action": "make_test", "test_name": name, "revision": str(revision)})
    assert "was added to the draft" in words(soup(response))
    files = draft_files(app, SWINDON)
    assert name in files.text(WHAT_IF_TESTS)
    assert [result.failures for result in run_council_tests(files) if result.name == name] == [[]]
    change_draft(app, SWINDON, minutes_file(app), THREE_DAYS, SWINDON_MINUTES)
    failed = [result for result in run_council_tests(draft_files(app, SWINDON)) if result.name == name]
    assert any("minutes_circulated" in failure for failure in failed[0].failures)
    assert [entry.detail["path"] for entry in audited(app, AuditAction.CHANGED, SWINDON)] == [WHAT_IF_TESTS]


@needs_council(SWINDON)
def test_a_test_made_on_a_stale_draft_is_refused_and_nothing_is_lost(app, demo):
    publish(app, SWINDON)
    revision = change_draft(app, SWINDON, minutes_file(app), SWINDON_MINUTES, THREE_DAYS)
    change_draft(app, SWINDON, minutes_file(app), THREE_DAYS, SWINDON_MINUTES)   # another officer, meanwhile
    client = signed_in(app, "policy_officer", SWINDON)
    page = soup(post(client, f"/councils/{SWINDON}/workspace/try",
                     {**MEETING, "action": "make_test", "test_name": "Kept as typed", "revision": str(revision)}))
    assert "Someone changed the draft" in words(page.find(class_="govuk-error-summary"))
    assert page.find(id="test_name")["value"] == "Kept as typed"
    assert not draft_files(app, SWINDON).has(WHAT_IF_TESTS)


def test_bad_input_is_located_and_kept(app, demo):
    publish(app, demo.home)
    client = signed_in(app, "policy_officer", demo.home)
    page = soup(post(client, f"/councils/{demo.home}/workspace/try",
                     {"placement_type": "", "placement_started": "2025-06-01", "on": "31/02/2026", "rows": "2",
                      "events-0-type": "no_such_event", "events-0-on": "yesterday", "action": "try"}))
    links = {link["href"] for link in page.find(class_="govuk-error-summary").find_all("a")}
    assert {"#placement_type", "#on", "#events-0-type", "#events-0-on"} <= links
    for box in links:
        assert page.find(id=box[1:]) is not None
    assert page.find(id="on")["value"] == "31/02/2026"
    assert page.find(id="events-0-on")["value"] == "yesterday"
    assert page.find(id="events-0-type").find("option", selected=True)["value"] == "no_such_event"


def test_add_another_event_draws_one_more_row_up_to_the_bound(app, demo):
    publish(app, demo.home)
    client = signed_in(app, "policy_officer", demo.home)
    empty = soup(client.get(f"/councils/{demo.home}/workspace/try"))
    rows = len(empty.select("select[name$='-type']"))
    assert rows == FIRST_ROWS
    assert [entry.detail for entry in audited(app, AuditAction.VIEWED, demo.home)] == [{"page": "what_if"}]
    more = soup(post(client, f"/councils/{demo.home}/workspace/try", {"rows": str(rows), "action": "add",
                                                                      "events-0-on": "kept"}))
    assert len(more.select("select[name$='-type']")) == rows + 1
    assert more.find(id="events-0-on")["value"] == "kept"
    full = soup(post(client, f"/councils/{demo.home}/workspace/try", {"rows": "1000", "action": "add"}))
    assert len(full.select("select[name$='-type']")) == MAX_EVENT_ROWS
    assert f"at most {MAX_EVENT_ROWS} events" in words(full.find(class_="govuk-error-summary"))


@needs_council(SWINDON)
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_at_the_ends_of_the_calendar_is_an_answer_or_a_message_never_an_error_page(app, demo, day):
    publish(app, SWINDON)
    client = signed_in(app, "policy_officer", SWINDON)
    response = post(client, f"/councils/{SWINDON}/workspace/try",
                    {**MEETING, "on": day, "events-0-on": day, "placement_started": day, "action": "try"})
    assert response.status_code == 200
    page = soup(response)
    assert page.find(class_="govuk-error-summary") is not None or page.find(id="differences") is not None


def test_an_event_the_engine_refuses_is_located_on_its_box(app, demo):
    publish(app, demo.home)
    version = api.get_policy(demo.home).current
    event_type, fields = next((type_id, version.vocabulary.event_fields(type_id))
                              for type_id in version.vocabulary.event_types
                              if any(spec.kind == "role" for spec in version.vocabulary.event_fields(type_id).values()))
    field = next(name for name, spec in fields.items() if spec.kind == "role")
    client = signed_in(app, "policy_officer", demo.home)
    page = soup(post(client, f"/councils/{demo.home}/workspace/try",
                     {"placement_type": next(iter(version.vocabulary.placement_types)),
                      "placement_started": "2025-06-01",
                      "on": "2026-01-10", "rows": "1", "events-0-type": event_type, "events-0-on": "2026-01-05",
                      f"events-0-{field}": "nobody_at_all", "action": "try"}))
    links = [link["href"] for link in page.find(class_="govuk-error-summary").find_all("a")]
    assert f"#events-0-{field}" in links


def test_copying_a_case_carries_its_placement_and_events_and_nothing_about_the_child(app, demo):
    publish(app, demo.home)
    case = next(case for case in demo.cases[demo.home] if case.status == "open" and case.events)
    client = signed_in(app, "policy_officer", demo.home)
    page = soup(post(client, f"/councils/{demo.home}/workspace/try",
                     {"from_case": str(case.id), "action": "copy", "on": "2026-01-10"}))
    form = page.find(id="placement_type").find_parent("form")
    typed = {box["name"]: box.get("value", "") for box in form.find_all("input") if box.get("type") == "text"}
    chosen = {box["name"]: (box.find("option", selected=True) or {}).get("value", "")
              for box in form.find_all("select")}
    assert chosen["placement_type"] == case.placement_type
    assert typed["placement_started"] == case.placement_started.isoformat()
    assert [chosen[f"events-{i}-type"] for i in range(len(case.events))] == \
        [event.type for event in sorted(case.events, key=lambda event: (event.on, event.id))]
    everything = " ".join([*typed.values(), *chosen.values()])
    assert case.child_ref not in everything
    free_text = [str(value) for event in case.events for value in (event.fields or {}).values()
                 if isinstance(value, str) and " " in value]
    assert not [text for text in free_text if text in everything]
    assert [entry.object_id for entry in audited(app, AuditAction.VIEWED, demo.home)
            if entry.object_type == "case"] == [str(case.id)]


# ------------------------------------------------------------------------------ policy tests
@needs_council(SWINDON)
def test_the_tests_page_lists_a_failure_with_what_was_expected_and_what_came(app, demo):
    publish(app, SWINDON)
    change_draft(app, SWINDON, minutes_file(app), SWINDON_MINUTES, THREE_DAYS)
    client = signed_in(app, "policy_officer", SWINDON)
    before = soup(client.get(f"/councils/{SWINDON}/workspace/tests"))
    assert "Run the tests" in words(before)
    assert not audited(app, AuditAction.TESTED, SWINDON)
    page = soup(post(client, f"/councils/{SWINDON}/workspace/tests", {}))
    failures = page.find_all(class_="hearth-test-failure")
    assert failures
    said = " ".join(words(failure) for failure in failures)
    assert "minutes_circulated" in said and "Expected" in said and "Came" in said and "tests/" in said
    assert all("tests/" in failure.find("a")["href"] for failure in failures)   # to the YAML editor
    assert audited(app, AuditAction.TESTED, SWINDON)[0].detail["failed"] == len(failures)
    again = words(soup(client.get(f"/councils/{SWINDON}/workspace/tests")))
    assert f"{len(failures)} failed" in again


# ------------------------------------------------------------------------------ the change in words
@needs_council(SWINDON)
def test_the_change_is_said_in_words_and_line_by_line(app, demo):
    publish(app, SWINDON)
    client = signed_in(app, "policy_officer", SWINDON)
    assert "nothing to compare" in words(soup(client.get(f"/councils/{SWINDON}/workspace/changes")))
    change_draft(app, SWINDON, minutes_file(app), SWINDON_MINUTES, THREE_DAYS)
    page = soup(client.get(f"/councils/{SWINDON}/workspace/changes"))
    assert "5 working days → Within 3 working days" in words(page.find(id="in-words"))
    lines = page.find("pre").get_text()
    assert "- " in lines and "-    due: 5 working days" in lines and "+    due: 3 working days" in lines


# ------------------------------------------------------------------------------ who
@pytest.mark.parametrize("page", ["try", "tests", "changes"])
def test_another_councils_officer_gets_a_404_and_a_worker_a_403(app, demo, page):
    other = signed_in(app, "policy_officer", demo.other)
    assert other.get(f"/councils/{demo.home}/workspace/{page}").status_code == 404
    assert [entry.detail["reason"] for entry in audited(app, AuditAction.REFUSED, demo.other)] == ["another_council"]
    worker = signed_in(app, "worker", demo.home)
    assert worker.get(f"/councils/{demo.home}/workspace/{page}").status_code == 403
