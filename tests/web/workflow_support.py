"""Helpers for the workflow tests: fill a council's form as a browser would post it,
and read the live evaluation of a case."""
from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

from web_support import form_keys


def definition(council: str, form_id: str, on: date):
    from hearth.engine.forms_catalog import load_forms
    return load_forms(council, on).get(form_id)


def boxes(council: str, form_id: str, answers: dict, on: date, token: str, **extra) -> MultiDict:
    """The form's answers as its boxes post them, with the CSRF `token` and any `extra` fields
    (a browser's post also carries the page's one-time token: pass `hearth_form_token`)."""
    from hearth.forms import formdata_for
    data = formdata_for(definition(council, form_id, on), answers)
    data.add("csrf_token", token)
    for k, v in extra.items():
        data.add(k, v)
    return data


def fill(client, case_id: int | None, council: str, form_id: str, answers: dict, on: date, url: str | None = None,
         **extra):
    """Open the form's page (`url`, or the case's form), as a browser would, and post the answers
    with its hidden fields."""
    url = url or f"/cases/{case_id}/forms/{form_id}"
    keys = form_keys(client, url)
    return client.post(url, data=boxes(council, form_id, answers, on, keys.pop("csrf_token"), **keys, **extra))


def answer(app, case_id: int) -> dict:
    from hearth.web import db
    from hearth.web.evaluation import evaluate_case
    from hearth.web.models import Case
    with app.app_context():
        found = evaluate_case(db.session().get(Case, case_id))
        assert found.answer is not None, found.messages
        return found.answer


def due(app, case_id: int) -> dict:
    """{deadline id: (due, status)} of the live evaluation."""
    return {d["id"]: (d["due"], d["status"]) for d in answer(app, case_id)["deadlines"]}


def gate(app, case_id: int, action: str) -> str | None:
    return next((g["status"] for g in answer(app, case_id)["gates"] if g["action"] == action), None)


def new_case(client, ref: str, placement: str, started: date) -> int:
    r = client.post("/cases/new", data={**form_keys(client, "/cases/new"), "child_ref": ref, "placement_type": placement,
                                        "started": [str(started.day), str(started.month), str(started.year)]})
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(r.headers["Location"].rsplit("/", 1)[1])
