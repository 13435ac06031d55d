"""Issue 8: every bad case file is a located refusal, never a traceback, and every event is
held to its type's field declarations (required, min, max, whole, max_length) and to the
service-wide bounds of hearth.rules.limits, whichever way it comes in (a file for
`hearth evaluate`, decoded JSON for the API)."""
import json
import re
import time
from datetime import date

import pytest
from click.testing import CliRunner

from hearth.engine import api
from hearth.engine.case import Case, Event, parse_case_data, parse_case_text
from hearth.engine.cli import cli
from hearth.engine.evaluate import evaluate
from hearth.rules.limits import MAX_EVENTS_PER_CASE, MAX_REF_LENGTH
from hearth.rules.source import SourceError

from councils import needs_council

pytestmark = [needs_council("swindon")]   # council-specific: it names its council(s)

ON = date(2026, 1, 26)
LOCATED = re.compile(r"^\S+:\d+:\d+ \(\S+\): ")


@pytest.fixture(scope="module")
def vocabulary():
    return api.policy_on("swindon", ON).vocabulary


def head(events: str) -> str:
    return ("child: {ref: C-1, date_of_birth: 2011-05-02}\nplacement: {type: ifa_foster, started: 2025-09-01}\n"
            f"events:\n{events}")


MEETING = "  - {type: stability_meeting_held, on: 2026-01-12, chair: childrens_social_work_manager}\n"

