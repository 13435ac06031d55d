"""A form's questions, changed as GOV.UK Forms changes them: add, remove, reorder; a question's
kind, label, hint, whether it must be answered, its options and when it is shown.

A form file (``forms/<form id>.yaml``, hearth.forms) is a list of sections, each a list of
questions. This module reads the top-level questions into plain values a page can show and
writes back only what an officer changed, through hearth.engine.editing.yaml_text, so every
other line (comments, ``source`` sentences, limits the page does not show) stays as it was.

What a question has that the page does not change is named in ``unexpressed`` and kept. A
question's id is what saved records store, so it is never renamed; a new question's id is made
from its label and checked unique. Option values are stored too: an option keeps its value while
its label is unchanged, and a new label becomes a new option (its value made from the label).
Only the simple "shown when question X is answered Y" is edited here; any other condition is
shown in words and left to the YAML editor.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from hearth.forms.model import FIELD_KEYS, ID_PATTERN, RESERVED, ROLE_LISTS, name_from

from .yaml_text import EditError, YamlText

# Kinds a new question may have (a group of rows needs its own questions: the YAML editor).
NEW_KINDS = ("text", "long_text", "number", "money", "date", "yes_no", "radios", "checkboxes", "select", "roles")
# Kinds a question may change between: the answers already saved stay answers of the new kind.
COMPATIBLE = (("text", "long_text"), ("radios", "select"), ("number", "money"))
WRITTEN_KINDS = ("radios", "checkboxes", "select")   # options may be written out, one per line
SHOWN_BY = ("yes_no", "radios", "select")            # kinds whose one answer may show a later question
EXPRESSED = ("id", "kind", "label", "hint", "required", "options", "show_when")
KEY_WORDS = {
    "name": "how messages name it", "source": "its source sentence", "messages": "its own error messages",
    "max_length": "a longest answer", "min_length": "a shortest answer", "width": "a box width",
    "rows": "a box height", "min": "a smallest number", "max": "a largest number", "whole": "whole numbers only",
    "suffix": "a unit after the box", "not_future": "not a date in the future", "not_past": "not a date in the past",
    "after": "a date after another", "on_or_after": "a date on or after another", "before": "a date before another",
    "on_or_before": "a date on or before another", "min_selected": "a fewest choices",
    "max_selected": "a most choices", "prefill": "ticks it starts with", "fields": "its questions for each row",
    "min_rows": "a fewest rows", "max_rows": "a most rows", "item_label": "a name for each row",
    "add_label": "an add-another button's words"}
MAX_ID_LENGTH = 40
MAX_OPTIONS = 50


class UnknownQuestion(LookupError):
    """The form has no top-level question by that id."""


@dataclass(frozen=True)
class Question:
    """A top-level question as the page edits it. ``required`` is None when it is a condition;
    ``options`` the written options' labels (None when they are not written out); ``chosen`` the
    roles picked from ``option_list`` (a list of roles; None when not chosen that way);
    ``shown_when`` (question id, answer) or None for always; ``show_expressed`` False when the
    condition is more than that (then it is in ``unexpressed``)."""

    section: int
    position: int
    id: str
    kind: str
    label: str
    hint: str
    required: bool | None
    options: tuple[str, ...] | None
    option_list: str
    chosen: tuple[str, ...] | None
    shown_when: tuple[str, Any] | None
    show_expressed: bool
    kinds: tuple[str, ...]
    unexpressed: tuple[str, ...] = ()

    @property
    def path(self) -> tuple:
        return ("sections", self.section, "fields", self.position)


@dataclass(frozen=True)
class SectionOutline:
    title: str
    questions: tuple[Question, ...] = field(default=())


@dataclass(frozen=True)
class NewQuestion:
    """What the officer says of a question to add (its id is made from the label)."""

    section: int
    kind: str
    label: str
    hint: str = ""
    name: str = ""
    required: bool = True
    options: tuple[str, ...] = ()
    option_list: str = ""
    chosen: tuple[str, ...] = ()
    source: str = ""


# ---------------------------------------------------------------------- reading
def outline(document: YamlText, lists: Mapping[str, list] | None = None) -> tuple[SectionOutline, ...]:
    """Every section with its top-level questions in order (what "Your questions" lists).
    ``lists``: the policy's named option lists ({name: [(value, label)]}); a question's roles are
    offered as a choice only when each is a role of its list (a role group is left to YAML)."""
    sections = document.value(("sections",), [])
    if not isinstance(sections, list):
        return ()
    out = []
    for index, section in enumerate(sections):
        fields = section.get("fields") if isinstance(section, dict) else None
        questions = tuple(_question(document, index, position, lists or {}) for position, item in
                          enumerate(fields if isinstance(fields, list) else []) if _is_question(item))
        out.append(SectionOutline(str(section.get("title", "")) if isinstance(section, dict) else "", questions))
    return tuple(out)


def read_question(document: YamlText, question_id: str, lists: Mapping[str, list] | None = None) -> Question:
    """The question, its "shown when" offered for change only when it is one of the answers the
    page offers (an earlier question's; anything else is kept and named, never lost to "Always")."""
    for section in outline(document, lists):
        for question in section.questions:
            if question.id != question_id:
                continue
            offered = {(shown_by, answer) for shown_by, answer, _words
                       in show_choices(document, question_id, lists or {})}
            if question.shown_when is not None and question.shown_when not in offered:
                return replace(question, shown_when=None, show_expressed=False, unexpressed=question.unexpressed + (
                    "shown only when a condition holds (show_when)",))
            return question
    raise UnknownQuestion(f"There is no question '{question_id}' in {document.file}.")


def _is_question(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item.get("kind"), str)


def _question(document: YamlText, section: int, position: int, lists: Mapping[str, list]) -> Question:
    data = document.value(("sections", section, "fields", position))
    kind = data["kind"]
    unexpressed = [f"{KEY_WORDS.get(key, key)} ({key})" for key in data if key not in EXPRESSED]
    required = data.get("required", True)
    if not isinstance(required, bool):
        required = None
        unexpressed.append("must be answered only when a condition holds (required)")
    options, option_list, chosen = _read_options(data, lists)
    if "options" in data and options is None and chosen is None:
        unexpressed.append("options from a named list (options)")
    shown_when, show_expressed = _read_show_when(data.get("show_when"))
    if not show_expressed:
        unexpressed.append("shown only when a condition holds (show_when)")
    kinds = next((group for group in COMPATIBLE if kind in group), (kind,))
    kinds = tuple(other for other in kinds if other == kind or all(
        key in FIELD_KEYS["common"] + FIELD_KEYS.get(other, ()) for key in data))
    return Question(section, position, data["id"], kind, str(data.get("label", "")), str(data.get("hint", "")),
                    required, options, option_list, chosen, shown_when, show_expressed, kinds, tuple(unexpressed))


def _read_options(data: dict, lists: Mapping[str, list]) -> tuple[tuple | None, str, tuple | None]:
    """(written labels, role list, chosen roles): written options when every one is a plain
    {value, label[, hint]}; roles when chosen from a list of roles by ``only`` (or all of it)."""
    kind, spec = data["kind"], data.get("options", "roles" if data["kind"] == "roles" else None)
    if kind in WRITTEN_KINDS and isinstance(spec, list) and spec and all(
            isinstance(item, dict) and isinstance(item.get("value"), str) and isinstance(item.get("label"), str)
            and set(item) <= {"value", "label", "hint"} for item in spec):
        labels = tuple(item["label"] for item in spec)
        if len(set(labels)) == len(labels):
            return labels, "", None
    if isinstance(spec, str) and spec in ROLE_LISTS and lists.get(spec):
        return None, spec, ()   # every role: the page ticks them all
    if isinstance(spec, dict) and set(spec) == {"list", "only"} and spec["list"] in ROLE_LISTS:
        only, known = spec["only"], {value for value, _label in lists.get(spec["list"], ())}
        if isinstance(only, list) and only and all(isinstance(value, str) and value in known for value in only):
            return None, spec["list"], tuple(only)
    return None, "", None


def _read_show_when(condition: Any) -> tuple[tuple | None, bool]:
    if condition is None:
        return None, True
    if isinstance(condition, dict) and len(condition) == 1:
        [(question_id, answer)] = condition.items()
        if question_id not in ("all", "any", "not") and isinstance(answer, (str, bool)):
            return (question_id, answer), True
    return None, False


def chosen_roles(question: Question, lists: Mapping[str, list]) -> tuple[str, ...]:
    """The roles a role question offers: its ``only``, or every role of its list."""
    if question.chosen:
        return question.chosen
    return tuple(value for value, _label in lists.get(question.option_list, ()))


def roles_ticked(question: Question, ticked: tuple[str, ...], lists: Mapping[str, list]) -> tuple[str, ...]:
    """What a role question's ``chosen`` becomes when these roles are ticked: unchanged when the
    same roles are ticked (in whatever order the file has them), else the file's order kept for
    the roles still ticked and the newly ticked ones after them."""
    before = chosen_roles(question, lists)
    if set(ticked) == set(before):
        return question.chosen if question.chosen is not None else ()
    return tuple(role for role in before if role in ticked) + tuple(role for role in ticked if role not in before)


def show_choices(document: YamlText, question_id: str, lists: Mapping[str, list]) -> tuple[tuple[str, Any, str], ...]:
    """The answers that may show a question: (question id, answer, words) for each answer of every
    yes/no, radios or drop-down question before it in the form."""
    out = []
    for section in outline(document):
        for question in section.questions:
            if question.id == question_id:
                return tuple(out)
            if question.kind not in SHOWN_BY:
                continue
            for value, label in _answers(document, question, lists):
                out.append((question.id, value, f"the answer to ‘{question.label}’ is {label}"))
    return tuple(out)


def _answers(document: YamlText, question: Question, lists: Mapping[str, list]) -> list[tuple[Any, str]]:
    if question.kind == "yes_no":
        return [(True, "Yes"), (False, "No")]
    spec = document.value(question.path + ("options",))
    if isinstance(spec, list):
        return [(item["value"], str(item.get("label", item["value"]))) for item in spec
                if isinstance(item, dict) and "value" in item]
    name = spec.get("list") if isinstance(spec, dict) else spec
    named = dict(lists.get(name, ())) if isinstance(name, str) else {}
    if isinstance(spec, dict) and isinstance(spec.get("only"), list):
        return [(value, named.get(value, str(value))) for value in spec["only"] if value in named]
    return list(named.items())


# ---------------------------------------------------------------------- writing
def write_question(document: YamlText, was: Question, now: Question) -> None:
    """Write what differs between ``was`` (as read) and ``now``: only the keys this page expresses."""
    path = was.path
    if now.kind != was.kind:
        if now.kind not in was.kinds:
            raise EditError(f"A {was.kind} question cannot become a {now.kind} question here.")
        document.set(path + ("kind",), now.kind)
    if now.label != was.label:
        document.set(path + ("label",), now.label)
    if now.hint != was.hint:
        _set_or_delete(document, path + ("hint",), now.hint or None, after=("id", "kind", "label", "name"))
    if now.required != was.required and now.required is not None and was.required is not None:
        _set_or_delete(document, path + ("required",), None if now.required else False,
                       after=("id", "kind", "label", "name", "hint"))
    if now.options is not None and was.options is not None and now.options != was.options:
        _write_options(document, path + ("options",), now.options)
    if now.chosen is not None and was.chosen is not None and now.chosen != was.chosen:
        document.set(path + ("options",), {"list": was.option_list, "only": list(now.chosen)})
    if was.show_expressed and now.shown_when != was.shown_when:
        _set_or_delete(document, path + ("show_when",), None if now.shown_when is None else dict([now.shown_when]),
                       after=[key for key in document.value(path, {}) if key != "source"])


def _set_or_delete(document: YamlText, path: tuple, value: Any, after) -> None:
    """Set the key, placed after the keys ``after`` names (the house order), or remove it (None)."""
    if value is None:
        document.delete(path)
    else:
        document.set(path, value, after=after)


def _write_options(document: YamlText, path: tuple, labels: tuple[str, ...]) -> None:
    """Written options made these labels item by item: options no longer wanted removed, the kept
    ones put in order, new ones inserted where they go; so an unchanged option's line stays."""
    target = _written(document.value(path), labels)
    wanted = [item["value"] for item in target]
    current = [item["value"] for item in document.value(path)]
    for index in reversed(range(len(current))):
        if current[index] not in wanted:
            document.delete(path + (index,))
    kept = [value for value in wanted if value in current]
    for index, value in enumerate(kept):
        at = [item["value"] for item in document.value(path)].index(value)
        if at != index:
            document.move(path, at, index)
    for index, item in enumerate(target):
        if item["value"] not in current:
            document.insert(path, index, item)


def _written(existing: Any, labels: tuple[str, ...]) -> list[dict]:
    """Options for these labels: an existing option (value and hint kept) for a label it has,
    a new one (its value made from the label, unique) for a new label."""
    by_label = {item["label"]: item for item in existing or () if isinstance(item, dict) and "label" in item}
    taken = {item["value"] for item in by_label.values()}
    out = []
    for label in labels:
        if label in by_label:
            out.append(by_label[label])
        else:
            value = unique_id(label, taken)
            taken.add(value)
            out.append({"value": value, "label": label})
    return out


def make_id(label: str) -> str:
    """An id in the form language's spelling made from words ("Date of the review?" -> date_of_the_review)."""
    words = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:MAX_ID_LENGTH].strip("_")
    if not words or not words[0].isalpha():
        words = "question_" + words if words else "question"
    return words


