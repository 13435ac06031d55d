"""The meanings issue 9 made explicit: language versions, which day a deadline's conditions are
judged on, which instances one meeting meets, a gate's `since`, an override gone overdue, and
due dates rolled to a working day. Each has a test of its default (in both languages) and of
its alternative, on small made-up policies; every expected date is worked out from the
calendar by hand (England: 2026 bank holidays Friday 3 April, Monday 6 April, 4 May, 25 May).
"""
from datetime import date
from pathlib import Path

import pytest

from hearth.engine.case import parse_case_data
from hearth.engine.evaluate import GATE_STATUSES, evaluate
from hearth.engine.policy import load_policy
from hearth.engine.policy_model import CURRENT_LANGUAGE
from hearth.rules.source import SourceError
from hearth.web.evaluation import next_due

COUNCIL = "name: Testshire Council\nnation: england\n"
HEAD = """effective_from: 2025-01-01
vocabulary:
  event_types:
    breakdown: {label: Placement breakdown}
    panel_held: {label: Panel held}
triggers:
  - id: concern
    when: {event: stability_concern_raised}
    source: "a concern"
"""


def load(tmp_path: Path, body: str, language: int | None = None):
    folder = tmp_path / "testshire"
    (folder / "versions").mkdir(parents=True, exist_ok=True)
    (folder / "council.yaml").write_text(COUNCIL)
    head = f"language: {language}\n" if language is not None else ""
    (folder / "versions" / "2025-01.yaml").write_text(head + HEAD + body)
    return load_policy(folder).versions[0]


def answer(policy, events: list, on: str, placement: str = "in_house_foster") -> dict:
    case = parse_case_data({"child": {"ref": "T-1"}, "placement": {"type": placement, "started": "2024-01-01"},
                            "events": events}, policy.vocabulary, "case")
    return evaluate(policy, case, date.fromisoformat(on))


def instances(result: dict, oid: str) -> list[tuple]:
    return [(d["started_on"], d["status"], d["met_on"]) for d in result["deadlines"] + result["duties"]
            if d["id"] == oid]


def gate(result: dict, action: str) -> dict:
    return next(g for g in result["gates"] if g["action"] == action)


def problems(tmp_path: Path, body: str, language: int | None = 2) -> list[str]:
    with pytest.raises(SourceError) as caught:
        load(tmp_path, body, language)
    return [str(p) for p in caught.value.problems]


# ------------------------------------------------------------------ language versions
def test_a_file_without_language_is_language_1_and_the_current_is_2(tmp_path):
    assert CURRENT_LANGUAGE == 2
    assert load(tmp_path, "").language == 1
    assert load(tmp_path, "", 1).language == 1
    assert load(tmp_path, "", 2).language == 2


@pytest.mark.parametrize("written", ["3", "0", "two", "true", "[2]"])
def test_an_unknown_language_is_a_located_error_naming_the_known_ones(tmp_path, written):
    found = problems(tmp_path, "", written)
    assert len(found) == 1
    assert "2025-01.yaml:1:11 (language)" in found[0]
    assert "1, 2 (the current is 2)" in found[0] and "hearth policy upgrade" in found[0]


# ------------------------------------------------------------------ judged_on
# "Waive this when an earlier meeting covered it": a meeting in the 10 days before the concern.
WAIVED_BY_EARLIER_MEETING = """deadlines:
  - id: meeting
    due: 10 working days after stability_concern_raised
    met_by: stability_meeting_held
    unless: {{event: stability_meeting_held, within: 10 days{judged}}}
    source: "a meeting within ten working days unless one was just held"
"""
COVERED = [{"type": "stability_meeting_held", "on": "2026-01-05"},
           {"type": "stability_concern_raised", "on": "2026-01-06", "by": "carer"},   # covered by the 5th
           {"type": "stability_concern_raised", "on": "2026-02-20", "by": "carer"},   # not covered then
           {"type": "stability_meeting_held", "on": "2026-02-23"}]


@pytest.mark.parametrize("language, judged, expected", [
    (2, "", [("2026-02-20", "met", "2026-02-23")]),                      # language 2: as things stood at the start
    (2, ", judged_on: start", [("2026-02-20", "met", "2026-02-23")]),
    (1, ", judged_on: start", [("2026-02-20", "met", "2026-02-23")]),    # the new meaning, asked for in language 1
    (1, "", []),                                                          # language 1: the day evaluated
    (2, ", judged_on: today", []),                                        # the old meaning, kept in language 2
])
def test_unless_judged_on_the_start_or_today(tmp_path, language, judged, expected):
    policy = load(tmp_path, WAIVED_BY_EARLIER_MEETING.format(judged=judged), language)
    # judged today, the meeting of the 23rd (within 10 days of the 25th) waives the concern of the 20th
    assert instances(answer(policy, COVERED, "2026-02-25"), "meeting") == expected


