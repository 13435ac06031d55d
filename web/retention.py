"""Records past their council's retention period: a review lists them, and only once an admin
has confirmed does a second job erase them.

A council keeps a looked-after child's case records until the child's ``keep_until_age``th
birthday (council.yaml's ``records:``, hearth.engine.council_settings; 75 unless it says
otherwise). A case is past the period when that birthday is before the day and the case is
closed. A case with no date of birth cannot be judged and is never erased; an open case past
the age is listed as still open and not erased. Both are listed, so the council can put them
right.

Two jobs on the product's job queue (hearth.web.jobs), because a council has thousands of
cases: ``list_past_retention`` fills a RetentionReview's ``listed``; ``erase_listed`` runs only
for a review an admin confirmed (status ERASING, hearth.web.views.data_protection) and erases
exactly the listed cases that are *still* past the period when it runs -- a case reopened, or a
date of birth corrected, since the listing is kept. Each erased case leaves one audit entry
(ERASED, the case's id, how many events and submissions went: no personal data).

The reviews keep an erased case's id and why it was listed, never its reference or date of
birth (forget_erased). Audit entries that name an erased case are kept: they hold its id,
never what it held. The one
exception is the API's evaluate endpoint, whose entries keep the child's reference it was sent
(detail ``child_ref``): that field is scrubbed for the erased children's references.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, select

from hearth.engine import api

from . import db
from .access_models import CaseAccess, CaseAllocation, RetentionReview, ReviewStatus
from .audit import audit
from .evaluation import today
from .jobs import JobError, JobRecord, background, enqueue, report_progress
from .models import AuditAction, AuditEntry, Case, Event, Submission, User, utcnow

LIST_FUNCTION = f"{__name__}.list_past_retention"
ERASE_FUNCTION = f"{__name__}.erase_listed"

# What a listed case is (its entry's "kind"); only PAST cases are erased.
PAST = "past"
STILL_OPEN = "still_open"
NO_DATE_OF_BIRTH = "no_date_of_birth"
SCRUBBED = "(erased)"   # what an audit entry's child_ref becomes once that child's records are erased


def ordinal(number: int) -> str:
    """75 -> "75th", 21 -> "21st", 112 -> "112th": for "the child's 21st birthday"."""
    if 11 <= number % 100 <= 13:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')}"


def keep_until_age(council_id: str) -> int:
    """The council's own period: the child's age until which its records are kept."""
    return api.get_council(council_id).settings.records.keep_until_age


def birthday(born: date, age: int) -> date:
    """The day a child born on ``born`` turns ``age``. Born on 29 February: 1 March in a year
    that has no 29th (as the age is reckoned in England)."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return date(born.year + age, 3, 1)


def kind_of(case: Case, age: int, day: date) -> str | None:
    """PAST, STILL_OPEN or NO_DATE_OF_BIRTH for a case a review lists; None for one it does not
    (still within the period). A case with no date of birth is listed, open or closed: nobody
    can say when its period ends."""
    if case.child_date_of_birth is None:
        return NO_DATE_OF_BIRTH
    if birthday(case.child_date_of_birth, age) >= day:
        return None
    return PAST if case.status == "closed" else STILL_OPEN


WHY = {
    PAST: "Closed, and the child's {age} birthday was on {birthday}",
    STILL_OPEN: "The child's {age} birthday was on {birthday}, but the case is still open",
    NO_DATE_OF_BIRTH: "Cannot be judged: no date of birth",
}


def entry(case: Case, kind: str, age: int) -> dict:
    """What a review keeps about a listed case: enough to recognise it and say why."""
    born = case.child_date_of_birth
    return {"case_id": case.id, "child_ref": case.child_ref, "kind": kind, "restricted": bool(case.restricted),
            "status": case.status,
            "date_of_birth": born.isoformat() if born else None,
            "closed_on": case.closed_at.date().isoformat() if case.closed_at else None,
            "why": WHY[kind].format(age=ordinal(age), birthday=_long(birthday(born, age)) if born else "")}


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def start_review(council_id: str, user: User, day: date) -> RetentionReview:
    """A new review for the council (committed), its listing job started."""
    s = db.session()
    review = RetentionReview(council_id=council_id, status=ReviewStatus.LISTING.value, listed_by_id=user.id,
                             listed=[])
    s.add(review)
    s.flush()
    audit(AuditAction.CREATED, "retention_review", review.id, {"as_of": day.isoformat()}, commit=False)
    s.commit()
    record = _start(LIST_FUNCTION, review, {"review_id": review.id, "day": day.isoformat()})
    review.job_id = record.id
    s.commit()
    return review


def start_erasure(review: RetentionReview) -> None:
    """The erasure job for a review already marked confirmed (ERASING)."""
    record = _start(ERASE_FUNCTION, review, {"review_id": review.id})
    review.job_id = record.id
    db.session().commit()


def _start(function: str, review: RetentionReview, arguments: dict) -> JobRecord:
    try:
        return enqueue(function, review.council_id, arguments)
    except JobError:
        review.status = ReviewStatus.FAILED.value
        review.finished_at = utcnow()
        db.session().commit()
        raise


def _review(review_id: int, status: ReviewStatus) -> RetentionReview:
    review = db.session().get(RetentionReview, review_id)
    if review is None or review.status != status.value:
        raise JobError(f"Review {review_id} is not {status.value}: nothing was done.")
    return review