def unique_id(label: str, taken: set) -> str:
    """``make_id`` of the label, with _2, _3 ... when already taken (or a word the forms reserve)."""
    base = make_id(label)
    candidate, number = base, 1
    while candidate in taken or candidate in RESERVED or not ID_PATTERN.match(candidate):
        number += 1
        candidate = f"{base}_{number}"
    return candidate


def all_ids(document: YamlText) -> set:
    """Every question id in the form, a group's own questions' included."""
    found: set = set()

    def walk(fields: Any) -> None:
        for item in fields if isinstance(fields, list) else ():
            if isinstance(item, dict):
                found.add(item.get("id"))
                walk(item.get("fields"))

    for section in document.value(("sections",), []) or ():
        if isinstance(section, dict):
            walk(section.get("fields"))
    return found


def add_question(document: YamlText, new: NewQuestion) -> str:
    """Add a question at the end of a section; returns its id (made from the label, unique)."""
    fields = ("sections", new.section, "fields")
    existing = document.value(fields)
    if not isinstance(existing, list):
        raise EditError(f"There is no section {new.section + 1} with questions to add to.")
    question_id = unique_id(new.label, all_ids(document))
    item: dict = {"id": question_id, "kind": new.kind, "label": new.label,
                  "name": new.name or name_from(new.label)}
    if new.hint:
        item["hint"] = new.hint
    if not new.required:
        item["required"] = False
    if new.kind in WRITTEN_KINDS:
        item["options"] = _written([], new.options)
    elif new.kind == "roles" or new.chosen:
        item["options"] = {"list": new.option_list or "roles", "only": list(new.chosen)}
    if new.source:
        item["source"] = new.source
    document.insert(fields, len(existing), item)
    return question_id


