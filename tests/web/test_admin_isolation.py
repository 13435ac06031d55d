"""Every admin page is its council's alone: another council's user, team, case or token id in
any of their URLs (every route of the people, teams, transfer and token pages, walked from the
app's URL map so a new one is covered) is a 404 audited as refused; the lists never show
another council's rows, whatever the query asks; everyone but an admin gets 403 (a transfer:
everyone but a manager or admin); the service-wide admin, who sees no child's records, cannot
open a case's transfer page."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from hearth.web import db, tokens
from hearth.web.auth import token_hash
from hearth.web.models import ApiToken, AuditEntry, Team, User

from web_support import csrf_token, login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")
AREAS = ("people.", "teams.", "allocation.", "api_tokens.")


def objects(app, demo, council: str) -> dict[str, int]:
    """One of each kind of object of ``council``: its worker, a team, a case and a token."""
    with app.app_context():
        s = db.session()
        worker = s.scalar(select(User).where(User.email == demo.email("worker", council)))
        team = Team(council_id=council, name=f"Only in {council}")
        s.add(team)
        token = tokens.create_token(s, worker, f"Only in {council}")
        s.commit()
        return {"user_id": worker.id, "team_id": team.id, "case_id": demo.cases[council][0].id,
                "token_id": s.scalar(select(ApiToken.id).where(ApiToken.token_hash == token_hash(token)))}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(AREAS):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def refusals(app) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session().scalars(select(AuditEntry).where(AuditEntry.action == "refused")
                                         .order_by(AuditEntry.id)))


def test_another_councils_ids_are_404_and_audited(app, demo, login_as):
    theirs = objects(app, demo, demo.other)
    admin = login_as(demo.email("admin", demo.home))
    token = csrf_token(admin, "/admin")
    walked = 0
    for rule, method in routes(app):
        if not rule.arguments:
            continue
        url = rule.build({name: theirs[name] for name in rule.arguments})[1]
        before = len(refusals(app))
        answer = admin.open(url, method=method, data={"csrf_token": token, "role": "admin", "team": "",
                                                       "name": "x", "worker": "1", "reason": "x"})
        assert answer.status_code == 404, f"{method} {url}: {answer.status_code}"
        entries = refusals(app)[before:]
        assert [(e.detail["reason"], e.detail["status"]) for e in entries] == [("another_council", 404)], url
        walked += 1
    assert walked >= 8
    # the token named in a form rather than the URL: another person's is refused just the same
    answer = admin.post("/account/tokens/revoke", data={"csrf_token": token, "token_id": theirs["token_id"]})
    assert answer.status_code == 404 and refusals(app)[-1].detail["reason"] == "another_user"
    with app.app_context():
        s = db.session()
        assert s.get(User, theirs["user_id"]).role == "worker" and s.get(User, theirs["user_id"]).active
        assert s.get(Team, theirs["team_id"]).name == f"Only in {demo.other}"
        assert s.get(ApiToken, theirs["token_id"]).revoked_at is None

    # the lists are the council's own, whatever council the query names
    for url in ("/admin/people", "/admin/teams", "/admin/tokens"):
        page = admin.get(url, query_string={"council": demo.other}).get_data(as_text=True)
        assert f"@{demo.other}.demo" not in page and f"Only in {demo.other}" not in page, url
        assert f"@{demo.home}.demo" in page or "Placements team" in page, url


def test_only_admins_reach_the_admin_pages(app, demo):
    ours = objects(app, demo, demo.home)
    for role in ("worker", "manager", "policy_officer"):
        client = app.test_client()
        assert login(client, demo.email(role, demo.home)).status_code == 302
        token = csrf_token(client, "/")
        for rule, method in routes(app):
            if rule.endpoint in ("api_tokens.mine", "api_tokens.revoke_mine"):
                continue   # everyone's own tokens
            url = rule.build({name: ours[name] for name in rule.arguments})[1]
            answer = client.open(url, method=method, data={"csrf_token": token})
            expected = 200 if (rule.endpoint == "allocation.transfer" and role == "manager") else 403
            assert answer.status_code == expected, f"{role} {method} {url}: {answer.status_code}"
        assert client.get("/admin").status_code == 403
    service = app.test_client()
    assert login(service, demo.email("admin")).status_code == 302
    assert service.get(f"/cases/{ours['case_id']}/transfer").status_code == 404
    assert refusals(app)[-1].detail["reason"] == "no_council"
