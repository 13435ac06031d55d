"""The engine's one public doorway: what the CLI, the web app and the API call.

Everything here answers from a library of councils' files (hearth.engine.library): the
folders under the policies root (``HEARTH_POLICIES`` or ``./policies``) unless the caller
has installed another (``use_library``: the web app's published library, kept in its
database); nothing here touches a database itself. What is loaded from a council's files is
kept and read again only when they change, so a policy officer's edit to a folder is seen
without a restart; an edit with mistakes leaves the last good policy in force and is
reported by policy_states(). The policy in force on a day is the version in force then of
the set in force then (a folder's one set; the latest publication effective by that day).

policy_on, which every evaluation calls, looks at a folder's files at most once a second
(FRESHNESS) per council and day asked about; look_again() makes the next call look at once
(after writing a council's files, for instance). Everything else here looks every time, and
whatever it finds, policy_on sees at its next call. A published library keeps its own
freshness (the web app's reads its publications again after each publication).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from cachetools import TTLCache

from hearth.rules.source import Loc, Problem, SourceError

from . import sources
from .case import Case, parse_case_data, parse_case_text
from . import evaluate as evaluation
from .library import Entry, FolderLibrary, Library, UnknownCouncil, in_force
from .policy import load_council, load_policy
from .policy_files import PolicyFiles
from .policy_model import Council, NoPolicyInForce, Policy, PolicyVersion

__all__ = ["Council", "UnknownCouncil", "NoPolicyInForce", "SourceError", "list_councils", "get_council",
           "get_policy", "policy_on", "policy_state", "policy_states", "parse_case", "evaluate", "evaluate_document",
           "policies_root", "use_library", "library", "entry_on", "council_source", "look_again", "FRESHNESS"]


def policies_root() -> Path:
    return Path(os.environ.get("HEARTH_POLICIES", "policies")).resolve()


# Which library answers when the caller names no root: the installed chooser's answer (the web
# app installs one that gives its own app's library), else the folders under policies_root().
_chooser: Callable[[], Library | None] = lambda: None


def use_library(chooser: Callable[[], Library | None]) -> None:
    """Install how the library is chosen for calls that name no root: ``chooser()`` gives the
    library (None: the policies root's folders). Called once by whoever runs the engine."""
    global _chooser
    _chooser = chooser


def library(root: Path | Library | None = None) -> Library:
    """The library a call reads: the folders under ``root`` when one is given, the installed
    library otherwise, or the folders under policies_root()."""
    if root is not None:
        return root if not isinstance(root, (str, Path)) else FolderLibrary(Path(root))
    return _chooser() or FolderLibrary(policies_root())


def entry_on(council_id: str, on: date | None = None, root: Path | Library | None = None) -> Entry:
    """The council's set of files in force on ``on`` (default today); UnknownCouncil."""
    return in_force(library(root).timeline(council_id), on or date.today())


def council_source(council_id: str, on: date | None = None, root: Path | Library | None = None) -> Path | PolicyFiles:
    """The files of the council's set in force on ``on`` (a folder, or a PolicyFiles): where its
    document and forms are read from."""
    return entry_on(council_id, on, root).source()


def list_councils(root: Path | Library | None = None) -> list[Council]:
    """Every council of the library, each as get_council gives it (so a broken council.yaml
    never hides the others)."""
    chosen = library(root)
    return [_council(entry_on(council_id, None, chosen)) for council_id in chosen.council_ids()]


def get_council(council_id: str, root: Path | Library | None = None, on: date | None = None) -> Council:
    """The council (its council.yaml) of its set in force on ``on`` (default today)."""
    return _council(entry_on(council_id, on, root))


def _placeholder(entry: Entry) -> Council:
    """A council whose council.yaml has never loaded: named by its id, unbranded, so its
    pages still draw (saying its policy cannot be loaded) while policy_states says why."""
    name = entry.council_id.replace("-", " ").replace("_", " ").title()
    return Council(entry.council_id, name, name, "england", "", {})


def _council(entry: Entry) -> Council:
    """council.yaml, read again only when it (or the document it names) changes (every page
    names its council)."""
    try:
        return sources.kept(sources.COUNCILS, entry.key, entry.stamp(("council.yaml", "document/*")),
                            lambda: load_council(entry.source()), "council.yaml", entry)
    except SourceError:
        return _placeholder(entry)


def _entry_policy(entry: Entry, stamp: Any = None) -> Policy:
    stamp = entry.stamp() if stamp is None else stamp
    return sources.kept(sources.POLICIES, entry.key, stamp, lambda: load_policy(entry.source()), "policy", entry)


def get_policy(council_id: str, root: Path | Library | None = None, on: date | None = None) -> Policy:
    """A council's whole policy (every version) of the set in force on ``on`` (default today),
    checked. After a change that does not load, the last good policy; SourceError only while
    the council has never had a good one."""
    return _entry_policy(entry_on(council_id, on, root))


def policy_states(root: Path | Library | None = None, on: date | None = None) -> dict[str, dict]:
    """Each council's policy as the service holds it, for monitoring and for telling people
    (see policy_state), by council id."""
    chosen = library(root)
    states = {}
    for council_id in chosen.council_ids():
        try:
            states[council_id] = policy_state(council_id, chosen, on)
        except UnknownCouncil:
            continue  # a folder whose name is not a council id is not a council
    return states


def policy_state(council_id: str, root: Path | Library | None = None, on: date | None = None) -> dict:
    """One council's policy as the service holds it: state 'ok'; 'stale' (the files changed
    and have mistakes; the last good version stays in force); or 'broken' (no good version
    has ever loaded). With the version in force on ``on`` (default today), since when the
    state holds (UTC, ISO 8601), and the problems, located (Problem.as_dict)."""
    on = on or date.today()
    entry = entry_on(council_id, on, root)
    try:
        policy = _entry_policy(entry)
    except SourceError:
        policy = None
    state, problems, since = sources.state_of(sources.POLICIES, entry.key, sources.FORMS)
    version = None
    if policy is not None:
        try:
            version = policy.version_on(on).version
        except NoPolicyInForce:
            version = None
    return {"state": state, "version": version, "since": since.isoformat(timespec="seconds") if since else None,
            "problems": [p.as_dict() for p in problems]}


# How many seconds policy_on trusts what it last found in a council's folder before looking again.
FRESHNESS = 1.0
# (folder library, council, day) -> (entry key, stamp, version) as last looked at (monotonic clock).
_looked: TTLCache = TTLCache(maxsize=4096, ttl=FRESHNESS)
_looked_lock = threading.Lock()


def look_again() -> None:
    """Make policy_on look at the councils' folders at its next call, not up to a second later."""
    with _looked_lock:
        _looked.clear()


def _folders(root: Path | Library | None) -> Any:
    """What names the folder library a call reads, without asking the disk (None: the library
    is not folders, and keeps its own freshness)."""
    if root is None:
        root = _chooser() or os.environ.get("HEARTH_POLICIES", "policies")
    if isinstance(root, (str, Path)):
        text = str(root)
        return text if os.path.isabs(text) else (text, os.getcwd())  # a relative one: from where we are
    return root if isinstance(root, FolderLibrary) else None


def policy_on(council_id: str, on: date, root: Path | Library | None = None) -> PolicyVersion:
    """The version in force on ``on`` of the council's set in force on ``on``. A council's folder
    is looked at once a second at most (see look_again); what anything else here found since,
    this sees at once."""
    folders = _folders(root)
    if folders is None:
        return get_policy(council_id, root, on).version_on(on)
    key = (folders, council_id, on)
    with _looked_lock:
        found = _looked.get(key)
    if found is not None:
        entry_key, stamp, version = found
        held = sources.POLICIES.get(entry_key)
        if held is not None and held.stamp == stamp:
            return version
    entry = entry_on(council_id, on, root)
    stamp = entry.stamp()
    version = _entry_policy(entry, stamp).version_on(on)
    with _looked_lock:
        _looked[key] = (entry.key, stamp, version)
    return version


def parse_case(policy: PolicyVersion, case: Any, file: str = "case") -> Case:
    """A case from YAML/JSON text or from decoded data; SourceError with located problems if bad."""
    if isinstance(case, Case):
        return case
    if isinstance(case, str):
        return parse_case_text(case, file, policy.vocabulary)
    return parse_case_data(case, policy.vocabulary, file)


def evaluate(council_id: str, case: Any, on: date | None = None, root: Path | Library | None = None,
             file: str = "case") -> dict:
    """The evaluation contract's answer. ``case`` is text, decoded data or a Case."""
    on = on or date.today()
    policy = policy_on(council_id, on, root)
    return evaluation.evaluate(policy, parse_case(policy, case, file), on)


def evaluate_document(council_id: str, case: Any, on: date | None = None, root: Path | Library | None = None,
                      file: str = "case") -> tuple[dict | None, list[dict]]:
    """Like evaluate, but bad input comes back as a list of located errors instead of raising."""
    try:
        return evaluate(council_id, case, on, root, file), []
    except UnknownCouncil as exc:
        return None, [Problem(Loc(file), str(exc), "council").as_dict()]
    except NoPolicyInForce as exc:
        return None, [Problem(Loc(file), str(exc), "on").as_dict()]
    except SourceError as exc:
        return None, [p.as_dict() for p in exc.problems]
