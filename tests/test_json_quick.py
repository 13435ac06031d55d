"""load_json_quickly takes orjson's reading only when the text proves the standard library's
checking hooks would refuse nothing in it; these compare it with the hooks' reading
(_load_json_with_hooks, the old function and still the fallback) on hostile text and on
generated case documents: the same value, with the same types, or None for both. And
load_plain_json, whose numbers are left to the case reader: the hooks' value, or None, or a
value holding a number that reader refuses; never a key written twice."""
import json
import random
import sys
from pathlib import Path

import pytest

from hearth.rules import source
from hearth.rules.limits import MAX_NUMBER_MAGNITUDE
from hearth.rules.source import _load_json_with_hooks, load_json_quickly, load_plain_json, plain_json_as_checked

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import bench_cases  # noqa: E402  (the benchmark's generated Swindon cases)


def typed(value):
    """The value with every type spelled out and floats by repr, so 1 differs from 1.0 and
    -0.0 from 0.0, and a dict's key order counts."""
    if isinstance(value, dict):
        return ("dict", tuple((key, typed(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("list", tuple(typed(item) for item in value))
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def not_asked(text):
    """Stands in for the hooks where orjson's reading must be taken."""
    raise AssertionError(f"not read quickly: {text[:200]}")


def unchecked_number(value) -> bool:
    """Whether the value holds a number the case reader's quick way refuses (anything but a whole
    number within the limits), which load_plain_json leaves unchecked."""
    if isinstance(value, dict):
        return any(unchecked_number(item) for item in value.values())
    if isinstance(value, list):
        return any(unchecked_number(item) for item in value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return False
    return type(value) is not int or abs(value) > MAX_NUMBER_MAGNITUDE


def assert_same(text):
    """load_json_quickly reads the text as the hooks do; load_plain_json too, or not at all, or
    (its numbers unchecked) to a value with a number the quick case reader refuses."""
    quick, hooks = load_json_quickly(text), _load_json_with_hooks(text)
    assert typed(quick) == typed(hooks), text[:200]
    plain = load_plain_json(text)
    assert plain is None or typed(plain) == typed(hooks) or unchecked_number(plain), text[:200]
    if plain is not None:  # the case reader's fallback: the hooks' value without a second decoding
        assert typed(plain_json_as_checked(text, plain)) == typed(hooks), text[:200]
    return quick


REFUSED = [
    # a key written twice, at any depth, however it is written
    '{"a": 1, "a": 2}', '{"a":1,"a":1}', '{"x": [{"b": 1, "b": 1}]}', '{"x": {"y": {"z": 1, "z": 2}}}',
    '{"a":' * 50 + '{"d": 1, "d": 2}' + '}' * 50, '[{"a": 1}, {"b": 1, "c": {"b": 1, "b": 1}}]',
    '{"a\\\\": 1, "a\\\\": 2}', '{"a\\\\":1,"a\\\\":2}', '{"\\\\": 1, "\\\\": 2}',
    '{"a": "x\\":y", "a": 1}', '{"a": 1, "a": "\\":"}', '{"k\\":": 1, "k\\":": 2}',
    '{"a": 1, "a": "\\u003a"}', '{"a": 1, "a": "\\u003A"}', '{"a": 1, "a": "\\u0022\\u003a"}',
    '{"a": ":", "a": 1}', '{":": 1, ":": 2}', '{"a": 1, "\\u0061": 2}', '{"a" : 1, "a"\n:2}',
    '{"a"\t:1,"a"\r\n : 2}', '{\n  "a": 1,\n  "a": 2\n}',
    '{"a" :1,"a":":"}', '{"a":"\\":","a":"\\":"}', '{"a":"x\\":","a":1}', '{"a" : "\\"\\u003a", "a": 1}',
    # numbers JSON does not have, or over the limits
    '[NaN]', '{"a": Infinity}', '[-Infinity]', '[1e400]', '[-1e400]', '[1e0001]', '[1E-0005]',
    f'[{10 ** 19}]', f'[{10 ** 30}]', f'[{-10 ** 19}]', f'[{2 ** 64}]',
    f'[{MAX_NUMBER_MAGNITUDE + 1}]', f'[{-MAX_NUMBER_MAGNITUDE - 1}]',
    '[1000000000000.01]', '[1.000000000001e12]', '[1e13]', '[-1e13]', '[0.1000000000000000]',
    '[1.0000000000000000]', '[0.' + '0' * 40 + '1]', '[' + '9' * 5000 + ']',
    # nesting deeper than the standard library reads
    '[' * 2000 + ']' * 2000, '{"a":' * 2000 + '1' + '}' * 2000,
    # not a JSON object or list, or not JSON
    '1', '"a"', 'null', 'true', '', '   ', '\ufeff{}', '\ufeff[1]', 'a: 1', '# comment\n{}', '{"a": 1',
    '[1,]', '{"a": 1,}', '[01]', '[1.]', '[.5]', '[+1]', '{"a": 1} x', '\x0c{}', '{}\x0c', '[\xa0]',
    '["\x01"]', '["\\a"]', "{'a': 1}", '{a: 1}', '[1 2]', '[]//c',
]
TAKEN = [
    # keys that look like others, or strings that look like keys
    '{"a\\\\": 1, "a": 2}', '{"a": "x\\":y", "b": 1}', '{"a": ":", "b": ":"}', '{":": ":", "::": "::"}',
    '{"a": "\\u003a", "b": "\\u0022"}', '{"a" : 1, "b"\n:2}', '{"a": "\\\\", "b\\\\": "\\\\\\""}',
    '{"q": "he said \\"no\\": twice", "r": "\\":\\":"}', '{"a": 1, "A": 2}', '{"a": {"a": {"a": 1}}}',
    '[{"a": 1}, {"a": 1}]', '{"": 1, " ": 2}',
    '{"é": "ü", "\\u00e9x": "\\ud83d\\ude00", "k": "\\n\\t\\/\\b\\f\\r\\u0000"}', '["\x7f"]', '["\\ud800"]',
    '["\ud800"]', '{"date": "2026-01-05T10:00", "id": "3e4f-0001", "phone": "0123456789012345"}',
    # numbers within the limits, each the type it is today
    '[-0.0]', '[-0]', '[0.0]', '[0]', '[1.0]', '[1]', '[1E2]', '[1e+2]', '[1.5e-3]', '[1e-400]',
    '[-1e-999]', '[0e5]', '[-0e5]', f'[{MAX_NUMBER_MAGNITUDE}]', f'[{-MAX_NUMBER_MAGNITUDE}]', '[1e12]',
    '[1000000000000.0]', '[999999999999.999]',
    '[999999999999]', '[-999999999999.5]', '[0.100000000000000]', '[0.000000000000000000001]',
    '[123456789012.5, 0.1, 0.3, 2.675, 1.005, 4.35, -7.1]', '[true, false, null, {}, []]',
    # nesting: within both readers, and where orjson re-encodes no further
    '[' * 100 + ']' * 100, '[' * 254 + ']' * 254, '[' * 300 + ']' * 300, '{"a":' * 300 + '1' + '}' * 300,
    ' {}', '\n[]\n', '\t{"a": 1}\r\n',
]


@pytest.mark.parametrize("text", REFUSED)
def test_what_the_hooks_refuse_is_refused(text):
    assert assert_same(text) is None


@pytest.mark.parametrize("text", TAKEN)
def test_what_the_hooks_read_is_read_the_same(text):
    assert assert_same(text) is not None


def test_numbers_as_written_come_out_as_the_hooks_make_them():
    rng = random.Random(5)
    numbers = []
    for _ in range(3000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 17))).lstrip("0") or "0"
        point = rng.randint(0, len(digits))
        mantissa = digits if point == 0 else (digits[:point] or "0") + "." + (digits[point:] or "0")
        exponent = rng.choice(["", "", f"e{rng.randint(-400, 400)}", f"E+{rng.randint(0, 20)}"])
        numbers.append(rng.choice(["", "-"]) + mantissa + exponent)
    for number in numbers:
        assert_same(f'{{"n": {number}}}')
    assert_same("[" + ", ".join(numbers) + "]")


def test_numbers_read_by_orjson_are_the_hooks_numbers(monkeypatch):
    """Numbers written with at most 12 digits and points, the ones orjson's reading is taken
    for: the same int, or the same nearest double as float(Decimal(text))."""
    rng = random.Random(3)
    numbers = []
    for _ in range(20_000):
        whole = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 12))).lstrip("0") or "0"
        fraction = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, max(0, 11 - len(whole)))))
        numbers.append(rng.choice(["", "-"]) + whole + ("." + fraction if fraction else ""))
    text = "[" + ",".join(numbers) + "]"
    expected = typed(_load_json_with_hooks(text))
    monkeypatch.setattr(source, "_load_json_with_hooks", not_asked)
    assert typed(load_json_quickly(text)) == expected


