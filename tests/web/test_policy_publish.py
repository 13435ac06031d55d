"""Publishing a council's policy by two people (hearth.web.publishing, `hearth policy publish` and
`approve`): the same checks as import, a second policy officer of the same council approves, an
approval after the date asked for takes effect that day, roll back republishes an earlier set,
every step (and every refusal) is audited, published rows never change -- on SQLite and PostgreSQL."""
from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from hearth.engine.api import list_councils, policies_root
from hearth.engine.policy_files import PolicyFiles
from hearth.web import cli, db, policy_store, publishing
from hearth.web.db import engine_for
from hearth.web.models import (AuditAction, AuditEntry, PolicyPublication, PublicationRequest, RequestStatus,
                               Role, User)

from councils import needs_council
from policy_store_support import SWINDON_MINUTES, empty_database
from policy_store_support import policy_cli as _policy



def _councils() -> list[str]:
    return [council.id for council in list_councils()]


@pytest.fixture
def officers(app):
    """An empty database with, for every council, two policy officers and a worker."""
    councils = _councils()
    empty_database(app, *(User(email=f"{who}@{council}.test", name=who, password_hash="x", role=role,
                               council_id=council)
                          for council in councils
                          for who, role in (("first", Role.POLICY_OFFICER), ("second", Role.POLICY_OFFICER),
                                            ("worker", Role.WORKER))))
    return app


def _publish(app, monkeypatch, council, by, *source, effective=None, note="Minutes sooner"):
    effective = (effective or date.today()).isoformat()
    return _policy(app, monkeypatch, "publish", council, *source, "--effective", effective, "--note", note,
                   "--by", f"{by}@{council}.test")


def _approve(app, monkeypatch, council, by, *more):
    return _policy(app, monkeypatch, "approve", council, "--by", f"{by}@{council}.test", *more)


def _folder(council: str) -> str:
    return str(policies_root() / council)


def _rows(model) -> list:
    return db.session().scalars(select(model).order_by(model.id)).all()


def _audit(action: AuditAction) -> list[AuditEntry]:
    return db.session().scalars(select(AuditEntry).where(AuditEntry.action == action.value)
                                .order_by(AuditEntry.id)).all()


def _publications() -> list[tuple]:
    return [(p.id, p.set_id, p.published_by, p.approved_by, p.published_at, p.approved_at, p.effective_from,
             p.change_note) for p in _rows(PolicyPublication)]


# ---------------------------------------------------------------- two people
def test_a_request_publishes_nothing_until_a_second_officer_of_the_council_approves_it(officers, monkeypatch):
    council = _councils()[0]
    monday = date.today() + timedelta(days=7)
    asked = _publish(officers, monkeypatch, council, "first", "--from", _folder(council), effective=monday)
    assert asked.exit_code == 0, asked.output
    with officers.app_context():
        assert _rows(PolicyPublication) == []
        [request] = _rows(PublicationRequest)
        assert (request.status, request.requested_by, request.effective_from, request.change_note) == \
            (RequestStatus.PENDING, f"first@{council}.test", monday, "Minutes sooner")
        assert request.content_hash == PolicyFiles.from_folder(_folder(council)).content_hash()
    approved = _approve(officers, monkeypatch, council, "second")
    assert approved.exit_code == 0, approved.output
    assert f"in force from {monday}" in approved.output
    assert f"Emailed: first@{council}.test, second@{council}.test." in approved.output
    with officers.app_context():
        [publication] = _rows(PolicyPublication)
        [request] = _rows(PublicationRequest)
        assert (publication.published_by, publication.approved_by, publication.effective_from) == \
            (f"first@{council}.test", f"second@{council}.test", monday)
        assert (request.status, request.approved_by, request.publication_id) == \
            (RequestStatus.APPROVED, f"second@{council}.test", publication.id)
        steps = [(e.action, e.user.email, e.council_id) for e in db.session().scalars(
            select(AuditEntry).order_by(AuditEntry.id))]
        assert steps == [("requested", f"first@{council}.test", council), ("approved", f"second@{council}.test",
                         council), ("published", f"second@{council}.test", council)]
        [approval] = _audit(AuditAction.APPROVED)
        assert approval.detail["told"] == [f"first@{council}.test", f"second@{council}.test"]
    again = _approve(officers, monkeypatch, council, "second")
    assert again.exit_code == 2 and "no pending publication requests" in again.stderr


