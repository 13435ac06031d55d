"""Retention: a review lists every case past its council's period (built at the edges: the day
before, of and after the birthday; open and closed; no date of birth), nothing is erased until an
admin confirms, and then only the listed cases still past the period, each leaving an ERASED audit
entry while the entries about it stay. A council's own keep_until_age is honoured."""
from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hearth.web import db, retention, tokens
from hearth.web.access_models import RetentionReview, ReviewStatus
from hearth.web.audit import audit
from hearth.web.jobs import JobError
from hearth.web.models import AuditAction, AuditEntry, Case, Event, User

from records_support import add_case, signed_in, url
from web_support import csrf_token

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")
TODAY = date(2026, 6, 15)
OWN_PERIOD = "every-construct"   # tests/fixtures/councils/every_construct: records kept to the 25th birthday


def born_for(birthday: date, age: int) -> date:
    return birthday.replace(year=birthday.year - age)


def wait_for(app, review_id: int, status: ReviewStatus) -> RetentionReview:
    for _ in range(200):
        with app.app_context():
            review = db.session().get(RetentionReview, review_id)
            if review.status in (status.value, ReviewStatus.FAILED.value):
                db.session().expunge(review)
                assert review.status == status.value
                return review
        time.sleep(0.05)
    raise AssertionError(f"review {review_id} never became {status.value}")


@pytest.fixture
def pinned(app, monkeypatch):
    monkeypatch.setitem(app.config, "HEARTH_TODAY", TODAY)


def test_a_review_lists_the_past_and_erases_only_what_was_confirmed(app, demo, pinned):
    council = demo.home
    with app.app_context():
        age = retention.keep_until_age(council)
        made = {name: add_case(council, name, born, closed) for name, born, closed in (
            ("AFTER", born_for(TODAY - timedelta(days=1), age), True),        # the birthday was yesterday
            ("ON", born_for(TODAY, age), True),                                # it is today: kept
            ("BEFORE", born_for(TODAY + timedelta(days=1), age), True),        # it is tomorrow: kept
            ("OPEN", born_for(TODAY - timedelta(days=400), age), False),       # past, but open
            ("NO-DOB", None, True),
            ("REOPENED", born_for(TODAY - timedelta(days=30), age), True),     # past when listed, reopened after
        )}
        s = db.session()
        s.add(Event(case_id=made["AFTER"], type="any", on=date(2000, 1, 2), fields={}))
        s.commit()
        audit(AuditAction.VIEWED, "case", made["AFTER"], council_id=council, user=s.scalar(select(User).limit(1)))
        for ref in ("AFTER", "ON"):   # the API's evaluate endpoint keeps the reference it was sent
            audit(AuditAction.VIEWED, "evaluation", None, {"via": "api", "child_ref": ref}, council_id=council)
    admin = signed_in(app, demo.email("admin", council))
    index = url(app, "data_protection.index")
    started = admin.post(url(app, "data_protection.start_review"), data={"csrf_token": csrf_token(admin, index)})
    assert started.status_code == 302
    review_id = int(started.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    review = wait_for(app, review_id, ReviewStatus.LISTED)

    kinds = {entry["case_id"]: entry["kind"] for entry in review.listed}
    assert {kinds.get(made[name]) for name in ("ON", "BEFORE")} == {None}
    assert kinds[made["AFTER"]] == kinds[made["REOPENED"]] == retention.PAST
    assert kinds[made["OPEN"]] == retention.STILL_OPEN and kinds[made["NO-DOB"]] == retention.NO_DATE_OF_BIRTH
    assert {case_id for case_id, kind in kinds.items() if kind == retention.PAST} == {made["AFTER"], made["REOPENED"]}
    page = admin.get(url(app, "data_protection.review", review_id=review_id)).get_data(as_text=True)
    assert all(name in page for name in ("AFTER", "OPEN", "NO-DOB", "Cannot be judged: no date of birth"))

    # not confirmed (no box, a wrong number): nothing erased
    erase = url(app, "data_protection.confirm_erasure", review_id=review_id)
    review_page = url(app, "data_protection.review", review_id=review_id)
    for data in ({"confirm-count": "2"}, {"confirm-understood": "y", "confirm-count": "3"}):
        answer = admin.post(erase, data={"csrf_token": csrf_token(admin, review_page), **data})
        assert answer.status_code == 200 and "There is a problem" in answer.get_data(as_text=True)
    with app.app_context():
        s = db.session()
        assert all(s.get(Case, case_id) is not None for case_id in made.values())
        assert s.get(RetentionReview, review_id).status == ReviewStatus.LISTED.value
        s.get(Case, made["REOPENED"]).status = "open"                           # reopened since the listing
        late = add_case(council, "LATE", born_for(TODAY - timedelta(days=9), age), True)  # past, never listed

    answer = admin.post(erase, data={"csrf_token": csrf_token(admin, review_page), "confirm-understood": "y",
                                     "confirm-count": "2"})
    assert answer.status_code == 302
    assert wait_for(app, review_id, ReviewStatus.ERASED).erased_count == 1
    with app.app_context():
        s = db.session()
        assert s.get(Case, made["AFTER"]) is None
        assert not s.scalars(select(Event).where(Event.case_id == made["AFTER"])).all()
        assert all(s.get(Case, made[name]) is not None for name in ("ON", "BEFORE", "OPEN", "NO-DOB", "REOPENED"))
        assert s.get(Case, late) is not None
        erased = s.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.ERASED.value)).all()
        assert [(entry.object_type, entry.object_id) for entry in erased] == [("case", str(made["AFTER"]))]
        assert erased[0].detail["events"] == 1 and "AFTER" not in str(erased[0].detail)
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.VIEWED.value,
                                                 AuditEntry.object_type == "case",
                                                 AuditEntry.object_id == str(made["AFTER"]))) is not None
        kept = {entry["case_id"]: entry for entry in s.get(RetentionReview, review_id).listed}
        assert kept[made["AFTER"]]["child_ref"] == "(erased)" and kept[made["AFTER"]]["date_of_birth"] is None
        assert kept[made["REOPENED"]]["child_ref"] == "REOPENED"
        evaluations = s.scalars(select(AuditEntry).where(AuditEntry.object_type == "evaluation")).all()
        assert sorted(entry.detail["child_ref"] for entry in evaluations) == ["(erased)", "ON"]


