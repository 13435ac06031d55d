"""Random policies (deadlines and gates, in language 1 or 2, their meanings written out or left to
the language's defaults) and random cases give the same deadlines and gates from the engine (the
policy written as YAML, read by the loader, compiled through durable_rules) as from the
pure-Python reference (tests/reference.py), which works the meanings out on its own."""
import json
from datetime import date, timedelta

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from hearth.engine.calendar import calendar_for
from hearth.engine.case import Case, Event
from hearth.engine.evaluate import evaluate
from hearth.engine.policy import load_version
from hearth.engine.policy_model import Council
from hearth.rules.conditions import All, AnyOf, EventCond, Fields, FieldTest, Not, Triggered
from hearth.rules.durations import Duration, Unit
from hearth.rules.source import SourceError

from reference import RefGate, RefObligation, gates as reference_gates
from reference import obligations as reference_obligations, trigger_firings

TYPES = ["missing_episode", "allegation", "complaint", "stability_meeting_held", "safeguarding_concern"]
PLACEMENTS = ["ifa_foster", "in_house_foster", "la_childrens_home"]
ROLES = ["iro", "commissioning", "fostering_manager"]
ACTIONS = ["increased_funding", "alternative_placement"]
STARTS = ["missing_episode", "allegation"]  # the events that start the generated deadlines
START = date(2026, 1, 1)
CAL = calendar_for("england")
COUNCIL = Council("crosscheck", "Crosscheck", "Crosscheck", "england", "", {})

windows = st.one_of(st.none(), st.builds(Duration, st.integers(0, 30), st.sampled_from(
    [Unit.WORKING_DAYS, Unit.DAYS, Unit.WEEKS, Unit.MONTHS])))


@st.composite
def event_conds(draw):
    types = tuple(draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=2, unique=True)))
    where = ()
    if types == ("safeguarding_concern",) and draw(st.booleans()):
        where = (FieldTest("significant", draw(st.sampled_from(["is", "is_not"])), draw(st.booleans())),)
    if types == ("stability_meeting_held",) and draw(st.booleans()):
        where = (FieldTest("attendees", draw(st.sampled_from(["includes_any", "includes_none"])),
                           tuple(draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=2, unique=True)))),)
    since = tuple(draw(st.lists(st.sampled_from(TYPES), max_size=1)))
    return EventCond(types, draw(st.integers(1, 3)), where, draw(windows), since)


triggered = st.builds(Triggered, st.sampled_from([(), ("t1",)]),
                      st.lists(st.sampled_from(TYPES), max_size=1).map(tuple))
case_tests = st.one_of(
    st.builds(FieldTest, st.just("placement.type"), st.sampled_from(["is", "is_not"]), st.sampled_from(PLACEMENTS)),
    st.builds(FieldTest, st.just("placement.type"), st.sampled_from(["one_of", "not_one_of"]),
              st.lists(st.sampled_from(PLACEMENTS), min_size=1, max_size=2, unique=True).map(tuple)))


def conditions(history_leaves):
    leaves = st.one_of(history_leaves, st.lists(case_tests, min_size=1, max_size=2).map(lambda t: Fields(tuple(t))))
    return st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda x: All(tuple(x))),
        st.lists(inner, min_size=1, max_size=3).map(lambda x: AnyOf(tuple(x))),
        inner.map(Not)), max_leaves=4)


# simple conditions drawn often, so that they hold or fail on the day as often as not
gate_conditions = st.one_of(event_conds(), conditions(event_conds()))
obligation_conditions = st.one_of(event_conds(), triggered, conditions(st.one_of(event_conds(), triggered)))
judged = st.sampled_from([None, "start", "today"])


@st.composite
def due_rows(draw):
    rows = []
    for last in [False] * draw(st.integers(0, 1)) + [True]:
        duration = Duration(draw(st.integers(0, 12)), draw(st.sampled_from(
            [Unit.WORKING_DAYS, Unit.DAYS, Unit.WEEKS, Unit.MONTHS])))
        roll = draw(st.sampled_from([None, "next_working_day", "previous_working_day"])) \
            if duration.unit != Unit.WORKING_DAYS else None
        cond = draw(st.one_of(st.none(), st.none(), obligation_conditions) if last else obligation_conditions)
        rows.append((cond, duration, roll, draw(judged)))
    return rows


