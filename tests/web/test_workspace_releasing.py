"""The workspace's last stages (hearth.web.views.workspace.releasing): the impact of the draft on
the council's open cases as a job (in this process and on a real Redis-backed worker), seen by
policy officers as references and by managers as links; publishing by two officers (request,
approve, decline, withdraw, the same person refused, a stale approval, a date in the past, a
draft that fails its tests); the history and roll back; the emails each step sends, through
the real Notify client to tests/web/fake_notify.py; every step and refusal audited."""
from __future__ import annotations

import re
from contextlib import nullcontext
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hearth.engine import api
from hearth.web import db, impact_job, jobs, policy_store
from hearth.web.evaluation import case_document
from hearth.web.models import (AuditAction, AuditEntry, PolicyPublication, PublicationRequest, RequestStatus,
                               Role, User)
from hearth.web.views.workspace.releasing_common import next_monday

from councils import needs_council
from fake_notify import FakeNotify
from policy_store_support import SWINDON_MINUTES
from test_jobs import finished, follow, queue_name, redis_url, running_worker, wait_for  # noqa: F401 - fixtures
from web_support import Demo, csrf_token, login

# The workspace's release pages on SQLite (for CI's time): the publishing underneath them, two
# approvals at once included, runs on both databases in test_policy_publish.py.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

NOTE = "A comment added, to publish something new"
DEADLINE = "minutes_circulated"
SHORTER = SWINDON_MINUTES.replace("5 working", "3 working")


# ---------------------------------------------------------------- set-up
@pytest.fixture
def notify_server(app, monkeypatch):
    """The fake Notify, and the app sending to it; jobs run in this process."""
    with FakeNotify() as server:
        monkeypatch.setitem(app.config, "HEARTH_NOTIFY_API_KEY", server.api_key)
        monkeypatch.setitem(app.config, "HEARTH_NOTIFY_BASE_URL", server.base_url)
        monkeypatch.setitem(app.config, "HEARTH_REDIS_URL", "")
        yield server


@pytest.fixture
def published(app, demo):
    """The demo, with the home council's folder published (from 2025) as `hearth policy import` does."""
    _import(app, demo.home)
    return demo


def _import(app, council: str) -> None:
    with app.app_context():
        policy_store.import_folder(db.session(), api.policies_root() / council, date(2025, 1, 1))
        db.session().commit()


def _save(app, council: str, path: str, change) -> None:
    """The council's draft with one file changed (``change(text) -> text``), as the editor saves it."""
    with app.app_context():
        s = db.session()
        draft = policy_store.draft_of(s, council)
        files = policy_store.draft_files(draft) if draft else policy_store.files_in_force(s, council, date.today())
        policy_store.save_draft(s, council, path, change(files.texts[path]), draft.revision if draft else 0,
                                Demo.email("policy_officer", council))
        s.commit()


def _valid_change(app, council: str) -> None:
    _save(app, council, "council.yaml", lambda text: text + "\n# Reviewed in the workspace.\n")


def _signed_in(app, email: str):
    client = app.test_client()
    answer = login(client, email)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def _officers(app, council: str):
    return (_signed_in(app, Demo.email("policy_officer", council)),
            _signed_in(app, f"policy2@{council}.demo"))


def _url(council: str, page: str) -> str:
    return f"/councils/{council}/workspace/{page}"


def _post(client, council: str, page: str, data: dict, form_page: str = "history"):
    """POST as the page's form does (the CSRF token is the session's, read from any page)."""
    return client.post(_url(council, page), data={**data, "csrf_token": csrf_token(client, _url(council, form_page))})


def _date(day: date, name: str = "effective") -> dict:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def _request_publication(client, council: str, day: date, note: str = NOTE, **more):
    return _post(client, council, "publish", {**_date(day), "change_note": note, **more})


def _requests(app) -> list[PublicationRequest]:
    with app.app_context():
        return db.session().scalars(select(PublicationRequest).order_by(PublicationRequest.id)).all()


def _publications(app, council: str) -> list[PolicyPublication]:
    with app.app_context():
        return db.session().scalars(select(PolicyPublication).where(PolicyPublication.council_id == council)
                                    .order_by(PolicyPublication.id)).all()


def _audit(app, action: AuditAction, **where) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session().scalars(select(AuditEntry).where(AuditEntry.action == action.value)
                                       .order_by(AuditEntry.id)).all()
        return [e for e in entries if all(getattr(e, k) == v for k, v in where.items())]


def _refusals(app, reason: str) -> list[AuditEntry]:
    return [e for e in _audit(app, AuditAction.REFUSED) if e.detail.get("reason") == reason]


