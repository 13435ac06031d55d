"""WTForms form classes built from a definition at run time.

The fields only read what was typed (:func:`hearth.forms.answers.from_form`);
validation is :func:`hearth.forms.answers.check`, shared with the JSON schema.
Repeating groups are a FieldList of rows with "Add another" / "Remove" submit
buttons, so they work without JavaScript.
"""
from __future__ import annotations

import threading
from datetime import date
from typing import Any

from cachetools import LRUCache
from werkzeug.datastructures import MultiDict
from wtforms import Field, FieldList, Form, FormField
from wtforms.utils import unset_value

from .answers import DATE_PARTS, Err, check, date_parts, from_form, from_json, to_json
from .model import FormDefinition, FormField as FieldDef

ROW_BUTTON = "hearth-row"  # the name of the add/remove row buttons: "add:<group>" or "remove:<group>:<row>"


class AnswerField(Field):
    """One question of any kind except a group. ``raw`` is what was typed, for re-display."""

    def __init__(self, label=None, validators=None, fdef: FieldDef | None = None, **kwargs):
        super().__init__(label or (fdef.label if fdef else None), validators, **kwargs)
        self.fdef = fdef
        self.raw: Any = None
        self.parse_error: Err | None = None

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        self.parse_error = None
        if data is unset_value:
            data = None
        self.object_data = data
        f = self.fdef
        if formdata:
            if f.kind == "date":
                self.raw = {p: formdata.get(f"{self.name}-{p}", "") for p in DATE_PARTS}
            elif f.is_list:
                self.raw = formdata.getlist(self.name)
            else:
                self.raw = formdata.get(self.name, "")
            self.data, self.parse_error = from_form(f, self.raw)
        else:
            # stored answers (JSON) or a Python value given by the caller
            value = data.isoformat() if isinstance(data, date) else data
            self.data, self.parse_error = from_json(f, value)
            self.raw = self._raw_for(value)

    def _raw_for(self, value: Any) -> Any:
        f = self.fdef
        if f.kind == "date":
            return date_parts(value)
        if f.is_list:
            return list(value) if isinstance(value, list) else []
        if f.kind == "yes_no":
            return {True: "yes", False: "no"}.get(value, "")
        return "" if value is None else str(value)

    def _value(self):
        return self.raw


class DefinedForm(Form):
    """The base of every built form class: validation by the shared rules, and row buttons."""

    definition: FormDefinition
    today: date | None = None

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if today is not None:
            self.today = today
        self.error_map: dict = {}   # path -> Err, in the order of the questions
        self.answers: dict = {}     # the answers to keep, as JSON

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        # remembered so that row_action() needs no arguments
        self._formdata = self.meta.wrap_formdata(self, formdata)
        super().process(formdata, obj, data, extra_filters, **kwargs)

    # --- reading and checking
    def read(self) -> tuple[dict, dict]:
        """(values, parse errors) as :func:`check` wants them."""
        values, errors = {}, {}
        for f in self.definition.all_fields():
            bound = self[f.id]
            if f.kind == "group":
                rows = []
                for i, entry in enumerate(bound.entries):
                    row = {}
                    for c in f.fields:
                        sub = entry.form[c.id]
                        row[c.id] = sub.data
                        if sub.parse_error:
                            errors[f"{f.id}.{i}.{c.id}"] = sub.parse_error
                    rows.append(row)
                values[f.id] = rows
            else:
                values[f.id] = bound.data
                if bound.parse_error:
                    errors[f.id] = bound.parse_error
        return values, errors

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)  # CSRF, when the base form has it
        values, parse_errors = self.read()
        answers, self.error_map = check(self.definition, values, parse_errors, self.today or date.today())
        self.answers = to_json(answers)
        for path, err in self.error_map.items():
            parts = path.split(".")
            if len(parts) == 3:
                self[parts[0]].entries[int(parts[1])].form[parts[2]].errors.append(err.message)
            else:
                field = self[path]
                field.errors = list(field.errors) + [err.message]
        for f in self.definition.all_fields():
            if f.kind == "group" and any(e.errors for e in self[f.id].entries):
                self[f.id].errors = [e.errors for e in self[f.id].entries]
        return ok and not self.error_map

    # --- add another / remove, without JavaScript
    def row_action(self, formdata=None) -> bool:
        """Apply a pressed "Add another" or "Remove" button. True if one was pressed:
        then show the form again instead of validating it."""
        formdata = formdata if formdata is not None else getattr(self, "_formdata", None)
        pressed = formdata.get(ROW_BUTTON) if formdata else None
        if not pressed:
            return False
        parts = str(pressed).split(":")
        group = parts[1] if len(parts) > 1 else ""
        fdef = self.definition.fields_by_id.get(group)
        if fdef is None or fdef.kind != "group":
            return False
        rows: FieldList = self[group]
        if parts[0] == "add" and (not fdef.max_rows or len(rows.entries) < fdef.max_rows):
            rows.append_entry()
        elif parts[0] == "remove" and len(parts) == 3 and parts[2].isdigit():
            index = int(parts[2])
            if index < len(rows.entries) and len(rows.entries) > max(1, fdef.min_rows):
                del rows.entries[index]
                _renumber(rows)
        return True


