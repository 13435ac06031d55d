"""Single sign-on pages: ``/councils/<council>/sign-in`` sends the browser to the council's
identity provider, ``/sso/callback`` (the one redirect URI every council registers) takes its
answer, checks it (hearth.web.sso) and signs the person in (hearth.web.sso_accounts).

A person signed in this way does not get Hearth's own two-factor step: their council's
provider is where that is required. Every refusal is a plain page, audited; a provider that
cannot be reached or single sign-on set up wrong says so (503) instead of failing."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for

from hearth.engine.library import is_council_id

from .. import sso, sso_accounts
from ..audit import audit
from ..auth import current_user
from ..models import AuditAction
from ..scoping import own_council_or_404

bp = Blueprint("sso", __name__)

# What a refused person is told, by the refusal's reason; anything else is "did not complete".
REFUSALS = {
    "no_mapped_role": ("You do not have access to Hearth",
                       "Your council account is not in any of the groups that give access to Hearth. "
                       "If you need access, ask your council's Hearth administrator."),
    "inactive": ("Your Hearth account is switched off",
                 "Ask your council's Hearth administrator to switch it back on."),
    "another_council": ("You cannot sign in here",
                        "This account belongs to another council's Hearth. Sign in with your own "
                        "council's account."),
    "linked_to_another_identity": ("You cannot sign in here",
                                   "Your Hearth account is linked to a different council account. "
                                   "Ask your council's Hearth administrator."),
    "no_email": ("You cannot sign in here",
                 "Your council account does not give Hearth an email address. Ask your council's IT team."),
}
DID_NOT_COMPLETE = ("Sign-in did not complete",
                    "Hearth could not check your sign-in with your council's identity provider. "
                    "Start again from the sign-in page.")


def _problem(title: str, message: str, status: int):
    return render_template("sso_problem.html", title=title, message=message), status


def _unavailable(council_id: str, problem: sso.SsoUnavailable):
    audit(AuditAction.LOGIN_FAILED, "council", council_id, {"method": "sso", "reason": problem.reason},
          council_id=council_id)
    return _problem("Single sign-on is not working",
                    f"{problem.message} Tell your council's Hearth administrator; until it is put right, "
                    "staff with a Hearth password can sign in with it.", 503)


@bp.app_template_global("single_sign_on_options")
def single_sign_on_options() -> list[tuple[str, str]]:
    """(council id, label) for each council with single sign-on, for the sign-in page."""
    return sso.councils_with_sso()


@bp.get("/councils/<council>/sign-in")
def start(council: str):
    if not is_council_id(council):
        abort(404)
    user = current_user()
    if user is not None:   # already signed in: home, unless the council is another's
        if user.council_id is not None:
            own_council_or_404(council, "sign_in")
        return redirect(url_for("dashboard.index"))
    settings = sso.settings_of(council)
    if settings is None:
        abort(404)
    try:
        return redirect(sso.authorization_url(council, settings))
    except sso.SsoUnavailable as problem:
        return _unavailable(council, problem)


@bp.get("/sso/callback")
def callback():
    if current_user() is not None:
        return redirect(url_for("dashboard.index"))   # already signed in: nothing to finish
    council_id = sso.pending_council()
    settings = sso.settings_of(council_id) if council_id else None
    if settings is None:
        # No sign-in of this browser has this state (replayed, forged, expired, or another
        # browser's), or its council has since stopped using single sign-on.
        audit(AuditAction.LOGIN_FAILED, "user", None, {"method": "sso", "reason": "state_mismatch"},
              council_id=council_id)
        return _problem(*DID_NOT_COMPLETE, 400)
    try:
        claims = sso.finish(settings)
        sso_accounts.sign_in(council_id, settings, claims)
    except sso.SsoUnavailable as problem:
        return _unavailable(council_id, problem)
    except sso.SsoRefused as refusal:
        if not refusal.audited:
            audit(AuditAction.LOGIN_FAILED, "user", None,
                  {"method": "sso", "reason": refusal.reason, "detail": refusal.detail}, council_id=council_id)
        if refusal.reason in REFUSALS:
            return _problem(*REFUSALS[refusal.reason], 403)
        return _problem(*DID_NOT_COMPLETE, 400)
    return redirect(url_for("dashboard.index"))