def test_objects_with_keys_and_strings_like_keys_are_read_the_same():
    """Objects of keys chosen from a few that differ only in escapes, quotes and colons (so often
    written twice, at any depth), with strings like keys as values and spaces anywhere."""
    rng = random.Random(11)
    keys = ['"a"', '"\\u0061"', '"a\\\\"', '"\\":"', '":"', '"::"', '"a\\":"', '"\\\\\\""', '": "']
    values = ['1', '-0.0', '"\\":"', '":"', '" :"', '"x\\u003ay"', '"\\u0022:"', '"\\\\"', '""']
    spaces = ["", "", " ", "\n ", "\t"]

    def members(depth):
        return ",".join(rng.choice(spaces) + rng.choice(keys) + rng.choice(spaces) + ":" + rng.choice(spaces)
                        + value(depth + 1) for _ in range(rng.randint(0, 3)))

    def value(depth):
        kind = rng.random()
        if depth > 3 or kind < 0.4:
            return rng.choice(values)
        if kind < 0.55:
            return "[" + ",".join(value(depth + 1) for _ in range(rng.randint(0, 3))) + "]"
        return "{" + members(depth) + "}"

    refused = 0
    for _ in range(4000):
        text = "{" + members(0) + "}" if rng.random() < 0.8 else "[" + value(0) + "]"
        refused += assert_same(text) is None
    assert 500 < refused < 3500  # many written twice, many not


