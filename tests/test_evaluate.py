"""Evaluation of the language's general features, on the made-up council in tests/fixtures.

Every expected value here is worked out by hand from the calendar, not copied
from the engine's output.
"""
from datetime import date

import pytest

from hearth.engine import api
from hearth.engine import evaluate as evaluation
from hearth.engine.policy_files import PolicyFiles

from councils import FIXTURE_COUNCILS


def evaluate(case: dict, on: str, root) -> dict:
    return api.evaluate("northshire", case, date.fromisoformat(on), root=root)


def base(events, placement="in_house_foster", carer=None) -> dict:
    case = {"child": {"ref": "N-1", "date_of_birth": "2011-05-02"},
            "placement": {"type": placement, "started": "2025-01-01"}, "events": events}
    if carer:
        case["carer"] = carer
    return case


def by_id(items, key="id"):
    return {i[key]: i for i in items}


def test_hours_from_a_time(fixture_root):
    # 72 hours from Monday 2 June 2025 22:00 is Thursday 5 June 22:00
    answer = evaluate(base([{"type": "missing_episode", "on": "2025-06-02T22:00"}]), "2025-06-05", fixture_root)
    d = by_id(answer["deadlines"])["return_interview"]
    assert (d["due"], d["status"]) == ("2025-06-05T22:00", "pending")
    answer = evaluate(base([{"type": "missing_episode", "on": "2025-06-02T22:00"}]), "2025-06-06", fixture_root)
    assert by_id(answer["deadlines"])["return_interview"]["status"] == "overdue"


def test_hours_from_a_date_round_up_to_days(fixture_root):
    answer = evaluate(base([{"type": "missing_episode", "on": "2025-06-02"},
                            {"type": "return_interview_held", "on": "2025-06-05"}]), "2025-06-30", fixture_root)
    d = by_id(answer["deadlines"])["return_interview"]
    assert (d["due"], d["status"], d["met_on"]) == ("2025-06-05", "met", "2025-06-05")


def test_months_and_a_length_that_depends_on_the_placement(fixture_root):
    concern = [{"type": "stability_concern_raised", "on": "2025-08-29", "by": "carer"}]
    # foster care: two months after Friday 29 August is 29 October
    d = by_id(evaluate(base(concern), "2025-09-01", fixture_root)["deadlines"])["initial_meeting"]
    assert d["due"] == "2025-10-29" and d["basis"].startswith("2 months after")
    # a children's home: 3 working days (Mon 1, Tue 2, Wed 3 September)
    d = by_id(evaluate(base(concern, "private_childrens_home"), "2025-09-01", fixture_root)["deadlines"])["initial_meeting"]
    assert d["due"] == "2025-09-03"


def test_months_clamp_to_the_end_of_a_short_month(fixture_root):
    concern = [{"type": "stability_concern_raised", "on": "2025-12-31", "by": "carer"}]
    d = by_id(evaluate(base(concern), "2026-01-02", fixture_root)["deadlines"])
    # the 2026-01 version has no deadlines: the case is evaluated under the version in force
    assert d == {}
    d = by_id(evaluate(base(concern), "2025-12-31", fixture_root)["deadlines"])["initial_meeting"]
    assert d["due"] == "2026-02-28"


def test_a_named_officer_can_waive_a_deadline(fixture_root):
    events = [{"type": "stability_concern_raised", "on": "2025-06-05", "by": "carer"},
              {"type": "deadline_waived", "on": "2025-06-06", "deadline": "initial_meeting", "by": "finance_manager"}]
    d = by_id(evaluate(base(events), "2025-12-01", fixture_root)["deadlines"])["initial_meeting"]
    assert d["status"] == "overdue"  # the wrong officer
    events[1]["by"] = "head_of_service"
    d = by_id(evaluate(base(events), "2025-12-01", fixture_root)["deadlines"])["initial_meeting"]
    assert (d["status"], d["waived_on"]) == ("waived", "2025-06-06")


def test_a_calendar_chosen_per_rule(fixture_root):
    # Friday 28 November 2025; Scotland's St Andrew's Day (Sun 30th) is observed Monday 1 December
    events = [{"type": "stability_meeting_held", "on": "2025-11-28"}]
    d = by_id(evaluate(base(events), "2025-11-28", fixture_root)["deadlines"])["cross_border_review"]
    assert d["due"] == "2025-12-08"  # 2, 3, 4, 5, 8 December
    # the council's own closure days apply to its default calendar only


