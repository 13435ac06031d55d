"""A small pure-Python reference evaluator of the condition semantics, and of whole
deadlines, duties and gates.

It evaluates conditions directly on the case, with none of the engine's
machinery (no atoms, no compilation, no durable_rules), so that a
hypothesis test can check that the compiled path gives the same answers.
The obligations and gates below take their meanings (which day a condition
is judged on, which instances one event meets, a gate's `since`, whether an
override goes overdue) from what the policy wrote and its language version,
worked out here on their own rather than read from the engine's loader.
Keep it obvious rather than fast.
"""
from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, timedelta

from hearth.rules.conditions import (All, AnyOf, DeadlineIs, EventCond, Fields, FieldTest, Not,
                                     Triggered)


def _value(record: dict, path: str):
    return record.get(path)


def field_test(test: FieldTest, record: dict) -> bool:
    v = _value(record, test.path)
    empty = v is None or v == "" or v == [] or v == ()
    w = test.value
    if test.op == "answered":
        return (not empty) is bool(w)
    if test.op == "is":
        return (not empty) and v == w
    if test.op == "is_not":
        return empty or v != w
    if test.op == "one_of":
        return (not empty) and v in w
    if test.op == "not_one_of":
        return empty or v not in w
    if test.op in ("at_least", "at_most", "more_than", "less_than"):
        if empty or isinstance(v, bool) or not isinstance(v, (int, float)):
            return False
        return {"at_least": v >= w, "at_most": v <= w, "more_than": v > w, "less_than": v < w}[test.op]
    items = list(v) if isinstance(v, (list, tuple)) else ([] if empty else [v])
    if test.op == "includes":
        return w in items
    if test.op == "includes_any":
        return any(x in items for x in w)
    if test.op == "includes_none":
        return all(x not in items for x in w)
    raise AssertionError(test.op)


