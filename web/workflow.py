"""Recording a council form: the one code path the web pages and the JSON API share.

A submitted form becomes a Submission row and the events its `produces:` names, in one
transaction, and only after the engine's case reader accepts the whole case with them:
an event the policy would refuse is never half-saved. Drafts keep whatever was typed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from . import db
from .audit import audit
from .evaluation import case_document, policy_in_force, today
from .models import AuditAction, Case, Event, Submission, User

DRAFT_BOXES = "_boxes"  # a web draft keeps the raw boxes, so an unparseable date is not lost


class Refused(Exception):
    """The engine refused the case with these events: nothing was saved."""

    def __init__(self, messages: list[str], problems: list[dict] | None = None):
        super().__init__("; ".join(messages))
        self.messages = messages
        self.problems = problems or []


def catalog(council_id: str, on: date | None = None):
    from hearth.engine.forms_catalog import load_forms
    return load_forms(council_id, on or today())


def definition(council_id: str, form_id: str, version: str | None = None):
    """The form (a kept version for an old record), or None if the council has no such form."""
    from hearth.engine.forms_catalog import UnknownForm
    try:
        return catalog(council_id).get(form_id, version)
    except UnknownForm:
        return None


def _say(problem, new_from: int, events: list[dict]) -> str:
    """An engine problem in words, naming the new event it is about (not its index)."""
    field = problem.field or ""
    if field.startswith("events["):
        index = int(field[7:field.index("]")])
        if index >= new_from:
            rest = field[field.index("]") + 1:].lstrip(".")
            what = events[index - new_from]["type"].replace("_", " ")
            field = f"{what}{' ' + rest if rest else ''}"
    return f"{field}: {problem.message}" if field else problem.message


def check_events(case: Case, events: list[dict], policy) -> None:
    """Raise Refused unless the engine reads the case with these events added."""
    from hearth.engine import api

    if policy is None:
        raise Refused(["This council's policy could not be loaded, so nothing can be recorded. "
                       "Tell your council's policy officer."])
    doc = case_document(case)
    new_from = len(doc["events"])
    doc["events"] = doc["events"] + [{k: _plain(v) for k, v in e.items()} for e in events]
    try:
        api.parse_case(policy, doc, file=f"case {case.id}")
    except api.SourceError as exc:
        raise Refused([_say(p, new_from, events) for p in exc.problems],
                      [p.as_dict() for p in exc.problems]) from None


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _event_rows(case: Case, events: list[dict], user: User, version: str, submission: Submission | None):
    for e in events:
        fields = {k: _plain(v) for k, v in e.items() if k not in ("type", "on")}
        on = e["on"] if isinstance(e["on"], date) else date.fromisoformat(str(e["on"]))
        yield Event(case=case, type=e["type"], on=on, fields=fields, recorded_by_id=user.id,
                    policy_version=version,
                    source_submission_id=submission.id if submission is not None else None)


def submit(case: Case, defn, answers: dict, user: User, draft: Submission | None = None,
           via: str = "web") -> Submission:
    """Save a submitted form and its events in one transaction (Refused: nothing saved)."""
    from hearth.forms import events_from

    policy = policy_in_force(case.council_id)
    events = events_from(defn, answers)
    check_events(case, events, policy)
    s = db.session()
    try:
        sub = draft or Submission(case=case, form_id=defn.id, created_by_id=user.id)
        sub.form_version, sub.policy_version = str(defn.version), policy.version
        sub.data, sub.status, sub.updated_by_id = answers, "submitted", user.id
        s.add(sub)
        s.flush()
        rows = list(_event_rows(case, events, user, policy.version, sub))
        s.add_all(rows)
        s.flush()
        audit(AuditAction.CREATED, "submission", sub.id,
              {"case": case.id, "form": defn.id, "version": str(defn.version), "via": via,
               "events": [e["type"] for e in events]},
              user=user, council_id=case.council_id, policy_version=policy.version, commit=False)
        s.commit()
    except Exception:
        s.rollback()
        raise
    s.expire(case, ["events"])
    return sub


def save_draft(case: Case, defn, data: dict, user: User, draft: Submission | None = None,
               via: str = "web") -> Submission:
    """Keep a half-filled form as it is, valid or not; no events."""
    policy = policy_in_force(case.council_id)
    version = policy.version if policy else None
    s = db.session()
    sub = draft or Submission(case=case, form_id=defn.id, created_by_id=user.id)
    sub.form_version, sub.policy_version = str(defn.version), version
    sub.data, sub.status, sub.updated_by_id = data, "draft", user.id
    s.add(sub)
    s.flush()
    audit(AuditAction.CHANGED if draft else AuditAction.CREATED, "draft", sub.id,
          {"case": case.id, "form": defn.id, "via": via}, user=user, council_id=case.council_id,
          policy_version=version, commit=False)
    s.commit()
    return sub


def record_events(case: Case, events: list[dict], user: User, detail: dict) -> list[Event]:
    """Events recorded by an action rather than a form (the panel's approval), checked the same way."""
    policy = policy_in_force(case.council_id)
    check_events(case, events, policy)
    s = db.session()
    rows = list(_event_rows(case, events, user, policy.version, None))
    s.add_all(rows)
    s.flush()
    audit(AuditAction.CREATED, "event", ",".join(str(r.id) for r in rows), {"case": case.id, **detail},
          user=user, council_id=case.council_id, policy_version=policy.version, commit=False)
    s.commit()
    s.expire(case, ["events"])
    return rows


def submissions(case: Case, status: str | None = None) -> list[Submission]:
    stmt = select(Submission).where(Submission.case_id == case.id).order_by(Submission.updated_at.desc(),
                                                                             Submission.id.desc())
    if status:
        stmt = stmt.where(Submission.status == status)
    return list(db.session().scalars(stmt))


@dataclass(frozen=True)
class Gate:
    """What the live evaluation says about approving one kind of request."""
    action: str
    status: str                 # the most restrictive of the policy's gates on it; "open" if none
    because: str | None = None
    source: str | None = None

    @property
    def may_approve(self) -> bool:
        return self.status in ("open", "approved", "overridden")


_ORDER = {"blocked": 0, "needs_approval": 1, "overridden": 2, "approved": 3, "open": 4}


def gate_for(answer: dict | None, action: str) -> Gate | None:
    """The gate for an action from the evaluation's `gates` list; None when there is no answer."""
    if answer is None:
        return None
    gates = [g for g in answer.get("gates", []) if g.get("action") == action]
    if not gates:
        return Gate(action, "open", None, None)  # the policy puts no condition on it
    worst = min(gates, key=lambda g: _ORDER.get(g.get("status"), 0))
    return Gate(action, worst.get("status", "blocked"), worst.get("because"), worst.get("source"))
