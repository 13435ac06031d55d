"""The web app reads the policy in force from its database's publications
(hearth.web.policy_library): the set in force on each day, records naming the set they were
made under, earlier records named by `hearth policy import`, and two app processes agreeing
on the policy in force -- on SQLite and PostgreSQL."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text, update

from hearth.engine import api
from hearth.engine.policy_files import PolicyFiles
from hearth.web import db, migrate, policy_store, tokens
from hearth.web.db import make_engine
from hearth.web.models import AuditEntry, Case, Event, User

from councils import needs_council
from policy_store_support import SWINDON_MINUTES, policy_cli
from web_support import BACKENDS, postgres_database

# A day every test council's policy is in force on, and the days around a change of it.
DAY = date(2026, 3, 2)


def _changed(council: str) -> PolicyFiles:
    """The council's published files with its first version's title changed: another set."""
    files = policy_store.files_in_force(db.session(), council, DAY)
    first = files.glob("versions/*.yaml")[0]
    text = files.text(first)
    return files.replace({first: text.replace("title:", "title: Changed", 1) if "title:" in text
                          else "title: Changed\n" + text})


def _publish(files: PolicyFiles, effective_from: date):
    publication = policy_store.publish(db.session(), files, published_by="one@x.test", approved_by="two@x.test",
                                       effective_from=effective_from, change_note="for a test")
    db.session().commit()
    return publication


def test_the_set_in_force_on_each_day_answers(app, demo):
    council = demo.home
    with app.app_context():
        before = api.policy_on(council, DAY)
        published = policy_store.files_in_force(db.session(), council, DAY)
        assert before.policy_hash == published.content_hash()  # the imported set, not the folder
        changed = _changed(council)
        _publish(changed, DAY + timedelta(days=7))
        # seen at once by the process that published (no waiting for the freshness to pass)
        assert api.policy_on(council, DAY + timedelta(days=6)).policy_hash == published.content_hash()
        assert api.policy_on(council, DAY + timedelta(days=7)).policy_hash == changed.content_hash()
        answer = api.evaluate(council, {"placement": {"type": next(iter(before.vocabulary.placement_types)),
                                                      "started": "2025-06-01"}, "events": []},
                              DAY + timedelta(days=8))
        assert answer["policy"]["content_hash"] == changed.content_hash()
        # roll back: the first set again, from a later day
        _publish(published, DAY + timedelta(days=14))
        assert api.policy_on(council, DAY + timedelta(days=13)).policy_hash == changed.content_hash()
        assert api.policy_on(council, DAY + timedelta(days=14)).policy_hash == published.content_hash()
        # another council is untouched
        assert api.policy_on(demo.other, DAY + timedelta(days=8)).policy_hash == \
            policy_store.files_in_force(db.session(), demo.other, DAY).content_hash()


def test_records_name_the_set_they_were_made_under(app, demo, login_as):
    council = demo.home
    case = demo.cases[council][0]
    with app.app_context():
        in_force = policy_store.files_in_force(db.session(), council, date.today()).content_hash()
    client = login_as(demo.email("worker", council))
    assert client.get(f"/cases/{case.id}").status_code == 200
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert in_force[:12] in page  # the evaluation shown names its set
    with app.app_context():
        viewed = db.session().scalars(select(AuditEntry).where(AuditEntry.object_type == "case",
                                                               AuditEntry.object_id == str(case.id))).all()
        assert viewed and {entry.policy_hash for entry in viewed} == {in_force}
    with app.app_context():
        s = db.session()
        token = tokens.create_token(s, s.scalar(select(User).where(User.email == demo.email("worker", council))))
        s.commit()
    answer = client.get(f"/api/v1/cases/{case.id}", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert answer["evaluation"]["policy"]["content_hash"] == in_force
    # an event recorded through the API names the set too, and so does its audit entry
    event_type = next(event.type for event in case.events)
    recorded = client.post(f"/api/v1/cases/{case.id}/events", headers={"Authorization": f"Bearer {token}"},
                           json={"events": [{"type": event_type, "on": date.today().isoformat(),
                                             **next(event.fields for event in case.events if event.type == event_type)}]})
    assert recorded.status_code == 201, recorded.get_json()
    assert [event["policy_hash"] for event in recorded.get_json()["events"]] == [in_force]
    with app.app_context():
        created = db.session().scalars(select(AuditEntry).where(AuditEntry.action == "created",
                                                                AuditEntry.object_type == "event")).all()
        assert created and {entry.policy_hash for entry in created} == {in_force}


def test_import_names_records_made_before_the_council_had_a_publication(app, demo, monkeypatch):
    council = demo.home
    with app.app_context():
        s = db.session()
        s.execute(update(Event).values(policy_hash=None))
        s.execute(update(AuditEntry).values(policy_hash=None))
        s.add(AuditEntry(action="viewed", council_id=council, object_type="case", object_id="1"))
        s.commit()
        unnamed = s.scalars(select(Event.id).join(Case).where(Case.council_id == council)).all()
        assert unnamed
    result = policy_cli(app, monkeypatch, "import", council)
    assert result.exit_code == 0, result.output
    assert "earlier record(s) now name the policy set" in result.output
    with app.app_context():
        s = db.session()
        in_force = policy_store.files_in_force(s, council, date.today()).content_hash()
        assert set(s.scalars(select(Event.policy_hash).join(Case).where(Case.council_id == council))) == {in_force}
        assert set(s.scalars(select(AuditEntry.policy_hash).where(AuditEntry.council_id == council))) == {in_force}
        # the other council's records are its own business
        assert set(s.scalars(select(Event.policy_hash).join(Case).where(Case.council_id == demo.other))) == {None}


# A process of its own: the app on the same database, answering "hash of the set in force on DAY"
# for each day it reads on stdin (a web server's view of the policy, without its HTTP).
ASKER = """
import sys
from datetime import date
from hearth.engine import api
from hearth.web import create_app
app = create_app({"HEARTH_ENV": "testing"})
council = sys.argv[1]
with app.app_context():
    for line in sys.stdin:
        print(api.policy_on(council, date.fromisoformat(line.strip())).policy_hash, flush=True)
