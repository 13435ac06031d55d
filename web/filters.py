"""Jinja filters for showing stored values to people.

Labels come from the vocabulary of the signed-in user's council's policy in force
today, so a policy officer's wording reaches every page and no page shows raw ids;
when the policy cannot be loaded, ids are made readable instead.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask, g, has_request_context

from . import answer_words
from .amounts import money
from .councils import current_council
from .evaluation import policy_in_force

SOURCE = re.compile(r"^(?P<document>[^:']+): '(?P<quote>.*)'$", re.S)


def humanise(value) -> str:
    """`stability_meeting_held` -> `Stability meeting held`: the fallback for ids with no label."""
    text = str(value or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _as_date(value) -> date | datetime | None:
    if value is None or isinstance(value, date):
        return value
    text = str(value)
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


def sentence(value) -> str:
    """Upper-case the first letter only (Jinja's `capitalize` lower-cases the rest, labels too)."""
    text = str(value or "")
    return text[:1].upper() + text[1:]


def long_date(value) -> str:
    value = _as_date(value)
    return f"{value.day} {value:%B %Y}" if value else "–"


def _time(value: datetime) -> str:
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if not value.minute else f"{hour}:{value.minute:02d}{suffix}"


def day_date(value) -> str:
    """`2026-12-29` -> `Tuesday 29 December 2026` (and `at 3pm` when the engine gives a time)."""
    value = _as_date(value)
    if value is None:
        return "–"
    text = f"{value:%A} {long_date(value)}"
    return f"{text} at {_time(value)}" if isinstance(value, datetime) else text


UK = ZoneInfo("Europe/London")


def uk_time(value: datetime) -> datetime:
    """A stored instant (UTC; SQLite hands it back without its zone) as the clock on an
    English office wall reads it, summer time included."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(UK)


def recorded(value) -> str:
    """When something was saved: `Wednesday 1 July 2026 at 10:30am`, in UK time. (Engine times,
    such as a missing episode's, are already local and go through `day_date`.)"""
    if value is None:
        return "–"
    if isinstance(value, str):  # an instant the engine gives as ISO 8601 (policy states' `since`)
        value = datetime.fromisoformat(value)
    return day_date(uk_time(value).replace(tzinfo=None))


def recorded_exactly(value) -> str:
    """For the audit trail: `2026-07-01 10:30:05 BST`."""
    return uk_time(value).strftime("%Y-%m-%d %H:%M:%S %Z") if value is not None else "–"


def person(user) -> str:
    if user is None:
        return "Not assigned"
    return user.name or user.email


# --- labels from the policy's vocabulary ------------------------------------------------
# A page asks for the same few labels many times (the case page: about 80 lookups of 20 ids):
# each request keeps its vocabulary and every label it has looked up on flask.g.
def vocabulary():
    """The vocabulary of the user's council's policy in force today, or None."""
    if not has_request_context():
        return None
    if "hearth_vocabulary" not in g:
        council = current_council()
        policy = policy_in_force(council.id) if council else None
        g.hearth_vocabulary = policy.vocabulary if policy else None
    return g.hearth_vocabulary


def _label(section: str, value) -> str:
    if not has_request_context():
        return _looked_up(section, value)
    known = g.setdefault("hearth_label_of", {})
    try:
        return known[section, value]
    except KeyError:
        found = known[section, value] = _looked_up(section, value)
        return found
    except TypeError:  # not an id (a list, say): worded each time, not kept
        return _looked_up(section, value)


def _looked_up(section: str, value) -> str:
    vocab = vocabulary()
    entry = getattr(vocab, section, {}).get(value) if vocab else None
    if section == "roles" and entry is None and vocab:
        entry = vocab.parties.get(value)  # 'carer' may raise a concern too
    if isinstance(entry, dict):
        entry = entry.get("label")
    entry = getattr(entry, "label", entry)
    return entry or humanise(value)


def placement_label(value) -> str:
    return _label("placement_types", value)


def role_label(value) -> str:
    return _label("roles", value)


def role_labels(values) -> list[str]:
    return [role_label(v) for v in values or ()]


def event_label(value) -> str:
    return _label("event_types", value)


def action_label(value) -> str:
    return _label("actions", value)


def recommendation_label(value) -> str:
    return _label("recommendations", value)


# Event fields the shared vocabulary declares as a number of pounds (funding_requested's cost):
# shown as money, `£1,200.50`, not as Python prints a float.
MONEY_FIELDS = frozenset({"cost"})


def _field_value(kind: str | None, value) -> str:
    if kind == "money":
        return money(value)
    if isinstance(value, bool) or kind == "boolean":
        return "Yes" if value else "No"
    if kind == "role":
        return role_label(value)
    if kind == "roles" or isinstance(value, (list, tuple)):
        return ", ".join(role_labels(value) if kind == "roles" else map(str, value))
    if kind == "action":
        return action_label(value)
    if kind == "placement_type":
        return placement_label(value)
    if kind == "date":
        return long_date(value)
    if kind == "choice":
        return humanise(value)
    return str(value)


def event_details(event) -> list[tuple[str, str]]:
    """An event's fields as (name, value) in words, using the kinds its type declares."""
    vocab = vocabulary()
    kinds = {}
    if vocab and event.type in vocab.event_types:
        kinds = {name: f.kind for name, f in vocab.event_fields(event.type).items()}
    return [(humanise(name), _field_value("money" if name in MONEY_FIELDS else kinds.get(name), value))
            for name, value in (event.fields or {}).items() if value not in (None, "", [])]


def _known_ids() -> dict[str, str]:
    """Every vocabulary id -> its label, built once per request."""
    if has_request_context() and "hearth_labels" in g:
        return g.hearth_labels
    vocab, known = vocabulary(), {}
    if vocab:
        for section in ("roles", "parties", "placement_types", "actions", "recommendations", "event_types"):
            known.update({k: _label(section, k) for k in getattr(vocab, section)})
    if has_request_context():
        g.hearth_labels = known
    return known


def value_label(value) -> str:
    """Any vocabulary id (a role, an action, a placement type...) as its label."""
    return _known_ids().get(value) or humanise(value)


def moment(value) -> str:
    """`2026-12-18` -> `18 December 2026`; `2026-12-18T15:00` -> `18 December 2026 at 3pm`."""
    value = _as_date(value)
    return f"{long_date(value)} at {_time(value)}" if isinstance(value, datetime) else long_date(value)


# --- the engine's explanations in words (hearth.web.answer_words), from its facts, not its sentences
WORDS = answer_words.Labels(event=event_label, placement=placement_label, value=value_label, field=humanise,
                            date=moment)


def trigger_words(trigger) -> str | None:
    """Why a trigger fired: `Stability concern raised on 28 March 2025`."""
    return answer_words.findings_words(trigger.get("facts"), trigger.get("because"), WORDS)


def basis_words(item) -> str | None:
    """How a deadline's or duty's due date was reached."""
    return answer_words.basis_words(item, WORDS)


def gate_words(gate) -> str | None:
    """Why a gate (the answer's, or a hearth.web.workflow.Gate) has its status today."""
    return answer_words.gate_words(gate, WORDS)


def condition_in_words(facts, sentence=None) -> str | None:
    """A condition's facts in words (a chair's or invitee row's `because_facts`/`when_facts`),
    or the engine's sentence when they are of a kind not worded."""
    return answer_words.condition_words(facts, WORDS) or sentence


def findings_in_words(findings, sentence=None) -> str | None:
    """What the events found were (a gate's override, kept with a decision), or the sentence."""
    return answer_words.findings_words(findings, sentence, WORDS)


def source_parts(text) -> dict:
    """`doc.txt: 'the sentence'` -> {"document": "doc.txt", "quote": "the sentence"}."""
    m = SOURCE.match(str(text or ""))
    return m.groupdict() if m else {"document": None, "quote": str(text or "")}


EMPHASIS = re.compile(r"\*+")


def plain_quote(text) -> str:
    """A quoted sentence without the document's emphasis marks (`**within five working days**`
    reads "within five working days"): the page shows words, not markdown."""
    return " ".join(EMPHASIS.sub("", str(text or "")).split())


FILTERS = (humanise, sentence, long_date, day_date, recorded, recorded_exactly, person, placement_label, role_label, role_labels, event_label,
           action_label, recommendation_label, event_details, source_parts, plain_quote, value_label, moment,
           trigger_words, basis_words, gate_words, condition_in_words, findings_in_words)


def init_app(app: Flask) -> None:
    for f in FILTERS:
        app.add_template_filter(f)