@st.composite
def deadlines(draw, number):
    return RefObligation(
        id=f"d{number}", starts=(draw(st.sampled_from(STARTS)),), rows=draw(due_rows()),
        met_by=(draw(st.sampled_from(TYPES)),),
        unless=draw(st.one_of(st.none(), st.none(), st.none(), obligation_conditions)),
        unless_judged=draw(judged), meets=draw(st.sampled_from([None, "all_open", "oldest_open"])),
        waived_by=draw(st.sampled_from([(), ("complaint",)])),
        moved_by=draw(st.sampled_from([(), (("allegation", Duration(draw(st.integers(1, 10)), draw(st.sampled_from(
            [Unit.WORKING_DAYS, Unit.DAYS, Unit.WEEKS])))),)])))


@st.composite
def gate_specs(draw, number):
    if draw(st.integers(0, 2)):  # the emergency shape, often: a meeting first, unless a safeguarding concern
        after = Duration(draw(st.integers(1, 10)), Unit.WORKING_DAYS)
        return RefGate(
            id=f"g{number}", actions=(draw(st.sampled_from(ACTIONS)),),
            blocked_until=EventCond(("stability_meeting_held",)), unless=EventCond(("safeguarding_concern",)),
            after_the_fact=after, overdue=draw(st.sampled_from([None, None, True, False])),
            since=tuple(draw(st.lists(st.sampled_from(TYPES), max_size=1))), since_trigger=draw(st.booleans()))
    blocked = draw(st.one_of(st.none(), gate_conditions))
    after = draw(st.one_of(st.none(), st.builds(Duration, st.integers(1, 6), st.just(Unit.WORKING_DAYS))))
    return RefGate(
        id=f"g{number}", actions=tuple(draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=2, unique=True))),
        blocked_until=blocked,
        unless=draw(st.one_of(st.none(), gate_conditions)) if blocked is not None else None,
        needs_approval=draw(gate_conditions) if blocked is None else draw(st.one_of(st.none(), gate_conditions)),
        after_the_fact=after, overdue=draw(st.sampled_from([None, True, False])) if after else None,
        since=tuple(draw(st.lists(st.sampled_from(TYPES), max_size=1))), since_trigger=draw(st.booleans()))


@st.composite
def histories(draw):
    events = []
    for _ in range(draw(st.integers(3, 12))):
        etype = draw(st.sampled_from(TYPES + STARTS))  # what starts a deadline, drawn more often
        fields = {}
        if etype == "safeguarding_concern" and draw(st.booleans()):
            fields["significant"] = draw(st.booleans())
        if etype == "stability_meeting_held":
            fields["attendees"] = tuple(draw(st.lists(st.sampled_from(ROLES), max_size=3, unique=True)))
        events.append((etype, START + timedelta(days=draw(st.integers(0, 40))), fields))
    events.sort(key=lambda e: e[1])
    return [Event(i, t, on, None, f) for i, (t, on, f) in enumerate(events)]


# ------------------------------------------------------------------ the policy, written as YAML
def written(cond, judged_on=None):
    if isinstance(cond, All):
        return {"all": [written(c, judged_on) for c in cond.items]}
    if isinstance(cond, AnyOf):
        return {"any": [written(c, judged_on) for c in cond.items]}
    if isinstance(cond, Not):
        return {"not": written(cond.item, judged_on)}
    if isinstance(cond, Fields):  # one mapping per test: two tests of one field are two keys
        tests = [{t.path: {t.op: list(t.value) if isinstance(t.value, tuple) else t.value}} for t in cond.tests]
        return tests[0] if len(tests) == 1 else {"all": tests}
    out: dict = {}
    if isinstance(cond, EventCond):
        out = {"count": list(cond.types), "at_least": cond.at_least}
        if cond.where:
            test = cond.where[0]
            out["where"] = {test.path: {test.op: list(test.value) if isinstance(test.value, tuple) else test.value}}
        if cond.within is not None:
            out["within"] = str(cond.within)
    elif isinstance(cond, Triggered):
        out = {"triggered": list(cond.triggers) or "any"}
    if cond.since:
        out["since"] = list(cond.since)
    if judged_on:
        out["judged_on"] = judged_on
    return out


