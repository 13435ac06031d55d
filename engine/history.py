"""Windows, counts and other aggregates over a child's event history.

The engine computes these itself and hands durable_rules plain numbers
(see hearth.rules.compile), so no rule ever joins one fact to another.
"""
from __future__ import annotations

import math
from calendar import monthrange
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

from hearth.rules.conditions import (All, AnyOf, DeadlineIs, EventCond, Fields, FieldTest, Not,
                                     Triggered, describe_test, test_holds)
from hearth.rules.durations import Duration, Unit

from .answer_facts import found_facts
from .calendar import WorkingCalendar
from .case import Case, Event
from .event_index import EMPTY, EventIndex, where_test

NO_LIMIT = 10**9
# How a history condition judged as things stood when its deadline or duty started
# (judged_on: start) is said, in an answer's reasons and on the policy pages alike.
JUDGED_AT_START = " (as things stood when it started)"


@dataclass(slots=True)
class Point:
    """Where a condition is evaluated: a date, how much history it sees, and what started it."""

    on: date
    limit: int = NO_LIMIT          # events with seq <= limit are visible
    anchor: Event | None = None    # the event that started a deadline or duty
    # field paths -> values (case and start.* fields); empty at a point whose rules read none
    record: dict = field(default_factory=dict)


@dataclass
class Context:
    case: Case
    calendar: WorkingCalendar
    index: EventIndex | None = None  # the case's events by type (made here when not given)
    firings: list = field(default_factory=list)      # (seq, trigger id)
    deadline_status: dict = field(default_factory=dict)  # deadline id -> latest status
    _candidates: dict = field(default_factory=dict)
    _of_types: dict = field(default_factory=dict)
    _firing_seqs: dict = field(default_factory=dict)
    _seen: dict = field(default_factory=dict)  # (atom, point) -> what it sees there (history._seen)

    def __post_init__(self) -> None:
        if self.index is None:
            self.index = EventIndex(self.case.events)

    def indexed(self, atom: EventCond) -> tuple:
        """The candidates with their days and positions in the history (both ascending, as the
        history is in order), so a point can bisect to its window instead of walking from the start."""
        if atom.per != "carer":  # the child's own history: its events by type, found once
            return self.index.matching(atom)
        found = self._candidates.get(id(atom))  # by identity: hashing a condition walks all of it
        if found is None:
            pool = self.case.carer_events
            holds = where_test(atom) if atom.where else None
            events = [e for e in pool if e.type in atom.types and (holds is None or holds(e))]
            found = self._candidates[id(atom)] = (events, [e.on for e in events], [e.seq for e in events], atom)
        return found[:3]

    def of_types(self, pool: list, types: tuple) -> tuple:
        """The positions and days of a pool's events of these types (both ascending): found once."""
        key = (id(pool), types)
        found = self._of_types.get(key)
        if found is None:
            events = [e for e in pool if e.type in types]
            found = self._of_types[key] = ([e.seq for e in events], [e.on for e in events], pool)
        return found

    def firing_seqs(self, triggers: tuple) -> list:
        """Where these triggers (all: ()) fired, ascending; found again only when more have fired."""
        key = (triggers, len(self.firings))
        found = self._firing_seqs.get(key)
        if found is None:
            found = self._firing_seqs[key] = sorted(seq for seq, tid in self.firings
                                                    if not triggers or tid in triggers)
        return found

    def window_start(self, point: date, duration: Duration) -> date:
        """window_start(point, duration, calendar), as the calendar's remembered sums give it: the
        duration counted back is the sum of its negative (tests/test_calendar.py checks the two
        agree). Points differ from fact to fact, but the same days recur across cases, so the
        calendar's memory (no Python call when asked again) answers where one evaluation's would not."""
        return self.calendar.add_amount(point, -duration.amount, duration.unit)


