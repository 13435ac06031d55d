"""A council's policy in the database (hearth.web.policy_store): `hearth policy import` and
`export`, published sets that never change, drafts saved with optimistic concurrency, and
council scoping -- on SQLite and PostgreSQL, for every council of the session's policies folder."""
from __future__ import annotations

import shutil
from datetime import date

import pytest
import click
from click.testing import CliRunner
from flask import g
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import sessionmaker

from hearth.engine.api import list_councils, policies_root
from hearth.engine.cli import policy_group
from hearth.engine.policy_files import FORM_VERSIONS_DIR, PolicyFiles, path_problem
from hearth.rules.limits import MAX_NAME_LENGTH
from hearth.rules.source import SourceError
from hearth.web import cli, db, policy_store
from hearth.web.db import engine_for
from hearth.web.models import (PATH_LENGTH, AuditAction, AuditEntry, PolicyDraft, PolicyDraftFile,
                               PolicyPublication, PolicySet, PolicySetFile, PublishedPolicyImmutable, User)
from hearth.web.scoping import scoped, scoped_select

from councils import needs_council
from policy_store_support import SWINDON_MINUTES, empty_database
from policy_store_support import policy_cli as _policy



@pytest.fixture
def store(app):
    """An empty database (every table cleared), for the app's backend."""
    empty_database(app)
    return app


def _count(model) -> int:
    return db.session().scalar(select(func.count()).select_from(model))


def _councils() -> list[str]:
    return [council.id for council in list_councils()]


def _publish(session, council: str) -> PolicyPublication:
    """The council's folder published without the import's checks (what these tests need is rows)."""
    return policy_store.publish(session, PolicyFiles.from_folder(policies_root() / council), published_by="a@x.test",
                                approved_by="b@x.test", effective_from=date(2026, 1, 5), change_note="for a test")


def _copy_council(tmp_path, council: str):
    """A policies folder holding a copy of one council, to be broken."""
    root = tmp_path / "policies"
    shutil.copytree(policies_root() / council, root / council)
    return root, root / council


# ---------------------------------------------------------------- import and export
def test_import_then_export_gives_back_every_councils_files_byte_for_byte(store, monkeypatch, tmp_path):
    imported = _policy(store, monkeypatch, "import")
    assert imported.exit_code == 0, imported.output
    councils = _councils()
    assert len(councils) >= 2
    with store.app_context():
        sets = {row.council_id: row.content_hash for row in db.session().scalars(select(PolicySet))}
        publications = db.session().scalars(select(PolicyPublication)).all()
    assert sorted(sets) == sorted(councils)
    assert {(p.published_by, p.approved_by, p.effective_from) for p in publications} == \
        {(policy_store.IMPORT_MARKER, policy_store.IMPORT_MARKER, date.today())}
    for council in councils:
        original = PolicyFiles.from_folder(policies_root() / council)
        assert sets[council] == original.content_hash()
        out = tmp_path / "out" / council
        exported = _policy(store, monkeypatch, "export", council, str(out))
        assert exported.exit_code == 0, exported.output
        written = sorted(path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file())
        assert written == sorted(original)
        for relative in original:
            assert (out / relative).read_bytes() == (policies_root() / council / relative).read_bytes(), relative
        by_hash = _policy(store, monkeypatch, "export", council, str(tmp_path / "by-hash" / council),
                          "--hash", sets[council][:10])
        assert by_hash.exit_code == 0, by_hash.output
        assert PolicyFiles.from_folder(tmp_path / "by-hash" / council).content_hash() == sets[council]


def test_importing_the_same_content_twice_changes_nothing_and_says_so(store, monkeypatch):
    council = _councils()[0]
    assert _policy(store, monkeypatch, "import", council).exit_code == 0
    again = _policy(store, monkeypatch, "import", council)
    assert again.exit_code == 0 and "already in the database" in again.output and "nothing to do" in again.output
    with store.app_context():
        assert (_count(PolicySet), _count(PolicyPublication)) == (1, 1)
        entries = db.session().scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.PUBLISHED)).all()
    assert [(e.council_id, e.object_type, e.detail["via"], e.detail["by"]) for e in entries] == \
        [(council, "policy_set", "import", policy_store.IMPORT_MARKER)]
    assert entries[0].object_id == PolicyFiles.from_folder(policies_root() / council).content_hash()


