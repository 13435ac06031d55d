"""Where a running service finds councils' policies: a library of each council's sets of files,
each in force from a day.

The engine reads policies through one of these and never knows which:

- :class:`FolderLibrary` — the folders under a policies root (``policies/<council>/``), one set
  per council, in force always, read again when its files change. The CLI (`hearth policy
  lint`, `test`, `evaluate`) and a developer's laptop use it: the folder layout is the exchange
  format.
- a published library — the web app's, kept in its database (its policy_library module): each
  council's publications, a set of files each, never changed, in force from its effective
  date. Several web servers read the same database and so agree on the policy in force without
  sharing a disk.

Either way a council's **timeline** is a list of :class:`Entry`, oldest first: the entry in
force on a day is the last one effective by then (the first, for a day before any, so the
council's name and forms still show). What is loaded from an entry (council.yaml, the policy,
the forms) is kept by hearth.engine.sources under the entry's ``key`` and read again only when
its ``stamp`` changes: a folder's stamp is its files' modification times; a published set's is
its content hash, which never changes.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from hearth.rules.limits import MAX_NAME_LENGTH

from .policy_files import PolicyFiles

_COUNCIL_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# A folder's parts whose files each loader reads (hearth.engine.policy's COUNCIL_PARTS and POLICY_PARTS).
COUNCIL_PATTERNS = ("council.yaml", "document/*")
POLICY_PATTERNS = ("council.yaml", "versions/*.yaml", "document/*")


class UnknownCouncil(LookupError):
    """The library has no council by that id."""

    def __init__(self, council_id: str, known: list[str] | None = None):
        self.council_id = council_id
        shown = council_id if len(council_id) <= 60 else council_id[:57] + "..."
        known_text = f" Councils: {', '.join(known)}." if known else ""
        super().__init__(f"There is no council '{shown}'.{known_text}")


def is_council_id(council_id: Any) -> bool:
    """Whether ``council_id`` could name a council at all (decided before any file or row is
    asked: a 5,000-character name is an OSError to the file system)."""
    return isinstance(council_id, str) and len(council_id) <= MAX_NAME_LENGTH and bool(_COUNCIL_ID.match(council_id))


@dataclass(frozen=True)
class Entry:
    """One set of a council's files as a library holds it.

    ``source()`` gives the files (a folder, or a PolicyFiles), read only when something loaded
    from them is out of date; ``stamp(patterns)`` says whether it is: the files' times for a
    folder (only those the loader reads), the content hash for a published set."""

    council_id: str
    key: Any
    origin: str
    source: Callable[[], Path | PolicyFiles]
    effective_from: date | None = None   # None: in force on every day
    content_hash: str | None = None      # known up front for a published set
    folder: Path | None = None           # a folder's entry: where it is
    published: dict = field(default_factory=dict, compare=False)  # who, when, why (a published set)

    def stamp(self, patterns: tuple = POLICY_PATTERNS) -> Any:
        if self.folder is None:
            return self.content_hash
        files = [path for pattern in patterns for path in sorted(self.folder.glob(pattern))]
        return tuple((f.relative_to(self.folder).as_posix(), st.st_mtime_ns, st.st_size) for f in files
                     if (st := _stat(f)) is not None)

    def form_stamp(self) -> Any:
        if self.folder is None:
            return self.content_hash
        # council.yaml too: its form_order is the order the forms are listed in
        files = sorted((self.folder / "forms").rglob("*.yaml")) + [self.folder / "council.yaml"]
        return tuple((str(path), st.st_mtime_ns, st.st_size) for path in files if (st := _stat(path)) is not None)

    def has_versions(self) -> bool:
        if self.folder is not None:
            return any((self.folder / "versions").glob("*.yaml"))
        source = self.source()
        return bool(source.glob("versions/*.yaml"))


def _stat(path: Path):
    try:
        return path.stat()
    except OSError:
        return None


def in_force(timeline: list, on: date):
    """The entry in force on ``on``: the last effective by then, or the first before any is.
    ``timeline``: anything with an ``effective_from`` (None: always), in order of effect (Entry
    objects, or a database's rows of publications)."""
    chosen = timeline[0]
    for entry in timeline:
        if entry.effective_from is None or entry.effective_from <= on:
            chosen = entry
    return chosen


class Library(Protocol):
    """What the engine needs of wherever policies are kept."""

    def council_ids(self) -> list[str]:
        """Every council the library holds, sorted."""

    def timeline(self, council_id: str) -> list[Entry]:
        """The council's entries, oldest first; UnknownCouncil when it has none."""


class FolderLibrary:
    """The councils in the folders under ``root``: one entry each, in force always."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"FolderLibrary({str(self.root)!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, FolderLibrary) and other.root == self.root

    def __hash__(self) -> int:
        return hash(self.root)

    def council_ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return [p.name for p in sorted(self.root.iterdir()) if (p / "council.yaml").is_file()]

    def timeline(self, council_id: str) -> list[Entry]:
        if not is_council_id(council_id) or not (self.root / council_id / "council.yaml").is_file():
            raise UnknownCouncil(str(council_id), self.council_ids())
        folder = self.root / council_id
        return [Entry(council_id, folder, str(folder), lambda: folder, folder=folder)]
