"""The pages a public-sector service owes its users -- accessibility statement, privacy
notice, cookies -- open signed out and signed in, linked from every page's footer under a
beta phase banner with a feedback link; the privacy notice names the signed-in user's
council and its own retention. Also the audit trail and amounts in plain words."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from hearth.engine.api import get_council, list_councils
from hearth.web.amounts import money, ordinal
from hearth.web.filters import event_details
from hearth.web.plain_words import audit_details, uk_timestamp

from web_support import Demo, login

# The pages are not about the database: SQLite only (the unit tests below need no database at all).
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

SERVICE_PAGES = ("/accessibility", "/privacy", "/cookies")
FOOTER_LINKS = ('href="/accessibility"', 'href="/privacy"', 'href="/cookies"')


def assert_service_frame(html: str, where: str) -> None:
    assert "govuk-phase-banner" in html and ">Beta<" in html, f"{where}: no beta phase banner"
    assert "give your feedback" in html, f"{where}: no feedback link"
    for link in FOOTER_LINKS:
        assert link in html, f"{where}: footer has no {link}"


def retention_sentences(html: str) -> list[str]:
    return re.findall(r'class="govuk-body hearth-retention">([^<]+)<', html)


@sqlite_only
def test_the_service_pages_are_public_and_every_page_links_to_them(client, demo):
    for path in (*SERVICE_PAGES, "/login"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert_service_frame(r.get_data(as_text=True), path)
    cookies = client.get("/cookies").get_data(as_text=True)
    assert client.application.config["SESSION_COOKIE_NAME"] in cookies and "no cookie banner" in cookies
    statement = client.get("/accessibility").get_data(as_text=True)
    for heading in ("How accessible this service is", "Reporting accessibility problems", "Enforcement procedure",
                    "Compliance status", "Preparation of this accessibility statement"):
        assert heading in statement
    # Signed out, the notice cannot know the reader's council: every council, each with its own retention.
    privacy = client.get("/privacy").get_data(as_text=True)
    assert "Each council that uses this service is the data controller" in privacy
    sentences = retention_sentences(privacy)
    assert len(sentences) == len(list_councils())
    for council in list_councils():
        age = ordinal(council.settings.records.keep_until_age)
        assert any(council.name in s and f"{age} birthday" in s for s in sentences), council.id


@sqlite_only
def test_signed_in_the_privacy_notice_names_the_users_council(client, demo):
    login(client, Demo.email("worker", demo.home))
    home, other = get_council(demo.home), get_council(demo.other)
    privacy = client.get("/privacy").get_data(as_text=True)
    assert f"{home.name} is the data controller" in privacy
    assert retention_sentences(privacy) == [
        f"{home.name} keeps a looked-after child’s records until the child’s "
        f"{ordinal(home.settings.records.keep_until_age)} birthday, then reviews them for deletion."]
    assert other.name not in privacy
    for path in ("/", f"/cases/{demo.cases[demo.home][0].id}", *SERVICE_PAGES):
        r = client.get(path)
        assert r.status_code == 200, path
        assert_service_frame(r.get_data(as_text=True), path)


@sqlite_only
def test_the_feedback_link_is_the_deployments(client, demo):
    app = client.application
    assert f'href="mailto:{app.config["HEARTH_SUPPORT_EMAIL"]}' in client.get("/cookies").get_data(as_text=True)
    app.config["HEARTH_FEEDBACK_URL"] = "https://forms.example.gov.uk/stable-homes"
    try:
        html = client.get("/cookies").get_data(as_text=True)
    finally:
        app.config["HEARTH_FEEDBACK_URL"] = ""
    assert 'href="https://forms.example.gov.uk/stable-homes" target="_blank"' in html
    assert "give your feedback (opens in new tab)" in html


@sqlite_only
def test_the_audit_trail_is_in_words_and_uk_time(client, demo):
    login(client, Demo.email("worker", demo.home))
    assert client.get(f"/cases/{demo.cases[demo.other][0].id}").status_code == 404  # a refusal to list
    client.get("/")  # a dashboard view, whose detail has several keys
    admin = client.application.test_client()
    login(admin, Demo.email("admin"))
    html = admin.get("/admin/audit").get_data(as_text=True)
    table = html[html.index("<table"):html.index("</table>")]
    assert "Time (UK)" in table and "UTC" not in table
    assert re.search(r"\d{1,2} \w+ \d{4}, \d{1,2}:\d\d:\d\d[ap]m (GMT|BST)<", table)
    assert "Reason: Another council" in table and get_council(demo.home).name in table
    for leak in ("None", "[", "{", "&#39;", "_"):
        assert leak not in re.sub(r"<[^>]+>", "", table), f"{leak!r} in the audit table"


def test_uk_time_is_named_gmt_in_winter_and_bst_in_summer():
    assert uk_timestamp(datetime(2026, 1, 26, 9, 5, 7, tzinfo=timezone.utc)) == "26 January 2026, 9:05:07am GMT"
    assert uk_timestamp(datetime(2026, 7, 1, 9, 30, 5)) == "1 July 2026, 10:30:05am BST"  # SQLite: naive UTC
    assert uk_timestamp(None) == "–"


def test_audit_details_are_words_with_nothing_empty_and_nothing_that_may_name_a_child():
    detail = {"draft": None, "case": 7, "reason": "another_council", "removed": ["two_factor", "sessions"],
              "restricted": True, "email": "typed@example.org", "reference": "SWN-0001", "fields": {"a": 1}}
    assert audit_details(detail) == [("Reason", "Another council"), ("Case", "7"), ("Restricted", "Yes"),
                                     ("Removed", "Two factor, sessions")]
    assert audit_details(None) == [] == audit_details(["not", "a", "mapping"])


def test_amounts_are_in_pounds_as_govuk_writes_them():
    assert money(1200.5) == "£1,200.50"
    assert money(1200) == money("1200.00") == "£1,200"
    assert money(75.5) == "£75.50"
    assert money(1234567.891) == "£1,234,567.89"
    assert money(None) == "–"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 75, 101, 111)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "75th", "101st", "111th"]


def test_a_funding_requests_cost_shows_as_money():
    event = SimpleNamespace(type="funding_requested", fields={"kind": "increased_funding", "cost": 1200.5})
    assert ("Cost", "£1,200.50") in event_details(event)
