"""The case reader's quick way through a plainly valid case; the general reader is the reference.

Reading a case is a good part of evaluating one (a national re-evaluation reads 84,150 of them),
and nearly every event other systems send is plainly valid: known keys, a YYYY-MM-DD date, each
field a value of its kind. For such an event one precomputed test per field (a set of allowed
values, a type, a range) says so, and its fields are built directly. A whole history is read in
one loop (plain_events), and a case's child and first placement likewise (plain_child,
plain_placement): hearth.engine.case reads a plainly valid decoded document with these alone.
Anything else, or anything in doubt (a value that is not exactly a str, int, bool or list; a
date with a time; a float; a missing required field), is left to hearth.engine.case's general
reader, which reads it again from the start and says what is wrong and where. So this module
only decides that an event is fine and gives the same fields the general reader would; it never
reports a problem. tests/test_case_reader_fast.py checks the two agree, on good and hostile
documents.
"""
from __future__ import annotations

import weakref
from datetime import date
from functools import partial
from typing import Any

from hearth.rules.limits import MAX_NUMBER_MAGNITUDE, MAX_REF_LENGTH, MAX_TEXT_LENGTH, text_problem
from hearth.rules.source import plain_date

from .lru import Memo
from .vocabulary import Vocabulary

# How a field's value is tested (the kinds of hearth.engine.vocabulary.FIELD_KINDS, grouped).
_ONE_OF, _DATE, _BOOLEAN, _NUMBER, _LIST_OF, _TEXT = range(6)

# The plans made for each vocabulary, by its identity (a Vocabulary is a mutable dataclass, so
# not hashable), with a weak reference to it: they go when it goes (a policy read again after
# a change has a new vocabulary), so its identity is never taken for another's.
_PLANS: dict[int, tuple[weakref.ref, tuple, dict]] = {}

# Days written YYYY-MM-DD, as plain_date reads them (None for a text that is none): the same few
# hundred days recur across a batch of cases, so its answers are remembered, at most 40,000 of
# them (over a hundred years of days). Only texts of ten characters are asked.
_DAYS = Memo(plain_date, 40_000)


def day_of(text: Any) -> date | None:
    """plain_date's answer for a str (None for anything else), remembered."""
    return _DAYS[text] if type(text) is str and len(text) == 10 else None


def event_plans(vocab: Vocabulary) -> dict:
    """Each event type's plan: (the keys its events may have, its fields' tests in the order the
    general reader builds them, whether any field is required). A test is (name, required, how,
    what it needs, whether every later field is optional): an event whose every key has been
    read need not look for the rest. Made once per vocabulary; a vocabulary changed since (a
    word added) gets new plans. A type with a field named `type` or `on` (which no vocabulary
    has) gets none: its events are left to the general reader."""
    size, key = _size(vocab), id(vocab)
    found = _PLANS.get(key)
    if found is not None and found[0]() is vocab and found[1] == size:
        return found[2]
    plans = {}
    for etype in vocab.event_types:
        specs = vocab.event_fields(etype)
        if "type" in specs or "on" in specs:
            continue
        required = [spec.required for spec in specs.values()]
        tests = tuple((name, spec.required, *_test(vocab, spec), not any(required[number + 1:]))
                      for number, (name, spec) in enumerate(specs.items()))
        plans[etype] = (frozenset(("type", "on") + tuple(specs)), tests, any(required))
    _PLANS[key] = (weakref.ref(vocab, partial(_forget, key)), size, plans)
    return plans


def _forget(key: int, gone: weakref.ref) -> None:
    """A vocabulary's plans go with it (unless plans for a newer one already took its place)."""
    found = _PLANS.get(key)
    if found is not None and found[0] is gone:
        _PLANS.pop(key, None)


def _size(vocab: Vocabulary) -> tuple:
    """What would change a plan if a vocabulary gained words after it was read."""
    return (len(vocab.event_types), len(vocab.common_event_fields), len(vocab.roles), len(vocab.parties),
            len(vocab.actions), len(vocab.placement_types))


def _test(vocab: Vocabulary, spec) -> tuple:
    """How a field's value is tested, as the general reader's value() reads its kind: (the test,
    what it needs)."""
    kind = spec.kind
    if kind == "role":
        return _ONE_OF, frozenset(vocab.roles) | (frozenset(vocab.parties) if spec.parties else frozenset())
    if kind == "action":
        return _ONE_OF, frozenset(vocab.actions)
    if kind == "placement_type":
        return _ONE_OF, frozenset(vocab.placement_types)
    if kind == "choice":
        return _ONE_OF, frozenset(spec.values)  # text, as the vocabulary reader keeps them
    if kind == "date":
        return _DATE, None
    if kind == "boolean":
        return _BOOLEAN, None
    if kind == "number":
        low = -MAX_NUMBER_MAGNITUDE if spec.min is None else max(-MAX_NUMBER_MAGNITUDE, spec.min)
        high = MAX_NUMBER_MAGNITUDE if spec.max is None else min(MAX_NUMBER_MAGNITUDE, spec.max)
        return _NUMBER, (low, high)
    if kind == "roles":
        return _LIST_OF, frozenset(vocab.roles)
    return _TEXT, spec.max_length or MAX_TEXT_LENGTH  # the general reader reads any other kind as text


