"""API tokens in the browser: made by their user (shown once, only the hash kept, with the
user's council and role), listed and revoked by them or their council's admin, refused by the
API at once; a token stops when its user is deactivated or their role or council changes,
while a token made before tokens kept these acts as it always did. `hearth token create` keeps
them too."""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from sqlalchemy import select

from hearth.web import cli, db, tokens
from hearth.web.models import ApiToken, AuditEntry, User

from web_support import csrf_token

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")
SHOWN = re.compile(r'id="new-token"[^>]*value="(hth_[A-Za-z0-9_-]+)"')


def words(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ", strip=True).split())


def api(app, token: str) -> int:
    return app.test_client().get("/api/v1/councils", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_token_is_made_shown_once_listed_and_revoked(app, demo, login_as):
    client = login_as(demo.email("worker", demo.home))
    assert "Enter what the token is for" in words(client.post("/account/tokens", data={
        "csrf_token": csrf_token(client, "/account/tokens"), "name": ""}).get_data(as_text=True))
    made = client.post("/account/tokens", data={"csrf_token": csrf_token(client, "/account/tokens"),
                                                "name": "Mosaic nightly sync"})
    token = SHOWN.search(made.get_data(as_text=True)).group(1)
    assert made.headers["Cache-Control"] == "no-store"
    with app.app_context():
        s = db.session()
        row = s.scalars(select(ApiToken)).one()
        worker = s.get(User, row.user_id)
        assert token not in (row.token_hash, row.prefix) and token.startswith(row.prefix)
        assert (worker.email, row.name, row.council_id, row.role, row.created_by_id) == \
            (demo.email("worker", demo.home), "Mosaic nightly sync", demo.home, "worker", worker.id)
        assert s.scalar(select(AuditEntry.detail).where(AuditEntry.action == "created",
                                                        AuditEntry.object_type == "api_token")) == \
            {"prefix": row.prefix, "via": "web"}
    listed = client.get("/account/tokens").get_data(as_text=True)
    assert token not in listed and row.prefix in listed and "Mosaic nightly sync" in listed
    assert api(app, token) == 200

    revoked = client.post("/account/tokens/revoke", data={"csrf_token": csrf_token(client, "/account/tokens"),
                                                          "token_id": str(row.id)})
    assert revoked.status_code == 302
    assert api(app, token) == 401
    assert "Revoked" in words(client.get("/account/tokens").get_data(as_text=True))
    with app.app_context():
        entry = db.session().scalars(select(AuditEntry).where(AuditEntry.action == "revoked")).one()
        assert (entry.object_id, entry.council_id, entry.user_id) == (str(row.id), demo.home, worker.id)


def test_the_councils_admin_sees_and_revokes_its_staffs_tokens_only(app, demo, login_as):
    with app.app_context():
        s = db.session()
        owners = {council: s.scalar(select(User).where(User.email == demo.email("manager", council)))
                  for council in (demo.home, demo.other)}
        made = {council: tokens.create_token(s, user, f"sync of {council}") for council, user in owners.items()}
        s.commit()
        home_id = s.scalar(select(ApiToken.id).where(ApiToken.council_id == demo.home))
    admin = login_as(demo.email("admin", demo.home))
    listed = words(admin.get("/admin/tokens").get_data(as_text=True))
    assert f"sync of {demo.home}" in listed and f"sync of {demo.other}" not in listed
    answer = admin.post(f"/admin/tokens/{home_id}/revoke", data={"csrf_token": csrf_token(admin, "/admin/tokens")})
    assert answer.status_code == 302
    assert api(app, made[demo.home]) == 401 and api(app, made[demo.other]) == 200


def test_a_token_stops_when_its_user_changes(app, demo, monkeypatch):
    with app.app_context():
        s = db.session()
        user = s.scalar(select(User).where(User.email == demo.email("manager", demo.home)))
        kept = {name: tokens.create_token(s, user, name) for name in ("role", "council", "inactive")}
        older = tokens.create_token(s, user)
        s.flush()
        old_row = s.scalar(select(ApiToken).where(ApiToken.name == ""))
        old_row.council_id = old_row.role = None   # made before tokens kept their council and role
        s.commit()
        assert all(tokens.user_for_token(s, token) is not None for token in [*kept.values(), older])
        user.role = "worker"
        assert tokens.user_for_token(s, kept["role"]) is None
        user.role, user.council_id = "manager", demo.other
        assert tokens.user_for_token(s, kept["council"]) is None
        assert tokens.user_for_token(s, older).id == user.id   # acts with the user's own, as before
        user.council_id, user.active = demo.home, False
        assert tokens.user_for_token(s, kept["inactive"]) is None and tokens.user_for_token(s, older) is None
        user.active = True
        assert tokens.user_for_token(s, kept["role"]).id == user.id   # back as it was made: works again
        s.rollback()

    # the command line keeps the name, council and role too
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("HEARTH_ENV", "testing")
    result = CliRunner().invoke(cli.build_cli(), ["token", "create", "--user", demo.email("worker", demo.other),
                                                  "--name", "Nightly export"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        row = db.session().scalar(select(ApiToken).where(ApiToken.name == "Nightly export"))
        assert (row.council_id, row.role) == (demo.other, "worker")