BAD_FILES = {
    "a list for the placement type": ("placement: {type: [ifa_foster]}\n", "placement.type"),
    "a mapping for the placement type": ("placement: {type: {a: 1}}\n", "placement.type"),
    "a list for an event type": ("placement: {type: ifa_foster}\nevents:\n  - {type: [a], on: 2026-01-01}\n",
                                 "events[0].type"),
    "a mapping for a role": (head("  - {type: stability_meeting_decided, on: 2026-01-19, chair: {a: b}}\n"),
                             "events[0].chair"),
    "a list inside a list of roles": (head("  - {type: stability_meeting_held, on: 2026-01-12, attendees: [[iro]]}\n"),
                                      "events[0].attendees"),
    "a list for a choice": (head("  - {type: concern_closed, on: 2026-01-12, outcome: [home_stable]}\n"),
                            "events[0].outcome"),
    "a mapping for an action": (head("  - {type: funding_requested, on: 2026-01-12, kind: {x: 1}, cost: 1}\n"),
                                "events[0].kind"),
    "a mapping for a date": (head("  - {type: missing_episode, on: {y: 2026}}\n"), "events[0].on"),
    "a huge number of days": (head(MEETING + "  - {type: review_extended, on: 2026-01-20, days: 3000000}\n"),
                              "events[1].days"),
    "days past the councils' forms": (head(MEETING + "  - {type: review_extended, on: 2026-01-20, days: 21}\n"),
                                      "events[1].days"),
    "no days at all": (head(MEETING + "  - {type: review_extended, on: 2026-01-20, days: 0}\n"), "events[1].days"),
    "a fraction of a day": (head(MEETING + "  - {type: review_extended, on: 2026-01-20, days: 1.5}\n"),
                            "events[1].days"),
    "infinity": (head("  - {type: funding_requested, on: 2026-01-12, kind: increased_funding, cost: .inf}\n"),
                 "events[0].cost"),
    "not a number": (head("  - {type: funding_requested, on: 2026-01-12, kind: increased_funding, cost: .nan}\n"),
                     "events[0].cost"),
    "1e400": (head("  - {type: funding_requested, on: 2026-01-12, kind: increased_funding, cost: 1e400}\n"),
              "events[0].cost"),
    "a negative cost": (head("  - {type: funding_requested, on: 2026-01-12, kind: increased_funding, cost: -5}\n"),
                        "events[0].cost"),
    "a 400-digit integer": (head("  - {type: funding_requested, on: 2026-01-12, kind: increased_funding, cost: "
                                 + "9" * 400 + "}\n"), "events[0].cost"),
    "true for a number": (head("  - {type: funding_requested, on: 2026-01-12, kind: increased_funding, cost: true}\n"),
                          "events[0].cost"),
    "a number as text": (head("  - {type: funding_requested, on: 2026-01-12, kind: increased_funding, cost: '1e9999999'}\n"),
                         "events[0].cost"),
    "a date in year 1": (head("  - {type: missing_episode, on: 0001-01-01}\n"), "events[0].on"),
    "a date in 9999": (head("  - {type: review_brought_forward, on: 2026-01-12, to: 9999-12-31}\n"), "events[0].to"),
    "a NUL in text": (head('  - {type: missing_episode, on: 2026-01-12, details: "a\\0b"}\n'), "events[0].details"),
    "a lone surrogate in text": (head('  - {type: missing_episode, on: 2026-01-12, details: "\\ud800"}\n'),
                                 "events[0].details"),
    "text over the limit": (head("  - {type: missing_episode, on: 2026-01-12, details: " + "x" * 10_001 + "}\n"),
                            "events[0].details"),
    "a mapping for the child's reference": ("child: {ref: {a: 1}}\nplacement: {type: ifa_foster}\n", "child.ref"),
    "a list for the child's reference": ("child: {ref: [a]}\nplacement: {type: ifa_foster}\n", "child.ref"),
    "a long child's reference": (f"child: {{ref: {'C' * (MAX_REF_LENGTH + 1)}}}\nplacement: {{type: ifa_foster}}\n",
                                 "child.ref"),
    "a control character in the child's reference": ('child: {ref: "C\\x01"}\nplacement: {type: ifa_foster}\n',
                                                     "child.ref"),
    "a mapping for the carer's reference": ("placement: {type: ifa_foster}\ncarer: {ref: {a: 1}}\n", "carer.ref"),
    "a funding request that does not say what": (head("  - {type: funding_requested, on: 2026-01-12, cost: 5}\n"),
                                                 "events[0].kind"),
    "a meeting arranged for no day": (head("  - {type: meeting_scheduled, on: 2026-01-12, meeting: stability}\n"),
                                      "events[0].meeting_date"),
    "a panel approval of nothing": (head("  - {type: panel_approved, on: 2026-01-12}\n"), "events[0].request"),
    "two meeting parts and a half": (head("  - {type: stability_meeting_held, on: 2026-01-12, parts: 2.5}\n"),
                                     "events[0].parts"),
    "a key that is a list": ("placement: {type: ifa_foster}\n? [a, b]\n: 1\n", ""),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_case_file_is_a_located_refusal(vocabulary, name):
    text, field = BAD_FILES[name]
    with pytest.raises(SourceError) as caught:
        parse_case_text(text, "case.yaml", vocabulary)
    problems = caught.value.problems
    assert problems and all(p.loc.line for p in problems), [str(p) for p in problems]
    if field:
        assert field in [p.field for p in problems], [str(p) for p in problems]
    for problem in problems:   # what is shown can be printed to any terminal, and is short
        str(problem).encode("utf-8")
        assert "\x00" not in str(problem) and len(problem.message) < 400


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_the_cli_exits_2_with_located_messages(tmp_path, name):
    text, field = BAD_FILES[name]
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = CliRunner().invoke(cli, ["evaluate", "--council", "swindon", "--case", str(path),
                                      "--on", ON.isoformat()])
    assert result.exit_code == 2, (result.output, result.exception)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith(str(path)) for line in lines), lines


def test_the_bounds_are_the_vocabulary_s_messages(vocabulary):
    with pytest.raises(SourceError) as caught:
        parse_case_text(head(MEETING + "  - {type: review_extended, on: 2026-01-20, days: 3000000}\n"),
                        "case.yaml", vocabulary)
    assert str(caught.value) == ("case.yaml:5:51 (events[1].days): 'days' must be 20 or less "
                                 "(the most a review_extended event may have).")