def _text(answer) -> str:
    return re.sub(r"\s+", " ", answer.get_data(as_text=True))


def _other_officers(app, council: str, but: str) -> list[str]:
    with app.app_context():
        return sorted(db.session().scalars(select(User.email).where(
            User.council_id == council, User.role == Role.POLICY_OFFICER, User.active.is_(True),
            User.email != but)).all())


# ---------------------------------------------------------------- two officers
def test_one_officer_asks_another_approves_and_both_are_told(app, published, notify_server):
    council, monday = published.home, next_monday(date.today())
    first, second = _officers(app, council)
    first_email, second_email = Demo.email("policy_officer", council), f"policy2@{council}.demo"
    _valid_change(app, council)
    page = _text(first.get(_url(council, "publish")))
    assert "Ask for approval to publish" in page and "it can be published" in page
    assert f'name="effective-day" type="text" value="{monday.day}"' in page  # next Monday suggested

    asked = _request_publication(first, council, monday)
    assert asked.status_code == 302, _text(asked)
    [made] = _requests(app)
    assert (made.status, made.requested_by, made.effective_from, made.change_note) == \
        (RequestStatus.PENDING, first_email, monday, NOTE)
    assert _publications(app, council)[1:] == []
    others = _other_officers(app, council, first_email)
    assert second_email in others
    told = notify_server.wait_for(len(others))
    assert sorted(body["email_address"] for body in told) == others
    assert all(str(made.id) == body["personalisation"]["request"] for body in told)

    # The officer who asked sees Withdraw, never Approve; a forged approval is refused and audited.
    mine = _text(first.get(_url(council, "publish")))
    assert f"Withdraw request {made.id}" in mine and f"Approve request {made.id}" not in mine
    forged = _post(first, council, f"publish/requests/{made.id}/approve", {})
    assert forged.status_code == 409 and "a different policy officer" in _text(forged)
    assert _refusals(app, "same_person") and _requests(app)[0].status == RequestStatus.PENDING

    theirs = _text(second.get(_url(council, "publish")))
    assert f"Approve request {made.id}" in theirs and f"Decline request {made.id}" in theirs
    approved = _post(second, council, f"publish/requests/{made.id}/approve", {})
    assert approved.status_code == 302 and approved.location.endswith(_url(council, "history"))
    publication = _publications(app, council)[-1]
    assert (publication.published_by, publication.approved_by, publication.effective_from, publication.change_note) == \
        (first_email, second_email, monday, NOTE)
    with app.app_context():
        assert policy_store.draft_of(db.session(), council).base_hash == made.content_hash  # draft kept, now its base
    approval_mails = notify_server.wait_for(len(others) + 2)[len(others):]
    assert sorted(body["email_address"] for body in approval_mails) == sorted([first_email, second_email])
    assert {(body["personalisation"]["effective_from"], body["personalisation"]["moved"])
            for body in approval_mails} == {(monday.isoformat(), "no")}

    history = _text(second.get(_url(council, "history")))
    assert "Due later" in history and made.content_hash[:12] in history and "In force today" in history
    assert "Approved and published: in force from" in history

    # A second approval of the same request (a stale page) publishes nothing more.
    again = _post(second, council, f"publish/requests/{made.id}/approve", {})
    assert again.status_code == 302 and again.location.endswith(_url(council, "publish"))
    assert "no pending request" in _text(second.get(again.location)) and _refusals(app, "no_request")
    assert len(_publications(app, council)) == 2

    # Every step in the audit trail, under the officer who took it.
    with app.app_context():
        steps = [(e.action, e.user.email if e.user else None) for e in db.session().scalars(
            select(AuditEntry).where(AuditEntry.object_type.in_(("policy_request", "policy_set")))
            .order_by(AuditEntry.id))]
    for step in [("requested", first_email), ("approved", second_email), ("published", second_email),
                 ("viewed", first_email), ("viewed", second_email), ("refused", first_email)]:
        assert step in steps


def test_approved_after_its_date_it_takes_effect_on_the_day_of_approval(app, published, notify_server, monkeypatch):
    council, asked_for = published.home, date.today()
    first, second = _officers(app, council)
    _valid_change(app, council)
    assert _request_publication(first, council, asked_for).status_code == 302
    later = asked_for + timedelta(days=3)
    monkeypatch.setitem(app.config, "HEARTH_TODAY", later)
    [made] = _requests(app)
    approved = _post(second, council, f"publish/requests/{made.id}/approve", {})
    assert approved.status_code == 302
    assert _publications(app, council)[-1].effective_from == later
    page = _text(second.get(approved.location))
    assert "which has passed, so it takes effect today, the day of approval" in page
    mails = [body for body in notify_server.wait_for(3) if body["personalisation"].get("moved")]
    assert mails and {body["personalisation"]["moved"] for body in mails} == {"yes"}


