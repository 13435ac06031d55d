"""Which open cases a change of policy would affect, and how, before it is published.

Each case is evaluated under the published version and under the changed one on the day the
change takes effect (and again today, when today is later), and the two answers are compared
part by part. What differs becomes a :class:`Change`: a structured fact (which part of the
answer, which rule, before and after) with a sentence in words and the council's source
sentence for the rule. Only what a worker would see change is listed:

- triggers that would fire or no longer fire (or fire on other days);
- the recommendation, the chair and who must be invited;
- deadlines and duties: one now running or no longer running, a due date that moves, or a
  status that changes (pending to overdue, met to late). A deadline already met or waived
  under both versions is history: its due date moving is not listed unless its status changes;
- gates: a request newly blocked, opened, or needing approval;
- interventions offered or withdrawn.

A pure function of the two versions and the cases: no database, no clock (the caller says
what today is). The web runs it as a background job over a council's open cases
(the web app's impact job) and reports its progress.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable

from hearth.rules.source import SourceError

from .case import Case
from .evaluate import evaluate
from .policy_model import PolicyVersion
from .policy_words import Speaker, date_words

OPEN = ("pending", "overdue")
# The parts of an answer compared, in the order a case's changes are listed.
PARTS = ("trigger", "recommendation", "chair", "invitees", "deadline", "duty", "gate", "intervention")
GATE_WORDS = {"blocked": "blocked", "open": "open", "needs_approval": "needing approval", "approved": "approved",
               "overridden": "overridden in an emergency", "overdue": "overdue (an emergency override not followed up)"}
STATUS_WORDS = {"pending": "pending", "overdue": "overdue", "met": "met", "late": "met late", "waived": "waived"}


@dataclass(frozen=True)
class OpenCase:
    """A case to check, by the reference people know it by."""

    reference: str
    case: Case


@dataclass(frozen=True)
class Change:
    """One difference between the published answer and the changed answer for a case on a day."""

    part: str            # one of PARTS
    subject: str         # the rule's id: trigger, deadline or duty id, gate action, intervention id
    title: str
    change: str          # appears, disappears, moves, status or changes
    before: dict | None  # the published version's answer for it (None: it had none)
    after: dict | None   # the changed version's
    on: str              # the day judged, ISO
    says: str            # in words
    source: str | None   # the council's sentence for the rule (the changed version's, if it has it)

    def as_dict(self) -> dict:
        return {"part": self.part, "subject": self.subject, "title": self.title, "change": self.change,
                "before": self.before, "after": self.after, "on": self.on, "says": self.says, "source": self.source}


@dataclass(frozen=True)
class CaseImpact:
    reference: str
    changes: tuple = ()
    problem: str | None = None   # the case could not be evaluated under a version: why

    def as_dict(self) -> dict:
        return {"reference": self.reference, "changes": [c.as_dict() for c in self.changes], "problem": self.problem}


@dataclass(frozen=True)
class Impact:
    published: dict      # version, effective_from and content hash of each
    changed: dict
    days: tuple          # of date: the effective date, and today if later
    checked: int         # how many cases were evaluated
    cases: tuple         # of CaseImpact: only the cases affected or that could not be evaluated

    @property
    def affected(self) -> list[str]:
        return [c.reference for c in self.cases if c.changes]

    def as_dict(self) -> dict:
        return {"published": self.published, "changed": self.changed, "days": [d.isoformat() for d in self.days],
                "checked": self.checked, "affected": len(self.affected), "cases": [c.as_dict() for c in self.cases]}


def impact(published: PolicyVersion, changed: PolicyVersion, effective: date, cases: Iterable[OpenCase],
           today: date | None = None, progress: Callable[[int, int], None] | None = None) -> Impact:
    """What changes for each case if ``changed`` replaces ``published`` from ``effective``.
    ``progress(done, total)`` is told after each case."""
    days = (effective, today) if today is not None and today > effective else (effective,)
    cases = list(cases)
    found = []
    for done, open_case in enumerate(cases, start=1):
        result = case_impact(published, changed, days, open_case)
        if result.changes or result.problem:
            found.append(result)
        if progress is not None:
            progress(done, len(cases))
    return Impact(_described(published), _described(changed), days, len(cases), tuple(found))


def _described(version: PolicyVersion) -> dict:
    return version.describe() | {"rules_hash": version.rules_hash}


def case_impact(published: PolicyVersion, changed: PolicyVersion, days: tuple, open_case: OpenCase) -> CaseImpact:
    """One case's changes, day by day; a change already listed for an earlier day is not repeated."""
    comparer = _Comparer(published, changed)
    changes: list[Change] = []
    seen = set()
    for day in days:
        try:
            before = evaluate(published, open_case.case, day)
            after = evaluate(changed, open_case.case, day)
        except SourceError as exc:
            problems = "; ".join(problem.message for problem in exc.problems)
            return CaseImpact(open_case.reference, problem=f"This case could not be evaluated on {day.isoformat()}: "
                                                           f"{problems}")
        for change in comparer.compare(before, after, day):
            key = (change.part, change.subject, change.change, repr(change.before), repr(change.after))
            if key not in seen:
                seen.add(key)
                changes.append(change)
    return CaseImpact(open_case.reference, tuple(changes))


