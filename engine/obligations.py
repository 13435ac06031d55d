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

from hearth.rules.conditions import fields_hold
from hearth.rules.durations import Duration, Unit
from hearth.rules.limits import EARLIEST_DATE, LATEST_DATE
from hearth.rules.source import Loc, Problem, SourceError

from .answer_facts import duration_facts, iso
from .case import Event
from .event_index import EventIndex
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
    return e.type in spec.types and fields_hold(spec.where, e.record)


def _first_meeting(found: list, days: list, start: Event, ob: Obligation, used: dict | None) -> Event | None:
    """The first of an obligation's met_by events (``found``, in history order) that can meet what
    ``start`` began: from the start's day on, and (oldest_open: ``used`` given) not yet used by an
    older instance. ``used`` maps each used position to a later one to look at instead, so the
    used are stepped over in one jump, not one by one (cost: the history, not history x instances)."""
    i = bisect_left(days, start.on)
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
    each due row's duration in words, and the event types' names in lower case."""

    def __init__(self, policy: PolicyVersion, labels: dict):
        self.lower = {event_type: label.lower() for event_type, label in labels.items()}
        self.due = {ob.id: tuple((f"due:{ob.id}:{i}", row, str(row.duration)) for i, row in enumerate(ob.due))
                    for ob in policy.deadlines + policy.duties}
        self.unless = {ob.id: f"unless:{ob.id}" for ob in policy.deadlines + policy.duties}
        self.source = {ob.id: source_sentence(policy, ob.source) for ob in policy.deadlines + policy.duties}

    def label(self, event_type: str) -> str:
        found = self.lower.get(event_type)
        return event_type.lower() if found is None else found


def obligations(policy: PolicyVersion, wording: Wording, instances, fired, index: EventIndex,
                as_of: date) -> tuple[list, list]:
    """(deadlines, duties) of the answer: each instance that started (``instances``: the point
    number, the obligation, its starting event and point; ``fired``: the rules durable_rules
    fired, by point: {point: rule names}), with its due date, how it was reached, whether and
    when it was met, moved, waived or planned. One pass over the history's index, whatever its
    length."""
    open_by_id: dict[str, list] = {}
    results = []
    # Per obligation (oldest_open), the positions of its met_by events already used by an older instance.
    used_by_id: dict[str, dict] = {}
    label = wording.label
    for no, ob, start, point in instances:
        held = fired.get(no, ())
        if wording.unless[ob.id] in held:
            continue
        row = words = None
        for name, due_row, due_words in wording.due[ob.id]:
            if name in held:
                row, words = due_row, due_words
                break
        if row is None:
            continue
        calendar = policy.calendar_named(ob.calendar)
        # only hours count from the time of day; days are due by the end of the day
        due = calendar.add(start.when if row.duration.unit == Unit.HOURS else start.on, row.duration)
        started = iso(start.when)
        basis = [f"{words} after {label(start.type)} on {started}"]
        facts = [{"after": start.type, "on": started, "duration": duration_facts(row.duration)}]
        roll = row.roll_to or ob.roll_to
        if roll and row.duration.unit in _ROLLING and not calendar.is_working_day(due):
            due = _rolled(calendar, due, roll)
            basis[0] += f", on the {roll.replace('_', ' ')}"
            facts[0]["rolled"] = roll
        if ob.agreed_date and start.fields.get(ob.agreed_date):
            due = start.fields[ob.agreed_date]
            basis = [f"the date agreed at the {label(start.type)} on {started}"]
            facts = [{"agreed_at": start.type, "on": started, "date": iso(due)}]
        found, days, _ = index.matching(ob.met_by)
        # one met_by event meets every instance open before it (all_open), or only the oldest (oldest_open)
        used = None if ob.one_event_meets == "all_open" else used_by_id.setdefault(ob.id, {})
        met = _first_meeting(found, days, start, ob, used)
        inst = {"ob": ob, "start": start, "due": due, "basis": basis, "facts": facts, "met": met, "calendar": calendar,
                "unit": row.duration.unit, "waived": None}
        results.append(inst)
        open_by_id.setdefault(ob.id, []).append(inst)
    # moves and waivers, in history order, apply to the latest instance not yet met
    for ob in policy.deadlines + policy.duties:
        insts = open_by_id.get(ob.id, [])
        if not insts:
            continue
        specs = ([ob.waived_by] if ob.waived_by else []) + [move.event for move in ob.moved_by]
        touching = [events for events in (index.matching(spec)[0] for spec in specs) if events]
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
    for inst in results:  # a plan is told only while the instance is open (neither met nor waived)
        open_now = inst["met"] is None and inst["waived"] is None
        inst["planned"] = _planned(inst, index, plans) if open_now else None
    deadlines, duties = [], []
    for inst in results:
        ob, due, met = inst["ob"], inst["due"], inst["met"]
        due_day = due.date() if isinstance(due, datetime) else due
        if met is not None:
            on_time = met.at <= due if (met.at and isinstance(due, datetime)) else met.on <= due_day
            status = "met" if on_time else "late"
        elif inst["waived"] is not None:
            status = "waived"
        else:
            status = "overdue" if as_of > due_day else "pending"
        entry = {"id": ob.id, "title": ob.title, "due": iso(due), "status": status,
                 "basis": "; ".join(inst["basis"]), "started_on": iso(inst["start"].on),
                 "met_on": iso(met.on) if met else None, "source": wording.source[ob.id],
                 "basis_facts": inst["facts"]}
        if inst["waived"] is not None and met is None:
            entry["waived_on"] = iso(inst["waived"].on)
        if inst["planned"] is not None and status in ("pending", "overdue"):
            planned, by = inst["planned"]
            entry["planned_for"] = iso(planned)
            entry["planned_late"] = planned > due_day
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


def _planned(inst: dict, index: EventIndex, plans: dict) -> tuple[date, Event] | None:
    """The date the latest `planned_by` event since the start (and before it was met) gives:
    looked for from the last planning event before it was met back to the start's day.
    ``plans`` keeps each obligation's planning events that give a date, across its instances."""
    ob, start, met = inst["ob"], inst["start"], inst["met"]
    plan = ob.planned_by
    if plan is None:
        return None
    if ob.id not in plans:
        dated = [e for e in index.matching(plan.event)[0] if isinstance(e.fields.get(plan.date_field), date)]
        plans[ob.id] = (dated, [e.on for e in dated], [e.seq for e in dated])
    events, days, seqs = plans[ob.id]
    first = bisect_left(days, start.on)
    for i in range(bisect_left(seqs, met.seq) if met is not None else len(events), first, -1):
        if _after(events[i - 1], start, ob):
            return events[i - 1].fields[plan.date_field], events[i - 1]
    return None
