"""The second step of signing in (a code from the authenticator app, or a recovery code),
setting two-factor up on a first sign-in, and, for someone signed in, setting it up again
or making new recovery codes. The logic is hearth.web.two_factor's; these are its pages.

Every attempt counts against the sign-in limit of hearth.web.throttle (the same count the
password used), and every success, failure and recovery code used is audited.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from .. import db, throttle, two_factor
from ..audit import audit, client_ip
from ..auth import current_user, login_required
from ..models import AuditAction, User
from ..passwords import verify_password
from ..validators import PlainText
from .sign_in import complete_sign_in

bp = Blueprint("two_factor", __name__)

# A demo log-in's address ends so (hearth.web.seed): only those get the development hint.
DEMO_SUFFIX = ".demo"
TOO_MANY = "Too many failed attempts. Wait 15 minutes, then try again"


class CodeForm(FlaskForm):
    code = StringField("Code", widget=GovTextInput(),
                       description="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
                       validators=[InputRequired("Enter the code from your authenticator app"),
                                   Length(max=40, message="Code must be 40 characters or fewer"), PlainText()])
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SetupForm(FlaskForm):
    code = StringField("Code from the app", widget=GovTextInput(),
                       description="The 6-digit code the app shows once it has the key.",
                       validators=[InputRequired("Enter the 6-digit code from your authenticator app"),
                                   Length(max=20, message="Code must be 20 characters or fewer"), PlainText()])
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class SetupAgainForm(SetupForm):
    password = PasswordField("Your password", widget=GovPasswordInput(),
                             validators=[InputRequired("Enter your password"),
                                         Length(max=1024, message="Password must be 1,024 characters or fewer"),
                                         PlainText()])


class NewCodesForm(FlaskForm):
    password = PasswordField("Your password", widget=GovPasswordInput(),
                             validators=[InputRequired("Enter your password"),
                                         Length(max=1024, message="Password must be 1,024 characters or fewer"),
                                         PlainText()])
    submit = SubmitField("Make new recovery codes", widget=GovSubmitInput())


def _attempt_allowed(user: User) -> bool:
    return throttle.take_attempt(user.email.lower(), client_ip() or "unknown")


def _demo_hint(user: User) -> str | None:
    """The current code, for a demo log-in on a development server only (`make run`)."""
    if current_app.config["HEARTH_ENV"] == "development" and user.email.endswith(DEMO_SUFFIX) and user.totp_secret:
        return two_factor.current_code(user.totp_secret)
    return None


def _start_again():
    """The half-way state is missing or too old: back to the password."""
    user_id = two_factor.drop_expired_pending()
    if user_id is not None:
        flash("Sign in again: the code must be entered within 5 minutes of the password.")
        if request.method == "POST":
            audit(AuditAction.LOGIN_FAILED, "user", user_id, {"reason": "too_late"})
    return redirect(url_for("auth.login"))


@bp.route("/login/code", methods=["GET", "POST"])
def code():
    s = db.session()
    half_way = two_factor.pending(s)
    if half_way is None:
        return _start_again()
    user = half_way.user
    if not two_factor.is_set_up(user):
        return redirect(url_for("two_factor.setup"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        if not _attempt_allowed(user):
            audit(AuditAction.LOGIN_FAILED, "user", user.id, {"reason": "rate_limited", "step": "code"},
                  council_id=user.council_id)
            form.code.errors.append(TOO_MANY)
            return render_template("account/code.html", form=form, demo_code=_demo_hint(user)), 429
        typed = form.code.data
        if two_factor.looks_like_app_code(typed):
            used, detail = two_factor.check_code(s, user, typed), {"two_factor": "app"}
        else:
            used, detail = two_factor.use_recovery_code(s, user, typed), {"two_factor": "recovery_code"}
        if used:
            if detail["two_factor"] == "recovery_code":
                detail["recovery_codes_left"] = two_factor.recovery_codes_left(s, user)
            complete_sign_in(user, detail)
            return redirect(half_way.next)
        s.rollback()
        audit(AuditAction.LOGIN_FAILED, "user", user.id,
              {"reason": "bad_code" if detail["two_factor"] == "app" else "bad_recovery_code"},
              council_id=user.council_id)
        form.code.errors.append("Enter the code your app shows now (each code works once), or an unused recovery code")
        status = 401
    elif form.is_submitted():
        status = 400
    return render_template("account/code.html", form=form, demo_code=_demo_hint(user)), status


def _setup_page(form, user: User, secret: str, template: str, status: int):
    uri = two_factor.provisioning_uri(user, secret)
    return render_template(template, form=form, qr_code=two_factor.qr_code_svg(uri),
                           secret=two_factor.grouped(secret)), status


@bp.route("/login/two-factor/setup", methods=["GET", "POST"])
def setup():
    """A first sign-in of someone who must use two-factor: set it up before going on."""
    s = db.session()
    half_way = two_factor.pending(s)
    if half_way is None:
        return _start_again()
    user = half_way.user
    if two_factor.is_set_up(user):
        return redirect(url_for("two_factor.code"))
    secret = two_factor.setup_secret(user)
    form = SetupForm()
    status = 200
    if form.validate_on_submit():
        if not _attempt_allowed(user):
            audit(AuditAction.LOGIN_FAILED, "user", user.id, {"reason": "rate_limited", "step": "setup"},
                  council_id=user.council_id)
            form.code.errors.append(TOO_MANY)
            return _setup_page(form, user, secret, "account/setup.html", 429)
        codes = two_factor.confirm_setup(s, user, secret, form.code.data)
        if codes is not None:
            audit(AuditAction.CHANGED, "user", user.id, {"two_factor": "set_up"}, user=user, commit=False)
            complete_sign_in(user, {"two_factor": "set_up"})
            two_factor.show_codes_once(codes, half_way.next)
            return redirect(url_for("two_factor.recovery_codes"))
        audit(AuditAction.LOGIN_FAILED, "user", user.id, {"reason": "bad_code", "step": "setup"},
              council_id=user.council_id)
        form.code.errors.append("Enter the 6-digit code the app shows now")
        status = 401
    elif form.is_submitted():
        status = 400
    return _setup_page(form, user, secret, "account/setup.html", status)


@bp.get("/account/recovery-codes")
@login_required
def recovery_codes():
    """New recovery codes, shown this once (only their hashes are kept)."""
    shown = two_factor.take_codes_to_show()
    if shown is None:
        flash("Recovery codes are shown only once. If you did not keep them, make new ones.")
        return redirect(url_for("account.show"))
    codes, then = shown
    return render_template("account/recovery_codes.html", codes=codes, then=then)


def _password_right(user: User, password: str, form_field) -> bool | None:
    """The signed-in user's password, checked against the sign-in limit: True, False (the
    field says why), or None when the limit is reached."""
    if not _attempt_allowed(user):
        refused_detail = {"reason": "rate_limited", "step": "password_check"}
        audit(AuditAction.LOGIN_FAILED, "user", user.id, refused_detail)
        form_field.errors.append(TOO_MANY)
        return None
    if verify_password(user.password_hash or None, password):
        throttle.clear(user.email.lower(), client_ip() or "unknown")
        return True
    audit(AuditAction.LOGIN_FAILED, "user", user.id, {"reason": "bad_credentials", "step": "password_check"})
    form_field.errors.append("Enter your current password")
    return False


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def set_up_again():
    """Set two-factor up (again) from the account page: a new key in a new app. The old key
    and recovery codes stop working once the new code is confirmed."""
    user = current_user()
    s = db.session()
    secret = two_factor.setup_secret(user)
    form = SetupAgainForm()
    status = 200
    if form.validate_on_submit():
        right = _password_right(user, form.password.data, form.password)
        if right:
            codes = two_factor.confirm_setup(s, user, secret, form.code.data)
            if codes is not None:
                audit(AuditAction.CHANGED, "user", user.id, {"two_factor": "set_up_again"})
                two_factor.forget_setup_secret()
                two_factor.show_codes_once(codes, url_for("account.show"))
                return redirect(url_for("two_factor.recovery_codes"))
            audit(AuditAction.LOGIN_FAILED, "user", user.id, {"reason": "bad_code", "step": "setup"})
            form.code.errors.append("Enter the 6-digit code the app shows now")
        status = 429 if right is None else 200
    return _setup_page(form, user, secret, "account/setup_again.html", status)


@bp.route("/account/recovery-codes/new", methods=["GET", "POST"])
@login_required
def new_codes():
    """Ten new recovery codes (the old ones stop working), after the password again."""
    user = current_user()
    if not two_factor.is_set_up(user):
        return redirect(url_for("two_factor.set_up_again"))
    form = NewCodesForm()
    status = 200
    if form.validate_on_submit():
        right = _password_right(user, form.password.data, form.password)
        if right:
            codes = two_factor.new_recovery_codes(db.session(), user)
            audit(AuditAction.CHANGED, "user", user.id, {"two_factor": "new_recovery_codes"})
            two_factor.show_codes_once(codes, url_for("account.show"))
            return redirect(url_for("two_factor.recovery_codes"))
        status = 429 if right is None else 200
    return render_template("account/new_codes.html", form=form), status
