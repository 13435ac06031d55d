"""hearth.engine.impact: which open cases a change of policy would affect, from its effective date.

Each change is made to a copy of a shipped council's files (as a policy officer would edit
them); what is expected is read off the engine's own answers under the published version and
the changed version's own calendar and durations, never written into the test."""
from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from hearth.engine.case import parse_case_data
from hearth.engine.demo import read_demo_cases
from hearth.engine.evaluate import evaluate
from hearth.engine.impact import OPEN, OpenCase, impact
from hearth.engine.policy import load_policy

from hearth.rules.durations import Duration, Unit

from councils import ROOT, generic_councils, session_root

COUNCIL = ROOT / "policies" / "swindon"
VERSION_FILE = Path("versions") / "2025-01.yaml"
DEADLINE = "minutes_circulated"
MINUTES_RULE = ("    due: 5 working days after stability_meeting_held or review_meeting_held\n"
                "    met_by: minutes_circulated\n")
TRIGGER = "repeated-missing"
TRIGGER_RULE = "when: {count: [missing_episode, absence], at_least: 3, within: 28 days}"
EFFECTIVE = date(2026, 3, 2)   # a Monday; the demo cases are read as of this day


def changed_copy(tmp_path: Path, old: str, new: str) -> Path:
    """The council's folder copied, with one rule's text changed."""
    folder = tmp_path / COUNCIL.name
    shutil.copytree(COUNCIL, folder)
    path = folder / VERSION_FILE
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"the rule to change is not once in {VERSION_FILE}: {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def version_on(folder: Path, day: date):
    return load_policy(folder).version_on(day)


def open_case(version, ref: str, placement: dict, events: list) -> OpenCase:
    document = {"child": {"ref": ref}, "placement": placement, "events": events}
    return OpenCase(ref, parse_case_data(document, version.vocabulary, ref))


def demo_cases(version) -> list[OpenCase]:
    cases = read_demo_cases(COUNCIL, load_policy(COUNCIL), EFFECTIVE)
    assert cases, "the shipped council has demo cases"
    return [open_case(version, c.ref, {"type": c.placement_type, "started": c.placement_started.isoformat()},
                      [{"type": e.type, "on": e.on.isoformat(), **e.fields} for e in c.events]) for c in cases]


def meeting_cases(version, held: date, met_after_working_days: tuple) -> list[OpenCase]:
    """A stability meeting held on ``held``: its minutes not yet circulated, and circulated
    each number of working days after it."""
    placement = {"type": "ifa_foster", "started": "2025-06-02"}
    meeting = [{"type": "stability_meeting_decided", "on": version.calendar.add_working_days(held, -2).isoformat(),
                "chair": "childrens_social_work_manager"},
               {"type": "stability_meeting_held", "on": held.isoformat(), "chair": "childrens_social_work_manager",
                "attendees": ["childs_social_worker", "foster_carer", "iro"]}]
    cases = [open_case(version, "M-OPEN", placement, meeting)]
    for days in met_after_working_days:
        circulated = version.calendar.add_working_days(held, days)
        cases.append(open_case(version, f"M-MET-{days}", placement,
                               [*meeting, {"type": "minutes_circulated", "on": circulated.isoformat()}]))
    return cases


@pytest.fixture(scope="module")
def minutes_change(tmp_path_factory):
    folder = changed_copy(tmp_path_factory.mktemp("minutes"), MINUTES_RULE, MINUTES_RULE.replace("5 working", "3 working"))
    return version_on(COUNCIL, EFFECTIVE), version_on(folder, EFFECTIVE)


