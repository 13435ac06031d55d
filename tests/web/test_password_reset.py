"""Choosing a password from an emailed link (hearth.web.views.account): a password reset
goes through the real GOV.UK Notify client (to tests/web/fake_notify.py), works once and
never again, expires, never says whether an address has an account, is rate-limited, and
ends the user's other sessions; an invitation sets a first password the same way; a signed-in
user changes theirs on the account page."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from hearth.web import db, links
from hearth.web.models import AuditEntry, LinkPurpose, OneTimeLink, Role, User, utcnow

from fake_notify import FakeNotify
from web_support import csrf_token, login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

NEW_PASSWORD = "a long new password for hearth"
LINK_RE = re.compile(r"/password/reset/[A-Za-z0-9_-]{43}")


@pytest.fixture
def notify_server(app, monkeypatch):
    """The fake Notify, and the app sending to it (jobs run in this process's threads)."""
    with FakeNotify() as server:
        monkeypatch.setitem(app.config, "HEARTH_NOTIFY_API_KEY", server.api_key)
        monkeypatch.setitem(app.config, "HEARTH_NOTIFY_BASE_URL", server.base_url)
        yield server


def ask_for_reset(client, email: str, **kwargs):
    return client.post("/password/forgot", data={"email": email, "csrf_token": csrf_token(client, "/password/forgot")},
                       **kwargs)


def choose(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(path, data={"password": password, "confirm": password if confirm is None else confirm,
                                   "csrf_token": csrf_token(client)})


def audit_details(app, action: str) -> list[tuple[str | None, dict]]:
    with app.app_context():
        return [(entry.object_id, entry.detail) for entry in db.session().scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def test_a_reset_link_works_once_and_ends_other_sessions(app, client, demo, notify_server):
    email = demo.email("worker", demo.home)
    elsewhere = app.test_client()
    assert login(elsewhere, email).status_code == 302
    answer = ask_for_reset(client, email)
    assert answer.status_code == 302 and answer.headers["Location"] == "/password/forgot/sent"
    assert "If that address has an account" in client.get("/password/forgot/sent").get_data(as_text=True)
    [mail] = notify_server.wait_for(1)
    assert mail["email_address"] == email
    path = LINK_RE.search(mail["personalisation"]["body"]).group(0)
    form = client.get(path)
    assert form.status_code == 200 and email in form.get_data(as_text=True)
    done = choose(client, path)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert "Your password has been changed" in client.get("/login").get_data(as_text=True)
    assert elsewhere.get("/").status_code == 302, "the other session ended with the old password"
    for again in (client.get(path), choose(client, path, "yet another long password")):
        assert again.status_code == 404 and "This link does not work" in again.get_data(as_text=True)
    assert login(client, email).status_code == 401
    assert login(client, email, NEW_PASSWORD).status_code == 302
    [(_, changed)] = audit_details(app, "changed")
    assert changed == {"field": "password", "via": "reset", "sessions_ended": 1}


def test_an_unknown_address_gets_the_same_answer_and_no_email(app, client, demo, notify_server):
    answers = [ask_for_reset(app.test_client(), email) for email in ("nobody@nowhere.example",
                                                                    demo.email("manager", demo.home))]
    assert {(a.status_code, a.headers["Location"]) for a in answers} == {(302, "/password/forgot/sent")}
    notify_server.wait_for(1)  # the known address's; the unknown one was asked for first: none came before it
    sent = notify_server.wait_for(2, seconds=0.5)
    assert [mail["email_address"] for mail in sent] == [demo.email("manager", demo.home)]
    requested = audit_details(app, "requested")
    assert requested[0] == (None, {"reason": "no_account", "email": "nobody@nowhere.example"})
    assert requested[1][1] == {} and requested[1][0] is not None


def test_a_link_expires_and_a_newer_one_replaces_it(app, client, demo):
    email = demo.email("worker", demo.home)
    with app.app_context():
        s = db.session()
        user = s.scalar(select(User).where(User.email == email))
        first = links.issue(s, user, LinkPurpose.RESET)
        s.commit()
        second = links.issue(s, user, LinkPurpose.RESET)
        s.commit()
    assert client.get(f"/password/reset/{first}").status_code == 404
    assert client.get(f"/password/reset/{second}").status_code == 200
    with app.app_context():
        db.session().execute(update(OneTimeLink).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session().commit()
    assert client.get(f"/password/reset/{second}").status_code == 404
    assert client.get("/password/reset/not-a-token").status_code == 404
    assert client.get(f"/invitation/{second}").status_code == 404, "a reset link is not an invitation"


def test_reset_requests_are_limited_per_address_and_per_computer(app, demo, notify_server):
    limit = app.config["HEARTH_LOGIN_MAX_FAILURES"]
    email = demo.email("worker", demo.home)
    client = app.test_client()
    statuses = [ask_for_reset(client, email, environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code
                for i in range(limit + 1)]
    assert statuses == [302] * limit + [429], "the same address, from many computers"
    assert "Too many reset links" in ask_for_reset(client, email).get_data(as_text=True)
    statuses = [ask_for_reset(client, f"someone{i}@nowhere.example", environ_base={"REMOTE_ADDR": "10.1.1.1"})
                .status_code for i in range(limit + 1)]
    assert statuses == [302] * limit + [429], "many addresses, from one computer"
    assert len(notify_server.wait_for(limit, seconds=5)) == limit


def test_the_new_password_is_checked(app, client, demo):
    email = demo.email("worker", demo.home)
    with app.app_context():
        s = db.session()
        token = links.issue(s, s.scalar(select(User).where(User.email == email)), LinkPurpose.RESET)
        s.commit()
    path = f"/password/reset/{token}"
    for password, confirm, message in (("short", None, "12 characters or more"),
                                       (email.upper(), None, "must not be your email address"),
                                       (NEW_PASSWORD, "something else entirely", "do not match"),
                                       ("x" * 1025, None, "1,024 characters or fewer")):
        answer = choose(client, path, password, confirm)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 400 and "There is a problem" in page and message in page, message
    assert choose(client, path).status_code == 302, "the link still works after mistakes"


def test_an_invitation_sets_the_first_password(app, client, demo):
    with app.app_context():
        s = db.session()
        invited = User(email="new.worker@council.example", name="New Worker", role=Role.WORKER,
                       council_id=demo.home, password_hash="")
        s.add(invited)
        s.flush()
        token = links.issue(s, invited, LinkPurpose.INVITE)
        s.commit()
    assert login(client, "new.worker@council.example", "").status_code == 400  # no password yet
    assert client.get(f"/password/reset/{token}").status_code == 404, "an invitation is not a reset link"
    page = client.get(f"/invitation/{token}").get_data(as_text=True)
    assert "Choose your password" in page and "new.worker@council.example" in page
    assert choose(client, f"/invitation/{token}").headers["Location"] == "/login"
    assert "Your password is saved" in client.get("/login").get_data(as_text=True)
    assert login(client, "new.worker@council.example", NEW_PASSWORD).status_code == 302
    assert app.test_client().get(f"/invitation/{token}").status_code == 404
    assert audit_details(app, "changed")[0][1]["via"] == "invitation"


def test_changing_the_password_on_the_account_page_ends_the_other_sessions(app, client, demo):
    email = demo.email("manager", demo.home)
    elsewhere = app.test_client()
    login(elsewhere, email)
    login(client, email)
    page = client.get("/account").get_data(as_text=True)
    assert email in page and "Manager" in page and "Change your password" in page
    assert 'href="/account/tokens"' in page, "the account page leads to the user's API tokens"
    token = csrf_token(client, "/account")
    wrong = client.post("/account/password", data={"current": "not it", "password": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD, "csrf_token": token})
    assert wrong.status_code == 200 and "Enter your current password" in wrong.get_data(as_text=True)
    done = client.post("/account/password", data={"current": "hearth-demo", "password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD, "csrf_token": token})
    assert done.headers["Location"] == "/account"
    assert client.get("/").status_code == 200 and elsewhere.get("/").status_code == 302
    assert audit_details(app, "changed")[-1][1] == {"field": "password", "via": "account", "sessions_ended": 1}
