"""Single sign-on in Chromium: a council's IT has set up its identity provider (a local one,
tests/web/oidc_provider.py, on its own port); a member of its Hearth managers' group presses
"Sign in with ..." on Hearth's sign-in page, chooses who they are on the provider's page and
lands on Hearth's dashboard as a manager. Every Hearth page on the way is checked with axe
(the provider's page is not Hearth's)."""
from __future__ import annotations

from sqlalchemy import select

from hearth.web import db
from hearth.web.models import User

from oidc_provider import OidcProvider
from sso_support import LABEL, MANAGERS, publish_single_sign_on, secret_variable

from .accessibility import check_accessibility
from .conftest import councils


def test_a_manager_signs_in_through_their_councils_provider(page, live, monkeypatch):
    council = councils()[0]
    with OidcProvider() as provider:
        provider.client.redirect_uris.append(f"{live.url}/sso/callback")
        provider.add_user("sam", "sam.singh@council.example", "Sam Singh", [MANAGERS])
        publish_single_sign_on(live.app, council, provider)
        monkeypatch.setenv(secret_variable(council), provider.client.client_secret)
        try:
            page.goto("/login")
            check_accessibility(page, "sign-in page offering single sign-on")
            page.click(f"a:text-is('Sign in with {LABEL}')")
            page.wait_for_url(f"{provider.issuer}/authorize?**")
            page.select_option("#username", "sam")
            page.click("button:text-is('Continue')")
            page.wait_for_url(f"{live.url}/")
            assert "Signed in as sam.singh@council.example" in page.inner_text("body")
            assert page.is_visible("label:text-is('Worker')"), "a manager's dashboard filters by worker"
            check_accessibility(page, "dashboard after single sign-on")
            with live.app.app_context():
                user = db.session().scalar(select(User).where(User.email == "sam.singh@council.example"))
                assert (user.role, user.council_id, user.sso_issuer) == ("manager", council, provider.issuer)
        finally:
            live.reseed()   # the publication with single sign-on goes with the rest
