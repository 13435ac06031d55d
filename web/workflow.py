"""Recording events: the one code path every web form, manager's action and API call shares.

`record_events` is the only function that writes events. Before anything is saved it
holds the new events to the recording rules (hearth.engine.recording: who may record
each type, nothing after today, the service's bounds, so many per request), reads the
whole case with them through the engine's case reader, and tries the engine's
evaluation of it for today: a case that evaluates can never be made one that does not,
whatever the reader lets through. Then the events, their audit entries and (for a form)
the Submission row are saved in one transaction, or, on any refusal, nothing is.

A case stored before these checks may already fail to evaluate; new events on it are
still recorded when they read well (refusing them would not mend it), and
`hearth db check` lists such cases. Drafts keep what was typed, within the form's own
boxes and MAX_DRAFT_BYTES; no events.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from hearth.engine import api
from hearth.engine.forms_catalog import FormCatalog, UnknownForm, load_forms
from hearth.engine.policy_model import PolicyVersion
from hearth.engine.recording import check_new_events, may_record
from hearth.forms import events_from
from hearth.rules.limits import MAX_DRAFT_BYTES
from hearth.rules.source import parse_date_or_datetime

from . import case_summaries, db, entry_warnings
from .audit import audit, policy_hash, version_name
from .case_closing import close_for
from .evaluation import CHECK_FAILED, case_document, evaluate_case, forget, policy_in_force, remember, today
from .models import AuditAction, Case, Event, Submission, User

DRAFT_BOXES = "_boxes"  # a web draft keeps the raw boxes, so an unparseable date is not lost
NEW_EVENTS = "new events"  # the file name of problems in events being recorded (the API says "request body")


class Refused(Exception):
    """The events cannot be recorded: nothing was saved. `problems` are located in the new events."""

    def __init__(self, messages: list[str], problems: list[dict] | None = None):
        super().__init__("; ".join(messages))
        self.messages = messages
        self.problems = problems or []


class ReasonsWanted(Refused):
    """The record raises warnings whose reasons were not given well (or reasons were given for
    what it did not raise): nothing was saved. `problems` are located at reasons.<warning id>;
    `warnings` (as the record would keep them), `reasons` (as given) and `wanted` ({warning id:
    what is wrong}) are for a page that asks again."""

    def __init__(self, problems: list[dict], warnings: list[dict], reasons: dict[str, str], wanted: dict[str, str]):
        super().__init__([p["message"] for p in problems], problems)
        self.warnings, self.reasons, self.wanted = warnings, reasons, wanted


def catalog(council_id: str, on: date | None = None) -> FormCatalog:
    """The council's forms (the last good ones after a bad save: hearth.engine.sources). A
    council whose forms have never loaded gets none, so its pages say so instead of failing;
    its policy officers see why on the policy status page."""
    try:
        return load_forms(council_id, on or today())
    except api.SourceError as exc:
        current_app.logger.warning("The forms of council %r cannot be loaded: %s", council_id, exc)
        return FormCatalog(council_id)


def definition(council_id: str, form_id: str, version: str | None = None):
    """The form (a kept version for an old record), or None if the council has no such form."""
    try:
        return catalog(council_id).get(form_id, version)
    except UnknownForm:
        return None


def for_role(defn, policy, app_role: str):
    """The form as someone with this app role may fill it: an `event_from` question does not
    offer the event types the vocabulary says this role may not record (a worker is not
    offered 'Panel approved'). Recording still checks every event, so a forged post of a
    hidden option is refused too. The same definition when nothing is hidden."""
    if policy is None:
        return defn
    hidden = {}
    for produce in defn.produces:
        if produce.event_from and produce.event_from in defn.fields_by_id:
            question = defn.field(produce.event_from)
            refused = {o.value for o in question.options if o.value in policy.vocabulary.event_types
                       and not may_record(policy.vocabulary, o.value, app_role)}
            if refused:
                hidden[question.id] = refused
    if not hidden:
        return defn
    sections = tuple(replace(section, fields=tuple(
        replace(f, options=tuple(o for o in f.options if o.value not in hidden[f.id])) if f.id in hidden else f
        for f in section.fields)) for section in defn.sections)
    return replace(defn, sections=sections, hash=f"{defn.hash}:{app_role}")  # its own built form class


def _event_index(field: str) -> int | None:
    if not field.startswith("events["):
        return None
    return int(field[7:field.index("]")])


def _relative(problem: dict, new_from: int) -> dict:
    """A problem of the whole case, located in the new events instead (events[7] -> events[0])."""
    index = _event_index(problem["field"] or "")
    if index is None:
        return problem
    rest = problem["field"][problem["field"].index("]") + 1:]
    return {**problem, "field": f"events[{index - new_from}]{rest}"}


def _say(problem: dict, events: list[dict]) -> str:
    """A problem in words, naming the new event it is about (not its index)."""
    field = problem["field"] or ""
    index = _event_index(field)
    if index is not None and 0 <= index < len(events) and isinstance(events[index], dict):
        rest = field[field.index("]") + 1:].lstrip(".")
        what = str(events[index].get("type", "event")).replace("_", " ")
        field = f"{what}{' ' + rest if rest else ''}"
    return f"{field}: {problem['message']}" if field else problem["message"]


def _refuse(problems: list[dict], events: list[dict]) -> Refused:
    return Refused([_say(p, events) for p in problems], problems)


def check_events(case: Case, events: list[dict], policy, user: User, file: str = NEW_EVENTS) -> dict | None:
    """Raise Refused unless these events may be recorded on the case today by this user. Returns
    the engine's answer for the case with them (None when the stored case could not be read
    before either), so the page or API answer after the write need not evaluate it again."""
    if policy is None:
        raise Refused(["This council's policy could not be loaded, so nothing can be recorded. "
                       "Tell your council's policy officer."])
    problems = check_new_events(policy, events, today=today(), app_role=user.role, file=file)
    if problems:
        raise _refuse([p.as_dict() for p in problems], events)
    document = case_document(case)
    new_from = len(document["events"])
    document["events"] = document["events"] + [{k: _plain(v) for k, v in e.items()} for e in events]
    try:
        parsed = api.parse_case(policy, document, file=file)
    except api.SourceError as exc:
        found = [_relative(p.as_dict(), new_from) for p in exc.problems]
        new = [p for p in found if (_event_index(p["field"] or "") or 0) >= 0]
        if new:
            raise _refuse(new, events) from None
        return None  # only stored events are unreadable: the new ones read well (hearth db check lists it)
    try:
        return api.evaluate(case.council_id, parsed, today())
    except Exception as exc:  # noqa: BLE001 - any failure of the engine refuses the write
        if evaluate_case(case).answer is None:
            return None  # the case did not evaluate before either; these events do not make it worse
        message = f"{CHECK_FAILED} with these events: {type(exc).__name__}: {exc}. Nothing has been saved."
        raise Refused([message], [{"file": file, "line": 0, "column": 0, "field": "events",
                                   "message": message}]) from None


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parsed = parse_date_or_datetime(str(value))
    return parsed.date() if isinstance(parsed, datetime) else parsed


def _has_time(value: Any) -> bool:
    """An event date with a time of day, which the events table keeps only as its day: the
    case as saved may then answer differently from the case as tried."""
    return isinstance(value, datetime) or (isinstance(value, str) and len(value.strip()) > 10)


def _event_rows(case: Case, events: list[dict], user: User, version: PolicyVersion, submission: Submission | None):
    for e in events:
        fields = {k: _plain(v) for k, v in e.items() if k not in ("type", "on")}
        yield Event(case=case, type=e["type"], on=_day(e["on"]), fields=fields, recorded_by_id=user.id,
                    policy_version=version.version, policy_hash=version.policy_hash or None,
                    source_submission_id=submission.id if submission is not None else None)


def record_events(case: Case, events: list[dict], user: User, detail: dict | None = None, *, via: str = "web",
                  submission: Callable[[Any], Submission] | None = None, commit: bool = True,
                  file: str = NEW_EVENTS) -> list[Event]:
    """Check, then save these events and their audit entries in one transaction (Refused: nothing saved).

    `submission(policy)` makes the form's Submission row once the events are accepted, so a
    refused draft is never left changed in the session. With commit=False the caller commits
    (the API, to store an Idempotency-Key's answer in the same transaction).
    """
    policy = policy_in_force(case.council_id)
    answer = check_events(case, events, policy, user, file)
    s = db.session()
    try:
        sub = submission(policy) if submission is not None else None
        if sub is not None:
            s.add(sub)
            s.flush()
        rows = list(_event_rows(case, events, user, policy, sub))
        s.add_all(rows)
        s.flush()
        for row in rows:
            audit(AuditAction.CREATED, "event", row.id,
                  {"case": case.id, "type": row.type, "via": via, **(detail or {})},
                  user=user, council_id=case.council_id, policy=policy, commit=False)
        close_for(case, rows, user, policy)  # an event whose type closes the case (closes_case)
        case_summaries.store(case, None if any(_has_time(e["on"]) for e in events) else answer)  # for lists
        if commit:
            s.commit()
    except Exception:
        s.rollback()
        raise
    s.expire(case, ["events"])
    forget(case)
    if answer is not None and not any(_has_time(e["on"]) for e in events):
        remember(case, answer)  # the case as saved is the case just tried: the same answer
    return rows


def submit(case: Case, defn, answers: dict, user: User, draft: Submission | None = None,
           via: str = "web", commit: bool = True, reasons: dict[str, str] | None = None,
           page: bool = False) -> Submission:
    """Save a submitted form and its events in one transaction (Refused: nothing saved).

    What the record says against the policy (hearth.web.entry_warnings) is kept with it, with
    the `reasons` given for it ({warning id: reason}); what the council refuses (its
    entry_checks) is Refused, located at the question. Given `reasons` (the form and correction
    pages, or an API body's), each warning that asks one must have a good one, or ReasonsWanted;
    a reason for what the record does not raise is a mistake too, except from a `page`, whose
    boxes may be for warnings its changed answers no longer raise (they are dropped). Without
    `reasons` (an API body without them) the record is kept with its warnings open."""
    made: list[Submission] = []
    events = events_from(defn, answers)
    found = entry_warnings.warnings_for(case, events)
    if refused := entry_warnings.refusal(defn, found):
        raise Refused([p["message"] for p in refused], refused)
    if reasons is not None:
        reasons = {key: text.strip() for key, text in reasons.items()}
        wanted = {} if page else entry_warnings.other_reasons(found, reasons)
        wanted |= entry_warnings.reasons_problems(found, reasons)
        if wanted:
            raise ReasonsWanted(entry_warnings.located(found, wanted), [w.as_dict() for w in found], reasons, wanted)
    warnings = entry_warnings.kept(found, reasons)

    def make(policy) -> Submission:
        sub = draft or Submission(case=case, form_id=defn.id, created_by_id=user.id)
        sub.form_version, sub.policy_version = str(defn.version), policy.version
        sub.policy_hash = policy.policy_hash or None
        sub.data = {**answers, entry_warnings.WARNINGS_KEY: warnings} if warnings else answers
        sub.status, sub.updated_by_id = "submitted", user.id
        db.session().add(sub)
        db.session().flush()
        audit(AuditAction.CREATED, "submission", sub.id,
              {"case": case.id, "form": defn.id, "version": str(defn.version), "via": via,
               "events": [e["type"] for e in events],
               **({"warnings": [w["id"] for w in warnings]} if warnings else {})},
              user=user, council_id=case.council_id, policy=policy, commit=False)
        made.append(sub)
        return sub

    record_events(case, events, user, {"form": defn.id}, via=via, submission=make, commit=commit)
    return made[0]


class DraftRefused(ValueError):
    """A draft that is not this form's boxes, or too large: nothing was saved. `field` locates it."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def _own_key(defn, key: str) -> bool:
    """A box of this form: a question's id, or one of its parts (`event_date-day`, `actions-0-who`)."""
    return any(key == f.id or key.startswith(f.id + "-") for f in defn.all_fields())


def draft_data(defn, data: dict, *, boxes: bool) -> dict:
    """What a draft may keep: the form's own answers (API) or boxes (web), within MAX_DRAFT_BYTES.

    Raises DraftRefused for another key in an API draft or for a draft over the size; a web
    draft's other boxes (buttons, a stray field) are dropped, as the browser's are not data.
    """
    if boxes:
        kept = {k: [str(v) for v in vs] for k, vs in data.items() if _own_key(defn, k)}
        data = {DRAFT_BOXES: kept}
    else:
        for key in data:
            if not any(key == f.id for f in defn.all_fields()):
                raise DraftRefused(f"'{key}' is not a question of the form '{defn.id}'.", key)
    size = len(json.dumps(data, default=str).encode("utf-8"))
    if size > MAX_DRAFT_BYTES:
        raise DraftRefused(f"This draft is {size:,} bytes; a draft may be at most {MAX_DRAFT_BYTES:,} bytes. "
                           "Shorten the longest answers, or submit the record.")
    return data


def draft_boxes(draft: Submission | None) -> dict | None:
    """A web draft's boxes, or None when it has none or they are not boxes (data stored before
    drafts were checked): the form then opens from the answers, or empty, never a 500."""
    data = draft.data if draft is not None else None
    boxes = data.get(DRAFT_BOXES) if isinstance(data, dict) else None
    if not isinstance(boxes, dict):
        return None
    return {str(k): [str(v) for v in vs] for k, vs in boxes.items() if isinstance(vs, list)}


def save_draft(case: Case, defn, data: dict, user: User, draft: Submission | None = None,
               via: str = "web", commit: bool = True) -> Submission:
    """Keep a half-filled form as it is, valid or not; no events. `data` is checked by draft_data."""
    policy = policy_in_force(case.council_id)
    s = db.session()
    sub = draft or Submission(case=case, form_id=defn.id, created_by_id=user.id)
    sub.form_version, sub.policy_version = str(defn.version), version_name(policy)
    sub.policy_hash = policy_hash(policy)
    sub.data, sub.status, sub.updated_by_id = data, "draft", user.id
    s.add(sub)
    s.flush()
    audit(AuditAction.CHANGED if draft else AuditAction.CREATED, "draft", sub.id,
          {"case": case.id, "form": defn.id, "via": via}, user=user, council_id=case.council_id,
          policy=policy, commit=False)
    if commit:
        s.commit()
    return sub


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
    facts: dict | None = None   # the answer's structured reason (hearth.engine.answer_facts)

    @property
    def may_approve(self) -> bool:
        return self.status in ("open", "approved", "overridden")


_ORDER = {"blocked": 0, "needs_approval": 1, "overdue": 2, "overridden": 3, "approved": 4, "open": 5}


def gate_for(answer: dict | None, action: str) -> Gate | None:
    """The gate for an action from the evaluation's `gates` list; None when there is no answer."""
    if answer is None:
        return None
    gates = [g for g in answer.get("gates", []) if g.get("action") == action]
    if not gates:
        return Gate(action, "open", None, None)  # the policy puts no condition on it
    worst = min(gates, key=lambda g: _ORDER.get(g.get("status"), 0))
    return Gate(action, worst.get("status", "blocked"), worst.get("because"), worst.get("source"), worst.get("facts"))