def test_a_shorter_minutes_deadline_moves_exactly_the_cases_with_it_open(minutes_change):
    published, changed = minutes_change
    old_days = next(d for d in published.deadlines if d.id == DEADLINE).due[0].duration.amount
    new_duration = next(d for d in changed.deadlines if d.id == DEADLINE).due[0].duration
    assert new_duration.amount < old_days
    held = changed.calendar.add_working_days(EFFECTIVE, -(old_days + 1))   # every minutes day is past
    # met on the first working day (on time either way), and on the last under the old rule (late now)
    cases = demo_cases(published) + meeting_cases(published, held, (1, old_days))

    result = impact(published, changed, EFFECTIVE, cases)

    expected = {}
    for open_case_ in cases:
        for entry in evaluate(published, open_case_.case, EFFECTIVE)["deadlines"]:
            if entry["id"] != DEADLINE:
                continue
            new_due = changed.calendar.add(date.fromisoformat(entry["started_on"]), new_duration)
            if entry["status"] in OPEN or (entry["status"] == "met" and date.fromisoformat(entry["met_on"]) > new_due):
                expected.setdefault(open_case_.reference, []).append((entry, new_due))
    assert "M-OPEN" in expected and f"M-MET-{old_days}" in expected and "M-MET-1" not in expected
    assert any(not ref.startswith("M-") for ref in expected), "a demo case has the minutes deadline open"

    assert sorted(result.affected) == sorted(expected)
    assert result.checked == len(cases) and result.days == (EFFECTIVE,)
    by_ref = {c.reference: c for c in result.cases}
    for ref, entries in expected.items():
        changes = by_ref[ref].changes
        assert [(c.part, c.subject) for c in changes] == [("deadline", DEADLINE)] * len(entries), changes
        for change, (entry, new_due) in zip(changes, entries):
            assert change.before["due"] == entry["due"] and change.after["due"] == new_due.isoformat()
            assert change.source and change.source.endswith(f"'{next(d.source for d in changed.deadlines if d.id == DEADLINE)}'")
            assert change.says.startswith(next(d.title for d in changed.deadlines if d.id == DEADLINE))
    late = by_ref[f"M-MET-{old_days}"].changes[0]
    assert (late.before["status"], late.after["status"]) == ("met", "late")
    assert by_ref["M-OPEN"].changes[0].change == "moves"


def test_no_change_affects_no_case(tmp_path):
    published = version_on(COUNCIL, EFFECTIVE)
    copy = version_on(changed_copy(tmp_path, TRIGGER_RULE, TRIGGER_RULE), EFFECTIVE)
    told = []
    result = impact(published, copy, EFFECTIVE, demo_cases(published), today=date(2026, 3, 20),
                    progress=lambda done, total: told.append((done, total)))
    assert result.cases == () and result.affected == []
    assert result.checked == len(told) and told[-1] == (result.checked, result.checked)
    assert result.days == (EFFECTIVE, date(2026, 3, 20))


def test_a_lower_trigger_threshold_fires_for_fewer_episodes(tmp_path):
    published = version_on(COUNCIL, EFFECTIVE)
    changed = version_on(changed_copy(tmp_path, TRIGGER_RULE, TRIGGER_RULE.replace("at_least: 3", "at_least: 2")),
                         EFFECTIVE)
    placement = {"type": "in_house_foster", "started": "2025-01-06"}
    days = [date(2026, 2, 10), date(2026, 2, 17), date(2026, 2, 24)]
    missing = [{"type": "missing_episode", "on": day.isoformat()} for day in days]
    cases = [open_case(published, "ONE", placement, missing[:1]), open_case(published, "TWO", placement, missing[:2]),
             open_case(published, "THREE", placement, missing)]

    result = impact(published, changed, EFFECTIVE, cases)

    by_ref = {c.reference: c for c in result.cases}
    assert "ONE" not in by_ref
    two = [c for c in by_ref["TWO"].changes if c.part == "trigger"]
    assert [(c.subject, c.change, c.after["on"]) for c in two] == [(TRIGGER, "appears", days[1].isoformat())]
    three = [c for c in by_ref["THREE"].changes if c.part == "trigger"]
    assert [(c.subject, c.change, c.before["fired_on"], c.after["fired_on"]) for c in three] == \
        [(TRIGGER, "moves", [days[2].isoformat()], [day.isoformat() for day in days[1:]])]
    trigger = next(t for t in changed.triggers if t.id == TRIGGER)
    assert two[0].says.startswith(f"'{trigger.title}' would fire") and two[0].source.endswith(f"'{trigger.source}'")
    # what else a trigger brings (a recommendation, a gate) is listed with it, each in words
    assert all(c.says and c.on == EFFECTIVE.isoformat() for c in by_ref["TWO"].changes)
    assert result.as_dict()["affected"] == len(by_ref)


