"""Single sign-on by OpenID Connect, run for real against local providers (oidc_provider.py):
Hearth reads their discovery documents and keys, sends the browser to them, changes the code
for tokens and checks the ID token, all over HTTP. The home council signs in with one
provider, the other council with another (two issuers), as their council.yaml files say.

About the councils' settings and the protocol, not the database: SQLite only."""
from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from hearth.web import db
from hearth.web.models import AuditAction, AuditEntry, User
from hearth.web.sso import STATE_NAME

from councils import generic_councils
from oidc_provider import OidcProvider
from sso_support import LABEL, MANAGERS, WORKERS, publish_single_sign_on, secret_variable
from web_support import Demo

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

CALLBACK = "http://localhost/sso/callback"


@pytest.fixture(scope="module")
def providers():
    """Two identity providers (two issuers): the home council's and the other council's."""
    with OidcProvider() as home, OidcProvider() as other:
        for provider in (home, other):
            provider.client.redirect_uris.append(CALLBACK)
        yield home, other


@pytest.fixture
def sso(app, demo, providers, monkeypatch):
    """The home and the other council each sign in with their own provider."""
    home, other = providers
    for council_id, provider in ((demo.home, home), (demo.other, other)):
        provider.users.clear()
        provider.forged_by = provider.claimed_issuer = None
        publish_single_sign_on(app, council_id, provider)
        monkeypatch.setenv(secret_variable(council_id), provider.client.client_secret)
    return home, other


def start(client, council_id: str, provider: OidcProvider) -> str:
    """Press "Sign in with ...": the provider's authorize address Hearth sends the browser to."""
    answer = client.get(f"/councils/{council_id}/sign-in")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    assert answer.headers["Location"].startswith(f"{provider.issuer}/authorize?")
    return answer.headers["Location"]


def sso_sign_in(client, council_id: str, provider: OidcProvider, username: str):
    """The whole journey: Hearth -> provider's sign-in -> Hearth's callback; its last answer."""
    back = provider.sign_in_as(start(client, council_id, provider), username)
    assert back.startswith(CALLBACK)
    return client.get(back.removeprefix("http://localhost"))


def user_by_email(app, email: str) -> User | None:
    with app.app_context():
        return db.session().scalar(select(User).where(func.lower(User.email) == email))


def audited(app, action: AuditAction) -> list[dict]:
    with app.app_context():
        return [entry.detail for entry in db.session().scalars(
            select(AuditEntry).where(AuditEntry.action == action.value).order_by(AuditEntry.id))]


def refusal_reasons(app) -> list[str]:
    """The reasons of the refused sign-ins audited, in order."""
    return [detail.get("reason") for detail in audited(app, AuditAction.LOGIN_FAILED)]


def test_sign_in_makes_the_user_with_the_mapped_role_and_a_group_change_changes_it(app, sso, demo):
    home, _other = sso
    page = app.test_client().get("/login").get_data(as_text=True)
    assert f"Sign in with {LABEL}" in page and f"/councils/{demo.home}/sign-in" in page

    home.add_user("ann", "Ann.Jones@home.example", "Ann Jones", [WORKERS])
    client = app.test_client()
    answer = sso_sign_in(client, demo.home, home, "ann")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/"), answer.get_data(as_text=True)
    assert client.get("/").status_code == 200
    ann = user_by_email(app, "ann.jones@home.example")
    assert (ann.role, ann.council_id, ann.name, ann.password_hash) == ("worker", demo.home, "Ann Jones", "")
    assert (ann.sso_issuer, ann.sso_subject) == (home.issuer, home.users["ann"].subject)
    assert ann.last_sign_in_at is not None
    assert {"method": "sso"} in audited(app, AuditAction.LOGIN)

    home.users["ann"].groups = [WORKERS, MANAGERS]   # managers are listed first in council.yaml
    assert sso_sign_in(app.test_client(), demo.home, home, "ann").status_code == 302
    assert user_by_email(app, "ann.jones@home.example").role == "manager"
    assert {"by": "sso", "role": {"from": "worker", "to": "manager"}} in audited(app, AuditAction.CHANGED)


def test_an_existing_user_is_linked_by_email_and_takes_the_role_the_claim_gives(app, sso, demo):
    home, _other = sso
    manager = Demo.email("manager", demo.home)
    home.add_user("mo", manager, "Mo", [WORKERS])
    assert sso_sign_in(app.test_client(), demo.home, home, "mo").status_code == 302
    linked = user_by_email(app, manager)
    assert (linked.role, linked.sso_issuer, linked.sso_subject) == ("worker", home.issuer, home.users["mo"].subject)