def test_the_officer_who_asked_cannot_approve_and_the_refusal_is_audited(officers, monkeypatch):
    council = _councils()[0]
    assert _publish(officers, monkeypatch, council, "first", "--from", _folder(council)).exit_code == 0
    refused = _approve(officers, monkeypatch, council, "first")
    assert refused.exit_code == 2 and "a different policy officer" in refused.stderr
    assert "Traceback" not in refused.output
    with officers.app_context():
        assert _rows(PolicyPublication) == []
        assert [r.status for r in _rows(PublicationRequest)] == [RequestStatus.PENDING]
        [entry] = _audit(AuditAction.REFUSED)
        assert (entry.user.email, entry.detail["reason"], entry.detail["step"]) == \
            (f"first@{council}.test", "same_person", "approve")


def test_a_worker_an_unknown_person_and_another_councils_officer_are_refused(officers, monkeypatch):
    council, other = _councils()[:2]
    assert _publish(officers, monkeypatch, council, "worker", "--from", _folder(council)).exit_code == 2
    unknown = _policy(officers, monkeypatch, "publish", council, "--from", _folder(council), "--effective",
                      date.today().isoformat(), "--note", "x", "--by", "nobody@nowhere.test")
    assert unknown.exit_code == 2 and "not an active user" in unknown.stderr
    assert _publish(officers, monkeypatch, council, "first", "--from", _folder(council)).exit_code == 0
    outsider = _policy(officers, monkeypatch, "approve", council, "--by", f"second@{other}.test")
    assert outsider.exit_code == 2 and f"not of {council}" in outsider.stderr
    worker = _approve(officers, monkeypatch, council, "worker")
    assert worker.exit_code == 2 and "only a policy officer" in worker.stderr
    wrong_folder = _publish(officers, monkeypatch, council, "first", "--from", _folder(other))
    assert wrong_folder.exit_code == 2 and f"not {council}'s" in wrong_folder.stderr
    with officers.app_context():
        assert _rows(PolicyPublication) == []
        assert [e.detail["reason"] for e in _audit(AuditAction.REFUSED)] == \
            ["role", "not_a_user", "another_council", "role", "source"]


# ---------------------------------------------------------------- the same checks as import
def test_a_lint_mistake_or_a_past_date_is_refused_located_and_nothing_is_requested(officers, monkeypatch, tmp_path):
    council = _councils()[0]
    folder = tmp_path / council
    shutil.copytree(policies_root() / council, folder)
    version = sorted((folder / "versions").glob("*.yaml"))[0]
    lines = version.read_text(encoding="utf-8").count("\n")
    with version.open("a", encoding="utf-8") as out:
        out.write("triggrs: []\n")
    refused = _publish(officers, monkeypatch, council, "first", "--from", str(folder))
    assert refused.exit_code == 2, refused.output
    assert f"{version}:{lines + 1}:1" in refused.stderr and "Did you mean 'triggers'?" in refused.stderr
    past = _publish(officers, monkeypatch, council, "first", "--from", _folder(council),
                    effective=date.today() - timedelta(days=1))
    assert past.exit_code == 2 and "in the past" in past.stderr
    with officers.app_context():
        assert _rows(PublicationRequest) == []
        assert [e.detail["reason"] for e in _audit(AuditAction.REFUSED)] == ["not_publishable", "past_date"]


