"""The web benchmark's floor: Hearth's own app with one more page, for bench_web.py only.

``GET /bench/floor`` is what every page of the service pays whatever it shows: a signed-in
user (the session and its user looked up), an audit entry written, and a one-line template
drawn through the service's layout (header, navigation, footer, security headers). A page
is measured against it: "p95 no more than 3 times the floor".

It is never part of the product: the production entry point is ``hearth.web.wsgi:app``;
only benchmarks/bench_web.py serves this module (``gunicorn --pythonpath benchmarks
floor_app:app``), so the route exists in no deployed server.

HEARTH_BENCH_FORM_MEMORY=0 turns off the forms' memory of drawn components
(hearth.forms.drawn), to measure the form page as it was before it (``--no-form-memory``).
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, render_template

from hearth.forms.drawn import components
from hearth.web.audit import audit
from hearth.web.auth import login_required
from hearth.web.models import AuditAction
from hearth.web.wsgi import app

floor = Blueprint("bench_floor", __name__, url_prefix="/bench",
                  template_folder=str(Path(__file__).resolve().parent / "floor_templates"))


@floor.get("/floor")
@login_required
def page():
    audit(AuditAction.VIEWED, "bench_floor", None)
    return render_template("bench_floor.html")


app.register_blueprint(floor)
if os.environ.get("HEARTH_BENCH_FORM_MEMORY") == "0":
    components.budget = 0