def window_start(point: date, duration: Duration, calendar: WorkingCalendar) -> date:
    """The first day inside 'within <duration>' counting back from point, inclusive."""
    if duration.unit == Unit.WORKING_DAYS:
        return calendar.subtract_working_days(point, duration.amount)
    if duration.unit == Unit.HOURS:
        return point - timedelta(days=math.ceil(duration.amount / 24))
    if duration.unit == Unit.MONTHS:
        month = point.month - 1 - duration.amount
        year = point.year + month // 12
        month = month % 12 + 1
        return date(year, month, min(point.day, monthrange(year, month)[1]))
    days = duration.amount * (7 if duration.unit == Unit.WEEKS else 1)
    return point - timedelta(days=days)


def _latest_seq(ctx: Context, events, types, limit: int, until: date) -> int:
    """The latest event of these types visible at a point (-1 if none): 'since' counts after it.
    ``events`` is in history order, so by position and by day: bisected, not walked (the child's
    own history through its index, by type)."""
    if events is ctx.case.events:
        return ctx.index.latest_seq(types, limit, until)
    seqs, days, _ = ctx.of_types(events, types)
    last = min(bisect_right(seqs, limit), bisect_right(days, until)) - 1
    return seqs[last] if last >= 0 else -1


def judged_point(atom, point: Point) -> Point:
    """Where a history condition is judged: at the point, or (`judged_on: start`) as things stood
    when the deadline or duty started: the history up to and including its starting event, on its day."""
    if atom.judged_on == "start" and point.anchor is not None:
        return Point(point.anchor.on, min(point.limit, point.anchor.seq), point.anchor, point.record)
    return point


def latest_firing(ctx: Context, limit: int) -> int:
    """The seq of the event at which a trigger last fired, visible at a point (-1 if none)."""
    seqs = ctx.firing_seqs(())
    last = bisect_right(seqs, limit) - 1
    return seqs[last] if last >= 0 else -1


def _seen(atom: EventCond, point: Point, ctx: Context) -> tuple[list, int, int]:
    """The atom's candidates and the range of them it sees at a point, found once per point: a
    fact counts them, and the explanation of what held looks at the same range again. (Not kept
    for `since_trigger`, whose answer changes as the evaluation finds where triggers fired.)"""
    if atom.since_trigger:
        return _range(atom, point, ctx)
    anchored = point.anchor is not None and (atom.same_day or atom.judged_on == "start")
    key = (id(atom), point.on, point.limit, point.anchor.seq if anchored else None)
    found = ctx._seen.get(key)
    if found is None:
        found = ctx._seen[key] = _range(atom, point, ctx)
    return found


def _range(atom: EventCond, point: Point, ctx: Context) -> tuple[list, int, int]:
    """The atom's candidates and the range of them it sees at a point. The candidates are in
    history order (by position and by day), so 'since', a window, the point's limit and day and
    'same_day' each cut the range by bisection: no walk over the history."""
    if atom.judged_on == "start" and point.anchor is not None:  # judged_point, asked only when it would move
        point = judged_point(atom, point)
    if atom.per == "carer":
        pool, limit = ctx.case.carer_events, NO_LIMIT
        events, days, seqs = ctx.indexed(atom)
    else:  # the child's own history: what ctx.indexed gives, asked of the index itself
        pool, limit = ctx.case.events, point.limit
        events, days, seqs = ctx.index.matching(atom)
    first = 0  # what a window or 'since' leaves out
    if atom.since:
        first = bisect_right(seqs, _latest_seq(ctx, pool, atom.since, limit, point.on))
    if atom.since_trigger:
        first = max(first, bisect_right(seqs, latest_firing(ctx, limit)))
    if atom.within:
        first = max(first, bisect_left(days, ctx.window_start(point.on, atom.within)))
    end = min(bisect_right(seqs, limit), bisect_right(days, point.on))  # what the point cannot see yet
    if atom.same_day:
        if point.anchor is None:
            return events, first, first
        first = max(first, bisect_left(days, point.anchor.on))
        end = min(end, bisect_right(days, point.anchor.on))
    return events, first, max(first, end)


