"""The engine's structured explanations (hearth.engine.answer_facts) in plain words, with the
council's own labels: why a trigger fired, how a deadline's date was reached, why a gate is
blocked or open, when a chair or invitee row applies.

Nothing here reads the engine's sentences: each function words the facts beside a sentence,
and when a fact is of a kind not worded here (or the answer has no facts, as a stored one may
not) it hands back the engine's sentence unchanged. The labels come in a ``Labels`` (built by
hearth.web.filters from the council's vocabulary), so this module holds only the wording.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

UNITS = {"working_days": ("working day", "working days"), "days": ("day", "days"), "weeks": ("week", "weeks"),
         "months": ("month", "months"), "hours": ("hour", "hours")}
ROLLS = {"next_working_day": "the next working day", "previous_working_day": "the working day before"}
OPS = {"is": "is", "one_of": "is", "is_not": "is not", "not_one_of": "is not", "at_least": "is at least",
       "at_most": "is at most", "more_than": "is more than", "less_than": "is less than", "includes": "includes",
       "includes_any": "includes", "includes_none": "includes none of"}
POSITIVE = ("is", "one_of")
NEGATIVE = ("is_not", "not_one_of")


@dataclass(frozen=True)
class Labels:
    """How ids and dates are said: each takes an id (or an ISO date) and gives words."""
    event: Callable[[str], str]        # stability_meeting_decided -> Decision to hold a stability meeting
    placement: Callable[[str], str]    # ifa_foster -> Foster carer (IFA)
    value: Callable[[object], str]     # any vocabulary id (a field's value) -> its label
    field: Callable[[str], str]        # an event field's name -> words
    date: Callable[[str], str]         # 2026-12-18 -> 18 December 2026 (with the time when given)


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def duration_words(duration: dict) -> str:
    """{"amount": 5, "unit": "working_days"} -> "5 working days"; nothing -> "immediately"."""
    amount = duration["amount"]
    if amount == 0:
        return "immediately"
    one, many = UNITS.get(duration["unit"], (duration["unit"], duration["unit"]))
    return f"{amount} {one if abs(amount) == 1 else many}"


def _events(types: list, labels: Labels) -> str:
    return _or([_lower(labels.event(t)) for t in types])


def _value(value, labels: Labels) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return _or([_value(v, labels) for v in value])
    return labels.value(value) if isinstance(value, str) else str(value)


def _where(tests: list, labels: Labels) -> str:
    if not tests:
        return ""
    words = [f"{_lower(labels.field(t['field']))} {OPS.get(t['op'], t['op'].replace('_', ' '))} "
             f"{_value(t['value'], labels)}" for t in tests]
    return f" ({'; '.join(words)})"


def finding_words(finding: dict, labels: Labels) -> str:
    """What an event condition found: "stability concern raised on 28 March 2025", or counted,
    "missing episode or absence from the home 4 times between 27 February 2026 and 27 March 2026
    (on 13 March 2026, ...)"."""
    what = _events(finding["events"], labels) + _where(finding.get("where", []), labels)
    if not finding.get("counted"):
        return f"{what} on {labels.date(finding['on'])}"
    span = f"between {labels.date(finding['from'])} and {labels.date(finding['to'])}" if "from" in finding \
        else f"up to {labels.date(finding['to'])}"
    return f"{what} {finding['count']} times {span} (on {_and([labels.date(d) for d in finding['dates']])})"


def findings_words(findings, sentence: str | None, labels: Labels) -> str | None:
    """Several findings joined, or the engine's sentence when there are none."""
    return "; ".join(finding_words(f, labels) for f in findings) if findings else sentence


def condition_words(facts: dict | None, labels: Labels) -> str | None:
    """A condition's facts in words, or None for a kind not worded here."""
    if not facts:
        return None
    if "events" in facts:
        return _event_condition(facts, labels)
    if "all" in facts or "any" in facts:
        items = facts.get("all", facts.get("any"))
        if not items:
            return "always" if "all" in facts else None
        parts = [condition_words(item, labels) for item in items]
        if None in parts:
            return None
        if "all" in facts:  # an "any" inside an "all" keeps its own parts together
            parts = [f"({part})" if "any" in item and len(item["any"]) > 1 else part for item, part in zip(items, parts)]
        return (" and " if "all" in facts else " or ").join(parts)
    if "fields" in facts:
        parts = [_placement(test, labels) for test in facts["fields"]]
        return None if None in parts else " and ".join(parts)
    return None


