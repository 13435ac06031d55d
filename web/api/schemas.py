"""marshmallow schemas for every body the JSON API reads or writes.

They check the *shape* of a request (which keys, which JSON types) and describe
every answer in the OpenAPI document. What a value *means* (is this a placement
type or an event type of this council's policy? is 2026-02-31 a date?) is left to
the engine's case reader, so the API says exactly what `hearth evaluate` says.
Dates are therefore strings here, marked `format: date` for the document.
"""
from __future__ import annotations

from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, pre_dump, validate

from hearth.rules.limits import text_problem

DATE = {"format": "date", "example": "2026-01-10"}


def _date(**kw) -> fields.String:
    return fields.String(metadata=DATE, **kw)


def _plain_text(value: str) -> None:
    """No NUL or other control characters, no unpaired surrogates (PostgreSQL cannot
    store them: a NUL in a child's reference was a 500)."""
    problem = text_problem(value)
    if problem:
        raise ValidationError(f"This text cannot be stored: {problem}.")


# --- errors -------------------------------------------------------------------

class ErrorSchema(Schema):
    """One mistake, located as the engine locates them (line and column where known)."""
    file = fields.String(metadata={"description": "'request body', 'query' or the file the engine read",
                                   "example": "request body"})
    line = fields.Integer(allow_none=True, metadata={"description": "1-based; 0 or null when not known"})
    column = fields.Integer(allow_none=True)
    field = fields.String(metadata={"example": "events[0].on"})
    message = fields.String(required=True)


class ErrorListSchema(Schema):
    errors = fields.List(fields.Nested(ErrorSchema), required=True)


# --- councils -----------------------------------------------------------------

class PolicyVersionSchema(Schema):
    version = fields.String(required=True, metadata={"example": "2025-01"})
    effective_from = _date(required=True)
    title = fields.String()


class CouncilSchema(Schema):
    id = fields.String(required=True, metadata={"example": "northshire"})
    name = fields.String(required=True)
    short_name = fields.String()
    nation = fields.String()


class CouncilListSchema(Schema):
    councils = fields.List(fields.Nested(CouncilSchema), required=True)


class CouncilDetailSchema(CouncilSchema):
    versions = fields.List(fields.Nested(PolicyVersionSchema), required=True)
    errors = fields.List(fields.String(), metadata={"description": "present when the policy files have mistakes"})


# --- cases and events -----------------------------------------------------------

class ChildSchema(Schema):
    class Meta:
        unknown = RAISE
    ref = fields.String(required=True, validate=[validate.Length(min=1, max=64), _plain_text],
                        metadata={"description": "the council's own reference; opaque text", "example": "C-0001"})
    # Optional: the council's retention period is judged from it (hearth.web.retention). The
    # engine's case reader checks it is a real date, with its line.
    date_of_birth = _date()


class PlacementSchema(Schema):
    class Meta:
        unknown = RAISE
    type = fields.String(required=True, validate=[validate.Length(min=1, max=64), _plain_text],
                         metadata={"example": "ifa_foster"})
    started = _date(required=True)


class CaseCreateSchema(Schema):
    """A new case: the child's reference and the placement, as in the case document."""
    class Meta:
        unknown = RAISE
    child = fields.Nested(ChildSchema, required=True)
    placement = fields.Nested(PlacementSchema, required=True)


class CaseSchema(Schema):
    id = fields.Integer(required=True)
    council = fields.String(required=True, metadata={"example": "northshire"})
    child = fields.Nested(ChildSchema, required=True)
    placement = fields.Nested(PlacementSchema, required=True)
    status = fields.String(required=True, validate=validate.OneOf(["open", "closed"]))
    outcome = fields.String(allow_none=True)
    worker = fields.String(allow_none=True, metadata={"description": "the allocated worker's email"})
    created_at = fields.DateTime(required=True)
    url = fields.String(required=True, metadata={"example": "/api/v1/cases/1"})

    @pre_dump
    def _from_row(self, case, **_kw):
        if isinstance(case, dict):
            return case
        return {"id": case.id, "council": case.council_id, "child": {"ref": case.child_ref},
                "placement": {"type": case.placement_type, "started": case.placement_started.isoformat()},
                "status": case.status, "outcome": case.outcome,
                "worker": case.worker.email if case.worker else None, "created_at": case.created_at,
                "url": f"/api/v1/cases/{case.id}"}


