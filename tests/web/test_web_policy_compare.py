"""Compare councils (hearth.web.views.policy_compare): two councils' published policies side by
side, each cell with its source sentence; any policy officer or manager of any council may read
it, a worker may not; a draft saved in a workspace never shows; an unknown council, or one
council only, is a located message with a 400. Expectations are read off the loaded policies
(tests/councils.py), never a council's answer written out here."""
from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from hearth.engine import api
from hearth.engine.policy_files import PolicyFiles
from hearth.web import db
from hearth.web.models import AuditEntry

from web_support import Demo, csrf_token, login

# About the councils, not the database: once, on SQLite (see tests/web/conftest.py).
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")


def signed_in(app, role: str, council: str | None):
    client = app.test_client()
    assert login(client, Demo.email(role, council)).status_code == 302
    return client


def words(node) -> str:
    return " ".join(node.get_text(" ").split())


def said(text: str) -> str:
    return " ".join(text.split())


def in_force(council: str):
    return api.get_policy(council).version_on(date.today())


def compare_url(*councils: str) -> str:
    return "/policy/compare?" + "&".join(f"council={council}" for council in councils)


def cell(page: BeautifulSoup, row_id: str, council: str) -> str:
    row = page.find(id=row_id)
    assert row is not None, f"no row {row_id}"
    return words(row.find("td", attrs={"data-council": council}))


def test_both_councils_triggers_chair_and_deadlines_with_their_sources(app, demo):
    response = signed_in(app, "policy_officer", demo.home).get(compare_url(demo.home, demo.other))
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    for council in (demo.home, demo.other):
        version = in_force(council)
        assert version.version in words(page.find("table", class_="hearth-compare").find("thead"))
        triggers = cell(page, "triggers", council)
        for trigger in version.triggers:
            assert said(trigger.title) in triggers and said(trigger.source) in triggers, trigger.id
        chairs = " ".join(cell(page, f"chair-{placement}", council) for placement in version.vocabulary.placement_types)
        for rule in version.chair:
            assert said(rule.source) in chairs
        for deadline in version.deadlines:
            due = cell(page, f"deadline-{deadline.id}", council)
            assert said(deadline.title) in due and said(deadline.source) in due
            assert f"within {deadline.due[0].duration}" in due.lower() or deadline.due[0].duration.amount == 0
    with app.app_context():
        entry = db.session().scalars(select(AuditEntry).where(AuditEntry.object_type == "policy_comparison")).one()
        assert entry.detail["councils"] == [demo.home, demo.other]


@pytest.mark.parametrize("role", ["policy_officer", "manager"])
def test_any_councils_policy_officers_and_managers_may_compare(app, demo, role):
    for council in (demo.home, demo.other):
        assert signed_in(app, role, council).get(compare_url(demo.home, demo.other)).status_code == 200


def test_workers_and_admins_may_not(app, demo):
    assert signed_in(app, "worker", demo.home).get(compare_url(demo.home, demo.other)).status_code == 403
    assert signed_in(app, "admin", None).get(compare_url(demo.home, demo.other)).status_code == 403


def test_a_draft_saved_in_a_workspace_is_never_compared(app, demo):
    officer = signed_in(app, "policy_officer", demo.home)
    trigger = in_force(demo.home).triggers[0]
    path = sorted(PolicyFiles.from_folder(api.policies_root() / demo.home).glob("versions/*.yaml"))[-1]
    text = (api.policies_root() / demo.home / path).read_text()
    assert trigger.title in text
    marker = "Drafted only, never published"
    workspace = f"/councils/{demo.home}/workspace/files/{path}"
    saved = officer.post(workspace, data={"csrf_token": csrf_token(officer, workspace),
                                          "text": text.replace(trigger.title, marker), "revision": "0"})
    assert saved.status_code in (200, 302, 303)
    assert marker in officer.get(workspace).get_data(as_text=True)  # the draft holds it
    page = officer.get(compare_url(demo.home, demo.other)).get_data(as_text=True)
    assert marker not in page and trigger.title in page


def test_an_unknown_council_is_a_located_message(app, demo):
    response = signed_in(app, "manager", demo.home).get(compare_url(demo.home, "no-such-council"))
    assert response.status_code == 400
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    summary = page.find(class_="govuk-error-summary")
    assert "There is no council 'no-such-council'" in words(summary)
    assert summary.find("a")["href"] == "#council" and page.find(id="council") is not None
    assert page.find("table") is None


def test_one_council_only_or_none_ticked_is_a_message(app, demo):
    officer = signed_in(app, "policy_officer", demo.other)
    for url in (compare_url(demo.other), "/policy/compare?compare=yes"):  # the form sent with nothing ticked
        response = officer.get(url)
        assert response.status_code == 400, url
        assert "Choose at least 2 councils" in response.get_data(as_text=True)


def test_the_policy_page_links_to_it_for_those_who_may_compare(app, demo):
    link = 'href="/policy/compare"'
    assert link in signed_in(app, "manager", demo.home).get(f"/councils/{demo.home}/policy").get_data(as_text=True)
    assert link not in signed_in(app, "worker", demo.home).get(f"/councils/{demo.home}/policy").get_data(as_text=True)
