"""The API's endpoints. Each is scoped to the token user's council (another council's
objects answer 404, as if they did not exist), audited, and described by `doc()`
for the OpenAPI document."""
from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from flask import jsonify, request, url_for
from marshmallow import Schema, ValidationError
from sqlalchemy.orm import selectinload

from hearth.engine import api
from hearth.rules.limits import LimitError, bounded_json_number, refuse_json_constant

from .. import db
from .. import workflow as wf
from ..audit import audit, refused
from ..auth import current_user
from ..case_opening import NotOpened, open_case
from ..evaluation import evaluate_case, today
from ..models import AuditAction, Case, Role
from ..scoping import get_or_404, scoped_select
from . import ApiError, bp
from . import schemas as sc
from .auth import roles
from .idempotency import idempotent
from .openapi import doc

CASE_ROLES = (Role.WORKER, Role.MANAGER)          # who works with children's records
EVALUATE_ROLES = (Role.WORKER, Role.MANAGER, Role.POLICY_OFFICER)
BODY = "request body"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- helpers ----------------------------------------------------------------------

def _not_found():
    return ApiError(404, [{"field": "", "message": "Not found."}])


def _council_or_404(council_id: str):
    """The engine's council, if the user may see it: their own, or any for an admin."""
    user = current_user()
    try:
        found = api.get_council(council_id)
    except api.UnknownCouncil:
        raise _not_found() from None
    if user.role != Role.ADMIN and user.council_id != found.id:
        refused("another_council", 404, "council", found.id)  # a security event, as for cases
        raise _not_found()
    return found


def _parse_on(text: str | None) -> date:
    """The `on` query parameter (default today), with the engine's wording for bad dates."""
    if text is None or text == "":
        return today()
    problem = None
    if not _DATE.match(text):
        problem = f"'{text}' is not a date. Write dates as YYYY-MM-DD, for example 2026-01-05."
    else:
        try:
            return date.fromisoformat(text)
        except ValueError:
            problem = f"'{text}' is not a real date (that day does not exist in that month)."
    raise ApiError(422, [{"file": "query", "line": 0, "column": 0, "field": "on", "message": problem}])


def decode_json(text: str) -> Any:
    """A JSON body, its numbers bounded while it is decoded (hearth.rules.limits): Infinity,
    NaN, 1e400 or a 5,000-digit integer is a 422 naming the limit before anything is built."""
    try:
        return json.loads(text, parse_int=bounded_json_number, parse_float=bounded_json_number,
                          parse_constant=refuse_json_constant)
    except LimitError as e:
        raise ApiError(422, [{"file": BODY, "line": 0, "column": 0, "field": "",
                              "message": f"The body has a number that cannot be accepted: {e}."}]) from None
    except RecursionError:
        raise ApiError(422, [{"file": BODY, "line": 0, "column": 0, "field": "",
                              "message": "The body nests lists or objects too deeply."}]) from None
    except ValueError as e:
        line, column, msg = getattr(e, "lineno", 0), getattr(e, "colno", 0), getattr(e, "msg", str(e))
        raise ApiError(422, [{"file": BODY, "line": line, "column": column, "field": "",
                              "message": f"The body is not valid JSON: {msg}."}]) from None


def body_json() -> tuple[str, Any]:
    """The raw JSON body and its decoded value (the engine reads the text again, to give line numbers)."""
    if not request.is_json:
        raise ApiError(415, [{"field": "", "message": "Send the body as JSON (Content-Type: application/json)."}])
    text = request.get_data(as_text=True)
    return text, decode_json(text)


def _flatten(messages: Any, path: str = "") -> list[dict]:
    """marshmallow's nested messages as located errors: `events[0].type`, `child.ref`."""
    out = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                sub = path
            elif isinstance(key, int):
                sub = f"{path}[{key}]"
            else:
                sub = f"{path}.{key}" if path else str(key)
            out += _flatten(value, sub)
    elif isinstance(messages, list):
        for m in messages:
            out += _flatten(m, path)
    else:
        text = str(messages)
        if text == "Unknown field.":
            text = f"'{path.rsplit('.', 1)[-1]}' is not something this can have."
        out.append({"file": BODY, "line": 0, "column": 0, "field": path, "message": text})
    return out


def _load(schema: Schema, data: Any) -> dict:
    """A decoded body through its schema: every mistake a located 422."""
    try:
        return schema.load(data)
    except ValidationError as e:
        raise ApiError(422, _flatten(e.messages)) from None