def test_an_export_is_audited_and_refuses_a_folder_that_is_not_empty(store, monkeypatch, tmp_path):
    council = _councils()[0]
    assert _policy(store, monkeypatch, "import", council).exit_code == 0
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    refused = _policy(store, monkeypatch, "export", council, str(tmp_path / "full"))
    assert refused.exit_code == 2 and "not empty" in refused.stderr
    assert sorted(p.name for p in (tmp_path / "full").iterdir()) == ["notes.txt"]
    unknown = _policy(store, monkeypatch, "export", council, str(tmp_path / "new"), "--hash", "0" * 12)
    assert unknown.exit_code == 2 and "no published sets" in unknown.stderr and "Traceback" not in unknown.output
    assert _policy(store, monkeypatch, "export", council, str(tmp_path / "new")).exit_code == 0
    with store.app_context():
        exported = db.session().scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.EXPORTED)).all()
    assert [(e.council_id, e.object_type) for e in exported] == [(council, "policy_set")]


def test_an_unknown_council_is_refused_with_a_suggestion(store, monkeypatch):
    council = _councils()[0]
    refused = _policy(store, monkeypatch, "import", council + "x")
    assert refused.exit_code == 2 and f"Did you mean '{council}'?" in refused.stderr


def test_a_lint_mistake_is_refused_with_its_location_and_nothing_is_stored(store, monkeypatch, tmp_path):
    council = _councils()[0]
    root, folder = _copy_council(tmp_path, council)
    version = sorted((folder / "versions").glob("*.yaml"))[0]
    lines = version.read_text(encoding="utf-8").count("\n")
    with version.open("a", encoding="utf-8") as out:
        out.write("triggrs: []\n")
    monkeypatch.setenv("HEARTH_POLICIES", str(root))
    refused = _policy(store, monkeypatch, "import")
    assert refused.exit_code == 2, refused.output
    assert f"{version}:{lines + 1}:1" in refused.stderr and "Did you mean 'triggers'?" in refused.stderr
    with store.app_context():
        assert (_count(PolicySet), _count(PolicySetFile), _count(PolicyPublication), _count(AuditEntry)) == (0, 0, 0, 0)


@needs_council("swindon")
def test_a_failing_policy_test_is_refused_with_the_tests_location(store, monkeypatch, tmp_path):
    root, folder = _copy_council(tmp_path, "swindon")
    version = folder / "versions" / "2025-01.yaml"
    text = version.read_text(encoding="utf-8")
    assert SWINDON_MINUTES in text
    version.write_text(text.replace(SWINDON_MINUTES, SWINDON_MINUTES.replace("due: 5", "due: 3")), encoding="utf-8")
    monkeypatch.setenv("HEARTH_POLICIES", str(root))
    refused = _policy(store, monkeypatch, "import", "swindon")
    assert refused.exit_code == 2, refused.output
    assert f"{folder / 'tests' / 'deadlines.yaml'}:" in refused.stderr and "fails" in refused.stderr
    assert "minutes_circulated" in refused.stderr
    with store.app_context():
        assert _count(PolicySet) == 0


# ---------------------------------------------------------------- never changed once published
def test_a_published_set_cannot_be_changed_or_deleted(store):
    council = _councils()[0]
    with store.app_context():
        s = db.session()
        publication = _publish(s, council)
        s.commit()
        stored_hash, first = publication.policy_set.content_hash, publication.policy_set.files[0]
        original_text = first.text
        attempts = [
            lambda: setattr(first, "text", original_text + "\n# changed\n"),
            lambda: setattr(publication, "effective_from", date(2030, 1, 1)),
            lambda: setattr(publication.policy_set, "content_hash", "0" * 64),
            lambda: s.delete(publication),
            lambda: s.delete(first),
        ]
        for attempt in attempts:
            attempt()
            with pytest.raises(PublishedPolicyImmutable):
                s.flush()
            s.rollback()
        for statement in (update(PolicySetFile).values(text="x"), delete(PolicyPublication),
                          update(PolicySet).where(PolicySet.id == publication.set_id).values(council_id="other")):
            with pytest.raises(PublishedPolicyImmutable):
                s.execute(statement)
            s.rollback()
        s.expunge_all()
        stored = policy_store.published_set(s, council)
        assert stored.content_hash == stored_hash
        assert policy_store.set_files(stored) == PolicyFiles.from_folder(policies_root() / council).replace(
            {}, origin=f"db:{council}/{stored_hash[:12]}")
        assert _count(PolicyPublication) == 1


