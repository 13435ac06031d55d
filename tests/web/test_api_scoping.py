"""Every API route x every role x both councils, with bearer tokens: found by walking
the app's routes, so a new API route is covered without editing this file. Another
council's objects answer 404 (or 403 for a role that may not do the thing at all),
and no answer ever carries another council's child reference."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from hearth.engine.api import policy_on
from hearth.engine.forms_catalog import load_forms
from hearth.web.models import Case, Event, Role

from api_support import api_policies, bearer, count  # noqa: F401 - fixtures
from council_checks import complete_answers, recorder

ARGUMENTS = {
    "case_id": lambda demo, council: demo.cases[council][0].id,
    "council": lambda demo, council: council,
}
TODAY = date.today()


def a_placement(demo) -> str:
    return next(iter(policy_on(demo.home, TODAY).vocabulary.placement_types))


def an_event(demo) -> dict:
    """An event of a type the home council's workers may record that needs no field."""
    vocab = policy_on(demo.home, TODAY).vocabulary
    kind = next(k for k in vocab.event_types if "worker" in vocab.recorders(k)
                and not any(f.required for f in vocab.event_fields(k).values()))
    return {"type": kind, "on": (TODAY - timedelta(days=1)).isoformat()}


def a_record(demo) -> dict:
    """A complete record of the home council's first form that a worker may submit."""
    catalog = load_forms(demo.home, TODAY)
    defn = next(d for _, d in sorted(catalog.forms.items()) if recorder(demo.home, d, TODAY) == "worker")
    return {"form": defn.id, "answers": complete_answers(defn, TODAY)}


# A body that would succeed, per route, so a 2xx can only mean "allowed".
BODIES = {
    "api.create_case": lambda demo: {"child": {"ref": "WALK-1"},
                                     "placement": {"type": a_placement(demo), "started": "2025-01-01"}},
    "api.create_events": lambda demo: {"events": [an_event(demo)]},
    "api.create_submission": a_record,
    "api.evaluate": lambda demo: {"child": {"ref": demo.cases[demo.home][0].child_ref},
                                  "placement": {"type": a_placement(demo)}, "events": []},
}


def api_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def test_every_api_argument_and_body_is_known(app):
    for rule, method in api_routes(app):
        assert not rule.arguments - ARGUMENTS.keys(), f"{rule}: add its arguments to ARGUMENTS in {__file__}"
        if method == "POST":
            assert rule.endpoint in BODIES, f"{rule}: add a request body to BODIES in {__file__}"


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_api_routes_by_role_and_council(app, client, demo, bearer, role):
    council = None if role == "admin" else demo.home
    headers = bearer(demo.email(role, council))
    other_refs, own_refs = demo.refs(demo.other), demo.refs(demo.home)
    for rule, method in api_routes(app):
        allowed = role in getattr(app.view_functions[rule.endpoint], "roles", {r.value for r in Role})
        for target in (demo.home, demo.other) if rule.arguments else (demo.home,):
            url = rule.build({a: ARGUMENTS[a](demo, target) for a in rule.arguments})[1]
            before = count(app, Case), count(app, Event)
            r = client.open(url, method=method, headers=headers,
                            json=BODIES[rule.endpoint](demo) if method == "POST" else None)
            body = r.get_data(as_text=True)
            where = f"{role} {method} {url}"
            assert r.is_json, where
            assert r.status_code < 500, f"{where} answered {r.status_code}: {body[:300]}"
            assert not any(ref in body for ref in other_refs), f"{where} shows another council's child"
            if role == "admin":  # system admins see no child's records at all
                assert not any(ref in body for ref in own_refs if ref != "WALK-1"), f"{where} shows a child"
            if rule.endpoint == "api.openapi":
                assert r.status_code == 200
            elif not allowed:
                assert r.status_code == 403, f"{where}: {r.status_code}"
            elif target == demo.other and role != "admin":
                assert r.status_code == 404, f"{where}: another council's object answered {r.status_code}"
            elif target == demo.other:  # an admin may read any council's description, nothing more
                assert r.status_code == (200 if rule.endpoint == "api.council" else 403), f"{where}"
            else:
                assert r.status_code in (200, 201), f"{where}: {r.status_code} {body[:300]}"
            if r.status_code >= 400:
                assert (count(app, Case), count(app, Event)) == before, f"{where} saved something"
