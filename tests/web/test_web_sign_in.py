"""Signing in and out, wrong passwords, the rate limit and session expiry."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from hearth.web import db
from hearth.web.models import LoginSession, User

from web_support import csrf_token, login


def _session_cookie(client):
    return client.get_cookie("hearth_session")


def test_sign_in_and_out(client, demo):
    r = login(client, demo.email("worker", demo.home))
    assert r.status_code == 302 and r.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert demo.email("worker", demo.home) in page
    token = csrf_token(client, "/")
    r = client.post("/logout", data={"csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert client.get("/").status_code == 302


def test_signed_out_cookie_cannot_be_replayed(client, demo):
    login(client, demo.email("manager", demo.home))
    stolen = _session_cookie(client).value
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    client.set_cookie("hearth_session", stolen)
    assert client.get("/").status_code == 302


def test_cookie_flags(client, demo):
    r = login(client, demo.email("worker", demo.home))
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.application.config["SESSION_COOKIE_SECURE"] is False  # testing speaks http


def test_secure_cookie_in_production(database_url, monkeypatch):
    from web_support import make_app
    app = make_app(database_url, HEARTH_ENV="production", SECRET_KEY="x" * 40)
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_wrong_password_is_refused_with_one_message(client, demo):
    r = login(client, demo.email("worker", demo.home), "wrong password")
    page = r.get_data(as_text=True)
    assert r.status_code == 401
    assert "There is a problem" in page and "Enter a correct email address and password" in page
    r2 = login(client, "nobody@nowhere.example", "wrong password")
    assert "Enter a correct email address and password" in r2.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_empty_form_shows_error_summary(client, demo):
    r = client.post("/login", data={"csrf_token": csrf_token(client)})
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Enter your email address" in page and 'href="#email"' in page
    assert "<title>Error: Sign in" in page


def test_inactive_user_cannot_sign_in(app, client, demo):
    with app.app_context():
        db.session().execute(update(User).values(active=False).where(User.email == demo.email("worker", demo.home)))
        db.session().commit()
    assert login(client, demo.email("worker", demo.home)).status_code == 401


def test_rate_limit_per_email_and_address(app, client, demo):
    email = demo.email("worker", demo.home)
    for _ in range(app.config["HEARTH_LOGIN_MAX_FAILURES"]):
        assert login(client, email, "wrong").status_code == 401
    r = login(client, email)  # right password, but locked
    assert r.status_code == 429
    assert "Too many failed attempts" in r.get_data(as_text=True)
    assert client.get("/").status_code == 302
    # Someone else's address is not locked out by the attacker.
    other = app.test_client()
    r = login(other, email, environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert r.status_code == 302


def test_lock_ends_after_the_window(app, client, demo):
    from hearth.web.models import LoginThrottle
    email = demo.email("worker", demo.home)
    for _ in range(app.config["HEARTH_LOGIN_MAX_FAILURES"]):
        login(client, email, "wrong")
    with app.app_context():
        s = db.session()
        from hearth.web.models import utcnow
        long_ago = utcnow() - app.config["HEARTH_LOGIN_WINDOW"] - timedelta(seconds=1)
        s.execute(update(LoginThrottle).values(window_started_at=long_ago))
        s.commit()
    assert login(client, email).status_code == 302


def _age_session(app, **fields):
    with app.app_context():
        s = db.session()
        row = s.scalars(select(LoginSession).where(LoginSession.ended_at.is_(None))).one()
        for name, delta in fields.items():
            setattr(row, name, getattr(row, name) - delta)
        s.commit()


def test_idle_session_expires(app, client, demo):
    login(client, demo.email("worker", demo.home))
    _age_session(app, last_seen_at=app.config["HEARTH_SESSION_IDLE"] + timedelta(seconds=1))
    r = client.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert "You have been signed out" in client.get(r.headers["Location"]).get_data(as_text=True)


def test_session_expires_after_absolute_limit_even_if_active(app, client, demo):
    login(client, demo.email("worker", demo.home))
    _age_session(app, created_at=app.config["HEARTH_SESSION_ABSOLUTE"] + timedelta(seconds=1))
    assert client.get("/").status_code == 302


def test_active_session_is_kept(app, client, demo):
    login(client, demo.email("worker", demo.home))
    _age_session(app, last_seen_at=app.config["HEARTH_SESSION_IDLE"] - timedelta(minutes=1))
    assert client.get("/").status_code == 200


def test_next_only_goes_to_this_site(client, demo):
    token = csrf_token(client)
    data = {"email": demo.email("worker", demo.home), "password": "hearth-demo", "csrf_token": token}
    r = client.post("/login?next=//evil.example/", data=data)
    assert r.headers["Location"] == "/"


def test_next_returns_to_the_page_asked_for(client, demo):
    case = demo.cases[demo.home][0]
    r = client.get(f"/cases/{case.id}")
    assert r.status_code == 302
    login_url = r.headers["Location"]
    token = csrf_token(client)
    r = client.post(login_url, data={"email": demo.email("worker", demo.home), "password": "hearth-demo",
                                     "csrf_token": token})
    assert r.headers["Location"].startswith(f"/cases/{case.id}")
