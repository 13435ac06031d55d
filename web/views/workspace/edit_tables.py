"""Editors without YAML for the chair and invitee tables, the intervention menu (issue 11; see hearth.web.views.workspace.editing)."""
from __future__ import annotations

from flask import Blueprint

from .access import PREFIX

bp = Blueprint("workspace_edit_tables", __name__, url_prefix=PREFIX + "/change")
