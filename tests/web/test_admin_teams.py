"""A council's admin creates a team, renames it and chooses its manager (a manager or admin
of the same council, nobody else); the team's page lists its members; each change audited."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from hearth.web import db
from hearth.web.models import AuditEntry, Team, User

from web_support import csrf_token

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")


def words(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ", strip=True).split())


def test_teams_are_created_renamed_and_given_a_manager(app, demo, login_as):
    admin = login_as(demo.email("admin", demo.home))
    with app.app_context():
        s = db.session()
        ids = {key: s.scalar(select(User.id).where(User.email == demo.email(role, council)))
               for key, role, council in (("manager", "manager", demo.home), ("worker", "worker", demo.home),
                                          ("worker2", "worker2", demo.home), ("elsewhere", "manager", demo.other))}
    listed = words(admin.get("/admin/teams").get_data(as_text=True))
    assert "Placements team" in listed and "Demo manager" in listed

    def post(url, **data):
        return admin.post(url, data={"csrf_token": csrf_token(admin, "/admin/teams/new"), **data})

    # a worker, or another council's manager, is not a manager to choose; a name is needed and is the council's once
    for manager in (ids["worker"], ids["elsewhere"]):
        assert "Not a valid choice" in words(post("/admin/teams/new", name="Kinship", manager=str(manager))
                                             .get_data(as_text=True))
    answer = post("/admin/teams/new", name="placements TEAM", manager="")
    assert "already has a team called" in words(answer.get_data(as_text=True))
    assert "Enter the team's name" in words(post("/admin/teams/new", name="", manager="").get_data(as_text=True))

    answer = post("/admin/teams/new", name="Kinship team", manager=str(ids["manager"]))
    assert answer.status_code == 302
    with app.app_context():
        team = db.session().scalar(select(Team).where(Team.name == "Kinship team"))
    assert (team.council_id, team.manager_id) == (demo.home, ids["manager"])

    assert post(f"/admin/teams/{team.id}", name="Kinship care team", manager="").status_code == 302
    with app.app_context():
        s = db.session()
        team = s.get(Team, team.id)
        assert (team.name, team.manager_id) == ("Kinship care team", None)
        details = [entry.detail for entry in s.scalars(select(AuditEntry).where(
            AuditEntry.object_type == "team", AuditEntry.object_id == str(team.id),
            AuditEntry.action.in_(["created", "changed"])).order_by(AuditEntry.id))]
    assert details == [{"manager": ids["manager"]}, {"name": "renamed", "manager": {"from": ids["manager"], "to": None}}]

    # members come from the people pages: worker2 moved into the new team shows on its page
    assert admin.post(f"/admin/people/{ids['worker2']}", data={
        "csrf_token": csrf_token(admin, "/admin"), "role": "worker", "team": str(team.id)}).status_code == 302
    members = words(admin.get(f"/admin/teams/{team.id}").get_data(as_text=True))
    assert "Demo second social worker" in members and "Demo social worker (" not in members

