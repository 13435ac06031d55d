"""A person's own account: choosing a password from an emailed link (a password reset, or
an invitation to a new account), changing it, and the account page.

A reset never says whether an address has an account: every request gets the same answer
after the same work, and requests are limited per address asked about and per computer
asking (counted in the database, hearth.web.throttle, so the limit holds across workers).
A link works once (hearth.web.links), marked used in the same commit as the new password,
and a new password ends every other login session of its user.
"""
from __future__ import annotations

import hashlib
import secrets

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from sqlalchemy import func, select, update
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from .. import account_emails, db, links, throttle, two_factor
from ..audit import audit, client_ip
from ..auth import current_user, login_required, token_hash
from ..councils import current_council
from ..models import AuditAction, LinkPurpose, LoginSession, User, utcnow
from ..passwords import hash_password, verify_password
from ..validators import PlainText

bp = Blueprint("account", __name__)

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
ROLE_NAMES = {"worker": "Social worker", "manager": "Manager", "policy_officer": "Policy officer",
              "admin": "Administrator"}
# The endpoint of the API tokens page (hearth.web.views' tokens blueprint), linked when present.
TOKENS_ENDPOINT = "api_tokens.mine"
# The throttle's rows for reset requests: one per address asked about, one per computer asking.
RESET_BY_ADDRESS = "reset:"
RESET_FROM = "reset-from"
ANY_COMPUTER = "*"


def _new_password_fields(label: str):
    password = PasswordField(label, widget=GovPasswordInput(),
                             description=f"At least {MIN_PASSWORD} characters. A few unrelated words together "
                                         f"make a strong password that is easy to remember.",
                             validators=[InputRequired(f"Enter a {label.lower()}"),
                                         Length(min=MIN_PASSWORD,
                                                message=f"Password must be {MIN_PASSWORD} characters or more"),
                                         Length(max=MAX_PASSWORD, message="Password must be 1,024 characters or fewer"),
                                         PlainText()])
    confirm = PasswordField("Confirm the password", widget=GovPasswordInput(),
                            validators=[InputRequired("Type the password again"),
                                        Length(max=MAX_PASSWORD, message="Password must be 1,024 characters or fewer"),
                                        EqualTo("password", "The passwords do not match: type the same one twice")])
    return password, confirm


class ForgotForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(),
                       validators=[InputRequired("Enter your email address"),
                                   Length(max=254, message="Email address must be 254 characters or fewer"),
                                   PlainText()])
    submit = SubmitField("Send the link", widget=GovSubmitInput())


class ChoosePasswordForm(FlaskForm):
    password, confirm = _new_password_fields("New password")
    submit = SubmitField("Save the password", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", widget=GovPasswordInput(),
                            validators=[InputRequired("Enter your current password"),
                                        Length(max=MAX_PASSWORD, message="Password must be 1,024 characters or fewer"),
                                        PlainText()])
    password, confirm = _new_password_fields("New password")
    submit = SubmitField("Change the password", widget=GovSubmitInput())


def _not_the_email(form, user: User) -> bool:
    """A password that is the account's email address is refused (the first thing guessed)."""
    if form.password.data.strip().lower() == user.email.lower():
        form.password.errors.append("Password must not be your email address")
        return False
    return True


def set_password(user: User, password: str, keep: LoginSession | None = None) -> int:
    """The user's new password; every login session but ``keep`` ends (a password changed
    because it leaked must shut out whoever has it). Not committed. Returns sessions ended."""
    user.password_hash = hash_password(password)
    ended = db.session().execute(update(LoginSession)
                                 .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None),
                                        LoginSession.id != (keep.id if keep is not None else -1))
                                 .values(ended_at=utcnow()))
    return ended.rowcount


# ---------------------------------------------------------------- asking for a reset

def _can_reset(user: User | None) -> bool:
    """An account a reset link is sent for: active, in a council, signing in by password
    (single sign-on accounts reset at their provider; the service admin by `hearth` on the server)."""
    return user is not None and user.active and user.council_id is not None and user.sso_subject is None


