"""Everything Hearth holds about one child, for a subject-access request: as JSON (the shape
below, versioned) and as a PDF made from the same dictionary.

One case is one child (a council has one case per child reference). What is held:

- ``case``: the case row (reference, date of birth, placement, status, outcome, dates, who has it);
- ``events``: every event recorded, with its fields, who recorded it and under which policy;
- ``submissions``: every form filled in, draft or submitted, with its answers;
- ``allocations``: who the case was given to, and transferred from, when and why;
- ``access``: whether the case is restricted, and who is named on it;
- ``audit``: every audit entry about the case, its events and its records (who viewed, changed,
  exported or was refused it, and when) -- the entries of ``case_audit`` below, which the
  per-child audit page shows too.

Staff appear by id, name and role (not their email addresses). The shape's ``format`` and
``version`` say what a reader may expect; a change that removes or renames a key raises the
version (docs/deploy.md, "Data protection").
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload

from hearth.engine import api

from . import db
from .pdf import render_pdf
from .access_models import CaseAccess, CaseAllocation, Team
from .models import AuditEntry, Case, Event, Submission, User, utcnow

FORMAT = "hearth-subject-access"
VERSION = 1

# Audit entries whose object is the case itself (object_id is its id) ...
CASE_OBJECTS = ("case", "case_forms", "case_events", "case_submissions", "case_access", "case_audit",
                "case_record", "subject_access", "case_history")
# ... and those whose object is one of its submissions (object_id is the submission's id).
SUBMISSION_OBJECTS = ("submission", "draft", "funding_request")


def case_audit(case: Case) -> Select:
    """The audit entries about a case: the case, its events, its submissions, and the forms
    opened on it (whose entries name the case in their detail)."""
    s = db.session()
    submission_ids = [str(found) for found in s.scalars(select(Submission.id).where(Submission.case_id == case.id))]
    event_ids = [str(found) for found in s.scalars(select(Event.id).where(Event.case_id == case.id))]
    about = or_(and_(AuditEntry.object_type.in_(CASE_OBJECTS), AuditEntry.object_id == str(case.id)),
                and_(AuditEntry.object_type.in_(SUBMISSION_OBJECTS), AuditEntry.object_id.in_(submission_ids)),
                and_(AuditEntry.object_type == "event", AuditEntry.object_id.in_(event_ids)),
                and_(AuditEntry.object_type == "form", AuditEntry.detail["case"].as_integer() == case.id))
    return select(AuditEntry).where(AuditEntry.council_id == case.council_id, about)


def _person(user: User | None) -> dict | None:
    return None if user is None else {"id": user.id, "name": user.name, "role": user.role}


def _when(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def export(case: Case) -> dict[str, Any]:
    """The whole record of the case's child, as JSON-ready values."""
    s = db.session()
    people: dict[int, User] = {}

    def person(user_id: int | None) -> dict | None:
        if user_id is None:
            return None
        if user_id not in people:
            people[user_id] = s.get(User, user_id)
        return _person(people[user_id])

    def team(team_id: int | None) -> dict | None:
        found = s.get(Team, team_id) if team_id is not None else None
        return None if found is None else {"id": found.id, "name": found.name}

    events = s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.on, Event.id)).all()
    submissions = s.scalars(select(Submission).where(Submission.case_id == case.id).order_by(Submission.id)).all()
    allocations = s.scalars(select(CaseAllocation).where(CaseAllocation.case_id == case.id)
                            .order_by(CaseAllocation.at, CaseAllocation.id)).all()
    named = s.scalars(select(CaseAccess).where(CaseAccess.case_id == case.id).order_by(CaseAccess.id)).all()
    entries = s.scalars(case_audit(case).options(selectinload(AuditEntry.user))
                        .order_by(AuditEntry.at, AuditEntry.id)).all()
    return {
        "format": FORMAT, "version": VERSION, "exported_at": _when(utcnow()),
        "council": {"id": case.council_id, "name": api.get_council(case.council_id).name},
        "case": {"id": case.id, "child_ref": case.child_ref, "child_date_of_birth": _when(case.child_date_of_birth),
                 "placement_type": case.placement_type, "placement_started": _when(case.placement_started),
                 "status": case.status, "outcome": case.outcome, "created_at": _when(case.created_at),
                 "closed_at": _when(case.closed_at), "restricted": bool(case.restricted),
                 "worker": person(case.worker_id), "team": team(case.team_id)},
        "events": [{"id": found.id, "type": found.type, "on": _when(found.on), "fields": found.fields or {},
                    "recorded_by": person(found.recorded_by_id), "recorded_at": _when(found.recorded_at),
                    "policy_version": found.policy_version, "policy_hash": found.policy_hash,
                    "from_submission": found.source_submission_id,
                    "withdrawn_at": _when(found.withdrawn_at)} for found in events],
        "submissions": [{"id": found.id, "form": found.form_id, "form_version": found.form_version,
                         "policy_version": found.policy_version, "status": found.status, "answers": found.data or {},
                         "created_by": person(found.created_by_id), "created_at": _when(found.created_at),
                         "updated_by": person(found.updated_by_id), "updated_at": _when(found.updated_at)}
                        for found in submissions],
        "allocations": [{"at": _when(found.at), "worker": person(found.worker_id), "team": team(found.team_id),
                         "previous_worker": person(found.previous_worker_id),
                         "previous_team": team(found.previous_team_id), "by": person(found.by_id),
                         "reason": found.reason} for found in allocations],
        "access": {"restricted": bool(case.restricted),
                   "named": [{"user": person(found.user_id), "granted_by": person(found.granted_by_id),
                              "granted_at": _when(found.granted_at)} for found in named]},
        "audit": [audit_row(found, person(found.user_id)) for found in entries],
    }


def audit_row(found: AuditEntry, who: dict | None) -> dict:
    """An audit entry as the export gives it: when, who, what, and how a refusal ended."""
    detail = found.detail if isinstance(found.detail, dict) else {}
    return {"at": _when(found.at), "user": who, "action": found.action, "object_type": found.object_type,
            "object_id": found.object_id, "via": detail.get("via"), "reason": detail.get("reason"),
            "status": detail.get("status")}


def as_pdf(held: dict[str, Any]) -> bytes:
    """The export as a tagged PDF (PDF/UA-1), from the same dictionary as the JSON."""
    return render_pdf("data_protection/export_pdf.html",
                      f"Everything held about child {held['case']['child_ref']} – {held['council']['name']}", held=held)


def filename(held: dict[str, Any], extension: str) -> str:
    """A download's name: the case's id, never the child's reference (it may be kept in a
    downloads folder's listing)."""
    return f"subject-access-case-{held['case']['id']}-{held['exported_at'][:10]}.{extension}"