def test_removal_from_the_group_refuses_sign_in_and_deactivates_the_user(app, sso, demo):
    home, _other = sso
    home.add_user("bea", "bea@home.example", "Bea", [WORKERS])
    signed_in = app.test_client()
    assert sso_sign_in(signed_in, demo.home, home, "bea").status_code == 302
    assert signed_in.get("/").status_code == 200

    home.users["bea"].groups = ["someone-elses-group"]
    refused = sso_sign_in(app.test_client(), demo.home, home, "bea")
    assert refused.status_code == 403 and "You do not have access to Hearth" in refused.get_data(as_text=True)
    assert not user_by_email(app, "bea@home.example").active
    assert signed_in.get("/").status_code == 302, "the session open before ended with the deactivation"
    assert {"active": False, "by": "sso", "reason": "no_mapped_role"} in audited(app, AuditAction.CHANGED)
    assert "no_mapped_role" in refusal_reasons(app)

    home.users["bea"].groups = [WORKERS]   # back in the group: an admin decides whether they come back
    assert sso_sign_in(app.test_client(), demo.home, home, "bea").status_code == 403


def test_a_user_of_another_council_is_refused_and_left_alone(app, sso, demo):
    home, _other = sso
    theirs = Demo.email("worker", demo.other)
    home.add_user("cy", theirs, "Cy", [MANAGERS])
    refused = sso_sign_in(app.test_client(), demo.home, home, "cy")
    assert refused.status_code == 403 and "another council" in refused.get_data(as_text=True)
    user = user_by_email(app, theirs)
    assert (user.council_id, user.role, user.sso_subject, user.active) == (demo.other, "worker", None, True)
    assert "another_council" in refusal_reasons(app)


@pytest.mark.parametrize("wrong", ["made_by_the_other_councils_provider", "naming_the_other_councils_issuer"])
def test_an_id_token_from_another_councils_issuer_is_refused(app, sso, demo, wrong):
    """The home council's provider hands out a token the other council's provider made (its
    issuer, its key), or one of its own that names the other issuer: neither signs anyone in."""
    home, other = sso
    home.add_user("dee", "dee@home.example", "Dee", [WORKERS])
    if wrong == "made_by_the_other_councils_provider":
        home.forged_by = other
    else:
        home.claimed_issuer = other.issuer
    client = app.test_client()
    refused = sso_sign_in(client, demo.home, home, "dee")
    assert refused.status_code == 400 and "Sign-in did not complete" in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302 and user_by_email(app, "dee@home.example") is None
    assert "id_token_invalid" in refusal_reasons(app)


def test_a_state_or_nonce_that_does_not_match_or_a_state_too_old_is_refused(app, sso, demo):
    home, _other = sso
    home.add_user("eve", "eve@home.example", "Eve", [WORKERS])
    client = app.test_client()
    back = home.sign_in_as(start(client, demo.home, home), "eve")
    forged = client.get(back.removeprefix("http://localhost").replace("state=", "state=x"))
    assert forged.status_code == 400 and client.get("/").status_code == 302

    for change in ("the nonce this browser sent is not the token's", "the sign-in was started too long ago"):
        back = home.sign_in_as(start(client, demo.home, home), "eve")
        key = f"_state_{STATE_NAME}_{parse_qs(urlsplit(back).query)['state'][0]}"
        with client.session_transaction() as session:
            kept = session[key]
            if "nonce" in change:
                kept["data"]["nonce"] = "another-nonce"
            else:
                kept["exp"] = time.time() - 1
            session[key] = kept
        refused = client.get(back.removeprefix("http://localhost"))
        assert refused.status_code == 400 and client.get("/").status_code == 302, change
    reasons = refusal_reasons(app)
    assert reasons == ["state_mismatch", "id_token_invalid", "state_mismatch"], reasons
    assert user_by_email(app, "eve@home.example") is None


def test_a_missing_client_secret_is_a_clear_page(app, sso, demo, monkeypatch):
    monkeypatch.delenv(secret_variable(demo.home))
    answer = app.test_client().get(f"/councils/{demo.home}/sign-in")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 503 and secret_variable(demo.home) in page and "is not working" in page
    assert "client_secret_missing" in refusal_reasons(app)


def test_a_council_without_single_sign_on_is_not_found(app, sso, demo):
    without = next(council for council in generic_councils() if council not in (demo.home, demo.other))
    client = app.test_client()
    assert client.get(f"/councils/{without}/sign-in").status_code == 404
    assert client.get("/councils/no-such-council/sign-in").status_code == 404
    assert f"/councils/{without}/sign-in" not in client.get("/login").get_data(as_text=True)