THIRD_BREAKDOWN = """deadlines:
  - id: disruption_meeting
    due:
      - when: {{count: breakdown, at_least: 3, within: 12 months{judged}}}
        due: 20 working days after breakdown
    met_by: stability_meeting_held
    source: "a disruption meeting within 20 working days of the third breakdown in a year"
"""


@pytest.mark.parametrize("language, judged, started", [
    (2, "", ["2026-03-02"]),                                   # only the third breakdown starts one
    (1, ", judged_on: start", ["2026-03-02"]),
    (1, "", ["2025-06-01", "2026-01-10", "2026-03-02"]),       # today there are three: every breakdown starts one
    (2, ", judged_on: today", ["2025-06-01", "2026-01-10", "2026-03-02"]),
])
def test_a_meeting_after_the_third_breakdown_in_a_year(tmp_path, language, judged, started):
    policy = load(tmp_path, THIRD_BREAKDOWN.format(judged=judged), language)
    events = [{"type": "breakdown", "on": day} for day in ("2025-06-01", "2026-01-10", "2026-03-02")]
    result = answer(policy, events, "2026-03-03")
    assert [i[0] for i in instances(result, "disruption_meeting")] == started
    # 20 working days after Monday 2 March 2026: 30 March
    assert result["deadlines"][-1]["due"] == "2026-03-30"


def test_judged_on_counts_the_starting_event_but_not_what_was_written_after_it_that_day(tmp_path):
    body = """duties:
  - id: tell_panel
    due: immediately after breakdown
    met_by: panel_held
    unless: {event: stability_meeting_held, same_day: true}
    source: "the panel is told unless a meeting dealt with it that day"
"""
    before = [{"type": "stability_meeting_held", "on": "2026-03-02"}, {"type": "breakdown", "on": "2026-03-02"}]
    after = [{"type": "breakdown", "on": "2026-03-02"}, {"type": "stability_meeting_held", "on": "2026-03-02"}]
    language_2, language_1 = load(tmp_path, body, 2), load(tmp_path / "one", body, 1)
    assert instances(answer(language_2, before, "2026-03-03"), "tell_panel") == []
    assert [i[1] for i in instances(answer(language_2, after, "2026-03-03"), "tell_panel")] == ["overdue"]
    assert instances(answer(language_1, after, "2026-03-03"), "tell_panel") == []


def test_a_triggered_condition_in_a_deadline_judged_at_its_start(tmp_path):
    body = """deadlines:
  - id: followup
    due:
      - when: {{triggered: concern{judged}}}
        due: 5 working days after stability_meeting_held
    met_by: minutes_circulated
    source: "minutes after a meeting called for by a concern"
"""
    events = [{"type": "stability_meeting_held", "on": "2026-03-02"},
              {"type": "stability_concern_raised", "on": "2026-03-03", "by": "carer"}]
    assert instances(answer(load(tmp_path, body.format(judged=""), 2), events, "2026-03-04"), "followup") == []
    today = load(tmp_path, body.format(judged=", judged_on: today"), 2)
    assert instances(answer(today, events, "2026-03-04"), "followup") == [("2026-03-02", "pending", None)]


def test_judged_on_anywhere_else_is_a_located_error(tmp_path):
    body = """recommendation:
  - recommend: hold_stability_meeting
    when: {event: stability_concern_raised, judged_on: start}
    source: "a meeting"
"""
    found = problems(tmp_path, body)
    assert len(found) == 1 and ":13:45 (judged_on)" in found[0] and "'due' rows and 'unless'" in found[0]


def test_judged_on_a_day_it_does_not_know_is_a_located_error_with_a_suggestion(tmp_path):
    found = problems(tmp_path, WAIVED_BY_EARLIER_MEETING.format(judged=", judged_on: strat"))
    assert len(found) == 1 and "(judged_on)" in found[0] and "Did you mean 'start'?" in found[0]


# ------------------------------------------------------------------ one_event_meets
TWO_CONCERNS = """deadlines:
  - id: meeting
    due: 10 working days after stability_concern_raised
    met_by: stability_meeting_held{meets}
    source: "a meeting within ten working days of a concern"
"""
CONCERNS = [{"type": "stability_concern_raised", "on": "2026-03-02", "by": "carer"},
            {"type": "stability_concern_raised", "on": "2026-03-04", "by": "iro"},
            {"type": "stability_meeting_held", "on": "2026-03-09"}]
