"""A council's admin runs its people: the list, inviting (one invitation email with a link
that works), changing role and team, deactivating (ending their sign-ins) and reactivating,
sending an invitation again; nobody leaves a council without an admin or changes their own
account; every change audited. The service-wide admin does the same for a council it chooses;
`hearth user create` makes a council's first admin with a link to set their password."""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from sqlalchemy import select

from hearth.web import cli, db, links, notify
from hearth.web.models import AuditEntry, LinkPurpose, OneTimeLink, Role, Team, User

from web_support import csrf_token, login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")
LINK = re.compile(r"https?://\S+/invitation/([A-Za-z0-9_-]{43})")


@pytest.fixture
def emails(monkeypatch) -> list[dict]:
    """The emails queued (GOV.UK Notify's client is tested in test_notify.py)."""
    sent = []
    monkeypatch.setattr(notify, "send_email", lambda to, template, personalisation, council: sent.append(
        {"to": to, "body": personalisation["body"], "council": council}))
    return sent


def row(app, model, **where):
    with app.app_context():
        return db.session().scalar(select(model).filter_by(**where))


def audits(app, action: str, object_id) -> list[dict]:
    with app.app_context():
        return [entry.detail for entry in db.session().scalars(
            select(AuditEntry).where(AuditEntry.action == action, AuditEntry.object_type == "user",
                                     AuditEntry.object_id == str(object_id)).order_by(AuditEntry.id))]


