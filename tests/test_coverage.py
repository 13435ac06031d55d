"""`hearth policy test --coverage`: what a council's tests reach (docs/policy-language.md, "What the
tests reach"), shown on a small council where each test reaches what it should and no more, and
required in full of the two shipped councils (other councils get the report as a warning)."""
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from hearth.engine.coverage import council_coverage
from hearth.engine.policy_files import PolicyFiles

from conftest import ROOT

POLICIES = ROOT / "policies"
SHIPPED = ("gateshead", "swindon")
HEARTH = [sys.executable, "-c", "from hearth.web.cli import main; main()"]

VERSION = """\
effective_from: 2026-01-01
title: Tiny procedure
triggers:
  - id: concern
    title: A concern
    when: {event: stability_concern_raised}
    source: "A concern calls for a meeting."
  - id: missing
    title: Missing twice
    when: {count: missing_episode, at_least: 2, within: 28 days}
    source: "Two missing episodes call for a meeting."
recommendation:
  - recommend: hold_review_meeting
    when: {deadline: review, status: [pending, overdue]}
    source: "A review first."
  - recommend: hold_stability_meeting
    when: {triggered: any}
    source: "Then a meeting."
chair:
  - when: {placement.type: ifa_foster}
    options: [fostering_manager]
    source: "IFA: the fostering manager."
  - options: [iro]
    source: "Otherwise the IRO."
invitees:
  - required: [childs_social_worker]
    source: "Always the social worker."
  - when: {placement.type: ifa_foster}
    consider: [fostering_social_worker]
    source: "IFA: their worker."
deadlines:
  - id: meeting
    title: Meeting held
    due:
      - when: {placement.type: la_childrens_home}
        due: 3 working days after stability_meeting_decided
      - due: 5 working days after stability_meeting_decided
    met_by: stability_meeting_held
    unless: {event: concern_closed}
    waived_by: {event: concern_closed}
    planned_by: {event: meeting_scheduled, where: {meeting: stability}, date: meeting_date}
    moved_by:
      - event: review_brought_forward
        to: to
      - event: review_extended
        extend_by: days
    source: "The meeting within five working days, three for a home."
  - id: review
    title: Review held
    due: 10 working days after stability_meeting_held
    met_by: review_meeting_held
    source: "A review ten working days later."
gates:
  - id: meeting-first
    actions: [increased_funding]
    blocked_until: {event: stability_meeting_held}
    unless: {event: safeguarding_concern, where: {significant: true}}
    after_the_fact: 5 working days
    source: "No money before the meeting, unless safeguarding."
  - id: panel
    actions: [external_service]
    needs_approval: {event: panel_approved, where: {request: external_service}}
    source: "The panel approves external services."
interventions:
  - id: fgc
    label: Family Group Conference
    costed: false
    source: "FGC"
  - id: missing_support
    label: Missing support
    costed: false
    when: {event: missing_episode, within: 3 months}
    source: "Missing support"
"""

FORM = """\
title: Minutes
version: 1
source: "The minutes."
sections:
  - fields:
      - id: meeting_date
        kind: date
        label: Date of the meeting
        name: the date of the meeting
      - id: child_attended
        kind: yes_no
        label: Did the child attend?
        name: the child attended
      - id: attended
        kind: roles
        label: Who attended?
        name: who attended
checks:
  - when: {child_attended: true}
    then: {attended: {includes: child}}
    field: attended
    message: Select the child in who attended
produces:
  - event: stability_meeting_held
    on: meeting_date
    fields: {attendees: attended}
"""


@pytest.mark.parametrize("council", sorted(p.parent.name for p in POLICIES.glob("*/council.yaml")))
def test_the_shipped_councils_tests_reach_everything_and_the_others_are_told(council):
    report = council_coverage(POLICIES / council)
    unreached = "\n".join(str(target) for target in report.missing)
    if council in SHIPPED:
        assert report.complete, f"{report.summary()}; write tests that reach:\n{unreached}"
    elif not report.complete:
        warnings.warn(f"{report.summary()}:\n{unreached}", UserWarning)


@pytest.fixture
def tiny(tmp_path) -> Path:
    folder = tmp_path / "policies" / "tiny"
    for name, text in (("council.yaml", "name: Tiny Borough Council\nnation: england\n"),
                       ("versions/2026-01.yaml", VERSION), ("forms/minutes.yaml", FORM)):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    (folder / "tests").mkdir()
    return folder