def policy_text(language, trigger, obs, gate_list) -> str:
    doc: dict = {"effective_from": "2025-01-01",
                 "triggers": [{"id": "t1", "when": written(trigger), "source": "s"}], "deadlines": [], "gates": []}
    if language is not None:
        doc["language"] = language
    for ob in obs:
        rows = [{"due": f"{duration} after {ob.starts[0]}", **({"when": written(cond, judged_on)} if cond else {}),
                 **({"roll_to": roll} if roll else {})} for cond, duration, roll, judged_on in ob.rows]
        entry = {"id": ob.id, "due": rows, "met_by": ob.met_by[0], "source": "s"}
        if ob.unless is not None:
            entry["unless"] = written(ob.unless, ob.unless_judged)
        if ob.meets:
            entry["one_event_meets"] = ob.meets
        if ob.waived_by:
            entry["waived_by"] = ob.waived_by[0]
        if ob.moved_by:
            entry["moved_by"] = [{"event": kind, "extend_by": str(amount)} for kind, amount in ob.moved_by]
        doc["deadlines"].append(entry)
    for g in gate_list:
        entry = {"id": g.id, "actions": list(g.actions), "source": "s"}
        for part in ("blocked_until", "unless", "needs_approval"):
            if getattr(g, part) is not None:
                entry[part] = written(getattr(g, part))
        if g.after_the_fact:
            entry["after_the_fact"] = str(g.after_the_fact)
        if g.overdue is not None:
            entry["after_the_fact_overdue"] = g.overdue
        since = list(g.since) + (["trigger"] if g.since_trigger else [])
        if since:
            entry["since"] = since
        doc["gates"].append(entry)
    return json.dumps(doc)  # JSON is YAML


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(language=st.sampled_from([None, 1, 2]), trigger=event_conds(),
       obs=st.integers(1, 2).flatmap(lambda n: st.tuples(*(deadlines(i) for i in range(n)))),
       gate_list=st.integers(1, 2).flatmap(lambda n: st.tuples(*(gate_specs(i) for i in range(n)))),
       events=histories(), placement=st.sampled_from(PLACEMENTS), offset=st.integers(5, 70))
def test_deadlines_and_gates_agree_with_the_reference(tmp_path_factory, language, trigger, obs, gate_list, events,
                                                      placement, offset):
    path = tmp_path_factory.mktemp("policy") / "2025-01.yaml"
    path.write_text(policy_text(language, trigger, obs, gate_list))
    try:
        policy = load_version(COUNCIL, path)
    except SourceError as exc:
        assume(all("too complicated" in p.message for p in exc.problems))  # the loader refuses those
        raise
    as_of = START + timedelta(days=offset)
    answer = evaluate(policy, Case({}, {"type": placement}, events), as_of)

    history = [(e.seq, e.type, e.on, e.fields) for e in events]
    record = {"placement.type": placement, "child.age": None, "child.ref": None}
    firings = trigger_firings([("t1", trigger, set(trigger.types))], [e for e in history if e[2] <= as_of],
                              record, CAL)
    lang = language or 1
    expected = reference_obligations(list(obs), lang, history, as_of, record, CAL, firings)
    got = [{"id": d["id"], "started_on": d["started_on"], "due": d["due"], "status": d["status"],
            "met_on": d["met_on"], "waived_on": d.get("waived_on")} for d in answer["deadlines"]]
    other = reference_obligations(list(obs), 3 - lang, history, as_of, record, CAL, firings)
    event(f"the language changes the deadlines: {other != expected}")
    event(f"deadline statuses: {sorted(set(d['status'] for d in expected))}")
    assert got == expected
    expected_gates = reference_gates(list(gate_list), lang, history, as_of, record, CAL, firings)
    event(f"gate statuses: {sorted(set(v[0] for v in expected_gates.values()))}")
    event(f"the language changes the gates: {expected_gates != reference_gates(list(gate_list), 3 - lang, history, as_of, record, CAL, firings)}")
    assert {g["action"]: (g["status"], g.get("satisfy_by")) for g in answer["gates"]} == expected_gates
