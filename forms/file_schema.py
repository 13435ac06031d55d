"""The JSON Schema of form files, for editors' autocomplete and underlining.

The loader is the authority (it checks ids, option lists and event types, which a
schema cannot); this describes the same shapes, built from the loader's own key
lists so the two stay in step (tests check both on real and broken files).
"""
from __future__ import annotations

from hearth.rules.schema_parts import CONDITION as COND
from hearth.rules.schema_parts import condition_defs
from hearth.rules.schema_parts import obj as _obj

from .model import (CHECK_KEYS, DATE_COMPARISONS, FIELD_KEYS, FIELD_KINDS, FORM_KEYS, MESSAGE_KEYS,
                       OPTION_KEYS, PREFILL_FROM_EVENT, PREFILLS, PRODUCE_KEYS, SECTION_KEYS)

ID = {"type": "string", "pattern": r"^[a-z][a-z0-9_]*$"}
TEXT = {"type": "string", "minLength": 1}
NUMBER = {"type": "number"}
WHOLE = {"type": "integer", "minimum": 1}
FLAG = {"type": "boolean"}


def _field_props(kind: str) -> dict:
    common = {"id": ID, "kind": {"const": kind}, "label": TEXT, "hint": TEXT, "source": TEXT,
              "name": {**TEXT, "description": "a noun phrase for messages, e.g. 'the date of the meeting'"},
              "required": {"anyOf": [FLAG, COND]}, "show_when": COND,
              "messages": _obj({k: TEXT for k in MESSAGE_KEYS})}
    options = {"anyOf": [
        {**ID, "description": "a named list: roles, parties, placement_types, event_types, actions, interventions, triggers"},
        _obj({"list": ID, "only": {"type": "array", "items": ID}, "except": {"type": "array", "items": ID}}, ("list",)),
        {"type": "array", "minItems": 1, "items": _obj({"value": ID, "label": TEXT, "hint": TEXT}, ("value", "label"))}]}
    specific = {
        "min_length": WHOLE, "max_length": WHOLE, "width": {"enum": [2, 3, 4, 5, 10, 20, 30]}, "rows": WHOLE,
        "min": NUMBER, "max": NUMBER, "whole": FLAG, "suffix": TEXT,
        "not_future": FLAG, "not_past": FLAG, **{op: ID for op in DATE_COMPARISONS},
        "options": options, "min_selected": WHOLE, "max_selected": WHOLE, "prefill": {
            "anyOf": [{"enum": sorted(PREFILLS)}, {"type": "string", "pattern": PREFILL_FROM_EVENT.pattern}],
            "description": "invitees (a roles question), or <event type>.<field> of the case's latest such event"},
        "fields": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/row_field"}},
        "min_rows": {"type": "integer", "minimum": 0}, "max_rows": WHOLE, "item_label": TEXT, "add_label": TEXT,
    }
    props = {k: v for k, v in common.items() if k in FIELD_KEYS["common"]}
    props.update({k: specific[k] for k in FIELD_KEYS[kind]})
    if kind != "roles" and "prefill" in props:  # only a roles question starts from the policy's invitees
        props["prefill"] = {"type": "string", "pattern": PREFILL_FROM_EVENT.pattern,
                            "description": "<event type>.<field> of the case's latest such event (.on: its date)"}
    assert set(props) == set(FIELD_KEYS["common"] + FIELD_KEYS[kind]), kind
    return props


def _field(kinds) -> dict:
    return {"oneOf": [_obj(_field_props(k), ("id", "kind", "label"), f"a {k} question") for k in kinds]}


def form_schema() -> dict:
    """JSON Schema (2020-12) for policies/<council>/forms/*.yaml."""
    mapping = {"anyOf": [ID, _obj({"answer": ID, "map": {"type": "object"}}, ("answer",)), _obj({"value": {}}, ("value",))]}
    produce = _obj({"event": ID, "event_from": ID, "each": ID, "on": ID, "when": COND,
                    "fields": {"type": "object", "additionalProperties": mapping}}, ("on",))
    produce["oneOf"] = [{"required": ["event"]}, {"required": ["event_from"]}]
    check = _obj({"when": COND, "then": COND, "field": ID, "message": TEXT, "source": TEXT}, ("then", "field", "message"))
    section = _obj({"title": TEXT, "guidance": TEXT,
                    "fields": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/field"}}}, ("fields",))
    props = {"id": ID, "title": TEXT, "version": {"anyOf": [{"type": "integer"}, TEXT]}, "description": TEXT,
             "source": TEXT, "sections": {"type": "array", "minItems": 1, "items": section},
             "checks": {"type": "array", "items": check}, "produces": {"type": "array", "items": produce}}
    assert set(props) == set(FORM_KEYS) and set(section["properties"]) == set(SECTION_KEYS)
    assert set(check["properties"]) == set(CHECK_KEYS) and set(produce["properties"]) == set(PRODUCE_KEYS)
    assert {"value", "label", "hint"} == set(OPTION_KEYS)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Hearth form",
            **_obj(props, ("title", "version", "sections")),
            "$defs": {**condition_defs(history=False), "field": _field(FIELD_KINDS),
                      "row_field": _field([k for k in FIELD_KINDS if k != "group"])}}
