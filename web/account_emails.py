"""The emails that give someone a one-time link (hearth.web.links): an invitation to set a
first password, and a password reset. Sent through the product's one email path
(hearth.web.notify: GOV.UK Notify, or the outbox folder without an API key).

The link is built from the request being answered (its scheme and host, which
hearth.web.proxies takes from a trusted proxy), so it points at the address the person
reached Hearth by."""
from __future__ import annotations

import logging

from flask import url_for

from hearth.engine import api

from . import notify
from .jobs import JobError
from .links import LIFETIMES
from .models import LinkPurpose, User

log = logging.getLogger(__name__)


def _council_name(council_id: str | None) -> str:
    if council_id is None:
        return "Hearth"
    try:
        return api.get_council(council_id).name
    except api.UnknownCouncil:
        return council_id


def _hours(purpose: LinkPurpose) -> str:
    hours = int(LIFETIMES[purpose].total_seconds() // 3600)
    return f"{hours // 24} days" if hours >= 48 else ("1 hour" if hours == 1 else f"{hours} hours")


def send_invitation(user: User, token: str, invited_by: User) -> bool:
    """Email ``user`` the link that sets their first password. False when the queue could not
    take it (the admin is told to send it again)."""
    council = _council_name(user.council_id)
    link = url_for("account.accept_invitation", token=token, _external=True)
    subject = f"{council}: you have been invited to Hearth"
    body = (f"{invited_by.name or invited_by.email} has given you an account on Hearth, {council}'s "
            f"stable homes service.\n\nSet your password here (the link works once, for "
            f"{_hours(LinkPurpose.INVITE)}): {link}\n\nIf you did not expect this, you can ignore this email.")
    return _send(user, "invitation", subject, body)


def send_password_reset(user: User, token: str) -> bool:
    """Email ``user`` the link that sets a new password."""
    council = _council_name(user.council_id)
    link = url_for("account.reset_password", token=token, _external=True)
    subject = f"{council}: reset your Hearth password"
    body = (f"Someone asked to reset the password of your Hearth account.\n\nChoose a new password here "
            f"(the link works once, for {_hours(LinkPurpose.RESET)}): {link}\n\nIf it was not you, ignore "
            f"this email: your password has not changed.")
    return _send(user, "password_reset", subject, body)


def _send(user: User, kind: str, subject: str, body: str) -> bool:
    personalisation = {"subject": subject, "body": body, "council": _council_name(user.council_id)}
    try:
        notify.send_email(user.email, notify.template_id(kind), personalisation, council=user.council_id or "")
    except JobError as exc:
        log.warning("Could not queue the %s email for user %s: %s", kind, user.id, exc)
        return False
    return True