def test_an_approval_that_needs_two_named_roles(fixture_root):
    one = {"type": "approval_given", "on": "2025-06-07", "role": "head_of_service", "request": "increased_funding"}
    two = {"type": "approval_given", "on": "2025-06-09", "role": "finance_manager", "request": "increased_funding"}
    gates = by_id(evaluate(base([one]), "2025-06-10", fixture_root)["gates"], "action")
    assert gates["increased_funding"]["status"] == "needs_approval"
    gates = by_id(evaluate(base([one, two]), "2025-06-10", fixture_root)["gates"], "action")
    assert gates["increased_funding"]["status"] == "approved"
    wrong = dict(two, request="alternative_placement")
    gates = by_id(evaluate(base([one, wrong]), "2025-06-10", fixture_root)["gates"], "action")
    assert gates["increased_funding"]["status"] == "needs_approval"


def test_a_gate_overridden_in_an_emergency_must_be_satisfied_after_the_fact(fixture_root):
    events = [{"type": "safeguarding_concern", "on": "2025-06-06", "significant": True}]
    gate = by_id(evaluate(base(events), "2025-06-07", fixture_root)["gates"], "action")["alternative_placement"]
    assert gate["status"] == "overridden"
    assert gate["satisfy_by"] == "2025-06-13"  # Fri 6 June + 5 working days
    events[0]["significant"] = False
    gate = by_id(evaluate(base(events), "2025-06-07", fixture_root)["gates"], "action")["alternative_placement"]
    assert gate["status"] == "blocked"
    events.append({"type": "stability_meeting_held", "on": "2025-06-09"})
    gate = by_id(evaluate(base(events), "2025-06-10", fixture_root)["gates"], "action")["alternative_placement"]
    assert gate["status"] == "open"


def test_counts_per_carer_across_children(fixture_root):
    carer = {"ref": "F-9", "events": [{"type": "unplanned_ending", "on": "2024-10-01"},
                                      {"type": "unplanned_ending", "on": "2025-09-01"}]}
    # the carer's second ending, within 12 months of the first, fires the trigger for this child
    triggers = by_id(evaluate(base([], carer=carer), "2025-09-02", fixture_root)["triggers"], "rule")
    assert triggers["carer-endings"]["on"] == "2025-09-01"
    events = [{"type": "unplanned_ending", "on": "2025-09-01"}]
    triggers = by_id(evaluate(base(events, carer=carer), "2025-09-02", fixture_root)["triggers"], "rule")
    assert triggers["carer-endings"]["on"] == "2025-09-01"
    assert "2024-10-01" in triggers["carer-endings"]["because"]
    carer["events"][0]["on"] = "2024-08-31"  # more than 12 months before
    triggers = by_id(evaluate(base(events, carer=carer), "2025-09-02", fixture_root)["triggers"], "rule")
    assert "carer-endings" not in triggers


def test_the_version_in_force_is_used(fixture_root):
    one = [{"type": "missing_episode", "on": "2026-01-05"}]
    answer = evaluate(base(one), "2026-01-06", fixture_root)
    # the answer names the set it was made under: the folder's whole content, as a publication of it would be
    content_hash = PolicyFiles.from_folder(fixture_root / "northshire").content_hash()
    assert answer["policy"] == {"id": "northshire", "version": "2026-01", "effective_from": "2026-01-01",
                                "content_hash": content_hash}
    assert answer["triggers"] == []  # 2026-01 needs two episodes within a fortnight
    assert [i["id"] for i in answer["interventions"]] == ["family-time"]
    two = one + [{"type": "missing_episode", "on": "2026-01-19"}]  # 14 days later: inside the window
    answer = evaluate(base(two), "2026-01-20", fixture_root)
    assert [t["rule"] for t in answer["triggers"]] == ["missing"]
    assert answer["triggers"][0]["because"] == ("2 × missing episode between 2026-01-05 and 2026-01-19: "
                                                "2026-01-05, 2026-01-19")
    late = one + [{"type": "missing_episode", "on": "2026-01-20"}]  # 15 days: outside
    assert evaluate(base(late), "2026-01-21", fixture_root)["triggers"] == []


def test_events_after_the_date_are_ignored(fixture_root):
    events = [{"type": "missing_episode", "on": "2025-06-02"}]
    assert evaluate(base(events), "2025-06-01", fixture_root)["triggers"] == []
    assert evaluate(base(events), "2025-06-01", fixture_root)["recommendation"] is None
    answer = evaluate(base(events), "2025-06-02", fixture_root)
    assert answer["recommendation"] == "hold_stability_meeting"
    assert answer["recommendation_reason"]["source"].endswith("'a meeting within two months'")


