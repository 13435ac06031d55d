"""Warnings raised as a record is made (hearth.engine.entry_checks): a chair the policy does not
allow for the child, a required invitee left out, a meeting claimed that the case does not show,
an exception a manager must confirm. The form page asks a reason for each; the warnings and their
reasons are kept with the record (its data's ``_entry_warnings``), and stay open on the case page
and the dashboard until a manager has reviewed them (an audit entry) or, for an exception, until
the manager's confirming event is on the case.

Reasons reach the record by the one path, hearth.web.workflow.submit: the form page and the
correction page ask for them in the same boxes (``reason_boxes``; ``REASON_PREFIX``), and an API
client sends them as ``"reasons": {"<warning id>": "text"}``; each is held to ``reasons_problems``
and, from the API, ``other_reasons`` (an id the record did not raise), located ``reasons.<id>``.
A record sent through the API without reasons is saved with its warnings open, as before.

A kind of check the council refuses (council.yaml's ``entry_checks``) asks nothing: the record is
not saved, on the form page or through the API (``refusal``, raised by hearth.web.workflow.submit
for both), the problem located at the question whose answer the policy does not allow.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask import get_template_attribute, render_template
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from hearth.engine.entry_checks import EntryWarning, check_entry, entry_checks
from hearth.rules.limits import text_problem
from hearth.rules.source import suggest

from . import db
from .audit import audit
from .evaluation import case_document, evaluate_case, policy_in_force
from .models import AuditAction, AuditEntry, Case, Event, Submission, User

WARNINGS_KEY = "_entry_warnings"      # in a submitted record's data, beside its answers
REASON_PREFIX = "entry_reason-"       # the form page's reason box for a warning: entry_reason-<id>
REVIEWED = "entry_warnings"           # the audit object type of a manager's review of a record's warnings
REASON_MIN_LENGTH = 10                # "x" is not a reason
REASON_MAX_LENGTH = 1000
ANSWERS = "answers"                   # where a refusal is located: answers.<question id>
REASONS = "reasons"                   # where a reason's problem is located: reasons.<warning id>
BODY = "request body"                 # the file of located problems (the API's words)
WORDS = ("workflow/entry_warning_words.html", "warning_words")   # a warning in words, as pages say it
REFUSED = "The council does not accept such a record: change the answer."
BUTTONS = '<div class="govuk-button-group">'   # where a rendered form's buttons start


@dataclass(frozen=True)
class OpenWarning:
    """A warning still to be resolved, with the record it was raised on."""
    submission: Submission
    warning: dict                     # EntryWarning.as_dict() and its `reason`

    @property
    def needs_manager(self) -> bool:
        return self.warning["kind"] == "confirmation"


def needs_reason(warning: EntryWarning) -> bool:
    """A confirmation is a manager's to give; everything else asks the person recording why."""
    return warning.kind != "confirmation"


def warnings_for(case: Case, events: list[dict]) -> list[EntryWarning]:
    """What these new events say against the policy's answer for the case as it stands, each
    refused or not as the council's ``entry_checks`` says; [] when the case cannot be evaluated
    (recording says why then)."""
    answer = evaluate_case(case).answer
    policy = policy_in_force(case.council_id)
    if answer is None or policy is None:
        return []
    return check_entry(answer, events, case_document(case)["events"],
                       refuse=policy.council.settings.entry_checks.refused)


def refusal(defn, warnings: list[EntryWarning]) -> list[dict]:
    """The refused warnings as located problems ({file, line, column, field, message}), `field`
    the question whose answer gave what is refused (answers.<id>): [] when nothing is refused.
    The message is the warning as the form page words it, and what to do."""
    refused = [w for w in warnings if w.refused]
    words = get_template_attribute(*WORDS) if refused else None
    return [{"file": BODY, "line": 0, "column": 0,
             "field": f"{ANSWERS}.{question}" if (question := question_for(defn, w)) else ANSWERS,
             "message": f"{Markup(words(w.as_dict())).striptags()} {REFUSED}"} for w in refused]


def question_for(defn, warning: EntryWarning) -> str:
    """The form's question whose answer gave the warning's event field (a row's question: its
    group), or '' when none did (a fixed value)."""
    for produce in defn.produces:
        if produce.event != warning.event and not produce.event_from:
            continue
        for name, source in produce.fields:
            if name == warning.field and source[0] == "answer":
                return produce.each or source[1]
    return ""


