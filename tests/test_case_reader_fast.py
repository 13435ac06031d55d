"""The case reader's quick ways through plainly valid cases (hearth.engine.case._plain_case, a
whole decoded document in one pass) and events (hearth.engine.case_fast, for any other) read
every document as the general reader does alone (``_CaseReader(..., quick=False)``, the
reference): the same Case, event by event and field by field with the same types and order,
or the same located problems. Checked for every council of the session's policies folder on
generated well-formed documents (which must all go the quick way, or the check proves
nothing) and on hostile variants of them: wrong types, unknown keys, numbers out of range,
bad and timed dates, unknown values, missing required fields, NaN, huge numbers, lists where
one value goes, str and int subclasses, carer histories; decoded (the API) and as text
(located, line by line)."""
import copy
import json
import random
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from hearth.engine import api, case as case_module
from hearth.engine.case import _CaseReader, parse_case_data, parse_case_text
from hearth.engine.case_fast import event_plans, plain_event, plain_events
from hearth.engine.placements import ENDING, MOVE, MOVE_TYPE
from hearth.engine.vocabulary import EventField, EventType
from hearth.rules.source import SourceError, load_json_quickly, load_yaml

from councils import generic_councils, session_root

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import bench_cases  # noqa: E402  (generated case documents)

ON = date(2026, 3, 2)
WELL_FORMED, HOSTILE, AS_TEXT = 60, 500, 40   # documents per council


class Text(str):
    """A str that is not exactly a str (the quick way leaves such values to the general reader)."""


class Whole(int):
    """An int that is not exactly an int."""


