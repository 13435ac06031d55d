"""Adding a council is adding a folder (issue 9): a copy of a council under a new id, in a
policies folder of its own, passes the generic checks -- lint, its own policy tests, its
forms, the web pages and the API -- and the suite's own generic tests pick it up by
themselves when HEARTH_POLICIES points at that folder, with no Python naming it.

The copy is of the first council the session has (whichever that is), so this test names
no council of the repository either; `calderdale` is the made-up id it is copied to."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete

from hearth.web import db, migrate
from hearth.web.db import engine_for
from hearth.web.models import Base

import council_checks as checks
import council_web_checks as web_checks
from councils import ROOT, generic_councils, session_root
from web_support import make_app, seed_database

NEW_ID = "calderdale"
TODAY = date.today()


@pytest.fixture
def dropped(tmp_path, monkeypatch) -> Path:
    """A policies folder holding one council: a copy of the session's first, as `calderdale`."""
    source = session_root() / generic_councils()[0]
    root = tmp_path / "policies"
    shutil.copytree(source, root / NEW_ID)
    council = root / NEW_ID / "council.yaml"
    text = re.sub(r"(?m)^name: .*$", "name: Calderdale Council", council.read_text())
    council.write_text(re.sub(r"(?m)^short_name: .*$", "short_name: Calderdale", text))
    monkeypatch.setenv("HEARTH_POLICIES", str(root))
    return root


def test_the_copy_passes_the_engines_and_the_forms_checks(dropped):
    folder = dropped / NEW_ID
    assert checks.lint_problems(folder) == []
    assert checks.policy_test_failures(folder) == []
    for form_id, defn in sorted(checks.form_catalog(NEW_ID, TODAY, dropped).forms.items()):
        checks.check_form_renders(defn, TODAY)
        checks.check_empty_record_refused(defn, TODAY)
        checks.check_complete_record_is_evaluated(NEW_ID, defn, TODAY, dropped)


def test_the_copy_works_in_the_web_app_and_the_api(dropped, tmp_path, monkeypatch):
    app = make_app(f"sqlite:///{tmp_path / 'hearth.db'}", HEARTH_TODAY=TODAY)
    migrate.upgrade(engine_for(app))
    with app.app_context():
        s = db.session()
        for table in reversed(Base.metadata.sorted_tables):
            s.execute(delete(table))
        s.commit()
        seed_database(s, app.config["DATABASE_URL"], TODAY)  # `hearth policy import` of every folder, then the demo
    try:
        web_checks.check_dashboards(app, NEW_ID)
        web_checks.check_case_pages(app, NEW_ID)
        assert web_checks.check_council_pages(app, NEW_ID)
        web_checks.check_forms(app, NEW_ID, web_checks.new_case(app, NEW_ID, TODAY), TODAY)
        web_checks.check_api(app, NEW_ID, TODAY)
    finally:
        engine_for(app).dispose()


def test_the_suites_generic_tests_take_the_new_council_by_themselves(dropped):
    """pytest itself, with HEARTH_POLICIES pointing at the folder: the generic tests are
    parametrized over the new council (and only the suite's extra councils besides)."""
    env = {k: v for k, v in os.environ.items() if k not in ("HEARTH_TEST_COUNCILS", "PYTEST_ADDOPTS")}
    env["HEARTH_POLICIES"] = str(dropped)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT),
                             "tests/test_every_council.py", "-k", NEW_ID],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    passed = int(re.search(r"(\d+) passed", result.stdout).group(1))
    assert passed >= 8 and " failed" not in result.stdout, result.stdout[-1500:]
