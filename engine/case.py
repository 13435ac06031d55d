"""A child's case: the document other systems send, checked against the policy's vocabulary.

Bad input is reported with file, line and field and nothing is half-read:
an unknown event type, a field the event does not have, a date that does
not exist. A case may come as YAML/JSON text (with line numbers) or as a
plain dict from the API (with field paths).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter, itemgetter
from typing import Any

from hearth.rules.source import (LList, LMap, Loc, Problems, SourceError, load_json_quickly, load_plain_json,
                                 load_yaml, parse_date, parse_date_or_datetime, plain_json_as_checked, suggest)

from hearth.rules.limits import (MAX_EVENTS_PER_CASE, MAX_REF_LENGTH, MAX_TEXT_LENGTH, LimitError,
                                 check_magnitude, text_problem)

from .case_fast import day_of, event_plans, plain_child, plain_event, plain_events, plain_placement
from .lru import Memo
from .placements import ENDING, ENDING_HOW, MOVE, MOVE_TYPE, Placement, first_placement, placements_over_time
from .vocabulary import EventField, Vocabulary

CASE_KEYS = ("child", "placement", "events", "carer")
_PLAIN_CASE_KEYS = frozenset(CASE_KEYS)
PLACEMENT_KEYS = ("type", "started", "emergency")


class _made_once:
    """An attribute worked out on first reading and kept in the instance's dict, which later
    readings find first (a non-data descriptor, as functools.cached_property is, without the
    lock Python 3.11's takes on every first reading: a national re-evaluation reads the record
    of some 400,000 events once each). Two threads reading it at once both work it out, to the
    same value."""

    def __init__(self, work):
        self.work, self.name = work, work.__name__
        self.__doc__ = work.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.work(instance)
        return value


@dataclass(frozen=True)
class Event:
    seq: int          # position in the history: by date, then as written
    type: str
    on: date
    at: datetime | None
    fields: dict
    # where it was written (file:line:column and events[i]), for problems found while evaluating
    loc: Loc | None = field(default=None, compare=False, repr=False)
    path: str = field(default="", compare=False, repr=False)
    # the placement in force when it happened, as conditions name it (placement.type, ...)
    placement: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def when(self) -> date | datetime:
        return self.at or self.on

    @_made_once  # an evaluation tests it for every `where` that names its type
    def record(self) -> dict:
        """What a `where` tests: the event's fields and the placement in force when it happened."""
        return {**self.fields, **self.placement} if self.placement else self.fields


@dataclass
class Case:
    child: dict
    placement: dict        # the placement the history starts with (the case document's `placement`)
    events: list           # of Event, in history order
    carer_events: list = field(default_factory=list)
    carer_ref: str | None = None
    _placements: list | None = field(default=None, init=False, repr=False, compare=False)
    _placement_fields: list | None = field(default=None, init=False, repr=False, compare=False)

    def up_to(self, on: date) -> "Case":
        """The case as it stood on a date: later events are ignored. Both histories are in date
        order, so when neither goes past the date the case is its own answer (with the placements
        it already worked out), as it is for most evaluations 'today'."""
        if (not self.events or self.events[-1].on <= on) and (not self.carer_events or self.carer_events[-1].on <= on):
            return self
        return Case(self.child, self.placement, [e for e in self.events if e.on <= on],
                    [e for e in self.carer_events if e.on <= on], self.carer_ref)

    @property
    def placements(self) -> list[Placement]:
        """Every placement over time, oldest first (the first, then one per move)."""
        if self._placements is None:
            self._placements = placements_over_time(self.placement, self.events)
        return self._placements

    @property
    def current_placement(self) -> Placement:
        return self.placements[-1]

    def placement_on(self, day: date, limit: int | None = None) -> Placement:
        """The placement in force on a day: the latest begun by then (and, when ``limit`` is
        given, by that point of the history: a point judged at an event sees moves before it)."""
        return self.placements[self._placement_index(day, limit)]

    def placement_fields_on(self, day: date, limit: int | None = None) -> dict:
        """The fields (Placement.fields) of the placement in force on a day, made once per
        placement of this case: read them, do not change them."""
        if self._placement_fields is None:
            self._placement_fields = [placement.fields() for placement in self.placements]
        return self._placement_fields[self._placement_index(day, limit)]

    def _placement_index(self, day: date, limit: int | None) -> int:
        placements = self.placements
        found = 0
        for index in range(1, len(placements)):
            placement = placements[index]
            if placement.started > day or (limit is not None and placement.seq > limit):
                break
            found = index
        return found


