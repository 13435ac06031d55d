"""Form submissions over the API: the same council forms and the same recording function as
the web pages (hearth.web.workflow), answers checked by the form's marshmallow schema. What a
record says against the policy (hearth.web.entry_warnings) is answered as `warnings`, each with
its id; the body's optional `reasons` give why, held to the form page's rules."""
from __future__ import annotations

from flask import jsonify, url_for
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from hearth.forms import flatten_errors, schema_for

from .. import entry_warnings
from .. import workflow as wf
from ..audit import audit
from ..auth import current_user
from ..evaluation import today
from ..models import AuditAction, Case, Role
from ..scoping import get_or_404
from . import ApiError, bp
from . import schemas as sc
from .auth import roles
from .idempotency import idempotent
from .openapi import doc
from .views import body_json, evaluation_of

CASE_ROLES = (Role.WORKER, Role.MANAGER)
BODY = "request body"


class SubmissionCreateSchema(Schema):
    """A filled form: its id in the council's forms, and the answers as JSON (dates YYYY-MM-DD)."""
    class Meta:
        unknown = RAISE
    form = fields.String(required=True, validate=validate.Length(min=1, max=100),
                         metadata={"example": "record_event"})
    answers = fields.Dict(required=True, metadata={"example": {"event_date": "2026-01-10", "what": "missing_episode"},
                                                   "description": "question id: answer, as the form defines"})
    draft = fields.Boolean(load_default=False, metadata={
        "description": "keep as a draft: only the form's own questions, at most 200,000 bytes; "
                       "answers not checked, no events"})
    reasons = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=None, metadata={
        "example": {"chair-0-chair": "The IRO was on leave and sent a written report."},
        "description": "warning id: why the record differs from the policy (10 to 1,000 characters), as the "
                       "form page asks. Given, every warning that asks a reason needs a good one, or nothing is "
                       "saved (422 at reasons.<id>, saying the warning): send {} to be told the ids. Left out, "
                       "the record is saved with its warnings open until a manager reviews them"})


class EntryWarningSchema(Schema):
    """What the record says against the council's policy (hearth.engine.entry_checks)."""
    id = fields.String(required=True, metadata={"example": "chair-0-chair",
                                                "description": "the key for its reason in `reasons`"})
    kind = fields.String(required=True, validate=validate.OneOf(["chair", "invitee", "claim", "confirmation"]))
    event = fields.String(required=True)
    field = fields.String(required=True)
    on = fields.String(required=True)
    given = fields.List(fields.Raw(), required=True)
    expected = fields.List(fields.Raw(), required=True)
    one_of = fields.List(fields.Raw(), required=True)
    sources = fields.List(fields.Raw(), required=True, metadata={
        "description": "the council's sentences the expectation rests on"})
    refused = fields.Boolean(required=True)
    needs_reason = fields.Boolean(required=True, metadata={
        "description": "false for a confirmation: a manager confirms it on the record's page"})
    reason = fields.String(allow_none=True, required=True, metadata={"description": "the reason kept, or null"})
    message = fields.String(required=True, metadata={"description": "the warning as the web pages say it"})


class SubmissionSchema(Schema):
    id = fields.Integer(required=True)
    form = fields.String(required=True)
    form_version = fields.String(required=True)
    policy_version = fields.String(allow_none=True)
    policy_hash = fields.String(allow_none=True, metadata={
        "description": "the content hash of the council's published policy set it was checked against"})
    status = fields.String(required=True, validate=validate.OneOf(["draft", "submitted"]))
    answers = fields.Dict(required=True)
    warnings = fields.List(fields.Nested(EntryWarningSchema), required=True, metadata={
        "description": "what the record says against the policy, with the reasons kept; [] for none"})
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class SubmissionListSchema(Schema):
    submissions = fields.List(fields.Nested(SubmissionSchema), required=True)


class SubmissionCreatedSchema(Schema):
    submission = fields.Nested(SubmissionSchema, required=True)
    events = fields.List(fields.Nested(sc.EventSchema), required=True)
    evaluation = fields.Nested(sc.EvaluationSchema, allow_none=True, required=True)
    evaluation_errors = fields.List(fields.Nested(sc.ErrorSchema), required=True)


