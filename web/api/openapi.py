"""The OpenAPI 3 document, generated with apispec from the marshmallow schemas and the
`doc()` note on each view, by walking the app's routes: a new API route appears in the
document (or fails the test that checks every route is there) without editing a list."""
from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, jsonify

from . import PREFIX, bp
from . import schemas as sc

_ARG = re.compile(r"<(?:(\w+):)?(\w+)>")
_ERRORS = {
    401: "No API token, or one that is unknown or revoked",
    403: "Your role may not do this",
    404: "No such object in your council (another council's objects are never shown)",
    409: "It exists already, or a request with the same Idempotency-Key is still being answered",
    415: "The body is not JSON",
    422: "Mistakes in the request, each with its field (and line, where known)",
}
# Every call counts against a rate limit (hearth.web.api.ratelimit): each answer says
# where the caller stands, and a 429 says when to try again.
_LIMIT_HEADERS = {
    "X-RateLimit-Limit": ("RateLimitLimit", "How many calls the allowance holds per window"),
    "X-RateLimit-Remaining": ("RateLimitRemaining", "How many calls are left in the window"),
    "X-RateLimit-Reset": ("RateLimitReset", "When (Unix time, seconds) a call is next freed"),
}
_TOO_MANY = "TooManyRequests"
# Writes may be retried safely with an Idempotency-Key (hearth.web.api.idempotency).
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[\\x20-\\x7e]+$"},
    "description": "Any 1 to 200 printable ASCII characters (a UUID is a good choice). A retry with the "
                   "same key, path and body gets the first answer again, with `Idempotent-Replayed: true`, "
                   "and saves nothing twice; the same key for another path or body is a 422; while the first "
                   "request is still being answered, 409. Refused requests (4xx) are not remembered, so a "
                   "fixed request may reuse the key. Keys are kept at least 24 hours, then may be purged."}
_REPLAYED = {"description": "`true` when this is the stored answer to an earlier request with the same "
                            "Idempotency-Key (nothing was saved again)",
             "schema": {"type": "string", "enum": ["true"]}}


def doc(summary: str, *, response=None, body=None, status: int = 200, tag: str = "",
        errors: tuple = (), query: dict | None = None, idempotent: bool = False):
    """Describe a view for the OpenAPI document (`idempotent`: it takes an Idempotency-Key)."""
    def decorate(view):
        view.openapi = {"summary": summary, "response": response, "body": body, "status": status,
                        "tag": tag, "errors": errors, "query": query or {}, "idempotent": idempotent}
        return view
    return decorate


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []
    for converter, name in _ARG.findall(rule):
        schema = {"type": "integer"} if converter == "int" else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _ARG.sub(lambda m: "{" + m.group(2) + "}", rule), params


def _operation(view, endpoint: str, path_params: list[dict]) -> dict[str, Any]:
    note = getattr(view, "openapi", None)
    if note is None:
        raise LookupError(f"API view {endpoint} has no doc() note: describe it for the OpenAPI document")
    name = endpoint.split(".", 1)[1]
    op: dict[str, Any] = {"operationId": name, "summary": note["summary"].split(". ")[0].rstrip("."),
                          "description": note["summary"], "tags": [note["tag"]] if note["tag"] else [],
                          "parameters": path_params + [
                              {"name": q, "in": "query", "required": False, "schema": {"type": "string", **s}}
                              for q, s in note["query"].items()]
                          + ([_IDEMPOTENCY_KEY] if note.get("idempotent") else []),
                          "responses": {}}
    if note["body"] is not None:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": note["body"]}}}
    ok = {"description": "OK" if note["status"] == 200 else "Created", "headers": _limit_headers()}
    if note["response"] is not None:
        ok["content"] = {"application/json": {"schema": note["response"]}}
    if note.get("idempotent"):
        ok["headers"] = {**ok["headers"], "Idempotent-Replayed": _REPLAYED}
    op["responses"][str(note["status"])] = ok
    codes = {401} | ({403} if getattr(view, "roles", None) else set()) | set(note["errors"])
    if note.get("idempotent"):
        codes |= {409, 422}
    if path_params:
        codes.add(404)
    for code in sorted(codes):
        op["responses"][str(code)] = {"description": _ERRORS[code], "content": {
            "application/json": {"schema": "ErrorList"}}}
    if endpoint == "api.openapi":
        op["security"] = []
        op["responses"] = {"200": {"description": "This document", "headers": _limit_headers(),
                                   "content": {"application/json": {"schema": {"type": "object"}}}}}
    op["responses"]["429"] = _TOO_MANY
    return op


def _limit_headers() -> dict[str, str]:
    return {header: component for header, (component, _) in _LIMIT_HEADERS.items()}


def _rate_limit_components(spec: APISpec) -> None:
    for component, description in _LIMIT_HEADERS.values():
        spec.components.header(component, {"description": description, "schema": {"type": "integer"}})
    spec.components.response(_TOO_MANY, {
        "description": "Too many calls: each token's user has an allowance per window (calls without "
                       "a valid token: each address). Wait Retry-After seconds, then try again.",
        "headers": {"Retry-After": {"description": "Seconds to wait before the next call can succeed",
                                    "schema": {"type": "integer", "minimum": 1}},
                    **_limit_headers()},
        "content": {"application/json": {"schema": "ErrorList"}}})


def build_spec(app) -> dict:
    spec = APISpec(title="Hearth API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Councils, cases, events and the evaluation contract "
                                        "(../shared/specs/evaluate-contract.md). Authenticate every call "
                                        "with a per-user token: `Authorization: Bearer <token>` "
                                        "(`hearth token create --user EMAIL`). Calls are rate-limited "
                                        "per token's user (per address without a valid token): over "
                                        "the limit, 429 with `Retry-After`."},
                   servers=[{"url": "/"}],
                   security=[{"bearerAuth": []}])
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer",
                                                   "description": "A Hearth API token (hth_...)"})
    spec.components.schema("Error", schema=sc.ErrorSchema)
    spec.components.schema("ErrorList", schema=sc.ErrorListSchema)
    _rate_limit_components(spec)
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.split(".", 1)[0] != bp.name:
            continue
        path, params = _path(rule.rule)
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(view, rule.endpoint, params)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
@doc("This OpenAPI 3 document (needs no token).")
def openapi():
    if "hearth.openapi" not in current_app.extensions:
        current_app.extensions["hearth.openapi"] = build_spec(current_app)
    return jsonify(current_app.extensions["hearth.openapi"])


assert PREFIX  # the document's paths are the app's own, prefix included