def _shown(value: Any, limit: int = 40) -> str:
    """A value as a message may quote it: short, and with control characters and unpaired
    surrogates written as escapes, so any terminal or log can print the message."""
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False) \
        if isinstance(value, (list, dict)) else str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return _UNPRINTABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_SCALARS = (str, int, float, bool)


def _what(value: Any) -> str:
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else f"'{_shown(value)}'"


class _CaseReader:
    """Reads one case document; every problem is collected with its place, nothing raises
    but SourceError (a value of any shape may be anywhere: lists, mappings, NaN, NUL...).
    A plainly valid event is read by hearth.engine.case_fast's quick test; ``quick=False`` reads
    every event here (the reference the quick test is checked against)."""

    def __init__(self, vocab: Vocabulary, file: str, quick: bool = True):
        self.vocab = vocab
        self.file = file
        self.p = Problems()
        self.whole_file = Loc(file)  # where anything without a line is (a Loc is frozen: one serves all)
        self._event_fields: dict[str, tuple[dict, tuple]] = {}  # type -> (its fields, the keys it may have)
        self.plans = event_plans(vocab) if quick else {}

    def loc(self, node: Any, key: str | None = None) -> Loc:
        if key is not None and isinstance(node, LMap) and key in node:
            return node.value_loc(key)
        return getattr(node, "loc", Loc(self.file))

    def keys(self, node: dict, allowed, what: str, path: str) -> None:
        for key in node:
            if key not in allowed:
                loc = node.key_loc(key) if isinstance(node, LMap) else Loc(self.file)
                hint = suggest(_shown(key), allowed) or f" It may have: {', '.join(allowed)}."
                self.p.add(loc, f"'{_shown(key)}' is not something {what} can have.{hint}", f"{path}{_shown(key)}")

    def read(self, doc: Any) -> Case:
        if not isinstance(doc, dict):
            self.p.add(self.loc(doc), "A case must be a mapping with child, placement and events.")
            self.p.raise_if_any()
        if "placements" in doc:  # the history of placements is written as events, which rules can count
            self.p.add(doc.key_loc("placements") if isinstance(doc, LMap) else Loc(self.file),
                       "A case gives the placement its history starts with as 'placement'; write each later "
                       f"placement as an event, for example {{type: {MOVE}, on: 2026-02-10, {MOVE_TYPE}: "
                       f"la_childrens_home, emergency: true}}, and how one ended as {{type: {ENDING}, on: ..., "
                       f"{ENDING_HOW}: unplanned}}.", "placements")
        self.keys(doc, CASE_KEYS + ("placements",) if "placements" in doc else CASE_KEYS, "a case", "")
        child = self.child(doc.get("child"), doc)
        placement = self.placement(doc.get("placement"), doc)
        carer = doc.get("carer")
        counted = self.count(doc.get("events"), doc, "events", 0)
        if isinstance(carer, dict):
            counted = self.count(carer.get("events"), carer, "carer.events", counted)
        events = self.events(doc.get("events"), doc, "events")
        carer_ref, carer_events = None, []
        if carer is not None:
            if not isinstance(carer, dict):
                self.p.add(self.loc(doc, "carer"), "'carer' must be a mapping with ref and events.", "carer")
            else:
                self.keys(carer, ("ref", "events"), "the carer", "carer.")
                carer_ref = self.ref(carer, "carer.ref")
                carer_events = self.events(carer.get("events"), carer, "carer.events")
        self.p.raise_if_any()
        history, placements = _history(placement, events)
        case = Case(child, placement, history, _history(None, carer_events)[0], carer_ref)
        case._placements = placements  # worked out while ordering the history: not again when asked
        return case

    def count(self, node: Any, parent: Any, path: str, before: int) -> int:
        """Refuse more than MAX_EVENTS_PER_CASE events (the child's and the carer's together)
        before reading any of them."""
        total = before + (len(node) if isinstance(node, list) else 0)
        if total > MAX_EVENTS_PER_CASE and before <= MAX_EVENTS_PER_CASE:
            self.p.add(self.loc(parent, path.split(".")[-1]),
                       f"A case may have at most {MAX_EVENTS_PER_CASE:,} events (the limit); this one has "
                       f"{total:,}. Send the events that matter for the policy, or split the history.", path)
        return total

    def ref(self, node: dict, path: str) -> str | None:
        """A child's or carer's reference: short text (a number written without quotes is read
        as its digits), no control characters."""
        raw = node.get("ref")
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            self.p.add(self.loc(node, "ref"), f"'ref' must be text, for example ref: C-0001, not {_what(raw)}.", path)
            return None
        text = str(raw) if isinstance(raw, str) or abs(raw) < 10 ** MAX_REF_LENGTH else "9" * (MAX_REF_LENGTH + 1)
        problem = text_problem(text, MAX_REF_LENGTH)
        if problem:
            self.p.add(self.loc(node, "ref"), f"'ref' cannot be stored: {problem}.", path)
            return None
        return text

    def child(self, node: Any, doc: Any) -> dict:
        if node is None:
            return {}
        if not isinstance(node, dict):
            self.p.add(self.loc(doc, "child"), "'child' must be a mapping, for example {ref: C-0001}.", "child")
            return {}
        self.keys(node, ("ref", "date_of_birth"), "the child", "child.")
        out = {}
        ref = self.ref(node, "child.ref")
        if ref is not None:
            out["ref"] = ref
        if node.get("date_of_birth") is not None:
            out["date_of_birth"] = self.date(node, "date_of_birth", "child.date_of_birth")
        return out

    def placement(self, node: Any, doc: Any) -> dict:
        if node is None:
            self.p.add(self.loc(doc), "The case needs 'placement' with its type, for example "
                                      "placement: {type: ifa_foster, started: 2025-09-01}.", "placement")
            return {}
        if not isinstance(node, dict):
            self.p.add(self.loc(doc, "placement"), "'placement' must be a mapping with type and started.", "placement")
            return {}
        self.keys(node, PLACEMENT_KEYS, "the placement", "placement.")
        out = {}
        ptype = node.get("type")
        types = self.vocab.placement_types
        if ptype is None:
            self.p.add(self.loc(node), f"The placement needs a 'type'. Types: {', '.join(types)}.", "placement.type")
        elif not isinstance(ptype, str) or ptype not in types:
            self.p.add(self.loc(node, "type"), f"{_what(ptype)} is not a placement type.{suggest(_shown(ptype), types)} "
                                               f"Types: {', '.join(types)}.", "placement.type")
        else:
            out["type"] = ptype
        if node.get("started") is not None:
            out["started"] = self.date(node, "started", "placement.started")
        emergency = node.get("emergency")
        if emergency is not None:
            if emergency is True or emergency is False:
                out["emergency"] = emergency
            else:
                self.p.add(self.loc(node, "emergency"), f"'emergency' is true or false, not {_what(emergency)}.",
                           "placement.emergency")
        return out

    def date(self, node: dict, key: str, path: str, reader=parse_date) -> date | None:
        raw = node[key]
        if (day := day_of(raw)) is not None:  # plain_date's answer for YYYY-MM-DD, remembered
            return day
        if isinstance(raw, (list, dict, bool)) or (isinstance(raw, str) and text_problem(raw, 32)):
            self.p.add(self.loc(node, key), f"{_what(raw)} is not a date. Write dates as YYYY-MM-DD, "
                                            "for example 2026-01-05.", path)
            return None
        try:
            return reader(raw)
        except ValueError as exc:
            self.p.add(self.loc(node, key), str(exc), path)
            return None

    def events(self, node: Any, parent: Any, path: str) -> list:
        if node is None:
            return []
        if not isinstance(node, list):
            self.p.add(self.loc(parent, path.split(".")[-1]), f"'{path}' must be a list of events.", path)
            return []
        if len(node) > MAX_EVENTS_PER_CASE:
            return []  # refused by count(), unread
        out = []
        located, plans = isinstance(node, LList), self.plans
        for i, item in enumerate(node):
            loc = node.item_loc(i) if located else self.whole_file
            read = plain_event(item, plans)
            if read is not None:
                out.append(_written(read[0], read[1], None, read[2], loc, f"{path}[{i}]"))
                continue
            event = self.event(item, loc, f"{path}[{i}]")
            if event is not None:
                out.append(event)
        return out

    def event(self, node: Any, loc: Loc, path: str):
        if not isinstance(node, dict):
            self.p.add(loc, "Each event must be a mapping with a type and a date, "
                            "for example {type: missing_episode, on: 2026-01-03}.", path)
            return None
        etype = node.get("type")
        if etype is None:
            self.p.add(loc, "This event has no 'type'.", f"{path}.type")
            return None
        if not isinstance(etype, str) or etype not in self.vocab.event_types:
            self.p.add(self.loc(node, "type"), f"{_what(etype)} is not an event type this council's policy knows."
                                               f"{suggest(_shown(etype), self.vocab.event_types)}", f"{path}.type")
            return None
        found = self._event_fields.get(etype)
        if found is None:
            specs = self.vocab.event_fields(etype)
            allowed = ("type", "on") + tuple(specs)
            found = self._event_fields[etype] = (tuple(specs.items()), allowed, frozenset(allowed))
        specs, allowed, allowed_set = found
        if not (len(node) <= len(allowed) and node.keys() <= allowed_set):
            self.keys(node, allowed, f"a {etype} event", f"{path}.")
        if node.get("on") is None:
            self.p.add(loc, "This event has no date: add 'on: YYYY-MM-DD'.", f"{path}.on")
            return None
        when = self.date(node, "on", f"{path}.on", parse_date_or_datetime)
        if when is None:
            return None
        fields = {}
        for name, spec in specs:
            if node.get(name) is not None:
                value = self.value(node, name, spec, f"{path}.{name}", etype)
                if value is not None:
                    fields[name] = value
            elif spec.required:
                self.p.add(loc, f"A {etype} event needs '{name}' (the vocabulary requires it).", f"{path}.{name}")
        if type(when) is date:
            return _written(etype, when, None, fields, loc, path)
        return _written(etype, when.date(), when, fields, loc, path)

    def value(self, node: dict, name: str, spec: EventField, path: str, etype: str) -> Any:
        raw = node[name]
        kind = spec.kind
        where = self.loc  # a problem is placed where the field is written
        if kind == "date":
            return self.date(node, name, path)
        if kind == "boolean":
            if raw is True or raw is False:
                return raw
            self.p.add(where(node, name), f"'{name}' is true or false, not {_what(raw)}.", path)
            return None
        if kind == "number":
            return self.number(raw, node, name, spec, path, etype)
        if kind in ("role", "action", "placement_type", "choice"):
            if isinstance(raw, _SCALARS) and self.allows(kind, spec, raw):
                return raw
            allowed = {"role": list(self.vocab.roles) + (list(self.vocab.parties) if spec.parties else []),
                       "action": list(self.vocab.actions), "placement_type": list(self.vocab.placement_types),
                       "choice": list(spec.values)}[kind]
            self.p.add(where(node, name),
                       f"{_what(raw)} is not one of the values of '{name}'.{suggest(_shown(raw), allowed)}", path)
            return None
        if kind == "roles":
            items = raw if isinstance(raw, list) else None
            if items is None:
                self.p.add(where(node, name),
                           f"'{name}' must be a list of roles, for example [childs_social_worker, iro].", path)
                return None
            bad = [r for r in items if not isinstance(r, str) or r not in self.vocab.roles]
            for r in bad:
                self.p.add(where(node, name), f"{_what(r)} is not a role.{suggest(_shown(r), self.vocab.roles)}", path)
            return None if bad else tuple(items)
        if not isinstance(raw, _SCALARS):
            self.p.add(where(node, name), f"'{name}' must be text, not {_what(raw)}.", path)
            return None
        text = raw if isinstance(raw, str) else str(raw)
        problem = text_problem(text, spec.max_length or MAX_TEXT_LENGTH)
        if problem:
            self.p.add(where(node, name), f"'{name}' cannot be stored: {problem}.", path)
            return None
        return text

    def allows(self, kind: str, spec: EventField, raw: Any) -> bool:
        """Is a scalar one of the values a role, action, placement type or choice field takes?"""
        if kind == "role":
            return raw in self.vocab.roles or (spec.parties and raw in self.vocab.parties)
        if kind == "action":
            return raw in self.vocab.actions
        if kind == "placement_type":
            return raw in self.vocab.placement_types
        return raw in spec.values

    def number(self, raw: Any, node: dict, name: str, spec: EventField, path: str, etype: str) -> Any:
        """A number within the service's limits and its field's declared min, max and whole."""
        where = self.loc  # a problem is placed where the field is written
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            self.p.add(where(node, name), f"'{name}' must be a number, not {_what(raw)}.", path)
            return None
        try:
            check_magnitude(raw)
        except LimitError as exc:
            self.p.add(where(node, name), f"'{name}' is out of range: {exc} (see docs/limits.md).", path)
            return None
        owner = f"(the most a {etype} event may have)"
        if spec.whole and raw != int(raw):
            self.p.add(where(node, name), f"'{name}' must be a whole number, not {_shown(raw)}.", path)
        elif spec.min is not None and raw < spec.min:
            self.p.add(where(node, name),
                       f"'{name}' must be {_shown(spec.min)} or more (the least a {etype} event may have).", path)
        elif spec.max is not None and raw > spec.max:
            self.p.add(where(node, name), f"'{name}' must be {_shown(spec.max)} or less {owner}.", path)
        else:
            return int(raw) if spec.whole else raw
        return None


