"""The rules for recording new events, whichever form, action or API call records them.

The case reader (``case.py``) says whether a case document is well formed: types,
fields, values. Recording asks more of an event than that, because it is being
written now, by someone: an event cannot have happened after the day it is recorded,
a date field declared ``not_future`` cannot be after it either, only the app roles the
vocabulary names for a type may record it (``Vocabulary.recorders``: approvals are
managers' only), and one request records at most ``MAX_EVENTS_PER_REQUEST`` events.
An old case file may hold anything its reader accepts; a new record may not.

Every value is also held to the service-wide bounds (``hearth.rules.limits``) here,
whatever the reader lets through, so no text with a NUL byte or an unpaired surrogate,
no infinite number and no date outside 1900-2100 is ever stored. Problems are located
by field path (``events[0].on``) in the list of new events, as the API's caller or the
web form wrote them; nothing here knows a council, a role list or a database.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hearth.rules.limits import (MAX_EVENTS_PER_REQUEST, MAX_TEXT_LENGTH, LimitError, check_date,
                                 check_magnitude, text_problem)
from hearth.rules.source import Loc, Problem, parse_date_or_datetime

from .vocabulary import EventField, Vocabulary


def check_new_events(policy, events: list, *, today: date, app_role: str, file: str = "events") -> list[Problem]:
    """What stops these events being recorded today by someone with this app role; [] if nothing.

    ``events`` are case-document events (``{"type": ..., "on": ..., field: value}``) with
    dates as ``date`` objects or ISO text. A type the vocabulary does not know is left to the
    case reader, which names it with a suggestion.
    """
    vocabulary: Vocabulary = policy.vocabulary
    if len(events) > MAX_EVENTS_PER_REQUEST:
        return [Problem(Loc(file), f"{len(events):,} events were sent at once; one request may record at most "
                                   f"{MAX_EVENTS_PER_REQUEST}. Send them in smaller batches.", "events")]
    problems: list[Problem] = []
    for index, event in enumerate(events):
        path = f"events[{index}]"
        if not isinstance(event, dict):
            continue  # the case reader says what an event must look like
        for name, value in event.items():
            problems += _bounded(value, file, f"{path}.{name}", _max_length(vocabulary, event.get("type"), name))
        event_type = event.get("type")
        if not isinstance(event_type, str) or event_type not in vocabulary.event_types:
            continue
        problems += _role_problem(vocabulary, event_type, app_role, file, f"{path}.type")
        problems += _not_after(event.get("on"), today, file, f"{path}.on", "This event")
        for name, spec in vocabulary.event_fields(event_type).items():
            if spec.kind == "date" and spec.not_future and event.get(name) is not None:
                problems += _not_after(event[name], today, file, f"{path}.{name}", f"'{name}'")
    return problems


def who_may_record(vocabulary: Vocabulary, event_type: str) -> str:
    """'a manager', 'a social worker or a manager': the roles that may record a type, in words."""
    names = [vocabulary.app_roles.get(role, role.replace("_", " ")).lower() for role in vocabulary.recorders(event_type)]
    with_articles = [("an " if name[:1] in "aeiou" else "a ") + name for name in names]
    return " or ".join(with_articles) if with_articles else "nobody"


def may_record(vocabulary: Vocabulary, event_type: str, app_role: str) -> bool:
    return event_type in vocabulary.event_types and app_role in vocabulary.recorders(event_type)


def _role_problem(vocabulary: Vocabulary, event_type: str, app_role: str, file: str, path: str) -> list[Problem]:
    if may_record(vocabulary, event_type, app_role):
        return []
    label = vocabulary.event_types[event_type].label
    role = vocabulary.app_roles.get(app_role, app_role).lower()
    return [Problem(Loc(file), f"Only {who_may_record(vocabulary, event_type)} can record '{label}' "
                               f"({event_type}); you are signed in as {('an ' if role[:1] in 'aeiou' else 'a ')}"
                               f"{role}. Ask a colleague who may to record it.", path)]


def _not_after(value: Any, today: date, file: str, path: str, what: str) -> list[Problem]:
    when = _as_date(value)
    if when is None or when <= today:
        return []
    return [Problem(Loc(file), f"{what} is dated {when.isoformat()}, after today ({today.isoformat()}): "
                               "record things once they have happened.", path)]


def _as_date(value: Any) -> date | None:
    """A date from a date, a datetime or ISO text; None when it is not one (the reader says why)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            parsed = parse_date_or_datetime(value)
        except ValueError:
            return None
        return parsed.date() if isinstance(parsed, datetime) else parsed
    return None


def _max_length(vocabulary: Vocabulary, event_type: Any, name: str) -> int:
    if not isinstance(event_type, str) or event_type not in vocabulary.event_types:
        return MAX_TEXT_LENGTH
    spec: EventField | None = vocabulary.event_fields(event_type).get(name)
    return (spec.max_length if spec is not None and spec.max_length else MAX_TEXT_LENGTH)


def _bounded(value: Any, file: str, path: str, max_length: int) -> list[Problem]:
    """The service-wide bounds on one value, and on every value inside a list."""
    if isinstance(value, list | tuple):
        return [p for index, item in enumerate(value) for p in _bounded(item, file, f"{path}[{index}]", max_length)]
    if isinstance(value, dict):
        return [Problem(Loc(file), "This value must not be a mapping.", path)]
    try:
        if isinstance(value, bool) or value is None:
            return []
        if isinstance(value, int | float):
            check_magnitude(value)
        elif isinstance(value, datetime):
            check_date(value.date())
        elif isinstance(value, date):
            check_date(value)
        elif isinstance(value, str):
            problem = text_problem(value, max_length)
            if problem:
                raise LimitError(problem)
    except LimitError as exc:
        return [Problem(Loc(file), f"This value cannot be recorded: {exc}.", path)]
    return []
