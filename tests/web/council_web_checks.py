"""The web app's and the API's generic checks, each taking a council as it declares itself.

Nothing here names a council, a form, a trigger, an event type, a role or a placement
type: the pages are held to the engine's own answer for each case, the forms are the
council's own (answered as council_checks.complete_answers answers them), a placement type is the
first the council's vocabulary has. test_every_council_web.py runs these for every council
of the session; tests/web/test_new_council_drop_in.py for a council in a temporary folder."""
from __future__ import annotations

import json
from datetime import date, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from hearth.engine import api
from hearth.engine.forms_catalog import load_forms
from hearth.forms import events_from, schema_for
from hearth.web import db, tokens
from hearth.web.entry_warnings import REASON_PREFIX
from hearth.web.evaluation import evaluate_case
from hearth.web.filters import humanise
from hearth.web.models import Case, Event, User

import council_checks as checks
from web_support import Demo, form_keys, login
from workflow_support import fill


def signed_in(app, role: str, council: str | None):
    client = app.test_client()
    r = login(client, Demo.email(role, council))
    assert r.status_code == 302, f"{Demo.email(role, council)} could not sign in: {r.status_code}"
    return client


def words(html: str) -> str:
    """The text of a page's main part, spaces made single."""
    main = BeautifulSoup(html, "html.parser").find("main")
    return " ".join(main.get_text(" ").split())


def quoted(source: str) -> str:
    return " ".join(source.split(": ", 1)[1].strip("'").split())


def council_cases(app, council: str) -> list[tuple[int, str]]:
    with app.app_context():
        found = db.session().scalars(select(Case).where(Case.council_id == council).order_by(Case.id))
        return [(case.id, case.child_ref) for case in found]


def answer_for(app, case_id: int) -> dict:
    with app.app_context():
        found = evaluate_case(db.session().get(Case, case_id))
        assert found.answer is not None, found.messages
        return found.answer


def events_on(app, case_id: int) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Event).where(Event.case_id == case_id))


# ------------------------------------------------------------------ pages
def check_dashboards(app, council: str) -> None:
    """The worker sees their cases, the manager every open case, the policy officer the
    council's policy status; each names the council."""
    name = api.get_council(council).short_name or api.get_council(council).name
    refs = [ref for _, ref in council_cases(app, council)]
    worker = signed_in(app, "worker", council).get("/")
    assert worker.status_code == 200
    page = words(worker.get_data(as_text=True))
    assert all(ref in page for ref in refs), (refs, page[:500])
    manager = signed_in(app, "manager", council).get("/", query_string={"worker": "all"})
    assert manager.status_code == 200 and all(ref in words(manager.get_data(as_text=True)) for ref in refs)
    status = signed_in(app, "policy_officer", council).get("/policy-status")
    assert status.status_code == 200 and name in status.get_data(as_text=True)


def check_case_pages(app, council: str) -> None:
    """Every case page shows what the engine answers for it: each trigger with its sentence,
    the recommendation, each deadline and duty, each gate, each intervention."""
    client = signed_in(app, "worker", council)
    vocab = api.policy_on(council, app.config.get("HEARTH_TODAY") or date.today()).vocabulary
    for case_id, ref in council_cases(app, council):
        r = client.get(f"/cases/{case_id}")
        assert r.status_code == 200, (ref, r.status_code)
        page = words(r.get_data(as_text=True))
        answer = answer_for(app, case_id)
        assert ref in page
        for trigger in answer["triggers"]:
            assert trigger["title"] in page and quoted(trigger["source"]) in page, (ref, trigger["rule"])
        if answer["recommendation_reason"]:
            assert answer["recommendation_reason"]["label"] in page, (ref, answer["recommendation"])
        for item in answer["deadlines"] + answer["duties"]:
            assert humanise(item.get("title") or item["id"]) in page, (ref, item["id"])
        for gate in answer["gates"]:
            assert vocab.actions[gate["action"]]["label"] in page, (ref, gate["action"])
        for intervention in answer["interventions"]:
            assert intervention["label"] in page, (ref, intervention["id"])


def links(html: str) -> set[str]:
    """The same-site paths a page links to, without fragments or queries."""
    return {a["href"].split("#")[0].split("?")[0] for a in BeautifulSoup(html, "html.parser").find_all("a", href=True)
            if a["href"].startswith("/")}


def check_council_pages(app, council: str, limit: int = 60) -> list[str]:
    """Every page of the council's own under /councils/<id>/ (its document, its policy in
    words, ...) that its worker's dashboard and case pages lead to answers 200; returns them."""
    client = signed_in(app, "worker", council)
    prefix = f"/councils/{council}/"
    starts = ["/"] + [f"/cases/{case_id}" for case_id, _ in council_cases(app, council)]
    queue = sorted({path for start in starts for path in links(client.get(start).get_data(as_text=True))
                    if path.startswith(prefix)})
    seen = set(queue)
    visited = []
    while queue and len(visited) < limit:
        path = queue.pop(0)
        r = client.get(path)
        assert r.status_code == 200, (path, r.status_code)
        visited.append(path)
        for found in sorted(links(r.get_data(as_text=True)) - seen):
            if found.startswith(prefix):
                seen.add(found)
                queue.append(found)
    return visited


