"""The deadline and duty editor's engine part: how long, counted from what, met by what.

A deadline and a duty have one shape (docs/policy-language.md, "Deadlines and duties"): ``due:
5 working days after stability_meeting_held or review_meeting_held``, ``met_by`` one or more
event types (or ``{event: ..., where: ...}``, whose ``where`` is kept), an optional ``calendar``
naming one of the version file's ``calendars``, a title and a source. Those are what the page
changes. A ``due`` written as rows (a different time by case) is shown read-only, and every other
key (``where``, ``moved_by``, ``planned_by``, ``agreed_date``, ``one_event_meets``, ``unless``,
``waived_by``, ``roll_to``) is kept as written and named in ``unexpressed``.

Values equal to the file's leave it byte-identical: ``due`` is rewritten only when its amount,
unit or starting events differ from what the text says ("5 working days" stays as written even
where "five working days" would parse the same).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from hearth.rules.durations import Duration

from .rule_parts import duration_or_none, events_value, names_of, write_title_and_source
from .yaml_text import EditError, YamlText

SECTIONS = ("deadlines", "duties")
_DUE = re.compile(r"^\s*(.+?)\s+after\s+(.+?)\s*$")
# The keys the page leaves as written, in words for the page ("This deadline also has ...").
KEPT_KEYS = {
    "where": "a condition on the starting event's details (where)",
    "agreed_date": "a date agreed on the starting event that sets the due date (agreed_date)",
    "moved_by": "events that move the due date (moved_by)",
    "planned_by": "the event that arranges it, for the planned date (planned_by)",
    "one_event_meets": "which open instances one event meets (one_event_meets)",
    "unless": "when it is not needed (unless)",
    "waived_by": "the event that waives it (waived_by)",
    "roll_to": "a due date moved off a day that is not a working day (roll_to)",
}


@dataclass(frozen=True)
class Obligation:
    """A deadline or duty as its page shows it. ``calendar`` is the name of one of the version's
    calendars, or "" for the council's own working days."""

    section: str
    id: str
    title: str
    duration: Duration | None
    starts: tuple[str, ...]
    met_by: tuple[str, ...]
    calendar: str
    source: str
    unexpressed: tuple[str, ...] = ()
    expressible: bool = True


def obligation_ids(document: YamlText, section: str) -> tuple[str, ...]:
    return tuple(str(item.get("id", "")) for item in _items(document, section))


def obligation_position(document: YamlText, section: str, item_id: str) -> int | None:
    ids = obligation_ids(document, section) if section in SECTIONS else ()
    return ids.index(item_id) if item_id in ids else None


def calendar_names(document: YamlText) -> tuple[str, ...]:
    """The calendars the version file declares (``calendars:``), which a deadline may name."""
    calendars = document.value(("calendars",), {})
    return tuple(str(name) for name in calendars) if isinstance(calendars, dict) else ()


def parse_due(text) -> tuple[Duration, tuple[str, ...]] | None:
    """'5 working days after a or b' -> (Duration, (a, b)); None for anything else."""
    match = _DUE.match(text) if isinstance(text, str) else None
    duration = duration_or_none(match.group(1)) if match else None
    if duration is None:
        return None
    starts = tuple(name.strip() for name in re.split(r"\s+or\s+|,", match.group(2)) if name.strip())
    return duration, starts


def due_text(duration: Duration, starts) -> str:
    return f"{duration} after {' or '.join(starts)}"


def read_obligation(document: YamlText, section: str, position: int) -> Obligation:
    item = _items(document, section)[position]
    unexpressed = tuple(words for key, words in KEPT_KEYS.items() if key in item)
    met_by, met_path = _met_by(item)
    due = parse_due(item.get("due"))
    calendar = item.get("calendar", "")
    expressible = due is not None and met_path is not None and isinstance(calendar, str)
    if isinstance(item.get("met_by"), dict) and "where" in item["met_by"]:
        unexpressed += ("a condition on the details of the event that meets it (where)",)
    if not expressible:
        unexpressed += ("a due time or 'met by' this page cannot change (change it in the YAML editor)",)
    return Obligation(section, str(item.get("id", "")), str(item.get("title", "") or ""),
                      due[0] if due else None, due[1] if due else (), met_by or (),
                      calendar if isinstance(calendar, str) else "", str(item.get("source", "") or ""),
                      unexpressed, expressible)


def write_obligation(document: YamlText, section: str, position: int, values: Obligation, order=()) -> None:
    """Write ``values`` over the deadline or duty at ``position`` (only the keys that changed)."""
    current = read_obligation(document, section, position)
    if not current.expressible:
        raise EditError(f"The {section[:-1] if section == 'deadlines' else 'duty'} '{current.id}' says something "
                        "this page cannot change.")
    path = (section, position)
    if not _same_duration(values.duration, current.duration) or set(values.starts) != set(current.starts):
        starts = events_value(list(current.starts), values.starts, order)
        document.set(path + ("due",), due_text(values.duration, [starts] if isinstance(starts, str) else starts))
    _, met_path = _met_by(document.value(path))
    document.set(path + met_path, events_value(document.value(path + met_path), values.met_by, order))
    if values.calendar != current.calendar:
        if values.calendar:
            document.set(path + ("calendar",), values.calendar, after=("id", "title", "due"))
        else:
            document.delete(path + ("calendar",))
    write_title_and_source(document, path, values.title, values.source)


def remove_obligation(document: YamlText, section: str, position: int) -> None:
    document.delete((section, position))


def _same_duration(new: Duration | None, old: Duration | None) -> bool:
    """Durations that mean the same: zero of any unit is 'immediately'."""
    if new is None or old is None:
        return new is old
    if new.amount == 0 and old.amount == 0:
        return True
    return new == old


def _met_by(item: dict) -> tuple[tuple[str, ...] | None, tuple | None]:
    """The event types that meet it and the path (below the item) where they are written."""
    value = item.get("met_by")
    if isinstance(value, dict) and set(value) <= {"event", "where"} and names_of(value.get("event")):
        return names_of(value["event"]), ("met_by", "event")
    if names_of(value):
        return names_of(value), ("met_by",)
    return None, None


def _items(document: YamlText, section: str) -> list:
    items = document.value((section,), [])
    return [item if isinstance(item, dict) else {} for item in items] if isinstance(items, list) else []

