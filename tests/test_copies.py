"""hearth.engine.copies: a part of an answer copied (by marshal, then by a compiled literal) is
equal to it, shares no dict or list with it or another copy, and anything not plain JSON is refused."""
from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings, strategies as st

from hearth.engine import copies
from hearth.engine.copies import Copier, literal_copier

_SCALARS = st.none() | st.booleans() | st.integers() | st.text() \
    | st.floats(allow_nan=False, allow_infinity=False)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=30)


def _containers(value, found: list) -> list:
    if isinstance(value, (dict, list)):
        found.append(value)
        for item in value.values() if isinstance(value, dict) else value:
            _containers(item, found)
    return found


@settings(max_examples=200, deadline=None)
@given(_VALUES)
def test_a_copy_is_equal_and_shares_no_container(value):
    copy = literal_copier(value)
    first, second = copy(), copy()
    assert first == value and second == value
    assert json.dumps(first) == json.dumps(value)  # the same order of keys, the same types
    originals = {id(c) for c in _containers(value, [])}
    for made in (first, second):
        assert not originals & {id(c) for c in _containers(made, [])}
    assert not {id(c) for c in _containers(first, [])} & {id(c) for c in _containers(second, [])}


def test_hostile_text_is_copied_as_written():
    text = "'\"\\\n\x00 }); __import__('os') # \u2028 \ud800 é"
    assert literal_copier({text: [text, {"k": text}]})() == {text: [text, {"k": text}]}


@pytest.mark.parametrize("value", [float("nan"), math.inf, {1: "a"}, {"a": (1, 2)}, {"a": {1, 2}}, b"x", [object()]])
def test_anything_not_plain_json_is_refused(value):
    with pytest.raises(TypeError):
        literal_copier(value)


def test_a_copier_turns_to_the_literal_once_used_often_and_its_copies_stay_the_same(monkeypatch):
    monkeypatch.setattr(copies, "LITERAL_AFTER", 3)
    value = {"chair": {"options": ["iro", "manager"], "because": "it's 'quoted'"}, "n": [1, 2.5, None, True]}
    copy = Copier(value)
    made = [copy() for _ in range(6)]
    assert copy._literal is not None  # compiled after the third copy
    assert all(m == value for m in made)
    assert len({id(m) for m in made} | {id(m["chair"]) for m in made}) == 12  # no two share a container


def test_a_value_marshal_cannot_write_is_not_kept():
    with pytest.raises(copies.NOT_COPIED):
        Copier({"a": object()})



def test_a_later_part_is_itself_to_readers_and_makes_its_copier_only_when_a_copy_is_asked(monkeypatch):
    """copies.Later (CompiledPolicy.part): a caller that only reads gets the part itself, and no
    copier is made for it; the first copy makes one, and every copy is a copy of the part."""
    made = []
    monkeypatch.setattr(copies, "copier", lambda value, pieces: made.append(value) or Copier(value, shared=True))
    part = {"chair": {"options": ["a"]}, "because": ["x"]}
    later = copies.Later(part, {})
    assert later.shared() is part and later.shared() is part and made == []
    first, second = later(), later()
    assert first == second == part and first is not part and first["chair"] is not second["chair"]
    assert made == [part], "one copier, made at the first copy"


def test_a_later_part_that_is_not_plain_json_is_copied_the_slow_way():
    part = {"when": object(), "list": [1]}
    later = copies.Later(part, {})
    copy = later()
    assert copy["when"] is not part["when"] and copy["list"] == [1] and copy["list"] is not part["list"]


def test_a_value_given_as_the_shared_copy_is_the_one_shared_and_every_call_copies_it():
    value = {"chair": {"options": ["a"]}, "because": ["x"]}
    copier, decoded = Copier(value, shared=True), Copier(value)
    assert copier.shared() is value and copier.shared() is value  # not decoded again
    assert decoded.shared() is not value and decoded.shared() == value
    copy = copier()
    assert copy == value and not {id(c) for c in _containers(copy, [])} & {id(c) for c in _containers(value, [])}


class _PieceMark(int):
    """Where a structure holds one of the pieces (which one: the number, modulo how many)."""


def _made_of(pieces, structure):
    """A value of ``structure`` whose _PieceMark leaves are the shared pieces themselves."""
    if isinstance(structure, _PieceMark):
        return pieces[structure % len(pieces)]
    if isinstance(structure, list):
        return [_made_of(pieces, item) for item in structure]
    if isinstance(structure, dict):
        return {key: _made_of(pieces, item) for key, item in structure.items()}
    return structure


_PIECE_MARKS = st.integers(0, 5).map(_PieceMark)
_STRUCTURES = st.recursive(_SCALARS | _PIECE_MARKS, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=4), _VALUES, min_size=1, max_size=3), min_size=1, max_size=6),
       st.lists(_STRUCTURES, min_size=1, max_size=3))
def test_a_value_made_of_shared_pieces_is_copied_whole_and_shares_nothing(pieces, structures):
    """copies.Composed: what CompiledPolicy.part gives a decided part, made of the policy's pieces."""
    copiers = {id(piece): (piece, Copier(piece)) for piece in pieces}
    values = [_made_of(pieces, structure) for structure in structures]
    kept = json.dumps([pieces, values])
    composed = [copies.Composed(value, copiers) for value in values]
    made = [copy() for copy in composed for _ in range(2)]
    for value, first, second in zip(values, made[::2], made[1::2]):
        assert json.dumps(first) == json.dumps(value) == json.dumps(second)  # the same keys, in order, the same types
    shared = {id(c) for c in _containers([pieces, values], [])}
    seen: set = set()
    for copy in made:
        mine = {id(c) for c in _containers(copy, [])}
        assert not mine & shared, "a copy shares a list or dict with the pieces or the value"
        assert not mine & seen, "two copies share a list or dict"
        seen |= mine
    for copy in made:  # changing every copy changes neither the pieces nor the values
        for container in _containers(copy, []):
            container.clear()
    assert json.dumps([pieces, values]) == kept
    assert all(c.shared() is value for c, value in zip(composed, values))


def test_a_list_of_pieces_alone_is_copied_by_one_copier_that_every_value_holding_it_shares():
    pieces = [{"id": "respite"}, {"id": "mentor"}]
    copiers = {id(piece): (piece, Copier(piece)) for piece in pieces}
    first = copies.Composed({"chair": "iro", "interventions": list(pieces)}, copiers)
    second = copies.Composed({"chair": "manager", "interventions": list(pieces)}, copiers)
    assert [key for key in copiers if isinstance(key, tuple)] == [tuple(map(id, pieces))]
    assert first()["interventions"] == second()["interventions"] == pieces


def test_lists_of_pieces_are_kept_only_up_to_a_bound_and_copied_alike_past_it(monkeypatch):
    monkeypatch.setattr(copies, "MOST_KEPT", 3)
    pieces = [{"id": str(number)} for number in range(4)]
    copiers = {id(piece): (piece, Copier(piece)) for piece in pieces[:2]}  # two pieces: room for one list
    kept = copies.Composed({"interventions": pieces[:1]}, copiers)
    past = copies.Composed({"interventions": pieces[:2]}, copiers)
    assert len(copiers) == 3, "the first list is kept, the second is not"
    assert kept()["interventions"] == pieces[:1] and past()["interventions"] == pieces[:2]
