"""The managers' dashboard: every open case with its next deadline from the live
evaluation, overdue first, then by due date; GET filters by worker and status.
Northshire's cases and today (Monday 29 December 2025) are in live_support.py."""
from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import select

from hearth.web import db
from hearth.web.models import AuditEntry, Case

from live_support import COUNCIL, PASSWORD, broken, live_policies, world  # noqa: F401
from web_support import login

EVERY = ["N-0001", "N-0002", "N-0003", "N-0004", "N-0005", "N-0006"]


def dashboard(app, email, password="hearth-demo", **query):
    client = app.test_client()
    assert login(client, email, password).status_code == 302
    r = client.get("/", query_string=query)
    assert r.status_code == 200
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    table = soup.find("table", id="cases")
    listed = [] if table is None else [
        [" ".join(c.get_text(" ", strip=True).split()) for c in tr.find_all(["th", "td"])]
        for tr in table.find("tbody").find_all("tr")]
    return soup, listed


def refs(listed):
    return [row[0] for row in listed]


def test_overdue_first_then_by_due_date_then_no_deadline(app, world):
    _, listed = dashboard(app, world.emails["manager"])
    assert refs(listed) == EVERY
    assert listed[0][4:] == ["Return interview", "Thursday 18 December 2025 Overdue"]
    assert listed[1][4:] == ["Return interview", "Thursday 25 December 2025 Overdue"]  # before its pending meeting
    # 3 working days after Monday 29 December: 30, 31, (1 January a bank holiday), Friday 2 January.
    assert listed[2][4:] == ["Initial meeting", "Friday 2 January 2026 Pending"]
    assert listed[3][4:] == ["Initial meeting", "Sunday 1 February 2026 Pending"]
    assert listed[4][4:] == listed[5][4:] == ["No deadline"]
    assert listed[0][1] == "In-house foster carers"  # the vocabulary's label
    # The recommendation column: a missing episode (a trigger) since the last meeting calls for one.
    assert [row[3] for row in listed] == ["Hold a stability meeting"] * 2 + ["No recommendation"] * 4


def test_status_filters(app, world):
    manager = world.emails["manager"]
    assert refs(dashboard(app, manager, status="overdue")[1]) == ["N-0001", "N-0002"]
    assert refs(dashboard(app, manager, status="week")[1]) == ["N-0003"]  # due by Sunday 4 January
    assert refs(dashboard(app, manager, status="none")[1]) == ["N-0005", "N-0006"]
    assert refs(dashboard(app, manager, status="nonsense")[1]) == EVERY


def test_workers_see_their_own_cases_by_default_and_can_see_all(app, world):
    soup, listed = dashboard(app, world.emails["worker"])
    assert refs(listed) == [r for r in EVERY if r != "N-0005"]
    selected = soup.find("select", id="worker").find("option", selected=True)
    assert selected["value"] == str(world.users["worker"]) and "(you)" in selected.text
    assert refs(dashboard(app, world.emails["worker"], worker="all")[1]) == EVERY
    _, mine = dashboard(app, world.emails["worker2"], PASSWORD)
    assert refs(mine) == ["N-0005"]


def test_worker_filter_and_combined_filters(app, world):
    manager = world.emails["manager"]
    assert refs(dashboard(app, manager, worker=world.users["worker2"])[1]) == ["N-0005"]
    assert refs(dashboard(app, manager, worker=world.users["worker"], status="none")[1]) == ["N-0006"]
    assert refs(dashboard(app, manager, worker="none")[1]) == []


def test_another_councils_worker_cannot_be_chosen(app, world, demo):
    from hearth.web.models import User
    with app.app_context():
        stranger = db.session().scalar(select(User).where(User.email == f"worker@{demo.home}.demo"))
    soup, listed = dashboard(app, world.emails["manager"], worker=stranger.id)
    assert refs(listed) == EVERY  # ignored: the manager's default, all of their own council
    assert stranger.email not in str(soup) and (stranger.name or "") not in soup.find("select", id="worker").text