def words(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ", strip=True).split())


def post(client, url: str, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/admin"), **data})


def test_a_council_admin_lists_invites_and_changes_people(app, demo, login_as, emails):
    admin = login_as(demo.email("admin", demo.home))
    listed = words(admin.get("/admin/people").get_data(as_text=True))
    assert demo.email("worker", demo.home) in listed and demo.email("worker2", demo.home) in listed
    assert demo.email("worker", demo.other) not in listed and "Placements team" in listed

    # mistakes are said where they are, and nothing is made
    answer = post(admin, "/admin/people/invite", name="", email="not-an-address", role="superuser")
    page = words(answer.get_data(as_text=True))
    assert answer.status_code == 200 and "There is a problem" in page
    assert "Enter their full name" in page and "correct format" in page and "Not a valid choice" in page
    taken = post(admin, "/admin/people/invite", name="Someone", email=demo.email("worker", demo.other).upper(),
                 role="worker", team="")
    assert "already has an account" in words(taken.get_data(as_text=True))
    assert emails == []

    team = row(app, Team, council_id=demo.home)
    answer = post(admin, "/admin/people/invite", name="Ada New", email="Ada.New@Example.gov.uk", role="manager",
                  team=str(team.id))
    assert answer.status_code == 302
    person = row(app, User, email="ada.new@example.gov.uk")
    assert (person.council_id, person.role, person.team_id, person.password_hash) == (demo.home, "manager", team.id, "")
    assert [mail["to"] for mail in emails] == [person.email] and emails[0]["council"] == demo.home
    token = LINK.search(emails[0]["body"]).group(1)
    with app.app_context():
        assert links.find(db.session(), token, LinkPurpose.INVITE).user_id == person.id
    assert audits(app, "created", person.id) == [{"role": "manager", "team": team.id, "via": "web"}]
    assert "Invited" in words(admin.get(f"/admin/people/{person.id}").get_data(as_text=True))

    # sending again: a new link, the first one no longer works
    assert post(admin, f"/admin/people/{person.id}/invitation").status_code == 302
    second = LINK.search(emails[1]["body"]).group(1)
    with app.app_context():
        assert links.find(db.session(), token, LinkPurpose.INVITE) is None
        assert links.find(db.session(), second, LinkPurpose.INVITE) is not None
    assert audits(app, "changed", person.id)[-1] == {"invitation": "sent again"}

    # a role and team change, audited as what changed; a team's manager made a worker no longer manages it
    manager = row(app, User, email=demo.email("manager", demo.home))
    assert post(admin, f"/admin/people/{manager.id}", role="worker", team="").status_code == 302
    assert (row(app, User, id=manager.id).role, row(app, User, id=manager.id).team_id) == ("worker", None)
    assert row(app, Team, id=team.id).manager_id is None
    assert audits(app, "changed", manager.id)[-1] == {"role": {"from": "manager", "to": "worker"},
                                                      "team": {"from": team.id, "to": None},
                                                      "no_longer_manages": [team.id]}
    # a team of another council cannot be chosen, nor a role outside the four
    other_team = row(app, Team, council_id=demo.other)
    refused = post(admin, f"/admin/people/{manager.id}", role="admin", team=str(other_team.id))
    assert "Not a valid choice" in words(refused.get_data(as_text=True))
    assert row(app, User, id=manager.id).role == "worker"


def test_deactivating_ends_sign_ins_and_no_council_is_left_without_an_admin(app, demo, login_as):
    worker_client = app.test_client()
    assert login(worker_client, demo.email("worker", demo.home)).status_code == 302
    assert worker_client.get("/").status_code == 200
    admin = login_as(demo.email("admin", demo.home))
    worker = row(app, User, email=demo.email("worker", demo.home))
    me = row(app, User, email=demo.email("admin", demo.home))

    assert post(admin, f"/admin/people/{worker.id}/deactivate").status_code == 302
    assert row(app, User, id=worker.id).active is False
    assert worker_client.get("/").status_code == 302   # signed out at once
    assert audits(app, "changed", worker.id)[-1] == {"active": {"from": True, "to": False}, "sessions_ended": 1}
    assert "Deactivated" in words(admin.get("/admin/people").get_data(as_text=True))
    assert post(admin, f"/admin/people/{worker.id}/reactivate").status_code == 302
    assert row(app, User, id=worker.id).active is True

    # not your own account, and not the council's last admin
    own = post(admin, f"/admin/people/{me.id}/deactivate")
    assert own.status_code == 409 and "cannot deactivate your own account" in words(own.get_data(as_text=True))
    assert post(admin, f"/admin/people/{me.id}", role="worker", team="").status_code == 409
    service = app.test_client()
    assert login(service, demo.email("admin")).status_code == 302
    last = post(service, f"/admin/people/{me.id}/deactivate")
    assert last.status_code == 409 and "only active administrator" in words(last.get_data(as_text=True))
    assert post(service, f"/admin/people/{me.id}", role="manager", team="").status_code == 409
    assert row(app, User, id=me.id).active and row(app, User, id=me.id).role == Role.ADMIN
    with app.app_context():
        reasons = [e.detail["reason"] for e in db.session().scalars(
            select(AuditEntry).where(AuditEntry.action == "refused", AuditEntry.object_id == str(me.id)))]
    assert reasons == ["own_account", "own_account", "last_admin", "last_admin"]
    # once there is a second admin, the first can be made a manager
    assert post(service, f"/admin/people/{worker.id}", role="admin", team="").status_code == 302
    assert post(service, f"/admin/people/{me.id}", role="manager", team="").status_code == 302


def test_the_service_wide_admin_chooses_the_council(app, demo, login_as, emails):
    service = login_as(demo.email("admin"))
    chooser = service.get("/admin/people")
    assert chooser.status_code == 200 and f"/admin/people?council={demo.home}" in chooser.get_data(as_text=True)
    listed = words(service.get("/admin/people", query_string={"council": demo.other}).get_data(as_text=True))
    assert demo.email("worker", demo.other) in listed and demo.email("worker", demo.home) not in listed
    answer = post(service, f"/admin/people/invite?council={demo.other}", name="Bea", email="bea@example.gov.uk",
                  role="admin", team="")
    assert answer.status_code == 302
    assert (row(app, User, email="bea@example.gov.uk").council_id, emails[0]["to"]) == (demo.other, "bea@example.gov.uk")
    with app.app_context():
        assert db.session().scalar(select(OneTimeLink).where(OneTimeLink.purpose == "invite")).created_by_id == \
            row(app, User, email=demo.email("admin")).id


def test_hearth_user_create_makes_a_councils_first_admin(app, demo, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("HEARTH_ENV", "testing")
    monkeypatch.setenv("HEARTH_BASE_URL", "https://hearth.example.gov.uk/")
    runner = CliRunner()
    made = runner.invoke(cli.build_cli(), ["user", "create", "--email", "First.Admin@Example.gov.uk", "--role", "admin",
                                           "--council", demo.home, "--name", "First Admin"])
    assert made.exit_code == 0, made.output
    token = re.search(r"^https://hearth\.example\.gov\.uk/invitation/([A-Za-z0-9_-]{43})$", made.output, re.M).group(1)
    person = row(app, User, email="first.admin@example.gov.uk")
    assert (person.role, person.council_id, person.name, person.password_hash) == ("admin", demo.home, "First Admin", "")
    with app.app_context():
        assert links.find(db.session(), token, LinkPurpose.INVITE).user_id == person.id
    assert audits(app, "created", person.id) == [{"role": "admin", "via": "cli"}]
    for arguments, message in (
            (["--email", "first.admin@example.gov.uk", "--role", "admin", "--council", demo.home], "already an account"),
            (["--email", "w@example.gov.uk", "--role", "worker"], "give --council"),
            (["--email", "w@example.gov.uk", "--role", "worker", "--council", "atlantis"], "No council 'atlantis'"),
            (["--email", "not an address", "--role", "admin"], "not an email address")):
        refused = runner.invoke(cli.build_cli(), ["user", "create", *arguments])
        assert refused.exit_code != 0 and message in refused.output, refused.output
