"""Last good sources: a council's files as a running service holds them.

A running service reads each council's files once and again only when they change. When
a changed file no longer loads, the last good value (its council.yaml, its policy, its
forms) stays in force, and what went wrong, with since when, is kept beside it for
``hearth.engine.api.policy_states()``: one bad save by a policy officer must not take a
council offline, and must not pass unnoticed either. Wherever the files are kept (a folder,
a published set: hearth.engine.library), whatever loads them goes through ``kept``, keyed by
the set's entry (a folder's stamp is its files' times, a published set's its content hash).
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from hearth.rules.source import Loc, Problem, SourceError

from .library import Entry

log = logging.getLogger("hearth.engine.policy")


@dataclass
class Source:
    """What the engine holds for one council's files: the last good value, and since when
    the files have been as they are (good, or with these problems)."""

    stamp: Any = None
    good: Any = None
    problems: tuple = ()
    since: datetime | None = None

    @property
    def state(self) -> str:
        if not self.problems:
            return "ok"
        return "stale" if self.good is not None else "broken"

    def value(self):
        if self.good is None:
            raise SourceError(self.problems)
        return self.good


# One store per kind of file, keyed by the council's folder (forms: by folder and the menus
# they were checked against).
COUNCILS: dict = {}
POLICIES: dict = {}
FORMS: dict = {}
_lock = threading.Lock()
_STATES = ("ok", "stale", "broken")


def kept(store: dict, key: Any, stamp: Any, load: Callable[[], Any], what: str, entry: Entry):
    """load(), read again only when ``stamp`` changes; when the files no longer load, the last
    good value (SourceError only if there never was one). ``entry``: the council's set of files
    (hearth.engine.library.Entry), which names them in messages."""
    council, origin = entry.council_id, entry.origin
    with _lock:
        entry = store.setdefault(key, Source())
        if entry.stamp == stamp:
            return entry.value()
    try:
        value, problems = load(), ()
    except SourceError as exc:
        value, problems = None, tuple(exc.problems)
    except Exception as exc:  # noqa: BLE001 - a fault of the reader must not take the council offline
        log.exception("Reading %s of %s failed", what, council)
        value, problems = None, (Problem(Loc(origin), f"Hearth could not read these files "
                                                           f"({type(exc).__name__}); this is a fault in Hearth, "
                                                           "not in the files: report it."),)
    with _lock:
        if entry.stamp != stamp:  # the first request to see this change records it
            was = entry.state
            entry.stamp = stamp
            if value is not None:
                entry.good, entry.problems = value, ()
            else:
                entry.problems = problems
                # council.yaml is part of the policy, whose warning says it: one warning per change
                log.log(logging.DEBUG if what == "council.yaml" else logging.WARNING,
                        "The %s of council %s changed and no longer loads (%d problem(s)); %s. First: %s",
                        what, council, len(problems),
                        "the last good one stays in force" if entry.good is not None else "there is none to use",
                        problems[0] if problems else "")
            if entry.state != was or entry.since is None:
                entry.since = datetime.now(timezone.utc)
        return entry.value() if value is None else value


def state_of(store: dict, folder: Any, *others: dict) -> tuple[str, tuple, datetime | None]:
    """(state, problems, since) of a council's set of files (an entry's key) in ``store``, made
    worse by any entry of the ``others`` stores for the same set (its forms) that has problems."""
    with _lock:
        entries = [store.get(folder) or Source()]
        for other in others:
            entries += [entry for key, entry in other.items()
                        if (key[0] if isinstance(key, tuple) else key) == folder and entry.problems]
    worst = max(entries, key=lambda entry: _STATES.index(entry.state))
    problems = tuple(problem for entry in entries for problem in entry.problems)
    since = worst.since if worst.problems else entries[0].since
    return worst.state, problems, since