def plain_event(node: Any, plans: dict) -> tuple | None:
    """(type, day, fields) of an event that is plainly valid, as the general reader reads it;
    None when it is not, or may not be (the general reader then reads it and says why)."""
    read = plain_events((node,), plans)
    if read is None:
        return None
    day, _, etype, fields = read[0]
    return etype, day, fields


def plain_events(nodes: list | tuple, plans: dict) -> list | None:
    """(day, position, type, fields) of each event of a history that is plainly valid, as the
    general reader reads it; None when one is not, or may not be (the general reader then reads
    the history and says why). One loop with its names at hand: a national re-evaluation reads
    some 1.7 million events."""
    out = []
    days = _DAYS
    for position, node in enumerate(nodes):
        if not isinstance(node, dict):  # a located mapping (LMap) too, read from YAML
            return None
        etype = node.get("type")
        if type(etype) is not str:
            return None
        plan = plans.get(etype)
        if plan is None:
            return None
        on = node.get("on")
        day = days.get(on) if type(on) is str else None
        if day is None:
            day = day_of(on)
            if day is None:
                return None
        allowed, tests, any_required = plan
        unread = len(node) - 2  # the keys besides type and on not yet read as a field
        fields = {}
        if unread or any_required:
            for name, required, test, needs, rest_optional in tests:
                raw = node.get(name)
                if raw is None:  # a field given as null is not given
                    if required:
                        return None
                    continue
                if test == _ONE_OF:
                    if type(raw) is not str or raw not in needs:
                        return None
                elif test == _DATE:
                    raw = days.get(raw) if type(raw) is str else None
                    if raw is None:
                        raw = day_of(node[name])
                        if raw is None:
                            return None
                elif test == _BOOLEAN:
                    if raw is not True and raw is not False:
                        return None
                elif test == _NUMBER:
                    if type(raw) is not int or not needs[0] <= raw <= needs[1]:
                        return None
                elif test == _LIST_OF:
                    if type(raw) is not list:
                        return None
                    for item in raw:
                        if type(item) is not str or item not in needs:
                            return None
                    raw = tuple(raw)
                elif type(raw) is not str or not _storable(raw, needs):
                    return None
                fields[name] = raw
                unread -= 1
                if not unread and rest_optional:
                    break
            # a key left unread is not a field of the type, or a field given as null
            if unread and not node.keys() <= allowed:
                return None
        out.append((day, position, etype, fields))
    return out


def _storable(text: str, limit: int) -> bool:
    """text_problem(text, limit) is None: short enough, no control characters or unpaired
    surrogates. Printable text has none (str.isprintable is a fraction of the regular
    expression's cost); other text (a tab, a newline, an accent...) is asked of text_problem."""
    return (len(text) <= limit and text.isprintable()) or text_problem(text, limit) is None


def plain_child(node: Any) -> dict | None:
    """The case's `child` as the general reader reads it when it is plainly valid (a text ref, a
    YYYY-MM-DD date of birth, nothing else); None when it is not, or may not be."""
    if node is None:
        return {}
    if type(node) is not dict:
        return None
    out = {}
    ref, born = node.get("ref"), node.get("date_of_birth")
    if ref is not None:
        if type(ref) is not str or not _storable(ref, MAX_REF_LENGTH):
            return None
        out["ref"] = ref
    if born is not None:
        born = day_of(born)
        if born is None:
            return None
        out["date_of_birth"] = born
    return out if len(node) == len(out) else None  # another key, or one given as null


def plain_placement(node: Any, types) -> dict | None:
    """The case's first `placement` as the general reader reads it when it is plainly valid (a
    type of ``types``, a YYYY-MM-DD start, true or false for emergency, nothing else); None when
    it is not, or may not be."""
    if type(node) is not dict:
        return None
    kind = node.get("type")
    if type(kind) is not str or kind not in types:
        return None
    out = {"type": kind}
    started, emergency = node.get("started"), node.get("emergency")
    if started is not None:
        started = day_of(started)
        if started is None:
            return None
        out["started"] = started
    if emergency is not None:
        if emergency is not True and emergency is not False:
            return None
        out["emergency"] = emergency
    return out if len(node) == len(out) else None  # another key, or one given as null
