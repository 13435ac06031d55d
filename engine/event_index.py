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

from hearth.rules.conditions import fields_hold, test_holds

from .case import Event

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
            lists = by_type.get(types[0])
            pool = None if lists is None else lists[0]
        else:
            present = [by_type[t] for t in dict.fromkeys(types) if t in by_type]
            if not present:  # none of its types happened: nothing to look at
                pool = None
            elif len(present) == 1:  # several names of one type
                pool = present[0][0]
            else:  # each list is in history order: sorting their concatenation by position merges the runs
                pool = sorted(chain.from_iterable(p[0] for p in present), key=_SEQ)
        where = spec.where
        if pool is None:
            lists = EMPTY
        elif not where:
            lists = present[0] if len(present) == 1 else (pool, [e.on for e in pool], [e.seq for e in pool])
        else:
            if len(where) == 1:  # the commonest: one test, asked without fields_hold's loop
                test = where[0]
                events = [e for e in pool if test_holds(test, e.record)]
            else:
                events = [e for e in pool if fields_hold(where, e.record)]
            lists = (events, [e.on for e in events], [e.seq for e in events]) if events else EMPTY
        # A spec is asked about again and again in one evaluation: its answer is kept, with the
        # spec beside it, so its id names no other while the index lives.
        self._found[id(spec)] = (lists, spec)
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