def counter(atom):
    """A function (point, ctx) -> count, giving what atom_value gives for this atom, made once for
    the commonest event conditions -- the child's own history, judged at the point, without
    `same_day` or `since: trigger` -- with the choices _seen and _range make on every call made
    here, once; None for any other atom. A fact counts its atoms at every point (a trigger point
    per event), so this is the engine's innermost loop. What it finds is kept where _seen keeps
    it, under the same key, for the explanation to look at again (tests/test_projection.py
    compares the two on generated cases). Whether a trigger fired (judged at the point) and a
    deadline's status are asked by a function made for each too, without atom_value's questions
    of what kind of atom it is (the "now" fact asks them of every case)."""
    if isinstance(atom, Triggered):
        return None if atom.judged_on == "start" else _fired_counter(atom)
    if isinstance(atom, DeadlineIs):
        deadline, statuses = atom.deadline, atom.statuses
        return lambda point, ctx: int(ctx.deadline_status.get(deadline) in statuses)
    if not isinstance(atom, EventCond) or atom.per == "carer" or atom.judged_on == "start" \
            or atom.same_day or atom.since_trigger:
        return None
    ident, within, since = id(atom), atom.within, atom.since
    # a plain one-type condition's events are its type's lists, as EventIndex.matching gives them
    plain = atom.types[0] if len(atom.types) == 1 and not atom.where else None

    def count(point: Point, ctx: Context) -> int:
        on, limit = point.on, point.limit
        key = (ident, on, limit, None)
        found = ctx._seen.get(key)
        if found is None:
            index = ctx.index
            events, days, seqs = index.matching(atom) if plain is None else index.by_type.get(plain, EMPTY)
            first = bisect_right(seqs, index.latest_seq(since, limit, on)) if since else 0
            if within is not None:
                first = max(first, bisect_left(days, ctx.window_start(on, within)))
            end = min(bisect_right(seqs, limit), bisect_right(days, on))
            found = ctx._seen[key] = (events, first, max(first, end))
        return found[2] - found[1]
    return count


def _fired_counter(atom: Triggered):
    """counter's function for a `triggered` condition judged at the point: atom_value's answer."""
    triggers, since = atom.triggers, atom.since

    def count(point: Point, ctx: Context) -> int:
        limit = point.limit
        after = ctx.index.latest_seq(since, limit, point.on) if since else -1
        seqs = ctx.firing_seqs(triggers)
        return int(bisect_right(seqs, limit) > bisect_right(seqs, after))
    return count


def matching_events(atom: EventCond, point: Point, ctx: Context) -> list[Event]:
    """The events an event/count condition sees at a point, oldest first."""
    events, first, end = _seen(atom, point, ctx)
    return events[first:end]


def atom_value(atom, point: Point, ctx: Context) -> int:
    if isinstance(atom, EventCond):
        _, first, end = _seen(atom, point, ctx)
        return end - first
    if isinstance(atom, Triggered):
        point = judged_point(atom, point)
        after = _latest_seq(ctx, ctx.case.events, atom.since, point.limit, point.on) if atom.since else -1
        seqs = ctx.firing_seqs(atom.triggers)
        return int(bisect_right(seqs, point.limit) > bisect_right(seqs, after))
    if isinstance(atom, DeadlineIs):
        return int(ctx.deadline_status.get(atom.deadline) in atom.statuses)
    if isinstance(atom, FieldTest):
        return int(test_holds(atom, point.record))
    raise TypeError(atom)


def event_types_mentioned(cond) -> set:
    """Event types a condition mentions positively: a trigger is checked when one happens."""
    if isinstance(cond, EventCond):
        return set(cond.types)
    if isinstance(cond, (All, AnyOf)):
        return set().union(*(event_types_mentioned(c) for c in cond.items)) if cond.items else set()
    return set()