def _problem(p) -> dict:
    """An engine problem, with policy files named from the policies folder, not the server's disk."""
    out = p.as_dict()
    root = str(api.policies_root())
    if out["file"].startswith(root + "/"):
        out["file"] = "policies/" + out["file"][len(root) + 1:]
    return out


def _policy_today(council_id: str):
    try:
        return api.policy_on(council_id, today())
    except api.NoPolicyInForce as e:
        raise ApiError(422, [{"file": "", "line": 0, "column": 0, "field": "on", "message": str(e)}]) from None
    except api.SourceError as e:  # the council's policy files have mistakes: not the caller's fault
        raise ApiError(503, [_problem(p) for p in e.problems]) from None


def _check_case_text(policy, text: str):
    """The engine's case reader on the request's own text, so mistakes carry its lines."""
    try:
        return api.parse_case(policy, text, file=BODY)
    except api.SourceError as e:
        raise ApiError(422, [_problem(p) for p in e.problems]) from None


def _with_case(text: str, case: Case) -> str:
    """The body `{"events": [...]}` with the stored case's child and placement added
    after everything written, so the case reader sees a whole case document and the
    request's own lines and columns stay where the client wrote them."""
    end = text.rstrip()
    assert end.endswith("}")  # a JSON object, checked by the schema
    extra = json.dumps({"child": {"ref": case.child_ref},
                        "placement": {"type": case.placement_type,
                                      "started": case.placement_started.isoformat()}})
    return f"{end[:-1]}, {extra[1:-1]}}}"


def evaluation_of(case: Case) -> tuple[dict | None, list[dict]]:
    """Today's answer for the case and, when there is none, why, located: never an exception,
    so a case stored before recording tried the engine is still readable, and a write that
    was saved is never answered 500."""
    found = evaluate_case(case)
    return found.answer, found.errors()


def _policy(answer: dict | None) -> dict | None:
    """The policy an answer was made under (its version and content hash), for the audit."""
    return answer["policy"] if answer else None


def _case_query(case_id: int):
    return get_or_404(Case, case_id)


# --- councils ----------------------------------------------------------------------

@bp.get("/councils")
@doc("List the councils you may see: your own; every council for an admin.",
     response=sc.CouncilListSchema, tag="councils")
def councils():
    user = current_user()
    found = [c for c in api.list_councils() if user.role == Role.ADMIN or c.id == user.council_id]
    audit(AuditAction.VIEWED, "council_list", None, {"count": len(found)})
    return jsonify(sc.CouncilListSchema().dump({"councils": found}))


@bp.get("/councils/<council>")
@doc("A council and the versions of its policy.", response=sc.CouncilDetailSchema, tag="councils")
def council(council: str):
    found = _council_or_404(council)
    out = sc.CouncilSchema().dump(found)
    try:
        out["versions"] = [v.describe() | {"title": v.title} for v in api.get_policy(found.id, on=today()).versions]
    except api.SourceError as e:
        out["versions"] = []
        out["errors"] = [f"{d['file']}:{d['line']}:{d['column']}: {d['message']}" if d["line"] else
                         f"{d['file']}: {d['message']}" for d in map(_problem, e.problems)]
    audit(AuditAction.VIEWED, "council", found.id)
    out = sc.CouncilDetailSchema().dump(out)
    return jsonify(out)


# --- cases -------------------------------------------------------------------------

@bp.get("/councils/<council>/cases")
@roles(*CASE_ROLES)
@doc("The council's cases, optionally only `open` or `closed` ones.", response=sc.CaseListSchema, tag="cases",
     query={"status": {"enum": ["open", "closed"]}})
def cases(council: str):
    found = _council_or_404(council)
    stmt = scoped_select(Case).options(selectinload(Case.worker)).order_by(Case.child_ref)
    status = request.args.get("status")
    if status:
        if status not in ("open", "closed"):
            raise ApiError(422, [{"file": "query", "line": 0, "column": 0, "field": "status",
                                  "message": f"'{status}' is not a status: use open or closed."}])
        stmt = stmt.where(Case.status == status)
    rows = db.session().scalars(stmt).all()
    audit(AuditAction.VIEWED, "case_list", None, {"count": len(rows), "via": "api"}, council_id=found.id)
    return jsonify(sc.CaseListSchema().dump({"cases": rows}))


@bp.post("/councils/<council>/cases")
@roles(*CASE_ROLES)
@doc("Open a case: the child's reference and the placement. The placement is checked "
     "against the council's policy vocabulary.",
     body=sc.CaseCreateSchema, response=sc.CaseSchema, status=201, tag="cases", errors=(409, 415, 422),
     idempotent=True)
