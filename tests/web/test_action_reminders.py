"""Reminders of agreed actions (hearth.web.reminders.action_items): an action overdue and one
coming due are emailed once each to the case's worker and their team's manager however often the
job runs; one done, or not yet near its date, is not; a changed date is a new reminder."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from hearth.web import db
from hearth.web.access_models import Team
from hearth.web.models import Case, Event, User

from councils import needs_council
from fake_notify import FakeNotify
from test_reminders import BASE_URL, run_and_wait, sent

COUNCIL = "swindon"
ON = date(2025, 12, 3)   # a Wednesday: due within 2 working days is up to Friday 5 December

pytestmark = [needs_council(COUNCIL),
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")]


@pytest.fixture
def fake():
    with FakeNotify() as server:
        yield server


@pytest.fixture
def world(app, demo, fake, monkeypatch):
    """One open case with four actions agreed on 24 November: overdue, due Friday, due in a
    month, and overdue but done."""
    for key, value in {"HEARTH_NOTIFY_API_KEY": fake.api_key, "HEARTH_NOTIFY_BASE_URL": fake.base_url,
                       "HEARTH_REDIS_URL": "", "HEARTH_BASE_URL": BASE_URL, "HEARTH_TODAY": ON}.items():
        monkeypatch.setitem(app.config, key, value)
    with app.app_context():
        s = db.session()
        s.execute(update(Case).values(status="closed"))
        worker = s.scalar(select(User).where(User.email == f"worker@{COUNCIL}.demo"))
        team = s.scalar(select(Team).where(Team.council_id == COUNCIL))
        case = Case(council_id=COUNCIL, child_ref="ACT-REMIND", placement_type="in_house_foster",
                    placement_started=date(2025, 1, 1), worker_id=worker.id, team_id=team.id)
        agreed = [Event(type="action_agreed", on=date(2025, 11, 24), fields={"action": what, "due": due})
                  for what, due in (("Book respite", "2025-12-01"), ("Ask the school", "2025-12-05"),
                                    ("Find a mentor", "2026-01-05"), ("Call the carers", "2025-11-28"))]
        case.events = agreed
        s.add(case)
        s.flush()
        s.add(Event(case=case, type="action_completed", on=date(2025, 11, 27), fields={"action": str(agreed[3].id)}))
        s.commit()
        yield {"worker": worker.email, "manager": team.manager.email, "case": case.id, "respite": agreed[0].id}


def test_overdue_and_coming_due_actions_are_sent_once(app, world, fake):
    first = run_and_wait(app, fake, ON)
    assert (first["overdue"], first["due"]) == (2, 2)
    expected = sorted((person, subject) for person in (world["worker"], world["manager"]) for subject in (
        "Overdue since Monday 1 December 2025: Book respite for child ACT-REMIND",
        "Due Friday 5 December 2025: Ask the school for child ACT-REMIND"))
    assert sent(fake) == expected
    body = next(b for b in fake.sent if "Book respite" in b["personalisation"]["subject"])["personalisation"]
    assert body["what"] == "Book respite (agreed action)" and body["link"] == f"{BASE_URL}/cases/{world['case']}"
    again = run_and_wait(app, fake, ON)
    assert (again["overdue"], again["due"], again["already_sent"]) == (0, 0, 4) and sent(fake) == expected

    # the respite's date moved to Thursday: a new item, coming due
    with app.app_context():
        s = db.session()
        s.add(Event(case_id=world["case"], type="action_changed", on=ON,
                    fields={"action": str(world["respite"]), "due": "2025-12-04", "reason": "Carers away"}))
        s.commit()
    moved = run_and_wait(app, fake, ON)
    assert (moved["overdue"], moved["due"]) == (0, 2)
    assert sum("Due Thursday 4 December 2025: Book respite" in subject for _, subject in sent(fake)) == 2