@needs_council("swindon")
def test_a_failing_policy_test_is_refused_with_the_tests_location(officers, monkeypatch, tmp_path):
    folder = tmp_path / "swindon"
    shutil.copytree(policies_root() / "swindon", folder)
    version = folder / "versions" / "2025-01.yaml"
    text = version.read_text(encoding="utf-8")
    version.write_text(text.replace(SWINDON_MINUTES, SWINDON_MINUTES.replace("due: 5", "due: 3")), encoding="utf-8")
    refused = _publish(officers, monkeypatch, "swindon", "first", "--from", str(folder))
    assert refused.exit_code == 2, refused.output
    assert f"{folder / 'tests' / 'deadlines.yaml'}:" in refused.stderr and "fails" in refused.stderr
    with officers.app_context():
        assert _rows(PublicationRequest) == []


# ---------------------------------------------------------------- dates, roll back, immutability
def test_an_approval_after_the_date_asked_for_takes_effect_on_the_day_of_approval(officers):
    council = _councils()[0]
    asked_on, wanted, approved_on = date(2026, 1, 5), date(2026, 1, 7), date(2026, 1, 12)
    with officers.app_context():
        s = db.session()
        first = publishing.officer(s, council, f"first@{council}.test")
        second = publishing.officer(s, council, f"second@{council}.test")
        files = PolicyFiles.from_folder(_folder(council))
        request = publishing.request_publication(s, files, by=first, effective_from=wanted, change_note="late",
                                                 today=asked_on)
        done = publishing.approve(s, council, by=second, request_id=request.id, today=approved_on)
        assert (done.publication.effective_from, done.late, done.request.effective_from) == (approved_on, True, wanted)
        on_time = publishing.request_publication(s, files, by=second, effective_from=wanted, change_note="on time",
                                                 today=asked_on)
        done = publishing.approve(s, council, by=first, request_id=on_time.id, today=date(2026, 1, 6))
        assert (done.publication.effective_from, done.late) == (wanted, False)
        s.rollback()


def test_roll_back_republishes_an_earlier_set_and_never_changes_a_published_row(officers, monkeypatch, tmp_path):
    council = _councils()[0]
    changed = tmp_path / council
    shutil.copytree(policies_root() / council, changed)
    with (changed / "council.yaml").open("a", encoding="utf-8") as out:
        out.write("# a comment: new content, same rules\n")
    original_hash = PolicyFiles.from_folder(_folder(council)).content_hash()
    assert _publish(officers, monkeypatch, council, "first", "--from", _folder(council)).exit_code == 0
    assert _approve(officers, monkeypatch, council, "second").exit_code == 0
    assert _publish(officers, monkeypatch, council, "second", "--from", str(changed)).exit_code == 0
    assert _approve(officers, monkeypatch, council, "first").exit_code == 0
    with officers.app_context():
        before = _publications()
    later = date.today() + timedelta(days=3)
    unknown = _publish(officers, monkeypatch, council, "first", "--hash", "0" * 12, effective=later)
    assert unknown.exit_code == 2 and "no published sets" in unknown.stderr
    rolled = _publish(officers, monkeypatch, council, "first", "--hash", original_hash[:10], effective=later,
                      note="Roll back")
    assert rolled.exit_code == 0, rolled.output
    assert _approve(officers, monkeypatch, council, "second").exit_code == 0
    with officers.app_context():
        after = _publications()
        assert after[:2] == before
        assert len(after) == 3
        newest = _rows(PolicyPublication)[-1]
        assert (newest.policy_set.content_hash, newest.effective_from, newest.change_note) == \
            (original_hash, later, "Roll back")
        assert db.session().scalar(select(func.count()).select_from(PublicationRequest)) == 3
        assert [e.detail["rollback"] for e in _audit(AuditAction.REQUESTED)] == [False, False, True]


def test_several_pending_requests_need_request_to_choose(officers, monkeypatch):
    council = _councils()[0]
    for who in ("first", "second"):
        assert _publish(officers, monkeypatch, council, who, "--from", _folder(council)).exit_code == 0
    ambiguous = _approve(officers, monkeypatch, council, "second")
    assert ambiguous.exit_code == 2 and "--request" in ambiguous.stderr
    with officers.app_context():
        first_request = _rows(PublicationRequest)[0]
    chosen = _approve(officers, monkeypatch, council, "second", "--request", str(first_request.id))
    assert chosen.exit_code == 0, chosen.output
    with officers.app_context():
        assert [r.status for r in _rows(PublicationRequest)] == [RequestStatus.APPROVED, RequestStatus.PENDING]