def reached(folder: Path, *tests: str) -> set:
    """What these tests (YAML, one a string) reach, bar the version's name in each key."""
    (folder / "tests" / "some.yaml").write_text("tests:\n" + "".join(tests))
    report = council_coverage(folder)
    assert all(result.ok for result in report.results), [r.failures for r in report.results]
    return {key[1:] if key[0] == "2026-01" else key for key in report.reached}


def case_test(events: str, placement: str = "in_house_foster", on: str = "2026-02-02") -> str:
    return (f"  - name: a case\n    on: {on}\n    case:\n      placement: {{type: {placement}}}\n"
            f"      events: {events}\n    expect: {{}}\n")


def test_with_no_tests_nothing_is_reached_and_every_target_is_located(tiny):
    report = council_coverage(tiny)
    assert report.reached == set()
    assert len(report.missing) == len(report.targets) == 23
    lines = VERSION.splitlines()
    for target in report.targets:
        if target.key[0] == "form":
            assert target.loc.file.endswith("forms/minutes.yaml") and "then:" in FORM.splitlines()[target.loc.line]
            continue
        assert target.loc.file.endswith("versions/2026-01.yaml")
        written = lines[target.loc.line - 1]
        kind = target.key[1]
        name = target.key[2] if len(target.key) > 2 else None
        if kind in ("trigger",):
            assert f"id: {name}" in written
        elif kind in ("unless", "waived_by", "planned_by"):
            assert written.strip().startswith(f"{kind}:")
        elif kind == "gate":
            assert written.strip().startswith(f"{target.key[3]}:"), written
        elif kind == "intervention":
            assert written.strip().startswith("when:")
    assert report.summary() == "tiny: tests reach 0 of 23 rules, rows, gate parts and form checks (23 not reached)"


def test_a_trigger_and_the_rows_that_decide_the_answer_are_reached(tiny):
    keys = reached(tiny, case_test("[{type: stability_concern_raised, on: 2026-01-30}]", placement="ifa_foster"))
    assert ("trigger", "concern") in keys and ("trigger", "missing") not in keys
    assert ("recommendation", 1) in keys and ("recommendation", 0) not in keys
    # both chair rows hold for an IFA placement; only the first decides the answer
    assert ("chair", 0) in keys and ("chair", 1) not in keys
    assert {("invitees", 0), ("invitees", 1)} <= keys
    assert ("intervention", "missing_support") not in keys


def test_the_first_due_row_that_holds_is_reached_and_unless_drops_the_instance(tiny):
    home = reached(tiny, case_test("[{type: stability_meeting_decided, on: 2026-01-30}]", placement="la_childrens_home"))
    assert ("due", "meeting", 0) in home and ("due", "meeting", 1) not in home
    foster = reached(tiny, case_test("[{type: stability_meeting_decided, on: 2026-01-30}]"))
    assert ("due", "meeting", 1) in foster and ("due", "meeting", 0) not in foster
    assert ("unless", "meeting") not in foster
    closed = reached(tiny, case_test("[{type: stability_meeting_decided, on: 2026-01-29}, {type: concern_closed, on: 2026-01-30}]"))
    assert ("unless", "meeting") in closed
    assert not {key for key in closed if key[0] == "due" and key[1] == "meeting"}


def test_a_move_a_plan_and_a_waiver_are_reached_only_when_they_change_an_instance(tiny):
    plain = reached(tiny, case_test("[{type: stability_meeting_decided, on: 2026-01-26}]"))
    assert not {key for key in plain if key[0] in ("moved_by", "planned_by", "waived_by")}
    moved = reached(tiny, case_test(
        "[{type: stability_meeting_decided, on: 2026-01-26}, {type: review_extended, on: 2026-01-27, days: 2},"
        " {type: meeting_scheduled, on: 2026-01-27, meeting: stability, meeting_date: 2026-02-03}]"))
    assert ("moved_by", "meeting", 1) in moved and ("moved_by", "meeting", 0) not in moved
    assert ("planned_by", "meeting") in moved
    brought = reached(tiny, case_test(
        "[{type: stability_meeting_decided, on: 2026-01-26}, {type: review_brought_forward, on: 2026-01-27, to: 2026-01-28}]"))
    assert ("moved_by", "meeting", 0) in brought and ("moved_by", "meeting", 1) not in brought