class CaseListSchema(Schema):
    cases = fields.List(fields.Nested(CaseSchema), required=True)


class EventInSchema(Schema):
    """One event as the case document writes it: `type`, `on`, and the type's own fields
    (`chair`, `attendees`, ...), which the council's policy vocabulary defines."""
    class Meta:
        unknown = INCLUDE
    type = fields.String(required=True, metadata={"example": "missing_episode"})
    on = fields.Raw(required=True, metadata={"type": "string", "format": "date", "example": "2026-01-10"})


class EventsCreateSchema(Schema):
    """One or more events to record together: all are saved, or (on any mistake) none."""
    class Meta:
        unknown = RAISE
    events = fields.List(fields.Nested(EventInSchema), required=True, validate=validate.Length(min=1, max=100))


class EventSchema(Schema):
    id = fields.Integer(required=True)
    type = fields.String(required=True)
    on = fields.Date(required=True)
    fields_ = fields.Dict(data_key="fields", attribute="fields", required=True,
                          metadata={"description": "the event type's own fields"})
    recorded_by = fields.String(allow_none=True, metadata={"description": "who recorded it (email)"})
    recorded_at = fields.DateTime(required=True)
    policy_version = fields.String(allow_none=True,
                                   metadata={"description": "the policy version the event was checked against"})
    policy_hash = fields.String(allow_none=True, metadata={
        "description": "the content hash of the council's published policy set it was checked against"})
    withdrawn_at = fields.DateTime(allow_none=True, metadata={
        "description": "when the record it came from was withdrawn or corrected: kept, no longer evaluated"})

    @pre_dump
    def _from_row(self, event, **_kw):
        if isinstance(event, dict):
            return event
        return {"id": event.id, "type": event.type, "on": event.on, "fields": event.fields or {},
                "recorded_by": event.recorded_by.email if event.recorded_by else None,
                "recorded_at": event.recorded_at, "policy_version": event.policy_version,
                "policy_hash": event.policy_hash, "withdrawn_at": event.withdrawn_at}


class EventListSchema(Schema):
    events = fields.List(fields.Nested(EventSchema), required=True)


# --- the evaluation contract (../shared/specs/evaluate-contract.md) -------------------

class CaseDocumentSchema(Schema):
    """The contract's case document. The engine's case reader checks it against the
    council's vocabulary; this schema describes its shape for the OpenAPI document."""
    class Meta:
        unknown = INCLUDE
    child = fields.Dict(metadata={"example": {"ref": "C-0001", "date_of_birth": "2011-05-02"}})
    placement = fields.Dict(required=True, metadata={"example": {"type": "ifa_foster", "started": "2025-09-01"}})
    events = fields.List(fields.Nested(EventInSchema))
    carer = fields.Dict(metadata={"description": "the carer's ref and events, for counts per carer"})


class _Open(Schema):
    """Contract objects may gain fields ("add fields freely"): keep what we do not name."""
    class Meta:
        unknown = INCLUDE


class PolicyRefSchema(_Open):
    id = fields.String(required=True)
    version = fields.String(required=True)
    effective_from = _date(required=True)
    content_hash = fields.String(metadata={
        "description": "SHA-256 of the council's published set of policy files the answer was made under"})


class TriggerSchema(_Open):
    rule = fields.String(required=True)
    on = _date(required=True)
    because = fields.String()
    source = fields.String()
    facts = fields.List(fields.Dict(), metadata={"description": "the reason as data beside the sentence (docs/api.md, Explanations as data)"})


