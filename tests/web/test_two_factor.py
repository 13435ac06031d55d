"""Two-factor sign-in (hearth.web.two_factor, hearth.web.views.second_factor): asked of the
roles each council's council.yaml names (and the service admin, and anyone who set it up);
set up on a first sign-in with recovery codes shown once; a code is never accepted twice; a
recovery code works once; wrong codes count against the sign-in limit; every step audited.
These post to /login themselves: the sign-in steps are what is tested."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select, update

from hearth.engine import api
from hearth.web import db
from hearth.web.models import AuditEntry, RecoveryCode, User

from councils import generic_councils
from web_support import csrf_token, fresh_code, login, make_app

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

PASSWORD = "hearth-demo"
CODES_RE = re.compile(r"<code>([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})</code>")
SECRET_RE = re.compile(r'id="two-factor-secret"[^>]*>([A-Z2-7 ]+)<')


def password_step(client, email: str, password: str = PASSWORD, query: str = ""):
    return client.post(f"/login{query}", data={"email": email, "password": password, "csrf_token": csrf_token(client)})


def code_step(client, code: str):
    return client.post("/login/code", data={"code": code, "csrf_token": csrf_token(client, "/login/code")})


def audit_details(app, action: str) -> list[dict]:
    with app.app_context():
        return [entry.detail for entry in db.session().scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def user_row(app, email: str) -> User:
    with app.app_context():
        return db.session().scalar(select(User).where(User.email == email))


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_who_is_asked_follows_each_councils_setting(app, client, demo):
    """Managers are asked where council.yaml lists them (the fixture council every_construct
    does) and not elsewhere; policy officers by default; workers nowhere; the service admin always."""
    settings = {council: api.get_council(council).settings.sign_in.two_factor for council in generic_councils()}
    with_managers = [c for c, roles in settings.items() if "manager" in roles]
    without = [c for c, roles in settings.items() if "manager" not in roles]
    assert with_managers and without, settings
    expected = {demo.email("manager", with_managers[0]): True, demo.email("manager", without[0]): False,
                demo.email("policy_officer", without[0]): "policy_officer" in settings[without[0]],
                demo.email("worker", with_managers[0]): False, demo.email("admin"): True}
    for email, asked in expected.items():
        client = app.test_client()
        answer = password_step(client, email)
        assert answer.status_code == 302, email
        assert answer.headers["Location"].startswith("/login/code") == asked, (email, answer.headers["Location"])
        # Half-way is not signed in: no page opens until the code is given.
        assert signed_in(client) is not asked, email


def test_a_code_signs_in_once_and_never_again_and_next_is_kept(app, client, demo):
    email = demo.email("policy_officer", demo.home)
    case = demo.cases[demo.home][0]
    assert password_step(client, email, query=f"?next=/cases/{case.id}").headers["Location"] == "/login/code"
    code = fresh_code(app, email)
    answer = code_step(client, code)
    assert answer.status_code == 302 and answer.headers["Location"] == f"/cases/{case.id}"
    assert signed_in(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    password_step(client, email)
    replayed = code_step(client, code)  # the same code, seconds later: refused (RFC 6238 5.2)
    assert replayed.status_code == 401 and not signed_in(client)
    assert "each code works once" in replayed.get_data(as_text=True)
    assert audit_details(app, "login")[-1] == {"two_factor": "app"}
    assert audit_details(app, "login_failed")[-1] == {"reason": "bad_code"}


def test_wrong_codes_count_against_the_sign_in_limit(app, client, demo):
    email = demo.email("policy_officer", demo.home)
    limit = app.config["HEARTH_LOGIN_MAX_FAILURES"]
    password_step(client, email)  # the password took one turn
    statuses = [code_step(client, "000000").status_code for _ in range(limit - 1)]
    statuses.append(code_step(client, fresh_code(app, email)).status_code)  # right, but too late
    assert statuses == [401] * (limit - 1) + [429], statuses
    assert not signed_in(client)
    assert [d["reason"] for d in audit_details(app, "login_failed")] == ["bad_code"] * (limit - 1) + ["rate_limited"]


def test_half_way_lasts_five_minutes(app, client, demo):
    email = demo.email("policy_officer", demo.home)
    password_step(client, email)
    token = csrf_token(client, "/login/code")
    with client.session_transaction() as session:
        state = session["two_factor_pending"]
        session["two_factor_pending"] = {**state, "at": state["at"] - 301}
    answer = client.post("/login/code", data={"code": fresh_code(app, email), "csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"
    assert "within 5 minutes" in client.get("/login").get_data(as_text=True)
    assert not signed_in(client)
    assert audit_details(app, "login_failed") == [{"reason": "too_late"}]


def test_first_sign_in_sets_it_up_and_a_recovery_code_works_once(app, client, demo):
    email = demo.email("policy_officer", demo.home)
    with app.app_context():
        db.session().execute(update(User).where(User.email == email)
                             .values(totp_secret=None, two_factor_since=None, totp_last_step=None))
        db.session().commit()
    assert password_step(client, email).headers["Location"] == "/login/two-factor/setup"
    assert client.get("/login/code").headers["Location"] == "/login/two-factor/setup"
    page = client.get("/login/two-factor/setup").get_data(as_text=True)
    assert '<svg role="img"' in page and "data:" not in page  # inline SVG: the CSP has no data: images
    secret = SECRET_RE.search(page).group(1).replace(" ", "")
    assert secret == SECRET_RE.search(client.get("/login/two-factor/setup").get_data(as_text=True)).group(1) \
        .replace(" ", ""), "a reload shows the key the app already has"
    setup = {"csrf_token": csrf_token(client, "/login/two-factor/setup")}
    wrong = client.post("/login/two-factor/setup", data={**setup, "code": "123456"})
    assert wrong.status_code == 401 and not signed_in(client)
    done = client.post("/login/two-factor/setup", data={**setup, "code": pyotp.TOTP(secret).now()})
    assert done.headers["Location"] == "/account/recovery-codes"
    codes = CODES_RE.findall(client.get("/account/recovery-codes").get_data(as_text=True))
    assert len(codes) == 10 == len(set(codes))
    assert client.get("/account/recovery-codes").headers["Location"] == "/account", "shown once"
    row = user_row(app, email)
    assert row.totp_secret == secret and row.two_factor_since is not None
    with app.app_context():
        kept = list(db.session().scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == row.id)))
    assert len(kept) == 10 and not set(kept) & ({c.replace("-", "") for c in codes} | set(codes))

    for attempt, expected in ((codes[3].lower().replace("-", " "), 302), (codes[3], 401)):
        client = app.test_client()
        password_step(client, email)
        assert code_step(client, attempt).status_code == expected
    assert audit_details(app, "login")[-1] == {"two_factor": "recovery_code", "recovery_codes_left": 9}
    assert audit_details(app, "login_failed")[-1] == {"reason": "bad_recovery_code"}
    assert {"two_factor": "set_up"} in audit_details(app, "changed")


def test_set_up_again_and_new_recovery_codes_from_the_account_page(app, client, demo):
    email = demo.email("policy_officer", demo.home)
    assert login(client, email).status_code == 302
    account = client.get("/account").get_data(as_text=True)
    assert "Set up again" in account and "New recovery codes" in account and email in account
    old_secret = user_row(app, email).totp_secret
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = SECRET_RE.search(page).group(1).replace(" ", "")
    token = csrf_token(client, "/account/two-factor")
    next_step_code = pyotp.TOTP(secret).at(time.time() + 30)  # within the window, after the sign-in's step
    refused = client.post("/account/two-factor", data={"csrf_token": token, "code": next_step_code,
                                                       "password": "not my password"})
    assert refused.status_code == 200 and user_row(app, email).totp_secret == old_secret
    done = client.post("/account/two-factor", data={"csrf_token": token, "code": next_step_code, "password": PASSWORD})
    assert done.headers["Location"] == "/account/recovery-codes"
    first = CODES_RE.findall(client.get("/account/recovery-codes").get_data(as_text=True))
    assert user_row(app, email).totp_secret == secret != old_secret
    new_codes = "/account/recovery-codes/new"
    again = client.post(new_codes, data={"csrf_token": csrf_token(client, new_codes), "password": PASSWORD})
    assert again.headers["Location"] == "/account/recovery-codes"
    second = CODES_RE.findall(client.get("/account/recovery-codes").get_data(as_text=True))
    assert len(second) == 10 and not set(first) & set(second)
    client = app.test_client()
    password_step(client, email)
    assert code_step(client, first[0]).status_code == 401, "the earlier codes stopped working"
    assert code_step(client, second[0]).status_code == 302


def test_the_demo_hint_shows_only_on_a_development_server(app, client, demo, database_url):
    email = demo.email("policy_officer", demo.home)
    password_step(client, email)
    assert "Demo only" not in client.get("/login/code").get_data(as_text=True)
    development = make_app(database_url, HEARTH_ENV="development").test_client()
    password_step(development, email)
    page = development.get("/login/code").get_data(as_text=True)
    assert "Demo only" in page
    shown = re.search(r'class="hearth-demo-code">(\d{6})<', page).group(1)
    assert code_step(development, shown).status_code == 302
