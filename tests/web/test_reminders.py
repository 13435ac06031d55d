"""Reminders (hearth.web.reminders): a deadline overdue and a duty due today on a Swindon case
are emailed, through the real Notify client to the fake Notify, to the case's worker and their
team's manager (not another manager; on a restricted case only to those named on it), once
per item, stage and person however often the job runs -- two runs at once included, on both
databases; the next day the duty's overdue stage goes once; a council's own templates are
used; `hearth reminders send` prints what it sent."""
from __future__ import annotations

import dataclasses
import os
import threading
from datetime import date

import pytest
from sqlalchemy import select, update

from hearth.engine import api
from hearth.engine.council_settings import NotifySettings
from hearth.web import db, notify, reminders
from hearth.web.access_models import CaseAccess, Team
from hearth.web.models import AuditEntry, Case, Event, Role, User
from hearth.web.record_models import ReminderSending

from cli_support import hearth
from councils import needs_council
from fake_notify import FakeNotify
from test_jobs import finished, follow, wait_for

COUNCIL = "swindon"
ON = date(2025, 12, 3)          # a Wednesday: the duty is due today, the meeting was due on 24 November
NEXT_DAY = date(2025, 12, 4)
BASE_URL = "https://hearth.example.gov.uk"
OWN_TEMPLATES = (("reminder_due", "0c0c0c0c-0000-4000-8000-0000000000d1"),
                 ("reminder_overdue", "0c0c0c0c-0000-4000-8000-0000000000d2"))

pytestmark = needs_council(COUNCIL)


@pytest.fixture
def fake():
    with FakeNotify() as server:
        yield server


@pytest.fixture
def world(app, demo, fake, monkeypatch):
    """Only two open cases in the database, both Swindon's, held by its demo worker in the
    demo manager's team; the second restricted, naming only the worker. Another manager of
    the council, not the team's, must hear nothing."""
    for key, value in {"HEARTH_NOTIFY_API_KEY": fake.api_key, "HEARTH_NOTIFY_BASE_URL": fake.base_url,
                       "HEARTH_REDIS_URL": "", "HEARTH_BASE_URL": BASE_URL, "HEARTH_TODAY": ON}.items():
        monkeypatch.setitem(app.config, key, value)
    with app.app_context():
        s = db.session()
        s.execute(update(Case).values(status="closed"))
        worker = s.scalar(select(User).where(User.email == f"worker@{COUNCIL}.demo"))
        team = s.scalar(select(Team).where(Team.council_id == COUNCIL))
        s.add(User(email=f"another.manager@{COUNCIL}.demo", role=Role.MANAGER.value, council_id=COUNCIL))
        cases = []
        for ref, restricted in (("REM-OPEN", False), ("REM-RESTRICTED", True)):
            case = Case(council_id=COUNCIL, child_ref=ref, placement_type="in_house_foster",
                        placement_started=date(2025, 1, 1), worker_id=worker.id, team_id=team.id,
                        restricted=restricted)
            case.events = [Event(type="stability_meeting_decided", on=date(2025, 11, 17), fields={}),
                           Event(type="planned_ending_agreed", on=ON, fields={"external": True})]
            s.add(case)
            s.flush()
            if restricted:
                s.add(CaseAccess(case_id=case.id, user_id=worker.id))
            cases.append(case.id)
        s.commit()
        yield {"worker": worker.email, "manager": team.manager.email, "cases": cases}


def run_and_wait(app, fake, on: date) -> dict:
    """One run of the job for ``on`` and its emails delivered; its counts."""
    with app.app_context():
        report = reminders.run(on)
    for email in report.emails:
        assert wait_for(follow(app, email.id, COUNCIL), finished, "a reminder's delivery").status == "finished"
    return report.counts()


def sent(fake) -> list[tuple]:
    return sorted((body["email_address"], body["personalisation"]["subject"]) for body in fake.sent)


