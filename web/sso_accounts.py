"""Who a checked ID token signs in, and with which role: the council's identity provider is
the source of truth for its staff, asked again at every sign-in.

- The user is found by who the provider says they are (issuer and subject), else by email
  within that council (the account is linked to the provider from then on), else made on the
  spot ("just in time") with the name and email the provider gives.
- Their role comes from the token's roles claim each time (SingleSignOn.role_for): a group
  changed at the provider changes the Hearth role at this sign-in; a token whose claim maps
  to no role refuses the sign-in and deactivates the user, ending their sessions, so someone
  removed from the council's Hearth groups loses access at their next sign-in, and an admin
  decides whether they come back (an inactive user is refused until reactivated).
- A user is never moved between councils: an account of another council (by subject or by
  email) is refused, as councils on Google Workspace share one issuer.

Every refusal is audited (LOGIN_FAILED with its reason); every change to a user (linked,
created, role changed, deactivated) is audited as the provider's doing.
"""
from __future__ import annotations

from sqlalchemy import func, select, update

from hearth.engine.council_settings import SingleSignOn

from . import db
from .audit import audit
from .auth import start_session
from .models import AuditAction, LoginSession, User, utcnow
from .sso import SsoRefused

MAX_EMAIL = 254
MAX_NAME = 200
MAX_SUBJECT = 255


def _email(claims: dict) -> str | None:
    """The email the provider gives: ``email`` (Google; Entra ID's optional claim), else Entra
    ID's ``preferred_username`` when it is an address."""
    for claim in ("email", "preferred_username"):
        value = claims.get(claim)
        if isinstance(value, str) and "@" in value and len(value.strip()) <= MAX_EMAIL:
            return value.strip().lower()
    return None


def _name(claims: dict, email: str) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        name = " ".join(part for part in (claims.get("given_name"), claims.get("family_name"))
                        if isinstance(part, str)).strip()
    return (name.strip() or email)[:MAX_NAME]


def _refuse(reason: str, council_id: str, user: User | None = None, email: str | None = None) -> SsoRefused:
    """The refusal, audited (and committed, with whatever the refusal changed)."""
    detail = {"method": "sso", "reason": reason}
    if email:
        detail["email"] = email
    audit(AuditAction.LOGIN_FAILED, "user", user.id if user else None, detail, user=user, council_id=council_id)
    return SsoRefused(reason, audited=True)


def deactivate(user: User, reason: str) -> None:
    """The user may no longer sign in, and every session they have open ends now."""
    session = db.session()
    user.active = False
    session.execute(update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
                    .values(ended_at=utcnow()))
    audit(AuditAction.CHANGED, "user", user.id, {"active": False, "by": "sso", "reason": reason}, user=user,
          commit=False)


def _find(council_id: str, settings: SingleSignOn, subject: str, email: str | None) -> User | None:
    """The user this token is about, linking an account found by email; SsoRefused (audited)
    for an account of another council or one already linked to another identity."""
    session = db.session()
    user = session.scalar(select(User).where(User.sso_issuer == settings.issuer, User.sso_subject == subject))
    if user is not None:
        if user.council_id != council_id:
            raise _refuse("another_council", council_id, email=email)
        return user
    if email is None:
        return None
    user = session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None:
        return None
    if user.council_id != council_id:
        raise _refuse("another_council", council_id, email=email)
    if user.sso_subject is not None:
        raise _refuse("linked_to_another_identity", council_id, user, email)
    user.sso_issuer, user.sso_subject = settings.issuer, subject
    audit(AuditAction.CHANGED, "user", user.id, {"linked": "sso"}, user=user, commit=False)
    return user


def sign_in(council_id: str, settings: SingleSignOn, claims: dict) -> User:
    """Sign in the person the checked ID token is about, with the role its claim gives;
    SsoRefused (audited) when it gives them none or they may not sign in to this council."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > MAX_SUBJECT:
        raise _refuse("no_subject", council_id)
    email = _email(claims)
    if email is not None and claims.get("email_verified") is False:
        email = None  # an address the provider has not checked never links or names an account
    role = settings.role_for(claims.get(settings.roles_claim))
    user = _find(council_id, settings, subject, email)
    if role is None:
        if user is not None and user.active:
            deactivate(user, "no_mapped_role")
        raise _refuse("no_mapped_role", council_id, user, email)
    if user is not None and not user.active:
        raise _refuse("inactive", council_id, user, email)
    session = db.session()
    if user is None:
        if email is None:
            raise _refuse("no_email", council_id)
        user = User(email=email, name=_name(claims, email), password_hash="", role=role, council_id=council_id,
                    sso_issuer=settings.issuer, sso_subject=subject)
        session.add(user)
        session.flush()
        audit(AuditAction.CREATED, "user", user.id, {"by": "sso", "role": role}, user=user, commit=False)
    elif user.role != role:
        audit(AuditAction.CHANGED, "user", user.id, {"by": "sso", "role": {"from": user.role, "to": role}},
              user=user, commit=False)
        user.role = role
    user.last_sign_in_at = utcnow()
    start_session(user)
    audit(AuditAction.LOGIN, "user", user.id, {"method": "sso"}, user=user)
    return user
