"""Editors without YAML for triggers, deadlines and duties, gates (issue 11; see hearth.web.views.workspace.editing)."""
from __future__ import annotations

from flask import Blueprint

from .access import PREFIX

bp = Blueprint("workspace_edit_rules", __name__, url_prefix=PREFIX + "/change")
