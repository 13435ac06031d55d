"""The engine's one public doorway: what the CLI, the web app and the API call.

Everything here answers from the policy files under the policies root
(``HEARTH_POLICIES`` or ``./policies``); nothing here touches a database.
Policies are loaded once and reloaded when their files change, so a policy
officer's edit is seen without a restart.
"""
from __future__ import annotations

import os
import re
import threading
from datetime import date
from pathlib import Path
from typing import Any

from hearth.rules.source import Loc, Problem, SourceError

from .case import Case, parse_case_data, parse_case_text
from .policy import Council, NoPolicyInForce, Policy, PolicyVersion, load_council, load_policy

__all__ = ["Council", "UnknownCouncil", "NoPolicyInForce", "SourceError", "list_councils", "get_council",
           "get_policy", "policy_on", "parse_case", "evaluate", "evaluate_document", "policies_root"]

_COUNCIL_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class UnknownCouncil(LookupError):
    """No folder under the policies root has that council id."""

    def __init__(self, council_id: str, known: list[str] | None = None):
        self.council_id = council_id
        known_text = f" Councils: {', '.join(known)}." if known else ""
        super().__init__(f"There is no council '{council_id}'.{known_text}")


def policies_root() -> Path:
    return Path(os.environ.get("HEARTH_POLICIES", "policies")).resolve()


def _council_folders(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return [p for p in sorted(root.iterdir()) if (p / "council.yaml").is_file()]


def list_councils(root: Path | None = None) -> list[Council]:
    return [_council(p) for p in _council_folders(root or policies_root())]


def _folder(council_id: str, root: Path | None) -> Path:
    root = root or policies_root()
    folder = root / council_id
    if not _COUNCIL_ID.match(council_id or "") or not (folder / "council.yaml").is_file():
        raise UnknownCouncil(council_id, [p.name for p in _council_folders(root)])
    return folder


def get_council(council_id: str, root: Path | None = None) -> Council:
    return _council(_folder(council_id, root))


_policies: dict[Path, tuple] = {}
_councils: dict[Path, tuple] = {}
_cache_lock = threading.Lock()


def _remembered(store: dict, folder: Path, stamp, load):
    """load(folder), read again only when the stamp of its files changes."""
    with _cache_lock:
        hit = store.get(folder)
        if hit and hit[0] == stamp:
            return hit[1]
    value = load(folder)
    with _cache_lock:
        store[folder] = (stamp, value)
    return value


def _council(folder: Path) -> Council:
    """council.yaml, read again only when the file changes (every page names its council)."""
    st = (folder / "council.yaml").stat()
    return _remembered(_councils, folder, (st.st_mtime_ns, st.st_size), load_council)


def _stamp(folder: Path) -> float:
    files = [folder / "council.yaml", *(folder / "versions").glob("*.yaml")]
    return max((f.stat().st_mtime_ns for f in files if f.exists()), default=0) + len(files)


def get_policy(council_id: str, root: Path | None = None) -> Policy:
    """A council's whole policy (every version), checked; raises SourceError if any file is wrong."""
    folder = _folder(council_id, root)
    return _remembered(_policies, folder, _stamp(folder), load_policy)


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
