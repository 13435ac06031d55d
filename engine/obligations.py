"""A policy's deadlines and duties on a case: when each instance is due, and what met it.

An instance starts at each event (a point) whose rules fired its `due` row and not its
`unless`; it is met by the first `met_by` event after its start (one event meets every instance
open before it, or only the oldest: `one_event_meets`), moved by `moved_by` events, waived by
`waived_by` and planned by `planned_by`. Everything is found by walking the case's events indexed
by type and date (hearth.engine.event_index) once per evaluation, never by rescanning the
history for each instance: cost grows with the number of events, not its square
(tests/test_evaluation_growth.py).
"""
from __future__ import annotations

from bisect import bisect_left
from datetime import date, datetime, timedelta
from operator import attrgetter

from hearth.rules.durations import Duration, Unit
from hearth.rules.limits import EARLIEST_DATE, LATEST_DATE
from hearth.rules.source import Loc, Problem, SourceError

from .answer_facts import duration_facts, iso
from .case import Event
from .event_index import EventIndex, where_test
from .policy import Obligation, PolicyVersion

# A deadline's or duty's statuses: open ones first, then how it ended.
OBLIGATION_STATUSES = ("pending", "overdue", "met", "late", "waived")
SOURCE_SEP = ": "


def source_sentence(policy: PolicyVersion, text: str) -> str:
    """A rule's `source` as the answer gives it: the council's document and the sentence quoted."""
    return f"{policy.council.document}{SOURCE_SEP}'{text}'" if policy.council.document else text


def _after(e: Event, start: Event, ob: Obligation) -> bool:
    """Can e meet what start began? Later, or the same day whatever the order they were written in
    (a case's events come in any order) unless e could itself start one (a meeting is not its own review)."""
    if e.seq == start.seq:
        return False
    if e.on != start.on:
        return e.on > start.on
    return e.seq > start.seq or e.type not in ob.starts.types


def _matches(spec, e: Event) -> bool:
    return e.type in spec.types and (not spec.where or where_test(spec)(e))


def _first_meeting(found: list, i: int, start: Event, ob: Obligation, used: dict | None) -> Event | None:
    """The first of an obligation's met_by events (``found``, in history order) that can meet what
    ``start`` began: from position ``i`` (the first on the start's day) on, and (oldest_open:
    ``used`` given) not yet used by an older instance. ``used`` maps each used position to a later
    one to look at instead, so the used are stepped over in one jump, not one by one (cost: the
    history, not history x instances)."""
    while i < len(found):
        if used is not None:
            i = _unused(used, i)
            if i >= len(found):
                return None
        if _after(found[i], start, ob):
            if used is not None:
                used[i] = i + 1
            return found[i]
        i += 1
    return None


def _unused(used: dict, i: int) -> int:
    """The first position from i on not in ``used``; the positions passed then point straight at it."""
    passed = []
    while i in used:
        passed.append(i)
        i = used[i]
    for position in passed:
        used[position] = i
    return i


class Wording:
    """What every instance of a policy's deadlines and duties says the same way, worked out once
    per policy: each obligation's rule names (its `due` rows', its `unless`), its source sentence,
    each due row's duration in words and as facts, the words a basis starts with for each event
    type that starts it, and the event types' names in lower case."""

    def __init__(self, policy: PolicyVersion, labels: dict):
        self.lower = {event_type: label.lower() for event_type, label in labels.items()}
        self.obligations = policy.deadlines + policy.duties
        self.terms = {ob.id: _Terms(ob, self.label, source_sentence(policy, ob.source), policy.calendar_named(ob.calendar))
                      for ob in self.obligations}

    def label(self, event_type: str) -> str:
        found = self.lower.get(event_type)
        return event_type.lower() if found is None else found


class _Terms:
    """One obligation's wording and the parts of its rules every instance reads (Wording)."""

    __slots__ = ("unless", "rows", "source", "agreed", "moving", "all_open", "calendar")

    def __init__(self, ob: Obligation, label, source: str, calendar):
        self.unless = f"unless:{ob.id}"
        self.calendar = calendar  # the one its due dates are counted in
        self.rows = tuple(_Row(f"due:{ob.id}:{i}", row, ob, label) for i, row in enumerate(ob.due))
        self.source = source
        # "the date agreed at the <event> on ", by the type of the event that started it
        self.agreed = {t: f"the date agreed at the {label(t)} on " for t in ob.starts.types}
        # what can move or waive its instances, looked for in the history once per evaluation
        self.moving = ((ob.waived_by,) if ob.waived_by else ()) + tuple(move.event for move in ob.moved_by)
        self.all_open = ob.one_event_meets == "all_open"


