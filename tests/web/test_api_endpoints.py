"""Every API endpoint's happy path, its located 422s, no half-saved records, audit,
and the evaluate endpoint answering exactly what `hearth evaluate` prints."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date


from hearth.web.models import AuditEntry, Case, Event

from api_support import api_policies, audits, bearer, count, events_of  # noqa: F401 - fixtures

CASE = {"child": {"ref": "C-0001", "date_of_birth": "2011-05-02"},
        "placement": {"type": "ifa_foster", "started": "2025-09-01"},
        "events": [{"type": "missing_episode", "on": "2026-01-02"},
                   {"type": "missing_episode", "on": "2026-01-08"},
                   {"type": "stability_concern_raised", "on": "2026-01-09", "by": "child"}]}


def _worker(demo, bearer):
    return bearer(demo.email("worker", demo.home))


def _engine_answer(council, case, on):
    from hearth.engine import api
    return api.evaluate(council, case, on)


# --- councils -------------------------------------------------------------------------

def test_councils_lists_own_council_and_all_for_admin(client, demo, bearer):
    r = client.get("/api/v1/councils", headers=_worker(demo, bearer))
    assert r.status_code == 200
    assert [c["id"] for c in r.get_json()["councils"]] == [demo.home]
    r = client.get("/api/v1/councils", headers=bearer(demo.email("admin")))
    ids = [c["id"] for c in r.get_json()["councils"]]
    assert demo.home in ids and demo.other in ids


def test_council_shows_its_policy_versions(client, demo, bearer):
    from hearth.engine import api
    r = client.get(f"/api/v1/councils/{demo.home}", headers=_worker(demo, bearer))
    assert r.status_code == 200
    body = r.get_json()
    assert body["id"] == demo.home and body["name"] == api.get_council(demo.home).name
    expected = [{"version": v.version, "effective_from": v.effective_from.isoformat(), "title": v.title}
                for v in api.get_policy(demo.home).versions]
    assert body["versions"] == expected and expected
    assert client.get(f"/api/v1/councils/{demo.other}", headers=_worker(demo, bearer)).status_code == 404
    assert client.get("/api/v1/councils/no-such-council", headers=_worker(demo, bearer)).status_code == 404
    admin = bearer(demo.email("admin"))
    assert client.get(f"/api/v1/councils/{demo.other}", headers=admin).status_code == 200
    assert client.get("/api/v1/councils/no-such-council", headers=admin).status_code == 404


# --- cases ---------------------------------------------------------------------------

def test_case_list_is_the_councils_own(client, demo, bearer):
    r = client.get(f"/api/v1/councils/{demo.home}/cases", headers=_worker(demo, bearer))
    assert r.status_code == 200
    assert sorted(c["child"]["ref"] for c in r.get_json()["cases"]) == sorted(demo.refs(demo.home))
    assert all(c["council"] == demo.home for c in r.get_json()["cases"])
    r = client.get(f"/api/v1/councils/{demo.home}/cases?status=closed", headers=_worker(demo, bearer))
    assert r.get_json() == {"cases": []}
    r = client.get(f"/api/v1/councils/{demo.home}/cases?status=shut", headers=_worker(demo, bearer))
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "status"


def test_create_case(app, client, demo, bearer):
    headers = _worker(demo, bearer)
    body = {"child": {"ref": "NEW-1"}, "placement": {"type": "ifa_foster", "started": "2025-09-01"}}
    r = client.post(f"/api/v1/councils/{demo.home}/cases", headers=headers, json=body)
    assert r.status_code == 201, r.get_json()
    created = r.get_json()
    assert created["child"] == {"ref": "NEW-1"} and created["placement"] == body["placement"]
    assert created["council"] == demo.home and created["status"] == "open"
    assert created["worker"] == demo.email("worker", demo.home)
    assert r.headers["Location"].endswith(f"/api/v1/cases/{created['id']}")
    assert client.get(r.headers["Location"], headers=headers).status_code == 200
    entry = audits(app, action="created", object_type="case")[-1]
    assert entry.object_id == str(created["id"]) and entry.policy_version
    # The same child again is a conflict, not a second case.
    r = client.post(f"/api/v1/councils/{demo.home}/cases", headers=headers, json=body)
    assert r.status_code == 409 and r.get_json()["errors"][0]["field"] == "child.ref"
    # Another council may not be written to (and does not say whether it exists).
    r = client.post(f"/api/v1/councils/{demo.other}/cases", headers=headers, json=body)
    assert r.status_code == 404
    assert count(app, Case, Case.child_ref == "NEW-1") == 1


def test_create_case_mistakes_are_located_and_nothing_is_saved(app, client, demo, bearer):
    headers = _worker(demo, bearer)
    before = count(app, Case), count(app, AuditEntry, AuditEntry.action == "created")
    text = ('{"child": {"ref": "NEW-2"},\n'
            ' "placement": {"type": "ifa_fostr",\n'
            '               "started": "2025-02-31"}}')
    r = client.post(f"/api/v1/councils/{demo.home}/cases", headers=headers, data=text,
                    content_type="application/json")
    assert r.status_code == 422
    errors = {e["field"]: e for e in r.get_json()["errors"]}
    assert errors["placement.type"]["line"] == 2 and "ifa_foster" in errors["placement.type"]["message"]
    assert errors["placement.started"]["line"] == 3 and "not a real date" in errors["placement.started"]["message"]
    assert all(e["file"] == "request body" for e in errors.values())
    r = client.post(f"/api/v1/councils/{demo.home}/cases", headers=headers,
                    json={"child": {}, "placement": {"type": "other", "started": "2025-01-01"}, "extra": 1})
    assert r.status_code == 422
    fields = {e["field"] for e in r.get_json()["errors"]}
    assert fields == {"child.ref", "extra"}
    r = client.post(f"/api/v1/councils/{demo.home}/cases", headers=headers, data='{"child": \n [}',
                    content_type="application/json")
    assert r.status_code == 422 and r.get_json()["errors"][0]["line"] == 2
    r = client.post(f"/api/v1/councils/{demo.home}/cases", headers=headers, data="child=x",
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415
    assert (count(app, Case), count(app, AuditEntry, AuditEntry.action == "created")) == before


def test_case_shows_events_and_live_evaluation(app, client, demo, bearer):
    from hearth.web import db
    from hearth.web.evaluation import case_document
    case = demo.cases[demo.home][-1]
    r = client.get(f"/api/v1/cases/{case.id}", headers=_worker(demo, bearer))
    assert r.status_code == 200
    body = r.get_json()
    assert body["case"]["child"]["ref"] == case.child_ref
    with app.app_context():
        stored = db.session().get(Case, case.id)
        expected = _engine_answer(case.council_id, case_document(stored), date.today())
        types = [e.type for e in stored.events]
    assert [e["type"] for e in body["events"]] == types
    assert body["evaluation"] == json.loads(json.dumps(expected))
    assert body["evaluation_errors"] == []
    entry = audits(app, action="viewed", object_type="case")[-1]
    assert entry.object_id == str(case.id) and entry.policy_version == expected["policy"]["version"]


def test_events_list(app, client, demo, bearer):
    case = demo.cases[demo.home][-1]
    r = client.get(f"/api/v1/cases/{case.id}/events", headers=_worker(demo, bearer))
    assert r.status_code == 200
    got = r.get_json()["events"]
    assert [(e["type"], e["on"]) for e in got] == [(e.type, e.on.isoformat()) for e in events_of(app, case.id)]
    assert all(set(e) >= {"id", "type", "on", "fields", "recorded_by", "recorded_at"} for e in got)
    assert audits(app, action="viewed", object_type="case_events")[-1].object_id == str(case.id)


def test_record_events(app, client, demo, bearer):
    case = demo.cases[demo.home][-1]
    before = len(events_of(app, case.id))
    r = client.post(f"/api/v1/cases/{case.id}/events", headers=_worker(demo, bearer), json={"events": [
        {"type": "missing_episode", "on": "2026-01-10"},
        {"type": "stability_concern_raised", "on": "2026-01-09", "by": "child", "details": "wants to move"}]})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert sorted(e["type"] for e in body["events"]) == ["missing_episode", "stability_concern_raised"]
    assert body["evaluation"]["council"] == demo.home
    saved = events_of(app, case.id)
    assert len(saved) == before + 2
    concern = next(e for e in saved if e.type == "stability_concern_raised")
    assert concern.fields == {"by": "child", "details": "wants to move"} and concern.policy_version
    created = audits(app, action="created", object_type="event")
    assert {a.object_id for a in created} == {str(e["id"]) for e in body["events"]}
    assert all(a.policy_version == concern.policy_version for a in created)


def test_a_bad_event_is_located_and_nothing_is_saved(app, client, demo, bearer):
    case = demo.cases[demo.home][0]
    before = len(events_of(app, case.id)), count(app, AuditEntry, AuditEntry.action == "created")
    text = ('{"events": [\n'
            '  {"type": "missing_episode", "on": "2026-01-10"},\n'
            '  {"type": "missing_episode", "on": "2026-02-31"},\n'
            '  {"type": "missing_episod", "on": "2026-01-11"},\n'
            '  {"type": "stability_concern_raised", "on": "2026-01-11", "colour": "red"}\n'
            ']}')
    r = client.post(f"/api/v1/cases/{case.id}/events", headers=_worker(demo, bearer), data=text,
                    content_type="application/json")
    assert r.status_code == 422
    errors = {e["field"]: e for e in r.get_json()["errors"]}
    assert errors["events[1].on"]["line"] == 3 and "not a real date" in errors["events[1].on"]["message"]
    assert errors["events[2].type"]["line"] == 4 and "missing_episode" in errors["events[2].type"]["message"]
    assert errors["events[3].colour"]["line"] == 5
    r = client.post(f"/api/v1/cases/{case.id}/events", headers=_worker(demo, bearer),
                    json={"events": [{"on": "2026-01-10"}, {"type": "absence"}]})
    assert r.status_code == 422
    assert {e["field"] for e in r.get_json()["errors"]} == {"events[0].type", "events[1].on"}
    for body in ({"events": []}, {"event": {"type": "absence", "on": "2026-01-01"}}, [1]):
        assert client.post(f"/api/v1/cases/{case.id}/events", headers=_worker(demo, bearer),
                           json=body).status_code == 422
    # The good first event was not saved either: all or nothing.
    assert (len(events_of(app, case.id)), count(app, AuditEntry, AuditEntry.action == "created")) == before


def test_other_councils_cases_are_404(app, client, demo, bearer):
    headers = _worker(demo, bearer)
    theirs = demo.cases[demo.other][0]
    before = len(events_of(app, theirs.id))
    for url in (f"/api/v1/cases/{theirs.id}", f"/api/v1/cases/{theirs.id}/events", "/api/v1/cases/999999",
                f"/api/v1/councils/{demo.other}/cases"):
        r = client.get(url, headers=headers)
        assert r.status_code == 404 and theirs.child_ref not in r.get_data(as_text=True)
    r = client.post(f"/api/v1/cases/{theirs.id}/events", headers=headers,
                    json={"events": [{"type": "missing_episode", "on": "2026-01-10"}]})
    assert r.status_code == 404
    assert len(events_of(app, theirs.id)) == before


# --- evaluate -----------------------------------------------------------------------

def test_evaluate_answers_what_the_engine_answers(app, client, demo, bearer):
    r = client.post(f"/api/v1/councils/{demo.home}/evaluate?on=2026-01-10", headers=_worker(demo, bearer),
                    json=CASE)
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == json.loads(json.dumps(_engine_answer(demo.home, CASE, date(2026, 1, 10))))
    assert r.get_json()["as_of"] == "2026-01-10"
    entry = audits(app, action="viewed", object_type="evaluation")[-1]
    assert entry.policy_version == r.get_json()["policy"]["version"] and entry.council_id == demo.home
    # Policy officers may evaluate too; nothing is stored.
    before = count(app, Case), count(app, Event)
    r = client.post(f"/api/v1/councils/{demo.home}/evaluate", headers=bearer(demo.email("policy_officer", demo.home)),
                    json=CASE)
    assert r.status_code == 200 and r.get_json()["as_of"] == date.today().isoformat()
    assert (count(app, Case), count(app, Event)) == before


def test_evaluate_matches_the_command_line(client, demo, bearer, tmp_path, api_policies):
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(CASE, indent=2))
    cli = subprocess.run([sys.executable, "-c", "from hearth.web.cli import main; main()", "evaluate",
                          "--council", demo.home, "--case", str(case_file), "--on", "2026-01-10"],
                         capture_output=True, text=True, env={**os.environ, "HEARTH_POLICIES": str(api_policies)},
                         timeout=120)
    assert cli.returncode == 0, cli.stderr
    r = client.post(f"/api/v1/councils/{demo.home}/evaluate?on=2026-01-10", headers=_worker(demo, bearer),
                    data=case_file.read_text(), content_type="application/json")
    assert r.get_json() == json.loads(cli.stdout)
    # The same mistakes, with the same lines, fields and words.
    bad = ('{"placement": {"type": "ifa_fostr"},\n'
           ' "events": [{"type": "missing_episode", "on": "2026-02-31"}]}\n')
    case_file.write_text(bad)
    cli = subprocess.run([sys.executable, "-c", "from hearth.web.cli import main; main()", "evaluate",
                          "--council", demo.home, "--case", str(case_file), "--on", "2026-01-10"],
                         capture_output=True, text=True, env={**os.environ, "HEARTH_POLICIES": str(api_policies)},
                         timeout=120)
    assert cli.returncode == 2 and cli.stdout == ""
    r = client.post(f"/api/v1/councils/{demo.home}/evaluate?on=2026-01-10", headers=_worker(demo, bearer),
                    data=bad, content_type="application/json")
    assert r.status_code == 422
    api_lines = [f"{case_file}:{e['line']}:{e['column']} ({e['field']}): {e['message']}" for e in r.get_json()["errors"]]
    assert api_lines == cli.stderr.strip().splitlines()
    assert [e["field"] for e in r.get_json()["errors"]] == ["placement.type", "events[0].on"]


def test_evaluate_bad_input_is_422_with_located_errors(client, demo, bearer):
    url = f"/api/v1/councils/{demo.home}/evaluate"
    headers = _worker(demo, bearer)
    for on, words in (("2026-02-31", "not a real date"), ("10/01/2026", "not a date"), ("2000-01-01", "in force")):
        r = client.post(f"{url}?on={on}", headers=headers, json=CASE)
        assert r.status_code == 422, on
        (error,) = r.get_json()["errors"]
        assert error["field"] == "on" and words in error["message"]
    text = '{"child": {"ref": "C-1"},\n "placement": {"type": "ifa_foster"},\n "events": [{"type": "nonsense", "on": "2026-01-01"}]}'
    r = client.post(f"{url}?on=2026-01-10", headers=headers, data=text, content_type="application/json")
    assert r.status_code == 422
    (error,) = r.get_json()["errors"]
    assert (error["field"], error["line"], error["file"]) == ("events[0].type", 3, "request body")
    assert set(error) == {"file", "line", "column", "field", "message"}
    r = client.post(f"{url}?on=2026-01-10", headers=headers, data="{not json", content_type="application/json")
    assert r.status_code == 422 and r.get_json()["errors"][0]["line"] == 1
    r = client.post(f"{url}?on=2026-01-10", headers=headers, data="[1, 2]", content_type="application/json")
    assert r.status_code == 422 and r.get_json()["errors"][0]["message"]


def test_evaluate_only_for_your_own_council(client, demo, bearer):
    headers = _worker(demo, bearer)
    for council in (demo.other, "no-such-council"):
        r = client.post(f"/api/v1/councils/{council}/evaluate?on=2026-01-10", headers=headers, json=CASE)
        assert r.status_code == 404
    r = client.post(f"/api/v1/councils/{demo.home}/evaluate", headers=bearer(demo.email("admin")), json=CASE)
    assert r.status_code == 403
    r = client.post(f"/api/v1/councils/{demo.home}/evaluate", json=CASE)
    assert r.status_code == 401


def test_every_api_read_and_write_is_audited(app, client, demo, bearer):
    headers = _worker(demo, bearer)
    case_id = demo.cases[demo.home][0].id
    calls = [("GET", "/api/v1/councils", None), ("GET", f"/api/v1/councils/{demo.home}", None),
             ("GET", f"/api/v1/councils/{demo.home}/cases", None), ("GET", f"/api/v1/cases/{case_id}", None),
             ("GET", f"/api/v1/cases/{case_id}/events", None),
             ("POST", f"/api/v1/cases/{case_id}/events", {"events": [{"type": "absence", "on": "2026-01-10"}]}),
             ("POST", f"/api/v1/councils/{demo.home}/cases",
              {"child": {"ref": "AUD-1"}, "placement": {"type": "other", "started": "2025-01-01"}}),
             ("POST", f"/api/v1/councils/{demo.home}/evaluate", CASE)]
    for method, url, body in calls:
        n = count(app, AuditEntry)
        r = client.open(url, method=method, headers=headers, json=body)
        assert r.status_code in (200, 201), f"{method} {url}: {r.get_json()}"
        new = audits(app)[n:]
        assert new, f"{method} {url} was not audited"
        assert all(a.user_id is not None and a.council_id == demo.home for a in new)
        assert {a.action for a in new} == ({"created"} if method == "POST" and "evaluate" not in url else {"viewed"})
