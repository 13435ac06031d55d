"""What to do next on a case, in plain words, each with the form (or page) that meets it.

The case page's "Next steps" box. Everything is read from structured data: the engine's
answer (its recommendation, deadlines, duties and gates, by id and status), the policy
version (what event each obligation is met by, planned by or started by; which events a
gate waits for) and the council's forms (the events each one ``produces:``). No sentence of
the engine is parsed, no council, form or meeting is named here.

Order: the recommendation first (with the deadline that says by when, when one is open),
then everything else, overdue first, then by date; things without a date last.

Other lists join with one line each in ``MORE_LISTS``: a function of the case returning
items with ``.title``, ``.due`` (a date or None), ``.status`` and ``.href``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for

from hearth.engine.history import event_atoms
from hearth.engine.policy_model import PolicyVersion
from hearth.rules.conditions import All, AnyOf, DeadlineIs, EventCond, Triggered

from . import actions, funding
from .case_records import CaseRecords
from .explain import recommendation_row
from .models import Case, Submission

OPEN = ("pending", "overdue")
# A gate a worker must still act on: an exception taken whose condition must follow.
GATES_TO_FOLLOW = ("overridden", "overdue")

# Other lists of things to do, one line each: (kind, function of the case). A record's entry
# warnings are not one: they have their own banner at the top of the case page.
MORE_LISTS: list[tuple[str, Callable[[Case], list]]] = [("action", actions.open_actions)]


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    form: str | None = None     # the form's id, when the link starts one


@dataclass(frozen=True)
class Step:
    kind: str                   # recommendation, deadline, duty, gate, request, or a MORE_LISTS kind
    title: str                  # what is to be done, in the council's words
    status: str                 # overdue, pending, recommended, overridden, waiting, ...
    due: str | date | None = None       # by when (an ISO date or time from the engine, or a date)
    links: tuple = ()           # of Link: the first is the main button
    arranged_for: str | None = None     # the day a meeting is arranged for
    source: str | None = None   # the council's sentence, for the page's "details"
    note: str | None = None     # one more plain fact (who decides a request)

    @property
    def overdue(self) -> bool:
        return self.status == "overdue"

    @property
    def day(self) -> date | None:
        if self.due is None or isinstance(self.due, date):
            return self.due.date() if isinstance(self.due, datetime) else self.due
        text = str(self.due)
        return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)


# ------------------------------------------------------------------ which forms meet what
def forms_producing(forms: list[dict], event_types) -> list[dict]:
    """The forms (catalog.describe() entries) that produce any of these event types, the most
    specific first (a form for one event before a form with a menu of many)."""
    wanted = set(event_types)
    found = [form for form in forms if wanted & set(form["events"])]
    return sorted(found, key=lambda form: (len(form["events"]), form["id"]))


def _links(forms: list[dict], event_types, href: Callable[[str], str]) -> tuple:
    return tuple(Link(href(form["id"]), form["title"], form["id"]) for form in forms_producing(forms, event_types)[:1])


def ending_events(cond, policy: PolicyVersion) -> set:
    """The events after which a recommendation's condition no longer holds: its `since`
    events, and what meets a deadline it waits on."""
    if isinstance(cond, (EventCond, Triggered)):
        return set(cond.since)
    if isinstance(cond, DeadlineIs):
        return {t for ob in policy.deadlines + policy.duties if ob.id == cond.deadline for t in ob.met_by.types}
    if isinstance(cond, (All, AnyOf)):
        return set().union(*(ending_events(item, policy) for item in cond.items)) if cond.items else set()
    return set()


def _obligation(policy: PolicyVersion, ob_id: str):
    return next((ob for ob in policy.deadlines + policy.duties if ob.id == ob_id), None)


# ------------------------------------------------------------------ the policy's steps
def policy_steps(answer: dict, policy: PolicyVersion, forms: list[dict], href: Callable[[str], str]) -> list[Step]:
    """The steps the engine's answer calls for: the recommendation, open deadlines and duties,
    and exceptions taken whose condition must still follow."""
    open_items = [(kind, item) for kind, items in (("deadline", answer["deadlines"]), ("duty", answer["duties"]))
                  for item in items if item["status"] in OPEN]
    steps: list[Step] = []
    absorbed = None
    if answer.get("recommendation"):
        step, absorbed = _recommendation(answer, policy, forms, href, open_items)
        steps.append(step)
    for kind, item in open_items:
        if item is absorbed:
            continue
        ob = _obligation(policy, item["id"])
        steps.append(Step(kind, item.get("title") or ob.title, item["status"], item["due"],
                          _obligation_links(ob, item, forms, href), item.get("planned_for"), item.get("source")))
    steps += _gate_steps(answer, policy, forms, href)
    return steps


def _obligation_links(ob, item: dict, forms: list[dict], href) -> tuple:
    """The form that meets it and, while it is not arranged, the form that arranges it."""
    if ob is None:
        return ()
    links = _links(forms, ob.met_by.types, href)
    if ob.planned_by is not None and not item.get("planned_for"):
        links += tuple(link for link in _links(forms, ob.planned_by.event.types, href) if link not in links)
    return links


def _recommendation(answer, policy: PolicyVersion, forms, href, open_items) -> tuple[Step, dict | None]:
    """The recommendation, in the vocabulary's words. The form: when a deadline met by what
    ends the recommendation is open, that deadline's (and its date); otherwise what to record
    first (``_first_events``); otherwise any form recording what ends it."""
    reason = answer.get("recommendation_reason") or {}
    recommend = answer["recommendation"]
    title = reason.get("label") or vocab_label(policy.vocabulary.recommendations, recommend)
    row = recommendation_row(answer, policy)
    ending = ending_events(row.when, policy) if row is not None else set()
    for kind, item in open_items:
        ob = _obligation(policy, item["id"])
        if ob is not None and ending & set(ob.met_by.types):
            return Step("recommendation", title, item["status"], item["due"], _obligation_links(ob, item, forms, href),
                        item.get("planned_for"), reason.get("source")), item
    links = _links(forms, _first_events(ending, policy), href) or _links(forms, ending, href)
    return Step("recommendation", title, "recommended", None, links, None, reason.get("source")), None


def _first_events(ending: set, policy: PolicyVersion) -> set:
    """What to record first to end a recommendation (closing the work aside): a meeting no
    deadline counts towards is recorded as it happens; a meeting a deadline counts towards
    starts with what starts that deadline (the decision to hold it)."""
    obligations = policy.deadlines + policy.duties
    meetings = {t for t in ending if not getattr(policy.vocabulary.event_types.get(t), "closes_case", False)}
    counted = {t for ob in obligations for t in ob.met_by.types}
    if meetings - counted:
        return meetings - counted
    return {t for ob in obligations if meetings & set(ob.met_by.types) for t in ob.starts.types} - meetings


def _gate_steps(answer, policy: PolicyVersion, forms, href) -> list[Step]:
    """One step per gate whose exception was taken: what must still follow, and by when."""
    steps, seen = [], set()
    vocab = policy.vocabulary
    for entry in answer["gates"]:
        if entry["status"] not in GATES_TO_FOLLOW or entry["gate"] in seen:
            continue
        seen.add(entry["gate"])
        gate = next((g for g in policy.gates if g.id == entry["gate"]), None)
        if gate is None or gate.blocked_until is None:
            continue
        events = list(dict.fromkeys(t for atom in event_atoms(gate.blocked_until) for t in atom.types))
        actions = [vocab_label(vocab.actions, other["action"]) for other in answer["gates"] if other["gate"] == gate.id]
        needed = " or ".join(vocab_label(vocab.event_types, t).lower() for t in events)
        title = f"{_sentence(needed)}: still needed after the exception made for {_joined(actions).lower()}"
        steps.append(Step("gate", title, entry["status"], entry.get("satisfy_by"), _links(forms, events, href),
                          None, entry.get("source")))
    return steps


def vocab_label(section: dict, key: str) -> str:
    entry = section.get(key)
    entry = entry.get("label") if isinstance(entry, dict) else getattr(entry, "label", entry)
    return entry or key.replace("_", " ").capitalize()


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


# ------------------------------------------------------------------ requests and other lists
def requests_waiting(case: Case, answer: dict | None, policy: PolicyVersion | None,
                     submitted: list[Submission]) -> list[Step]:
    """Submitted requests no manager has decided yet, with their one status (hearth.web.funding).
    ``submitted``: the case's submitted records; their requests are read from the case's events."""
    steps = []
    requests = {}
    for event in sorted(case.events, key=lambda event: event.id):
        if event.type == funding.REQUEST_EVENT and event.source_submission_id is not None:
            requests.setdefault(event.source_submission_id, event)
    for sub in submitted:
        event = requests.get(sub.id)
        if event is None or event.withdrawn_at is not None:
            continue
        kind = (event.fields or {}).get("kind")
        found = funding.status(case, sub, answer, kind)
        if found.code in (funding.APPROVED, funding.DECLINED):
            continue
        label = vocab_label(policy.vocabulary.actions, kind) if policy else str(kind).replace("_", " ")
        steps.append(Step("request", f"Request: {label}", "waiting" if found.code in funding.AWAITING else found.code,
                          None, (Link(url_for("workflow.submission", case_id=case.id, submission_id=sub.id),
                                      "Open the request"),),
                          note=f"Requested on {event.on.day} {event.on:%B %Y}. {found.words}."))
    return steps


def from_item(kind: str, item) -> Step:
    """A MORE_LISTS item (.title, .due, .status, .href) as a step."""
    href = getattr(item, "href", None)
    return Step(kind, item.title, getattr(item, "status", "pending") or "pending", getattr(item, "due", None),
                (Link(href, "Open"),) if href else ())


def ordered(steps: list[Step]) -> list[Step]:
    """The recommendation first; then overdue before the rest, then by date; undated last."""
    first = [step for step in steps if step.kind == "recommendation"]
    rest = sorted((step for step in steps if step.kind != "recommendation"),
                  key=lambda step: (not step.overdue, step.day is None, step.day or date.max))
    return first + rest


def next_steps(case: Case, answer: dict | None, policy: PolicyVersion | None, records: CaseRecords) -> list[Step]:
    """Everything to do next on this case, in order, each with its form or page."""
    steps: list[Step] = []
    if answer is not None and policy is not None:
        steps = policy_steps(answer, policy, list(records.forms),
                             lambda form_id: url_for("workflow.start", case_id=case.id, form_id=form_id))
    steps += requests_waiting(case, answer, policy, records.with_status("submitted"))
    for kind, items in MORE_LISTS:
        steps += [from_item(kind, item) for item in items(case)]
    return ordered(steps)
