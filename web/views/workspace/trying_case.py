"""The what-if's case as typed in the browser: read from the form, made into a case document,
and drawn again with nothing typed lost.

The form is plain HTML (it must work without JavaScript), so its rows are numbered fields
(``events-0-type``, ``events-0-on``, ``events-0-<field>``) and "Add another event" is a submit
button that draws the form again with one more row. An event's own fields are those of its type
in the draft's vocabulary: drawn once a type is chosen (the page is drawn again on any button).
Every mistake is kept by the id of the box it belongs to, so the error summary links to it: a
date that is not one here, the engine's own messages (``events[2].chair``) mapped onto boxes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from hearth.engine.vocabulary import EventField, Vocabulary
from hearth.rules.limits import MAX_NAME_LENGTH, MAX_TEXT_LENGTH
from hearth.rules.source import Problem

from ...models import Case

MAX_EVENT_ROWS = 30          # rows a what-if may have (a what-if is a story, not a history)
FIRST_ROWS = 3               # rows drawn on a new what-if
MAX_VALUE_LENGTH = 2_000     # characters of one box (the engine's own text limit is larger)
NOT_COPIED = "(not copied)"  # a required text field of a copied case: free text may be personal
_DAY_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})[/\-. ](\d{1,2})[/\-. ](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_TRUE, _FALSE = "yes", "no"


@dataclass
class EventRow:
    type: str = ""
    on: str = ""
    fields: dict = field(default_factory=dict)   # field name -> text as typed

    @property
    def blank(self) -> bool:
        return not (self.type or self.on.strip() or any(value.strip() for value in self.fields.values()))


@dataclass
class WhatIf:
    """Everything typed, as typed."""

    placement_type: str = ""
    placement_started: str = ""
    on: str = ""
    events: list = field(default_factory=list)
    test_name: str = ""
    notice: str = ""                             # said above the form (a copied case cut short)
    errors: dict = field(default_factory=dict)   # box id -> message

    def error(self, box: str, message: str) -> None:
        self.errors.setdefault(box, message)


def _text(form, name: str, limit: int = MAX_VALUE_LENGTH) -> str:
    return (form.get(name) or "")[:limit]


def read_form(form, vocabulary: Vocabulary | None) -> WhatIf:
    """The what-if as posted (each box cut to its bound, at most MAX_EVENT_ROWS rows)."""
    typed = WhatIf(_text(form, "placement_type", MAX_NAME_LENGTH), _text(form, "placement_started", 40),
                   _text(form, "on", 40), test_name=_text(form, "test_name", MAX_NAME_LENGTH + 1))
    try:
        rows = min(max(int(form.get("rows") or FIRST_ROWS), 1), MAX_EVENT_ROWS)
    except ValueError:
        rows = FIRST_ROWS
    for index in range(rows):
        row = EventRow(_text(form, f"events-{index}-type", MAX_NAME_LENGTH), _text(form, f"events-{index}-on", 40))
        for name in _field_names(vocabulary, row.type):
            row.fields[name] = _text(form, f"events-{index}-{name}")
        typed.events.append(row)
    return typed


def _field_names(vocabulary: Vocabulary | None, event_type: str) -> list[str]:
    if vocabulary is None or event_type not in vocabulary.event_types:
        return []
    return list(vocabulary.event_fields(event_type))


def add_row(typed: WhatIf) -> None:
    """One more event row, if the bound allows ("Add another event")."""
    if len(typed.events) < MAX_EVENT_ROWS:
        typed.events.append(EventRow())
    else:
        typed.error(f"events-{len(typed.events) - 1}-type", f"A what-if may have at most {MAX_EVENT_ROWS} events")


def from_case(case: Case, vocabulary: Vocabulary | None, on: str) -> WhatIf:
    """A what-if from an open case's placement and events: no reference, no date of birth,
    no free text (a text field the event type needs is filled with NOT_COPIED)."""
    typed = WhatIf(case.placement_type, case.placement_started.isoformat(), on)
    for event in sorted((e for e in case.events if e.withdrawn_at is None), key=lambda e: (e.on, e.id)):
        known = vocabulary.event_fields(event.type) if vocabulary and event.type in vocabulary.event_types else {}
        fields = {}
        for name, spec in known.items():
            value = (event.fields or {}).get(name)
            if spec.kind == "text":
                fields[name] = NOT_COPIED if spec.required else ""
            elif value is not None:
                fields[name] = _shown(value, spec)
        typed.events.append(EventRow(event.type, event.on.isoformat(), fields))
    if len(typed.events) > MAX_EVENT_ROWS - 1:
        typed.notice = (f"The case has {len(typed.events)} events; a what-if holds {MAX_EVENT_ROWS}, so its latest "
                        f"{MAX_EVENT_ROWS - 1} were copied.")
        typed.events = typed.events[-(MAX_EVENT_ROWS - 1):]
    typed.events.append(EventRow())
    return typed


def _shown(value, spec: EventField) -> str:
    if spec.kind == "boolean":
        return _TRUE if value else _FALSE
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def read_date(text: str) -> date | None:
    """2026-12-18, 18/12/2026 or 18 12 2026; None when it is not a real date."""
    iso, dmy = _ISO.match(text), _DAY_MONTH_YEAR.match(text)
    try:
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if dmy:
            return date(int(dmy.group(3)), int(dmy.group(2)), int(dmy.group(1)))
    except ValueError:
        return None
    return None


def case_document(typed: WhatIf, vocabulary: Vocabulary | None) -> tuple[dict, date | None, list[int]]:
    """The case document the engine reads (no child: a what-if has none), the day to judge,
    and which row each event came from; mistakes found here go into ``typed.errors``."""
    on = _date_box(typed, "on", typed.on, "the day to judge the case on")
    if not typed.placement_type:
        typed.error("placement_type", "Select the type of placement")
    elif vocabulary is not None and typed.placement_type not in vocabulary.placement_types:
        typed.error("placement_type", f"'{typed.placement_type}' is not a placement type of this policy")
    started = _date_box(typed, "placement_started", typed.placement_started, "the day the placement started")
    events, rows = [], []
    for index, row in enumerate(typed.events):
        if row.blank:
            continue
        box = f"events-{index}"
        if not row.type:
            typed.error(f"{box}-type", f"Select the type of event {index + 1}")
        elif vocabulary is not None and row.type not in vocabulary.event_types:
            typed.error(f"{box}-type", f"'{row.type}' is not an event type of this policy")
        day = _date_box(typed, f"{box}-on", row.on, f"the day of event {index + 1}")
        event = {"type": row.type, "on": day.isoformat() if day else row.on}
        known = vocabulary.event_fields(row.type) if vocabulary and row.type in vocabulary.event_types else {}
        for name, text in row.fields.items():
            if text.strip() and name in known:
                event[name] = _value(typed, f"{box}-{name}", text.strip(), known[name])
        events.append(event)
        rows.append(index)
    document = {"placement": {"type": typed.placement_type, "started": started.isoformat() if started else ""},
                "events": events}
    return document, on, rows


def _date_box(typed: WhatIf, box: str, text: str, what: str) -> date | None:
    if not text.strip():
        typed.error(box, f"Enter {what}")
        return None
    day = read_date(text)
    if day is None:
        typed.error(box, f"Enter {what} as a real date, for example 2026-12-18 or 18/12/2026")
    return day


def _value(typed: WhatIf, box: str, text: str, spec: EventField):
    """A box's text as the kind of value its field holds (the engine checks the rest)."""
    if spec.kind == "boolean":
        return text == _TRUE
    if spec.kind == "roles":
        return [part.strip() for part in text.split(",") if part.strip()]
    if spec.kind == "date":
        day = read_date(text)
        if day is None:
            typed.error(box, "Enter a real date, for example 2026-12-18 or 18/12/2026")
        return day.isoformat() if day else text
    if spec.kind == "number":
        try:
            return int(text) if re.fullmatch(r"-?\d+", text) else float(text)
        except ValueError:
            typed.error(box, "Enter a number, for example 3")
            return text
    return text[:MAX_TEXT_LENGTH]