def _written(etype: str, on: date, at: datetime | None, fields: dict, loc: Loc | None, path: str) -> Event:
    """An event as read, before its place in the history is known: _history numbers it (seq) and
    gives it the placement in force. Its attributes are set in one step, not one frozen dataclass
    __setattr__ at a time (a case's events are made on every read; the names are Event's own
    fields), and it is made once: _history completes it before anyone has seen it."""
    event = _new_event(Event)
    event.__dict__.update(seq=-1, type=etype, on=on, at=at, fields=fields, loc=loc, path=path,
                          placement=_NO_PLACEMENT)
    return event


_NO_PLACEMENT: dict = {}
_new_event = object.__new__
_AT, _ON = attrgetter("at"), attrgetter("on")


def _history(first: dict | None, events: list) -> tuple[list, list | None]:
    """History order: by date (and time), then as written; numbered for 'since' and matching.
    With the child's first placement (``first``), each event carries the placement in force when
    it happened (a move: the one it begins), as hearth.engine.placements tells them over time,
    and those placements are given too (the case keeps them); without, None."""
    # sorted stably: then as written; by date alone when no event has a time (nearly every case)
    ordered = sorted(events, key=_written_order if any(map(_AT, events)) else _ON)
    for seq, event in enumerate(ordered):
        event.__dict__["seq"] = seq  # made by _written, not yet seen by anyone (Event is frozen)
    if first is None:
        return ordered, None
    placements = placements_over_time(first, ordered)
    _in_force(ordered, placements)
    return ordered, placements


