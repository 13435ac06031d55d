"""The dashboard at scale (issue 13, item 8): each case's summary stored on its row
(hearth.web.case_summaries) and kept current when events are recorded or withdrawn, daily and
when a policy is published; cases that need a decision sort with the urgent ones; the policy's
recommendation in its own column; search by child reference or worker, inside the council;
25 cases a page, and a page asks the engine only about its own stale rows.
Northshire's cases and today (Monday 29 December 2025) are in live_support.py."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from alembic import command
from bs4 import BeautifulSoup
from click.testing import CliRunner
from sqlalchemy import func, inspect, insert, select, text

from hearth.engine import api
from hearth.engine.policy_files import PolicyFiles
from hearth.web import case_summaries, cli, db, migrate, publishing, records, workflow
from hearth.web.db import make_engine
from hearth.web.models import Case, Event, Role, User
from hearth.web.views import dashboard as dashboard_view

from live_support import COUNCIL, PASSWORD, TODAY, add_case, live_policies, world  # noqa: F401
from policy_store_support import empty_database
from web_support import login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

# A missing episode whose return interview was held: the trigger calls for a meeting, and no
# deadline runs until somebody decides to hold one.
NEEDS_DECISION = ("N-0007", "in_house_foster", "2025-08-01",
                  [("missing_episode", "2025-12-10", {}), ("return_interview_held", "2025-12-11", {})])


def signed_in(app, email, password="hearth-demo"):
    client = app.test_client()
    assert login(client, email, password).status_code == 302
    return client


def page(client, **query):
    answer = client.get("/", query_string=query)
    assert answer.status_code == 200
    soup = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
    table = soup.find("table", id="cases")
    listed = [] if table is None else [
        [" ".join(c.get_text(" ", strip=True).split()) for c in tr.find_all(["th", "td"])]
        for tr in table.find("tbody").find_all("tr")]
    return soup, listed


def refs(listed):
    return [row[0] for row in listed]


def add(app, world, ref, placement, started, events, who="worker"):
    with app.app_context():
        s = db.session()
        case = add_case(s, COUNCIL, ref, placement, started, s.get(User, world.users[who]), events)
        s.commit()
        return case.id


def stored(app, case_id) -> Case:
    with app.app_context():
        case = db.session().get(Case, case_id)
        db.session().expunge(case)
        return case


def test_needs_a_decision_sorts_after_overdue_and_before_due_dates_with_its_recommendation(app, world):
    add(app, world, *NEEDS_DECISION)
    manager = signed_in(app, world.emails["manager"])
    _, listed = page(manager)
    assert refs(listed) == ["N-0001", "N-0002", "N-0007", "N-0003", "N-0004", "N-0005", "N-0006"]
    assert listed[2][3:] == ["Hold a stability meeting", "Nothing decided yet Needs a decision"]
    assert "No deadline" not in listed[2]
    assert refs(page(manager, status="decision")[1]) == ["N-0007"]
    assert "N-0007" not in refs(page(manager, status="none")[1])


def test_search_by_child_reference_or_worker_stays_inside_the_council(app, world, demo):
    manager = signed_in(app, world.emails["manager"])
    assert refs(page(manager, search="n-0003")[1]) == ["N-0003"]
    assert refs(page(manager, search="Second work")[1]) == ["N-0005"]   # worker2's name
    assert refs(page(manager, search="worker2@")[1]) == ["N-0005"]      # or their address
    with app.app_context():
        elsewhere = db.session().scalars(select(Case.child_ref).where(Case.council_id == demo.home)).first()
    soup, listed = page(manager, search=elsewhere)
    assert listed == [] and "There are no open cases that match" in soup.text
    soup, listed = page(manager, search="%")   # a wildcard is a character like any other
    assert listed == []
    # a worker searches their own cases unless they choose every worker's, as the list does
    worker = signed_in(app, world.emails["worker2"], PASSWORD)
    soup, listed = page(worker, search="N-0003")
    assert listed == [] and soup.find("a", string="Look at every worker's cases") is not None
    assert refs(page(worker, search="N-0003", worker="all")[1]) == ["N-0003"]


def test_a_search_too_long_is_a_located_error_and_lists_every_case(app, world):
    manager = signed_in(app, world.emails["manager"])
    soup, listed = page(manager, search="N" * 65)
    assert len(listed) == 6
    summary = soup.find(class_="govuk-error-summary")
    assert summary is not None and summary.find("a")["href"] == "#search"
    assert soup.title.text.startswith("Error:")


def test_recording_an_event_writes_the_summary_and_withdrawing_it_marks_it_for_the_list(app, world):
    case_id = world.ids["N-0005"]
    manager = signed_in(app, world.emails["manager"])
    page(manager)   # every summary made
    assert stored(app, case_id).next_status == "none"
    with app.test_request_context():
        s = db.session()
        case, recorder = s.get(Case, case_id), s.get(User, world.users["manager"])
        with pytest.MonkeyPatch.context() as patched:
            calls = []
            real = api.evaluate
            patched.setattr(api, "evaluate", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
            workflow.record_events(case, [{"type": "missing_episode", "on": "2025-12-20"}], recorder)
        assert len(calls) == 1   # the check before saving; the summary reuses its answer
    written = stored(app, case_id)
    assert (written.next_status, written.next_due_title, written.next_due_on) == (
        "overdue", "Return interview", date(2025, 12, 23))
    assert (written.summary_as_of, written.summary_policy_version) == (TODAY, "2025-04")
    assert refs(page(manager, status="overdue")[1]) == ["N-0001", "N-0005", "N-0002"]  # by due date

    with app.test_request_context():
        s = db.session()
        case = s.get(Case, case_id)
        event = s.scalars(select(Event).where(Event.case_id == case_id)).one()
        event.withdrawn_at = records.utcnow()   # as a withdrawn record's events are
        s.commit()
    assert stored(app, case_id).summary_as_of is None   # marked, with its revision counted
    assert stored(app, case_id).summary_revision == written.summary_revision + 1
    assert refs(page(manager, status="overdue")[1]) == ["N-0001", "N-0002"]
    assert stored(app, case_id).next_status == "none"


def _counted(real, calls):
    return lambda *a, **k: calls.append(a[1]["child"]["ref"]) or real(*a, **k)


def test_a_summary_made_from_old_events_never_replaces_a_newer_one(app, world):
    case_id = world.ids["N-0005"]
    with app.test_request_context():
        s = db.session()
        case = s.get(Case, case_id)
        old_revision = case.summary_revision
        s.execute(text("UPDATE cases SET summary_revision = summary_revision + 1 WHERE id = :id"), {"id": case_id})
        s.commit()
        case.summary_revision = old_revision   # as read before the events changed
        case_summaries.refresh([case])
    assert stored(app, case_id).summary_as_of is None


def test_the_daily_job_refreshes_summaries_of_another_day_or_policy(app, world):
    page(signed_in(app, world.emails["manager"]))
    with app.app_context():
        s = db.session()
        s.execute(text("UPDATE cases SET summary_policy_hash = 'before', next_status = 'none' "
                       "WHERE council_id = :council"), {"council": COUNCIL})
        s.commit()
        answer = case_summaries.refresh_summaries(COUNCIL, TODAY.isoformat())
        assert answer == {"on": "2025-12-29", "refreshed": {COUNCIL: 6}}
        assert case_summaries.refresh_summaries(COUNCIL, TODAY.isoformat())["refreshed"] == {COUNCIL: 0}
        assert s.scalar(select(Case.next_status).where(Case.id == world.ids["N-0001"])) == "overdue"
        assert case_summaries.refresh_summaries(COUNCIL, (TODAY + timedelta(days=1)).isoformat()
                                                )["refreshed"] == {COUNCIL: 6}


def test_hearth_summaries_refresh_is_the_daily_command(app, world, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("HEARTH_ENV", "testing")
    result = CliRunner().invoke(cli.build_cli(), ["summaries", "refresh", "--council", COUNCIL])
    assert result.exit_code == 0, result.output
    assert f"6 open cases brought up to date ({COUNCIL} 6)" in result.output
    made = stored(app, world.ids["N-0001"])   # the command's day is the real one: nothing pins it
    assert made.summary_as_of == date.today() and made.next_status in case_summaries.STATUS_ORDER


def test_publishing_a_policy_queues_its_councils_summaries_once_committed(app, monkeypatch):
    council = api.list_councils()[0].id
    empty_database(app, *(User(email=f"{who}@{council}.test", name=who, password_hash="x", role=Role.POLICY_OFFICER,
                               council_id=council) for who in ("first", "second")))
    queued = []
    monkeypatch.setattr(case_summaries, "queue_refresh", queued.append)
    monkeypatch.setattr(publishing, "check_publishable", lambda files: None)   # its own tests check it
    with app.app_context():
        s = db.session()
        first = publishing.officer(s, council, f"first@{council}.test")
        second = publishing.officer(s, council, f"second@{council}.test")
        files = PolicyFiles.from_folder(api.policies_root() / council)
        asked = publishing.request_publication(s, files, by=first, effective_from=date.today(), change_note="x",
                                               today=date.today())
        publishing.approve(s, council, by=second, request_id=asked.id, today=date.today())
        assert queued == []   # not before the publication is kept
        s.rollback()
        assert queued == []
        asked = publishing.request_publication(s, files, by=first, effective_from=date.today(), change_note="x",
                                               today=date.today())
        publishing.approve(s, council, by=second, request_id=asked.id, today=date.today())
        s.commit()
    assert queued == [council]


def test_300_cases_page_by_25_and_a_page_asks_the_engine_only_about_its_own_stale_rows(app, world, monkeypatch):
    with app.app_context():
        s = db.session()
        worker = world.users["worker"]
        ids = s.execute(insert(Case).returning(Case.id), [
            {"council_id": COUNCIL, "child_ref": f"M-{number:04d}", "placement_type": "in_house_foster",
             "placement_started": date(2025, 1, 1), "worker_id": worker, "status": "open"}
            for number in range(300)]).scalars().all()
        s.execute(insert(Event), [{"case_id": case_id, "type": "stability_concern_raised",
                                   "on": TODAY - timedelta(days=number % 50), "fields": {}}
                                  for number, case_id in enumerate(ids) if number % 2])
        s.commit()
        case_summaries.refresh_council(COUNCIL, TODAY)
    calls = []
    monkeypatch.setattr(api, "evaluate", _counted(api.evaluate, calls))
    manager = signed_in(app, world.emails["manager"])
    soup, listed = page(manager)
    assert calls == [] and len(listed) == 25
    assert "306 open cases" in soup.find("caption").text and "page 1 of 13" in soup.find("caption").text
    assert refs(listed)[:2] == ["N-0001", "N-0002"]   # overdue first, over every page
    pagination = soup.find("nav", class_="govuk-pagination")
    assert pagination.find("a", rel="next")["href"].startswith("/?page=2")
    assert [item.get_text(strip=True) for item in pagination.find_all("li")] == ["1", "2", "⋯", "13"]
    _, last = page(manager, page=13)
    assert len(last) == 306 - 12 * 25 and refs(last)[-1] == "N-0006"
    assert page(manager, page=99)[1] == last and page(manager, page="x")[1] == listed
    everyone = {ref for number in range(1, 14) for ref in refs(page(manager, page=number)[1])}
    assert len(everyone) == 306

    monkeypatch.setitem(app.config, "HEARTH_TODAY", TODAY + timedelta(days=1))
    soup, listed = page(manager, page=3)
    assert len(calls) == 25 and set(calls) == set(refs(listed))   # the page's rows, not 306
    assert "being checked against today's policy" in soup.text
    assert dashboard_view.PAGE_SIZE == 25


def test_migration_0008_adds_the_summary_columns_and_takes_them_away(app, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'summaries.db'}")
    migrate.upgrade(engine, "0007")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO cases (id, council_id, child_ref, placement_type, placement_started, "
                                "status, created_at, restricted) VALUES (1, 'north', 'A-1', 'ifa_foster', "
                                "'2025-01-01', 'open', '2025-01-01 09:00:00', 0)"))
    migrate.upgrade(engine)
    columns = {column["name"] for column in inspect(engine).get_columns("cases")}
    assert {"next_status", "next_due", "recommendation", "summary_as_of", "summary_policy_version",
            "summary_revision"} <= columns
    with engine.connect() as connection:   # an existing case starts with no summary, at revision 0
        assert connection.execute(text("SELECT summary_as_of, summary_revision, next_planned_late FROM cases")
                                  ).one() == (None, 0, 0)
    assert migrate.diff(engine) == []
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    columns = {column["name"] for column in inspect(engine).get_columns("cases")}
    assert not columns & {"next_status", "summary_as_of", "summary_revision"}
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(text("cases"))).scalar() == 1
    engine.dispose()
