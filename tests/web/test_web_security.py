"""CSRF, security headers, error pages and the GOV.UK look without the crown."""
from __future__ import annotations

from pathlib import Path

import pytest

from hearth.web.models import Role

from web_support import csrf_token, login, make_app

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"


def test_csrf_rejected_without_token(client, demo):
    r = client.post("/login", data={"email": demo.email("worker", demo.home), "password": "hearth-demo"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Your form has expired" in page
    assert "govuk-error-summary" not in page
    assert client.get("/").status_code == 302


def test_csrf_rejected_on_sign_out(client, demo):
    login(client, demo.email("worker", demo.home))
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200  # still signed in


@pytest.mark.parametrize("path", ["/login", "/", "/healthz", "/no-such-page"])
def test_security_headers(client, demo, path):
    login(client, demo.email("worker", demo.home))
    h = client.get(path).headers
    csp = h["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "http" not in csp
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] == "same-origin"
    assert "camera=()" in h["Permissions-Policy"]
    assert h["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in h


def test_hsts_in_production(database_url):
    app = make_app(database_url, HEARTH_ENV="production", SECRET_KEY="x" * 40)
    h = app.test_client().get("/healthz").headers
    assert h["Strict-Transport-Security"].startswith("max-age=")
    assert "upgrade-insecure-requests" in h["Content-Security-Policy"]


def test_inline_script_carries_the_csp_nonce(client, demo):
    r = client.get("/login")
    nonce = r.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    page = r.get_data(as_text=True)
    assert f'<script nonce="{nonce}">' in page
    assert page.count("<script") == 2  # the nonce'd class switch and the module file
    assert '<script type="module" src="/static/js/init.mjs">' in page


def test_not_found_is_a_govuk_page(client, demo):
    r = client.get("/no-such-page")
    assert r.status_code == 404
    assert "Page not found" in r.get_data(as_text=True)
    assert "govuk-template" in r.get_data(as_text=True)


def test_crash_shows_no_traceback(database_url, demo):
    app = make_app(database_url)

    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret internals G-9999")

    r = app.test_client().get("/boom-for-test")
    page = r.get_data(as_text=True)
    assert r.status_code == 500
    assert "Sorry, there is a problem with the service" in page
    assert "Traceback" not in page and "secret internals" not in page


def test_user_input_is_escaped(client, demo):
    r = client.post("/login", data={"email": "<script>alert(1)</script>@x", "password": "p",
                                    "csrf_token": csrf_token(client)})
    page = r.get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_no_crown_no_gov_uk_branding(client, demo, role):
    council = None if role == "admin" else demo.home
    login(client, demo.email(role, council))
    page = client.get("/").get_data(as_text=True)
    for forbidden in ("<svg", "govuk-logo", "crown", "crest", "GOV.UK", "govuk-icon", "favicon.ico"):
        assert forbidden not in page, forbidden
    if council:
        assert f"/static/brand/{council}.css" in page
    else:
        assert "/static/brand/neutral.css" in page


def test_sign_in_page_uses_the_neutral_style(client, demo):
    assert "/static/brand/neutral.css" in client.get("/login").get_data(as_text=True)


def test_built_stylesheets_use_arial_and_the_brand_colour():
    from hearth.engine.api import list_councils
    brand = STATIC / "brand"
    if not (brand / "neutral.css").exists():
        pytest.skip("assets not built: run `make assets` (make test does)")
    for council in list_councils():
        css = (brand / f"{council.id}.css").read_text()
        assert "GDS Transport" not in css and "@font-face" not in css
        assert "arial" in css.lower()
        assert council.brand["colour"].lower() in css.lower()
    assert not (STATIC / "govuk" / "assets" / "fonts").exists()
    assert not (STATIC / "govuk" / "assets" / "images").exists()


def test_production_needs_a_secret_key(monkeypatch):
    from hearth.web.config import ConfigError, load
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        load({"HEARTH_ENV": "production"})
    with pytest.raises(ConfigError):
        load({"HEARTH_ENV": "staging"})


def test_dev_secret_key_is_generated_once(tmp_path, monkeypatch):
    from hearth.web.config import load
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("HEARTH_INSTANCE", str(tmp_path))
    first = load({"HEARTH_ENV": "development"})["SECRET_KEY"]
    assert load({"HEARTH_ENV": "development"})["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
