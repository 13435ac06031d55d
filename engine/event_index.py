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

from hearth.rules.conditions import fields_hold

from .case import Event

_SEQ = attrgetter("seq")


_NONE: tuple = ((), (), ())


class EventIndex:
    def __init__(self, events: list[Event]):
        # each type's events with their days and positions, in one pass over the history
        self._by_type: dict[str, tuple[list, list, list]] = {}
        for event in events:
            found = self._by_type.get(event.type)
            if found is None:
                found = self._by_type[event.type] = ([], [], [])
            found[0].append(event)
            found[1].append(event.on)
            found[2].append(event.seq)
        self._found: dict = {}

    def matching(self, spec) -> tuple[list[Event], list, list[int]]:
        """The events of ``spec``'s types (an EventSpec: types and where) whose fields hold, in
        history order, with their days and positions (both ascending, for bisection). What is
        given is shared by every caller: read it, never change it."""
        found = self._found.get(id(spec))
        if found is not None:
            return found[0]
        by_type = self._by_type
        types = spec.types
        if len(types) == 1 and not spec.where:  # the commonest: one type's own lists, if it happened
            lists = by_type.get(types[0], _NONE)
        else:
            present = [by_type[t] for t in dict.fromkeys(types) if t in by_type]
            if not present:  # none of its types happened: nothing to look at
                lists = _NONE
            elif len(present) == 1 and not spec.where:  # several names of one type
                lists = present[0]
            else:
                # each list is in history order: sorting their concatenation by position merges the runs
                pool = present[0][0] if len(present) == 1 else sorted(chain.from_iterable(p[0] for p in present),
                                                                        key=_SEQ)
                events = [e for e in pool if fields_hold(spec.where, e.record)] if spec.where else pool
                lists = (events, [e.on for e in events], [e.seq for e in events])
        # every answer is kept, the plain ones too: a spec is asked about again and again in one
        # evaluation. The spec is kept beside its answer, so its id names no other while the index lives.
        self._found[id(spec)] = (lists, spec)
        return lists

    def latest_seq(self, types: tuple, limit: int, until) -> int:
        """The position of the latest event of these types at or before position ``limit`` and day
        ``until`` (-1 if none): each type's list bisected, no walk and nothing built."""
        latest = -1
        by_type = self._by_type
        for event_type in types:
            found = by_type.get(event_type)
            if found is not None:
                _, days, seqs = found
                last = min(bisect_right(seqs, limit), bisect_right(days, until)) - 1
                if last >= 0 and seqs[last] > latest:
                    latest = seqs[last]
        return latest
