"""What the rule editors (triggers, deadlines and duties, gates) share: the words a version file
may use (the table editors read them the same way), a list of event types written back in the
file's own form, and a rule's title and source written back only when changed.

An officer ticks event types in words; the file names them by id, one alone (``event: allegation``)
or several in a list. Writing the ticked set back must not reorder or reshape what was already
there, or opening and saving a page unchanged would rewrite the line: ``events_value`` keeps the
value as written when the set is the same, keeps the order of those that stay, and adds new ones
after them in the vocabulary's order.
"""
from __future__ import annotations

from functools import lru_cache

from hearth.rules.durations import Duration, DurationError, Unit, parse_duration
from hearth.rules.source import LMap, Problems, SourceError, load_yaml

from ..vocabulary import Vocabulary, merge_vocabulary, shared_vocabulary
from .yaml_text import YamlText

# The units an officer chooses between, in the order offered (hours only when a rule has them).
UNITS = (Unit.WORKING_DAYS, Unit.DAYS, Unit.WEEKS, Unit.MONTHS)
UNIT_WORDS = {Unit.WORKING_DAYS: "working days", Unit.DAYS: "days (calendar days)", Unit.WEEKS: "weeks",
              Unit.MONTHS: "months", Unit.HOURS: "hours"}


def version_vocabulary(document: YamlText) -> Vocabulary:
    """The shared vocabulary with the version file's own additions, read leniently: a draft with
    mistakes elsewhere still offers every word it declares (lint reports the mistakes). Kept
    for the last few texts read: every page of an editor asks again, and the answer is the
    text's alone (callers never change it)."""
    return _vocabulary_of(document.text, document.file)


@lru_cache(maxsize=8)
def _vocabulary_of(text: str, file: str) -> Vocabulary:
    try:
        loaded = load_yaml(text, file)
    except SourceError:
        return shared_vocabulary()
    own = loaded.get("vocabulary") if isinstance(loaded, LMap) else None
    return merge_vocabulary(shared_vocabulary(), own, Problems())


def event_choices(vocabulary: Vocabulary) -> tuple[tuple[str, str], ...]:
    """Every event type as (id, label), in the vocabulary's order."""
    return tuple((event.id, event.label) for event in vocabulary.event_types.values())


def action_choices(vocabulary: Vocabulary) -> tuple[tuple[str, str], ...]:
    return tuple((action, spec["label"]) for action, spec in vocabulary.actions.items())


def names_of(value) -> tuple[str, ...] | None:
    """Event types written as one name or a list of names; None for anything else."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def events_value(existing, chosen, order) -> str | list:
    """The value to write for the ``chosen`` names (see the module's docstring). ``order`` is the
    vocabulary's order of ids, for names that are new to the value."""
    written = names_of(existing) or ()
    if written and set(written) == set(chosen):
        return existing
    kept = [name for name in written if name in chosen]
    added = sorted((name for name in chosen if name not in kept), key=lambda name: _position(order, name))
    names = kept + added
    return names[0] if len(names) == 1 else names


def _position(order, name: str) -> int:
    order = list(order)
    return order.index(name) if name in order else len(order)


def duration_or_none(text) -> Duration | None:
    try:
        return parse_duration(str(text))
    except DurationError:
        return None


def write_title_and_source(document: YamlText, path: tuple, title: str, source: str) -> None:
    """A rule's title and source, each set only when it differs (so an unchanged page leaves the
    line as written); a title emptied is removed (the id stands for it), a source never is."""
    for key, value in (("title", title), ("source", source)):
        if str(document.value(path + (key,), "") or "") == value:
            continue
        if value or key == "source":
            document.set(path + (key,), value)
        else:
            document.delete(path + (key,))
