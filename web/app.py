"""The Flask application: ``create_app()`` wires config, database, sign-in, security headers,
error pages and the blueprints in ``hearth.web.views``. ``hearth.web`` gives ``create_app`` and
``csrf`` as its own names."""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from . import auth, config as config_mod, councils, db, errors, evaluation, filters, plain_words, policy_library, security
from .jinja_globals import QuickImports
from .proxies import TrustedProxies
from .routing import BoundedIntConverter

csrf = CSRFProtect()


def create_app(config: dict | None = None) -> Flask:
    # instance_path given: Flask cannot find it itself under the namespace package mapping.
    # Named for the package (its logger, its root folder for static files and templates).
    app = Flask("hearth.web", static_folder="static", template_folder="templates",
                instance_path=str(config_mod.instance_dir().resolve()))
    app.jinja_environment = QuickImports  # before the environment is made (hearth.web.jinja_globals)
    app.config.update(config_mod.load(config))
    # X-Forwarded-* only from the proxies configured (none by default), for every server.
    app.wsgi_app = TrustedProxies(app.wsgi_app, app.config["HEARTH_TRUSTED_PROXIES"])
    # Before any route is added: every <int:...> id is bounded like a database id.
    app.url_map.converters["int"] = BoundedIntConverter
    app.jinja_loader = ChoiceLoader([
        PackageLoader("hearth.web"),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    csrf.init_app(app)
    db.init_app(app)
    policy_library.init_app(app)
    security.init_app(app)
    councils.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    plain_words.init_app(app)
    evaluation.init_app(app)
    app.before_request(auth.load_user)

    from .views import register
    register(app)
    from . import api
    api.init_app(app)
    return app
