"""Fixtures for the live-evaluation pages (case page, dashboard): the fixture council
Northshire beside the seed councils, and a pinned 'today' with hand-counted cases.

Today is Monday 29 December 2025, so Northshire's April 2025 version is in force
(closed 24 December; bank holidays 25, 26 December and 1 January)."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from hearth.web.models import Case, Event, User
from hearth.web.passwords import hash_password

from councils import session_root

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "policies" / "northshire"
COUNCIL = "northshire"
TODAY = date(2025, 12, 29)
PASSWORD = "a long test password"

# ref: (placement, started, worker key, events as (type, on, fields))
CASES = {
    "N-0001": ("in_house_foster", "2025-06-01", "worker", [("missing_episode", "2025-12-15", {})]),
    "N-0002": ("private_childrens_home", "2025-09-01", "worker", [
        ("missing_episode", "2025-12-22", {}),
        ("stability_concern_raised", "2025-12-22", {"by": "childs_social_worker", "details": "Placement under strain"}),
    ]),
    "N-0003": ("la_childrens_home", "2025-10-01", "worker", [("stability_concern_raised", "2025-12-29", {})]),
    "N-0004": ("in_house_foster", "2025-02-01", "worker", [("stability_concern_raised", "2025-12-01", {})]),
    "N-0005": ("connected_carer", "2025-03-01", "worker2", []),
    "N-0006": ("ifa_foster", "2025-05-01", "worker", [
        ("stability_concern_raised", "2025-11-03", {}),
        ("stability_meeting_held", "2025-11-10", {"chair": "childs_team_manager",
                                                  "attendees": ["childs_social_worker", "foster_carer"]}),
        ("review_meeting_held", "2025-11-20", {}),
    ]),
}


def copy_council(source: Path, root: Path, name: str | None = None) -> Path:
    target = root / (name or source.name)
    target.mkdir(parents=True)
    shutil.copy(source / "council.yaml", target / "council.yaml")
    shutil.copytree(source / "versions", target / "versions")
    for part in ("demo", "document", "forms"):  # the seed's demo cases; the document and forms council.yaml names
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part)
    return target


@pytest.fixture
def live_policies(tmp_path, monkeypatch) -> Path:
    """The session's councils as they are (tests/councils.py), plus Northshire from the test fixtures."""
    root = tmp_path / "policies"
    for council in sorted(session_root().iterdir()):
        if (council / "council.yaml").is_file():
            copy_council(council, root)
    copy_council(FIXTURE, root)
    monkeypatch.setenv("HEARTH_POLICIES", str(root))
    return root


@dataclass
class World:
    ids: dict[str, int]       # child ref -> case id
    users: dict[str, int]     # worker, worker2, manager -> user id
    emails: dict[str, str]


def add_case(s, council: str, ref: str, placement: str, started: str, worker: User | None, events) -> Case:
    case = Case(council_id=council, child_ref=ref, placement_type=placement,
                placement_started=date.fromisoformat(started), worker=worker, status="open")
    case.events = [Event(type=t, on=date.fromisoformat(on), fields=fields, recorded_by=worker)
                   for t, on, fields in events]
    s.add(case)
    return case


@pytest.fixture
def world(app, live_policies, demo, monkeypatch) -> World:
    """Northshire's hand-counted cases instead of its demo ones, on a pinned today."""
    from hearth.web import db
    monkeypatch.setitem(app.config, "HEARTH_TODAY", TODAY)
    with app.app_context():
        s = db.session()
        old = select(Case.id).where(Case.council_id == COUNCIL)
        s.execute(delete(Event).where(Event.case_id.in_(old)))
        s.execute(delete(Case).where(Case.council_id == COUNCIL))
        people = {key: s.scalar(select(User).where(User.email == f"{key}@{COUNCIL}.demo"))
                  for key in ("worker", "manager")}
        people["worker2"] = User(email=f"worker2@{COUNCIL}.test", name="Second worker", role="worker",
                                 council_id=COUNCIL, password_hash=hash_password(PASSWORD))
        s.add(people["worker2"])
        cases = {ref: add_case(s, COUNCIL, ref, placement, started, people[who], events)
                 for ref, (placement, started, who, events) in CASES.items()}
        s.commit()
        return World(ids={ref: c.id for ref, c in cases.items()},
                     users={k: u.id for k, u in people.items()},
                     emails={k: u.email for k, u in people.items()})


@pytest.fixture
def broken(app, world, live_policies) -> int:
    """A council whose only version file is wrong, with one worker and one case; returns the case id."""
    from hearth.web import db
    folder = copy_council(FIXTURE, live_policies, "brokenshire")
    (folder / "versions" / "2025-04.yaml").write_text("effective_from: 2025-04-31\ntriggers: nope\n")
    with app.app_context():
        s = db.session()
        user = User(email="worker@brokenshire.test", name="Broken worker", role="worker", council_id="brokenshire",
                    password_hash=hash_password(PASSWORD))
        s.add(user)
        case = add_case(s, "brokenshire", "B-0001", "in_house_foster", "2025-01-01", user,
                        [("missing_episode", "2025-12-20", {})])
        s.commit()
        return case.id