BOTH_MET = [("2026-03-02", "met", "2026-03-09"), ("2026-03-04", "met", "2026-03-09")]
OLDEST_ONLY = [("2026-03-02", "met", "2026-03-09"), ("2026-03-04", "overdue", None)]


@pytest.mark.parametrize("language, meets, expected", [
    (2, "", BOTH_MET), (1, "\n    one_event_meets: all_open", BOTH_MET),
    (1, "", OLDEST_ONLY), (2, "\n    one_event_meets: oldest_open", OLDEST_ONLY)])
def test_one_meeting_meets_every_instance_open_before_it(tmp_path, language, meets, expected):
    policy = load(tmp_path, TWO_CONCERNS.format(meets=meets), language)
    # the second concern's 10 working days end on Wednesday 18 March
    assert instances(answer(policy, CONCERNS, "2026-03-19"), "meeting") == expected


def test_one_meeting_meets_only_instances_started_before_it(tmp_path):
    policy = load(tmp_path, TWO_CONCERNS.format(meets=""), 2)
    events = CONCERNS + [{"type": "stability_concern_raised", "on": "2026-03-10", "by": "carer"},
                         {"type": "stability_meeting_held", "on": "2026-03-12"}]
    assert instances(answer(policy, events, "2026-03-19"), "meeting") == BOTH_MET + [("2026-03-10", "met", "2026-03-12")]


def test_one_event_meets_takes_only_its_two_words(tmp_path):
    found = problems(tmp_path, TWO_CONCERNS.format(meets="\n    one_event_meets: all_opn"))
    assert len(found) == 1 and "(one_event_meets)" in found[0] and "Did you mean 'all_open'?" in found[0]


# ------------------------------------------------------------------ gate since
PANEL_GATE = """gates:
  - id: panel-first
    actions: [alternative_placement]{since}
    blocked_until: {{event: panel_held}}
    source: "a panel since the latest concern"
  - id: approval
    actions: [increased_funding]{since}
    needs_approval: {{event: funding_approved}}
    source: "approved since the latest concern"
"""
JANUARY_PANEL = [{"type": "panel_held", "on": "2026-01-12"},
                 {"type": "funding_approved", "on": "2026-01-12", "request": "increased_funding"},
                 {"type": "stability_concern_raised", "on": "2026-03-02", "by": "carer"}]


@pytest.mark.parametrize("language", [1, 2])
@pytest.mark.parametrize("since, expected", [
    ("", ("open", "approved")),                                             # no default change: the whole history
    ("\n    since: stability_concern_raised", ("blocked", "needs_approval")),
    ("\n    since: trigger", ("blocked", "needs_approval"))])
def test_a_gate_counts_only_since_the_latest_concern_or_trigger(tmp_path, language, since, expected):
    policy = load(tmp_path, PANEL_GATE.format(since=since), language)
    result = answer(policy, JANUARY_PANEL, "2026-03-03")
    assert (gate(result, "alternative_placement")["status"], gate(result, "increased_funding")["status"]) == expected
    later = JANUARY_PANEL + [{"type": "panel_held", "on": "2026-03-05"},
                             {"type": "funding_approved", "on": "2026-03-05", "request": "increased_funding"}]
    result = answer(policy, later, "2026-03-06")
    assert (gate(result, "alternative_placement")["status"], gate(result, "increased_funding")["status"]) == (
        "open", "approved")


def test_a_gate_since_keeps_a_condition_s_own_since(tmp_path):
    body = PANEL_GATE.format(since="\n    since: trigger").replace(
        "blocked_until: {event: panel_held}", "blocked_until: {event: panel_held, since: breakdown}")
    policy = load(tmp_path, body, 2)
    result = answer(policy, JANUARY_PANEL, "2026-03-03")
    assert gate(result, "alternative_placement")["status"] == "open"   # no breakdown: the January panel counts
    assert "since the last trigger" in gate(result, "increased_funding")["because"]


def test_a_gate_since_names_event_types_or_trigger(tmp_path):
    found = problems(tmp_path, PANEL_GATE.format(since="\n    since: triger"))
    assert len(found) == 2 and all("(since)" in f and "Did you mean 'trigger'?" in f for f in found)


# ------------------------------------------------------------------ overdue overrides
EMERGENCY = """gates:
  - id: meeting-first
    actions: [alternative_placement]
    blocked_until: {{event: stability_meeting_held}}
    unless: {{event: safeguarding_concern, where: {{significant: true}}}}
    after_the_fact: 5 working days{overdue}
    source: "in an emergency the meeting may follow within five working days"
"""
SAFEGUARDING = [{"type": "safeguarding_concern", "on": "2026-03-02", "significant": True}]


