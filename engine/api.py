"""The engine's one public doorway: what the CLI, the web app and the API call.

Everything here answers from the policy files under the policies root
(``HEARTH_POLICIES`` or ``./policies``); nothing here touches a database.
Policies are loaded once and reloaded when their files change, so a policy
officer's edit is seen without a restart; an edit with mistakes leaves the last
good policy in force and is reported by policy_states().
"""
from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from hearth.rules.limits import MAX_NAME_LENGTH
from hearth.rules.source import Loc, Problem, SourceError

from .case import Case, parse_case_data, parse_case_text
from .policy import load_council, load_policy
from .policy_model import Council, NoPolicyInForce, Policy, PolicyVersion

__all__ = ["Council", "UnknownCouncil", "NoPolicyInForce", "SourceError", "list_councils", "get_council",
           "get_policy", "policy_on", "policy_state", "policy_states", "parse_case", "evaluate", "evaluate_document",
           "policies_root"]

_COUNCIL_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
log = logging.getLogger("hearth.engine.policy")


class UnknownCouncil(LookupError):
    """No folder under the policies root has that council id."""

    def __init__(self, council_id: str, known: list[str] | None = None):
        self.council_id = council_id
        shown = council_id if len(council_id) <= 60 else council_id[:57] + "..."
        known_text = f" Councils: {', '.join(known)}." if known else ""
        super().__init__(f"There is no council '{shown}'.{known_text}")


def policies_root() -> Path:
    return Path(os.environ.get("HEARTH_POLICIES", "policies")).resolve()


