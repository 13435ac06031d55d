"""Demo data lives in each council's folder (policies/<id>/demo/cases.yaml), not in Python:
every council's demo cases read, record and evaluate under its own policy; a mistake in a
demo file is a located problem; relative dates follow the day the demo is made; a council
without a demo file gets log-ins and no cases."""
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from hearth.engine import api
from hearth.engine.demo import DEMO_FILE, read_demo_cases
from hearth.engine.linting import lint_council
from hearth.engine.scaffold import new_council
from hearth.rules.source import SourceError
from hearth.web import migrate
from hearth.web.models import Case, User
from hearth.web.seed import seed_demo

ROOT = Path(__file__).resolve().parents[1]

POLICIES = ROOT / "policies"
WITH_DEMO = [folder.name for folder in sorted(POLICIES.iterdir()) if (folder / DEMO_FILE).is_file()]
TODAY = date(2026, 1, 26)


def demo(council, today=TODAY, root=POLICIES):
    return read_demo_cases(root / council, api.get_policy(council, root), today)


def test_the_shipped_councils_have_demo_data():
    assert {"gateshead", "swindon"} <= set(WITH_DEMO)


@pytest.mark.parametrize("council", WITH_DEMO)
def test_every_demo_case_evaluates_under_its_councils_policy(council):
    cases = demo(council)
    assert cases and len({case.ref for case in cases}) == len(cases)
    for case in cases:
        document = {"child": {"ref": case.ref},
                    "placement": {"type": case.placement_type, "started": case.placement_started.isoformat()},
                    "events": [{"type": e.type, "on": e.on.isoformat(), **e.fields} for e in case.events]}
        answer = api.evaluate(council, document, TODAY)
        assert answer["as_of"] == TODAY.isoformat()


@pytest.mark.parametrize("council", WITH_DEMO)
def test_a_demo_meetings_chair_is_one_the_policy_offers(council):
    """Valid for the council's policy, not only its vocabulary: whoever chairs a demo meeting
    is among the chair options the policy gives for that child on that day."""
    for case in demo(council):
        for index, event in enumerate(case.events):
            if "chair" not in event.fields:
                continue
            document = {"child": {"ref": case.ref},
                        "placement": {"type": case.placement_type, "started": case.placement_started.isoformat()},
                        "events": [{"type": e.type, "on": e.on.isoformat(), **e.fields} for e in case.events[:index]]}
            options = api.evaluate(council, document, event.on)["chair"]
            assert event.fields["chair"] in options["options"], (case.ref, event, options)


def test_relative_dates_follow_the_day_the_demo_is_made():
    for today in (TODAY, date(2030, 6, 3)):
        first = demo("swindon", today)[0]
        assert first.placement_started == today - timedelta(days=400)
        assert [e.on for e in first.events] == [today - timedelta(days=n) for n in (12, 9, 6)]
    arranged = demo("swindon")[4].events[-1]
    assert arranged.fields["meeting_date"] == (TODAY + timedelta(days=14)).isoformat()


@pytest.fixture
def council_copy(tmp_path):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES / "swindon", root / "swindon")
    return root


def _place(path, text):
    """'line:column' of the first place `text` is written in the file."""
    return next(f"{number}:{line.index(text) + 1}" for number, line in enumerate(path.read_text().splitlines(), start=1)
                if text in line)


def _break(root, old, new):
    path = root / "swindon" / DEMO_FILE
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


# (what the file says, the mistake written instead, the text the problem points at, the
# field it names, what it says): the place is where that text is in the broken file.
@pytest.mark.parametrize("old, new, at, field, words", [
    ("{type: missing_episode, on: {days_ago: 12}}", "{type: missing_episod, on: {days_ago: 12}}",
     "missing_episod", "events[0].type", "Did you mean 'missing_episode'?"),
    ("{type: in_house_foster,", "{type: in_house_fostr,", "in_house_fostr", "placement.type",
     "Did you mean 'in_house_foster'?"),
    ("on: {days_ago: 12}", "on: {days_ago: -12}", "-12", "cases[0].events[0].on.days_ago", "0 or more"),
    ("on: {days_ago: 12}", "on: {days_from_now: 12}", "{days_from_now", "cases[0].events[0].on", "after today"),
    ("funding: true", "funding: yes please", "yes please", "events[0].funding", "true or false"),
    ("child: {ref: S-2002}", "child: {ref: S-2001} ", "S-2001} ", "cases[1].child.ref", "used twice"),
    ("child: {ref: S-2004}", "child: {}", "{}", "cases[3].child", "needs 'ref'"),
    ("- child: {ref: S-2003}", "- chld: {ref: S-2003}", "chld", "chld", "Did you mean 'child'?"),
])
def test_a_mistake_in_demo_data_is_located(council_copy, old, new, at, field, words):
    path = _break(council_copy, old, new)
    line, text = next((number, text) for number, text in enumerate(path.read_text().splitlines(), start=1)
                      if new in text)
    with pytest.raises(SourceError) as refused:
        demo("swindon", root=council_copy)
    said = "\n".join(str(problem) for problem in refused.value.problems)
    assert f"{path}:{line}:{text.index(at) + 1} ({field}): " in said and words in said, said


