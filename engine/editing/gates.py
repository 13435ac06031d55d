"""The gate editor's engine part: which requests a gate blocks, what opens it, what overrides it.

A gate (docs/policy-language.md, "Gates") holds back its ``actions`` until either something
happens (``blocked_until: {event: ...}``, a meeting held) or someone decides
(``needs_approval: {event: ...}``, a panel or a manager's approval); ``unless: {event: ...}``
overrides a block. The page changes the actions, which of the two opens the gate and its
event types, the override's event types (none: no override), the title and the source. A
``where`` on any of the three is kept as written and named in ``unexpressed``, as are
``since``, ``after_the_fact`` and ``after_the_fact_overdue``. A gate whose conditions take
another shape (``all`` of two approvals, say) is shown read-only (``expressible`` False).
"""
from __future__ import annotations

from dataclasses import dataclass

from .rule_parts import events_value, names_of, write_title_and_source
from .yaml_text import EditError, YamlText

SECTION = "gates"
BLOCKED_UNTIL, NEEDS_APPROVAL = "blocked_until", "needs_approval"
OPENERS = (BLOCKED_UNTIL, NEEDS_APPROVAL)
KEPT_KEYS = {
    "since": "what opens it counts only after the latest concern (since)",
    "after_the_fact": "a time by which an override must still be followed by what opens it (after_the_fact)",
    "after_the_fact_overdue": "whether an override not followed in time is overdue (after_the_fact_overdue)",
}


@dataclass(frozen=True)
class Gate:
    """A gate as its page shows it; ``overrides`` empty means no ``unless``."""

    id: str
    title: str
    actions: tuple[str, ...]
    opened_by: str
    opening_events: tuple[str, ...]
    overrides: tuple[str, ...]
    source: str
    unexpressed: tuple[str, ...] = ()
    expressible: bool = True


def gate_ids(document: YamlText) -> tuple[str, ...]:
    return tuple(str(item.get("id", "")) for item in _items(document))


def gate_position(document: YamlText, gate_id: str) -> int | None:
    ids = gate_ids(document)
    return ids.index(gate_id) if gate_id in ids else None


def read_gate(document: YamlText, position: int) -> Gate:
    item = _items(document)[position]
    unexpressed = [words for key, words in KEPT_KEYS.items() if key in item]
    openers = [key for key in OPENERS if key in item]
    opening = _events(item.get(openers[0])) if len(openers) == 1 else None
    overrides = _events(item["unless"]) if "unless" in item else ()
    actions = names_of(item.get("actions")) or ()
    for key, words in ((BLOCKED_UNTIL, "what must happen"), (NEEDS_APPROVAL, "the approval"),
                       ("unless", "the override")):
        if isinstance(item.get(key), dict) and "where" in item[key]:
            unexpressed.append(f"a condition on the details of {words} (where)")
    expressible = opening is not None and overrides is not None and bool(actions)
    if not expressible:
        unexpressed.append("a condition this page cannot change (change it in the YAML editor)")
    return Gate(str(item.get("id", "")), str(item.get("title", "") or ""), actions,
                openers[0] if len(openers) == 1 else "", opening or (), overrides or (),
                str(item.get("source", "") or ""), tuple(unexpressed), expressible)


def write_gate(document: YamlText, position: int, values: Gate, order=(), action_order=()) -> None:
    """Write ``values`` over the gate at ``position`` (only the keys that changed). ``order`` and
    ``action_order`` are the vocabulary's orders, for names added to a list."""
    current = read_gate(document, position)
    if not current.expressible:
        raise EditError(f"The gate '{current.id}' says something this page cannot change.")
    if values.opened_by == NEEDS_APPROVAL and values.overrides:
        raise EditError("Only a gate that waits for something to happen can be overridden, not an approval.")
    path = (SECTION, position)
    written = document.value(path + ("actions",))
    actions = events_value(written, values.actions, action_order)
    document.set(path + ("actions",), [actions] if isinstance(written, list) and isinstance(actions, str) else actions)
    opening = document.value(path + (current.opened_by,))
    if values.opened_by == current.opened_by:
        document.set(path + (values.opened_by, "event"), events_value(opening["event"], values.opening_events, order))
    else:
        document.delete(path + (current.opened_by,))
        moved = dict(opening)
        moved["event"] = events_value(None, values.opening_events, order)
        document.set(path + (values.opened_by,), moved, after=("id", "title", "actions"))
    unless = document.value(path + ("unless",))
    if values.overrides and unless is not None:
        document.set(path + ("unless", "event"), events_value(unless["event"], values.overrides, order))
    elif values.overrides:
        document.set(path + ("unless",), {"event": events_value(None, values.overrides, order)},
                     after=("id", "title", "actions", "blocked_until", "needs_approval"))
    elif unless is not None:
        document.delete(path + ("unless",))
    write_title_and_source(document, path, values.title, values.source)


def remove_gate(document: YamlText, position: int) -> None:
    document.delete((SECTION, position))


def _events(condition) -> tuple[str, ...] | None:
    """The event types of ``{event: ..., where: ...}``; None for any other condition."""
    if isinstance(condition, dict) and set(condition) <= {"event", "where"}:
        return names_of(condition.get("event"))
    return None


def _items(document: YamlText) -> list:
    items = document.value((SECTION,), [])
    return [item if isinstance(item, dict) else {} for item in items] if isinstance(items, list) else []