def test_a_decline_needs_a_reason_and_tells_the_officer_who_asked(app, published, notify_server):
    council = published.home
    first, second = _officers(app, council)
    first_email = Demo.email("policy_officer", council)
    _valid_change(app, council)
    assert _request_publication(first, council, next_monday(date.today())).status_code == 302
    [made] = _requests(app)
    asked_emails = len(notify_server.wait_for(1))

    no_reason = _post(second, council, f"publish/requests/{made.id}/decline", {"reason": "  "})
    assert no_reason.status_code == 200 and "Say why you decline it" in _text(no_reason)
    assert f'href="#reason-{made.id}"' in _text(no_reason)
    own = _post(first, council, f"publish/requests/{made.id}/decline", {"reason": "mine"})
    assert own.status_code == 409 and "withdraw it rather than decline it" in _text(own)
    not_theirs = _post(second, council, f"publish/requests/{made.id}/withdraw", {})
    assert not_theirs.status_code == 409 and f"Only {first_email}" in _text(not_theirs)
    assert _requests(app)[0].status == RequestStatus.PENDING
    assert _refusals(app, "own_request") and _refusals(app, "not_yours")

    declined = _post(second, council, f"publish/requests/{made.id}/decline", {"reason": "Wait for the new guidance"})
    assert declined.status_code == 302
    [made] = _requests(app)
    assert (made.status, made.approved_by, made.decision_note) == \
        (RequestStatus.WITHDRAWN, f"policy2@{council}.demo", "Wait for the new guidance")
    [entry] = _audit(app, AuditAction.WITHDRAWN)
    assert entry.detail["declined"] is True and entry.object_id == str(made.id)
    [mail] = notify_server.wait_for(asked_emails + 1)[asked_emails:]
    assert mail["email_address"] == first_email and "Wait for the new guidance" in mail["personalisation"]["body"]
    assert len(_publications(app, council)) == 1

    # The officer who asked may withdraw their own request.
    assert _request_publication(first, council, next_monday(date.today())).status_code == 302
    latest = _requests(app)[-1]
    assert _post(first, council, f"publish/requests/{latest.id}/withdraw", {}).status_code == 302
    assert _requests(app)[-1].status == RequestStatus.WITHDRAWN
    assert [e.detail["declined"] for e in _audit(app, AuditAction.WITHDRAWN)] == [True, False]
    assert "declined by" in _text(first.get(_url(council, "history")))


@pytest.mark.parametrize("day, note, message", [
    (date.today() - timedelta(days=1), NOTE, "must be today or in the future"),
    (None, NOTE, "Enter the date it takes effect"),
    ("31-2-2030", NOTE, "must be a real date"),
    (date.today(), "   ", "Enter a change note"),
])
def test_a_date_in_the_past_or_a_missing_note_is_refused_with_a_located_error(app, published, day, note, message):
    council = published.home
    first, _second = _officers(app, council)
    _valid_change(app, council)
    if day is None:
        fields = _date(date.today()) | {"effective-day": "", "effective-month": "", "effective-year": ""}
    elif isinstance(day, str):
        fields = dict(zip(("effective-day", "effective-month", "effective-year"), day.split("-")))
    else:
        fields = _date(day)
    answer = _post(first, council, "publish", {**fields, "change_note": note})
    page = _text(answer)
    assert answer.status_code == 200 and message in page and "There is a problem" in page
    assert 'href="#effective-day"' in page or 'href="#change_note"' in page
    assert _requests(app) == []


@needs_council("swindon")
def test_a_draft_whose_policy_test_fails_has_no_publish_button_and_a_forged_request_is_refused(app, published):
    council = "swindon"
    _import(app, council)
    _save(app, council, "versions/2025-01.yaml", lambda text: text.replace(SWINDON_MINUTES, SHORTER))
    first, _second = _officers(app, council)
    page = _text(first.get(_url(council, "publish")))
    assert "This cannot be published" in page and "Ask for approval to publish" not in page
    assert "fails" in page
    if "workspace_drafts.edit" in app.view_functions:
        assert f'href="/councils/{council}/workspace/files/tests/' in page
    forged = _request_publication(first, council, next_monday(date.today()))
    assert forged.status_code == 409 and "This cannot be published" in _text(forged)
    assert _requests(app) == [] and _refusals(app, "not_publishable")