def _dump(sub) -> dict:
    data = sub.data if isinstance(sub.data, dict) else {}
    answers = {k: v for k, v in data.items() if k != entry_warnings.WARNINGS_KEY}
    warnings = [entry_warnings.as_given(w) for w in entry_warnings.record_warnings(sub)]
    return SubmissionSchema().dump({"id": sub.id, "form": sub.form_id, "form_version": sub.form_version,
                                    "policy_version": sub.policy_version, "policy_hash": sub.policy_hash, "status": sub.status,
                                    "answers": answers, "warnings": warnings, "created_at": sub.created_at,
                                    "updated_at": sub.updated_at})


def _reasons(body: dict) -> dict[str, str] | None:
    """The body's reasons, each text (422 at reasons.<id> otherwise); None when it gives none."""
    reasons = body["reasons"]
    if reasons is None:
        return None
    if body["draft"]:
        raise ApiError(422, [{"file": BODY, "line": 0, "column": 0, "field": entry_warnings.REASONS,
                              "message": "A draft keeps no reasons: give them when the record is submitted."}])
    wrong = [{"file": BODY, "line": 0, "column": 0, "field": f"{entry_warnings.REASONS}.{key}",
              "message": "The reason must be text."} for key, text in reasons.items() if not isinstance(text, str)]
    if wrong:
        raise ApiError(422, wrong)
    return reasons


def _errors(messages: dict, prefix: str) -> list[dict]:
    return [{"file": BODY, "line": 0, "column": 0, "field": f"{prefix}{path}", "message": msg}
            for path, msg in flatten_errors(messages).items()]


@bp.get("/cases/<int:case_id>/submissions")
@roles(*CASE_ROLES)
@doc("The case's form submissions (drafts and submitted), newest first.", response=SubmissionListSchema,
     tag="submissions")
def submissions(case_id: int):
    case = get_or_404(Case, case_id)
    found = wf.submissions(case)
    audit(AuditAction.VIEWED, "case_submissions", case.id, {"via": "api", "count": len(found)})
    return jsonify({"submissions": [_dump(s) for s in found]})


@bp.post("/cases/<int:case_id>/submissions")
@roles(*CASE_ROLES)
@doc("Submit one of the council's forms on a case: the answers are checked as the web form checks "
     "them, the events it produces as every event is (hearth.web.workflow.record_events), then the "
     "record and its events are saved together, or (on any mistake) nothing.",
     body=SubmissionCreateSchema, response=SubmissionCreatedSchema, status=201, tag="submissions",
     errors=(415, 422), idempotent=True)
@idempotent
def create_submission(case_id: int):
    case = get_or_404(Case, case_id)
    _text, data = body_json()
    try:
        body = SubmissionCreateSchema().load(data if isinstance(data, dict) else {})
    except ValidationError as e:
        raise ApiError(422, _errors(e.messages, "")) from None
    defn = wf.definition(case.council_id, body["form"])
    if defn is None:
        names = ", ".join(f["id"] for f in wf.catalog(case.council_id).describe())
        raise ApiError(422, [{"file": BODY, "line": 0, "column": 0, "field": "form",
                              "message": f"'{body['form']}' is not one of this council's forms: {names}."}])
    reasons = _reasons(body)
    if body["draft"]:
        try:
            kept = wf.draft_data(defn, body["answers"], boxes=False)
        except wf.DraftRefused as e:
            raise ApiError(422, [{"file": BODY, "line": 0, "column": 0,
                                  "field": f"answers.{e.field}" if e.field else "answers", "message": str(e)}]) from None
        sub = wf.save_draft(case, defn, kept, current_user(), via="api", commit=False)
        events = []
    else:
        try:
            answers = schema_for(defn)(today=today()).load(body["answers"])
        except ValidationError as e:
            raise ApiError(422, _errors(e.messages, "answers.")) from None
        try:
            sub = wf.submit(case, defn, answers, current_user(), via="api", commit=False, reasons=reasons)
        except wf.Refused as e:
            raise ApiError(422, e.problems or [{"field": "", "message": m} for m in e.messages]) from None
        events = [e for e in case.events if e.source_submission_id == sub.id]
    answer, errors = evaluation_of(case)
    response = jsonify({"submission": _dump(sub), "events": sc.EventSchema(many=True).dump(events),
                        "evaluation": answer, "evaluation_errors": errors})
    response.status_code = 201
    response.headers["Location"] = url_for("api.submissions", case_id=case.id)
    return response

