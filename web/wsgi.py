"""The WSGI entry point for gunicorn: `gunicorn hearth.web.wsgi:app` (see docs/deploy.md).

Client addresses behind a reverse proxy come from HEARTH_TRUSTED_PROXIES, applied by
create_app itself (hearth.web.proxies), so every server and the tests read them alike."""
from hearth.web import create_app

app = create_app()