class _Comparer:
    """Compares two answers for one case on one day, part by part, in the changed version's words."""

    def __init__(self, published: PolicyVersion, changed: PolicyVersion):
        self.speaker = Speaker(changed)
        self.old_speaker = Speaker(published)
        self.day = ""

    def compare(self, before: dict, after: dict, day: date) -> list[Change]:
        self.day = day.isoformat()
        return [*self.triggers(before, after), *self.recommendation(before, after), *self.chair(before, after),
                *self.invitees(before, after), *self.obligations("deadline", before["deadlines"], after["deadlines"]),
                *self.obligations("duty", before["duties"], after["duties"]), *self.gates(before, after),
                *self.interventions(before, after)]

    def change(self, part, subject, title, change, before, after, says, source) -> Change:
        return Change(part, subject, title, change, before, after, self.day, says, source)

    # --- triggers
    def triggers(self, before: dict, after: dict) -> list[Change]:
        old = {t["rule"]: t for t in before["triggers"]}
        new = {t["rule"]: t for t in after["triggers"]}
        found = []
        for rule in [*new, *(r for r in old if r not in new)]:
            was, now = old.get(rule), new.get(rule)
            shown = _pick(was, ("on", "fired_on", "because")), _pick(now, ("on", "fired_on", "because"))
            title = (now or was)["title"]
            if was is None:
                found.append(self.change("trigger", rule, title, "appears", None, shown[1],
                                         f"'{title}' would fire (on {day_said(now['on'])}: {now['because']}).",
                                         now["source"]))
            elif now is None:
                found.append(self.change("trigger", rule, title, "disappears", shown[0], None,
                                         f"'{title}' would no longer fire (it fired on {day_said(was['on'])}).",
                                         was["source"]))
            elif was["fired_on"] != now["fired_on"]:
                found.append(self.change("trigger", rule, title, "moves", *shown,
                                         f"'{title}' would fire on {_days(now['fired_on'])} "
                                         f"(instead of {_days(was['fired_on'])}).", now["source"]))
        return found

    # --- what to do
    def recommendation(self, before: dict, after: dict) -> list[Change]:
        was, now = before["recommendation"], after["recommendation"]
        if was == now:
            return []
        words = self.old_speaker.value(was) if was else "none", self.speaker.value(now) if now else "none"
        reason = after["recommendation_reason"] or before["recommendation_reason"]
        return [self.change("recommendation", "recommendation", "Recommendation", "changes",
                            {"recommend": was}, {"recommend": now}, f"Recommendation: {words[0]} → {words[1]}.",
                            reason["source"] if reason else None)]

    def chair(self, before: dict, after: dict) -> list[Change]:
        was, now = before["chair"]["options"], after["chair"]["options"]
        if was == now:
            return []
        words = self.old_speaker.roles(was) or "no chair rule", self.speaker.roles(now) or "no chair rule"
        return [self.change("chair", "chair", "Who chairs", "changes", {"options": was}, {"options": now},
                            f"Who may chair: {words[0]} → {words[1]}.", after["chair"].get("source"))]

    def invitees(self, before: dict, after: dict) -> list[Change]:
        was, now = before["invitees"]["required"], after["invitees"]["required"]
        if set(was) == set(now):
            return []
        added = [r for r in now if r not in was]
        removed = [r for r in was if r not in now]
        said = [f"must now be invited: {self.speaker.roles(added)}" if added else "",
                f"no longer required: {self.old_speaker.roles(removed)}" if removed else ""]
        return [self.change("invitees", "invitees", "Who must be invited", "changes", {"required": was},
                            {"required": now}, _sentence("; ".join(s for s in said if s)), None)]

    # --- deadlines and duties
    def obligations(self, part: str, before: list, after: list) -> list[Change]:
        old, new = _instances(before), _instances(after)
        found = []
        for key in [*new, *(k for k in old if k not in new)]:
            was, now = old.get(key), new.get(key)
            shown = _pick(was, ("due", "status", "basis", "started_on", "met_on")), \
                _pick(now, ("due", "status", "basis", "started_on", "met_on"))
            title = (now or was)["title"] or key[0]
            started = day_said(key[1])
            if was is None:
                if now["status"] in OPEN:
                    found.append(self.change(part, key[0], title, "appears", None, shown[1],
                                             f"{title} (from {started}) would be due {day_said(now['due'])}, "
                                             f"{STATUS_WORDS[now['status']]}.", now["source"]))
            elif now is None:
                if was["status"] in OPEN:
                    found.append(self.change(part, key[0], title, "disappears", shown[0], None,
                                             f"{title} (from {started}) would no longer be due "
                                             f"(was due {day_said(was['due'])}).", was["source"]))
            elif was["due"] != now["due"] and (was["status"] in OPEN or now["status"] in OPEN):
                status = "" if was["status"] == now["status"] else \
                    f"; {STATUS_WORDS[was['status']]} → {STATUS_WORDS[now['status']]}"
                found.append(self.change(part, key[0], title, "moves", *shown,
                                         f"{title} (from {started}): due {day_said(was['due'])} → {day_said(now['due'])}"
                                         f"{status}.", now["source"]))
            elif was["status"] != now["status"]:
                found.append(self.change(part, key[0], title, "status", *shown,
                                         f"{title} (from {started}): {STATUS_WORDS[was['status']]} → "
                                         f"{STATUS_WORDS[now['status']]} (due {day_said(now['due'])}).", now["source"]))
        return found

    # --- requests and interventions
    def gates(self, before: dict, after: dict) -> list[Change]:
        old = {g["action"]: g for g in before["gates"]}
        new = {g["action"]: g for g in after["gates"]}
        found = []
        for action in [*new, *(a for a in old if a not in new)]:
            was, now = old.get(action), new.get(action)
            was_status = was["status"] if was else "open"   # an action under no gate may be asked for
            now_status = now["status"] if now else "open"
            if was_status == now_status:
                continue
            label = self.speaker.value(action)
            found.append(self.change("gate", action, label, "status", _pick(was, ("gate", "status", "because")),
                                     _pick(now, ("gate", "status", "because")),
                                     f"A request for {label.lower()}: {GATE_WORDS.get(was_status, was_status)} → "
                                     f"{GATE_WORDS.get(now_status, now_status)}.", (now or was)["source"]))
        return found

    def interventions(self, before: dict, after: dict) -> list[Change]:
        old = {i["id"]: i for i in before["interventions"]}
        new = {i["id"]: i for i in after["interventions"]}
        found = [self.change("intervention", i, new[i]["label"], "appears", None, {"label": new[i]["label"]},
                             f"Would be offered: {new[i]['label']}.", new[i]["source"]) for i in new if i not in old]
        found += [self.change("intervention", i, old[i]["label"], "disappears", {"label": old[i]["label"]}, None,
                              f"Would no longer be offered: {old[i]['label']}.", old[i]["source"])
                  for i in old if i not in new]
        return found


def _instances(entries: list) -> dict:
    """Deadline or duty instances by (id, day started, which of that day's): the same instance
    under both versions, however their due dates differ."""
    counts: Counter = Counter()
    found = {}
    for entry in entries:
        counts[(entry["id"], entry["started_on"])] += 1
        found[(entry["id"], entry["started_on"], counts[(entry["id"], entry["started_on"])])] = entry
    return found


def _pick(entry: dict | None, keys: tuple) -> dict | None:
    return {key: entry.get(key) for key in keys} if entry is not None else None


def day_said(text: str) -> str:
    """'2026-01-30' as '30 January 2026' (a time of day, if any, kept after it)."""
    day = date.fromisoformat(text[:10])
    return date_words(day) + (f" {text[11:]}" if len(text) > 10 else "")


def _days(texts: list) -> str:
    words = [day_said(text) for text in texts]
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
