"""An answer's explanations as structured facts: ids, counts, dates (ISO) and durations, no prose.

Beside each sentence the engine writes (`because`, `basis`, `when`), the answer carries the same
reason as data, so a reader (the web, an API client) can put it into its own words without
parsing the sentence. Every function here returns plain JSON values.

A condition's facts (``condition_facts``) follow its structure:

    {"events": ["missing_episode", "absence"], "at_least": 3, "within": {"amount": 28, "unit": "days"}}
    {"events": ["panel_approved"], "where": [{"field": "request", "op": "is", "value": "external_service"}]}
    {"fields": [{"field": "placement.type", "op": "one_of", "value": ["ifa_foster"]}]}
    {"all": [...]}  {"any": [...]}  {"not": {...}}
    {"triggered": ["stability-concern"], "since": ["stability_meeting_held"]}
    {"deadline": "review_meeting", "statuses": ["pending", "overdue"]}

An event condition's keys beyond ``events`` appear only when they say something (``at_least``
above 1, a window, ``since``, ``since_trigger``, ``where``, ``judged_on: start``); ``{"all": []}``
is "always".
"""
from __future__ import annotations

from datetime import date, datetime
from operator import attrgetter

from hearth.rules.conditions import All, AnyOf, DeadlineIs, EventCond, Fields, FieldTest, Not, Triggered
from hearth.rules.durations import Duration, Unit

from .lru import Memo


def _written(value: date | datetime) -> str:
    """A day as YYYY-MM-DD, a time to the minute."""
    return value.isoformat(timespec="minutes") if isinstance(value, datetime) else value.isoformat()


# A day's text by the day (a time's by the time, never taken for its day: they are not equal):
# an answer writes dozens of days, the same few hundred across a cohort's cases, and formatting
# one costs several times looking it up. At MOST_DAYS the memory starts again.
MOST_DAYS = 50_000
_day_texts = Memo(_written, MOST_DAYS)
# iso(value): a date, or a time to the minute, as the answer writes it. The dict's own lookup,
# not a function of ours: a remembered day costs no Python call (an answer asks dozens of times).
iso = _day_texts.__getitem__


def duration_facts(duration: Duration) -> dict:
    """`5 working days` -> {"amount": 5, "unit": "working_days"} (units: working_days, days, weeks,
    months, hours)."""
    return {"amount": duration.amount, "unit": _UNIT_NAMES[duration.unit]}


_UNIT_NAMES = {unit: unit.name.lower() for unit in Unit}  # an Enum's name is a property: looked up once


def _value(value):
    if isinstance(value, tuple):
        return [_value(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def field_test_facts(test: FieldTest) -> dict:
    """One field test: {"field": "placement.type", "op": "is", "value": "ifa_foster"}."""
    return {"field": test.path, "op": test.op, "value": _value(test.value)}


def condition_facts(cond) -> dict:
    """A condition's structure as data (see the module's docstring)."""
    if isinstance(cond, EventCond):
        facts: dict = {"events": list(cond.types)}
        if cond.at_least != 1:
            facts["at_least"] = cond.at_least
        if cond.where:
            facts["where"] = [field_test_facts(t) for t in cond.where]
        if cond.within:
            facts["within"] = duration_facts(cond.within)
        if cond.since:
            facts["since"] = list(cond.since)
        if cond.since_trigger:
            facts["since_trigger"] = True
        if cond.judged_on == "start":
            facts["judged_on"] = "start"
        return facts
    if isinstance(cond, All):
        return {"all": [condition_facts(c) for c in cond.items]}
    if isinstance(cond, AnyOf):
        return {"any": [condition_facts(c) for c in cond.items]}
    if isinstance(cond, Not):
        return {"not": condition_facts(cond.item)}
    if isinstance(cond, Fields):
        return {"fields": [field_test_facts(t) for t in cond.tests]}
    if isinstance(cond, Triggered):
        facts = {"triggered": list(cond.triggers)}
        if cond.since:
            facts["since"] = list(cond.since)
        return facts
    if isinstance(cond, DeadlineIs):
        return {"deadline": cond.deadline, "statuses": list(cond.statuses)}
    return {"unknown": str(cond)}


def found_facts(atom: EventCond, found: list, on: date, window_from: date | None) -> dict:
    """What an event condition found at a point: its types, the events' count and days, and the
    window it looked in (`from`, `to`) when it counts or has one; `on` is the latest event's day."""
    dates = list(map(iso, map(_ON, found)))
    if atom.where:
        facts: dict = {"events": list(atom.types), "where": [field_test_facts(t) for t in atom.where],
                       "count": len(found), "dates": dates, "on": dates[-1]}
    else:
        facts = {"events": list(atom.types), "count": len(found), "dates": dates, "on": dates[-1]}
    if atom.at_least > 1 or atom.within:
        facts["counted"] = True
        if window_from is not None:
            facts["from"] = iso(window_from)
        facts["to"] = iso(on)
    return facts


_ON = attrgetter("on")
