"""A manager transfers a case to another worker and team with a reason: the case's worker and
team change, a CaseAllocation row keeps who had it, who moved it, when and why, the transfer
is audited, the history lists it, and the new worker's dashboard shows the case (a worker's
"my cases" is worker_id == me); the dashboard filters by team."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from hearth.web import db, tokens
from hearth.web.models import AuditEntry, Case, CaseAllocation, Team, User

from web_support import csrf_token, form_keys, login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")


def words(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ", strip=True).split())


def dashboard_refs(client, **query) -> set[str]:
    page = BeautifulSoup(client.get("/", query_string=query).get_data(as_text=True), "html.parser")
    table = page.find("table", id="cases")
    return {row.find("a").get_text(strip=True) for row in table.find_all("tr")[1:]} if table else set()


def test_a_manager_transfers_a_case_and_the_new_worker_sees_it(app, demo, login_as):
    with app.app_context():
        s = db.session()
        ids = {key: s.scalar(select(User.id).where(User.email == demo.email(role, council)))
               for key, role, council in (("worker", "worker", demo.home), ("worker2", "worker2", demo.home),
                                          ("manager", "manager", demo.home), ("elsewhere", "worker", demo.other))}
        team = s.scalar(select(Team).where(Team.council_id == demo.home))
        kinship = Team(council_id=demo.home, name="Kinship team")
        s.add(kinship)
        s.commit()
        team_id, kinship_id = team.id, kinship.id
    case = demo.cases[demo.home][0]
    assert (case.worker_id, case.team_id) == (ids["worker"], team_id)   # the seed's first allocation

    newcomer = app.test_client()
    assert login(newcomer, demo.email("worker2", demo.home)).status_code == 302
    assert case.child_ref not in dashboard_refs(newcomer)
    assert newcomer.get(f"/cases/{case.id}/transfer").status_code == 403
    assert "Transfer" not in words(newcomer.get(f"/cases/{case.id}").get_data(as_text=True)).split("Allocated to")[1][:80]

    manager = login_as(demo.email("manager", demo.home))
    summary = BeautifulSoup(manager.get(f"/cases/{case.id}").get_data(as_text=True), "html.parser")
    assert "Allocated to Demo social worker" in words(str(summary.find("dl"))) and "Placements team" in words(str(summary.find("dl")))
    assert summary.find("a", href=f"/cases/{case.id}/transfer") is not None

    def post(**data):
        return manager.post(f"/cases/{case.id}/transfer",
                            data={"csrf_token": csrf_token(manager, f"/cases/{case.id}/transfer"), **data})

    page = words(post(worker=str(ids["worker"]), team=str(team_id), reason="").get_data(as_text=True))
    assert "Enter why the case is moving" in page
    assert "already allocated" in words(post(worker=str(ids["worker"]), team=str(team_id), reason="x").get_data(as_text=True))
    assert "Not a valid choice" in words(post(worker=str(ids["elsewhere"]), team=str(team_id), reason="x")
                                         .get_data(as_text=True))
    assert post(worker=str(ids["worker2"]), team=str(kinship_id), reason="Worker leaving the team").status_code == 302

    with app.app_context():
        s = db.session()
        moved = s.get(Case, case.id)
        assert (moved.worker_id, moved.team_id) == (ids["worker2"], kinship_id)
        rows = s.scalars(select(CaseAllocation).where(CaseAllocation.case_id == case.id).order_by(CaseAllocation.id)).all()
        assert [(r.previous_worker_id, r.previous_team_id, r.worker_id, r.team_id, r.by_id, r.reason) for r in rows] == [
            (None, None, ids["worker"], team_id, ids["manager"], "Allocated when the case was opened"),
            (ids["worker"], team_id, ids["worker2"], kinship_id, ids["manager"], "Worker leaving the team")]
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "changed", AuditEntry.object_type == "case",
                                                   AuditEntry.object_id == str(case.id))).one()
        assert entry.detail == {"transferred": {"from": {"worker": ids["worker"], "team": team_id},
                                                "to": {"worker": ids["worker2"], "team": kinship_id}}}
        assert entry.council_id == demo.home and entry.user_id == ids["manager"]
    history = words(manager.get(f"/cases/{case.id}/transfer").get_data(as_text=True))
    assert "Worker leaving the team" in history and "Kinship team" in history and "First allocation" in history

    # the new worker's own list has it at once; the worker before no longer does
    assert case.child_ref in dashboard_refs(newcomer)
    before = app.test_client()
    assert login(before, demo.email("worker", demo.home)).status_code == 302
    assert case.child_ref not in dashboard_refs(before)
    # a manager filters by team
    assert dashboard_refs(manager, team=str(kinship_id)) == {case.child_ref}
    assert case.child_ref not in dashboard_refs(manager, team=str(team_id))
    assert dashboard_refs(manager, team=str(team_id)) | {case.child_ref} == set(demo.refs(demo.home))


def test_a_case_a_worker_opens_is_theirs_and_their_teams_from_its_first_day(app, demo, login_as):
    """On the new-case page and through the API alike: its history starts with the opening."""
    council = demo.home
    placement_type = demo.cases[council][0].placement_type
    client = login_as(demo.email("worker", council))
    page = "/cases/new"
    opened = client.post(page, data={**form_keys(client, page), "child_ref": "OPEN-WEB",
                                     "placement_type": placement_type, "started": ["1", "1", "2024"]})
    assert opened.status_code == 302, opened.get_data(as_text=True)
    with app.app_context():
        s = db.session()
        worker = s.scalar(select(User).where(User.email == demo.email("worker", council)))
        manager = s.scalar(select(User).where(User.email == demo.email("manager", council)))
        token, manager_token = tokens.create_token(s, worker), tokens.create_token(s, manager)
        s.commit()
        worker_id, team_id = worker.id, worker.team_id
    assert team_id is not None, "the demo worker is in their council's team"
    for ref, bearer in (("OPEN-API", token), ("OPEN-BY-MANAGER", manager_token)):
        answer = client.post(f"/api/v1/councils/{council}/cases", headers={"Authorization": f"Bearer {bearer}"},
                             json={"child": {"ref": ref}, "placement": {"type": placement_type,
                                                                         "started": "2024-01-01"}})
        assert answer.status_code == 201, answer.get_data(as_text=True)
    with app.app_context():
        s = db.session()
        cases = {case.child_ref: case for case in s.scalars(select(Case).where(Case.child_ref.like("OPEN-%")))}
        for ref in ("OPEN-WEB", "OPEN-API"):
            assert (cases[ref].worker_id, cases[ref].team_id) == (worker_id, team_id), ref
            [first] = s.scalars(select(CaseAllocation).where(CaseAllocation.case_id == cases[ref].id)).all()
            assert (first.worker_id, first.team_id, first.by_id, first.previous_worker_id) == \
                (worker_id, team_id, worker_id, None)
            assert first.reason == "Opened the case"
        waiting = cases["OPEN-BY-MANAGER"]
        assert (waiting.worker_id, waiting.team_id) == (None, None)
        assert not s.scalars(select(CaseAllocation).where(CaseAllocation.case_id == waiting.id)).all()
