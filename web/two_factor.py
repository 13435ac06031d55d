"""Two-factor sign-in for local passwords: time-based codes (TOTP, RFC 6238) from an
authenticator app, and recovery codes for when the app is lost.

Who is asked: a user whose role their council's council.yaml lists under
``sign_in.two_factor`` (admins and policy officers unless it says otherwise), the
service-wide admin (no council) always, and anyone who has set it up. People who sign in by
their council's single sign-on rely on their provider's second factor and never come here.

A code is accepted within one 30-second step either side of now, and never twice: the step
of the last code accepted is kept (User.totp_last_step, RFC 6238 section 5.2) and moved on
with one conditional UPDATE, so two requests racing with one code cannot both win. Recovery
codes are 80 random bits each, shown once; only their SHA-256 is kept, and each works once
(also one conditional UPDATE).

Between the right password and the right code nobody is signed in: the Flask session holds
only who is half-way (their id, when, and where they were going) for five minutes.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import segno
from flask import session
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from hearth.engine import api
from hearth.engine.council_settings import DEFAULT_TWO_FACTOR_ROLES

from .evaluation import today
from .models import RecoveryCode, User, utcnow

STEP_SECONDS = 30
# Steps either side of now a code is accepted in (clocks drift; people type slowly).
WINDOW_STEPS = 1
DIGITS = 6
RECOVERY_CODE_COUNT = 10
# 16 base32 characters: 80 bits, shown in four groups of four.
RECOVERY_CODE_LENGTH = 16
RECOVERY_GROUP = 4
ISSUER = "Hearth"
# How long the half-way state lasts between the password and the code.
PENDING_FOR = timedelta(minutes=5)
PENDING_KEY = "two_factor_pending"
# A secret being set up (not yet confirmed by a code), kept with whose it is.
SETUP_KEY = "two_factor_setup"
# New recovery codes, to be shown once on the next page.
SHOW_CODES_KEY = "recovery_codes_to_show"

_SIX_DIGITS = re.compile(r"^[0-9]{6}$")
_RECOVERY = re.compile(r"^[A-Z2-7]{16}$")
_SEPARATORS = re.compile(r"[\s-]")


def required_roles(council_id: str) -> tuple[str, ...]:
    """The roles the council's council.yaml asks a second factor of (the default when the
    council cannot be read: never fewer than usual because a file went missing)."""
    try:
        return api.get_council(council_id, on=today()).settings.sign_in.two_factor
    except api.UnknownCouncil:
        return DEFAULT_TWO_FACTOR_ROLES


def required(user: User) -> bool:
    """Whether this user must give a code after their password."""
    if user.two_factor_since is not None or user.council_id is None:
        return True
    return user.role in required_roles(user.council_id)


def is_set_up(user: User) -> bool:
    return user.two_factor_since is not None and bool(user.totp_secret)


# ---------------------------------------------------------------- codes from the app

def new_secret() -> str:
    """A new TOTP secret: 160 random bits in base32 (RFC 4226's recommended length)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[index:index + 4] for index in range(0, len(secret), 4))


def provisioning_uri(user: User, secret: str) -> str:
    issuer = ISSUER
    if user.council_id:
        try:
            issuer = f"{ISSUER} ({api.get_council(user.council_id, on=today()).short_name})"
        except api.UnknownCouncil:
            pass
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(name=user.email,
                                                                                      issuer_name=issuer)


def qr_code_svg(uri: str) -> Markup:
    """The QR code an authenticator app scans, as inline SVG markup: the pages' CSP allows
    images only from this site (no data: URIs), and inline SVG is part of the page."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#0b0c0c", light="#ffffff",
                                                omitsize=False, svgclass="hearth-qr-code", lineclass=None)
    labelled = svg.replace("<svg ", '<svg role="img" aria-label="QR code to scan with your authenticator app" '
                                    'focusable="false" ', 1)
    return Markup(labelled)  # noqa: S704 - segno's own markup from our URI, no user text in it


def current_code(secret: str) -> str:
    """The code the app shows now (the development demo hint)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).now()


