"""The OpenAPI document: valid OpenAPI 3, every API route in it, the bearer scheme,
and the schemas it is generated from describing what the API really answers."""
from __future__ import annotations

import re
from datetime import date

import pytest
from openapi_spec_validator import validate

from hearth.web.api import schemas as sc

from api_support import api_policies, bearer  # noqa: F401 - fixtures

# What is tested is not the database: on SQLite only (tests/web/conftest.py; the database's own
# behaviour is tested on both in test_web_database, test_policy_store, test_hardening_*, ...).
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")


def _spec(client):
    r = client.get("/api/v1/openapi.json")  # needs no token: it holds no one's data
    assert r.status_code == 200 and r.is_json
    return r.get_json()


def test_document_is_valid_openapi_3(client):
    spec = _spec(client)
    assert spec["openapi"].startswith("3.")
    validate(spec)


def test_every_api_route_is_documented(app, client):
    paths = _spec(client)["paths"]
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert path in paths, f"{rule} is not in the OpenAPI document"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            op = paths[path].get(method.lower())
            assert op, f"{method} {rule} is not in the OpenAPI document"
            assert op["summary"] and op["responses"]
            if rule.endpoint != "api.openapi":
                assert "401" in op["responses"], f"{method} {rule} does not say it needs a token"
            if rule.arguments:
                assert "404" in op["responses"]
    assert len({(p, m) for p, ops in paths.items() for m in ops}) == sum(
        len(r.methods - {"HEAD", "OPTIONS"}) for r in app.url_map.iter_rules() if r.endpoint.startswith("api."))


def test_bearer_security_scheme(client):
    spec = _spec(client)
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "A Hearth API token (hth_...)"}
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["paths"]["/api/v1/openapi.json"]["get"]["security"] == []


def test_bodies_are_described_by_the_marshmallow_schemas(client):
    spec = _spec(client)
    schemas = spec["components"]["schemas"]
    for name in ("Evaluation", "CaseDocument", "CaseCreate", "EventsCreate", "Case", "CaseDetail", "ErrorList"):
        assert name in schemas, name
    evaluate = spec["paths"]["/api/v1/councils/{council}/evaluate"]["post"]
    assert evaluate["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/CaseDocument"}
    assert evaluate["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Evaluation"}
    assert evaluate["responses"]["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorList"}
    assert {p["name"] for p in evaluate["parameters"]} == {"council", "on"}
    assert set(schemas["Evaluation"]["required"]) >= {"council", "policy", "as_of", "triggers", "recommendation",
                                                      "deadlines", "gates", "duties", "interventions"}


def test_answers_match_their_schemas(client, demo, bearer):
    headers = bearer(demo.email("worker", demo.home))
    case_id = demo.cases[demo.home][-1].id
    checks = [(client.get("/api/v1/councils", headers=headers), sc.CouncilListSchema),
              (client.get(f"/api/v1/councils/{demo.home}", headers=headers), sc.CouncilDetailSchema),
              (client.get(f"/api/v1/councils/{demo.home}/cases", headers=headers), sc.CaseListSchema),
              (client.get(f"/api/v1/cases/{case_id}/events", headers=headers), sc.EventListSchema),
              (client.post(f"/api/v1/councils/{demo.home}/evaluate?on={date.today()}", headers=headers,
                           json={"placement": {"type": "other"}}), sc.EvaluationSchema),
              (client.post(f"/api/v1/councils/{demo.home}/evaluate?on=never", headers=headers, json={}),
               sc.ErrorListSchema)]
    detail = client.get(f"/api/v1/cases/{case_id}", headers=headers).get_json()
    assert sc.EvaluationSchema().validate(detail["evaluation"]) == {}
    assert sc.EventListSchema().validate({"events": detail["events"]}) == {}
    for response, schema in checks:
        assert schema().validate(response.get_json()) == {}, (schema, response.get_json())
