"""Placement history: a case's placements over time, and rules that see the placement in force.

A case document gives the placement the history starts with; `placement_moved` events move the
child to a new one (`placement_type`, `emergency`) and `placement_ended` events say how one ended.
Each expected answer below follows from the policy text and the dates in the test.
"""
from dataclasses import FrozenInstanceError, fields
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearth.engine import api
from hearth.engine.calendar import calendar_for
from hearth.engine.case import parse_case_data, parse_case_text
from hearth.engine.evaluate import outcomes
from hearth.engine.history import Context, Point, atom_value
from hearth.engine.placements import Placement, first_placement
from hearth.engine.vocabulary import shared_vocabulary
from hearth.rules.conditions import EventCond, FieldTest
from hearth.rules.durations import Duration, Unit
from hearth.rules.source import SourceError

from reference import holds as reference_holds

CAL = calendar_for("england")

COUNCIL = "name: Westshire Council\nnation: england\n"
POLICY = """\
effective_from: 2025-01-01
triggers:
  - id: emergency-move
    title: The child was moved in an emergency
    when: {event: placement_moved, where: {emergency: true}}
    source: "an emergency placement"
  - id: ifa-breakdown
    title: An IFA placement ended without a plan
    when: {event: placement_ended, where: {ending: unplanned, placement.type: ifa_foster}}
    source: "an IFA placement broke down"
  - id: three-breakdowns
    title: Three placements ended without a plan in twelve months
    when: {count: placement_ended, at_least: 3, within: 12 months, where: {ending: unplanned}}
    source: "three breakdowns in twelve months"
  - id: missing-in-home
    title: Missing from a children's home
    when: {event: missing_episode, where: {placement.type: [la_childrens_home, private_childrens_home]}}
    source: "missing from a children's home"
chair:
  - when: {placement.type: ifa_foster}
    options: [fostering_social_worker]
    source: "the IFA's worker chairs"
  - when: {placement.emergency: true}
    options: [childs_team_manager]
    source: "an emergency placement: the team manager chairs"
  - options: [fostering_manager]
    source: "otherwise the fostering manager"
deadlines:
  - id: placement_review
    due:
      - when: {placement.emergency: true}
        due: 3 working days after stability_concern_raised
      - due: 10 working days after stability_concern_raised
    met_by: stability_meeting_held
    source: "three working days after an emergency placement, ten otherwise"
"""


def evaluate(tmp_path: Path, events, on: str, placement=None) -> dict:
    folder = tmp_path / "westshire"
    if not folder.exists():
        (folder / "versions").mkdir(parents=True)
        (folder / "council.yaml").write_text(COUNCIL)
        (folder / "versions" / "2025-01.yaml").write_text(POLICY)
    case = {"placement": placement or {"type": "ifa_foster", "started": "2024-09-01"}, "events": list(events)}
    return api.evaluate("westshire", case, date.fromisoformat(on), root=tmp_path)


def moved(on, placement_type, emergency=None):
    event = {"type": "placement_moved", "on": on, "placement_type": placement_type}
    if emergency is not None:
        event["emergency"] = emergency
    return event


def ended(on, ending="unplanned"):
    return {"type": "placement_ended", "on": on, "ending": ending}


def fired(answer) -> list:
    return sorted(t["rule"] for t in answer["triggers"])


def test_the_case_reader_builds_the_placements_over_time():
    case = parse_case_data({"placement": {"type": "ifa_foster", "started": "2024-09-01"},
                            "events": [moved("2025-05-01", "in_house_foster"), ended("2025-03-10"),
                                       moved("2025-03-10", "la_childrens_home", True)]}, shared_vocabulary())
    # events come in any order: history order is by date, then as written
    assert [(p.type, p.started.isoformat(), p.emergency) for p in case.placements] == [
        ("ifa_foster", "2024-09-01", False), ("la_childrens_home", "2025-03-10", True),
        ("in_house_foster", "2025-05-01", False)]
    assert (case.placements[0].ended, case.placements[0].ending) == (date(2025, 3, 10), "unplanned")
    assert (case.placements[1].ended, case.placements[1].ending) == (date(2025, 5, 1), None)
    assert case.current_placement.type == "in_house_foster"
    assert case.placement_on(date(2025, 4, 1)).type == "la_childrens_home"
    assert case.placement_on(date(2025, 1, 1)).type == "ifa_foster"


def test_on_the_day_of_a_move_an_ending_ends_the_placement_in_force_where_it_is_written():
    case = parse_case_data({"placement": {"type": "ifa_foster", "started": "2024-09-01"},
                            "events": [ended("2025-03-10"), moved("2025-03-10", "la_childrens_home")]},
                           shared_vocabulary())
    assert [p.ending for p in case.placements] == ["unplanned", None]
    case = parse_case_data({"placement": {"type": "ifa_foster", "started": "2024-09-01"},
                            "events": [moved("2025-03-10", "la_childrens_home"), ended("2025-03-10")]},
                           shared_vocabulary())
    assert [p.ending for p in case.placements] == [None, "unplanned"]  # a one-day placement