def test_the_councils_draft_is_published_from_the_database(officers, monkeypatch):
    council = _councils()[0]
    refused = _publish(officers, monkeypatch, council, "first", "--draft")
    assert refused.exit_code == 2 and "has no draft" in refused.stderr
    assert _publish(officers, monkeypatch, council, "first", "--from", _folder(council)).exit_code == 0
    assert _approve(officers, monkeypatch, council, "second").exit_code == 0
    with officers.app_context():
        s = db.session()
        draft = policy_store.start_draft(s, council, f"first@{council}.test")
        text = next(f.text for f in draft.files if f.path == "council.yaml")
        policy_store.save_draft(s, council, "council.yaml", text + "# changed in the draft\n", 0,
                                f"first@{council}.test")
        s.commit()
        draft_hash = policy_store.draft_files(policy_store.draft_of(s, council)).content_hash()
    assert _publish(officers, monkeypatch, council, "second", "--draft").exit_code == 0
    assert _approve(officers, monkeypatch, council, "first").exit_code == 0
    with officers.app_context():
        newest = _rows(PolicyPublication)[-1]
        assert (newest.policy_set.content_hash, newest.published_by, newest.approved_by) == \
            (draft_hash, f"second@{council}.test", f"first@{council}.test")


def test_two_approvals_of_one_request_at_once_publish_it_exactly_once(officers, monkeypatch):
    """Each approval in its own session (as two web servers would have) found the request pending;
    the one that comes second is refused and publishes nothing."""
    council = _councils()[0]
    assert _publish(officers, monkeypatch, council, "first", "--from", _folder(council)).exit_code == 0
    open_session = sessionmaker(engine_for(officers), expire_on_commit=False)
    with open_session() as one, open_session() as other:
        approver = f"second@{council}.test"
        stale = publishing.pending_request(other, council, None, publishing.officer(other, council, approver))
        publishing.approve(one, council, by=publishing.officer(one, council, approver), request_id=None,
                           today=date.today())
        one.commit()
        monkeypatch.setattr(publishing, "pending_request", lambda *_args: stale)
        with pytest.raises(publishing.PublishRefused) as refused:
            publishing.approve(other, council, by=publishing.officer(other, council, approver), request_id=None,
                               today=date.today())
        other.rollback()
        assert refused.value.reason == "no_request" and "a moment ago" in str(refused.value)
    with officers.app_context():
        assert len(_rows(PolicyPublication)) == 1


def test_a_folder_named_as_its_owner_likes_is_published_as_the_council_named(officers, monkeypatch, tmp_path):
    """The README's 'hearth policy export swindon /tmp/sw' then 'publish swindon --from /tmp/sw' was
    refused as "sw's policy": only a folder named for another council is another council's."""
    council = _councils()[0]
    renamed = tmp_path / "my-copy"
    shutil.copytree(_folder(council), renamed)
    asked = _publish(officers, monkeypatch, council, "first", "--from", str(renamed))
    assert asked.exit_code == 0, asked.stderr
    with officers.app_context():
        [request] = _rows(PublicationRequest)
        assert (request.council_id, request.content_hash) == (council, PolicyFiles(
            council, str(renamed), PolicyFiles.from_folder(renamed).texts).content_hash())


def test_a_database_never_upgraded_is_a_plain_message_not_a_traceback(monkeypatch, tmp_path, capsys):
    """It was a page of SQLAlchemy's traceback ('no such table: policy_publications')."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("HEARTH_ENV", "testing")
    with pytest.raises(SystemExit) as exited:
        cli.main(["policy", "export", _councils()[0], str(tmp_path / "out")])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "The database is not ready (no such table:" in error and "hearth db upgrade" in error
    assert "Traceback" not in error