def test_since_resets_after_a_meeting(fixture_root):
    events = [{"type": "missing_episode", "on": "2025-06-02"}, {"type": "stability_meeting_held", "on": "2025-06-05"}]
    assert evaluate(base(events), "2025-06-06", fixture_root)["recommendation"] is None
    events.append({"type": "missing_episode", "on": "2025-06-09"})
    assert evaluate(base(events), "2025-06-09", fixture_root)["recommendation"] == "hold_stability_meeting"


def test_every_answer_names_its_rule_and_source(fixture_root):
    events = [{"type": "missing_episode", "on": "2025-06-02"},
              {"type": "stability_concern_raised", "on": "2025-06-02", "by": "iro"}]
    answer = evaluate(base(events), "2025-06-03", fixture_root)
    parts = answer["triggers"] + answer["deadlines"] + answer["gates"] + [answer["chair"]]
    assert parts and all(p["source"].startswith("northshire-placement-stability.txt: '") for p in parts)
    assert all(p["because"] for p in answer["triggers"] + answer["gates"])


@pytest.mark.parametrize("bad,message", [
    ({"type": "missing_episod", "on": "2025-06-02"}, "Did you mean 'missing_episode'?"),
    ({"type": "missing_episode", "on": "2025-02-30"}, "not a real date"),
    ({"type": "missing_episode"}, "has no date"),
    ({"type": "safeguarding_concern", "on": "2025-06-02", "significant": "yes"}, "true or false"),
    ({"type": "missing_episode", "on": "2025-06-02", "colour": "red"}, "'colour' is not something"),
])
def test_bad_case_input_is_reported_with_its_field(fixture_root, bad, message):
    answer, errors = api.evaluate_document("northshire", base([bad]), date(2025, 7, 1), root=fixture_root)
    assert answer is None
    assert any(message in e["message"] for e in errors), errors
    assert all(e["field"].startswith("events[0]") for e in errors)


def test_remembered_rule_outcomes_change_no_answer(fixture_root, monkeypatch):
    cases = [
        (base([{"type": "missing_episode", "on": "2025-06-02T22:00"},
               {"type": "stability_concern_raised", "on": "2025-06-05", "by": "carer"},
               {"type": "safeguarding_concern", "on": "2025-06-06", "significant": True}]), "2025-07-01"),
        (base([{"type": "missing_episode", "on": "2026-01-05"}, {"type": "missing_episode", "on": "2026-01-10"}],
              "private_childrens_home"), "2026-01-12"),
    ]
    remembered = evaluation.RuleOutcomes(size=6)  # small, so answers are also evicted
    monkeypatch.setattr(evaluation, "outcomes", remembered)
    warm = [evaluate(c, on, fixture_root) for c, on in cases * 3]
    assert remembered.hits > 0 and remembered.misses > len(remembered._answers) == 6
    monkeypatch.setattr(evaluation, "outcomes", evaluation.RuleOutcomes(size=0))
    cold = [evaluate(c, on, fixture_root) for c, on in cases * 3]
    assert warm == cold


def test_trace_names_the_same_rules_whatever_the_engine_remembered(fixture_root, monkeypatch):
    # `hearth policy test --coverage` reads the trace: a trigger point answered from what its
    # plan already knew (no fact made) must still say which rules held there
    case = base([{"type": "missing_episode", "on": "2025-06-05"},
                 {"type": "stability_concern_raised", "on": "2025-06-06", "by": "carer"},
                 {"type": "missing_episode", "on": "2025-06-09"}])
    policy = api.policy_on("northshire", date(2025, 7, 1), fixture_root)
    parsed = api.parse_case(policy, case)

    def traced() -> list:
        trace: list = []
        evaluation.evaluate(policy, parsed, date(2025, 7, 1), trace=trace)
        return sorted(name for held in trace for name in held)
    monkeypatch.setattr(evaluation, "outcomes", evaluation.RuleOutcomes(size=0))
    judged_every_time = traced()
    monkeypatch.setattr(evaluation, "outcomes", evaluation.RuleOutcomes())
    first, remembered = traced(), traced()
    assert judged_every_time.count("trigger:missing") == 2  # at each missing episode
    assert first == remembered == judged_every_time


def test_same_day_events_in_any_order(fixture_root):
    # the meeting is written before the concern it answers, both on the same day
    events = [{"type": "stability_meeting_held", "on": "2025-06-05"},
              {"type": "stability_concern_raised", "on": "2025-06-05", "by": "carer"}]
    d = by_id(evaluate(base(events), "2025-06-30", fixture_root)["deadlines"])["initial_meeting"]
    assert (d["status"], d["met_on"]) == ("met", "2025-06-05")


