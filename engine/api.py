"""The engine's one public doorway: what the CLI, the web app and the API call.

Everything here answers from the policy files under the policies root
(``HEARTH_POLICIES`` or ``./policies``), each council's folder read as its
hearth.engine.policy_files.PolicyFiles; nothing here touches a database.
Policies are loaded once and reloaded when their files change, so a policy
officer's edit is seen without a restart; an edit with mistakes leaves the last
good policy in force and is reported by policy_states().
"""
from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

from hearth.rules.limits import MAX_NAME_LENGTH
from hearth.rules.source import Loc, Problem, SourceError

from . import sources
from .case import Case, parse_case_data, parse_case_text
from . import evaluate as evaluation
from .policy import load_council, load_policy
from .policy_model import Council, NoPolicyInForce, Policy, PolicyVersion

__all__ = ["Council", "UnknownCouncil", "NoPolicyInForce", "SourceError", "list_councils", "get_council",
           "get_policy", "policy_on", "policy_state", "policy_states", "parse_case", "evaluate", "evaluate_document",
           "policies_root"]

_COUNCIL_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


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


def _placeholder(folder: Path) -> Council:
    """A council whose council.yaml has never loaded: named by its folder, unbranded, so its
    pages still draw (saying its policy cannot be loaded) while policy_states says why."""
    name = folder.name.replace("-", " ").replace("_", " ").title()
    return Council(folder.name, name, name, "england", "", {})


def _council(folder: Path) -> Council:
    """council.yaml, read again only when it (or the document it names) changes (every page
    names its council)."""
    try:
        return sources.kept(sources.COUNCILS, folder, _stamp(folder, "council.yaml", "document/*"), load_council,
                            "council.yaml")
    except SourceError:
        return _placeholder(folder)


def _stamp(folder: Path, *patterns: str) -> tuple:
    """When the files a loader reads (hearth.engine.policy's parts of the folder) last changed."""
    patterns = patterns or ("council.yaml", "versions/*.yaml", "document/*")
    files = [path for pattern in patterns for path in sorted(folder.glob(pattern))]
    return tuple((f.relative_to(folder).as_posix(), st.st_mtime_ns, st.st_size) for f in files
                 if (st := _stat(f)) is not None)


def _stat(path: Path):
    try:
        return path.stat()
    except OSError:
        return None


def get_policy(council_id: str, root: Path | None = None) -> Policy:
    """A council's whole policy (every version), checked. After a change that does not load,
    the last good policy; SourceError only while the council has never had a good one."""
    folder = _folder(council_id, root)
    return sources.kept(sources.POLICIES, folder, _stamp(folder), load_policy, "policy")


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
    state, problems, since = sources.state_of(sources.POLICIES, folder, sources.FORMS)
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
    on = on or date.today()
    policy = policy_on(council_id, on, root)
    return evaluation.evaluate(policy, parse_case(policy, case, file), on)


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