def test_each_item_is_sent_once_per_stage_and_person_however_often_the_job_runs(app, world, fake):
    worker, manager = world["worker"], world["manager"]
    # two runs at the same moment, each in its own thread and database connection, then a third
    counts, errors = [], []

    def one_run():
        try:
            counts.append(run_and_wait(app, fake, ON))
        except Exception as exc:  # noqa: BLE001 - said by the test below
            errors.append(exc)

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert run_and_wait(app, fake, ON)["already_sent"] == 6
    due = "Due Wednesday 3 December 2025: Commissioning Service notified of a planned ending for child"
    overdue = "Overdue since Monday 24 November 2025: Stability meeting held for child"
    assert sent(fake) == sorted([(worker, f"{due} REM-OPEN"), (manager, f"{due} REM-OPEN"),
                                 (worker, f"{overdue} REM-OPEN"), (manager, f"{overdue} REM-OPEN"),
                                 (worker, f"{due} REM-RESTRICTED"), (worker, f"{overdue} REM-RESTRICTED")])
    assert sum(c["due"] + c["overdue"] for c in counts) == 6 and sum(c["already_sent"] for c in counts) == 6
    [body] = [b for b in fake.sent if b["email_address"] == worker and "Overdue" in b["personalisation"]["subject"]
              and "REM-OPEN" in b["personalisation"]["subject"]]
    words = body["personalisation"]
    assert body["template_id"] == notify.TEMPLATES["reminder_overdue"]
    assert words["child_ref"] == "REM-OPEN" and words["due_date"] == "Monday 24 November 2025"
    assert words["link"] == f"{BASE_URL}/cases/{world['cases'][0]}" and words["link"] in words["body"]

    fake.sent.clear()
    run_and_wait(app, fake, NEXT_DAY)
    run_and_wait(app, fake, NEXT_DAY)
    overdue = "Overdue since Wednesday 3 December 2025: Commissioning Service notified of a planned ending for child"
    assert sent(fake) == sorted([(worker, f"{overdue} REM-OPEN"), (manager, f"{overdue} REM-OPEN"),
                                 (worker, f"{overdue} REM-RESTRICTED")])
    with app.app_context():
        s = db.session()
        assert len(s.scalars(select(ReminderSending)).all()) == 9
        [entry, *_] = s.scalars(select(AuditEntry).where(AuditEntry.object_type == "reminders",
                                                         AuditEntry.council_id == COUNCIL)).all()
        assert "REM-OPEN" not in str(entry.detail) and worker not in str(entry.detail)


SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")


@SQLITE_ONLY
def test_a_council_s_own_templates_are_used(app, world, fake, monkeypatch):
    council = api.get_council(COUNCIL)
    own = dataclasses.replace(council, settings=dataclasses.replace(
        council.settings, notify=NotifySettings(templates=OWN_TEMPLATES)))
    monkeypatch.setattr(api, "list_councils", lambda *args, **kwargs: [own])
    with app.app_context():   # this time as the daily job, on the job queue (a thread here: no Redis)
        started = reminders.queue_daily_run()
    done = wait_for(follow(app, started.id, reminders.SERVICE), finished, "the reminders job")
    assert done.status == "finished" and (done.result["due"], done.result["overdue"]) == (3, 3), done
    assert len(fake.wait_for(6)) == 6
    assert sorted({body["template_id"] for body in fake.sent}) == [template for _, template in OWN_TEMPLATES]


@SQLITE_ONLY
def test_the_command_sends_and_says_what_it_sent(app, world, fake, monkeypatch):
    env = {"DATABASE_URL": app.config["DATABASE_URL"], "HEARTH_NOTIFY_API_KEY": fake.api_key,
           "HEARTH_NOTIFY_BASE_URL": fake.base_url, "HEARTH_BASE_URL": BASE_URL, "HEARTH_REDIS_URL": ""}
    first = hearth("reminders", "send", "--on", ON.isoformat(), policies=os.environ["HEARTH_POLICIES"], env=env)
    assert first.returncode == 0, first.stderr
    assert "3 emails about items coming due and 3 about overdue items queued; 0 already sent" in first.stdout
    assert len(fake.sent) == 6
    again = hearth("reminders", "send", "--on", ON.isoformat(), policies=os.environ["HEARTH_POLICIES"], env=env)
    assert "0 emails about items coming due and 0 about overdue items queued; 6 already sent" in again.stdout
    assert len(fake.sent) == 6


@SQLITE_ONLY
def test_without_a_team_the_council_s_active_managers_are_told(app, demo):
    with app.app_context():
        s = db.session()
        worker = User(email=f"teamless.worker@{COUNCIL}.demo", role=Role.WORKER.value, council_id=COUNCIL)
        away = User(email=f"away.manager@{COUNCIL}.demo", role=Role.MANAGER.value, council_id=COUNCIL, active=False)
        case = Case(council_id=COUNCIL, child_ref="REM-TEAMLESS", placement_type="in_house_foster",
                    placement_started=date(2025, 1, 1), worker=worker)
        s.add_all([worker, away, case])
        s.flush()
        managers = set(s.scalars(select(User.email).where(User.council_id == COUNCIL, User.role == Role.MANAGER.value,
                                                          User.active.is_(True))))
        assert managers and {person.email for person in reminders.recipients(case)} == {worker.email, *managers}
        s.rollback()