def test_a_councils_own_period_and_a_cancelled_review(app, demo, pinned):
    with app.app_context():
        own = retention.keep_until_age(OWN_PERIOD)
        assert own == 25
        others = [c for c in demo.cases if retention.keep_until_age(c) > 40]
        assert others, "a council keeping records past the 40th birthday (the default is the 75th)"
        born = born_for(TODAY, 40)
        cases = {council: add_case(council, "FORTY", born, True) for council in (OWN_PERIOD, others[0])}
        s = db.session()
        reviews = {council: RetentionReview(council_id=council, status=ReviewStatus.LISTING.value)
                   for council in cases}
        s.add_all(reviews.values())
        s.commit()
        for council, review in reviews.items():
            retention.list_past_retention(review.id, TODAY.isoformat())
        listed = {council: {e["case_id"]: e["kind"] for e in s.get(RetentionReview, r.id).listed}
                  for council, r in reviews.items()}
        assert listed[OWN_PERIOD][cases[OWN_PERIOD]] == retention.PAST
        assert cases[others[0]] not in listed[others[0]]

        review = s.get(RetentionReview, reviews[OWN_PERIOD].id)
        with app.test_request_context():
            assert retention.cancel(review)
        with pytest.raises(JobError):
            retention.erase_listed(review.id)
        assert s.get(Case, cases[OWN_PERIOD]) is not None


def test_the_api_opens_a_case_with_the_childs_date_of_birth(app, client, demo):
    council = demo.home
    with app.app_context():
        s = db.session()
        token = tokens.create_token(s, s.scalar(select(User).where(User.email == demo.email("worker", council))))
        s.commit()
    cases = url(app, "api.cases", council=council)
    placement = {"type": demo.cases[council][0].placement_type, "started": "2024-01-01"}
    headers = {"Authorization": f"Bearer {token}"}
    future = client.post(cases, headers=headers, json={"child": {"ref": "API-DOB", "date_of_birth": "2999-01-01"},
                                                       "placement": placement})
    assert future.status_code == 422 and future.get_json()["errors"][0]["field"] == "child.date_of_birth"
    made = client.post(cases, headers=headers, json={"child": {"ref": "API-DOB", "date_of_birth": "2012-06-14"},
                                                     "placement": placement})
    assert made.status_code == 201, made.get_json()
    with app.app_context():
        assert db.session().get(Case, made.get_json()["id"]).child_date_of_birth == date(2012, 6, 14)
