"""The blueprints. Each module is one area of the site; add new areas here."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from . import (account, admin, cases, dashboard, document, funding, health, new_case, policy_compare, policy_pages,
                   policy_status, second_factor, sign_in, sso, workflow, workspace)
    from . import allocation, api_tokens, data_protection, people, service_pages, teams
    from . import documents, downloads
    from . import actions

    for module in (sign_in, dashboard, new_case, cases, workflow, funding, admin, policy_status, document, policy_pages,
                   policy_compare, health, account, second_factor, sso, data_protection, people, teams, allocation,
                   api_tokens, service_pages, documents, downloads, actions):
        app.register_blueprint(module.bp)
    for blueprint in workspace.BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.add_template_global(workspace.stages, "workspace_stages")