def _in_force(ordered: list, placements: list) -> None:
    """Give each event of a numbered history the placement in force when it happened."""
    current, index, count = placements[0].fields(), 1, len(placements)
    for event in ordered:
        while index < count and placements[index].seq <= event.seq:
            current, index = placements[index].fields(), index + 1
        event.__dict__["placement"] = current


def _written_order(event: Event) -> tuple:
    return (event.on, event.at or datetime.min)


def _plain_case(doc: Any, vocab: Vocabulary, file: str) -> Case | None:
    """A decoded case document that is plainly valid (a mapping of child, placement and events,
    each plainly valid, no carer), read in one pass to the Case the general reader gives, event
    attributes and all; None for anything else, which the general reader then reads (and says
    what is wrong and where). tests/test_case_reader_fast.py checks the two agree."""
    if type(doc) is not dict or not doc.keys() <= _PLAIN_CASE_KEYS or doc.get("carer") is not None:
        return None
    child = plain_child(doc.get("child"))
    first = plain_placement(doc.get("placement"), vocab.placement_types)
    if child is None or first is None:
        return None
    events = doc.get("events")
    if events is None:
        read = []
    elif type(events) is not list or len(events) > MAX_EVENTS_PER_CASE:
        return None
    else:
        read = plain_events(events, event_plans(vocab))
        if read is None:
            return None
    read.sort(key=_DAY)  # history order: by date, then as written (sorted stably)
    placements = [first_placement(first)]
    current, loc, paths, moved = placements[0].fields(), _whole_file(file), _paths(len(read)), False
    history = []
    for seq, (day, position, etype, fields) in enumerate(read):
        event = _new_event(Event)  # as _written makes it, complete (Event is frozen)
        event.__dict__.update(seq=seq, type=etype, on=day, at=None, fields=fields, loc=loc, path=paths[position],
                              placement=current)
        history.append(event)
        if etype in _PLACEMENT_EVENTS:
            moved = True
    if moved:
        placements = placements_over_time(first, history)
        _in_force(history, placements)
    case = Case(child, first, history, [], None)
    case._placements = placements
    return case


