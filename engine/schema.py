"""JSON Schemas for policy files, so editors can autocomplete and underline mistakes.

The loader is the authority (it checks names against the vocabulary, which a
schema cannot); the schemas describe the same shapes, and tests keep the two
in agreement on every real file and on broken ones.
"""
from __future__ import annotations

from hearth.forms import form_schema
from hearth.rules.schema_parts import DURATION, ID, NAME, NAMES, condition_defs, obj

from .calendar import NATIONS
from .council_settings import COUNCIL_TEMPLATE_KINDS, ENTRY_CHECK_KINDS, ENTRY_CHECK_MODES, MAX_REMIND_WITHIN
from .policy import COUNCIL_KEYS, VERSION_KEYS
from .policy_model import CURRENT_LANGUAGE, LANGUAGES, ONE_EVENT_MEETS, ROLL_TO
from .policy_tests import EXPECT_KEYS, FORM_TEST_KEYS, TEST_KEYS
from .vocabulary import FIELD_KINDS, shared_vocabulary

DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "a date, YYYY-MM-DD"}
TEXT = {"type": "string", "minLength": 1}
TEMPLATE_ID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
SOURCE = {"type": "string", "minLength": 1, "description": "the sentence of the council's document this encodes"}
APP_ROLES = {"type": "array", "items": {"enum": list(shared_vocabulary().app_roles)}, "minItems": 1,
             "description": "the web app's roles that may record it (engine/vocabulary.yaml app_roles)"}
_obj = obj


def _definitions() -> dict:
    event_spec = {"anyOf": [{"type": "string"}, {"type": "array", "items": NAME},
                            _obj({"event": NAMES, "where": {"$ref": "#/$defs/fields"}}, ("event",))]}
    return {
        **condition_defs(history=True),
        "event_spec": event_spec,
        "roles": {"anyOf": [NAME, {"type": "array", "items": {"anyOf": [NAME, _obj(
            {"one_of": {"type": "array", "items": NAME, "minItems": 1,
                        "description": "any one of these roles or role groups will do"}}, ("one_of",))]}}]},
        "labelled": {"type": "object", "additionalProperties": {"anyOf": [TEXT, _obj({"label": TEXT, "costed": {"type": "boolean"}})]}},
        "event_field": _obj({"kind": {"enum": list(FIELD_KINDS)}, "values": {"type": "array"},
                             "parties": {"type": "boolean"},
                             "required": {"type": "boolean", "description": "every event of the type carries it"},
                             "min": {"type": "number", "description": "number fields: the smallest value"},
                             "max": {"type": "number", "description": "number fields: the largest value"},
                             "whole": {"type": "boolean", "description": "number fields: no fractions"},
                             "max_length": {"type": "integer", "minimum": 1,
                                            "description": "text fields: most characters (default 10,000)"},
                             "not_future": {"type": "boolean",
                                            "description": "date fields: not after the day it is recorded"}},
                            ("kind",)),
    }


NAMES_OR_TRIGGER = {"anyOf": [NAME, {"type": "array", "items": NAME, "minItems": 1}],
                    "description": "event types, or trigger (the latest trigger firing)"}


def version_schema() -> dict:
    cond = {"$ref": "#/$defs/condition"}
    roles = {"$ref": "#/$defs/roles"}
    due = {"type": "string", "pattern": r"^\s*.+?\s+after\s+.+$",
           "description": "e.g. 5 working days after stability_meeting_decided"}
    ROLL = {"enum": list(ROLL_TO)}
    obligation = _obj({
        "id": ID, "title": TEXT, "source": SOURCE,
        "due": {"anyOf": [due, {"type": "array", "items": _obj({"when": cond, "due": due, "roll_to": ROLL},
                                                               ("due",))}]},
        "one_event_meets": {"enum": list(ONE_EVENT_MEETS)}, "roll_to": ROLL,
        "where": {"$ref": "#/$defs/fields"}, "met_by": {"$ref": "#/$defs/event_spec"},
        "agreed_date": NAME, "unless": cond, "waived_by": {"$ref": "#/$defs/event_spec"}, "calendar": NAME,
        "planned_by": _obj({"event": {"anyOf": [NAME, {"type": "array", "items": NAME}]},
                            "where": {"$ref": "#/$defs/fields"}, "date": NAME}, ("event", "date")),
        "moved_by": {"type": "array", "items": _obj({"event": {"$ref": "#/$defs/event_spec"},
                                                     "where": {"$ref": "#/$defs/fields"},
                                                     "extend_by": {"type": "string"}, "to": NAME}, ("event",))},
    }, ("id", "due", "met_by", "source"))
    vocabulary = _obj({
        "roles": {"$ref": "#/$defs/labelled"}, "parties": {"$ref": "#/$defs/labelled"},
        "placement_types": {"$ref": "#/$defs/labelled"}, "actions": {"$ref": "#/$defs/labelled"},
        "recommendations": {"$ref": "#/$defs/labelled"},
        "role_groups": {"type": "object", "additionalProperties": {"type": "array", "items": NAME, "minItems": 1}},
        "common_event_fields": {"type": "object", "additionalProperties": {"$ref": "#/$defs/event_field"}},
        "event_types": {"type": "object", "additionalProperties": _obj({
            "label": TEXT, "fields": {"type": "object", "additionalProperties": {"$ref": "#/$defs/event_field"}},
            "recorded_by": APP_ROLES,
            "closes_case": {"anyOf": [{"type": "boolean"}, _obj({"outcome": NAME})]}}, ("label",))},
        "recorded_by_default": APP_ROLES,
        "labels": _obj({section: {"type": "object", "additionalProperties": TEXT}
                        for section in ("placement_types", "roles", "parties", "recommendations", "actions",
                                        "event_types")}),
        "offers_roles": {"type": "array", "items": NAME, "minItems": 1},
    })
    props = {
        "language": {"enum": list(LANGUAGES), "description": f"the policy language's version (current: {CURRENT_LANGUAGE})"},
        "effective_from": DATE, "title": TEXT, "vocabulary": vocabulary,
        "closed_days": {"type": "array", "items": DATE},
        "calendars": {"type": "object", "additionalProperties": _obj(
            {"nation": {"enum": list(NATIONS)}, "closed_days": {"type": "array", "items": DATE}}, ("nation",))},
        "triggers": {"type": "array", "items": _obj({"id": ID, "title": TEXT, "when": cond, "source": SOURCE},
                                                    ("id", "when", "source"))},
        "recommendation": {"type": "array", "items": _obj({"recommend": NAME, "when": cond, "source": SOURCE},
                                                          ("recommend", "source"))},
        "chair": {"type": "array", "items": _obj({"when": cond, "options": roles, "source": SOURCE},
                                                 ("options", "source"))},
        "invitees": {"type": "array", "items": _obj({"when": cond, "required": roles, "consider": roles,
                                                     "source": SOURCE}, ("source",))},
        "deadlines": {"type": "array", "items": obligation},
        "duties": {"type": "array", "items": obligation},
        "gates": {"type": "array", "items": _obj({
            "id": ID, "title": TEXT, "actions": {"type": "array", "items": NAME, "minItems": 1},
            "blocked_until": cond, "unless": cond, "needs_approval": cond, "after_the_fact": DURATION,
            "after_the_fact_overdue": {"type": "boolean"}, "since": NAMES_OR_TRIGGER, "source": SOURCE}, ("id", "actions", "source"))},
        "interventions": {"type": "array", "items": _obj({
            "id": ID, "label": TEXT, "costed": {"type": "boolean"}, "when": cond, "available_from": DATE,
            "available_until": DATE, "source": SOURCE}, ("id", "label", "source"))},
    }
    assert set(props) == set(VERSION_KEYS), "schema and loader disagree on the sections of a version"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Hearth policy version",
            **_obj(props, ("effective_from",)), "$defs": _definitions()}