def test_an_event_a_worker_may_not_record_is_refused(council_copy):
    path = _break(council_copy, "{type: carer_needs_more_support, on: {days_ago: 5}, funding: true}",
                  "{type: funding_approved, on: {days_ago: 5}, request: increased_funding}")
    with pytest.raises(SourceError, match="Only a manager can record"):
        demo("swindon", root=council_copy)
    assert path.is_file()


def _seed(root, monkeypatch, tmp_path):
    monkeypatch.setenv("HEARTH_POLICIES", str(root))
    engine = create_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    migrate.upgrade(engine)
    return Session(engine)


def test_the_seed_reads_each_councils_folder(tmp_path, monkeypatch, council_copy):
    new_council(council_copy, "calderdale", "Calderdale Council", "england", effective_from=date(2025, 4, 1))
    (council_copy / "calderdale" / DEMO_FILE).unlink()
    new_council(council_copy, "kirklees", "Kirklees Council", "england", effective_from=date(2025, 4, 1))
    with _seed(council_copy, monkeypatch, tmp_path) as session:
        assert seed_demo(session, today=TODAY)
        refs = {council: [case.child_ref for case in session.scalars(select(Case).where(Case.council_id == council)
                                                                     .order_by(Case.id))]
                for council in ("swindon", "calderdale", "kirklees")}
        users = {user.email for user in session.scalars(select(User))}
    assert refs == {"swindon": ["S-2001", "S-2002", "S-2003", "S-2004", "S-2005"], "calderdale": [],
                    "kirklees": ["K-0001", "K-0002"]}
    assert {"worker@calderdale.demo", "manager@calderdale.demo", "policy@calderdale.demo"} <= users


def test_bad_demo_data_stops_the_seed_with_nothing_added(tmp_path, monkeypatch, council_copy):
    _break(council_copy, "{type: allegation,", "{type: alegation,")
    with _seed(council_copy, monkeypatch, tmp_path) as session:
        with pytest.raises(SourceError, match="Did you mean 'allegation'"):
            seed_demo(session, today=TODAY)
        session.rollback()
        assert session.scalars(select(User)).first() is None


def test_lint_reports_a_mistake_in_demo_data(council_copy):
    path = _break(council_copy, "{type: allegation,", "{type: alegation,")
    problems, _ = lint_council(council_copy / "swindon")
    assert [str(problem) for problem in problems] == [
        f"{path}:{_place(path, 'alegation')} (events[0].type): 'alegation' is not an event type this council's "
        "policy knows. Did you mean 'allegation'?"]


def test_seeding_from_the_command_line_says_where_and_exits_2(tmp_path, council_copy):
    path = _break(council_copy, "{type: allegation,", "{type: alegation,")
    env = dict(os.environ, HEARTH_POLICIES=str(council_copy), DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}",
               HEARTH_INSTANCE=str(tmp_path / "instance"))
    hearth = [sys.executable, "-c", "from hearth.web.cli import main; main()"]
    assert subprocess.run(hearth + ["db", "upgrade"], env=env, capture_output=True, timeout=120).returncode == 0
    seeded = subprocess.run(hearth + ["db", "seed-demo"], env=env, capture_output=True, text=True, timeout=120)
    assert seeded.returncode == 2 and "Traceback" not in seeded.stderr
    assert f"{path}:{_place(path, 'alegation')} (events[0].type): 'alegation' is not an event type" in seeded.stderr


def test_a_council_whose_policy_cannot_load_gets_log_ins_and_no_cases(tmp_path, monkeypatch, council_copy):
    new_council(council_copy, "kirklees", "Kirklees Council", "england", effective_from=date(2025, 4, 1))
    version = council_copy / "kirklees" / "versions" / "2025-04.yaml"
    version.write_text(version.read_text().replace("effective_from: 2025-04-01", "effective_from: 2025-02-31"))
    with _seed(council_copy, monkeypatch, tmp_path) as session:
        assert seed_demo(session, today=TODAY)
        councils = {case.council_id for case in session.scalars(select(Case))}
        users = {user.email for user in session.scalars(select(User))}
    assert councils == {"swindon"} and "worker@kirklees.demo" in users
