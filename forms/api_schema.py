"""Marshmallow schemas built from a definition, so the JSON API takes the same submissions.

The fields carry the right types for API documentation (apispec) but pass the
values through untouched: reading and checking them is
:func:`hearth.forms.answers.validate_json`, the same rules and messages as the
web form. ``load()`` returns the answers to keep, as JSON.
"""
from __future__ import annotations

import threading
from datetime import date
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validates_schema

from .answers import validate_json
from .model import FormDefinition, FormField


class _Pass:
    """Keep the value as sent: the shared reader gives the messages."""

    def _deserialize(self, value, attr, data, **kwargs):
        return value


class _Text(_Pass, fields.String):
    pass


class _Number(_Pass, fields.Float):
    pass


class _Date(_Pass, fields.Date):
    pass


class _Bool(_Pass, fields.Boolean):
    pass


class _List(_Pass, fields.List):
    pass


class FormSchema(Schema):
    """Base of every built schema: ``FormSchema(today=...)`` for date rules."""

    definition: FormDefinition

    class Meta:
        unknown = RAISE

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self._answers: dict = {}

    @validates_schema
    def _check(self, data, **kwargs):
        answers, errors = validate_json(self.definition, data, self.today)
        if errors:
            raise ValidationError(nest_errors(errors))
        self._answers = answers

    @post_load
    def _kept(self, data, **kwargs):
        return self._answers


def nest_errors(errors: dict) -> dict:
    """{"actions.0.by_when": msg} -> {"actions": {0: {"by_when": [msg]}}}, marshmallow's shape."""
    out: dict = {}
    for path, msg in errors.items():
        parts = path.split(".")
        if len(parts) == 3:
            out.setdefault(parts[0], {}).setdefault(int(parts[1]), {})[parts[2]] = [msg]
        else:
            out[path] = [msg]
    return out


def flatten_errors(messages: Any, prefix: str = "") -> dict:
    """marshmallow's nested messages -> {"actions.0.by_when": msg}: the inverse of nest_errors."""
    out = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            out.update(flatten_errors(value, f"{prefix}{key}."))
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        out[prefix.rstrip(".")] = messages[0]
    return out


def _field(f: FormField):
    meta = {"metadata": {"description": f.label + (f" ({f.hint})" if f.hint else "")}}
    if f.kind in ("text", "long_text"):
        return _Text(**meta)
    if f.kind in ("number", "money"):
        return _Number(**meta)
    if f.kind == "date":
        return _Date(**meta)
    if f.kind == "yes_no":
        return _Bool(**meta)
    if f.kind in ("radios", "select"):
        return _Text(validate=None, metadata={**meta["metadata"], "enum": [o.value for o in f.options]})
    if f.kind in ("checkboxes", "roles"):
        return _List(fields.String(metadata={"enum": [o.value for o in f.options]}), **meta)
    row = Schema.from_dict({c.id: _field(c) for c in f.fields}, name=f"{f.id}_row")
    return _List(fields.Nested(row), **meta)


_cache: dict = {}
_lock = threading.Lock()


def schema_for(defn: FormDefinition) -> type:
    """A marshmallow Schema class for a definition (cached by its hash). Use ``schema_for(d)(today=...)``."""
    with _lock:
        if defn.hash in _cache:
            return _cache[defn.hash]
    attrs = {f.id: _field(f) for f in defn.all_fields()}
    cls = type(f"{defn.id}_v{defn.version}_schema", (FormSchema,), {"definition": defn, **attrs})
    with _lock:
        _cache[defn.hash] = cls
    return cls