def new_case(app, council: str, on: date) -> int:
    """A case opened through the new-case page, in the first placement type the council has."""
    client = signed_in(app, "worker", council)
    placement = next(iter(api.policy_on(council, on).vocabulary.placement_types))
    started = on - timedelta(days=400)
    r = client.post("/cases/new", data={**form_keys(client, "/cases/new"), "child_ref": f"GEN-{council}",
                                        "placement_type": placement,
                                        "started": [str(started.day), str(started.month), str(started.year)]})
    assert r.status_code == 302, words(r.get_data(as_text=True))[:800]
    return int(r.headers["Location"].rsplit("/", 1)[1])


def check_forms(app, council: str, case_id: int, on: date) -> None:
    """Each of the council's forms on a case: drawn, refused empty with the GOV.UK error
    summary, and accepted complete by whoever may record its events, whose events are saved."""
    catalog = load_forms(council, on)
    listed = signed_in(app, "worker", council).get(f"/cases/{case_id}/forms").get_data(as_text=True)
    for form_id, defn in sorted(catalog.forms.items()):
        assert f"/cases/{case_id}/forms/{form_id}" in listed, f"{form_id} is not offered on the case"
        client = signed_in(app, checks.recorder(council, defn, on), council)
        url = f"/cases/{case_id}/forms/{form_id}"
        page = client.get(url)
        assert page.status_code == 200 and defn.title in words(page.get_data(as_text=True))
        empty = client.post(url, data=form_keys(client, url))
        if empty.status_code == 200:
            assert "govuk-error-summary" in empty.get_data(as_text=True), form_id
        answers = checks.complete_answers(defn, on)
        before = events_on(app, case_id)
        r = fill(client, case_id, council, form_id, answers, on)
        if r.status_code == 200 and REASON_PREFIX in r.get_data(as_text=True):
            r = with_reasons(client, url, council, form_id, answers, on, r)
        assert r.status_code == 302, (form_id, words(r.get_data(as_text=True))[:1500])
        produced = events_from(defn, schema_for(defn)(today=on).load(answers))
        assert events_on(app, case_id) == before + len(produced), form_id
    after = signed_in(app, "worker", council).get(f"/cases/{case_id}")
    assert after.status_code == 200
    answer_for(app, case_id)


def with_reasons(client, url: str, council: str, form_id: str, answers: dict, on: date, page):
    """The same answers again with a reason in every box the form page asked one in: a record
    that differs from the policy (a chair it does not name, say) is saved once someone says why."""
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    reasons = {box["name"]: "Agreed with the chair beforehand, as the record says."
               for box in soup.select(f"textarea[name^={REASON_PREFIX}]")}
    assert reasons, form_id
    return fill(client, None, council, form_id, answers, on, url=url, **reasons)


# ------------------------------------------------------------------ the API
def bearer(app, role: str, council: str | None) -> dict:
    with app.app_context():
        s = db.session()
        user = s.scalar(select(User).where(User.email == Demo.email(role, council)))
        token = tokens.create_token(s, user)
        s.commit()
    return {"Authorization": f"Bearer {token}"}


def check_api(app, council: str, on: date) -> None:
    """The council, its cases and their evaluations over the API, the same as the engine's;
    `evaluate` on each case's document answers as `hearth evaluate` does; each form's
    complete record is accepted as a submission."""
    client = app.test_client()
    worker = bearer(app, "worker", council)
    listed = client.get("/api/v1/councils", headers=worker).get_json()
    assert [c["id"] for c in listed["councils"]] == [council]
    detail = client.get(f"/api/v1/councils/{council}", headers=worker).get_json()
    assert detail["name"] == api.get_council(council).name and detail["versions"]
    cases = council_cases(app, council)
    found = client.get(f"/api/v1/councils/{council}/cases", headers=worker).get_json()["cases"]
    assert sorted(c["child"]["ref"] for c in found) == sorted(ref for _, ref in cases)
    for case_id, ref in cases:
        body = client.get(f"/api/v1/cases/{case_id}", headers=worker).get_json()
        assert body["evaluation"] == json.loads(json.dumps(answer_for(app, case_id))), ref
        document = {"child": {"ref": ref}, "placement": body["case"]["placement"],
                    "events": [{"type": e["type"], "on": e["on"], **e["fields"]} for e in body["events"]]}
        r = client.post(f"/api/v1/councils/{council}/evaluate?on={on}", headers=worker, json=document)
        assert r.status_code == 200, (ref, r.get_json())
        assert r.get_json() == json.loads(json.dumps(api.evaluate(council, document, on))), ref
    if cases:
        case_id = cases[0][0]
        for form_id, defn in sorted(load_forms(council, on).forms.items()):
            headers = bearer(app, checks.recorder(council, defn, on), council)
            r = client.post(f"/api/v1/cases/{case_id}/submissions", headers=headers,
                            json={"form": form_id, "answers": checks.complete_answers(defn, on)})
            assert r.status_code == 201, (form_id, r.get_json())