@pytest.mark.parametrize("event, field", [
    ({"type": "review_extended", "on": "2026-01-20", "days": 3000000}, "events[0].days"),
    ({"type": "review_extended", "on": "2026-01-20", "days": float("inf")}, "events[0].days"),
    ({"type": "review_extended", "on": "2026-01-20", "days": True}, "events[0].days"),
    ({"type": "missing_episode", "on": "0001-01-01"}, "events[0].on"),
    ({"type": "missing_episode", "on": "2026-01-20", "details": "\ud800"}, "events[0].details"),
    ({"type": "missing_episode", "on": "2026-01-20", "details": "a\x00"}, "events[0].details"),
    ({"type": ["missing_episode"], "on": "2026-01-20"}, "events[0].type"),
    ({"type": "missing_episode", "on": ["2026-01-20"]}, "events[0].on"),
])
def test_the_api_s_decoded_data_is_refused_the_same_way(event, field):
    answer, errors = api.evaluate_document("swindon", {"child": {"ref": "C-1"}, "placement": {"type": "ifa_foster"},
                                                       "events": [event]}, ON)
    assert answer is None and [e["field"] for e in errors] == [field], errors


@pytest.mark.parametrize("ref", [{"a": 1}, ["a"], "x" * (MAX_REF_LENGTH + 1), "C\x00", 1.5, True])
def test_a_child_reference_is_short_plain_text(vocabulary, ref):
    with pytest.raises(SourceError) as caught:
        parse_case_data({"child": {"ref": ref}, "placement": {"type": "ifa_foster"}}, vocabulary)
    assert [p.field for p in caught.value.problems] == ["child.ref"]


def test_a_reference_written_as_a_number_is_still_read(vocabulary):
    case = parse_case_data({"child": {"ref": 1234}, "placement": {"type": "ifa_foster"}}, vocabulary)
    assert case.child["ref"] == "1234"


def test_events_per_case_are_limited_and_the_message_names_the_limit(vocabulary):
    events = "".join(f"  - {{type: absence, on: 2026-01-0{1 + i % 9}}}\n" for i in range(MAX_EVENTS_PER_CASE + 1))
    with pytest.raises(SourceError) as caught:
        parse_case_text(head(events), "case.yaml", vocabulary)
    [problem] = caught.value.problems
    assert problem.field == "events" and problem.loc.line == 4 and f"{MAX_EVENTS_PER_CASE:,}" in problem.message
    at_the_limit = "".join(f"  - {{type: absence, on: 2026-01-0{1 + i % 9}}}\n" for i in range(MAX_EVENTS_PER_CASE))
    assert len(parse_case_text(head(at_the_limit), "case.yaml", vocabulary).events) == MAX_EVENTS_PER_CASE


def test_a_huge_extension_that_got_past_the_reader_is_a_refusal_not_an_overflow():
    """Cases built in Python (or stored before these checks) skip the reader: the evaluation
    itself refuses a move past the last date it can count to."""
    policy = api.policy_on("swindon", ON)
    meeting = Event(0, "stability_meeting_held", date(2026, 1, 12), None,
                    {"chair": "childrens_social_work_manager", "review": True, "review_date": date(2026, 1, 26)})
    extended = Event(1, "review_extended", date(2026, 1, 20), None, {"days": 3_000_000})
    case = Case({"ref": "C-1"}, {"type": "ifa_foster"}, [meeting, extended])
    started = time.perf_counter()
    with pytest.raises(SourceError) as caught:
        evaluate(policy, case, ON)
    assert time.perf_counter() - started < 2
    assert "review_extended" in str(caught.value) and "2100" in str(caught.value)