def test_a_change_seen_the_same_on_the_effective_day_and_today_is_listed_once(minutes_change):
    published, changed = minutes_change
    old_days = next(d for d in published.deadlines if d.id == DEADLINE).due[0].duration.amount
    held = published.calendar.add_working_days(EFFECTIVE, -(old_days + 5))   # overdue either way, on both days
    later = published.calendar.add_working_days(EFFECTIVE, 3)
    (case,) = meeting_cases(published, held, ())
    result = impact(published, changed, EFFECTIVE, [case], today=later)
    assert result.days == (EFFECTIVE, later)
    (found,) = result.cases
    assert [(c.subject, c.change, c.on) for c in found.changes] == [(DEADLINE, "moves", EFFECTIVE.isoformat())]
    assert (found.changes[0].before["status"], found.changes[0].after["status"]) == ("overdue", "overdue")


def shortenable(version):
    """A deadline whose due date is one plain count of working days (more than one), so the day
    it falls on a working day shorter can be worked out from its start alone; None if none is."""
    return next((d for d in version.deadlines if len(d.due) == 1 and d.due[0].duration.unit == Unit.WORKING_DAYS
                 and d.due[0].duration.amount > 1 and not d.moved_by and not d.agreed_date
                 and not (d.due[0].roll_to or d.roll_to)), None)


@pytest.mark.parametrize("council", generic_councils())
def test_every_council_a_deadline_a_working_day_shorter_moves_the_cases_with_it_open(council):
    """The same as Swindon's minutes, for any council: its first plain working-days deadline one
    day shorter (made on the loaded version, no YAML), over its demo cases as of today."""
    today = date.today()
    folder = session_root() / council
    policy = load_policy(folder)
    published = policy.version_on(today) if policy.versions[0].effective_from <= today else None
    deadline = shortenable(published) if published else None
    if deadline is None:
        pytest.skip(f"{council} has no deadline of a plain count of working days in force today")
    duration = Duration(deadline.due[0].duration.amount - 1, Unit.WORKING_DAYS)
    shorter = replace(deadline, due=(replace(deadline.due[0], duration=duration),))
    changed = replace(published, deadlines=tuple(shorter if d.id == deadline.id else d for d in published.deadlines),
                      rules_hash=published.rules_hash + "-shorter")
    cases = [OpenCase(c.ref, parse_case_data({"child": {"ref": c.ref}, "placement": {
        "type": c.placement_type, "started": c.placement_started.isoformat()}, "events": [
        {"type": e.type, "on": e.on.isoformat(), **e.fields} for e in c.events]}, published.vocabulary, c.ref))
        for c in read_demo_cases(folder, policy, today)]
    calendar = published.calendar_named(deadline.calendar)
    expected = set()
    for open_case_ in cases:
        for entry in evaluate(published, open_case_.case, today)["deadlines"]:
            new_due = calendar.add(date.fromisoformat(entry["started_on"]), duration)
            if entry["id"] == deadline.id and (entry["status"] in OPEN or (
                    entry["status"] == "met" and date.fromisoformat(entry["met_on"]) > new_due)):
                expected.add(open_case_.reference)
    result = impact(published, changed, today, cases)
    assert sorted(result.affected) == sorted(expected)
    assert {(c.part, c.subject) for found in result.cases for c in found.changes} <= {("deadline", deadline.id)}
