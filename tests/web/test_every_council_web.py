"""The web app's and the API's generic checks (council_web_checks.py) for every council of
the session: the councils of the policies folder, the every-construct fixture council and
a freshly scaffolded one (tests/councils.py). Nothing here names a council.

They run on SQLite only (the SQLite database the rest of the web suite uses): the rest of
the web suite runs on both databases, and what is checked here is the councils, not the
database (it keeps `make test` within its time)."""
from __future__ import annotations

from datetime import date

import pytest

import council_web_checks as web_checks
from councils import generic_councils

COUNCILS = generic_councils()
# Every test here, once, on SQLite: the database fixture (tests/web/conftest.py) given only
# its SQLite value, so no test is generated for PostgreSQL to be skipped.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")


@pytest.fixture
def pinned(app, monkeypatch) -> date:
    """Today, as the demo seed dates its cases from it, held for the whole test."""
    today = date.today()
    monkeypatch.setitem(app.config, "HEARTH_TODAY", today)
    return today


@pytest.mark.parametrize("council", COUNCILS)
def test_sign_in_dashboards_and_policy_status(app, demo, pinned, council):
    web_checks.check_dashboards(app, council)


@pytest.mark.parametrize("council", COUNCILS)
def test_every_demo_case_page_shows_the_engines_answer(app, demo, pinned, council):
    web_checks.check_case_pages(app, council)


@pytest.mark.parametrize("council", COUNCILS)
def test_the_councils_own_pages_answer(app, demo, pinned, council):
    """Its document and its policy in words, reached from its worker's pages."""
    assert web_checks.check_council_pages(app, council), f"no page under /councils/{council}/ is linked"


@pytest.mark.parametrize("council", COUNCILS)
def test_every_form_on_a_new_case(app, demo, pinned, council):
    case_id = web_checks.new_case(app, council, pinned)
    web_checks.check_forms(app, council, case_id, pinned)


@pytest.mark.parametrize("council", COUNCILS)
def test_the_api_answers_as_the_engine(app, demo, pinned, council):
    web_checks.check_api(app, council, pinned)