def test_days_from_a_timed_event_are_due_by_the_end_of_the_day(fixture_root):
    events = [{"type": "stability_concern_raised", "on": "2025-06-05T10:00", "by": "carer"},
              {"type": "stability_meeting_held", "on": "2025-06-10T16:30"}]
    d = by_id(evaluate(base(events, "la_childrens_home"), "2025-06-30", fixture_root)["deadlines"])["initial_meeting"]
    assert (d["due"], d["status"]) == ("2025-06-10", "met")  # Fri 5 June + 3 working days


def test_an_intervention_offered_only_when_relevant(fixture_root):
    menu = lambda events, on: [i["id"] for i in evaluate(base(events), on, fixture_root)["interventions"]]
    assert menu([], "2025-06-03") == ["mentoring"]
    missing = [{"type": "missing_episode", "on": "2025-06-02"}]
    assert menu(missing, "2025-06-03") == ["mentoring", "return-home-support"]
    assert menu(missing, "2025-09-02") == ["mentoring", "return-home-support"]  # 3 months back is 2 June
    assert menu(missing, "2025-09-03") == ["mentoring"]


def test_read_only_answers_are_the_same_and_share_only_their_fixed_parts(fixture_root):
    """evaluate(read_only=True), as the bulk path calls it (it writes each answer out and lets it
    go), gives the same answers; their parts that depend only on which rules held are one copy
    shared by every read-only answer, where every other answer has its own."""
    case = base([{"type": "missing_episode", "on": "2026-01-05"}, {"type": "missing_episode", "on": "2026-01-10"}])
    policy = api.policy_on("northshire", date(2026, 1, 12), fixture_root)
    parsed = api.parse_case(policy, case)
    own = [evaluation.evaluate(policy, parsed, date(2026, 1, 12)) for _ in range(3)]
    shared = [evaluation.evaluate(policy, parsed, date(2026, 1, 12), read_only=True) for _ in range(3)]
    assert shared == own
    assert shared[1]["chair"] is shared[2]["chair"] and shared[1]["interventions"] is shared[2]["interventions"]
    assert own[1]["chair"] is not own[2]["chair"] and own[1]["chair"] is not shared[1]["chair"]
    own[1]["chair"]["options"].append("changed")  # a caller may change its own answer ...
    assert evaluation.evaluate(policy, parsed, date(2026, 1, 12), read_only=True) == own[0]  # ... and no other


def test_parts_of_other_combinations_share_the_policys_pieces_and_a_callers_answer_is_its_own(fixture_root,
                                                                                             monkeypatch):
    """What depends on the policy alone (an intervention's entry, an invitees row's) is built once
    and shared by the parts of every combination of rules (CompiledPolicy.piece); a caller's own
    answer is a copy, even of the part first built for it, so changing it changes no other."""
    on = date(2025, 6, 10)
    policy = api.policy_on("northshire", on, fixture_root)
    compiled = evaluation.compiled(policy)
    monkeypatch.setattr(compiled, "_parts", {})  # nothing built yet
    monkeypatch.setattr(compiled, "_pieces", {})
    missing = api.parse_case(policy, base([{"type": "missing_episode", "on": "2025-06-02"}]))
    quiet = api.parse_case(policy, base([]))
    first = evaluation.evaluate(policy, missing, on)  # its combination's part is built here
    first["interventions"][0]["label"] = "changed"
    first["invitees"]["because"][0]["required"].append("changed")
    again = [evaluation.evaluate(policy, case, on, read_only=True) for case in (missing, quiet)]
    assert "changed" not in str(again)
    menus = [{i["id"]: i for i in answer["interventions"]} for answer in again]
    assert set(menus[0]) == {"mentoring", "return-home-support"} != set(menus[1])  # two combinations ...
    assert menus[0]["mentoring"] is menus[1]["mentoring"]  # ... one piece
    assert again[0]["invitees"]["because"][0] is again[1]["invitees"]["because"][0]
    assert evaluation.evaluate(policy, quiet, on) == again[1]


def test_a_rule_about_the_childs_age_sees_it_today():
    # the now point's record keeps the child's fields when a rule tests one (facts.FactPlan.reads_child)
    def chair(date_of_birth: str) -> list:
        case = {"child": {"ref": "E-1", "date_of_birth": date_of_birth},
                "placement": {"type": "in_house_foster", "started": "2025-01-01"}, "events": []}
        return api.evaluate("every_construct", case, date(2026, 6, 1), root=FIXTURE_COUNCILS)["chair"]["options"]
    assert chair("2010-05-31") == ["head_of_service"]  # sixteen the day before
    assert chair("2010-06-02") != ["head_of_service"]  # sixteen the day after