def move_question(document: YamlText, question: Question, step: int) -> None:
    """Move a question up (-1) or down (+1) within its section, its comments with it."""
    fields = ("sections", question.section, "fields")
    count = len(document.value(fields) or ())
    to = question.position + step
    if not 0 <= to < count:
        raise EditError(f"'{question.label}' is already the {'first' if step < 0 else 'last'} question of its section.")
    document.move(fields, question.position, to)


def remove_question(document: YamlText, question: Question) -> None:
    """Remove a question, unless the form still uses its answer elsewhere (EditError saying where)
    or it is its section's only question."""
    uses = uses_of(document, question.id)
    if uses:
        raise EditError(f"'{question.label}' cannot be removed: the form uses its answer in {', '.join(uses)}. "
                        "Change those first, or use the YAML editor.")
    if len(document.value(("sections", question.section, "fields")) or ()) < 2:
        raise EditError(f"'{question.label}' is the only question of its section; a section needs at least one. "
                        "Remove the section in the YAML editor.")
    document.delete(question.path)


def uses_of(document: YamlText, question_id: str) -> list[str]:
    """Where else the form names a question: other questions' conditions and date comparisons,
    its checks and the events it produces (in words, for a message)."""
    uses = []
    for section in outline(document):
        for other in section.questions:
            data = document.value(other.path)
            keys = ("show_when", "required", "after", "on_or_after", "before", "on_or_before")
            if other.id != question_id and any(_names(data.get(key), question_id) for key in keys):
                uses.append(f"the question '{other.label}'")
    if _names(document.value(("checks",)), question_id):
        uses.append("the form's checks")
    if _names(document.value(("produces",)), question_id):
        uses.append("the events it records")
    return uses


def _names(value: Any, question_id: str) -> bool:
    if isinstance(value, dict):
        return any(key == question_id or _names(item, question_id) for key, item in value.items())
    if isinstance(value, list):
        return any(_names(item, question_id) for item in value)
    return value == question_id