def _address_key(email: str) -> str:
    return RESET_BY_ADDRESS + hashlib.sha256(email.encode()).hexdigest()[:40]


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    if current_user() is not None:
        return redirect(url_for("account.show"))
    form = ForgotForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        ip = client_ip() or "unknown"
        # Both limits are counted every time, whether or not the address has an account.
        by_address = throttle.take_attempt(_address_key(email), ANY_COMPUTER)
        from_here = throttle.take_attempt(RESET_FROM, ip)
        if not (by_address and from_here):
            audit(AuditAction.REQUESTED, "password_reset", None, {"reason": "rate_limited"})
            form.email.errors.append("Too many reset links have been asked for. Wait 15 minutes, then try again")
            return render_template("account/forgot.html", form=form), 429
        s = db.session()
        user = s.scalar(select(User).where(func.lower(User.email) == email))
        if _can_reset(user):
            token = links.issue(s, user, LinkPurpose.RESET)
            audit(AuditAction.REQUESTED, "password_reset", user.id, {}, user=user)
            account_emails.send_password_reset(user, token)
        else:
            # The same work as above (a token made and hashed, a row written), so the answer
            # takes about as long; the address is kept as a failed sign-in keeps it.
            token_hash(secrets.token_urlsafe(32))
            audit(AuditAction.REQUESTED, "password_reset", None, {"reason": "no_account", "email": email},
                  council_id=user.council_id if user else None)
        return redirect(url_for("account.reset_sent"))
    elif form.is_submitted():
        status = 400
    return render_template("account/forgot.html", form=form), status


@bp.get("/password/forgot/sent")
def reset_sent():
    return render_template("account/reset_sent.html")


# ---------------------------------------------------------------- choosing a password from a link

def _link_unusable(purpose: LinkPurpose):
    audit(AuditAction.REFUSED, "one_time_link", None, {"reason": "link_unusable", "purpose": purpose.value,
                                                       "status": 404})
    return render_template("account/link_unusable.html", purpose=purpose.value), 404


def _choose_password(token: str, purpose: LinkPurpose):
    if current_user() is not None:
        flash("You are signed in already. To choose a new password, use your account page.")
        return redirect(url_for("account.show"))
    s = db.session()
    link = links.find(s, token, purpose)
    if link is None:
        return _link_unusable(purpose)
    user = link.user
    form = ChoosePasswordForm()
    status = 200
    if form.validate_on_submit() and _not_the_email(form, user):
        if not links.redeem(s, link):  # another tab used it first
            s.rollback()
            return _link_unusable(purpose)
        ended = set_password(user, form.password.data)
        via = "invitation" if purpose == LinkPurpose.INVITE else "reset"
        audit(AuditAction.CHANGED, "user", user.id, {"field": "password", "via": via, "sessions_ended": ended},
              user=user)  # commits the password, the link used and this line together
        flash("Your password is saved. Sign in with it now." if purpose == LinkPurpose.INVITE
              else "Your password has been changed. Sign in with the new one.", "success")
        return redirect(url_for("auth.login"))
    if form.is_submitted():
        status = 400
    return render_template("account/choose_password.html", form=form, email=user.email,
                           invitation=purpose == LinkPurpose.INVITE), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _choose_password(token, LinkPurpose.RESET)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _choose_password(token, LinkPurpose.INVITE)


# ---------------------------------------------------------------- the account page

def _tokens_url() -> str | None:
    return url_for(TOKENS_ENDPOINT) if TOKENS_ENDPOINT in current_app.view_functions else None


def _account_page(form: ChangePasswordForm, status: int = 200):
    user = current_user()
    council = current_council()
    return render_template("account/show.html", form=form, user=user, role_name=ROLE_NAMES.get(user.role, user.role),
                           council_name=council.name if council else "Every council (service administrator)",
                           two_factor_on=two_factor.is_set_up(user), two_factor_needed=two_factor.required(user),
                           codes_left=two_factor.recovery_codes_left(db.session(), user),
                           has_password=bool(user.password_hash), tokens_url=_tokens_url()), status


@bp.get("/account")
@login_required
def show():
    return _account_page(ChangePasswordForm())


@bp.post("/account/password")
@login_required
def change_password():
    user = current_user()
    form = ChangePasswordForm()
    if not (form.validate_on_submit() and _not_the_email(form, user)):
        return _account_page(form)
    ip = client_ip() or "unknown"
    if not throttle.take_attempt(user.email.lower(), ip):
        audit(AuditAction.LOGIN_FAILED, "user", user.id, {"reason": "rate_limited", "step": "password_change"})
        form.current.errors.append("Too many failed attempts. Wait 15 minutes, then try again")
        return _account_page(form, 429)
    if not verify_password(user.password_hash or None, form.current.data):
        audit(AuditAction.LOGIN_FAILED, "user", user.id, {"reason": "bad_credentials", "step": "password_change"})
        form.current.errors.append("Enter your current password")
        return _account_page(form)
    throttle.clear(user.email.lower(), ip)
    ended = set_password(user, form.password.data, keep=g.get("login_session"))
    audit(AuditAction.CHANGED, "user", user.id, {"field": "password", "via": "account", "sessions_ended": ended})
    flash("Your password has been changed. You have been signed out everywhere else.", "success")
    return redirect(url_for("account.show"))