@idempotent
def create_case(council: str):
    found = _council_or_404(council)
    text, body = body_json()
    data = _load(sc.CaseCreateSchema(), body)
    policy = _policy_today(found.id)
    parsed = _check_case_text(policy, text)
    try:
        case = open_case(current_user(), found.id, data["child"]["ref"], parsed.placement["type"],
                         parsed.placement["started"], parsed.child.get("date_of_birth"), via="api", policy=policy)
    except NotOpened as problem:
        raise ApiError(409 if problem.duplicate else 422, [{"file": BODY, "line": 0, "column": 0,
                                                           "field": problem.field,
                                                           "message": problem.message + "."}]) from None
    response = jsonify(sc.CaseSchema().dump(case))
    response.status_code = 201
    response.headers["Location"] = url_for("api.case", case_id=case.id)
    return response


@bp.get("/cases/<int:case_id>")
@roles(*CASE_ROLES)
@doc("A case, its events, and what the council's policy says about it today.",
     response=sc.CaseDetailSchema, tag="cases")
def case(case_id: int):
    found = _case_query(case_id)
    answer, errors = evaluation_of(found)
    audit(AuditAction.VIEWED, "case", found.id, {"via": "api"}, policy=_policy(answer))
    return jsonify({"case": sc.CaseSchema().dump(found),
                    "events": sc.EventSchema(many=True).dump(found.events),
                    "evaluation": answer, "evaluation_errors": errors})


@bp.get("/cases/<int:case_id>/events")
@roles(*CASE_ROLES)
@doc("The case's events, oldest first.", response=sc.EventListSchema, tag="events")
def events(case_id: int):
    found = _case_query(case_id)
    audit(AuditAction.VIEWED, "case_events", found.id, {"via": "api", "count": len(found.events)})
    return jsonify(sc.EventListSchema().dump({"events": found.events}))


@bp.post("/cases/<int:case_id>/events")
@roles(*CASE_ROLES)
@doc("Record events on a case, each written as in the case document "
     "(`{\"type\": \"missing_episode\", \"on\": \"2026-01-10\"}`, plus the type's fields). "
     "They are checked as every form's events are: against the council's policy vocabulary by the "
     "engine's case reader, then the recording rules (who may record each type: approvals are "
     "managers' only; nothing dated after today; the service's bounds; at most 100 events), then "
     "the engine's evaluation of the whole case with them. On any mistake nothing is saved and every "
     "mistake is answered (422) with its line (where known) and field.",
     body=sc.EventsCreateSchema, response=sc.EventsCreatedSchema, status=201, tag="events", errors=(415, 422),
     idempotent=True)
@idempotent
def create_events(case_id: int):
    found = _case_query(case_id)
    text, data = body_json()
    _load(sc.EventsCreateSchema(), data)
    policy = _policy_today(found.council_id)
    _check_case_text(policy, _with_case(text, found))  # mistakes located by line in the request
    try:
        rows = wf.record_events(found, data["events"], current_user(), via="api", commit=False, file=BODY)
    except wf.Refused as e:
        raise ApiError(422, e.problems or [{"file": BODY, "line": 0, "column": 0, "field": "", "message": m}
                                           for m in e.messages]) from None
    answer, errors = evaluation_of(found)
    response = jsonify({"events": sc.EventSchema(many=True).dump(rows), "evaluation": answer,
                        "evaluation_errors": errors})
    response.status_code = 201
    return response


# --- the evaluation contract --------------------------------------------------------------

@bp.post("/councils/<council>/evaluate")
@roles(*EVALUATE_ROLES)
@doc("What the council's policy says about the case document on a date: the evaluation "
     "contract's answer, exactly as `hearth evaluate` prints it. Nothing is stored.",
     body=sc.CaseDocumentSchema, response=sc.EvaluationSchema, tag="evaluation", errors=(415, 422),
     query={"on": {"format": "date", "description": "the 'as of' date, YYYY-MM-DD (default: today)"}})
def evaluate(council: str):
    found = _council_or_404(council)
    on = _parse_on(request.args.get("on"))
    text, data = body_json()
    answer, errors = api.evaluate_document(found.id, text, on, file=BODY)
    child = data.get("child") if isinstance(data, dict) else None
    ref = str(child.get("ref") or "") or None if isinstance(child, dict) else None
    audit(AuditAction.VIEWED, "evaluation", None,
          {"via": "api", "on": on.isoformat(), "child_ref": ref, "ok": answer is not None},
          council_id=found.id, policy=_policy(answer))
    if answer is None:
        raise ApiError(422, errors)
    return jsonify(answer)