def _placement(test: dict, labels: Labels) -> str | None:
    if test["field"] != "placement.type" or test["op"] not in POSITIVE + NEGATIVE:
        return None
    values = test["value"] if isinstance(test["value"], list) else [test["value"]]
    names = [labels.placement(v) for v in values]
    if test["op"] in POSITIVE:
        return f"the placement is {_or(names)}"
    if len(names) == 1:
        return f"the placement is not {names[0]}"
    return f"the placement is neither {names[0]} nor {names[1]}" if len(names) == 2 else \
        f"the placement is none of {_and(names)}"


def _event_condition(facts: dict, labels: Labels) -> str:
    text = _events(facts["events"], labels) + _where(facts.get("where", []), labels)
    if facts.get("at_least", 1) > 1:
        text = f"at least {facts['at_least']} of {text}"
    if "within" in facts:
        text += f" within {duration_words(facts['within'])}"
    since = [_lower(labels.event(t)) for t in facts.get("since", [])] + \
        (["time the policy was triggered"] if facts.get("since_trigger") else [])
    if since:
        text += f" since the last {_or(since)}"
    if facts.get("judged_on") == "start":
        text += " (as things stood when it started)"
    return text


def basis_words(item: dict, labels: Labels) -> str | None:
    """How a deadline's or duty's date was reached: "5 working days after the decision to hold a
    stability meeting on 18 December 2026"; the engine's `basis` when it has no facts."""
    facts = item.get("basis_facts")
    if not facts:
        return item.get("basis")
    parts = []
    for fact in facts:
        if "after" in fact:
            start = f"the {_lower(labels.event(fact['after']))} on {labels.date(fact['on'])}"
            duration = duration_words(fact["duration"])
            text = f"{duration} after {start}" if duration != "immediately" else f"immediately after {start}"
            if fact.get("rolled"):
                text += f", moved to {ROLLS.get(fact['rolled'], fact['rolled'].replace('_', ' '))}"
        elif "agreed_at" in fact:
            text = (f"{labels.date(fact['date'])}, the date agreed at the {_lower(labels.event(fact['agreed_at']))} "
                    f"on {labels.date(fact['on'])}")
        elif "moved_by" in fact:
            by = f" by {duration_words(fact['by'])}" if "by" in fact else ""
            text = f"{_lower(labels.event(fact['moved_by']))}{by} on {labels.date(fact['on'])}, to {labels.date(fact['to'])}"
        else:
            return item.get("basis")
        parts.append(text)
    return "; then ".join(parts)


def gate_words(gate, labels: Labels) -> str | None:
    """Why a gate has its status today (a dict from the answer, or an object with the same
    names); the engine's `because` when it has no facts or they are of a kind not worded here."""
    def get(name):
        return gate.get(name) if isinstance(gate, dict) else getattr(gate, name, None)
    facts, sentence, status = get("facts"), get("because"), get("status")
    if not facts:
        return sentence
    if "waiting_for" in facts:
        words = condition_words(facts["waiting_for"], labels)
        return f"waiting for: {words}" if words else sentence
    if "needs" in facts:
        words = condition_words(facts["needs"], labels)
        return f"needs: {words}" if words else sentence
    if "overridden_by" in facts:
        found = findings_words(facts["overridden_by"], None, labels) or condition_words(facts.get("unless"), labels)
        if found is None:
            return sentence
        text = f"overridden: {found}"
        if "must_follow" in facts:
            follow = condition_words(facts["must_follow"], labels)
            if follow is None:
                return sentence
            text += f"; {follow} must still follow"
            if status == "overdue" and get("satisfy_by"):
                text += f", and was due by {labels.date(get('satisfy_by'))}"
        return text
    found = facts.get("approved_by", facts.get("met_by"))
    return findings_words(found, sentence, labels) if found is not None else sentence
