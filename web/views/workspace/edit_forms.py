"""Editors without YAML for a form's questions (issue 11; see hearth.web.views.workspace.editing)."""
from __future__ import annotations

from flask import Blueprint

from .access import PREFIX

bp = Blueprint("workspace_edit_forms", __name__, url_prefix=PREFIX + "/change")
