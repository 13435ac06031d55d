"""Random conditions and cases give the same answer compiled through durable_rules
as from the pure-Python reference evaluator (tests/reference.py)."""
from datetime import date, timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hearth.engine.calendar import calendar_for
from hearth.engine.case import Case, Event
from hearth.engine.history import Context, Point, atom_value
from hearth.rules import durable
from hearth.rules.compile import MAX_GROUPS, Atoms, compile_condition, field_key, group_count, literal, rule
from hearth.rules.conditions import All, AnyOf, EventCond, Fields, FieldTest, Not
from hearth.rules.durations import Duration, Unit

from reference import holds as reference_holds

TYPES = ["missing_episode", "allegation", "complaint", "stability_meeting_held", "safeguarding_concern"]
PLACEMENTS = ["ifa_foster", "in_house_foster", "la_childrens_home"]
ROLES = ["iro", "commissioning", "fostering_manager"]
START = date(2026, 1, 1)
CAL = calendar_for("england")

durations = st.builds(Duration, st.integers(0, 40), st.sampled_from(list(Unit)))
case_tests = st.one_of(
    st.builds(FieldTest, st.just("placement.type"), st.sampled_from(["is", "is_not"]), st.sampled_from(PLACEMENTS)),
    st.builds(FieldTest, st.just("placement.type"), st.sampled_from(["one_of", "not_one_of"]),
              st.lists(st.sampled_from(PLACEMENTS), min_size=1, max_size=3).map(tuple)),
    st.builds(FieldTest, st.just("child.age"), st.sampled_from(["at_least", "at_most", "more_than", "less_than"]),
              st.integers(8, 17)),
    st.builds(FieldTest, st.sampled_from(["child.age", "child.ref"]), st.just("answered"), st.booleans()),
)
event_tests = st.one_of(
    st.builds(FieldTest, st.just("significant"), st.sampled_from(["is", "is_not"]), st.booleans()),
    st.builds(FieldTest, st.just("attendees"), st.sampled_from(["includes_any", "includes_none"]),
              st.lists(st.sampled_from(ROLES), min_size=1, max_size=2).map(tuple)),
)
event_conds = st.builds(
    EventCond,
    types=st.lists(st.sampled_from(TYPES), min_size=1, max_size=2, unique=True).map(tuple),
    at_least=st.integers(1, 3),
    where=st.lists(event_tests, max_size=1).map(tuple),
    within=st.one_of(st.none(), durations),
    since=st.one_of(st.just(()), st.lists(st.sampled_from(TYPES), min_size=1, max_size=1).map(tuple)),
)
leaves = st.one_of(event_conds, st.lists(case_tests, min_size=1, max_size=2).map(lambda t: Fields(tuple(t))))
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, min_size=0, max_size=3).map(lambda x: All(tuple(x))),
        st.lists(inner, min_size=1, max_size=3).map(lambda x: AnyOf(tuple(x))),
        inner.map(Not)),
    max_leaves=6)


@st.composite
def histories(draw):
    n = draw(st.integers(0, 8))
    events = []
    for _ in range(n):
        etype = draw(st.sampled_from(TYPES))
        on = START + timedelta(days=draw(st.integers(0, 90)))
        fields = {}
        if etype == "safeguarding_concern" and draw(st.booleans()):
            fields["significant"] = draw(st.booleans())
        if etype == "stability_meeting_held":
            fields["attendees"] = tuple(draw(st.lists(st.sampled_from(ROLES), max_size=3, unique=True)))
        events.append((etype, on, fields))
    events.sort(key=lambda e: e[1])
    return [Event(i, t, on, None, f) for i, (t, on, f) in enumerate(events)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cond=conditions, events=histories(), placement=st.sampled_from(PLACEMENTS + [None]),
       age=st.one_of(st.none(), st.integers(5, 18)), offset=st.integers(0, 100), limit=st.integers(0, 9))
def test_compiled_conditions_agree_with_the_reference(cond, events, placement, age, offset, limit):
    point_date = START + timedelta(days=offset)
    record = {"placement.type": placement, "child.age": age, "child.ref": None}
    case = Case({}, {"type": placement} if placement else {}, events)

    atoms = Atoms()
    expression = rule("n", compile_condition(cond, atoms))
    assume(group_count(expression) <= MAX_GROUPS)  # larger ones are refused by the loader
    ruleset = durable.compile_ruleset("crosscheck", {"r": expression})
    point = Point(point_date, limit, None, record)
    ctx = Context(case, CAL)
    fact = {"point": 0, "kind": "n"}
    for path, value in record.items():
        if value is not None:
            fact[field_key(path)] = literal(value)
    for i, atom in enumerate(atoms.items):
        fact[f"a{i}"] = atom_value(atom, point, ctx)
    compiled = (0, "r") in durable.fire(ruleset, [fact])

    history = [(e.seq, e.type, e.on, e.fields) for e in events]
    expected = reference_holds(cond, record, history, point_date, limit, calendar=CAL)
    assert compiled == expected, (cond, fact)
