"""The impact of a policy change on a council's open cases, as a background job.

A policy officer's change (files of the council changed, added or removed, by relative path)
is loaded beside the published policy, and every open case of that council — and of no
other — is checked with hearth.engine.impact from the change's effective date, the job
reporting its progress case by case (hearth.web.jobs). The result is the engine's impact
(JSON) plus each affected case's id, so a page can link to the cases for those allowed to
open them; policy officers see the references only.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hearth.engine import api
from hearth.engine.impact import OpenCase, impact
from hearth.engine.policy import load_policy
from hearth.engine.policy_files import PolicyFiles

from . import db
from .evaluation import case_document, today
from .jobs import JobError, JobRecord, background, enqueue, report_progress
from .models import Case

FUNCTION = f"{__name__}.open_cases_impact"
# Progress: loading the two policies and the cases is the first few percent, the cases the rest.
LOADED = 5


def start(council: str, changes: dict, effective: date) -> JobRecord:
    """Start checking the council's open cases against its policy with ``changes`` (relative path ->
    new text, or None to remove the file), from ``effective``."""
    return enqueue(FUNCTION, council, {"council": council, "changes": changes, "effective": effective.isoformat()})


@background
def open_cases_impact(council: str, changes: dict, effective: str) -> dict:
    try:
        day = date.fromisoformat(effective)
        published = api.policy_on(council, day)
    except ValueError:
        raise JobError(f"'{effective}' is not a date (YYYY-MM-DD).") from None
    except api.UnknownCouncil as exc:
        raise JobError(str(exc)) from None
    except api.NoPolicyInForce as exc:
        raise JobError(f"There is no published version to compare with: {exc}") from None
    files = PolicyFiles.from_folder(api.policies_root() / council).replace(changes, origin=f"change:{council}")
    try:
        changed = load_policy(files).version_on(day)
    except api.NoPolicyInForce as exc:
        raise JobError(f"The changed policy has no version in force on {day.isoformat()}: {exc}") from None
    rows = db.session().scalars(select(Case).where(Case.council_id == council, Case.status == "open")
                                .options(selectinload(Case.events)).order_by(Case.id)).all()
    cases, unreadable, ids = [], [], {}
    for row in rows:
        ids[row.child_ref] = row.id
        try:
            cases.append(OpenCase(row.child_ref, api.parse_case(published, case_document(row), f"case {row.child_ref}")))
        except api.SourceError as exc:
            unreadable.append({"reference": row.child_ref, "changes": [], "problem": " ".join(
                problem.message for problem in exc.problems)})
    report_progress(LOADED)
    found = impact(published, changed, day, cases, today=today(),
                   progress=lambda done, total: report_progress(LOADED + (100 - LOADED) * done // total))
    result = found.as_dict()
    result["cases"] += unreadable
    result["case_ids"] = {entry["reference"]: ids[entry["reference"]] for entry in result["cases"]}
    return result
