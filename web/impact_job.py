"""The impact of a council's draft policy on its open cases, as a background job.

The draft's files (or, before anyone saved a change, the latest published set's) are loaded
beside the published set in force on the effective date, both from the database
(hearth.web.policy_store), and every open case of that council -- and of no other -- is
checked with hearth.engine.impact from that date, the job reporting its progress case by case
(hearth.web.jobs). The draft is read when the job runs, not when it was asked for, and the
result names the draft's revision and content hash, so a page can say when the draft has
changed since. The result is the engine's impact (JSON) plus each affected case's id, so a
page can link to the cases for those allowed to open them; policy officers see references only.
Restricted cases are left out (the job has no user, and only those named on a case may see it,
hearth.web.scoping), in the count as in the check.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from hearth.engine import api
from hearth.engine.impact import OpenCase, impact
from hearth.engine.policy import load_policy

from . import db, policy_store
from .evaluation import case_document, today
from .jobs import JobError, JobRecord, background, enqueue, report_progress
from .models import Case
from .scoping import case_open_to

FUNCTION = f"{__name__}.open_cases_impact"


def start(council: str, effective: date) -> JobRecord:
    """Start checking the council's open cases against its draft from ``effective``."""
    return enqueue(FUNCTION, council, {"council": council, "effective": effective.isoformat()})


def open_cases(council: str) -> int:
    """How many open cases the council has: what the job goes through, for a page's 'of N'."""
    return db.session().scalar(select(func.count(Case.id)).where(Case.council_id == council, Case.status == "open",
                                                                  case_open_to(None))) or 0


@background
def open_cases_impact(council: str, effective: str) -> dict:
    try:
        day = date.fromisoformat(effective)
    except ValueError:
        raise JobError(f"'{effective}' is not a date (YYYY-MM-DD).") from None
    s = db.session()
    published_files = policy_store.files_in_force(s, council, day)
    if published_files is None:
        raise JobError(f"There is no published version to compare with: {council} has no policy published "
                       f"in force on {day.isoformat()}.")
    draft = policy_store.draft_of(s, council)
    draft_files = policy_store.draft_files(draft) if draft is not None else published_files
    published = _version(published_files, day, "The published policy")
    changed = _version(draft_files, day, "The draft")
    rows = s.scalars(select(Case).where(Case.council_id == council, Case.status == "open", case_open_to(None))
                     .options(selectinload(Case.events)).order_by(Case.id)).all()
    cases, unreadable, ids = [], [], {}
    for row in rows:
        ids[row.child_ref] = row.id
        try:
            cases.append(OpenCase(row.child_ref, api.parse_case(published, case_document(row), f"case {row.child_ref}")))
        except api.SourceError as exc:
            unreadable.append({"reference": row.child_ref, "changes": [], "problem": " ".join(
                problem.message for problem in exc.problems)})
    found = impact(published, changed, day, cases, today=today(),
                   progress=lambda done, total: report_progress(100 * done // total))
    result = found.as_dict()
    result["cases"] += unreadable
    result["case_ids"] = {entry["reference"]: ids[entry["reference"]] for entry in result["cases"]}
    result["draft"] = {"revision": draft.revision if draft is not None else None,
                       "content_hash": draft_files.content_hash()}
    return result


def _version(files, day: date, what: str):
    """The version of ``files`` in force on ``day``; JobError (located) when it cannot be had."""
    try:
        return load_policy(files).version_on(day)
    except api.SourceError as exc:
        raise JobError(f"{what} has mistakes: " + " ".join(str(problem) for problem in exc.problems)) from None
    except api.NoPolicyInForce as exc:
        raise JobError(f"{what} has no version in force on {day.isoformat()}: {exc}") from None
