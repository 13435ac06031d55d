"""Several councils' policies side by side, topic by topic, each cell in plain English
beside the council's source sentence.

What the web's "Compare councils" page draws: for each council a column, and for each topic
(what triggers the policy, who chairs and who is invited by placement type, deadlines and
duties, gates, the interventions menu) rows whose cells list the council's rules in words.
The words are hearth.engine.policy_words' (the same sentences the policy pages say), so the
comparison says what the engine does and changes when the files change; nothing is decided
here and no council is named: placement types and deadlines are aligned by the ids the
councils' own files give them, with a row for every id any council has.

Policies are public documents: this reads only the PolicyVersions it is given (the caller
chooses which: the web gives the published version in force), never drafts or cases.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from . import policy_words
from .policy_model import Council, PolicyVersion

# The topics compared, in reading order: (id, title). policy_words' sections, less what the
# policy recommends (a council's rows of reasoning, read on its own policy pages).
TOPICS = (("triggers", "What triggers the policy"), ("chair", "Who chairs the meeting"),
          ("invitees", "Who to invite"), ("deadlines", "Deadlines and duties"),
          ("gates", "Spending and moves"), ("interventions", "Interventions menu"))
ALIGNED = ("chair", "invitees", "deadlines")  # the topics whose rows are aligned by the councils' ids
INVITEE_PARTS = (("required", "must be invited"), ("consider", "consider inviting"))


@dataclass(frozen=True)
class Item:
    """One rule (or one row of a rule) in words, with the council's sentence it encodes."""

    title: str
    sentences: tuple
    source: str


@dataclass(frozen=True)
class Column:
    """The council and the version of its policy a column shows."""

    council_id: str
    council_name: str
    document: str        # the council's procedure document's file name ("" when it names none)
    version: str
    title: str
    effective_from: date


@dataclass(frozen=True)
class Row:
    """One line of a topic: a cell per column, each a tuple of Items, or None when the
    council's policy has no such placement type or deadline at all."""

    key: str             # "triggers", "chair:<placement type>", "invitees:required:<placement type>", "deadline:<id>"
    label: str
    cells: tuple


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    rows: tuple
    aligned: bool        # rows aligned by an id (placement type, deadline); else one row of every rule


@dataclass(frozen=True)
class Comparison:
    columns: tuple
    topics: tuple


def _item(entry: policy_words.Entry) -> Item:
    return Item(entry.title, entry.sentences, entry.source)


def _merged(keyed: list[dict]) -> dict:
    """Every key any council has, in first-seen order (the first council's order, then what
    the next adds), with the first council's label for it."""
    labels: dict = {}
    for found in keyed:
        for key, label in found.items():
            labels.setdefault(key, label)
    return labels


def _whole_section(section: str, title: str, versions: list[PolicyVersion]) -> tuple:
    """One row: every rule of the section, for each council."""
    cells = tuple(tuple(_item(e) for e in policy_words.section_entries(v, section)) for v in versions)
    return (Row(section, title, cells),)


def _obligations(versions: list[PolicyVersion]) -> tuple:
    """A row per deadline or duty id any council has."""
    by_council = [{e.key: e for e in (*policy_words.section_entries(v, "deadlines"),
                                      *policy_words.section_entries(v, "duties"))} for v in versions]
    labels = _merged([{key: entry.title for key, entry in found.items()} for found in by_council])
    return tuple(Row(key, label, tuple((_item(found[key]),) if key in found else None for found in by_council))
                 for key, label in labels.items())


def _chair_items(version: PolicyVersion, row: policy_words.PlacementRow) -> tuple:
    """Who chairs for one placement type: the rows down to the first that always holds."""
    items = []
    for index, cell in enumerate(row.cells):
        rule = version.chair[int(cell.key.split(":")[1])]
        said = (cell.when,) if cell.when else (() if index == 0 else ("Otherwise.",))
        items.append(Item(cell.roles, said, rule.source))
    return tuple(items)


def _invitee_items(version: PolicyVersion, row: policy_words.PlacementRow, part: str) -> tuple:
    """Who is (or may be) invited for one placement type, rule by rule: each rule's names in
    ``part`` ("required" or "consider"), with when it holds if not always."""
    items = []
    for cell in row.cells:
        names = getattr(cell, part)
        if names:
            rule = version.invitees[int(cell.key.split(":")[1])]
            items.append(Item(", ".join(names), (cell.when,) if cell.when else (), rule.source))
    return tuple(items)


def _by_placement(section: str, versions: list[PolicyVersion]) -> tuple:
    """Chair ("chair") or invitees ("invitees", a row for each part) for every placement
    type any council has, aligned by the type's id."""
    by_council = [{row.placement_type: row for row in policy_words.placement_rows(v, section)} for v in versions]
    labels = _merged([{key: row.label for key, row in found.items()} for found in by_council])
    rows = []
    for placement_type, label in labels.items():
        if section == "chair":
            rows.append(Row(f"chair:{placement_type}", label, tuple(
                _chair_items(version, found[placement_type]) if placement_type in found else None
                for version, found in zip(versions, by_council))))
            continue
        for part, words in INVITEE_PARTS:
            rows.append(Row(f"invitees:{part}:{placement_type}", f"{label}: {words}", tuple(
                _invitee_items(version, found[placement_type], part) if placement_type in found else None
                for version, found in zip(versions, by_council))))
    return tuple(rows)


def _rows(topic: str, title: str, versions: list[PolicyVersion]) -> tuple:
    if topic in ("chair", "invitees"):
        return _by_placement(topic, versions)
    if topic == "deadlines":
        return _obligations(versions)
    return _whole_section(topic, title, versions)


def compare(policies: list[tuple[Council, PolicyVersion]]) -> Comparison:
    """The comparison of these councils' policy versions, in the order given."""
    versions = [version for _, version in policies]
    columns = tuple(Column(council.id, council.name, council.document, version.version, version.title,
                           version.effective_from) for council, version in policies)
    return Comparison(columns, tuple(Topic(topic, title, _rows(topic, title, versions), topic in ALIGNED)
                                     for topic, title in TOPICS))
