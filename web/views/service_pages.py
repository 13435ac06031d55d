"""The pages every public-sector service owes its users, open to anyone signed in or not:
the accessibility statement (the Public Sector Bodies Accessibility Regulations 2018), the
privacy notice (UK GDPR Articles 13 and 14) and the cookies page (PECR). They are public so
that someone who cannot sign in, or is deciding whether to, can read them; the privacy
notice names the signed-in user's council as the controller of its children's records.

Also the phase banner's feedback address, given to every page's template."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template

from hearth.engine import api

from ..councils import current_council

bp = Blueprint("service_pages", __name__)

# When the accessibility statement was last reviewed against the service: change it with the
# statement's known issues, never automatically (the Regulations ask for the real date).
STATEMENT_PREPARED = date(2026, 11, 28)


def support_email() -> str:
    return current_app.config["HEARTH_SUPPORT_EMAIL"]


def feedback_url() -> str:
    """The deployment's feedback form when it has one (HEARTH_FEEDBACK_URL), else an email to
    its support mailbox."""
    return current_app.config["HEARTH_FEEDBACK_URL"] or f"mailto:{support_email()}?subject=Stable%20homes%20feedback"


@bp.app_context_processor
def _service_links() -> dict:
    return {"feedback_url": feedback_url(), "support_email": support_email()}


@bp.get("/accessibility")
def accessibility():
    return render_template("service/accessibility.html", title="Accessibility statement",
                           prepared=STATEMENT_PREPARED)


@bp.get("/privacy")
def privacy():
    """Signed in to a council: that council is named as controller, with its own retention.
    Signed out (or the service-wide admin): every council using the service and each one's."""
    council = current_council()
    councils = [council] if council else sorted(api.list_councils(), key=lambda c: c.name)
    return render_template("service/privacy.html", title="Privacy notice", councils=councils)


@bp.get("/cookies")
def cookies():
    return render_template("service/cookies.html", title="Cookies",
                           cookie_name=current_app.config["SESSION_COOKIE_NAME"],
                           idle_minutes=int(current_app.config["HEARTH_SESSION_IDLE"].total_seconds() // 60),
                           absolute_hours=int(current_app.config["HEARTH_SESSION_ABSOLUTE"].total_seconds() // 3600))
