"""A small pure-Python reference evaluator of the condition semantics.

It evaluates conditions directly on the case, with none of the engine's
machinery (no atoms, no compilation, no durable_rules), so that a
hypothesis test can check that the compiled path gives the same answers.
Keep it obvious rather than fast.
"""
from __future__ import annotations

import calendar as _cal
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


def events_seen(cond: EventCond, history: list, point_date: date, limit: int, anchor, calendar) -> list:
    """history: list of (seq, type, on, fields) tuples, any order."""
    visible = sorted((e for e in history if e[0] <= limit and e[2] <= point_date), key=lambda e: e[0])
    after = max((e[0] for e in visible if e[1] in cond.since), default=-1) if cond.since else -1
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
          calendar=None, firings=(), deadline_status=None) -> bool:
    if isinstance(cond, All):
        return all(holds(c, record, history, point_date, limit, anchor, calendar, firings, deadline_status)
                   for c in cond.items)
    if isinstance(cond, AnyOf):
        return any(holds(c, record, history, point_date, limit, anchor, calendar, firings, deadline_status)
                   for c in cond.items)
    if isinstance(cond, Not):
        return not holds(cond.item, record, history, point_date, limit, anchor, calendar, firings, deadline_status)
    if isinstance(cond, Fields):
        return all(field_test(t, record) for t in cond.tests)
    if isinstance(cond, EventCond):
        return len(events_seen(cond, history, point_date, limit, anchor, calendar)) >= cond.at_least
    if isinstance(cond, Triggered):
        visible = [e for e in history if e[0] <= limit]
        after = max((e[0] for e in visible if e[1] in cond.since), default=-1) if cond.since else -1
        return any(seq > after and seq <= limit and (not cond.triggers or t in cond.triggers) for seq, t in firings)
    if isinstance(cond, DeadlineIs):
        return (deadline_status or {}).get(cond.deadline) in cond.statuses
    raise AssertionError(cond)
