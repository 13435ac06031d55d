"""The chair table and the invitee table as rows an officer edits (issue 11).

Each row of `chair` or `invitees` is a rule, like a row of a decision table: the placement
types it applies to (its `when`), the roles it names (a chair row's `options`; an invitees
row's `required` and `consider`) and the council's `source` sentence. The officer changes
those three things with checkboxes and a text box; everything else a row may hold stays
exactly as written:

- a `when` that says more than which placement types (the child's age, an event, any/all)
  cannot be said with checkboxes, so such a row is shown read-only (``placements`` is None)
  and changed in the YAML editor; a placement type the vocabulary does not have is treated
  the same way, so a tick box never drops what it cannot show;
- in a list of roles, a ``{one_of: [...]}`` or a name the vocabulary does not know is kept
  in its place and named in ``unexpressed``; only roles and role groups are ticked.

Which rows apply is the language's (docs/policy-language.md, "Chair and invitees"): the
first chair row that holds gives the options, a row without `when` always holds; every
invitees row that holds adds its roles. So a new chair row goes before the first row that
always holds (after it, it could never apply); a new invitees row goes at the end.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..policy_words import either
from ..vocabulary import Vocabulary
from .rule_parts import version_vocabulary
from .yaml_text import EditError, YamlText

SECTIONS = ("chair", "invitees")
# The keys of a row that hold roles, by section.
ROLE_KEYS = {"chair": ("options",), "invitees": ("required", "consider")}
ROW_KEYS = {"chair": ("when", "options", "source"), "invitees": ("when", "required", "consider", "source")}
PLACEMENT = "placement.type"
EVERY, ONLY, EXCEPT = "every", "only", "except"
MODES = (EVERY, ONLY, EXCEPT)
# How a placement test may be written, and what each means here.
_ONLY_OPS = ("is", "one_of")
_EXCEPT_OPS = ("is_not", "not_one_of")


@dataclass(frozen=True)
class Placements:
    """Which placement types a row applies to: every one (no `when`), only ``types``, or every
    one except ``types``."""

    mode: str
    types: tuple = ()

    def same_as(self, other: "Placements") -> bool:
        return self.mode == other.mode and (self.mode == EVERY or set(self.types) == set(other.types))


@dataclass(frozen=True)
class RowValues:
    """What the row's page edits: its placement types, its roles by key, its source."""

    placements: Placements
    roles: dict          # key ("options", "required", "consider") -> tuple of role or group ids
    source: str


@dataclass(frozen=True)
class TableRow:
    section: str
    index: int
    values: RowValues
    when: Any            # the row's `when` as written (None: none)
    placements_expressed: bool  # False: the `when` is more than placement types; the row is read-only
    kept: dict           # key -> items of its list the page does not tick (one_of, unknown names)
    unexpressed: tuple   # in words, what the row also has that the page does not change

    @property
    def editable(self) -> bool:
        return self.placements_expressed


def vocabulary_of(document: YamlText) -> Vocabulary:
    """The shared vocabulary with the version's own additions: the roles and placement types
    the tables' checkboxes offer. Read from the version file alone, so the tables can still be
    edited while another part of the draft has a mistake (lint says so on the check page); the
    rule editors read it the same way (hearth.engine.editing.rule_parts.version_vocabulary)."""
    return version_vocabulary(document)


def role_choices(vocabulary: Vocabulary) -> tuple:
    """(id, label) of every role, then every role group, for the roles' checkboxes."""
    roles = tuple(vocabulary.roles.items())
    groups = tuple((name, f"The group '{name.replace('_', ' ')}': " + ", ".join(
        vocabulary.roles.get(member, member) for member in members)) for name, members in vocabulary.role_groups.items())
    return roles + groups


def rows(document: YamlText, section: str, vocabulary: Vocabulary) -> tuple:
    listed = document.value((section,), [])
    if not isinstance(listed, list):
        return ()
    return tuple(read_row(document, section, index, vocabulary) for index in range(len(listed)))


def read_row(document: YamlText, section: str, index: int, vocabulary: Vocabulary) -> TableRow | None:
    """Row ``index`` of ``section`` ("chair" or "invitees") as the page edits it, or None when
    there is no such row."""
    listed = document.value((section,), [])
    if not isinstance(listed, list) or not 0 <= index < len(listed):
        return None
    row = listed[index]
    if not isinstance(row, dict):
        return TableRow(section, index, RowValues(Placements(EVERY), {}, ""), row, False, {},
                        ("This row is not written as a row of keys and values",))
    unexpressed = []
    when = row.get("when")
    placements = _placements(when, vocabulary) if "when" in row else Placements(EVERY)
    if placements is None:
        unexpressed.append("Its condition says more than which placement types it applies to")
    roles, kept = {}, {}
    known = set(vocabulary.roles) | set(vocabulary.role_groups)
    for key in ROLE_KEYS[section]:
        items = row.get(key, [])
        items = items if isinstance(items, list) else [items]
        roles[key] = tuple(item for item in items if isinstance(item, str) and item in known)
        kept[key] = tuple(item for item in items if not (isinstance(item, str) and item in known))
        for item in kept[key]:
            unexpressed.append(f"In '{key}': {_item_words(item, vocabulary)}")
    for key in row:
        if key not in ROW_KEYS[section]:
            unexpressed.append(f"The key '{key}'")
    source = row.get("source")
    return TableRow(section, index, RowValues(placements or Placements(EVERY), roles,
                                              source.strip() if isinstance(source, str) else ""),
                    when, placements is not None, kept, tuple(unexpressed))


