"""The case page's next steps (hearth.web.next_steps) on both councils' real policies and
forms: what is due, in what order, and that each button goes to a form whose `produces:`
meets it. Expectations come from the policy data (met_by, planned_by, blocked_until, the
vocabulary's labels), not from written-in answers."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from hearth.engine import api
from hearth.engine.forms_catalog import load_forms
from hearth.engine.history import event_types_mentioned
from hearth.rules.conditions import EventCond
from hearth.web.next_steps import Step, ending_events, ordered, policy_steps, vocab_label

AS_OF = date(2026, 3, 2)   # a Monday
COUNCILS = ("gateshead", "swindon")


def steps_for(council: str, events: list[dict], placement: str = "in_house_foster"):
    policy = api.policy_on(council, AS_OF)
    case = {"child": {"ref": "T-1"}, "placement": {"type": placement, "started": "2025-06-02"},
            "events": sorted(events, key=lambda e: e["on"])}
    answer = api.evaluate(council, case, AS_OF)
    forms = load_forms(council, AS_OF).describe()
    steps = policy_steps(answer, policy, forms, lambda form_id: f"/forms/{form_id}")
    return answer, policy, {form["id"]: set(form["events"]) for form in forms}, steps


def day(days_before: int) -> str:
    return (AS_OF - timedelta(days=days_before)).isoformat()


def obligation(policy, ob_id):
    return next(ob for ob in policy.deadlines + policy.duties if ob.id == ob_id)


def assert_meets(step: Step, produced: dict, event_types) -> None:
    assert step.links, f"{step.title} has no form"
    assert step.links[0].href == f"/forms/{step.links[0].form}"
    assert produced[step.links[0].form] & set(event_types), (step.title, step.links[0].form, event_types)


@pytest.mark.parametrize("council", COUNCILS)
def test_a_concern_leads_to_the_recommendation_and_the_form_to_start_it(council):
    answer, policy, produced, steps = steps_for(council, [{"type": "stability_concern_raised", "on": day(1)}])
    assert answer["recommendation"] and steps[0].kind == "recommendation"
    assert steps[0].title == vocab_label(policy.vocabulary.recommendations, answer["recommendation"])
    index = int(answer["recommendation_reason"]["rule"].split("[")[1].rstrip("]"))
    ending = ending_events(policy.recommendation[index].when, policy)
    # the form records what ends the recommendation, or starts a deadline that does
    leads_to = ending | {t for ob in policy.deadlines + policy.duties if ending & set(ob.met_by.types)
                         for t in ob.starts.types}
    assert_meets(steps[0], produced, leads_to)
    assert steps[0].due is None and steps[0].status == "recommended"


@pytest.mark.parametrize("council", COUNCILS)
def test_a_decided_meeting_is_due_by_its_deadline_and_can_be_arranged(council):
    answer, policy, produced, steps = steps_for(council, [
        {"type": "stability_concern_raised", "on": day(3)},
        {"type": "stability_meeting_decided", "on": day(1), "chair": "fostering_manager"}])
    open_deadlines = [d for d in answer["deadlines"] if d["status"] in ("pending", "overdue")]
    assert len(open_deadlines) == 1
    deadline = open_deadlines[0]
    ob = obligation(policy, deadline["id"])
    first = steps[0]
    # the recommendation carries the deadline's date; the deadline is not listed twice
    assert (first.kind, first.due, first.status) == ("recommendation", deadline["due"], "pending")
    assert not [s for s in steps if s.kind == "deadline" and s.due == deadline["due"]]
    assert_meets(first, produced, ob.met_by.types)
    assert ob.planned_by is not None
    assert produced[first.links[1].form] & set(ob.planned_by.event.types), "not arranged yet: a link to arrange it"


@pytest.mark.parametrize("council", COUNCILS)
def test_open_deadlines_and_duties_overdue_first_then_by_date(council):
    held = {"type": "stability_meeting_held", "on": day(12), "chair": "childs_social_worker",
            "attendees": ["childs_social_worker"], "review": True, "review_date": day(-5)}
    events = [{"type": "stability_concern_raised", "on": day(20)}, held,
              {"type": "planned_ending_agreed", "on": day(10), "external": True},
              {"type": "early_review_considered", "on": day(9), "review": "care_team"}]
    policy = api.policy_on(council, AS_OF)
    events = [e for e in events if e["type"] in policy.vocabulary.event_types]
    answer, policy, produced, steps = steps_for(council, events)
    open_items = [(kind, item) for kind in ("deadlines", "duties") for item in answer[kind]
                  if item["status"] in ("pending", "overdue")]
    assert len(open_items) >= 2 and any(item["status"] == "overdue" for _, item in open_items)
    listed = [s for s in steps if s.kind in ("deadline", "duty")]
    absorbed = [s for s in steps if s.kind == "recommendation" and s.due]
    assert len(listed) + len(absorbed) == len(open_items), "every open deadline and duty, once"
    for step in listed:
        item = next(item for _, item in open_items if (item["title"], item["due"]) == (step.title, step.due))
        assert step.status == item["status"] and step.source == item["source"]
        assert_meets(step, produced, obligation(policy, item["id"]).met_by.types)
    shown = ordered(steps)
    rest = [s for s in shown if s.kind != "recommendation"]
    assert [(not s.overdue, s.day) for s in rest] == sorted((not s.overdue, s.day) for s in rest)
    assert shown[0].kind == "recommendation" or not answer["recommendation"]


def test_an_exception_taken_must_still_be_followed_by_what_the_gate_waits_for():
    council = "swindon"   # Gateshead's procedure has no gates
    policy = api.policy_on(council, AS_OF)
    # the exception each gate allows (an event its `unless` names), recorded
    exceptions = [{"type": gate.unless.types[0], "on": day(2), **{test.field: test.value for test in gate.unless.where}}
                  for gate in policy.gates if isinstance(gate.unless, EventCond)]
    assert exceptions
    answer, policy, produced, steps = steps_for(council, [{"type": "stability_concern_raised", "on": day(5)},
                                                          *exceptions])
    overridden = {g["gate"] for g in answer["gates"] if g["status"] in ("overridden", "overdue")}
    gate_steps = [s for s in steps if s.kind == "gate"]
    assert overridden and len(gate_steps) == len(overridden)
    for gate_id, step in zip(sorted(overridden), gate_steps):
        gate = next(g for g in policy.gates if g.id == gate_id)
        assert_meets(step, produced, event_types_mentioned(gate.blocked_until))
        for action in [entry["action"] for entry in answer["gates"] if entry["gate"] == gate_id]:
            assert vocab_label(policy.vocabulary.actions, action).lower() in step.title.lower()


def test_no_concern_no_steps():
    for council in COUNCILS:
        assert steps_for(council, [])[3] == []
