"""Choosing passwords and two-factor in Chromium, axe on every page: a password reset asked
for on the sign-in page arrives by email (the outbox: no Notify key here) and works once,
its link never again; an invited worker sets a password and signs in; an administrator sets
two-factor up on their first sign-in, keeps the recovery codes, then signs in with a code."""
from __future__ import annotations

import json
import re
import time

import pyotp
import pytest
from sqlalchemy import select, update

from hearth.web import db, links, notify
from hearth.web.config import instance_dir
from hearth.web.models import LinkPurpose, Role, User

from web_support import fresh_code

from .accessibility import check_accessibility
from .conftest import councils, email, sign_in

NEW_PASSWORD = "correct horse battery staple"
LINK_RE = re.compile(r"/password/reset/[A-Za-z0-9_-]{43}")


@pytest.fixture
def fresh(live):
    """These tests change passwords and two-factor: the demo seed before and after."""
    live.reseed()
    yield live
    live.reseed()


def emailed_reset_link(to: str, after: float) -> str:
    """The reset link in the newest outbox message to `to` written after `after`."""
    outbox = instance_dir() / notify.OUTBOX
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for path in sorted(outbox.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True) \
                if outbox.is_dir() else []:
            message = json.loads(path.read_text(encoding="utf-8"))
            if path.stat().st_mtime >= after and message["to"] == to:
                return LINK_RE.search(message["personalisation"]["body"]).group(0)
        time.sleep(0.1)
    raise AssertionError(f"no reset email to {to} in {outbox}")


def test_a_password_reset_works_once(page, fresh):
    worker = email("worker", councils()[0])
    asked_at = time.time() - 1
    page.goto("/login")
    page.click("a:text-is('Forgotten your password?')")
    check_accessibility(page, "reset your password")
    page.fill("#email", worker)
    page.click("button:text-is('Send the link')")
    page.wait_for_url("**/password/forgot/sent")
    check_accessibility(page, "check your email")
    link = emailed_reset_link(worker, asked_at)
    page.goto(link)
    check_accessibility(page, "choose a new password")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.click("button:text-is('Save the password')")
    page.wait_for_url("**/login")
    assert "Your password has been changed" in page.inner_text("main")
    check_accessibility(page, "sign-in after a reset")
    sign_in(page, worker, NEW_PASSWORD)
    page.goto("about:blank")
    page.context.clear_cookies()
    answer = page.goto(link)
    assert answer.status == 404 and "This link does not work" in page.inner_text("main")
    check_accessibility(page, "a used link")
    assert all("status of 404" in problem for problem in page.problems), page.problems


def test_an_invited_worker_signs_in_and_an_admin_sets_up_two_factor(page, fresh):
    council = councils()[0]
    with fresh.app.app_context():
        s = db.session()
        invited = User(email="invited.worker@council.example", name="Invited Worker", role=Role.WORKER,
                       council_id=council, password_hash="")
        s.add(invited)
        s.flush()
        token = links.issue(s, invited, LinkPurpose.INVITE)
        admin = email("admin")
        s.execute(update(User).where(User.email == admin).values(totp_secret=None, two_factor_since=None))
        s.commit()
    page.goto(f"/invitation/{token}")
    check_accessibility(page, "accept an invitation")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.click("button:text-is('Save the password')")
    page.wait_for_url("**/login")
    sign_in(page, "invited.worker@council.example", NEW_PASSWORD)
    assert "Signed in as invited.worker@council.example" in page.inner_text("body")

    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto("/login")
    page.fill("#email", admin)
    page.fill("#password", "hearth-demo")
    page.click("button:text-is('Sign in')")
    page.wait_for_url("**/login/two-factor/setup")
    assert page.locator("svg[role=img]").count() == 1, "the QR code, inline"
    check_accessibility(page, "set up two-factor")
    secret = page.inner_text("#two-factor-secret").replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("button:text-is('Confirm')")
    page.wait_for_url("**/account/recovery-codes")
    assert page.locator(".hearth-recovery-codes li").count() == 10
    check_accessibility(page, "recovery codes")
    page.click("a:text-is('Continue')")
    page.wait_for_url(f"{fresh.url}/")
    page.goto("/account")
    assert "Set up again" in page.inner_text("main")
    check_accessibility(page, "your account")
    with fresh.app.app_context():
        assert db.session().scalar(select(User.totp_secret).where(User.email == admin)) == secret

    page.click("button:text-is('Sign out')")
    page.fill("#email", admin)
    page.fill("#password", "hearth-demo")
    page.click("button:text-is('Sign in')")
    page.wait_for_url("**/login/code")
    check_accessibility(page, "enter the code")
    page.fill("#code", fresh_code(fresh.app, admin))
    page.click("button:text-is('Continue')")
    page.wait_for_url(f"{fresh.url}/")
    assert not page.problems, page.problems
