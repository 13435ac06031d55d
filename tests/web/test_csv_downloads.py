"""Managers' CSV downloads: the dashboard's list (the same cases, in the same order, for the
same filters as the page) and a month's meeting timeliness (decided, due, held, minuted, and
on time or not, as the engine's deadlines say); UTF-8 with a BOM, every cell safe from
formula injection; a worker's request is a 403; every download audited."""
from __future__ import annotations

import calendar
import csv
import io
from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from hearth.web import db
from hearth.web.models import AuditAction, AuditEntry
from hearth.web.spreadsheet import safe_cell

from records_support import add_case, signed_in, url
from web_support import csrf_token
from workflow_support import answer

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")
MEETINGS = ("initial_meeting", "review_meeting")   # the evaluation contract's meeting deadline ids


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def dashboard_refs(client, query: str) -> list[str]:
    page = BeautifulSoup(client.get("/" + query).get_data(as_text=True), "html.parser")
    return [link.get_text(strip=True) for link in page.select("#cases tbody a[href^='/cases/']")]


def test_the_list_is_the_dashboards_and_its_cells_are_safe(app, demo):
    council = demo.home
    with app.app_context():
        add_case(council, "=HYPERLINK(\"http://example.com\")", None, closed=False)
    manager = signed_in(app, demo.email("manager", council))
    page = BeautifulSoup(manager.get("/").get_data(as_text=True), "html.parser")
    link = page.select_one("#downloads a[href*='cases.csv']")
    assert link is not None
    for query in ("?worker=all", "?worker=all&status=overdue", "?worker=none"):
        rows = read_csv(manager.get(url(app, "downloads.cases_csv") + query))
        assert rows[0][:5] == ["Child reference", "Placement", "Worker", "Next deadline", "Due"]
        assert [row[0] for row in rows[1:]] == [safe_cell(ref) for ref in dashboard_refs(manager, query)], query
    everything = read_csv(manager.get(link["href"]))
    assert "'=HYPERLINK(\"http://example.com\")" in [row[0] for row in everything]
    assert [safe_cell(text) for text in ("+1", "-1", "@SUM(A1)", "=1", "1-2", None)] == \
        ["'+1", "'-1", "'@SUM(A1)", "'=1", "1-2", ""]
    with app.app_context():
        exported = db.session().scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORTED.value)).all()
        assert [entry.object_type for entry in exported] == ["case_list"] * 4


def expected_meetings(app, demo, council: str, first: date, last: date) -> set[tuple]:
    """Each meeting deadline of the council's demo cases whose decision, due day or holding is
    in the month, read from the engine's answer: (reference, decided, due, held, status)."""
    found = set()
    for case in demo.cases[council]:
        for entry in answer(app, case.id)["deadlines"]:
            days = [entry.get(key) for key in ("started_on", "due", "met_on")]
            if entry["id"] in MEETINGS and any(day and first.isoformat() <= day[:10] <= last.isoformat() for day in days):
                found.add((case.child_ref, entry["started_on"], entry["due"][:10], entry.get("met_on") or "",
                           entry["status"]))
    return found


def test_a_months_meeting_timeliness_from_the_engines_deadlines(app, demo):
    council = "swindon"   # its policy sets deadlines for the meeting and for its minutes
    held = sorted(entry["met_on"] for case in demo.cases[council] for entry in answer(app, case.id)["deadlines"]
                  if entry["id"] in MEETINGS and entry.get("met_on"))
    assert held, "the demo has a meeting held"
    month = date.fromisoformat(held[0]).replace(day=1)
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    manager = signed_in(app, demo.email("manager", council))
    page = url(app, "downloads.meeting_timeliness")
    token = csrf_token(manager, page)

    refused = manager.post(page, data={"csrf_token": token, "month": "13", "year": "20x6"}).get_data(as_text=True)
    assert "There is a problem" in refused and "Enter the year as 4 digits" in refused
    future = manager.post(page, data={"csrf_token": token, "month": "1", "year": str(date.today().year + 1)})
    assert "Enter a year from 2000" in future.get_data(as_text=True)

    response = manager.post(page, data={"csrf_token": token, "month": str(month.month), "year": str(month.year)})
    assert f'{council}-meeting-timeliness-{month:%Y-%m}.csv' in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:7] == ["Child's reference", "Worker", "Meeting", "Decided (or counted from)", "Meeting due",
                           "Meeting held", "Meeting on time"]
    words = {"met": "Yes", "late": "No, late", "overdue": "No, overdue", "pending": "Not yet due"}
    got = {(row[0], row[3], row[4], row[5], row[6]) for row in rows[1:]}
    expected = expected_meetings(app, demo, council, month, last)
    minutes = [row[7:] for row in rows[1:] if row[5]]
    assert minutes and all(len(row) == 3 and row[0] for row in minutes)   # a meeting held: its minutes' deadline
    assert expected and got == {(ref, decided, due, met, words[status]) for ref, decided, due, met, status in expected}


def test_workers_may_not_download_the_councils_lists(app, demo):
    worker = signed_in(app, demo.email("worker", demo.home))
    assert worker.get(url(app, "downloads.cases_csv")).status_code == 403
    assert worker.get(url(app, "downloads.meeting_timeliness")).status_code == 403
    assert "cases.csv" not in worker.get("/").get_data(as_text=True)
    admin = signed_in(app, demo.email("admin", demo.home))   # the council's admin, for its reports
    assert "cases.csv" in admin.get("/").get_data(as_text=True)
    assert read_csv(admin.get(url(app, "downloads.cases_csv")))[0][0] == "Child reference"
    service_admin = signed_in(app, demo.email("admin"))   # no council: no council's list
    assert service_admin.get(url(app, "downloads.cases_csv")).status_code == 403