@pytest.mark.parametrize("language, overdue, late_status", [
    (2, "", "overdue"), (1, "\n    after_the_fact_overdue: true", "overdue"),
    (1, "", "overridden"), (2, "\n    after_the_fact_overdue: false", "overridden")])
def test_an_override_not_satisfied_by_its_date_is_overdue(tmp_path, language, overdue, late_status):
    policy = load(tmp_path, EMERGENCY.format(overdue=overdue), language)
    # Monday 2 March + 5 working days = Monday 9 March: still in time that day
    on_the_day = gate(answer(policy, SAFEGUARDING, "2026-03-09"), "alternative_placement")
    assert (on_the_day["status"], on_the_day["satisfy_by"]) == ("overridden", "2026-03-09")
    late = gate(answer(policy, SAFEGUARDING, "2026-03-10"), "alternative_placement")
    assert (late["status"], late["satisfy_by"]) == (late_status, "2026-03-09")
    if late_status == "overdue":
        assert "was due by 2026-03-09" in late["because"]
    held = SAFEGUARDING + [{"type": "stability_meeting_held", "on": "2026-03-11"}]
    assert gate(answer(policy, held, "2026-03-12"), "alternative_placement")["status"] == "open"


def test_overdue_comes_between_needs_approval_and_overridden():
    assert GATE_STATUSES.index("needs_approval") < GATE_STATUSES.index("overdue") < GATE_STATUSES.index("overridden")


def test_after_the_fact_overdue_needs_after_the_fact(tmp_path):
    body = EMERGENCY.format(overdue="").replace("    after_the_fact: 5 working days\n",
                                                "    after_the_fact_overdue: true\n")
    found = problems(tmp_path, body)
    assert len(found) == 1 and "(after_the_fact_overdue)" in found[0] and "needs 'after_the_fact'" in found[0]


# ------------------------------------------------------------------ roll_to
MONTHS = """deadlines:
  - id: plan
    due: {due}{roll}
    met_by: stability_meeting_held
    source: "a plan within a month"
"""
SATURDAY = [{"type": "stability_concern_raised", "on": "2026-01-31", "by": "carer"}]  # + 1 month: Sat 28 Feb


@pytest.mark.parametrize("language", [1, 2])
@pytest.mark.parametrize("roll, due", [
    ("", "2026-02-28"),                                   # no default change: Saturday stays
    ("\n    roll_to: next_working_day", "2026-03-02"),
    ("\n    roll_to: previous_working_day", "2026-02-27")])
def test_a_due_date_in_months_may_roll_to_a_working_day(tmp_path, language, roll, due):
    policy = load(tmp_path, MONTHS.format(due="1 month after stability_concern_raised", roll=roll), language)
    result = answer(policy, SATURDAY, "2026-02-01")
    assert result["deadlines"][0]["due"] == due
    assert ("on the next working day" in result["deadlines"][0]["basis"]) == ("next" in roll)


def test_roll_to_on_a_due_row_and_a_bank_holiday(tmp_path):
    body = """deadlines:
  - id: plan
    due:
      - when: {placement.type: ifa_foster}
        due: 2 weeks after stability_concern_raised
        roll_to: next_working_day
      - due: 2 weeks after stability_concern_raised
    met_by: stability_meeting_held
    source: "two weeks"
"""
    policy = load(tmp_path, body, 2)
    concern = [{"type": "stability_concern_raised", "on": "2026-03-20", "by": "carer"}]  # + 2 weeks: Good Friday
    assert answer(policy, concern, "2026-03-21", "ifa_foster")["deadlines"][0]["due"] == "2026-04-07"
    assert answer(policy, concern, "2026-03-21")["deadlines"][0]["due"] == "2026-04-03"


def test_roll_to_is_refused_where_the_due_date_is_a_working_day_already(tmp_path):
    found = problems(tmp_path, MONTHS.format(due="5 working days after stability_concern_raised",
                                             roll="\n    roll_to: next_working_day"))
    assert len(found) == 1 and "(roll_to)" in found[0] and "working day" in found[0]
    found = problems(tmp_path, MONTHS.format(due="1 month after stability_concern_raised",
                                             roll="\n    roll_to: next_day"))
    assert len(found) == 1 and "Did you mean 'next_working_day'?" in found[0]


def test_an_overdue_override_is_what_the_dashboard_shows_first(tmp_path):
    policy = load(tmp_path, EMERGENCY.format(overdue=""), 2)
    result = answer(policy, SAFEGUARDING, "2026-03-10")
    shown = next_due(result)
    assert (shown.title, shown.due, shown.status, shown.kind) == ("meeting first", "2026-03-09", "overdue", "gate")
    assert next_due(answer(policy, SAFEGUARDING, "2026-03-09")) is None