def test_roll_back_publishes_an_earlier_set_again_through_the_same_approval(app, published, notify_server):
    council, today = published.home, date.today()
    first, second = _officers(app, council)
    with app.app_context():
        original_hash = policy_store.latest_publication(db.session(), council).policy_set.content_hash
    _valid_change(app, council)
    assert _request_publication(first, council, today).status_code == 302
    assert _post(second, council, f"publish/requests/{_requests(app)[-1].id}/approve", {}).status_code == 302
    with app.app_context():
        assert policy_store.publication_in_force(db.session(), council, today).policy_set.content_hash != original_hash

    history = _text(first.get(_url(council, "history")))
    link = f'{_url(council, "publish")}?hash={original_hash[:12]}'
    assert link in history and history.count("Publish this again") == 1
    again = _text(first.get(link))
    assert "Publish an earlier version again" in again and "Ask for approval to publish" in again
    asked = _post(first, council, "publish", {**_date(today), "change_note": "Roll back", "hash": original_hash[:12]})
    assert asked.status_code == 302
    rollback = _requests(app)[-1]
    assert rollback.content_hash == original_hash
    assert _post(second, council, f"publish/requests/{rollback.id}/approve", {}).status_code == 302
    with app.app_context():
        assert policy_store.publication_in_force(db.session(), council, today).policy_set.content_hash == original_hash
    assert first.get(f'{_url(council, "publish")}?hash=0123456789ab').status_code == 404
    assert _refusals(app, "unknown_set")


def test_other_councils_are_404_and_other_roles_403_audited(app, published):
    home, other = published.home, published.other
    officer = _signed_in(app, Demo.email("policy_officer", home))
    for page in ("impact", "publish", "history"):
        assert officer.get(_url(other, page)).status_code == 404
    token = csrf_token(officer, _url(home, "publish"))
    assert officer.post(_url(other, "publish/requests/1/approve"), data={"csrf_token": token}).status_code == 404
    assert officer.post(_url(other, "publish"), data={"csrf_token": token, **_date(date.today()),
                                                        "change_note": NOTE}).status_code == 404
    assert len(_refusals(app, "another_council")) == 5
    for role in ("worker", "manager"):
        someone = _signed_in(app, Demo.email(role, home))
        for page in ("impact", "publish", "history"):
            assert someone.get(_url(home, page)).status_code == 403
    assert len(_refusals(app, "role")) == 6
    assert _requests(app) == []


# ---------------------------------------------------------------- impact
def _run_impact(client, council: str, day: date):
    started = _post(client, council, "impact", _date(day))
    assert started.status_code == 302, _text(started)
    job_id = started.location.rsplit("/", 1)[1]
    progress = wait_for(lambda: client.get(_url(council, f"impact/{job_id}/progress")).get_json(),
                        lambda answer: answer["finished"], "the impact job finishing")
    return job_id, progress


@needs_council("swindon")
def test_impact_lists_references_to_officers_and_links_to_managers(app, published, monkeypatch):
    council, today = "swindon", date.today()
    monkeypatch.setitem(app.config, "HEARTH_REDIS_URL", "")
    _import(app, council)
    _save(app, council, "versions/2025-01.yaml", lambda text: text.replace(SWINDON_MINUTES, SHORTER))
    officer = _signed_in(app, Demo.email("policy_officer", council))
    past = _post(officer, council, "impact", _date(today - timedelta(days=1)))
    assert past.status_code == 200 and "must be today or in the future" in _text(past)

    job_id, progress = _run_impact(officer, council, today)
    assert progress["status"] == "finished" and progress["done"] == progress["total"] > 0
    page = _text(officer.get(_url(council, f"impact/{job_id}")))
    with app.app_context():
        record = jobs.get(job_id, council)
    affected = [case for case in record.result["cases"] if case["changes"]]
    assert affected, "a Swindon demo case has its minutes deadline open"
    for case in affected:
        assert f"{case['reference']} </h2>" in page or f"{case['reference']}</h2>" in page
        assert case["changes"][0]["says"] in page
    assert "/cases/" not in page
    assert f"{len(affected)}</strong> would change" in page

    manager = _signed_in(app, Demo.email("manager", council))
    seen = _text(manager.get(_url(council, f"impact/{job_id}")))
    for case in affected:
        assert f'href="/cases/{record.result["case_ids"][case["reference"]]}">{case["reference"]}</a>' in seen
    assert manager.get(_url(council, "impact")).status_code == 403

    assert _audit(app, AuditAction.TESTED)[-1].detail["job"] == job_id
    viewed = [e.detail.get("job") for e in _audit(app, AuditAction.VIEWED) if e.object_type == "policy_draft"]
    assert viewed.count(job_id) == 2
    # Another council's officer, asking for the same job under their own council, finds nothing.
    other = next(c for c in (published.home, published.other) if c != council)
    stranger = _signed_in(app, Demo.email("policy_officer", other))
    assert stranger.get(_url(other, f"impact/{job_id}")).status_code == 404
    assert stranger.get(_url(council, f"impact/{job_id}")).status_code == 404
    assert _refusals(app, "no_such_job") and _refusals(app, "another_council")