def test_republishing_an_earlier_set_adds_a_publication_and_reuses_its_files(store):
    council = _councils()[0]
    with store.app_context():
        s = db.session()
        first = _publish(s, council)
        second = _publish(s, council)
        s.commit()
        assert first.set_id == second.set_id and first.id != second.id
        assert policy_store.latest_publication(s, council).id == second.id
        assert _count(PolicySet) == 1


# ---------------------------------------------------------------- drafts
def test_a_stale_draft_save_is_refused_and_gives_back_the_typed_text(store):
    council = _councils()[0]
    with store.app_context():
        s = db.session()
        published = _publish(s, council)
        draft = policy_store.start_draft(s, council, "a@x.test")
        s.commit()
        assert (draft.revision, draft.base_hash) == (0, published.policy_set.content_hash)
        assert policy_store.draft_files(draft).texts == PolicyFiles.from_folder(policies_root() / council).texts
        path = sorted(f.path for f in draft.files if f.path.startswith("versions/"))[0]
        before = next(f.text for f in draft.files if f.path == path)
        first = before + "\n# first officer's change\n"
        second = before + "\n# second officer's change\n"
        saved = policy_store.save_draft(s, council, path, first, 0, "a@x.test")
        s.commit()
        assert saved.revision == 1
        with pytest.raises(policy_store.StaleDraft) as refused:
            policy_store.save_draft(s, council, path, second, 0, "b@x.test")
        s.rollback()
        assert refused.value.text == second and (refused.value.expected, refused.value.current) == (0, 1)
        assert "a@x.test" in str(refused.value) and "revision 1" in str(refused.value) and path in str(refused.value)
        s.expunge_all()
        draft = policy_store.draft_of(s, council)
        assert draft.revision == 1 and draft.updated_by == "a@x.test"
        assert next(f.text for f in draft.files if f.path == path) == first
        added = policy_store.save_draft(s, council, "tests/new.yaml", "- name: later\n", 1, "b@x.test")
        removed = policy_store.save_draft(s, council, "tests/new.yaml", None, 2, "a@x.test")
        s.commit()
        assert removed.revision == 3 and not policy_store.draft_files(added).has("tests/new.yaml")


def test_two_officers_on_the_same_revision_in_two_sessions_keep_exactly_one_save(store):
    """Each officer's own session (as two web servers would have) holds the draft at revision 0;
    the second save is refused however fresh its own copy looks."""
    council = _councils()[0]
    open_session = sessionmaker(engine_for(store), expire_on_commit=False)
    with open_session() as setup:
        policy_store.start_draft(setup, council, "a@x.test")
        setup.commit()
    with open_session() as first, open_session() as second:
        assert policy_store.draft_of(first, council).revision == policy_store.draft_of(second, council).revision == 0
        policy_store.save_draft(first, council, "tests/shared.yaml", "# a\n", 0, "a@x.test")
        first.commit()
        with pytest.raises(policy_store.StaleDraft) as refused:
            policy_store.save_draft(second, council, "tests/shared.yaml", "# b\n", 0, "b@x.test")
        second.rollback()
        assert refused.value.text == "# b\n" and refused.value.updated_by == "a@x.test"
    with open_session() as check:
        draft = policy_store.draft_of(check, council)
        assert (draft.revision, [(f.path, f.text) for f in draft.files]) == (1, [("tests/shared.yaml", "# a\n")])


def test_a_draft_file_that_could_never_be_a_councils_is_refused_where_it_is(store):
    council = _councils()[0]
    with store.app_context():
        s = db.session()
        with pytest.raises(SourceError) as refused:
            policy_store.save_draft(s, council, "versions/../../etc.yaml", "x: 1\n", 0, "a@x.test")
        s.rollback()
        assert "'versions/../../etc.yaml'" in str(refused.value) and f"db:{council}/draft" in str(refused.value)
        with pytest.raises(SourceError) as control:
            policy_store.save_draft(s, council, "versions/2030-01.yaml", "a: 1\nb: \x01\n", 0, "a@x.test")
        s.rollback()
        assert f"db:{council}/draft/versions/2030-01.yaml:2:4" in str(control.value)
        assert _count(PolicyDraft) == 0