def reasons_problems(warnings: list[EntryWarning], reasons: dict[str, str]) -> dict[str, str]:
    """{warning id: what is wrong with its reason} for the warnings that need one; none while
    anything is refused (the refusal is said first: no reason can save that record)."""
    problems = {}
    if any(w.refused for w in warnings):
        return problems
    for warning in warnings:
        if not needs_reason(warning):
            continue
        reason = reasons.get(warning.id, "")
        if not reason:
            problems[warning.id] = "Enter why this record differs from the policy"
        elif len(reason) < REASON_MIN_LENGTH:
            problems[warning.id] = f"The reason must be at least {REASON_MIN_LENGTH} characters"
        elif len(reason) > REASON_MAX_LENGTH:
            problems[warning.id] = f"The reason must be {REASON_MAX_LENGTH:,} characters or fewer"
        elif (problem := text_problem(reason, REASON_MAX_LENGTH)) is not None:
            problems[warning.id] = f"The reason cannot be kept: {problem}"
    return problems


def other_reasons(warnings: list[EntryWarning], reasons: dict[str, str]) -> dict[str, str]:
    """{id: what is wrong} for reasons given for what the record did not raise, or for a
    confirmation (a manager's to give; an empty one is no reason): an API client's mistake, said
    with the ids it could use."""
    asked = [w.id for w in warnings if needs_reason(w)]
    confirmations = {w.id for w in warnings if not needs_reason(w)}
    problems = {}
    for key, text in reasons.items():
        if key in asked or (key in confirmations and not text):
            continue
        if key in confirmations:
            problems[key] = (f"'{key}' asks no reason: a manager confirms the exception on the record's page "
                             "after it is saved.")
        elif asked:
            problems[key] = (f"'{key}' is not one of this record's warnings; those that ask a reason are "
                             f"{', '.join(asked)}.{suggest(key, asked)}")
        else:
            problems[key] = f"'{key}' is not one of this record's warnings: it raises none that asks a reason."
    return problems


def located(warnings: list[EntryWarning], problems: dict[str, str]) -> list[dict]:
    """Reasons' problems located at reasons.<id> ({file, line, column, field, message}); a
    warning's own problem says the warning in the pages' words, so a client that sent no reason
    learns what it is about."""
    by_id = {w.id: w for w in warnings}
    words = get_template_attribute(*WORDS) if problems else None
    out = []
    for key, message in problems.items():
        warning = by_id.get(key)
        said = f"{message}: {Markup(words(warning.as_dict())).striptags()}" if warning is not None and \
            needs_reason(warning) else message
        out.append({"file": BODY, "line": 0, "column": 0, "field": f"{REASONS}.{key}", "message": said})
    return out


def posted(form) -> dict[str, str]:
    """The reasons typed in a page's boxes ({warning id: text}, stripped)."""
    return {key[len(REASON_PREFIX):]: str(value).strip() for key, value in form.items()
            if key.startswith(REASON_PREFIX)}


def summary(warnings: list[dict], problems: dict[str, str]) -> list[dict]:
    """The GOV.UK error summary's entries for reasons not given well, each linking to its box."""
    return [{"text": f"{message}: {_short(w)}", "href": f"#{REASON_PREFIX}{w['id']}"}
            for w in warnings if (message := problems.get(w["id"]))]


def _short(warning: dict) -> str:
    return {"chair": "the chair", "invitee": "who is invited or attended",
            "claim": "what the record says already happened"}.get(warning["kind"], "this point")


def reason_boxes(warnings: list[dict], reasons: dict[str, str], problems: dict[str, str]) -> Markup:
    """Each warning as a GOV.UK warning with its reason box (the form page's and the correction
    page's partial), to go inside the record's form before its buttons (`before_buttons`)."""
    return Markup(render_template("workflow/entry_warnings_form.html", warnings=warnings, reasons=reasons,
                                  problems=problems, prefix=REASON_PREFIX, min_length=REASON_MIN_LENGTH,
                                  max_length=REASON_MAX_LENGTH))


def before_buttons(html: Markup | str, block: Markup | str) -> Markup:
    """A rendered form with `block` (the reason boxes) inside it, just before its buttons."""
    head, sep, tail = str(html).rpartition(BUTTONS)
    return Markup(head + str(block) + sep + tail) if sep else Markup(html)


def as_given(warning: dict) -> dict:
    """A kept warning as the API gives it: with whether it asks a reason and its words."""
    words = get_template_attribute(*WORDS)
    whole = {"event": "", "field": "", "on": "", "given": [], "expected": [], "one_of": [], "sources": [],
             "refused": False, "reason": None, **warning}   # a record kept before a key was added
    return {**whole, "needs_reason": whole["kind"] != "confirmation", "message": Markup(words(whole)).striptags()}