def window_start(point: date, within, calendar) -> date:
    unit, n = within.unit.value, within.amount
    if unit == "working days":
        d, left = point, n
        while left:
            d -= timedelta(days=1)
            if calendar.is_working_day(d):
                left -= 1
        return d
    if unit == "days":
        return point - timedelta(days=n)
    if unit == "weeks":
        return point - timedelta(days=7 * n)
    if unit == "hours":
        return point - timedelta(days=-(-n // 24))
    y, m = divmod(point.year * 12 + point.month - 1 - n, 12)
    return date(y, m + 1, min(point.day, _cal.monthrange(y, m + 1)[1]))


def events_seen(cond: EventCond, history: list, point_date: date, limit: int, anchor, calendar,
                firings=(), gate_since=None) -> list:
    """history: list of (seq, type, on, fields) tuples, any order. gate_since: (types, trigger) of a
    gate, for a condition that has no `since` of its own."""
    visible = sorted((e for e in history if e[0] <= limit and e[2] <= point_date), key=lambda e: e[0])
    since, trigger = cond.since, False
    if gate_since and not cond.since and cond.per == "child":
        since, trigger = gate_since
    after = max((e[0] for e in visible if e[1] in since), default=-1) if since else -1
    if trigger:
        after = max([after] + [seq for seq, _ in firings if seq <= limit])
    out = []
    for seq, etype, on, fields in visible:
        if etype not in cond.types or seq <= after:
            continue
        if cond.within is not None and on < window_start(point_date, cond.within, calendar):
            continue
        if cond.same_day and (anchor is None or on != anchor):
            continue
        if not all(field_test(t, fields) for t in cond.where):
            continue
        out.append(seq)
    return out


def holds(cond, record: dict, history: list, point_date: date, limit: int = 10**9, anchor=None,
          calendar=None, firings=(), deadline_status=None, start=None, gate_since=None) -> bool:
    """start: (seq, day) of the event that started a deadline, when the history conditions are
    judged as things stood then (`judged_on: start`)."""
    def again(c):
        return holds(c, record, history, point_date, limit, anchor, calendar, firings, deadline_status, start,
                     gate_since)
    if isinstance(cond, All):
        return all(again(c) for c in cond.items)
    if isinstance(cond, AnyOf):
        return any(again(c) for c in cond.items)
    if isinstance(cond, Not):
        return not again(cond.item)
    if isinstance(cond, Fields):
        return all(field_test(t, record) for t in cond.tests)
    if start is not None and isinstance(cond, (EventCond, Triggered)):
        limit, point_date = min(limit, start[0]), start[1]
    if isinstance(cond, EventCond):
        return len(events_seen(cond, history, point_date, limit, anchor, calendar, firings,
                               gate_since)) >= cond.at_least
    if isinstance(cond, Triggered):
        visible = [e for e in history if e[0] <= limit]
        after = max((e[0] for e in visible if e[1] in cond.since), default=-1) if cond.since else -1
        return any(seq > after and seq <= limit and (not cond.triggers or t in cond.triggers) for seq, t in firings)
    if isinstance(cond, DeadlineIs):
        return (deadline_status or {}).get(cond.deadline) in cond.statuses
    raise AssertionError(cond)


# ----------------------------------------------------------- whole deadlines, duties and gates
@dataclass
class RefObligation:
    """A deadline or duty as written: `judged` and `meets` are None where the file says nothing."""

    id: str
    starts: tuple
    rows: list                  # of (condition, Duration, roll_to, judged)
    met_by: tuple
    unless: object = None
    unless_judged: str | None = None
    meets: str | None = None
    waived_by: tuple = ()
    roll_to: str | None = None
    moved_by: tuple = ()        # of (event type, Duration): extends the due date by that much


@dataclass
class RefGate:
    id: str
    actions: tuple
    blocked_until: object = None
    unless: object = None
    needs_approval: object = None
    after_the_fact: object = None   # a Duration
    overdue: bool | None = None     # after_the_fact_overdue as written
    since: tuple = ()
    since_trigger: bool = False


GATE_ORDER = ("blocked", "needs_approval", "overdue", "overridden", "approved", "open")


def language_default(language: int, meaning: str):
    """What a file says when it says nothing, by its language version (docs/policy-language.md)."""
    new = language >= 2
    return {"judged_on": "start" if new else "today", "one_event_meets": "all_open" if new else "oldest_open",
            "after_the_fact_overdue": new}[meaning]


def add(day: date, duration, calendar) -> date:
    """A duration after a day, counted one day at a time."""
    unit, n = duration.unit.value, duration.amount
    if n == 0:
        return day
    if unit == "working days":
        while n:
            day += timedelta(days=1)
            if calendar.is_working_day(day):
                n -= 1
        return day
    if unit == "days":
        return day + timedelta(days=n)
    if unit == "weeks":
        return day + timedelta(days=7 * n)
    if unit == "hours":
        return day + timedelta(days=-(-n // 24))
    y, m = divmod(day.year * 12 + day.month - 1 + n, 12)
    return date(y, m + 1, min(day.day, _cal.monthrange(y, m + 1)[1]))


def trigger_firings(triggers: list, history: list, record: dict, calendar) -> list:
    """(seq, trigger id) for every event at which a trigger held: triggers is [(id, condition, types)]."""
    out = []
    for seq, etype, on, _ in sorted(history, key=lambda e: e[0]):
        for tid, cond, types in triggers:
            if etype in types and holds(cond, record, history, on, seq, calendar=calendar):
                out.append((seq, tid))
    return out


def obligations(obs: list, language: int, history: list, as_of: date, record: dict, calendar,
                firings=()) -> list[dict]:
    """Every instance of every deadline/duty: id, started_on, due, status, met_on, waived_on."""
    events = sorted((e for e in history if e[2] <= as_of), key=lambda e: e[0])
    out = []
    for ob in obs:
        meets = ob.meets or language_default(language, "one_event_meets")
        instances = []
        for start in (e for e in events if e[1] in ob.starts):
            def judged(cond, written):
                if cond is None:  # a row without `when`
                    return True
                day = written or language_default(language, "judged_on")
                at = (start[0], start[2]) if day == "start" else None
                return holds(cond, record, events, as_of, anchor=start[2], calendar=calendar, firings=firings,
                             start=at)
            if ob.unless is not None and judged(ob.unless, ob.unless_judged):
                continue
            row = next((r for r in ob.rows if judged(r[0], r[3])), None)
            if row is None:
                continue
            due = add(start[2], row[1], calendar)
            roll = row[2] or ob.roll_to
            if roll and row[1].unit.value in ("days", "weeks", "months"):
                while not calendar.is_working_day(due):
                    due += timedelta(days=1 if roll == "next_working_day" else -1)
            used = {i["met"][0] for i in instances if i["met"]} if meets == "oldest_open" else set()
            met = next((e for e in events if e[1] in ob.met_by and e[0] != start[0] and e[0] not in used
                        and (e[2] > start[2] or (e[2] == start[2] and (e[0] > start[0] or e[1] not in ob.starts)))),
                       None)
            instances.append({"id": ob.id, "start": start, "due": due, "met": met, "waived": None})
        for e in events:  # a waiver or a move applies to the latest instance open when it happened
            moves = [amount for kind, amount in ob.moved_by if kind == e[1]]
            if e[1] not in ob.waived_by and not moves:
                continue
            open_then = [i for i in instances if i["start"][0] < e[0] and (i["met"] is None or i["met"][0] > e[0])]
            if not open_then:
                continue
            if e[1] in ob.waived_by and open_then[-1]["waived"] is None:
                open_then[-1]["waived"] = e
            for amount in moves:
                open_then[-1]["due"] = add(open_then[-1]["due"], amount, calendar)
        for i in instances:
            if i["met"] is not None:
                status = "met" if i["met"][2] <= i["due"] else "late"
            elif i["waived"] is not None:
                status = "waived"
            else:
                status = "overdue" if as_of > i["due"] else "pending"
            out.append({"id": ob.id, "started_on": i["start"][2].isoformat(), "due": i["due"].isoformat(),
                        "status": status, "met_on": i["met"][2].isoformat() if i["met"] else None,
                        "waived_on": i["waived"][2].isoformat() if i["waived"] and not i["met"] else None})
    return out


def _positive_events(cond, positive: bool = True) -> list:
    """The event conditions that speak for a condition holding (under an even number of `not`s)."""
    if isinstance(cond, EventCond):
        return [cond] if positive else []
    if isinstance(cond, (All, AnyOf)):
        return [a for c in cond.items for a in _positive_events(c, positive)]
    if isinstance(cond, Not):
        return _positive_events(cond.item, not positive)
    return []


def gates(spec: list, language: int, history: list, as_of: date, record: dict, calendar, firings=()) -> dict:
    """action -> (status, satisfy_by or None): the most restrictive gate on each action."""
    events = [e for e in history if e[2] <= as_of]
    out: dict = {}
    for g in spec:
        since = (g.since, g.since_trigger) if (g.since or g.since_trigger) else None

        def ok(cond):
            return holds(cond, record, events, as_of, calendar=calendar, firings=firings, gate_since=since)
        satisfy_by = None
        if g.blocked_until is not None and not ok(g.blocked_until):
            if g.unless is not None and ok(g.unless):
                status = "overridden"
                if g.after_the_fact is not None:
                    seen = [e for atom in _positive_events(g.unless)
                            for e in events if e[0] in events_seen(atom, events, as_of, 10**9, None, calendar,
                                                                    firings, since)]
                    satisfy_by = add(max((e[2] for e in seen), default=as_of), g.after_the_fact, calendar)
                    overdue = g.overdue if g.overdue is not None else language_default(language, "after_the_fact_overdue")
                    if overdue and as_of > satisfy_by:
                        status = "overdue"
            else:
                status = "blocked"
        elif g.needs_approval is not None:
            status = "approved" if ok(g.needs_approval) else "needs_approval"
        else:
            status = "open"
        for action in g.actions:
            if action not in out or GATE_ORDER.index(status) < GATE_ORDER.index(out[action][0]):
                out[action] = (status, satisfy_by.isoformat() if satisfy_by else None)
    return out
