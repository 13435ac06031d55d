"""A child's history indexed by event type, once per evaluation.

Deadlines and duties ask the same questions of the history again and again: which events
start one, which meet, plan, move or waive it. Each type's events are listed once, in history
order (so by day too), and an event spec's events are the merge of its types' lists, found
once; whoever asks then bisects by day or by position instead of walking the whole history,
so an evaluation's cost grows with its events, not with events times deadlines.
"""
from __future__ import annotations

from bisect import bisect_right
from itertools import chain
from operator import attrgetter
from typing import Callable

from hearth.rules.conditions import VALUE_OPS, field_value

from .case import Event
from .lru import Memo

_SEQ = attrgetter("seq")


EMPTY: tuple = ((), (), ())  # the answer for events that did not happen: no events, days or positions


class EventIndex:
    def __init__(self, events: list[Event]):
        # each type's events with their days and positions, in one pass over the history: read
        # it (history.counter does), never change it
        self.by_type: dict[str, tuple[list, list, list]] = {}
        by_type = self.by_type
        for event in events:
            found = by_type.get(event.type)
            if found is None:  # most types happen once: their lists made whole
                by_type[event.type] = ([event], [event.on], [event.seq])
            else:
                found[0].append(event)
                found[1].append(event.on)
                found[2].append(event.seq)
        self._found: dict = {}

    def matching(self, spec) -> tuple[list[Event], list, list[int]]:
        """The events of ``spec``'s types (an EventSpec: types and where) whose fields hold, in
        history order, with their days and positions (both ascending, for bisection). What is
        given is shared by every caller: read it, never change it."""
        by_type = self.by_type
        types = spec.types
        if len(types) == 1 and not spec.where:  # the commonest: one type's own lists, if it happened
            return by_type.get(types[0], EMPTY)
        found = self._found.get(id(spec))
        if found is not None:
            return found[0]
        if len(types) == 1:  # one type, with a where: no merge to make
            lists = by_type.get(types[0], EMPTY)
        else:  # the events of several types: merged once for every spec that names those types
            lists = self._merged(types)
        if spec.where and lists[0]:
            holds = where_test(spec)
            events = [e for e in lists[0] if holds(e)]
            lists = (events, [e.on for e in events], [e.seq for e in events]) if events else EMPTY
        # A spec is asked about again and again in one evaluation: its answer is kept, with the
        # spec beside it, so its id names no other while the index lives.
        self._found[id(spec)] = (lists, spec)
        return lists

    def _merged(self, types: tuple) -> tuple[list, list, list]:
        """The events of these types, in history order, with their days and positions: merged
        once per evaluation, for every spec that names those types."""
        found = self._found.get(types)
        if found is not None:
            return found
        by_type = self.by_type
        present = [by_type[t] for t in dict.fromkeys(types) if t in by_type]
        if not present:  # none of its types happened: nothing to look at
            lists = EMPTY
        elif len(present) == 1:  # one of them happened (or several names of one type)
            lists = present[0]
        else:  # each list is in history order: sorting their concatenation by position merges the runs
            pool = sorted(chain.from_iterable(p[0] for p in present), key=_SEQ)
            lists = (pool, [e.on for e in pool], [e.seq for e in pool])
        self._found[types] = lists
        return lists

    def latest_seq(self, types: tuple, limit: int, until) -> int:
        """The position of the latest event of these types at or before position ``limit`` and day
        ``until`` (-1 if none): each type's list bisected, no walk and nothing built."""
        latest = -1
        by_type = self.by_type
        for event_type in types:
            found = by_type.get(event_type)
            if found is not None:
                _, days, seqs = found
                last = min(bisect_right(seqs, limit), bisect_right(days, until)) - 1
                if last >= 0 and seqs[last] > latest:
                    latest = seqs[last]
        return latest


def where_test(spec) -> Callable[[Event], bool]:
    """Whether an event holds for a spec's ``where`` (an EventSpec's or an EventCond's), as
    fields_hold(spec.where, event.record) says (hearth.rules.conditions.VALUE_OPS: each test's
    operation), made once per spec. Each field is read from the placement in force, then from the
    event's own fields, as Event.record merges them, so no record is made for a `where`
    (tests/test_where_test.py checks the two agree)."""
    found = _where_tests.get(id(spec))
    if found is not None and found[1] is spec:
        return found[0]
    tests = []
    for test in spec.where:
        if test.op not in VALUE_OPS:
            raise ValueError(f"unknown test {test.op}")
        # a path without a dot names no mapping to look into: absent from both, it has no value
        tests.append((test.path, VALUE_OPS[test.op], test.value, "." in test.path))

    def holds(event: Event) -> bool:
        placement, fields = event.placement, event.fields
        for path, operation, want, dotted in tests:
            value = placement.get(path, _ABSENT)
            if value is _ABSENT:
                value = fields.get(path)
                if value is None and dotted and path not in fields:  # a path into a mapping, as a record is read
                    value = field_value(event.record, path)
            if not operation(value, want):
                return False
        return True
    # kept by the spec's id, with the spec beside it, so the id names no other while it is kept
    _where_tests.keep(id(spec), (holds, spec))
    return holds


_ABSENT = object()
# each spec's test, for at most 4,096 specs at once (a council's policy names a few dozen)
_where_tests = Memo(None, 4096)