def event_atoms(cond, positive: bool = True) -> list:
    """The event conditions that speak for a condition holding (for 'because')."""
    if isinstance(cond, EventCond):
        return [cond] if positive else []
    if isinstance(cond, (All, AnyOf)):
        return [a for c in cond.items for a in event_atoms(c, positive)]
    if isinstance(cond, Not):
        return event_atoms(cond.item, not positive)
    return []


def _plural(labels: list[str], n: int) -> str:
    name = " or ".join(l[0].lower() + l[1:] for l in labels)
    return name if n == 1 else f"{name} events"


def event_findings(cond, point: Point, ctx: Context, atoms: list | None = None) -> list[tuple]:
    """The event conditions that hold at a point, each with what it found as structured facts
    (hearth.engine.answer_facts.found_facts): (atom, facts) pairs. ``atoms``: the condition's
    event_atoms(), when the caller keeps them."""
    findings = []
    for atom in event_atoms(cond) if atoms is None else atoms:
        events, first, end = _seen(atom, point, ctx)  # what matching_events gives, unsliced
        if end - first < atom.at_least:
            continue
        start = ctx.window_start(point.on, atom.within) if atom.within else None
        findings.append((atom, found_facts(atom, events[first:end], point.on, start)))
    return findings


def finding_words(atom: EventCond, facts: dict, labels: dict, named: str | None = None) -> str:
    """One finding in plain English: '3 × missing episode or absence between A and B: dates'.
    ``named``: the atom's events_named(), when the caller keeps it."""
    named = events_named(atom, labels) if named is None else named
    if facts.get("counted"):
        span = f"between {facts['from']} and {facts['to']}" if "from" in facts else f"up to {facts['to']}"
        return f"{facts['count']} × {named} {span}: {', '.join(facts['dates'])}"
    return f"{named} on {facts['on']}"


def events_named(atom: EventCond, labels: dict) -> str:
    """What an event condition looks for, as a finding names it: 'missing episode or absence
    (placement type is ifa_foster)'."""
    return _plural([labels.get(t, t) for t in atom.types], 1) + _where_words(atom.where)


def _where_words(tests) -> str:
    """An event condition's ``where`` in an answer: ' (placement type is ifa_foster; ...)', or ''."""
    return f" ({'; '.join(describe_test(t) for t in tests)})" if tests else ""


def _event_names(types, labels: dict) -> list[str]:
    return [labels.get(t, t).lower() for t in types]


def describe(cond, labels: dict) -> str:
    """A condition in words, for gates: 'a stability meeting held'."""
    if isinstance(cond, EventCond):
        names = " or ".join(_event_names(cond.types, labels))
        text = (names if cond.at_least == 1 else f"{cond.at_least} × {names}") + _where_words(cond.where)
        if cond.within:
            text += f" within {cond.within}"
        if cond.since or cond.since_trigger:
            since = _event_names(cond.since, labels) + (["trigger"] if cond.since_trigger else [])
            text += f" since the last {' or '.join(since)}"
        if cond.judged_on == "start":
            text += JUDGED_AT_START
        return text
    if isinstance(cond, All):
        return " and ".join(describe(c, labels) for c in cond.items) or "always"
    if isinstance(cond, AnyOf):
        return " or ".join(describe(c, labels) for c in cond.items)
    if isinstance(cond, Not):
        return f"not ({describe(cond.item, labels)})"
    if isinstance(cond, Fields):
        return " and ".join(describe_test(t) for t in cond.tests)
    if isinstance(cond, Triggered):
        text = "a trigger fired" if not cond.triggers else f"{' or '.join(cond.triggers)} fired"
        if cond.since:
            text += f" since the last {' or '.join(_event_names(cond.since, labels))}"
        return text
    if isinstance(cond, DeadlineIs):
        return f"{cond.deadline} is {' or '.join(cond.statuses)}"
    return str(cond)