def test_the_readme_s_case_still_evaluates():
    text = head("  - {type: missing_episode, on: 2025-12-20}\n  - {type: missing_episode, on: 2026-01-02}\n"
                "  - {type: missing_episode, on: 2026-01-10}\n")
    answer = api.evaluate("swindon", text, date(2026, 1, 10))
    assert [t["rule"] for t in answer["triggers"]]
    json.dumps(answer)


# ---------------------------------------------------------------- field declarations in the vocabulary
def declared(fields: str):
    from hearth.engine.vocabulary import EMPTY, merge_vocabulary
    from hearth.rules.source import Problems, load_yaml
    problems = Problems()
    vocab = merge_vocabulary(EMPTY, load_yaml(f"event_types:\n  thing:\n    label: A thing\n    fields: {fields}\n",
                                              "vocab.yaml"), problems)
    return vocab, [str(p) for p in problems.items]


def test_field_declarations_are_read():
    vocab, problems = declared("{n: {kind: number, min: 1, max: 20, whole: true, required: true}, "
                               "t: {kind: text, max_length: 200}, d: {kind: date, not_future: true}}")
    assert problems == []
    fields = vocab.event_types["thing"].fields
    assert (fields["n"].min, fields["n"].max, fields["n"].whole, fields["n"].required) == (1, 20, True, True)
    assert fields["t"].max_length == 200 and fields["d"].not_future


@pytest.mark.parametrize("fields, expected", [
    ("{t: {kind: text, max: 5}}", "vocab.yaml:4:30 (t.max): 'max' is for number fields; 't' is a text field. "
                                  "Did you mean 'max_length'?"),
    ("{n: {kind: number, max_length: 5}}", "(n.max_length): 'max_length' is for text fields; 'n' is a number field. "
                                           "Did you mean 'max'?"),
    ("{n: {kind: number, min: five}}", "(n.min): 'min' must be a number, for example min: 20."),
    ("{n: {kind: number, min: 5, max: 1}}", "(n.min): 'n' has min 5 above its max 1."),
    ("{n: {kind: number, max: 1e400}}", "(n.max): A number must be finite."),
    ("{n: {kind: number, requird: true}}", "Did you mean 'required'?"),
    ("{n: {kind: number, whole: yes}}", "(n.whole): 'whole' is true or false, not 'yes'."),
    ("{t: {kind: text, max_length: 0}}", "(t.max_length): 'max_length' must be 1 or more."),
    ("{t: {kind: text, max_length: 2.5}}", "(t.max_length): 'max_length' must be a whole number."),
])
def test_a_wrong_field_declaration_is_located_with_a_fix(fields, expected):
    _, problems = declared(fields)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("vocab.yaml:4:") for p in problems), problems


def test_the_shared_vocabulary_bounds_what_the_councils_forms_allow():
    vocabulary = api.policy_on("swindon", ON).vocabulary
    days = vocabulary.event_fields("review_extended")["days"]
    assert (days.min, days.max, days.whole) == (1, 20, True)
    for event_type, name in [("funding_requested", "kind"), ("panel_approved", "request"),
                             ("funding_approved", "request"), ("review_brought_forward", "to"),
                             ("meeting_scheduled", "meeting_date")]:
        assert vocabulary.event_fields(event_type)[name].required, (event_type, name)


def test_the_policy_schema_describes_field_declarations():
    from hearth.engine.schema import version_schema
    properties = version_schema()["$defs"]["event_field"]["properties"]
    assert {"required", "min", "max", "whole", "max_length", "not_future"} <= set(properties)


def test_a_key_written_twice_in_a_case_file_is_named_with_its_line(vocabulary):
    text = head("  - {type: missing_episode, on: 2026-01-05}\n") + "placement: {type: other}\n"
    with pytest.raises(SourceError) as caught:
        parse_case_text(text, "case.yaml", vocabulary)
    [problem] = caught.value.problems
    assert (problem.loc.line, problem.loc.column) == (5, 1)
    assert "'placement' is written twice in the same block" in problem.message