def _whole_file(file: str) -> Loc:
    """Loc(file), where an event of a decoded document is: made once for a file name (a Loc is
    frozen, so one serves every case of a batch), a few hundred names kept."""
    return _FILES[file] if type(file) is str else Loc(file)


_FILES = Memo(Loc, 256)
_DAY = itemgetter(0)
_PLACEMENT_EVENTS = frozenset((MOVE, ENDING))
_EVENT_PATHS: tuple[str, ...] = ()  # "events[0]", "events[1]"...: made once, as far as a case has needed


def _paths(count: int) -> tuple[str, ...]:
    """The paths of (at least) a history's first ``count`` events, events[i] as the general
    reader names them. Replaced whole when more are needed, never changed: a thread reading
    another case keeps the one it has."""
    global _EVENT_PATHS
    paths = _EVENT_PATHS
    if len(paths) < count:
        paths = _EVENT_PATHS = tuple(f"events[{position}]" for position in range(max(count, 2 * len(paths), 64)))
    return paths


def parse_case_text(text: str, file: str, vocab: Vocabulary) -> Case:
    """A case document as YAML or JSON text (JSON is YAML 1.2). Plain JSON is decoded quickly
    first; only a document with a mistake (or YAML) goes through the YAML reader, whose
    values know their lines, so every mistake is still reported where it was written. JSON
    written plainly (most of what other systems send) is decoded more quickly still when the
    quick way reads the whole case from it, which takes only numbers the limits allow
    (load_plain_json)."""
    plain = load_plain_json(text)
    if plain is not None:
        case = _plain_case(plain, vocab, file)
        if case is not None:
            return case
    data = load_json_quickly(text) if plain is None else plain_json_as_checked(text, plain)
    if data is not None:
        try:
            return _read(data, vocab, file)
        except SourceError:
            pass  # read it again as located YAML, to say where each mistake is
    doc = load_yaml(text, file)
    return _CaseReader(vocab, file).read(doc)


def parse_case_data(data: Any, vocab: Vocabulary, file: str = "case") -> Case:
    """A case already decoded (the JSON API); errors name the field path."""
    # Round-trip through our YAML loader would lose nothing but time; read directly.
    return _read(data, vocab, file)


def _read(data: Any, vocab: Vocabulary, file: str) -> Case:
    """A decoded case: the quick way when it is plainly valid, else the general reader's."""
    case = _plain_case(data, vocab, file)
    return case if case is not None else _CaseReader(vocab, file).read(data)


def case_to_dict(case: Case) -> dict:
    """The case document form of a Case (dates as ISO text)."""
    def ev(e: Event) -> dict:
        out = {"type": e.type, "on": (e.at or e.on).isoformat()}
        for k, v in e.fields.items():
            out[k] = v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v
        return out
    doc = {"child": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in case.child.items()},
           "placement": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in case.placement.items()},
           "events": [ev(e) for e in case.events]}
    if case.carer_ref or case.carer_events:
        doc["carer"] = {"ref": case.carer_ref, "events": [ev(e) for e in case.carer_events]}
    return json.loads(json.dumps(doc))
