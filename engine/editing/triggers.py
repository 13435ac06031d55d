"""The trigger editor's engine part: a trigger's plain values, and writing them back in place.

Two shapes of ``when`` can be changed without YAML, because they are the two a procedure's
sentences take: "when this happens" (``{event: x}`` or ``{event: [x, y]}``) and "when this
happens N times within a period" (``{count: [x, y], at_least: N, within: 28 days}``). An
officer may switch one for the other. A ``where`` on either is kept as written (and named in
``unexpressed``); any other shape (``any``, ``all``, ``since``, ``per``, ...) is shown read-only
and never rewritten (``Trigger.expressible`` is False).

``write_trigger`` sets only the keys whose values changed, so values equal to the file's leave
it byte-identical (hearth.engine.editing.yaml_text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from hearth.rules.durations import Duration

from .rule_parts import duration_or_none, events_value, names_of, write_title_and_source
from .yaml_text import EditError, YamlText

SECTION = "triggers"
EVENT, COUNT = "event", "count"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_EVENT_KEYS = {"event", "where"}
_COUNT_KEYS = {"count", "at_least", "within", "where"}


@dataclass(frozen=True)
class Trigger:
    """A trigger as its page shows it. ``kind`` is EVENT or COUNT; ``at_least`` and ``within``
    only mean something for COUNT (``within`` is the file's duration)."""

    id: str
    title: str
    kind: str
    events: tuple[str, ...]
    at_least: int | None
    within: Duration | None
    source: str
    unexpressed: tuple[str, ...] = ()
    expressible: bool = True


def trigger_ids(document: YamlText) -> tuple[str, ...]:
    return tuple(str(item.get("id", "")) for item in _items(document))


def trigger_position(document: YamlText, trigger_id: str) -> int | None:
    ids = trigger_ids(document)
    return ids.index(trigger_id) if trigger_id in ids else None


def read_trigger(document: YamlText, position: int) -> Trigger:
    item = _items(document)[position]
    when = item.get("when")
    title, source = str(item.get("title", "") or ""), str(item.get("source", "") or "")
    unexpressed = []
    if isinstance(when, dict) and "where" in when:
        unexpressed.append("a condition on the events' own details (where), kept as it is")
    if isinstance(when, dict) and set(when) <= _EVENT_KEYS and names_of(when.get("event")):
        return Trigger(str(item.get("id", "")), title, EVENT, names_of(when["event"]), None, None, source,
                       tuple(unexpressed))
    if (isinstance(when, dict) and set(when) <= _COUNT_KEYS and names_of(when.get("count"))
            and type(when.get("at_least")) is int and duration_or_none(when.get("within")) is not None):
        return Trigger(str(item.get("id", "")), title, COUNT, names_of(when["count"]), when["at_least"],
                       duration_or_none(when["within"]), source, tuple(unexpressed))
    return Trigger(str(item.get("id", "")), title, "", (), None, None, source,
                   ("a condition this page cannot change (change it in the YAML editor)",), expressible=False)


def write_trigger(document: YamlText, position: int, values: Trigger, order=()) -> None:
    """Write ``values`` over the trigger at ``position``: title, source and its ``when``. ``order``
    is the vocabulary's order of event ids, for events added to a list."""
    current = read_trigger(document, position)
    if not current.expressible:
        raise EditError(f"The trigger '{current.id}' says something this page cannot change.")
    path = (SECTION, position)
    when = document.value(path + ("when",))
    if values.kind == current.kind:
        key = "event" if values.kind == EVENT else "count"
        document.set(path + ("when", key), events_value(when[key], values.events, order))
        if values.kind == COUNT:
            document.set(path + ("when", "at_least"), values.at_least)
            if values.within != current.within:
                document.set(path + ("when", "within"), str(values.within))
    else:
        document.set(path + ("when",), when_value(values, order, where=when.get("where")))
    write_title_and_source(document, path, values.title, values.source)


def when_value(values: Trigger, order=(), where=None) -> dict:
    """A new ``when`` for ``values`` (a switch of kind, or a new trigger), keeping ``where``."""
    events = events_value(None, values.events, order)
    when = {"event": events} if values.kind == EVENT else {
        "count": events, "at_least": values.at_least, "within": str(values.within)}
    if where is not None:
        when["where"] = where
    return when


def add_trigger(document: YamlText, values: Trigger, order=()) -> None:
    """Add a trigger at the end of the list (making the list if the file has none)."""
    item = {"id": values.id}
    if values.title:
        item["title"] = values.title
    item["when"] = when_value(values, order)
    item["source"] = values.source
    if isinstance(document.value((SECTION,)), list):
        document.insert((SECTION,), len(_items(document)), item)
    else:
        document.set((SECTION,), [item])


def remove_trigger(document: YamlText, position: int) -> None:
    document.delete((SECTION, position))


def move_trigger(document: YamlText, position: int, direction: str) -> None:
    """Move a trigger one place "up" or "down" the list, its comment lines with it (the order
    the triggers are listed in, on the reading pages and in an answer)."""
    to = position - 1 if direction == "up" else position + 1 if direction == "down" else -1
    if not 0 <= to < len(_items(document)):
        raise EditError(f"The trigger in position {position + 1} cannot move {direction or 'there'}.")
    document.move((SECTION,), position, to)


def _items(document: YamlText) -> list:
    items = document.value((SECTION,), [])
    return [item if isinstance(item, dict) else {} for item in items] if isinstance(items, list) else []