"""


def test_two_app_processes_agree_on_the_policy_in_force(app, demo):
    council = demo.home
    environment = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "HEARTH_POLICY_FRESHNESS": "0.2"}
    askers = [subprocess.Popen([sys.executable, "-c", ASKER, council], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True, env=environment) for _ in range(2)]

    def ask(day: date) -> list[str]:
        answers = []
        for asker in askers:
            asker.stdin.write(day.isoformat() + "\n")
            asker.stdin.flush()
            answers.append(asker.stdout.readline().strip())
        return answers

    try:
        with app.app_context():
            first = policy_store.files_in_force(db.session(), council, DAY).content_hash()
            assert ask(DAY) == [first, first]
            changed = _changed(council)
            _publish(changed, DAY + timedelta(days=7))  # published by a third process: this one
        deadline = time.monotonic() + 10
        while ask(DAY + timedelta(days=7)) != [changed.content_hash()] * 2:
            assert time.monotonic() < deadline, "the other processes never saw the publication"
            time.sleep(0.1)
        # and both still apply the earlier set before its effective date
        assert ask(DAY + timedelta(days=6)) == [first, first]
    finally:
        for asker in askers:
            asker.stdin.close()
            asker.wait(timeout=30)


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    """A new, empty database of each backend (not the session's, which is migrated already)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'before.db'}")
        yield engine
        engine.dispose()
        return
    admin, name, url = postgres_database()
    engine = make_engine(url)
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migration_0005_names_existing_records_from_the_publications_in_force_on_their_day(empty_database):
    """Rows made before 0005 get the hash of the set their council had in force on their day;
    rows before any publication, or of a council without one, stay unnamed (import names those)."""
    engine = empty_database
    migrate.upgrade(engine, "0004")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO policy_sets (id, council_id, content_hash, created_at) VALUES "
                                "(1, 'north', :first, '2026-01-01 09:00:00'), (2, 'north', :second, '2026-02-01 09:00:00')"),
                           {"first": "a" * 64, "second": "b" * 64})
        connection.execute(text(
            "INSERT INTO policy_publications (id, council_id, set_id, published_by, approved_by, published_at, "
            "approved_at, effective_from, change_note) VALUES "
            "(1, 'north', 1, 'x', 'y', '2026-01-01 09:00:00', '2026-01-01 09:00:00', '2026-01-01', ''), "
            "(2, 'north', 2, 'x', 'y', '2026-02-01 09:00:00', '2026-02-01 09:00:00', '2026-02-10', '')"))
        connection.execute(text(
            "INSERT INTO audit_entries (id, at, council_id, action, detail) VALUES "
            "(1, '2025-12-31 23:00:00', 'north', 'viewed', '{}'), (2, '2026-01-15 10:00:00', 'north', 'viewed', '{}'), "
            "(3, '2026-02-10 08:00:00', 'north', 'viewed', '{}'), (4, '2026-02-10 08:00:00', 'south', 'viewed', '{}')"))
    migrate.upgrade(engine)
    with engine.connect() as connection:
        named = dict(connection.execute(text("SELECT id, policy_hash FROM audit_entries ORDER BY id")).all())
    assert named == {1: None, 2: "a" * 64, 3: "b" * 64, 4: None}
    engine.dispose()


@needs_council("swindon")
def test_hearth_policy_diff_to_draft_says_the_change_in_words(app, demo, monkeypatch):
    council = "swindon"
    missing = policy_cli(app, monkeypatch, "diff", council, "--to", "draft")
    assert missing.exit_code == 2 and "has no draft" in missing.stderr
    with app.app_context():
        s = db.session()
        files = policy_store.files_in_force(s, council, DAY)
        path = next(path for path in files.glob("versions/*.yaml") if SWINDON_MINUTES in files.text(path))
        policy_store.save_draft(s, council, path, files.text(path).replace(SWINDON_MINUTES,
                                                                           SWINDON_MINUTES.replace("5", "3")),
                                0, "someone@test")
        s.commit()
    result = policy_cli(app, monkeypatch, "diff", council, "--to", "draft")
    assert result.exit_code == 0, result.output
    assert "Within 5 working days → Within 3 working days" in result.output
    assert "the draft (revision 1)" in result.output and "/tmp" not in result.output