@pytest.mark.parametrize("event, message", [
    ({"type": "placement_moved", "on": "2025-03-01"}, "needs 'placement_type'"),
    ({"type": "placement_moved", "on": "2025-03-01", "placement_type": "ifa_fostr"}, "Did you mean 'ifa_foster'?"),
    ({"type": "placement_ended", "on": "2025-03-01", "ending": "sudden"}, "'sudden' is not one of the values"),
])
def test_placement_events_are_checked(event, message):
    with pytest.raises(SourceError) as caught:
        parse_case_data({"placement": {"type": "ifa_foster"}, "events": [event]}, shared_vocabulary())
    assert any(message in p.message for p in caught.value.problems), caught.value.problems


def test_the_chair_follows_the_placement_in_force(tmp_path):
    assert evaluate(tmp_path, [], "2025-06-01")["chair"]["options"] == ["fostering_social_worker"]
    events = [moved("2025-03-10", "la_childrens_home", emergency=True)]
    assert evaluate(tmp_path, events, "2025-06-01")["chair"]["options"] == ["childs_team_manager"]
    # judged on a day before the move, the IFA placement was in force
    assert evaluate(tmp_path, events, "2025-03-09")["chair"]["options"] == ["fostering_social_worker"]
    events.append(moved("2025-05-01", "in_house_foster"))
    assert evaluate(tmp_path, events, "2025-06-01")["chair"]["options"] == ["fostering_manager"]


def test_the_answer_says_which_placement_is_in_force(tmp_path):
    events = [moved("2025-03-10", "la_childrens_home", emergency=True)]
    answer = evaluate(tmp_path, events, "2025-06-01")
    assert answer["placement"] == {"type": "la_childrens_home", "started": "2025-03-10", "emergency": True}
    assert [p["type"] for p in answer["placements"]] == ["ifa_foster", "la_childrens_home"]
    assert answer["placements"][0]["ended"] == "2025-03-10"


def test_an_event_where_asks_about_the_placement_in_force_that_day(tmp_path):
    events = [ended("2025-03-10"), moved("2025-03-10", "la_childrens_home")]
    assert fired(evaluate(tmp_path, events, "2025-06-01")) == ["ifa-breakdown"]
    # the children's home ending is not an IFA breakdown
    events = [moved("2025-03-10", "la_childrens_home"), ended("2025-05-10")]
    assert fired(evaluate(tmp_path, events, "2025-06-01")) == []
    # a missing episode counts where it happened: before the move, in foster care
    events = [{"type": "missing_episode", "on": "2025-03-01"}, moved("2025-03-10", "private_childrens_home")]
    assert fired(evaluate(tmp_path, events, "2025-06-01")) == []
    events.append({"type": "missing_episode", "on": "2025-04-01"})
    answer = evaluate(tmp_path, events, "2025-06-01")
    assert fired(answer) == ["missing-in-home"]
    assert [t["on"] for t in answer["triggers"]] == ["2025-04-01"]


def test_counts_run_across_placements(tmp_path):
    events = [ended("2024-10-01"), moved("2024-10-01", "in_house_foster"),
              ended("2025-02-01"), moved("2025-02-01", "la_childrens_home"),
              ended("2025-06-01", "planned"), moved("2025-06-01", "in_house_foster")]
    assert "three-breakdowns" not in fired(evaluate(tmp_path, events, "2025-09-01"))
    events += [ended("2025-09-01"), moved("2025-09-01", "ifa_foster")]
    answer = evaluate(tmp_path, events, "2025-09-02")
    assert "three-breakdowns" in fired(answer)
    assert "2024-10-01" in next(t for t in answer["triggers"] if t["rule"] == "three-breakdowns")["because"]
    # twelve months from 2024-10-01 is past: the first breakdown falls out of the window
    events[-2]["on"] = events[-1]["on"] = "2025-10-02"
    assert "three-breakdowns" not in fired(evaluate(tmp_path, events, "2025-10-03"))


