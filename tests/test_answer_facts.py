"""The answer's structured explanations (hearth.engine.answer_facts) beside its sentences, for
both councils: every fact checked against the policy's own data and the case's own events, so a
reader may word them without parsing the engine's sentences."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from hearth.engine import api
from hearth.engine import evaluate as evaluation
from hearth.engine.answer_facts import condition_facts
from hearth.engine.demo import read_demo_cases
from hearth.rules.conditions import AnyOf, EventCond, Fields

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
TODAY = date(2026, 1, 26)
sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_cases  # noqa: E402


def _demo_answers(council: str):
    policy = api.get_policy(council, POLICIES)
    for demo in read_demo_cases(POLICIES / council, policy, TODAY):
        document = {"child": {"ref": demo.ref},
                    "placement": {"type": demo.placement_type, "started": demo.placement_started.isoformat()},
                    "events": [{"type": e.type, "on": e.on.isoformat(), **e.fields} for e in demo.events]}
        version = policy.version_on(TODAY)
        case = api.parse_case(version, document)
        yield version, case, evaluation.evaluate(version, case, TODAY)


def _generated_answers(count: int):
    policy = api.get_policy("swindon", POLICIES)
    for document, as_of in bench_cases.cases(count, seed=7):
        version = policy.version_on(as_of)
        case = api.parse_case(version, document)
        yield version, case, evaluation.evaluate(version, case, as_of)


def _answers(council: str):
    yield from _demo_answers(council)
    if council == "swindon":  # moves of a review, missing episodes counted in a window
        yield from _generated_answers(150)


def _event_conditions(cond) -> list:
    if isinstance(cond, EventCond):
        return [cond]
    return [c for item in getattr(cond, "items", ()) for c in _event_conditions(item)]


def _duration(duration) -> dict:
    return {"amount": duration.amount, "unit": duration.unit.name.lower()}


def _check_finding(finding: dict, conditions: list, case, until: date) -> None:
    """A finding is one of the condition's event conditions, and its days are the case's own."""
    atom = next(c for c in conditions if list(c.types) == finding["events"])
    assert finding.get("where", []) == [{"field": t.path, "op": t.op, "value": t.value} for t in atom.where]
    assert finding["count"] == len(finding["dates"]) >= atom.at_least
    assert finding["dates"] == sorted(finding["dates"]) and finding["on"] == finding["dates"][-1]
    recorded = {e.on.isoformat() for e in case.events + list(case.carer_events) if e.type in atom.types}
    assert set(finding["dates"]) <= recorded and finding["on"] <= until.isoformat()
    if atom.within:
        assert finding["counted"] and finding["from"] <= finding["dates"][0] and finding["to"] == finding["on"]


@pytest.mark.parametrize("council", ["gateshead", "swindon"])
def test_every_explanation_has_facts_drawn_from_the_policy_and_the_case(council):
    kinds: set = set()
    for version, case, answer in _answers(council):
        as_of = date.fromisoformat(answer["as_of"])
        triggers = {t.id: t for t in version.triggers}
        for fired in answer["triggers"]:
            conditions = _event_conditions(triggers[fired["rule"]].when)
            assert fired["facts"], fired
            for finding in fired["facts"]:
                _check_finding(finding, conditions, case, date.fromisoformat(fired["on"]))
                kinds.add(("trigger", "counted" if finding.get("counted") else "event"))

        obligations = {o.id: o for o in version.deadlines + version.duties}
        for entry in answer["deadlines"] + answer["duties"]:
            ob, facts = obligations[entry["id"]], entry["basis_facts"]
            first = facts[0]
            assert first["on"] == entry["started_on"] and first.get("after", first.get("agreed_at")) in ob.starts.types
            if "after" in first:
                assert first["duration"] in [_duration(row.duration) for row in ob.due]
                kinds.add(("basis", "after"))
            else:
                assert ob.agreed_date
                kinds.add(("basis", "agreed"))
            for move in facts[1:]:
                spec = next(m for m in ob.moved_by if move["moved_by"] in m.event.types)
                assert ("by" in move) == bool(spec.extend_by or spec.extend_field) and move["on"] <= answer["as_of"]
                kinds.add(("basis", "extended" if "by" in move else "moved to"))
            if len(facts) > 1:  # the last move gives the due date
                assert facts[-1]["to"] == entry["due"]

        gates = {g.id: g for g in version.gates}
        for entry in answer["gates"]:
            gate, facts = gates[entry["gate"]], entry["facts"]
            kinds.add(("gate", entry["status"]))
            if entry["status"] == "blocked":
                assert [c.types for c in _event_conditions(gate.blocked_until)] == \
                    [tuple(c["events"]) for c in _flat(facts["waiting_for"])]
            elif entry["status"] == "needs_approval":
                assert [c.types for c in _event_conditions(gate.needs_approval)] == \
                    [tuple(c["events"]) for c in _flat(facts["needs"])]
            else:
                found = facts.get("met_by", facts.get("approved_by", facts.get("overridden_by")))
                condition = {"open": gate.blocked_until, "approved": gate.needs_approval}.get(entry["status"], gate.unless)
                for finding in found:
                    _check_finding(finding, _event_conditions(condition), case, as_of)

        placement = answer["placement"]["type"]
        rows = [(answer["chair"], "because_facts")] if answer["chair"].get("source") else []
        rows += [(row, "when_facts") for row in answer["invitees"]["because"]]
        for row, key in rows:
            for test in _tests(row[key]):
                assert test["field"] == "placement.type"
                values = test["value"] if isinstance(test["value"], list) else [test["value"]]
                assert (placement in values) == (test["op"] in ("is", "one_of"))
                kinds.add(("placement", test["op"]))
        if answer["recommendation_reason"]:
            rule = answer["recommendation_reason"]["rule"]
            row = version.recommendation[int(rule[len("recommendation["):-1])]
            assert [c.types for c in _event_conditions(row.when)] == \
                [tuple(c["events"]) for c in _flat(answer["recommendation_reason"]["because_facts"])]
            kinds.add(("recommendation", rule))
    # the cases reach what the facts are for
    wanted = {("trigger", "event"), ("basis", "after"), ("placement", "is")}
    if council == "swindon":
        wanted |= {("gate", "blocked"), ("trigger", "counted"), ("basis", "agreed"), ("basis", "extended"), ("basis", "moved to"),
                   ("gate", "open"), ("gate", "needs_approval"), ("gate", "approved"), ("gate", "overridden")}
    assert wanted <= kinds, wanted - kinds


def _flat(facts: dict) -> list:
    """A condition's event parts, in order."""
    if "events" in facts:
        return [facts]
    return [part for key in ("all", "any") for item in facts.get(key, ()) for part in _flat(item)] + \
        (_flat(facts["not"]) if "not" in facts else [])


def _tests(facts: dict) -> list:
    return facts.get("fields", []) + [t for key in ("all", "any") for item in facts.get(key, ()) for t in _tests(item)]


def test_a_condition_and_a_duration_are_data():
    swindon = api.get_policy("swindon", POLICIES).version_on(TODAY)
    missing = next(t for t in swindon.triggers if any(c.within for c in _event_conditions(t.when)))
    atom = _event_conditions(missing.when)[0]
    from_engine = condition_facts(missing.when)
    assert from_engine == {"events": list(atom.types), "at_least": atom.at_least, "within": _duration(atom.within)}
    funding = next(t for t in swindon.triggers if isinstance(t.when, AnyOf)
                   and any(c.where for c in _event_conditions(t.when)))
    assert condition_facts(funding.when)["any"][1]["where"][0]["field"] == \
        _event_conditions(funding.when)[1].where[0].path
    chair_row = next(r for r in swindon.chair if isinstance(r.when, Fields))
    assert condition_facts(chair_row.when) == {"fields": [
        {"field": t.path, "op": t.op, "value": t.value} for t in chair_row.when.tests]}
