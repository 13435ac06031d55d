"""(being written)"""
from __future__ import annotations

from flask import Blueprint

from .access import PREFIX

bp = Blueprint("workspace_releasing", __name__, url_prefix=PREFIX)