def typed(value):
    """The value with every type spelled out and floats by repr, so True differs from 1, 1 from
    1.0, a tuple from a list and a Text from a str, and a dict's key order counts."""
    if isinstance(value, dict):
        return (type(value).__name__, tuple((typed(key), typed(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(typed(item) for item in value))
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def described(case) -> tuple:
    """Everything a Case holds that a reader decides, typed."""
    def event(e):
        return (e.seq, typed(e.type), typed(e.on), typed(e.at), typed(e.fields), typed(e.placement), e.path, e.loc,
                typed(e.record))
    return (typed(case.child), typed(case.placement), [event(e) for e in case.events], typed(case.carer_ref),
            [event(e) for e in case.carer_events], case.placements)


def outcome(read) -> tuple:
    """A reading's result: the case described, or its problems (file, line, column, field, message)."""
    try:
        return "case", described(read())
    except SourceError as error:
        return "problems", [problem.as_dict() for problem in error.problems]


def general_text(text: str, vocabulary):
    """parse_case_text's way with the general reader alone: the quick JSON reading, then (if
    that has a mistake, or is not plain JSON) the located YAML one."""
    data = load_json_quickly(text)
    if data is not None:
        try:
            return _CaseReader(vocabulary, "case.json", quick=False).read(data)
        except SourceError:
            pass
    return _CaseReader(vocabulary, "case.json", quick=False).read(load_yaml(text, "case.json"))


def differences(documents, vocabulary) -> list[str]:
    """Each document whose quick reading differs from the general reader's."""
    found = []
    for number, document in enumerate(documents):
        quick = outcome(lambda: parse_case_data(document, vocabulary))
        general = outcome(lambda: _CaseReader(vocabulary, "case", quick=False).read(document))
        if quick != general:
            found.append(f"document {number}: {document!r:.400}\n  quick:   {quick!r:.600}\n  general: {general!r:.600}")
    return found


@pytest.fixture(scope="module", params=generic_councils())
def policy(request):
    return api.policy_on(request.param, ON, session_root())


def well_formed(policy, count: int, seed: int) -> list[dict]:
    """Generated documents of the council's own words: half of the event types its rules name,
    half of every event type it has (so every field kind comes up)."""
    rng = random.Random(seed)
    named = bench_cases.policy_event_types(policy) or sorted(policy.vocabulary.event_types)
    every = sorted(policy.vocabulary.event_types)
    return [bench_cases.council_case(rng, policy, named if number % 2 else every, number, ON)
            for number in range(count)]


def hostile_values(vocabulary) -> list:
    """Values of every shape, and a few words of each kind of the vocabulary (a role where a
    choice goes, a role list of one unknown role...)."""
    words = [word for section in (vocabulary.roles, vocabulary.parties, vocabulary.actions, vocabulary.placement_types)
             for word in list(section)[:3]]
    words += [value for kind in vocabulary.event_types.values() for spec in kind.fields.values()
              for value in spec.values[:2]]
    return [None, True, False, 0, 1, -1, 7, 30, 2.5, 1.0, -0.0, float("nan"), float("inf"), float("-inf"),
            10 ** 12, 10 ** 12 + 1, -10 ** 12, -10 ** 12 - 1, 2 ** 64, 2 ** 70, -10 ** 400, "", " ", "x", "\x00",
            "a\tb", "a\nb", "\u00e9\u200b", "\x85",
            "a\ud800", "é" * 5000, "2026-02-30", "2026-13-01", "2026-1-5", "2026-01-05T10:30", "2026-01-05 10:30",
            "2026-01-05T25:00", "1899-12-31", "2101-01-01", "１９９９-01-05", " 2026-01-05", "2026-01-05\n",
            "2026-01-05", [], ["x"], [1], [None], [[]], {}, {"a": 1}, date(2026, 1, 5), datetime(2026, 1, 5, 10),
            Text("2026-01-05"), Whole(3), Whole(-10 ** 13), *words, *(Text(word) for word in words[:12]),
            words[:2], words[-2:], [words[0], 1], [Text(words[0])], [words[0], words[0] + "x"]]


def mutated(rng: random.Random, document: dict, vocabulary, values: list) -> dict:
    """The document with one to three hostile changes."""
    document = copy.deepcopy(document)
    types = sorted(vocabulary.event_types)
    for _ in range(rng.randint(1, 3)):
        events = document.get("events")
        if not isinstance(events, list) or not events:
            break  # no history left to change
        index = rng.randrange(len(events))
        event = events[index]
        if not isinstance(event, dict) or not isinstance(event.get("type"), str) or event["type"] not in types:
            continue
        fields = vocabulary.event_fields(event["type"])
        roll = rng.randrange(16)
        if roll < 5:    # a field (given or not) of a hostile value, or of any value of the vocabulary
            event[rng.choice(list(fields) or ["details"])] = rng.choice(values)
        elif roll == 5:  # a key the event does not have
            event[rng.choice(["colour", "Type", "on ", "placement", 1, *(name for kind in types[:5]
                                                                          for name in vocabulary.event_fields(kind))])] = "x"
        elif roll == 6:  # a required field, the date or the type left out
            required = [name for name, spec in fields.items() if spec.required and name in event]
            event.pop(rng.choice(required or ["on", "type"]), None)
        elif roll == 7:  # a hostile date
            event["on"] = rng.choice(values)
        elif roll == 8:  # a date with a time: the event is timed, and ordered by it
            event["on"] = f"{event['on'][:10]}T{rng.randint(0, 23):02d}:{rng.choice(['00', '30'])}" \
                if isinstance(event.get("on"), str) else event.get("on")
        elif roll == 9:  # a hostile or unknown type
            event["type"] = rng.choice([None, 5, [], event["type"][:-1], event["type"].upper(), Text(event["type"]),
                                        rng.choice(types)])
        elif roll == 10:  # not an event at all
            events[index] = rng.choice([[], "x", 5, None, {}, [event]])
        elif roll == 11:  # given as null (not given; required: missing)
            event[rng.choice(list(fields) or ["details"])] = None
        elif roll == 12:  # the same fields written in another order
            items = list(event.items())
            rng.shuffle(items)
            events[index] = dict(items)
        elif roll == 13:  # the carer's history: some of the child's events, perhaps not a history at all
            document["carer"] = rng.choice([
                {"ref": rng.choice(["K-1", 12, 10 ** 30, [], "\x01", None]), "events": copy.deepcopy(events[:4])},
                {"events": copy.deepcopy(events[-3:])}, {"ref": "K-2", "events": "x"}, [], "x",
                {"ref": "K-3", "events": [dict(event, on=rng.choice(values))]}])
        elif roll == 14:  # the child or the first placement
            part = rng.choice(["child", "placement"])
            key = rng.choice(["ref", "date_of_birth"] if part == "child" else ["type", "started", "emergency"])
            given = document.get(part) if isinstance(document.get(part), dict) else {}
            document[part] = rng.choice([dict(given, **{key: rng.choice(values)}), [], None, "x"])
        else:  # the history itself, or a key a case does not have
            key, value = rng.choice([("events", {}), ("events", "x"), ("events", None), ("placements", []),
                                     ("colour", 1)])
            document[key] = value
    return document


def test_well_formed_documents_go_the_quick_way_and_read_the_same(policy):
    vocabulary = policy.vocabulary
    documents = well_formed(policy, WELL_FORMED, 20261129)
    plans = event_plans(vocabulary)
    assert all(plain_event(event, plans) is not None for document in documents for event in document["events"])
    assert all(case_module._plain_case(document, vocabulary, "case") is not None for document in documents)
    assert not differences(documents, vocabulary)



def test_well_formed_json_text_is_decoded_plainly_once(policy, monkeypatch):
    """parse_case_text: a plainly written document (json.dumps's way or compact) is decoded by
    load_plain_json alone and read the quick way, to what the checking decoder's reading gives."""
    vocabulary = policy.vocabulary
    documents = well_formed(policy, WELL_FORMED, 20261130)
    texts = [json.dumps(document) for document in documents] + [json.dumps(document, separators=(",", ":"))
                                                               for document in documents]
    expected = [described(parse_case_data(json.loads(text), vocabulary, "case.json")) for text in texts]

    def not_asked(text):
        raise AssertionError("decoded again by load_json_quickly")

    monkeypatch.setattr(case_module, "load_json_quickly", not_asked)
    assert [described(parse_case_text(text, "case.json", vocabulary)) for text in texts] == expected
    # with a carer, which only the general reader reads, the plain decoding is still the only one
    with_carer = [{**document, "carer": {"ref": "K-1", "events": document["events"][:1]}} for document in documents]
    assert [described(parse_case_text(json.dumps(document), "case.json", vocabulary)) for document in with_carer] \
        == [described(parse_case_data(document, vocabulary, "case.json")) for document in with_carer]


def test_both_readers_make_events_and_placements_of_the_same_layout(policy):
    """Each reader sets an Event's attributes (and a first Placement's) in one __dict__.update. Set
    key by key, the instance's dict took another layout, and every attribute read while
    evaluating went the slow way: 500 first-sight evaluations took 4.5 % more instructions
    (782 M -> 817 M, callgrind). The layouts are told apart by their size."""
    vocabulary = policy.vocabulary
    for document in well_formed(policy, 20, 29):
        quick = case_module._plain_case(document, vocabulary, "case")
        general = _CaseReader(vocabulary, "case").read(document)
        assert quick is not None and quick.events
        assert [sys.getsizeof(event.__dict__) for event in quick.events] == \
            [sys.getsizeof(event.__dict__) for event in general.events]
        assert [sys.getsizeof(placement.__dict__) for placement in quick.placements] == \
            [sys.getsizeof(placement.__dict__) for placement in general.placements]


def test_hostile_documents_read_the_same(policy):
    vocabulary = policy.vocabulary
    rng = random.Random(14)
    values = hostile_values(vocabulary)
    documents = [mutated(rng, document, vocabulary, values) for document in well_formed(policy, HOSTILE, 1129)]
    assert sum(outcome(lambda: parse_case_data(d, vocabulary))[0] == "problems"
               for d in documents) > HOSTILE // 3  # mostly refused: the hostile changes bite
    assert not "\n".join(differences(documents, vocabulary))


def test_every_field_of_every_event_type_with_every_hostile_value(policy):
    """Each event type's every field (and, for some types, its type, date and a key it does not
    have) given each hostile value in turn, beside a plainly valid event of the type."""
    vocabulary = policy.vocabulary
    rng = random.Random(2)
    values = hostile_values(vocabulary)
    documents = []
    for number, etype in enumerate(sorted(vocabulary.event_types)):
        document = bench_cases.council_case(rng, policy, [etype], 0, ON, size=1)
        event = document["events"][0]
        for name in ["type", "on", "colour"][:3 if number % 8 == 0 else 0] + list(vocabulary.event_fields(etype)):
            documents += [{**document, "events": [event, {**event, name: value}]} for value in values]
    assert not "\n".join(differences(documents, vocabulary)[:5])


def test_every_kind_of_field_bounded_or_not(policy):
    """Fields no council declares yet: numbers with no bounds and with fractional ones, short
    text, a required field, roles with and without the parties; each with every hostile value."""
    vocabulary = policy.vocabulary.copy()
    fields = {"score": EventField("number"), "share": EventField("number", min=0.5, max=9.5),
              "steps": EventField("number", whole=True, min=-3.5), "pick": EventField("choice", values=("a", "b")),
              "note": EventField("text", max_length=5), "must": EventField("text", required=True),
              "who": EventField("role"), "anyone": EventField("role", parties=True), "whom": EventField("roles"),
              "when": EventField("date"), "done": EventField("boolean"), "act": EventField("action"),
              "home": EventField("placement_type")}
    vocabulary.event_types["every_kind"] = EventType("every_kind", "Every kind", fields)
    event = {"type": "every_kind", "on": "2026-01-05", "must": "yes"}
    document = {"child": {"ref": "C-1"}, "placement": {"type": next(iter(vocabulary.placement_types))}}
    documents = [{**document, "events": [event, {**event, name: value}]}
                 for name in ["type", "on", *fields] for value in hostile_values(vocabulary) + [0.5, 9.5, 9, -3, -4]]
    assert sum(plain_event(item, event_plans(vocabulary)) is not None for d in documents for item in d["events"]) \
        > len(documents)  # the quick way is taken, and the test is not only of the general reader
    assert not "\n".join(differences(documents, vocabulary)[:5])


def test_every_part_of_a_case_beside_its_events(policy):
    """The case's own keys, child and first placement, given each hostile value (and left out,
    or given as null), with plainly valid events: the whole-document quick way takes only what
    is plainly valid and reads it as the general reader does."""
    vocabulary = policy.vocabulary
    values = hostile_values(vocabulary) + [list(vocabulary.placement_types)[0], 10 ** 70, "C" * 64, "C" * 65]
    document = well_formed(policy, 1, 9)[0]
    documents = [{key: value for key, value in document.items() if key != left_out} for left_out in document]
    for value in values:
        documents += [{**document, "child": {**document["child"], key: value}} for key in ("ref", "date_of_birth", "x")]
        documents += [{**document, "placement": {**document["placement"], key: value}}
                      for key in ("type", "started", "emergency", "x")]
        documents += [{**document, key: value} for key in ("child", "placement", "events", "carer", "placements", "x")]
    documents += [{**document, "child": {"ref": "C-1"}}, {**document, "child": {}}, {**document, "events": []},
                  {**document, "carer": {"ref": "K-1", "events": document["events"][:3]}}]
    assert sum(case_module._plain_case(item, vocabulary, "case") is not None for item in documents) > len(values) // 2
    assert not "\n".join(differences(documents, vocabulary)[:5])


def test_the_other_generated_documents_read_the_same(policy):
    """bench_cases.cases: one council's stories, random histories and bank-holiday edges, which
    are well-formed for it and (for another council) full of its words."""
    assert not "\n".join(differences([document for document, _ in bench_cases.cases(90)], policy.vocabulary))


def test_documents_as_text_read_the_same(policy):
    """As JSON text: decoded quickly, or (a mistake) read again located, line by line; and
    located from the start (as YAML text is), every event knowing its line."""
    vocabulary = policy.vocabulary
    rng = random.Random(3)
    values = [value for value in hostile_values(vocabulary) if not isinstance(value, (date, Text, Whole))]
    documents = well_formed(policy, AS_TEXT, 77)
    documents += [mutated(rng, document, vocabulary, values) for document in documents]
    for number, document in enumerate(documents):
        text = json.dumps(document, indent=1)
        quick = outcome(lambda: parse_case_text(text, "case.json", vocabulary))
        assert quick == outcome(lambda: general_text(text, vocabulary)), f"document {number}: {text[:400]}"
        located = outcome(lambda: _CaseReader(vocabulary, "case.yaml").read(load_yaml(text, "case.yaml")))
        assert located == outcome(lambda: _CaseReader(vocabulary, "case.yaml", quick=False).read(
            load_yaml(text, "case.yaml"))), f"document {number} located: {text[:400]}"
        if number < AS_TEXT:  # well-formed: every event read the quick way knows its line
            assert all(event.loc.line for event in _CaseReader(vocabulary, "case.yaml").read(
                load_yaml(text, "case.yaml")).events)


def test_history_order_and_placement_in_force(policy):
    """Both readers share the ordering of the history, so it is checked here against its
    definition: by day and time (an event without a time first on its day), then as written;
    each event carrying the placement in force, a move the one it begins."""
    rng = random.Random(8)
    types = sorted(policy.vocabulary.event_types)
    for number in range(40):
        document = bench_cases.council_case(rng, policy, [MOVE, ENDING, *rng.sample(types, 3)], number, ON, size=25)
        for event in document["events"]:
            if rng.random() < 0.3:  # some at a time of day, some of them at the same time
                event["on"] += f"T{rng.choice(['00:00', '09:30', '17:45'])}"
        written = sorted(enumerate(document["events"]),
                         key=lambda item: (date.fromisoformat(item[1]["on"][:10]),
                                           datetime.fromisoformat(item[1]["on"]) if "T" in item[1]["on"] else datetime.min))
        first = document["placement"]
        current = {"placement.type": first["type"], "placement.started": first["started"], "placement.emergency": False}
        expected = []
        for index, event in written:
            if event["type"] == MOVE:
                current = {"placement.type": event[MOVE_TYPE], "placement.started": event["on"][:10],
                           "placement.emergency": bool(event.get("emergency"))}
            expected.append((f"events[{index}]", current))
        case = parse_case_data(document, policy.vocabulary)
        assert [(event.path, event.placement) for event in case.events] == expected
        assert [event.seq for event in case.events] == list(range(len(expected)))


def test_a_quick_reading_that_differs_is_caught(policy, monkeypatch):
    """The comparison has teeth: a quick way that gives a whole number as a float, or keeps a
    field the general reader would drop, is found out (whole cases, and one event at a time)."""
    vocabulary = policy.vocabulary
    documents = well_formed(policy, 20, 5)

    def loose_fields(fields):
        return {**{name: float(value) if type(value) is int else value for name, value in fields.items()},
                **({"extra": 1} if not fields else {})}

    def loose_events(nodes, plans):
        read = plain_events(nodes, plans)
        return None if read is None else [(day, position, etype, loose_fields(fields))
                                          for day, position, etype, fields in read]

    def loose(node, plans):
        read = plain_event(node, plans)
        return None if read is None else (read[0], read[1], loose_fields(read[2]))

    monkeypatch.setattr(case_module, "plain_events", loose_events)
    assert differences(documents, vocabulary)
    monkeypatch.undo()
    monkeypatch.setattr(case_module, "plain_event", loose)
    monkeypatch.setattr(case_module, "_plain_case", lambda doc, vocab, file: None)
    assert differences(documents, vocabulary)