def test_emergency_moves_and_deadlines_judged_on_the_placement_at_their_start(tmp_path):
    events = [moved("2025-03-03", "la_childrens_home", emergency=True),
              {"type": "stability_concern_raised", "on": "2025-03-04"}]
    answer = evaluate(tmp_path, events, "2025-03-05")
    assert fired(answer) == ["emergency-move"]
    deadline = answer["deadlines"][0]
    assert (deadline["due"], deadline["status"]) == ("2025-03-07", "pending")  # Tue + 3 working days
    # a later planned move does not change the deadline that started in the emergency placement
    events.append(moved("2025-03-05", "in_house_foster", emergency=False))
    assert evaluate(tmp_path, events, "2025-03-06")["deadlines"][0]["due"] == "2025-03-07"
    # a concern raised after the planned move gets ten working days
    events.append({"type": "stability_concern_raised", "on": "2025-03-06"})
    assert [d["due"] for d in evaluate(tmp_path, events, "2025-03-06")["deadlines"]] == ["2025-03-07", "2025-03-20"]


def test_the_first_placement_may_be_an_emergency(tmp_path):
    answer = evaluate(tmp_path, [], "2025-06-01", placement={"type": "other", "started": "2025-05-01",
                                                             "emergency": True})
    assert answer["chair"]["options"] == ["childs_team_manager"]


def test_a_case_without_moves_answers_as_before(tmp_path):
    answer = evaluate(tmp_path, [{"type": "missing_episode", "on": "2025-03-01"}], "2025-06-01",
                      placement={"type": "private_childrens_home", "started": "2024-01-01"})
    assert fired(answer) == ["missing-in-home"]
    assert answer["placement"] == {"type": "private_childrens_home", "started": "2024-01-01", "emergency": False}


def test_a_placement_field_in_a_where_is_checked(tmp_path):
    folder = tmp_path / "westshire"
    (folder / "versions").mkdir(parents=True)
    (folder / "council.yaml").write_text(COUNCIL)
    (folder / "versions" / "2025-01.yaml").write_text(POLICY.replace("placement.type: ifa_foster}}",
                                                                     "placement.type: ifa_fostr}}"))
    with pytest.raises(SourceError) as caught:
        api.get_policy("westshire", tmp_path)
    assert any("Did you mean 'ifa_foster'?" in p.message for p in caught.value.problems)


def test_facts_stay_single_and_the_rule_cache_still_answers(tmp_path):
    events = [moved("2025-03-10", "la_childrens_home", emergency=True), {"type": "missing_episode", "on": "2025-04-01"}]
    first = evaluate(tmp_path, events, "2025-06-01")
    hits = outcomes.hits
    assert evaluate(tmp_path, events, "2025-06-01") == first
    assert outcomes.hits > hits  # the same facts again: answered from the cache


# ------------------------------------------------------------------ the carer's part of a case
CARER_POLICY = """\
effective_from: 2025-01-01
triggers:
  - id: carer-breakdowns
    title: Three placements with this carer ended without a plan in twelve months
    when: {count: placement_ended, at_least: 3, within: 12 months, where: {ending: unplanned}, per: carer}
    source: "three disruptions for the carer in twelve months"
"""


def carer_answer(tmp_path, events, carer_events) -> list:
    folder = tmp_path / "eastshire"
    if not folder.exists():
        (folder / "versions").mkdir(parents=True)
        (folder / "council.yaml").write_text("name: Eastshire County Council\nnation: england\n")
        (folder / "versions" / "2025-01.yaml").write_text(CARER_POLICY)
    case = {"placement": {"type": "in_house_foster", "started": "2024-01-01"}, "events": events,
            "carer": {"ref": "F-1", "events": carer_events}}
    return fired(api.evaluate("eastshire", case, date(2025, 9, 1), root=tmp_path))


def test_per_carer_counts_the_carers_events_as_sent(tmp_path):
    others = [ended("2025-01-10"), ended("2025-04-10")]   # two other children's placements with the carer
    this_child = ended("2025-08-01")
    # the child's own ending is not added to the carer's: per: carer counts carer.events only
    assert carer_answer(tmp_path, [this_child], others) == []
    # the carer's record lists every child's ending, this child's included: three in twelve months
    assert carer_answer(tmp_path, [this_child], others + [this_child]) == ["carer-breakdowns"]
    # twelve months back from 2025-08-01 starts on 2024-08-01: a day earlier falls out of the window
    assert carer_answer(tmp_path, [], [ended("2024-08-01"), ended("2025-04-10"), this_child]) == ["carer-breakdowns"]
    assert carer_answer(tmp_path, [], [ended("2024-07-31"), ended("2025-04-10"), this_child]) == []


# ------------------------------------------------------------------ against the reference evaluator
TYPES = ["in_house_foster", "ifa_foster", "la_childrens_home"]
START = date(2026, 1, 1)