def _matching_step(secret: str, code: str) -> int | None:
    """The time step within the window whose code this is, or None."""
    code = _SEPARATORS.sub("", code or "")
    if not _SIX_DIGITS.match(code) or not secret:
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    now_step = int(time.time()) // STEP_SECONDS
    for step in range(now_step - WINDOW_STEPS, now_step + WINDOW_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def looks_like_app_code(text: str) -> bool:
    return bool(_SIX_DIGITS.match(_SEPARATORS.sub("", text or "")))


def check_code(s: Session, user: User, code: str) -> bool:
    """Whether ``code`` is the user's current code and has not been accepted before; when it
    is, it is used up (not committed: commit with the sign-in)."""
    step = _matching_step(user.totp_secret or "", code)
    if step is None:
        return False
    done = s.execute(update(User).where(User.id == user.id,
                                        or_(User.totp_last_step.is_(None), User.totp_last_step < step))
                     .values(totp_last_step=step))
    return done.rowcount == 1


def confirm_setup(s: Session, user: User, secret: str, code: str) -> list[str] | None:
    """Set up two-factor with ``secret`` if ``code`` is its current code: the secret is the
    user's from now on (any earlier one stops working) and their recovery codes are new.
    Returns the recovery codes to show once, or None for a wrong code. Not committed."""
    step = _matching_step(secret, code)
    if step is None:
        return None
    user.totp_secret = secret
    user.two_factor_since = utcnow()
    user.totp_last_step = step
    return new_recovery_codes(s, user)


# ---------------------------------------------------------------- recovery codes

def _normal_recovery(text: str) -> str:
    return _SEPARATORS.sub("", text or "").upper()


def _recovery_hash(normal: str) -> str:
    return hashlib.sha256(normal.encode("ascii")).hexdigest()


def _new_recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(RECOVERY_CODE_LENGTH * 5 // 8)).decode("ascii")
    return "-".join(raw[index:index + RECOVERY_GROUP] for index in range(0, RECOVERY_CODE_LENGTH, RECOVERY_GROUP))


def new_recovery_codes(s: Session, user: User) -> list[str]:
    """Ten new recovery codes for the user, their earlier ones no longer working (not committed)."""
    s.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    s.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(_normal_recovery(code))) for code in codes)
    return codes


def use_recovery_code(s: Session, user: User, text: str) -> bool:
    """Whether ``text`` is one of the user's unused recovery codes; it is used up if so (not committed)."""
    normal = _normal_recovery(text)
    if not _RECOVERY.match(normal):
        return False
    done = s.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                RecoveryCode.code_hash == _recovery_hash(normal),
                                                RecoveryCode.used_at.is_(None))
                     .values(used_at=utcnow()))
    return done.rowcount == 1


def recovery_codes_left(s: Session, user: User) -> int:
    return s.scalar(select(func.count()).select_from(RecoveryCode)
                    .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


# ---------------------------------------------------------------- half-way through signing in

@dataclass(frozen=True)
class Pending:
    user: User
    next: str


def begin_pending(user: User, target: str) -> None:
    """The password was right and a code is needed: remember who, for five minutes. Nobody
    is signed in (any earlier session state is dropped, as start_session does)."""
    session.clear()
    session[PENDING_KEY] = {"user": user.id, "at": int(time.time()), "next": target}


def pending(s: Session) -> Pending | None:
    """Who is half-way through signing in, while it is recent and they are still active."""
    state = session.get(PENDING_KEY)
    if not isinstance(state, dict) or not isinstance(state.get("user"), int) or not isinstance(state.get("at"), int):
        return None
    if time.time() - state["at"] > PENDING_FOR.total_seconds():
        return None
    user = s.get(User, state["user"])
    if user is None or not user.active:
        return None
    target = state.get("next")
    return Pending(user, target if isinstance(target, str) else "/")


def drop_expired_pending() -> int | None:
    """A half-way state too old to use is dropped; the id of whose it was (None when there
    was none), so the person is told why and the late attempt audited."""
    state = session.pop(PENDING_KEY, None)
    if not isinstance(state, dict):
        return None
    user_id = state.get("user")
    return user_id if isinstance(user_id, int) else None


def setup_secret(user: User) -> str:
    """The secret being set up for this user, made once and kept until confirmed (so a
    page reloaded shows the same QR code as the app already scanned)."""
    state = session.get(SETUP_KEY)
    if isinstance(state, dict) and state.get("user") == user.id and isinstance(state.get("secret"), str):
        return state["secret"]
    secret = new_secret()
    session[SETUP_KEY] = {"user": user.id, "secret": secret}
    return secret


def forget_setup_secret() -> None:
    session.pop(SETUP_KEY, None)


def show_codes_once(codes: list[str], then: str) -> None:
    """Keep new recovery codes for the next page only (after the session has started)."""
    session[SHOW_CODES_KEY] = {"codes": codes, "next": then}


def take_codes_to_show() -> tuple[list[str], str] | None:
    state = session.pop(SHOW_CODES_KEY, None)
    if not isinstance(state, dict) or not isinstance(state.get("codes"), list):
        return None
    return [str(code) for code in state["codes"]], str(state.get("next") or "/")
