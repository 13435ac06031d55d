"""YAML is read within a budget: a few hundred bytes of aliases, deep nesting or a huge file
is a located error at once, never a hang or a crash (issue 8, finding 1)."""
import time

import pytest

from hearth.rules import limits
from hearth.rules import source
from hearth.rules.source import LList, LMap, SourceError, load_yaml, parse_date

LEVELS = "abcdefgh"


def alias_bomb(levels: int = 8, width: int = 9) -> str:
    lines = [f"a: &a [{', '.join(['lol'] * width)}]"]
    for previous, name in zip(LEVELS, LEVELS[1:levels]):
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * width)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_quickly_with_its_line():
    text = alias_bomb()
    assert len(text) < 400
    started = time.perf_counter()
    with pytest.raises(SourceError) as caught:
        load_yaml(text, "bomb.yaml")
    assert time.perf_counter() - started < 2
    problem = caught.value.problems[0]
    assert problem.loc.file == "bomb.yaml" and problem.loc.line > 1
    assert f"{limits.MAX_YAML_NODES:,}" in problem.message


def test_a_few_aliases_are_still_fine():
    data = load_yaml(alias_bomb(levels=3, width=3), "ok.yaml")
    assert data["c"] == [[["lol"] * 3] * 3] * 3


def test_a_value_that_contains_itself_is_refused():
    with pytest.raises(SourceError, match="cannot contain itself"):
        load_yaml("a: &a [1, *a]\n", "loop.yaml")


def test_nesting_past_the_depth_limit_is_refused():
    deep = "[" * (limits.MAX_YAML_DEPTH + 5) + "1" + "]" * (limits.MAX_YAML_DEPTH + 5)
    with pytest.raises(SourceError, match=f"more than {limits.MAX_YAML_DEPTH} deep"):
        load_yaml(f"a: {deep}\n", "deep.yaml")
    shallow = "[" * 10 + "1" + "]" * 10
    assert load_yaml(f"a: {shallow}\n", "ok.yaml")["a"]


def test_very_deep_nesting_does_not_crash_the_reader():
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(SourceError):
        load_yaml(deep, "deeper.yaml")


def test_a_file_over_the_size_limit_is_refused_before_parsing():
    text = "a: " + "x" * (limits.MAX_YAML_BYTES + 1)
    with pytest.raises(SourceError, match="the limit is"):
        load_yaml(text, "big.yaml")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
def test_dates_outside_1900_to_2100_are_located_errors(day):
    with pytest.raises(ValueError, match="between 1900 and 2100"):
        parse_date(day)



@pytest.mark.parametrize("text,line,column", [
    ("tests:\n  - expect:\n      invitees: {{required: [iro]}}\n", 3, 18),   # braces written twice
    ("? [a, b]\n: c\n", 1, 3),                                               # a complex key
])
def test_a_list_or_mapping_as_a_key_is_located(text, line, column):
    """It was 'The file could not be read as YAML: unhashable type: 'CommentedSeq'', at no line."""
    with pytest.raises(SourceError) as caught:
        load_yaml(text, "keys.yaml")
    [problem] = caught.value.problems
    assert "keys are names" in problem.message
    assert (problem.loc.line, problem.loc.column) == (line, column)


def test_a_text_read_again_is_given_as_a_copy_of_its_own_with_its_places():
    """load_yaml keeps what a text gave (the workspace reads every form again after each change):
    the same text read again gives an equal value with the same places, never the same objects,
    so a caller that changes what it was given changes nothing for the next; a mistake is never
    kept, and the same text under another file name is placed in that file."""
    text = "form: minutes\nsections:\n  - title: About\n    fields: [{id: a, type: text}]\n"
    first = load_yaml(text, "forms/minutes.yaml")
    first["sections"][0]["title"] = "changed by a caller"
    second = load_yaml(text, "forms/minutes.yaml")
    assert second["sections"][0]["title"] == "About"
    read = source._read_yaml(text, "forms/minutes.yaml")  # read afresh, for its places
    assert second == read and places(second) == places(read)
    assert second is not first and second["sections"] is not first["sections"]
    elsewhere = load_yaml(text, "forms/other.yaml")
    assert elsewhere == second and elsewhere["sections"].loc.file == "forms/other.yaml"
    for _ in range(2):
        with pytest.raises(SourceError, match="not valid YAML"):
            load_yaml("a: [1, 2\n", "forms/broken.yaml")


def places(value) -> list:
    """Every place a read value remembers, in order (a mapping's, its keys' and values', a list's and its items')."""
    if isinstance(value, LMap):
        return [value.loc, value.key_locs, value.value_locs] + [place for item in value.values() for place in places(item)]
    if isinstance(value, LList):
        return [value.loc, value.item_locs] + [place for item in value for place in places(item)]
    return []