def kept(warnings: list[EntryWarning], reasons: dict[str, str] | None) -> list[dict]:
    """The warnings as a record keeps them, each with the reason given (None: none was asked,
    as through the API: the warning stays open until a manager reviews it)."""
    return [{**w.as_dict(), "reason": (reasons or {}).get(w.id) or None} for w in warnings]


def _record_warnings(sub: Submission) -> list[dict]:
    data = sub.data if isinstance(sub.data, dict) else {}
    found = data.get(WARNINGS_KEY)
    return [w for w in found if isinstance(w, dict) and "kind" in w] if isinstance(found, list) else []


def record_warnings(sub: Submission) -> list[dict]:
    """The warnings a record was saved with, and their reasons (for its page)."""
    return _record_warnings(sub)


def review(sub: Submission) -> AuditEntry | None:
    """A manager's review of a record's warnings, kept in the audit trail."""
    return db.session().scalar(select(AuditEntry).where(
        AuditEntry.object_type == REVIEWED, AuditEntry.object_id == str(sub.id),
        AuditEntry.action == AuditAction.CHANGED.value).order_by(AuditEntry.id.desc()))


def mark_reviewed(case: Case, sub: Submission, user: User, note: str) -> AuditEntry:
    """Record that a manager has read the record's warnings and reasons (committed with the audit)."""
    return audit(AuditAction.CHANGED, REVIEWED, sub.id,
                 {"case": case.id, "reviewed": [w["id"] for w in _record_warnings(sub)], "note": note or None},
                 user=user, council_id=case.council_id)


def _open(sub: Submission, reviewed: bool, confirmed: set[str]) -> list[dict]:
    out = []
    for warning in _record_warnings(sub):
        if warning["kind"] == "confirmation":
            if not set(warning.get("expected") or []) & confirmed:
                out.append(warning)
        elif not reviewed:
            out.append(warning)
    return out


def _in_force(session: Session, case_ids: list[int]) -> list[Submission]:
    return list(session.scalars(select(Submission).where(Submission.case_id.in_(case_ids),
                                                         Submission.status == "submitted")
                                .order_by(Submission.id)))


def _reviewed_ids(session: Session, subs: list[Submission]) -> set[int]:
    if not subs:
        return set()
    rows = session.scalars(select(AuditEntry.object_id).where(
        AuditEntry.object_type == REVIEWED, AuditEntry.action == AuditAction.CHANGED.value,
        AuditEntry.object_id.in_([str(s.id) for s in subs])))
    return {int(row) for row in rows}


def _confirmations(session: Session, case_ids: list[int]) -> dict[int, set[str]]:
    kinds = {c.confirmed_by for c in entry_checks().confirmations}
    found: dict[int, set[str]] = defaultdict(set)
    for case_id, kind in session.execute(select(Event.case_id, Event.type).where(
            Event.case_id.in_(case_ids), Event.type.in_(kinds), Event.withdrawn_at.is_(None))):
        found[case_id].add(kind)
    return found


def open_warnings(case: Case, submitted: list[Submission] | None = None) -> list[OpenWarning]:
    """The case's warnings not yet resolved, oldest record first. ``submitted``: the case's
    submitted records when the caller has read them already (the case page); the
    confirmations are read from the case's events."""
    session = db.session()
    found = sorted(submitted, key=lambda sub: sub.id) if submitted is not None else _in_force(session, [case.id])
    subs = [s for s in found if _record_warnings(s)]
    reviewed = _reviewed_ids(session, subs)
    kinds = {c.confirmed_by for c in entry_checks().confirmations}
    confirmed = {e.type for e in case.events if e.type in kinds and e.withdrawn_at is None}
    return [OpenWarning(sub, warning) for sub in subs for warning in _open(sub, sub.id in reviewed, confirmed)]


def warning_counts(session: Session, case_ids) -> dict[int, int]:
    """{case id: open warnings} for the cases that have any (the dashboard's column)."""
    case_ids = list(case_ids)
    if not case_ids:
        return {}
    subs = [s for s in _in_force(session, case_ids) if _record_warnings(s)]
    reviewed = _reviewed_ids(session, subs)
    confirmed = _confirmations(session, case_ids)
    counts: dict[int, int] = defaultdict(int)
    for sub in subs:
        counts[sub.case_id] += len(_open(sub, sub.id in reviewed, confirmed[sub.case_id]))
    return {case_id: n for case_id, n in counts.items() if n}