def _renumber(rows: FieldList) -> None:
    """Rows are numbered 0..n-1 again after one is removed."""
    if hasattr(rows, "_compact_indices"):
        rows._compact_indices()
        return
    for i, entry in enumerate(rows.entries):  # pragma: no cover - older WTForms
        entry.name = entry.id = f"{rows.name}-{i}"
    rows.last_index = len(rows.entries) - 1


# Form classes by definition hash, bounded: every draft revision previewed in the policy
# workspace is a new hash, so an unbounded memory grew for the life of the process. Room for
# every form of a national service (about 150 councils, a dozen forms and versions, two bases).
_cache: LRUCache = LRUCache(maxsize=4096)
_lock = threading.Lock()


def build_form_class(defn: FormDefinition, base: type = Form) -> type:
    """A WTForms class for a definition; cached by the definition's hash (which covers its options).

    ``base`` may be Flask-WTF's FlaskForm to add CSRF; rows never carry a token.
    """
    key = (defn.hash, base)
    with _lock:
        if key in _cache:
            return _cache[key]
    attrs: dict = {"definition": defn}
    for f in defn.all_fields():
        if f.kind == "group":
            row = type(f"{defn.id}__{f.id}__row", (Form,), {c.id: AnswerField(fdef=c) for c in f.fields})
            attrs[f.id] = FieldList(FormField(row), min_entries=max(1, f.min_rows))
        else:
            attrs[f.id] = AnswerField(fdef=f)
    bases = (DefinedForm,) if base is Form else (DefinedForm, base)
    cls = type(f"{defn.id}__v{defn.version}", bases, attrs)
    with _lock:
        _cache[key] = cls
    return cls


def formdata_for(defn: FormDefinition, answers: dict) -> "MultiDict":
    """The boxes a browser would post for these answers (JSON): for tests and `hearth forms render --data`."""
    out = MultiDict()

    def put(f: FieldDef, name: str, value: Any) -> None:
        if f.kind == "date":
            parts = date_parts(value) if value is not None else {p: "" for p in DATE_PARTS}
            if value is not None and not any(parts.values()):
                parts = {"day": "", "month": "", "year": str(value)}  # not a date: let the form say so
            for p in DATE_PARTS:
                out.add(f"{name}-{p}", parts[p])
        elif f.is_list:
            for v in (value if isinstance(value, list) else [] if value is None else [value]):
                out.add(name, str(v))
        elif f.kind == "yes_no":
            out.add(name, {True: "yes", False: "no"}.get(value, "" if value is None else str(value)))
        elif f.kind in ("radios",) and value is None:
            pass  # an unanswered radio posts nothing
        else:
            out.add(name, "" if value is None else str(value))

    for f in defn.all_fields():
        value = answers.get(f.id)
        if f.kind == "group":
            rows = value if isinstance(value, list) and value else [{}]
            for i, row in enumerate(rows):
                for c in f.fields:
                    put(c, f"{f.id}-{i}-{c.id}", (row or {}).get(c.id) if isinstance(row, dict) else None)
        else:
            put(f, f.id, value)
    return out
