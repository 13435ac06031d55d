"""The intervention menu as items an officer adds, changes, removes and reorders (issue 11).

An intervention (docs/policy-language.md, "Interventions") has an id, a label, whether it is
costed, the days it is offered from and until, and the council's `source` sentence: the page
changes those. An intervention offered "only when" a condition holds (`when`) keeps that
condition as written: it is named in ``unexpressed`` and changed in the YAML editor. So is
any value the page cannot show (a label that is not text, a date that is not a date): such an
item is read-only rather than rewritten from a guess.

The id is what tests, forms and records name the intervention by, so it is set once, when
the intervention is added, and never changed here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from .yaml_text import EditError, YamlText

SECTION = "interventions"
KEYS = ("id", "label", "costed", "available_from", "available_until", "when", "source")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")  # as the policy reader checks ids


@dataclass(frozen=True)
class InterventionValues:
    id: str
    label: str
    costed: bool
    available_from: date | None
    available_until: date | None
    source: str


@dataclass(frozen=True)
class MenuItem:
    index: int
    values: InterventionValues
    when: Any              # offered only when this holds, as written (None: no such condition)
    editable: bool         # False: a value the page cannot show; changed in the YAML editor
    unexpressed: tuple     # in words, what the item also has that the page does not change


def items(document: YamlText) -> tuple:
    listed = document.value((SECTION,), [])
    if not isinstance(listed, list):
        return ()
    return tuple(_item(index, entry) for index, entry in enumerate(listed))


def read_intervention(document: YamlText, intervention_id: str) -> MenuItem | None:
    return next((item for item in items(document) if item.values.id == intervention_id), None)


def _item(index: int, entry: Any) -> MenuItem:
    if not isinstance(entry, dict):
        return MenuItem(index, InterventionValues("", "", False, None, None, ""), None, False,
                        ("This item is not written as keys and values",))
    unexpressed = []
    editable = True
    texts = {}
    for key in ("id", "label", "source"):
        value = entry.get(key, "")
        if not isinstance(value, str):
            editable = False
            unexpressed.append(f"Its {key} is not text")
            value = str(value)
        texts[key] = value.strip()
    costed = entry.get("costed", False)
    if not isinstance(costed, bool):
        editable = False
        unexpressed.append("Whether it is costed is not written as true or false")
    days = {}
    for key in ("available_from", "available_until"):
        value = entry.get(key)
        if value is not None and not isinstance(value, date):
            editable = False
            unexpressed.append(f"Its {key.replace('_', ' ')} is not a date")
            value = None
        days[key] = value
    if "when" in entry:
        unexpressed.append("It is offered only when a condition holds")
    unexpressed.extend(f"The key '{key}'" for key in entry if key not in KEYS)
    values = InterventionValues(texts["id"], texts["label"], costed is True, days["available_from"],
                                days["available_until"], texts["source"])
    return MenuItem(index, values, entry.get("when"), editable, tuple(unexpressed))


def write_intervention(document: YamlText, intervention_id: str, values: InterventionValues) -> None:
    """Change the intervention's label, cost, dates and source; values equal to the file's
    leave it byte-identical (an absent `costed` already means false)."""
    item = read_intervention(document, intervention_id)
    if item is None:
        raise EditError(f"There is no intervention '{intervention_id}'.")
    if not item.editable:
        raise EditError(f"The intervention '{intervention_id}' has values this editor cannot change.")
    path = (SECTION, item.index)
    if values.label != item.values.label:
        document.set(path + ("label",), values.label)
    if values.costed != item.values.costed:
        document.set(path + ("costed",), values.costed)
    for key in ("available_from", "available_until"):
        wanted = getattr(values, key)
        if wanted == getattr(item.values, key):
            continue
        if wanted is None:
            document.delete(path + (key,))
        else:
            document.set(path + (key,), wanted)
    if values.source != item.values.source:
        document.set(path + ("source",), values.source)


def new_intervention(values: InterventionValues) -> dict:
    entry: dict = {"id": values.id, "label": values.label, "costed": values.costed}
    for key in ("available_from", "available_until"):
        if getattr(values, key) is not None:
            entry[key] = getattr(values, key)
    entry["source"] = values.source
    return entry


def add_intervention(document: YamlText, values: InterventionValues) -> None:
    """Add an intervention at the end of the menu (an id already there is refused)."""
    if read_intervention(document, values.id) is not None:
        raise EditError(f"The menu already has an intervention '{values.id}'.")
    if not document.has((SECTION,)):
        document.set((SECTION,), [new_intervention(values)])
        return
    listed = document.value((SECTION,))
    if not isinstance(listed, list):
        raise EditError(f"'{SECTION}' is not a list.")
    document.insert((SECTION,), len(listed), new_intervention(values))


def remove_intervention(document: YamlText, intervention_id: str) -> None:
    item = read_intervention(document, intervention_id)
    if item is None:
        raise EditError(f"There is no intervention '{intervention_id}'.")
    document.delete((SECTION, item.index))


def move_intervention(document: YamlText, intervention_id: str, direction: str) -> None:
    """Move an intervention one place up or down the menu, with its comments."""
    item = read_intervention(document, intervention_id)
    count = len(items(document))
    to = (item.index - 1 if direction == "up" else item.index + 1) if item is not None else -1
    if item is None or not 0 <= to < count:
        raise EditError(f"The intervention '{intervention_id}' cannot move {direction}.")
    document.move((SECTION,), item.index, to)
