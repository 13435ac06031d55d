"""The form language's values: a checked form definition, its sections, questions, checks
and what it produces, and the words the language uses. ``language.py`` reads a council's
YAML into these (with every mistake located); renderers, checkers and the API read them.
See docs/form-language.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

import marshmallow
import wtforms

from hearth.rules.conditions import Condition, FieldSpec
from hearth.rules.source import Loc

FORM_KEYS = ("id", "title", "version", "description", "source", "sections", "checks", "produces")
SECTION_KEYS = ("title", "guidance", "fields")
FIELD_KINDS = ("text", "long_text", "number", "money", "date", "yes_no", "radios", "checkboxes",
               "select", "roles", "group")
CHOICE_KINDS = ("radios", "checkboxes", "select", "roles")
FIELD_KEYS = {
    "common": ("id", "kind", "label", "name", "hint", "required", "show_when", "messages", "source"),
    "text": ("min_length", "max_length", "width"),
    "long_text": ("min_length", "max_length", "rows"),
    "number": ("min", "max", "whole", "suffix"),
    "money": ("min", "max"),
    "date": ("not_future", "not_past", "after", "on_or_after", "before", "on_or_before", "prefill"),
    "yes_no": (),
    "radios": ("options", "prefill"),
    "checkboxes": ("options", "min_selected", "max_selected"),
    "select": ("options", "prefill"),
    "roles": ("options", "min_selected", "max_selected", "prefill"),
    "group": ("fields", "min_rows", "max_rows", "item_label", "add_label"),
}
DATE_COMPARISONS = ("after", "on_or_after", "before", "on_or_before")
MESSAGE_KEYS = ("required", "invalid", "too_long", "too_short", "too_small", "too_big", "not_future",
                "not_past", "after", "on_or_after", "before", "on_or_before", "too_few", "too_many")
CHECK_KEYS = ("when", "then", "field", "message", "source")
PRODUCE_KEYS = ("event", "event_from", "each", "on", "when", "fields")
OPTION_KEYS = ("value", "label", "hint")
OPTION_LIST_KEYS = ("list", "only", "except")
# The named lists whose values are roles: there a role group's name stands for its members.
ROLE_LISTS = ("roles", "parties")
# What a new form may start with, from the live evaluation of the case (see docs/form-language.md).
PREFILLS = {"invitees": "the roles the policy requires be invited to the meeting"}
# Or what the case's latest event of a type recorded: `prefill: meeting_scheduled.meeting_date`
# (`<type>.on` is the event's own date). The kinds of question that may start from one.
PREFILL_FROM_EVENT = re.compile(r"^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$")
PREFILL_KINDS = ("date", "radios", "select", "roles")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


def _reserved() -> frozenset:
    """Names the WTForms form and marshmallow schema classes already use: not question ids."""
    return frozenset(n for n in set(dir(wtforms.Form)) | set(dir(marshmallow.Schema)) if ID_PATTERN.match(n)) | {
        "definition", "today", "answers", "error_map", "row_action", "read", "csrf_token", "csrf",
        "meta", "form_errors", "fields", "load_fields", "dump_fields", "declared_fields", "many", "only", "exclude",
        "ordered", "load_only", "dump_only", "partial", "unknown"}


RESERVED = _reserved()
# What a form answer can become in an event, by the event field's kind (FieldSpec.kind).
EVENT_KIND_FROM = {
    "date": ("date",),
    "boolean": ("yes_no",),
    "number": ("number", "money"),
    "choice": ("radios", "select"),
    "list": ("checkboxes", "roles"),
    "text": ("text", "long_text", "radios", "select", "number", "money", "date"),
}


# ------------------------------------------------------------------------ model
@dataclass(frozen=True)
class Option:
    value: Any
    label: str
    hint: str = ""


@dataclass(frozen=True)
class FormField:
    """One question. ``required`` is True, False or a condition over the answers."""

    id: str
    kind: str
    label: str
    name: str                          # a noun phrase for messages: "the date of the meeting"
    hint: str = ""
    required: Any = True
    show_when: Condition | None = None
    options: tuple = ()                # of Option
    options_from: str = ""             # the named list the options came from, if any
    min_length: int | None = None
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    whole: bool = False
    suffix: str = ""
    width: int | None = None
    rows: int | None = None
    not_future: bool = False
    not_past: bool = False
    compare: tuple = ()                # of (op, other field id), op in DATE_COMPARISONS
    min_selected: int | None = None
    max_selected: int | None = None
    prefill: str = ""                  # a key of PREFILLS, or <event type>.<field> (PREFILL_FROM_EVENT)
    fields: tuple = ()                 # a group's fields
    min_rows: int = 1
    max_rows: int | None = None
    item_label: str = ""
    add_label: str = ""
    messages: Mapping = field(default_factory=dict)
    source: str = ""
    reveal: tuple | None = None        # (field id, option value) this field is revealed under
    loc: Loc = field(default=Loc("?"), compare=False)

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS or self.kind == "yes_no"

    @property
    def is_list(self) -> bool:
        return self.kind in ("checkboxes", "roles")

    def option_label(self, value: Any) -> str:
        for o in self.options:
            if o.value == value:
                return o.label
        return str(value)


@dataclass(frozen=True)
class Section:
    title: str
    guidance: str
    fields: tuple


@dataclass(frozen=True)
class Check:
    """A cross-field rule: when ``when`` holds, ``then`` must hold, else ``message`` at ``field``."""

    when: Condition | None
    then: Condition
    field: str
    message: str
    source: str = ""


@dataclass(frozen=True)
class Produce:
    """An event a submission produces: one, or one per chosen value of ``event_from``; with
    ``each``, that for every row of a group, whose row questions its fields and ``on`` may name."""

    event: str
    event_from: str
    on: str
    when: Condition | None
    fields: tuple  # of (event field, ("answer", id, map) | ("value", literal))
    type_fields: Mapping = field(default_factory=dict)  # for event_from: each type's fields
    each: str = ""  # a group's id: one event (or one per chosen type) for every row of it


@dataclass
class FormDefinition:
    id: str
    title: str
    version: str
    description: str
    source: str
    sections: tuple
    checks: tuple
    produces: tuple
    file: str
    hash: str

    def all_fields(self) -> list:
        """Top-level fields in order (groups included, their row fields not)."""
        return [f for s in self.sections for f in s.fields]

    def field(self, field_id: str) -> FormField:
        return self.fields_by_id[field_id]

    @property
    def fields_by_id(self) -> dict:
        return {f.id: f for f in self.all_fields()}

    def prefilled(self, given: Mapping[str, Any]) -> dict:
        """The answers a new form starts with: for each question with a ``prefill``, what
        ``given`` (the caller's reading of the case, keyed as the prefills are written) holds
        for it, kept to the question's options (a date as it was recorded)."""
        out = {}
        for f in self.all_fields():
            if not f.prefill or given.get(f.prefill) in (None, "", []):
                continue
            value = given[f.prefill]
            if f.kind == "date":
                out[f.id] = str(value)
                continue
            values = {o.value for o in f.options}
            if f.kind == "roles":
                out[f.id] = [v for v in (value if isinstance(value, (list, tuple)) else [value]) if v in values]
            elif value in values:
                out[f.id] = value
        return out

    def describe(self) -> dict:
        events = []
        for p in self.produces:
            if p.event_from:
                events.extend(o.value for o in self.field(p.event_from).options if o.value not in events)
            elif p.event not in events:
                events.append(p.event)
        return {"id": self.id, "title": self.title, "version": self.version, "events": events}


# ----------------------------------------------------------------------- spec
def answer_spec(f: FormField) -> FieldSpec:
    """How a condition sees an answer: the rule language's FieldSpec."""
    if f.kind in ("text", "long_text"):
        return FieldSpec("text")
    if f.kind in ("number", "money"):
        return FieldSpec("number")
    if f.kind == "date":
        return FieldSpec("date")
    if f.kind == "yes_no":
        return FieldSpec("boolean")
    if f.kind in ("radios", "select"):
        return FieldSpec("choice", tuple(o.value for o in f.options))
    if f.kind in ("checkboxes", "roles"):
        return FieldSpec("list", tuple(o.value for o in f.options))
    return FieldSpec("list")  # a group: a list of rows, testable with `answered`




def name_from(label: str) -> str:
    """A fallback noun phrase for messages: the label without its question mark, first letter small."""
    text = label.rstrip("?").strip()
    return text[:1].lower() + text[1:] if text[1:2].islower() or len(text) < 2 else text
