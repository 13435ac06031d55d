"""The case reader's quick way through a plainly valid event; the general reader is the reference.

Reading a case is a good part of evaluating one (a national re-evaluation reads 84,150 of them),
and nearly every event other systems send is plainly valid: known keys, a YYYY-MM-DD date, each
field a value of its kind. For such an event one precomputed test per field (a set of allowed
values, a type, a range) says so, and its fields are built directly. Anything else, or anything
in doubt (a value that is not exactly a str, int, bool or list; a date with a time; a float; a
missing required field), is left to hearth.engine.case's general reader, which reads the event
again from the start and says what is wrong and where. So this module only decides that an
event is fine and gives the same fields the general reader would; it never reports a problem.
tests/test_case_reader_fast.py checks the two agree, on good and hostile documents.
"""
from __future__ import annotations

import weakref
from datetime import date
from functools import lru_cache, partial
from typing import Any

from hearth.rules.limits import MAX_NUMBER_MAGNITUDE, MAX_TEXT_LENGTH, text_problem
from hearth.rules.source import plain_date

from .vocabulary import Vocabulary

# How a field's value is tested (the kinds of hearth.engine.vocabulary.FIELD_KINDS, grouped).
_ONE_OF, _DATE, _BOOLEAN, _NUMBER, _LIST_OF, _TEXT = range(6)

# The plans made for each vocabulary, by its identity (a Vocabulary is a mutable dataclass, so
# not hashable), with a weak reference to it: they go when it goes (a policy read again after
# a change has a new vocabulary), so its identity is never taken for another's.
_PLANS: dict[int, tuple[weakref.ref, tuple, dict]] = {}

# Days written YYYY-MM-DD, as plain_date reads them: the same few hundred days recur across a
# batch of cases, so its answers are remembered. Only texts of ten characters are asked, as no
# other text is such a day: a long text is never kept.
_plain_day = lru_cache(maxsize=40_000)(plain_date)


def day_of(text: Any) -> date | None:
    """plain_date's answer for a str (None for anything else), remembered."""
    return _plain_day(text) if type(text) is str and len(text) == 10 else None


def event_plans(vocab: Vocabulary) -> dict:
    """Each event type's plan: (the keys its events may have, its fields' tests in the order the
    general reader builds them). Made once per vocabulary; a vocabulary changed since (a word
    added) gets new plans."""
    size, key = _size(vocab), id(vocab)
    found = _PLANS.get(key)
    if found is not None and found[0]() is vocab and found[1] == size:
        return found[2]
    plans = {}
    for etype in vocab.event_types:
        specs = vocab.event_fields(etype)
        tests = tuple((name, spec.required, *_test(vocab, spec)) for name, spec in specs.items())
        plans[etype] = (frozenset(("type", "on") + tuple(specs)), tests)
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
    if not isinstance(node, dict):
        return None
    etype = node.get("type")
    if type(etype) is not str:
        return None
    plan = plans.get(etype)
    if plan is None:
        return None
    allowed, tests = plan
    if not node.keys() <= allowed:
        return None
    day = day_of(node.get("on"))
    if day is None:
        return None
    fields = {}
    for name, required, test, needs in tests:
        raw = node.get(name)
        if raw is None:  # a field given as null is not given
            if required:
                return None
            continue
        if test == _ONE_OF:
            if type(raw) is not str or raw not in needs:
                return None
        elif test == _DATE:
            raw = day_of(raw)
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
        elif type(raw) is not str or text_problem(raw, needs) is not None:
            return None
        fields[name] = raw
    return etype, day, fields