def _council_folders(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return [p for p in sorted(root.iterdir()) if (p / "council.yaml").is_file()]


def list_councils(root: Path | None = None) -> list[Council]:
    """Every council under the root, each as get_council gives it (so a broken council.yaml
    never hides the others)."""
    return [_council(p) for p in _council_folders(root or policies_root())]


def _folder(council_id: str, root: Path | None) -> Path:
    """The council's folder. Anything that is not a council id (too long, other characters,
    not text) is no council, decided before the file system is asked (a 5,000-character name
    is an OSError there)."""
    root = root or policies_root()
    valid = isinstance(council_id, str) and len(council_id) <= MAX_NAME_LENGTH and _COUNCIL_ID.match(council_id)
    if not valid or not (root / council_id / "council.yaml").is_file():
        raise UnknownCouncil(str(council_id), [p.name for p in _council_folders(root)])
    return root / council_id


def get_council(council_id: str, root: Path | None = None) -> Council:
    return _council(_folder(council_id, root))


# ------------------------------------------------------------- last good sources
# A running service reads each council's files once and again only when they change. When
# a changed file no longer loads, the last good Council and Policy stay in force, and what
# went wrong (with when) is kept beside them for policy_states(): one bad save by a policy
# officer must not take a council offline, and must not pass unnoticed either.
@dataclass
class _Source:
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


_policies: dict[Path, _Source] = {}
_councils: dict[Path, _Source] = {}
_cache_lock = threading.Lock()


def _kept(store: dict, folder: Path, stamp, load, what: str):
    """load(folder), read again only when the stamp of its files changes; when the files
    no longer load, the last good value (SourceError only if there never was one)."""
    with _cache_lock:
        entry = store.setdefault(folder, _Source())
        if entry.stamp == stamp:
            return entry.value()
    try:
        value, problems = load(folder), ()
    except SourceError as exc:
        value, problems = None, tuple(exc.problems)
    except Exception as exc:  # noqa: BLE001 - a fault of the reader must not take the council offline
        log.exception("Reading %s of %s failed", what, folder.name)
        value, problems = None, (Problem(Loc(str(folder)), f"Hearth could not read these files "
                                                           f"({type(exc).__name__}); this is a fault in Hearth, "
                                                           "not in the files: report it."),)
    with _cache_lock:
        if entry.stamp != stamp:  # the first request to see this change records it
            was = entry.state
            entry.stamp = stamp
            if value is not None:
                entry.good, entry.problems = value, ()
            else:
                entry.problems = problems
                # council.yaml is part of the policy, whose warning says it: one warning per change
                log.log(logging.WARNING if what == "policy" else logging.DEBUG,
                        "The %s of council %s changed and no longer loads (%d problem(s)); %s. First: %s",
                        what, folder.name, len(problems),
                        "the last good one stays in force" if entry.good is not None else "there is none to use",
                        problems[0] if problems else "")
            if entry.state != was or entry.since is None:
                entry.since = datetime.now(timezone.utc)
        return entry.value() if value is None else value


def _placeholder(folder: Path) -> Council:
    """A council whose council.yaml has never loaded: named by its folder, unbranded, so its
    pages still draw (saying its policy cannot be loaded) while policy_states says why."""
    name = folder.name.replace("-", " ").replace("_", " ").title()
    return Council(folder.name, name, name, "england", "", {})


def _council(folder: Path) -> Council:
    """council.yaml, read again only when the file changes (every page names its council)."""
    st = (folder / "council.yaml").stat()
    try:
        return _kept(_councils, folder, (st.st_mtime_ns, st.st_size), load_council, "council.yaml")
    except SourceError:
        return _placeholder(folder)


def _stamp(folder: Path) -> tuple:
    files = [folder / "council.yaml", *sorted((folder / "versions").glob("*.yaml"))]
    return tuple((f.name, st.st_mtime_ns, st.st_size) for f in files if (st := _stat(f)) is not None)


def _stat(path: Path):
    try:
        return path.stat()
    except OSError:
        return None


def get_policy(council_id: str, root: Path | None = None) -> Policy:
    """A council's whole policy (every version), checked. After a change that does not load,
    the last good policy; SourceError only while the council has never had a good one."""
    folder = _folder(council_id, root)
    return _kept(_policies, folder, _stamp(folder), load_policy, "policy")


def policy_states(root: Path | None = None, on: date | None = None) -> dict[str, dict]:
    """Each council's policy as the service holds it, for monitoring and for telling people
    (see policy_state), by council id."""
    root = root or policies_root()
    states = {}
    for folder in _council_folders(root):
        try:
            states[folder.name] = policy_state(folder.name, root, on)
        except UnknownCouncil:
            continue  # a folder whose name is not a council id is not a council
    return states


def policy_state(council_id: str, root: Path | None = None, on: date | None = None) -> dict:
    """One council's policy as the service holds it: state 'ok'; 'stale' (the files changed
    and have mistakes; the last good version stays in force); or 'broken' (no good version
    has ever loaded). With the version in force on ``on`` (default today), since when the
    state holds (UTC, ISO 8601), and the problems, located (Problem.as_dict)."""
    folder = _folder(council_id, root)
    try:
        policy = get_policy(council_id, root)
    except SourceError:
        policy = None
    with _cache_lock:
        entry = _policies.get(folder) or _Source()
        state, problems, since = entry.state, entry.problems, entry.since
    version = None
    if policy is not None:
        try:
            version = policy.version_on(on or date.today()).version
        except NoPolicyInForce:
            version = None
    return {"state": state, "version": version, "since": since.isoformat(timespec="seconds") if since else None,
            "problems": [p.as_dict() for p in problems]}


def policy_on(council_id: str, on: date, root: Path | None = None) -> PolicyVersion:
    return get_policy(council_id, root).version_on(on)


def parse_case(policy: PolicyVersion, case: Any, file: str = "case") -> Case:
    """A case from YAML/JSON text or from decoded data; SourceError with located problems if bad."""
    if isinstance(case, Case):
        return case
    if isinstance(case, str):
        return parse_case_text(case, file, policy.vocabulary)
    return parse_case_data(case, policy.vocabulary, file)


def evaluate(council_id: str, case: Any, on: date | None = None, root: Path | None = None,
             file: str = "case") -> dict:
    """The evaluation contract's answer. ``case`` is text, decoded data or a Case."""
    from .evaluate import evaluate as _evaluate  # durable_rules only where evaluation happens

    on = on or date.today()
    policy = policy_on(council_id, on, root)
    return _evaluate(policy, parse_case(policy, case, file), on)


def evaluate_document(council_id: str, case: Any, on: date | None = None, root: Path | None = None,
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