class ChairSchema(_Open):
    options = fields.List(fields.String(), required=True)
    groups = fields.Dict(metadata={"description": "the role groups the policy named among the options, with "
                                                  "their members (any one of the options may chair)"})
    because = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    because_facts = fields.Dict(metadata={"description": "the reason as data beside the sentence (docs/api.md, Explanations as data)"})


class OneOfSchema(_Open):
    roles = fields.List(fields.String(), required=True)
    groups = fields.List(fields.String(), metadata={"description": "the role groups named, as the policy wrote them"})
    source = fields.String()


class InviteesSchema(_Open):
    required = fields.List(fields.String(), required=True)
    consider = fields.List(fields.String(), required=True)
    required_one_of = fields.List(fields.Nested(OneOfSchema), metadata={
        "description": "sets of roles of which one must be invited (any one of each set will do)"})
    consider_one_of = fields.List(fields.Nested(OneOfSchema), metadata={
        "description": "sets of roles of which one is worth inviting"})


class DeadlineSchema(_Open):
    id = fields.String(required=True)
    due = fields.String(allow_none=True, metadata=DATE)
    status = fields.String(required=True, metadata={"example": "pending"})
    basis = fields.String()
    basis_facts = fields.List(fields.Dict(), metadata={"description": "the reason as data beside the sentence (docs/api.md, Explanations as data)"})
    source = fields.String()
    planned_for = fields.String(metadata={**DATE, "description": "the day it is arranged for (a `planned_by` event), "
                                                                 "while pending or overdue"})
    planned_late = fields.Boolean(metadata={"description": "true when it is arranged for after its due day"})


class GateSchema(_Open):
    action = fields.String(required=True)
    status = fields.String(required=True, metadata={"example": "blocked"})
    because = fields.String()
    facts = fields.Dict(metadata={"description": "the reason as data beside the sentence (docs/api.md, Explanations as data)"})
    source = fields.String()


class InterventionSchema(_Open):
    id = fields.String(required=True)
    label = fields.String()
    costed = fields.Boolean()


class PlacementInForceSchema(_Open):
    type = fields.String(allow_none=True)
    started = fields.String(allow_none=True, metadata=DATE)
    emergency = fields.Boolean()
    ended = fields.String(allow_none=True, metadata={**DATE, "description": "in `placements`: the day it ended"})
    ending = fields.String(allow_none=True, metadata={"description": "in `placements`: planned or unplanned"})


class EvaluationSchema(_Open):
    """The contract's answer, exactly as `hearth evaluate` prints it."""
    council = fields.String(required=True)
    policy = fields.Nested(PolicyRefSchema, required=True)
    as_of = _date(required=True)
    placement = fields.Nested(PlacementInForceSchema, metadata={
        "description": "the placement in force on as_of (the case's first, or the latest placement_moved)"})
    placements = fields.List(fields.Nested(PlacementInForceSchema), metadata={
        "description": "every placement over time, oldest first"})
    triggers = fields.List(fields.Nested(TriggerSchema), required=True)
    recommendation = fields.String(allow_none=True, required=True)
    chair = fields.Nested(ChairSchema, allow_none=True)
    invitees = fields.Nested(InviteesSchema)
    deadlines = fields.List(fields.Nested(DeadlineSchema), required=True)
    gates = fields.List(fields.Nested(GateSchema), required=True)
    duties = fields.List(fields.Nested(DeadlineSchema), required=True)
    interventions = fields.List(fields.Nested(InterventionSchema), required=True)


class CaseDetailSchema(Schema):
    case = fields.Nested(CaseSchema, required=True)
    events = fields.List(fields.Nested(EventSchema), required=True)
    evaluation = fields.Nested(EvaluationSchema, allow_none=True, required=True,
                               metadata={"description": "the live evaluation for today; null if the case cannot be read"})
    evaluation_errors = fields.List(fields.Nested(ErrorSchema), required=True)


class EventsCreatedSchema(Schema):
    events = fields.List(fields.Nested(EventSchema), required=True)
    evaluation = fields.Nested(EvaluationSchema, allow_none=True, required=True)
    evaluation_errors = fields.List(fields.Nested(ErrorSchema), required=True)