class _Row:
    """A due row as its instances use it: its rule's name, its duration taken apart (and in
    words, and as facts), the day it rolls to when due off a working day, and the words its
    basis starts with for each event type that starts the obligation."""

    __slots__ = ("name", "amount", "unit", "hours", "unit_name", "roll", "rolled", "words", "after")

    def __init__(self, name: str, row, ob: Obligation, label):
        duration = row.duration
        self.name = name
        self.amount, self.unit = duration.amount, duration.unit
        self.hours = duration.unit == Unit.HOURS  # only hours count from the time of day
        self.unit_name = duration_facts(duration)["unit"]
        roll = row.roll_to or ob.roll_to
        self.roll = roll if roll and duration.unit in _ROLLING else None
        self.rolled = f", on the {roll.replace('_', ' ')}" if self.roll else ""
        self.words = str(duration)
        self.after = {t: f"{self.words} after {label(t)} on " for t in ob.starts.types}


def obligations(wording: Wording, instances, fired, index: EventIndex, as_of: date) -> tuple[list, list]:
    """(deadlines, duties) of the answer: each instance that started (``instances``: the point
    number, the obligation, its starting event and its point; or, where its plan knew what fires,
    None, the obligation, its starting event and those rules; ``fired``: the rules durable_rules
    fired, by point: {point: rule names}), with its due date, how it was reached, whether and
    when it was met, moved, waived or planned. One pass over the history's index, whatever its
    length. What an obligation's instances share (its wording, calendar, met_by events) is
    found once for its run of instances: they come obligation by obligation."""
    open_by_id: dict[str, list] = {}
    results = []
    # Per obligation (oldest_open), the positions of its met_by events already used by an older instance.
    used_by_id: dict[str, dict] = {}
    label = wording.label
    last = None
    for no, ob, start, known in instances:
        if ob is not last:
            last = ob
            terms = wording.terms[ob.id]
            calendar = terms.calendar
            add = calendar.add_amount
            found, days, _ = index.matching(ob.met_by)
            # one met_by event meets every instance open before it (all_open), or only the oldest (oldest_open)
            used = None if terms.all_open else used_by_id.setdefault(ob.id, {})
            insts = open_by_id.setdefault(ob.id, [])
        held = fired.get(no, ()) if no is not None else known
        if terms.unless in held:
            continue
        for row in terms.rows:
            if row.name in held:
                break
        else:
            continue
        on = start.on
        when = start.at or on
        begun = when if row.hours else on
        due = add(begun, row.amount, row.unit) if row.amount else begun
        started = iso(when)
        if ob.agreed_date and start.fields.get(ob.agreed_date):
            due = start.fields[ob.agreed_date]
            basis = [terms.agreed[start.type] + started]  # a start is an event of ob.starts' types
            facts = [{"agreed_at": start.type, "on": started, "date": iso(due)}]
        else:
            basis = [row.after[start.type] + started]
            facts = [{"after": start.type, "on": started, "duration": {"amount": row.amount, "unit": row.unit_name}}]
            if row.roll is not None and not calendar.is_working_day(due):
                due = _rolled(calendar, due, row.roll)
                basis[0] += row.rolled
                facts[0]["rolled"] = row.roll
        i = bisect_left(days, on)
        met = _first_meeting(found, i, start, ob, used) if i < len(found) else None
        inst = {"ob": ob, "start": start, "due": due, "basis": basis, "facts": facts, "met": met,
                "calendar": calendar, "unit": row.unit, "waived": None}
        results.append(inst)
        insts.append(inst)
    # moves and waivers, in history order, apply to the latest instance not yet met
    for ob in wording.obligations:
        insts = open_by_id.get(ob.id)
        if not insts:
            continue
        touching = []
        for spec in wording.terms[ob.id].moving:
            events = index.matching(spec)[0]
            if events:
                touching.append(events)
        if not touching:  # nothing moved or waived it (most cases)
            continue
        moving = touching[0] if len(touching) == 1 else sorted(
            {e.seq: e for events in touching for e in events}.values(), key=_SEQ)
        # The instances started before the event, latest on top; one met by then is met for every later
        # event too, so it leaves the stack for good when it comes to the top.
        started, stack = 0, []
        for e in moving:  # only these can change an instance
            while started < len(insts) and insts[started]["start"].seq < e.seq:
                stack.append(insts[started])
                started += 1
            while stack and stack[-1]["met"] is not None and stack[-1]["met"].seq <= e.seq:
                stack.pop()
            if not stack:
                continue
            target = stack[-1]
            if ob.waived_by and _matches(ob.waived_by, e) and target["waived"] is None:
                target["waived"] = e
            for move in ob.moved_by:
                if not _matches(move.event, e):
                    continue
                moved = label(e.type)
                if move.to_field and e.fields.get(move.to_field):
                    target["due"] = e.fields[move.to_field]
                    target["basis"].append(f"{moved} to {iso(target['due'])} on {iso(e.on)}")
                    target["facts"].append({"moved_by": e.type, "on": iso(e.on), "to": iso(target["due"])})
                elif move.extend_by or move.extend_field:
                    amount = move.extend_by or Duration(int(e.fields.get(move.extend_field) or 0), target["unit"])
                    target["due"] = _moved(target["calendar"], target["due"], amount, e, move.extend_field)
                    target["basis"].append(f"{moved} by {amount} on {iso(e.on)}")
                    target["facts"].append({"moved_by": e.type, "on": iso(e.on), "by": duration_facts(amount),
                                            "to": iso(target["due"])})
    plans: dict[str, tuple] = {}
    deadlines, duties = [], []
    for inst in results:
        ob, due, met = inst["ob"], inst["due"], inst["met"]
        due_day = due.date() if isinstance(due, datetime) else due
        planned = None
        if met is not None:
            on_time = met.at <= due if (met.at and isinstance(due, datetime)) else met.on <= due_day
            status = "met" if on_time else "late"
        elif inst["waived"] is not None:
            status = "waived"
        else:
            status = "overdue" if as_of > due_day else "pending"
            # a plan is told only while the instance is open (neither met nor waived)
            if ob.planned_by is not None:
                planned = _planned(ob, inst["start"], index, plans)
        entry = {"id": ob.id, "title": ob.title, "due": iso(due), "status": status,
                 "basis": "; ".join(inst["basis"]), "started_on": iso(inst["start"].on),
                 "met_on": iso(met.on) if met else None, "source": wording.terms[ob.id].source,
                 "basis_facts": inst["facts"]}
        if inst["waived"] is not None and met is None:
            entry["waived_on"] = iso(inst["waived"].on)
        if planned is not None:
            day, by = planned
            entry["planned_for"] = iso(day)
            entry["planned_late"] = day > due_day
            entry["planned_on"] = iso(by.on)
        (deadlines if ob.kind == "deadline" else duties).append(entry)
    return deadlines, duties