def test_the_longest_path_a_council_may_have_is_stored(store):
    council = _councils()[0]
    name = "n" * MAX_NAME_LENGTH
    longest = f"forms/{FORM_VERSIONS_DIR}/{name}/{name[:-len('.yaml')]}.yaml"
    assert path_problem(longest) is None and path_problem(longest.replace("/n", "/nn", 1)) is not None
    assert len(longest) <= PATH_LENGTH
    with store.app_context():
        s = db.session()
        policy_store.save_draft(s, council, longest, "id: x\n", 0, "a@x.test")
        s.commit()
        s.expunge_all()
        assert [f.path for f in policy_store.draft_of(s, council).files] == [longest]


def test_a_nul_character_no_database_can_store_is_refused_at_its_place(store, monkeypatch, tmp_path):
    council = _councils()[0]
    root, folder = _copy_council(tmp_path, council)
    (folder / "document").mkdir(exist_ok=True)
    (folder / "document" / "zz-notes.txt").write_bytes(b"first line\nsecond \x00 line\n")
    monkeypatch.setenv("HEARTH_POLICIES", str(root))
    refused = _policy(store, monkeypatch, "import", council)
    assert refused.exit_code == 2, refused.output
    assert f"{folder / 'document' / 'zz-notes.txt'}:2:8" in refused.stderr and "NUL" in refused.stderr
    with store.app_context():
        s = db.session()
        with pytest.raises(SourceError) as in_draft:
            policy_store.save_draft(s, council, "document/notes.txt", "a\x00", 0, "a@x.test")
        s.rollback()
        assert f"db:{council}/draft/document/notes.txt:1:2" in str(in_draft.value)
        assert (_count(PolicySet), _count(PolicyDraft)) == (0, 0)


def test_one_councils_draft_is_never_seen_through_another_councils_scoped_queries(store):
    home, other = _councils()[:2]
    with store.app_context():
        s = db.session()
        for council in (home, other):
            policy_store.save_draft(s, council, "tests/mine.yaml", f"# {council}'s draft\n", 0, f"policy@{council}")
        officer = User(email=f"officer@{home}.test", password_hash="-", role="policy_officer", council_id=home)
        s.add(officer)
        s.commit()
        with store.test_request_context():
            g.user = officer
            drafts = s.scalars(scoped_select(PolicyDraft)).all()
            texts = s.scalars(scoped(select(PolicyDraftFile.text).join(PolicyDraft), PolicyDraft)).all()
        assert [d.council_id for d in drafts] == [home]
        assert texts == [f"# {home}'s draft\n"]


def test_import_and_export_join_the_engines_policy_commands_without_changing_its_group():
    policy = cli.build_cli().commands["policy"]
    web_commands = {"import", "export", "publish", "approve"}
    names = policy.list_commands(click.Context(policy))
    assert set(names) == set(policy_group.commands) | web_commands
    assert not web_commands & set(policy_group.commands)
    assert [policy.get_command(click.Context(policy), name).name for name in names] == names
    assert policy.get_command(click.Context(policy), "diff") is not policy_group.commands["diff"]  # the web's


def test_make_runs_steps_import_the_demo_councils_into_a_new_database(tmp_path, monkeypatch):
    """`make run`: db upgrade, policy import, db seed-demo -- and again on the next run."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'run.db'}")
    monkeypatch.setenv("HEARTH_ENV", "development")
    monkeypatch.setenv("HEARTH_INSTANCE", str(tmp_path))
    runner, root = CliRunner(), cli.build_cli()
    for attempt in ("first", "again"):
        outputs = [runner.invoke(root, step) for step in (["db", "upgrade"], ["policy", "import"], ["db", "seed-demo"])]
        assert [result.exit_code for result in outputs] == [0, 0, 0], [result.output for result in outputs]
        imported = outputs[1].output
        said = "imported" if attempt == "first" else "already in the database"
        assert all(f"{council}: {said}" in imported for council in _councils()), imported