def test_filters_are_a_plain_get_form(app, world):
    soup, _ = dashboard(app, world.emails["manager"], status="overdue")
    form = soup.find("form", class_="hearth-filters")
    assert form["method"] == "get"
    assert {s["name"] for s in form.find_all("select")} == {"worker", "team", "status"}  # team: the council has teams
    for select_ in form.find_all("select"):
        assert soup.find("label", attrs={"for": select_["id"]}) is not None
    assert form.find("button") is not None
    assert soup.find("select", id="status").find("option", selected=True)["value"] == "overdue"


def test_closed_cases_are_not_listed(app, world):
    with app.app_context():
        s = db.session()
        s.get(Case, world.ids["N-0001"]).status = "closed"
        s.commit()
    assert "N-0001" not in refs(dashboard(app, world.emails["manager"])[1])


def test_each_case_is_evaluated_once_per_request(app, world, monkeypatch):
    from hearth.engine import api
    calls = []
    real = api.evaluate
    monkeypatch.setattr(api, "evaluate", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    dashboard(app, world.emails["manager"])
    assert len(calls) == len(EVERY)


def test_unchanged_cases_are_not_evaluated_again(app, world, monkeypatch):
    """The stored summaries: a second load asks the engine about nothing; a new event or another
    day asks again, about the cases it changes."""
    from datetime import date, timedelta

    from hearth.engine import api
    from hearth.web.models import Event
    calls = []
    real = api.evaluate
    monkeypatch.setattr(api, "evaluate", lambda *a, **k: calls.append(a[1]["child"]["ref"]) or real(*a, **k))
    first = dashboard(app, world.emails["manager"])[1]
    assert sorted(calls) == EVERY
    calls.clear()
    assert dashboard(app, world.emails["manager"])[1] == first and calls == []

    with app.app_context():
        s = db.session()
        case = s.get(Case, world.ids["N-0005"])
        s.add(Event(case_id=case.id, type="allegation", on=date(2025, 12, 29), fields={}))
        s.commit()
    dashboard(app, world.emails["manager"])
    assert calls == ["N-0005"]

    calls.clear()
    monkeypatch.setitem(app.config, "HEARTH_TODAY", app.config["HEARTH_TODAY"] + timedelta(days=1))
    dashboard(app, world.emails["manager"])
    assert sorted(calls) == EVERY
    calls.clear()
    # Without the answer cache a new day asks the engine about each case once, and the stored
    # summaries (hearth.web.case_summaries), not the cache, spare it on the next load.
    monkeypatch.setitem(app.config, "HEARTH_ANSWER_CACHE", 0)
    monkeypatch.setitem(app.config, "HEARTH_TODAY", app.config["HEARTH_TODAY"] + timedelta(days=1))
    dashboard(app, world.emails["manager"])
    assert sorted(calls) == EVERY
    dashboard(app, world.emails["manager"])
    assert sorted(calls) == EVERY


def test_dashboard_view_is_audited_with_the_policy_version(app, world):
    dashboard(app, world.emails["manager"], status="overdue")
    with app.app_context():
        entry = db.session().scalars(select(AuditEntry).where(AuditEntry.object_type == "case_list")
                                     .order_by(AuditEntry.id.desc())).first()
    assert entry.council_id == COUNCIL and entry.policy_version == "2025-04"
    assert entry.detail == {"count": 2, "worker": "all", "team": "all", "status": "overdue",
                            "waiting": 0}  # a manager: the requests waiting for them


def test_a_council_whose_policy_fails_to_load_still_lists_its_cases(app, broken):
    soup, listed = dashboard(app, "worker@brokenshire.test", PASSWORD)
    # No policy, so no vocabulary: the placement's id is made readable instead of labelled.
    assert listed == [["B-0001", "In house foster", "Broken worker", "Not known",
                       "The council's policy could not be loaded Not checked"]]
