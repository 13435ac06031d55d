"""An event's `where`, tested without making its record (hearth.engine.event_index.where_test),
gives what the field tests give on the record (hearth.rules.conditions.fields_hold): every
operation, on values found in the placement in force, in the event's own fields, in both (the
placement's wins, as Event.record merges them), in neither, and down a path into a mapping."""
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from hearth.engine.case import Event
from hearth.engine.event_index import where_test
from hearth.engine.policy_model import EventSpec
from hearth.rules.conditions import VALUE_OPS, FieldTest, fields_hold

PATHS = ("meeting", "placement.type", "review.date", "attendees")
SCALARS = st.one_of(st.none(), st.just(""), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False, width=16),
                    st.sampled_from(["stability", "review", "ifa_foster", "iro", "3", "true"]))
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3), st.dictionaries(st.sampled_from(["date", "type"]),
                                                                             SCALARS, max_size=2))
WANTS = st.one_of(SCALARS, st.lists(SCALARS, min_size=1, max_size=3).map(tuple))
RECORDS = st.dictionaries(st.sampled_from(PATHS + ("review", "placement")), VALUES, max_size=4)


@settings(max_examples=600, deadline=None)
@given(fields=RECORDS, placement=RECORDS,
       tests=st.lists(st.tuples(st.sampled_from(PATHS), st.sampled_from(sorted(VALUE_OPS)), WANTS),
                      min_size=1, max_size=3))
def test_where_test_agrees_with_the_field_tests_on_the_record(fields, placement, tests):
    spec = EventSpec(("stability_meeting_held",), tuple(FieldTest(path, op, want) for path, op, want in tests))
    event = Event(0, "stability_meeting_held", date(2026, 1, 5), None, fields, placement=placement)
    assert outcome(where_test(spec), event) == outcome(lambda e: fields_hold(spec.where, e.record), event)


def outcome(test, event):
    """What a test gives, or the kind of error it raises (a value the policy reader would refuse,
    such as no list for one_of, fails the same way in both)."""
    try:
        return test(event)
    except Exception as error:  # noqa: BLE001 - compared, not hidden
        return type(error)


def test_the_placement_in_force_wins_over_a_field_of_the_same_name():
    spec = EventSpec(("x",), (FieldTest("placement.type", "is", "ifa_foster"),))
    event = Event(0, "x", date(2026, 1, 5), None, {"placement.type": "in_house_foster"},
                  placement={"placement.type": "ifa_foster"})
    assert where_test(spec)(event) and fields_hold(spec.where, event.record)