def _placements(when: Any, vocabulary: Vocabulary) -> Placements | None:
    """A `when` that only names placement types, as Placements; None for anything else."""
    if not isinstance(when, dict) or list(when) != [PLACEMENT]:
        return None
    test = when[PLACEMENT]
    mode = ONLY
    if isinstance(test, dict):
        if len(test) != 1:
            return None
        [(op, test)] = test.items()
        if op not in _ONLY_OPS + _EXCEPT_OPS:
            return None
        mode = ONLY if op in _ONLY_OPS else EXCEPT
    types = tuple(test) if isinstance(test, list) else (test,)
    if not types or not all(isinstance(name, str) and name in vocabulary.placement_types for name in types):
        return None
    return Placements(mode, types)


def _item_words(item: Any, vocabulary: Vocabulary) -> str:
    if isinstance(item, dict) and isinstance(item.get("one_of"), list):
        return "one of " + either([vocabulary.roles.get(str(role), str(role)) for role in item["one_of"]])
    return f"'{item}', which is not a role or role group of the vocabulary"


# ------------------------------------------------------------------ writing
def write_row(document: YamlText, section: str, index: int, values: RowValues, vocabulary: Vocabulary) -> None:
    """Change row ``index`` to ``values``: only the keys whose meaning changed are written, so
    values equal to the row's leave the text byte-identical."""
    current = read_row(document, section, index, vocabulary)
    if current is None:
        raise EditError(f"There is no row {index + 1} in '{section}'.")
    if not current.editable:
        raise EditError(f"Row {index + 1} of '{section}' has a condition this editor cannot change.")
    path = (section, index)
    if not values.placements.same_as(current.values.placements):
        if values.placements.mode == EVERY:
            document.delete(path + ("when",))
        elif "when" in document.value(path):
            document.set(path + ("when", PLACEMENT), _placement_value(values.placements, current.values.placements))
        else:
            document.set(path + ("when",), {PLACEMENT: _placement_value(values.placements, None)}, after=())
    for key in ROLE_KEYS[section]:
        wanted = tuple(values.roles.get(key, ()))
        if set(wanted) == set(current.values.roles.get(key, ())):
            continue
        written = document.value(path + (key,), [])
        written = written if isinstance(written, list) else [written]
        kept = [item for item in written if item in wanted or item in current.kept[key]]
        new = kept + [role for role in wanted if role not in kept]
        if new:
            document.set(path + (key,), new)
        else:
            document.delete(path + (key,))
    if values.source != current.values.source:
        document.set(path + ("source",), values.source)


def _placement_value(placements: Placements, before: Placements | None) -> Any:
    """The `placement.type` test as the house writes it: a type, a list, or {not_one_of: [...]};
    types kept in the order they were written, new ones after."""
    order = [name for name in (before.types if before else ()) if name in placements.types]
    types = order + [name for name in placements.types if name not in order]
    if placements.mode == EXCEPT:
        return {"not_one_of": types}
    return types[0] if len(types) == 1 else types


def new_row(section: str, values: RowValues) -> dict:
    row: dict = {}
    if values.placements.mode != EVERY:
        row["when"] = {PLACEMENT: _placement_value(values.placements, None)}
    for key in ROLE_KEYS[section]:
        if values.roles.get(key):
            row[key] = list(values.roles[key])
    row["source"] = values.source
    return row


def insert_position(document: YamlText, section: str) -> int:
    """Where a new row goes: a chair row before the first that always holds (after it, it
    could never apply); an invitees row at the end."""
    listed = document.value((section,), [])
    listed = listed if isinstance(listed, list) else []
    if section == "chair":
        for index, row in enumerate(listed):
            if isinstance(row, dict) and "when" not in row:
                return index
    return len(listed)


def add_row(document: YamlText, section: str, values: RowValues) -> int:
    """Add a row (see insert_position); returns its index."""
    if not document.has((section,)):
        document.set((section,), [new_row(section, values)])
        return 0
    if not isinstance(document.value((section,)), list):
        raise EditError(f"'{section}' is not a list of rows.")
    position = insert_position(document, section)
    document.insert((section,), position, new_row(section, values))
    return position


def remove_row(document: YamlText, section: str, index: int) -> None:
    listed = document.value((section,), [])
    if not isinstance(listed, list) or not 0 <= index < len(listed):
        raise EditError(f"There is no row {index + 1} in '{section}'.")
    document.delete((section, index))


def move_row(document: YamlText, section: str, index: int, direction: str) -> None:
    """Move a row one place up or down, with its comments."""
    listed = document.value((section,), [])
    to = index - 1 if direction == "up" else index + 1
    if not isinstance(listed, list) or not (0 <= index < len(listed) and 0 <= to < len(listed)):
        raise EditError(f"Row {index + 1} of '{section}' cannot move {direction}.")
    document.move((section,), index, to)
