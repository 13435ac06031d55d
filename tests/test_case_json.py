"""A case document in plain JSON is decoded by the standard library first (a 20,000-event case
spent seconds in the YAML reader); one with a mistake is read again as YAML, so every mistake
is still located by line and column, and both ways read the same case."""
import json
import time
from datetime import date, timedelta

import pytest

from hearth.engine import api
from hearth.engine.case import case_to_dict, parse_case_text
from hearth.rules.source import SourceError, load_json_quickly

COUNCIL = next(c.id for c in api.list_councils())


def vocabulary():
    return api.policy_on(COUNCIL, date(2026, 1, 1)).vocabulary


def document(events: int) -> dict:
    start = date(2020, 1, 1)
    return {"child": {"ref": "C-1", "date_of_birth": "2012-03-04"},
            "placement": {"type": next(iter(vocabulary().placement_types)), "started": "2019-01-01"},
            "events": [{"type": "missing_episode", "on": (start + timedelta(days=i % 2000)).isoformat()}
                       for i in range(events)]}


def test_json_and_yaml_readings_of_a_case_agree():
    text = json.dumps(document(30), indent=1)
    quick = parse_case_text(text, "case.json", vocabulary())
    as_yaml = parse_case_text("# YAML now\n" + text, "case.json", vocabulary())  # not plain JSON
    assert case_to_dict(quick) == case_to_dict(as_yaml)


def test_a_mistake_in_json_is_still_located_by_line_and_column():
    text = json.dumps(document(3), indent=1).replace('"missing_episode"', '"missing_episod"', 1)
    with pytest.raises(SourceError) as caught:
        parse_case_text(text, "case.json", vocabulary())
    [problem] = caught.value.problems
    line = next(number for number, written in enumerate(text.splitlines(), 1) if "missing_episod\"" in written)
    assert (problem.loc.line, problem.field) == (line, "events[0].type")
    assert problem.loc.column > 1 and "Did you mean 'missing_episode'" in problem.message


@pytest.mark.parametrize("text", ['{"a": 1, "a": 2}', '{"a": 1e400}', '{"a": NaN}', '{"a": ' + "9" * 5000 + "}",
                                  "[" * 5000 + "]" * 5000, "a: 1", '{"a": 1', "# comment\n{}"])
def test_what_is_not_plain_json_within_the_bounds_goes_to_the_yaml_reader(text):
    assert load_json_quickly(text) is None


def test_a_case_of_twenty_thousand_events_in_json_is_read_in_seconds():
    text = json.dumps(document(20_000))
    started = time.perf_counter()
    case = parse_case_text(text, "case.json", vocabulary())
    assert len(case.events) == 20_000
    assert time.perf_counter() - started < 5  # the YAML reader alone took about 15 s