@background
def list_past_retention(review_id: int, day: str) -> dict:
    """Fill the review with every case of its council past the period on ``day`` (and those that
    cannot be judged or are still open), then wait for an admin."""
    review = _review(review_id, ReviewStatus.LISTING)
    s = db.session()
    try:
        as_of = date.fromisoformat(day)
        age = keep_until_age(review.council_id)
        cases = s.scalars(select(Case).where(Case.council_id == review.council_id)
                          .order_by(Case.child_date_of_birth.is_(None), Case.child_date_of_birth, Case.id)).all()
        listed = []
        for number, case in enumerate(cases, 1):
            kind = kind_of(case, age, as_of)
            if kind is not None:
                listed.append(entry(case, kind, age))
            report_progress(100 * number // len(cases))
    except Exception:
        s.rollback()
        _fail(review_id)
        raise
    s.refresh(review)
    if review.status != ReviewStatus.LISTING.value:  # cancelled while the job was listing
        return {"review": review.id, "listed": 0, "past": 0}
    review.listed = listed
    review.status = ReviewStatus.LISTED.value
    review.listed_at = utcnow()
    s.commit()
    return {"review": review.id, "listed": len(listed), "past": sum(1 for e in listed if e["kind"] == PAST)}


def to_erase(review: RetentionReview) -> list[dict]:
    """The review's entries an erasure would erase (if still past the period then)."""
    return [listed for listed in review.listed or [] if listed.get("kind") == PAST]


@background
def erase_listed(review_id: int) -> dict:
    """Erase the review's listed cases that are still past the period now; nothing else."""
    review = _review(review_id, ReviewStatus.ERASING)
    if review.confirmed_by_id is None:
        raise JobError(f"Review {review_id} was not confirmed: nothing was erased.")
    s = db.session()
    confirmed_by = s.get(User, review.confirmed_by_id)
    council_id = review.council_id
    erased: set[int] = set()
    try:
        age = keep_until_age(council_id)
        now = today()
        listed = to_erase(review)
        for number, listed_entry in enumerate(listed, 1):
            case = s.get(Case, listed_entry["case_id"])
            if case is not None and case.council_id == council_id and kind_of(case, age, now) == PAST:
                erase_case(case, review, confirmed_by)
                erased.add(listed_entry["case_id"])
            report_progress(100 * number // max(len(listed), 1))
    except Exception:
        s.rollback()
        forget_erased(council_id, erased)
        _fail(review_id, len(erased))   # each case erased was committed with its audit entry: say how many
        raise
    forget_erased(council_id, erased)
    review = s.get(RetentionReview, review_id)
    review.erased_count = len(erased)
    review.status = ReviewStatus.ERASED.value
    review.finished_at = utcnow()
    s.commit()
    return {"review": review_id, "erased": len(erased)}


def forget_erased(council_id: str, erased: set[int]) -> None:
    """The council's reviews keep no child's reference or date of birth of a case erased: only
    its id, why it was listed, and that it was erased."""
    if not erased:
        return
    s = db.session()
    for review in s.scalars(select(RetentionReview).where(RetentionReview.council_id == council_id)):
        if any(listed.get("case_id") in erased for listed in review.listed or []):
            review.listed = [{**listed, "child_ref": SCRUBBED, "date_of_birth": None, "erased": True}
                             if listed.get("case_id") in erased else listed for listed in review.listed]
    s.commit()


def erase_case(case: Case, review: RetentionReview, by: User | None) -> None:
    """One child's records gone, with everything hanging off the case, in one transaction
    with the ERASED audit entry that says so (and the evaluate endpoint's entries scrubbed)."""
    s = db.session()
    case_id, council_id, child_ref = case.id, case.council_id, case.child_ref
    events = s.scalar(select(func.count()).select_from(Event).where(Event.case_id == case_id))
    submissions = s.scalar(select(func.count()).select_from(Submission).where(Submission.case_id == case_id))
    s.expunge(case)
    for model in (Event, Submission, CaseAllocation, CaseAccess):
        s.execute(delete(model).where(model.case_id == case_id))
    s.execute(delete(Case).where(Case.id == case_id))
    for found in s.scalars(select(AuditEntry).where(AuditEntry.council_id == council_id,
                                                    AuditEntry.object_type == "evaluation")):
        if isinstance(found.detail, dict) and found.detail.get("child_ref") == child_ref:
            found.detail = {**found.detail, "child_ref": SCRUBBED}
    audit(AuditAction.ERASED, "case", case_id, {"events": events, "submissions": submissions, "review": review.id},
          user=by, council_id=council_id, commit=False)
    s.commit()


def _fail(review_id: int, erased: int = 0) -> None:
    review = db.session().get(RetentionReview, review_id)
    if review is not None:
        review.status = ReviewStatus.FAILED.value
        review.erased_count = erased
        review.finished_at = utcnow()
        db.session().commit()


def cancel(review: RetentionReview) -> bool:
    """Cancel a review waiting for confirmation; False when it is no longer waiting."""
    s = db.session()
    if review.status not in (ReviewStatus.LISTING.value, ReviewStatus.LISTED.value):
        return False
    review.status = ReviewStatus.CANCELLED.value
    review.finished_at = utcnow()
    audit(AuditAction.CHANGED, "retention_review", review.id, {"status": "cancelled"}, commit=False)
    s.commit()
    return True