def council_schema() -> dict:
    props = {"name": TEXT, "short_name": TEXT, "nation": {"enum": list(NATIONS)}, "document": TEXT,
             "brand": {"type": "object", "properties": {"colour": {"type": "string",
                                                                    "pattern": "^#[0-9a-fA-F]{6}$"}}},
             "sign_in": _obj({"two_factor": {"type": "array", "items": APP_ROLES["items"]},
                              "single_sign_on": _obj({"issuer": TEXT, "client_id": TEXT, "client_secret_from": TEXT,
                                                      "roles_claim": TEXT, "label": TEXT,
                                                      "scopes": {"type": "array", "items": TEXT},
                                                      "roles": {"type": "object",
                                                                "additionalProperties": APP_ROLES["items"]}},
                                                     ("issuer", "client_id", "client_secret_from", "roles"))}),
             "records": _obj({"keep_until_age": {"type": "integer", "minimum": 18, "maximum": 150},
                              "source": TEXT}),
             "notify": _obj({"templates": _obj({kind: {"type": "string", "pattern": TEMPLATE_ID}
                                                for kind in COUNCIL_TEMPLATE_KINDS}),
                             "remind_within_working_days": {"type": "integer", "minimum": 0,
                                                            "maximum": MAX_REMIND_WITHIN}}),
             "form_order": {"type": "array", "items": NAME, "minItems": 1, "uniqueItems": True},
             "entry_checks": _obj({kind: {"enum": list(ENTRY_CHECK_MODES)} for kind in ENTRY_CHECK_KINDS})}
    assert set(props) == set(COUNCIL_KEYS)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Hearth council",
            **_obj(props, ("name", "nation"))}


def case_schema() -> dict:
    event = {"type": "object", "properties": {"type": NAME, "on": {"type": "string"}}, "required": ["type", "on"]}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Hearth case document",
            **_obj({"child": _obj({"ref": {"type": "string"}, "date_of_birth": DATE}),
                    "placement": _obj({"type": NAME, "started": DATE,
                                       "emergency": {"type": "boolean", "description": "an emergency placement"}},
                                      ("type",)),
                    "events": {"type": "array", "items": event},
                    "carer": _obj({"ref": {"type": "string"}, "events": {"type": "array", "items": event}})},
                   ("placement",))}


def tests_schema() -> dict:
    case_test = _obj({"name": TEXT, "on": DATE, "case": {"$ref": "#/$defs/case"},
                      "expect": _obj({k: {} for k in EXPECT_KEYS})}, TEST_KEYS)
    form_test = _obj({"name": TEXT, "on": DATE, "form": NAME, "answers": {"type": "object"},
                      "expect": _obj({"valid": {"type": "boolean"},
                                      "errors": {"type": "object", "additionalProperties": {"anyOf": [TEXT, {"type": "null"}]}}})}, FORM_TEST_KEYS)
    test = {"anyOf": [case_test, form_test]}
    case = case_schema()
    case.pop("$schema"), case.pop("title")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Hearth policy tests",
            **_obj({"tests": {"type": "array", "items": test, "minItems": 1}}, ("tests",)), "$defs": {"case": case}}


def schemas() -> dict:
    # the form language describes its own files
    return {"version": version_schema(), "council": council_schema(), "case": case_schema(),
            "tests": tests_schema(), "form": form_schema()}