@st.composite
def placement_histories(draw):
    """Moves, endings and missing episodes, written in any order (several on one day)."""
    events = []
    for _ in range(draw(st.integers(0, 10))):
        on = (START + timedelta(days=draw(st.integers(0, 60)))).isoformat()
        kind = draw(st.sampled_from(["placement_moved", "placement_ended", "missing_episode"]))
        if kind == "placement_moved":
            events.append({"type": kind, "on": on, "placement_type": draw(st.sampled_from(TYPES)),
                           "emergency": draw(st.booleans())})
        elif kind == "placement_ended":
            events.append({"type": kind, "on": on, "ending": draw(st.sampled_from(["planned", "unplanned"]))})
        else:
            events.append({"type": kind, "on": on})
    return events


def reference_placements(first: dict, written: list) -> list:
    """The obvious reading: history order is by date then as written; each event happened in the
    placement of the latest move at or before it (its own, for a move), else the first."""
    ordered = sorted(enumerate(written), key=lambda pair: (pair[1]["on"], pair[0]))
    current = {"placement.type": first["type"], "placement.started": first["started"], "placement.emergency": False}
    out = []
    for seq, (_, event) in enumerate(ordered):
        if event["type"] == "placement_moved":
            current = {"placement.type": event["placement_type"], "placement.started": event["on"],
                       "placement.emergency": event["emergency"]}
        fields = {k: v for k, v in event.items() if k not in ("type", "on")}
        out.append((seq, event["type"], date.fromisoformat(event["on"]), {**fields, **current}))
    return out


where_tests = st.one_of(
    st.builds(FieldTest, st.just("placement.type"), st.sampled_from(["is", "is_not"]), st.sampled_from(TYPES)),
    st.builds(FieldTest, st.just("placement.emergency"), st.just("is"), st.booleans()),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(written=placement_histories(), where=st.lists(where_tests, min_size=1, max_size=2).map(tuple),
       types=st.sampled_from([("placement_ended",), ("missing_episode",), ("placement_ended", "missing_episode")]),
       at_least=st.integers(1, 3), within=st.one_of(st.none(), st.integers(1, 40)),
       offset=st.integers(0, 70), limit=st.integers(0, 12))
def test_where_on_the_placement_in_force_agrees_with_the_reference(written, where, types, at_least, within, offset,
                                                                  limit):
    first = {"type": "ifa_foster", "started": "2025-06-01"}
    case = parse_case_data({"placement": first, "events": written}, shared_vocabulary())
    cond = EventCond(types, at_least, where, Duration(within, Unit.DAYS) if within else None)
    day = START + timedelta(days=offset)
    engine = atom_value(cond, Point(day, limit), Context(case, CAL)) >= at_least
    history = reference_placements(first, written)
    assert engine == reference_holds(cond, {}, history, day, limit, calendar=CAL)
    # and the placement a point judged at that day and place in the history sees
    moves = [f for seq, etype, on, f in history if etype == "placement_moved" and seq <= limit and on <= day]
    expected = moves[-1]["placement.type"] if moves else first["type"]
    assert case.placement_on(day, limit).type == expected


def test_a_list_of_placements_is_refused_with_how_to_write_the_history():
    text = "placement: {type: ifa_foster}\nplacements:\n  - {type: la_childrens_home, started: 2026-02-10}\n"
    with pytest.raises(SourceError) as caught:
        parse_case_text(text, "case.yaml", shared_vocabulary())
    [problem] = caught.value.problems
    assert (problem.loc.line, problem.field) == (2, "placements")
    assert "{type: placement_moved, on: 2026-02-10, placement_type: la_childrens_home" in problem.message


def test_only_an_events_own_date_can_set_a_due_date(tmp_path):
    folder = tmp_path / "westshire"
    (folder / "versions").mkdir(parents=True)
    (folder / "council.yaml").write_text(COUNCIL)
    (folder / "versions" / "2025-01.yaml").write_text(POLICY.replace(
        "    met_by: stability_meeting_held\n", "    met_by: stability_meeting_held\n    agreed_date: placement.started\n"))
    with pytest.raises(SourceError) as caught:
        api.get_policy("westshire", tmp_path)
    assert any("'agreed_date' must name a date field" in p.message for p in caught.value.problems)


@pytest.mark.parametrize("first", [{}, {"type": "ifa_foster"}, {"type": "ifa_foster", "started": date(2025, 9, 1)},
                                   {"type": "ifa_foster", "started": date(2025, 9, 1), "emergency": True},
                                   {"emergency": False}])
def test_a_first_placement_is_made_as_its_dataclass_makes_it(first):
    """first_placement sets Placement's attributes itself (a case's every read makes one): the
    same value, attribute for attribute in the same order, as Placement(type, started, emergency)."""
    made = first_placement(first)
    expected = Placement(first.get("type"), first.get("started"), bool(first.get("emergency", False)))
    assert made == expected and type(made) is Placement
    assert list(vars(made).items()) == list(vars(expected).items())
    assert [field.name for field in fields(Placement)] == list(vars(made))
    with pytest.raises(FrozenInstanceError):
        made.type = "x"