def test_a_running_impact_page_refreshes_itself_and_counts_cases(app, published, monkeypatch):
    council = published.home
    officer = _signed_in(app, Demo.email("policy_officer", council))
    record = jobs.JobRecord("0" * 8 + "-0000-0000-0000-" + "0" * 12, council, impact_job.FUNCTION, "started", 50)
    monkeypatch.setattr(jobs, "get", lambda job_id, asked: record if asked == council else None)
    page = _text(officer.get(_url(council, f"impact/{record.id}")))
    total = len(published.cases[council])
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert f"{total * 50 // 100} of {total} cases" in page and 'value="50"' in page
    assert "js/job-progress.mjs" in page


@pytest.mark.parametrize("mode", ["worker on Redis", "in this process"])
@needs_council("swindon")
def test_the_impact_of_the_draft_is_a_job_over_the_councils_open_cases(app, demo, mode, tmp_path, monkeypatch,
                                                                       request):
    council, day = "swindon", date.today()
    on_redis = mode == "worker on Redis"
    monkeypatch.setitem(app.config, "HEARTH_REDIS_URL", request.getfixturevalue("redis_url") if on_redis else "")
    if on_redis:
        monkeypatch.setitem(app.config, "HEARTH_JOB_QUEUE", request.getfixturevalue("queue_name"))
    _import(app, council)
    _save(app, council, "versions/2025-01.yaml", lambda text: text.replace(SWINDON_MINUTES, SHORTER))
    with running_worker(app, tmp_path) if on_redis else nullcontext():
        with app.app_context():
            started = impact_job.start(council, day)
        done = wait_for(follow(app, started.id, council), finished, "the impact job finishing")
    assert done.status == "finished", done.error
    assert done.progress == 100

    # What the engine says of each open case under the published policy: the minutes deadline open,
    # or met after the day the shorter deadline would have fallen.
    published_version = api.policy_on(council, day)
    shorter = published_version.calendar.add_working_days
    expected = set()
    for case in demo.cases[council]:
        for entry in api.evaluate(council, case_document(case), day)["deadlines"]:
            new_due = shorter(date.fromisoformat(entry["started_on"]), 3)
            if entry["id"] == DEADLINE and (entry["status"] in ("pending", "overdue") or (
                    entry["met_on"] and date.fromisoformat(entry["met_on"]) > new_due)):
                expected.add(case.child_ref)
    assert expected, "a demo case has the minutes deadline open"
    result = done.result
    assert {c["reference"] for c in result["cases"] if c["changes"]} == expected
    assert result["checked"] == len(demo.cases[council])
    assert {(change["part"], change["subject"]) for c in result["cases"] for change in c["changes"]} == \
        {("deadline", DEADLINE)}
    by_ref = {case.child_ref: case.id for case in demo.cases[council]}
    assert result["case_ids"] == {ref: by_ref[ref] for ref in expected}
    with app.app_context():
        draft = policy_store.draft_of(db.session(), council)
        assert result["draft"] == {"revision": draft.revision,
                                   "content_hash": policy_store.draft_files(draft).content_hash()}
        assert jobs.get(started.id, demo.other if demo.other != council else demo.home) is None


def test_a_draft_with_a_mistake_or_no_published_policy_fails_the_impact_job_plainly(app, published, monkeypatch):
    council = published.home
    monkeypatch.setitem(app.config, "HEARTH_REDIS_URL", "")
    _save(app, council, "council.yaml", lambda text: text + "\nnot: [closed\n")
    with app.app_context():
        broken = impact_job.start(council, date.today())
        before_any = impact_job.start(council, date(1999, 1, 1))  # before any publication
    done = wait_for(follow(app, broken.id, council), finished, "the impact job ending")
    assert done.status == "failed" and done.error.startswith(f"The draft has mistakes: db:{council}/draft/council.yaml:")
    assert "Traceback" not in done.error
    none = wait_for(follow(app, before_any.id, council), finished, "the impact job ending")
    assert none.status == "failed" and none.error.startswith("There is no published version to compare with")
