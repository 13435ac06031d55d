"""JSON Schema pieces for the one condition syntax, shared by policy and form files.

Rules and forms write conditions the same way, so their editors' schemas describe
them from one place; ``history=False`` leaves out what only rules may say (events,
counts, triggers, deadlines).
"""
from __future__ import annotations

from .conditions import DEADLINE_STATUSES, FIELD_OPS, JUDGED_ON
from .durations import DURATION_PATTERN

NAME = {"type": "string", "pattern": r"^[a-z][a-z0-9_]*$"}
NAMES = {"anyOf": [NAME, {"type": "array", "items": NAME, "minItems": 1}]}
# Trigger, deadline and duty ids may hold hyphens ('repeated-missing'), as policy files' ids do.
ID = {"type": "string", "pattern": r"^[a-z][a-z0-9_-]*$"}
IDS = {"anyOf": [ID, {"type": "array", "items": ID, "minItems": 1}]}
DURATION = {"type": "string", "pattern": DURATION_PATTERN, "description": "e.g. 5 working days, 28 days, 2 months"}
SCALAR = {"type": ["string", "number", "boolean"]}
CONDITION = {"$ref": "#/$defs/condition"}
FIELDS = {"$ref": "#/$defs/fields"}


def obj(props: dict, required=(), description: str = "") -> dict:
    """A closed JSON object: unknown keys are mistakes (the loaders say 'did you mean')."""
    out = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


def condition_defs(history: bool = True) -> dict:
    """``$defs`` entries ``condition`` and ``fields`` for a schema that uses conditions."""
    test = {"anyOf": [SCALAR, {"type": "array", "items": SCALAR}, obj({op: {} for op in FIELD_OPS})]}
    fields = {"type": "object", "additionalProperties": test, "minProperties": 1}
    structural = ["all", "any", "not"]
    choices = [
        obj({"all": {"type": "array", "items": CONDITION, "minItems": 1}}, ("all",)),
        obj({"any": {"type": "array", "items": CONDITION, "minItems": 1}}, ("any",)),
        obj({"not": CONDITION}, ("not",)),
        {"type": "array", "items": CONDITION},
    ]
    if history:
        window = {"where": FIELDS, "within": DURATION, "since": NAMES, "same_day": {"type": "boolean"},
                  "per": {"enum": ["child", "carer"]}, "judged_on": {"enum": list(JUDGED_ON)}}
        statuses = {"enum": list(DEADLINE_STATUSES)}
        choices += [
            obj({"event": NAMES, **window}, ("event",), "an event has happened"),
            obj({"count": NAMES, "at_least": {"type": "integer", "minimum": 1}, **window},
                ("count", "at_least"), "how often an event happened"),
            obj({"triggered": IDS, "since": NAMES, "judged_on": {"enum": list(JUDGED_ON)}}, ("triggered",)),
            obj({"deadline": ID, "status": {"anyOf": [statuses, {"type": "array", "items": statuses}]}},
                ("deadline", "status")),
        ]
        structural += ["event", "count", "triggered", "deadline"]
    choices.append({"allOf": [FIELDS, {"not": {"anyOf": [{"required": [k]} for k in structural]}}]})
    return {"condition": {"anyOf": choices, "description": "the condition syntax (docs/policy-language.md)"},
            "fields": fields}
