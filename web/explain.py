"""Why the policy recommends what it does, in words built from the policy's own structure.

The engine's answer names the recommendation's row (``recommendation_reason.rule``,
``recommendation[<n>]``); its condition is read here and put into the vocabulary's and the
deadlines' own words: "A stable homes meeting held is pending" rather than a deadline's id.
Nothing here parses the engine's sentences; a condition of a kind not worded here (a count
of events, a placement's type) falls back to the caller's words.
"""
from __future__ import annotations

from hearth.engine.policy_model import PolicyVersion
from hearth.rules.conditions import All, DeadlineIs, EventCond, Triggered

STATUS_WORDS = {"pending": "not yet due", "overdue": "overdue", "met": "met", "late": "met late",
                "waived": "waived"}
OPEN = ("pending", "overdue")
_PREFIX = "recommendation["


def recommendation_row(answer: dict, policy: PolicyVersion | None):
    """The policy's recommendation row the answer's recommendation came from, or None."""
    rule = ((answer or {}).get("recommendation_reason") or {}).get("rule") or ""
    if policy is None or not (rule.startswith(_PREFIX) and rule.endswith("]") and rule[len(_PREFIX):-1].isdigit()):
        return None
    index = int(rule[len(_PREFIX):-1])
    return policy.recommendation[index] if index < len(policy.recommendation) else None


def _event(policy: PolicyVersion, event_type: str) -> str:
    entry = policy.vocabulary.event_types.get(event_type)
    label = entry.label if entry is not None else event_type.replace("_", " ")
    return label[:1].lower() + label[1:]


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _since(policy: PolicyVersion, since) -> str:
    return f", with no {_or([_event(policy, t) for t in since])} since" if since else ""


def condition_words(cond, policy: PolicyVersion) -> str | None:
    """A condition in plain words, or None for a kind this module does not word."""
    if isinstance(cond, All):
        parts = [condition_words(item, policy) for item in cond.items]
        return "; and ".join(parts) if parts and None not in parts else None
    if isinstance(cond, DeadlineIs):
        ob = next((o for o in policy.deadlines + policy.duties if o.id == cond.deadline), None)
        if ob is None:
            return None
        states = "still open" if set(cond.statuses) == set(OPEN) else \
            _or([STATUS_WORDS.get(status, status) for status in cond.statuses])
        return f"the deadline “{ob.title}” is {states}"
    if isinstance(cond, Triggered):
        titles = {t.id: t.title for t in policy.triggers}
        which = _or([titles.get(t, t) for t in cond.triggers]).lower() if cond.triggers else \
            "something the policy responds to (listed under what has triggered the policy)"
        return f"{which} has happened{_since(policy, cond.since)}"
    if isinstance(cond, EventCond) and cond.at_least == 1 and not cond.within and not cond.where:
        return f"{_or([_event(policy, t) for t in cond.types])} has been recorded{_since(policy, cond.since)}"
    return None


def recommendation_why(answer: dict, policy: PolicyVersion | None) -> str | None:
    """Why the recommendation holds, as a sentence (None: use the engine's words)."""
    row = recommendation_row(answer, policy)
    words = condition_words(row.when, policy) if row is not None else None
    return words[:1].upper() + words[1:] + "." if words else None
