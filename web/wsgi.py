"""The WSGI entry point for gunicorn: `gunicorn hearth.web.wsgi:app` (see docs/deploy.md)."""
import os

from werkzeug.middleware.proxy_fix import ProxyFix

from hearth.web import create_app

app = create_app()
# Behind one reverse proxy by default, so client addresses (audit, sign-in limits) and
# https are read from X-Forwarded-*. Set HEARTH_PROXIES=0 if nothing sits in front.
_hops = int(os.environ.get("HEARTH_PROXIES", "1"))
if _hops:
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=_hops, x_proto=_hops)