def test_each_side_of_a_gate_is_reached_by_the_test_that_shows_it(tiny):
    blocked = reached(tiny, case_test("[]"))
    assert ("gate", "meeting-first", "blocked_until", False) in blocked
    assert ("gate", "meeting-first", "blocked_until", True) not in blocked
    assert ("gate", "panel", "needs_approval", False) in blocked
    overridden = reached(tiny, case_test("[{type: safeguarding_concern, on: 2026-01-30, significant: true}]"))
    assert ("gate", "meeting-first", "unless", True) in overridden
    assert ("gate", "meeting-first", "blocked_until", False) not in overridden  # overridden is not blocked
    lifted = reached(tiny, case_test(
        "[{type: stability_meeting_held, on: 2026-01-30}, {type: panel_approved, on: 2026-01-30, request: external_service}]"))
    assert {("gate", "meeting-first", "blocked_until", True), ("gate", "panel", "needs_approval", True)} <= lifted
    assert ("gate", "meeting-first", "unless", True) not in lifted


def test_a_form_check_is_reached_when_a_form_test_shows_its_message(tiny):
    form_test = ("  - name: a form\n    on: 2026-02-02\n    form: minutes\n"
                 "    answers: {{meeting_date: 2026-01-30, child_attended: true, attended: {attended}}}\n"
                 "    expect: {{errors: {{attended: {message}}}}}\n")
    passing = reached(tiny, form_test.format(attended="[child, iro]", message="null"))
    assert ("form", "minutes", 0) not in passing
    shown = reached(tiny, form_test.format(attended="[iro]", message="Select the child in who attended"))
    assert ("form", "minutes", 0) in shown


def test_the_command_lists_what_is_not_reached_and_exits_0(tiny):
    (tiny / "tests" / "one.yaml").write_text("tests:\n" + case_test("[{type: stability_concern_raised, on: 2026-01-30}]"))
    env = dict(os.environ, HEARTH_POLICIES=str(tiny.parent))
    result = subprocess.run(HEARTH + ["policy", "test", "--coverage", "tiny"], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "1 passed, 0 failed"
    version = tiny / "versions" / "2026-01.yaml"
    assert f"{version}:8:5: trigger missing: no test fires it" in lines
    assert f"{version}:4:5: trigger concern: no test fires it" not in lines
    assert f"{tiny / 'forms' / 'minutes.yaml'}:19:5: form minutes: check 1 ('Select the child in who attended') " \
           "is never shown by a form test" in lines
    missing = [line for line in lines[1:-1]]
    assert all(line.startswith(str(tiny)) for line in missing)
    assert lines[-1] == f"tiny: tests reach {23 - len(missing)} of 23 rules, rows, gate parts and form checks " \
                        f"({len(missing)} not reached)"
    plain = subprocess.run(HEARTH + ["policy", "test", "tiny"], capture_output=True, text=True, env=env, timeout=120)
    assert plain.stdout == "1 passed, 0 failed\n"  # without --coverage, no report


def test_a_set_of_files_from_anywhere_gets_the_report_of_its_folder_located_at_its_origin(tiny):
    """A council's files from the database (origin db:<council>/draft) are covered as its folder is:
    the same targets, the same reached, each line located at the origin instead of the folder."""
    (tiny / "tests" / "one.yaml").write_text("tests:\n" + case_test("[{type: stability_concern_raised, on: 2026-01-30}]"))
    on_disk = council_coverage(tiny)
    stored = PolicyFiles.from_folder(tiny)
    in_memory = council_coverage(PolicyFiles("tiny", "db:tiny/draft", dict(stored.texts)))
    assert in_memory.reached == on_disk.reached and on_disk.reached
    assert in_memory.summary() == on_disk.summary()
    assert [str(target) for target in in_memory.missing] == \
           [str(target).replace(str(tiny), "db:tiny/draft", 1) for target in on_disk.missing]
    assert all(str(target).startswith("db:tiny/draft/") for target in in_memory.targets)
    assert "db:tiny/draft/versions/2026-01.yaml:8:5: trigger missing: no test fires it" in map(str, in_memory.missing)