_ROLLING = (Unit.DAYS, Unit.WEEKS, Unit.MONTHS)
_SEQ = attrgetter("seq")


def _rolled(calendar, due: date, roll: str) -> date:
    """A due date off a working day moved to the next (or previous) working day."""
    step = timedelta(days=1 if roll == "next_working_day" else -1)
    while not calendar.is_working_day(due):
        due += step
    return due


# No move can carry a due date across more days than lie between the earliest and latest
# dates Hearth accepts (hearth.rules.limits): past that the date arithmetic overflows (or a
# walk over working days runs for seconds), so such an extension is refused before it is made.
_SPAN_DAYS = (LATEST_DATE - EARLIEST_DATE).days
_DAYS_PER = {Unit.WORKING_DAYS: 1, Unit.DAYS: 1, Unit.WEEKS: 7, Unit.MONTHS: 28, Unit.HOURS: 1 / 24}


def _moved(calendar, due: date | datetime, amount: Duration, event: Event, field_name: str | None):
    """The due date extended by an event's amount, or a located SourceError when the amount
    would reach past the last date Hearth counts to. The vocabulary bounds the shared events
    (review_extended.days is at most 20); this guards a council's own fields and cases built
    without the case reader (stored before these checks)."""
    try:
        if abs(amount.amount) * _DAYS_PER.get(amount.unit, 1) > _SPAN_DAYS:
            raise OverflowError
        return calendar.add(due, amount)
    except OverflowError:
        path = f"{event.path}.{field_name}" if event.path and field_name else event.path
        raise SourceError([Problem(event.loc or Loc("case"), (
            f"The {event.type} event of {event.on.isoformat()} moves a due date by {amount}, past "
            f"{LATEST_DATE.year}, the last year Hearth counts to (see docs/limits.md)."), path)]) from None


def _planned(ob: Obligation, start: Event, index: EventIndex, plans: dict) -> tuple[date, Event] | None:
    """The date the latest `planned_by` event since the start gives, for an instance still open
    (neither met nor waived): looked for from the last planning event back to the start's day.
    ``plans`` keeps each obligation's planning events that give a date, across its instances."""
    plan = ob.planned_by
    found = plans.get(ob.id)
    if found is None:
        events = index.matching(plan.event)[0]
        dated = [e for e in events if isinstance(e.fields.get(plan.date_field), date)] if events else []
        found = plans[ob.id] = (dated, [e.on for e in dated]) if dated else ((), ())
    events, days = found
    first = bisect_left(days, start.on)
    for i in range(len(events), first, -1):
        if _after(events[i - 1], start, ob):
            return events[i - 1].fields[plan.date_field], events[i - 1]
    return None