def engine_problems(typed: WhatIf, problems: list[Problem], rows: list[int]) -> None:
    """The engine's messages about the case, each on the box it is about
    (``placement.type`` -> placement_type, ``events[1].chair`` -> the row's chair box)."""
    for problem in problems:
        typed.error(_box(problem.field or "", rows), problem.message)


def _box(path: str, rows: list[int]) -> str:
    if path.startswith("placement."):
        return "placement_started" if path == "placement.started" else "placement_type"
    found = re.match(r"^events\[(\d+)\](?:\.(\w+))?", path)
    if found and int(found.group(1)) < len(rows):
        row = rows[int(found.group(1))]
        return f"events-{row}-{found.group(2) or 'type'}"
    return "placement_type"


@dataclass(frozen=True)
class Options:
    """The vocabulary's words as the form's menus: (value, label) pairs."""

    placement_types: list
    event_types: list
    roles: list
    parties: list
    actions: list

    @staticmethod
    def choices(spec: EventField) -> list:
        return [(value, str(value).replace("_", " ")) for value in spec.values]


def options(vocabulary: Vocabulary | None) -> Options:
    if vocabulary is None:
        return Options([], [], [], [], [])
    return Options(list(vocabulary.placement_types.items()),
                   [(type_id, event_type.label) for type_id, event_type in vocabulary.event_types.items()],
                   list(vocabulary.roles.items()), list(vocabulary.parties.items()),
                   [(action, (entry.get("label") if isinstance(entry, dict) else None) or action.replace("_", " "))
                    for action, entry in vocabulary.actions.items()])
