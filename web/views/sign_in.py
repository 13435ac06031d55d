"""Sign in and sign out, with rate limiting and audit of every attempt."""
from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import InputRequired, Length

from .. import db, throttle, two_factor
from ..audit import audit, client_ip
from ..auth import current_user, end_session, login_required, start_session
from ..models import AuditAction, User, utcnow
from ..passwords import hash_password, needs_rehash, verify_password
from ..validators import PlainText

bp = Blueprint("auth", __name__)


class SignInForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(),
                       validators=[InputRequired("Enter your email address"),
                                   Length(max=254, message="Email address must be 254 characters or fewer"),
                                   PlainText()])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[InputRequired("Enter your password"),
                                         Length(max=1024, message="Password must be 1,024 characters or fewer"),
                                         PlainText()])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


# The longest `next` followed; a longer one is not a link anyone was sent by this site.
MAX_NEXT_LENGTH = 2000


def _unsafe_character(text: str) -> bool:
    r"""Backslashes, whitespace and control or format characters: browsers drop tabs and
    newlines from URLs (so ``/\t/evil.example`` becomes ``//evil.example``), read ``\``
    as ``/``, and a CR or LF cannot go in a Location header at all."""
    return any(ch == "\\" or ch.isspace() or unicodedata.category(ch).startswith("C") for ch in text)


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so a sign-in link cannot send someone elsewhere.

    Checked as written and fully percent-decoded (in case something on the way decodes
    it again): a path starting with one ``/`` and no scheme, host, backslash,
    whitespace or control character anywhere; anything else goes to the dashboard."""
    fallback = url_for("dashboard.index")
    if not target or len(target) > MAX_NEXT_LENGTH:
        return fallback
    decoded = target
    for _ in range(3):  # %252F -> %2F -> /
        decoded = unquote(decoded)
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/") or decoded.startswith("//")
            or _unsafe_character(target) or _unsafe_character(decoded)):
        return fallback
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user() is not None:
        return redirect(url_for("dashboard.index"))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        ip = client_ip() or "unknown"
        s = db.session()
        if not throttle.take_attempt(email, ip):
            audit(AuditAction.LOGIN_FAILED, "user", None, {"email": email, "reason": "rate_limited"})
            form.email.errors.append("Too many failed attempts. Wait 15 minutes, then try again")
            return render_template("sign_in.html", form=form), 429
        user = s.scalar(select(User).where(func.lower(User.email) == email))
        if verify_password(user.password_hash if user else None, form.password.data) and user.active:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            target = _safe_next(request.args.get("next"))
            if two_factor.required(user):
                # Not signed in yet, and the attempts are not cleared: the code is the rest
                # of this sign-in, and wrong codes count against the same limit.
                s.commit()
                two_factor.begin_pending(user, target)
                return redirect(url_for("two_factor.code" if two_factor.is_set_up(user) else "two_factor.setup"))
            complete_sign_in(user)
            return redirect(target)
        audit(AuditAction.LOGIN_FAILED, "user", user.id if user else None,
              {"email": email, "reason": "bad_credentials"},
              council_id=user.council_id if user else None)
        # One message for every failure, so it does not reveal which emails have accounts.
        form.email.errors.append("Enter a correct email address and password")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("sign_in.html", form=form), status


def complete_sign_in(user: User, detail: dict | None = None) -> None:
    """The password (and, when asked for, the second factor) was right: the user's sign-in
    attempts are forgotten and their login session starts, audited."""
    throttle.clear(user.email.lower(), client_ip() or "unknown")
    user.last_sign_in_at = utcnow()
    start_session(user)
    audit(AuditAction.LOGIN, "user", user.id, detail, user=user)


@bp.post("/logout")
@login_required
def logout():
    audit(AuditAction.LOGOUT, "user", current_user().id, commit=False)
    end_session()
    db.session().commit()
    flash("You have signed out", "success")
    return redirect(url_for("auth.login"))