def test_mutated_documents_are_read_the_same():
    """Characters that matter to JSON, keys and numbers inserted, doubled and removed at random."""
    rng = random.Random(7)
    seeds = ['{"a": 1, "b": [1.5, "x:y"], "c": {"d": null, "e": "\\u00e9"}}',
             '{"k\\\\": "\\"", "n": -0.0, "m": 123456789012, "s": ":"}', '[{"a": 1}, {"a": 2}, []]']
    pieces = ['"', ':', '\\', ',', '{', '}', '[', ']', ' ', '\n', '0', '1', '9', '.', 'e', '-', '+', 'u', 'a',
              '"a": 1, ', '"a":', '\\"', '\\u003a', '\\u0022', '1e400', 'NaN', '9999999999999']
    for _ in range(6000):
        text = rng.choice(seeds)
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(text))
            if rng.random() < 0.3:
                text = text[:at] + text[at + rng.randint(1, 3):]
            else:
                text = text[:at] + rng.choice(pieces) + text[at:]
        assert_same(text)


def test_generated_cases_are_read_the_same_and_quickly(monkeypatch):
    """Typical case documents, compact and indented, all take orjson's reading (the hooks, made
    to fail here, are never asked), and it is the hooks' reading."""
    documents = [document for document, _as_of in bench_cases.cases(500)]
    texts = [json.dumps(document) for document in documents] + [json.dumps(document, indent=1)
                                                                  for document in documents[:100]]
    expected = [typed(_load_json_with_hooks(text)) for text in texts]
    monkeypatch.setattr(source, "_load_json_with_hooks", not_asked)
    assert [typed(load_json_quickly(text)) for text in texts] == expected
    assert all(value is not None for value in expected)


TWICE = [  # a key written twice, at any depth, however it is written (plainly or not)
    '{"a": 1, "a": 2}', '{"a":1,"a":1}', '{"x": [{"b": 1, "b": 1}]}', '{"x": {"y": {"z": 1, "z": 2}}}',
    '{"a":' * 50 + '{"d": 1, "d": 2}' + '}' * 50, '{":a": 1, ":a": 2}', '{"a": ":", "a": ":"}', '{":": 1, ":": 2}',
    '{"a" :1, "b": 2, "a":3}', '{"a": 1,\n"a"\n: 2}', '{"a":[{"b":":"},{"b":":","b":":"}]}', '{"a": ":", "a": 1}',
    '{"a": 1, "\\u0061": 2}', '{"a\\\\": 1, "a\\\\": 2}', '{"a": "x\\":y", "a": 1}', '{"a": 1, "a": "\\u003a"}',
]


@pytest.mark.parametrize("text", TWICE)
def test_plain_json_never_takes_a_key_written_twice(text):
    assert _load_json_with_hooks(text) is None and load_plain_json(text) is None


def test_generated_cases_are_read_plainly(monkeypatch):
    """Typical case documents, compact and as json.dumps writes them, are decoded by
    load_plain_json alone, to the hooks' reading."""
    documents = [document for document, _as_of in bench_cases.cases(300)]
    texts = [json.dumps(document) for document in documents] + [
        json.dumps(document, separators=(",", ":")) for document in documents[:100]]
    assert [typed(load_plain_json(text)) for text in texts] == [typed(_load_json_with_hooks(text)) for text in texts]
