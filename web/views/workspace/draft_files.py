"""What the draft pages show about a set of files: which part of the policy each file is, how
the draft differs from the latest published set, its lint problems file by file, and the JSON
Schema the YAML editor offers for a file.

Lint (hearth.engine.linting.lint_council) reads the whole council and takes most of a second,
so its answer is remembered per set of texts (hearth.engine.lru, the project's one cache): the
landing page, the editor and the editor's re-lint of the same text ask once. A problem is
located at ``<origin>/<path>`` (``db:<council>/draft/versions/2025-01.yaml``); the pages want the
path within the council, so each is read back as a FileProblem.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from hearth.engine.linting import lint_council
from hearth.engine.lru import LRU
from hearth.engine.policy_files import COUNCIL_FILE, PolicyFiles
from hearth.engine.schema import council_schema, tests_schema, version_schema
from hearth.forms import form_schema
from hearth.rules.source import Problem

# Parts of a council's policy, in the order the landing page lists them: (first segment, heading).
GROUPS = (
    (COUNCIL_FILE, "The council"),
    ("versions", "Versions of the procedure"),
    ("forms", "Forms"),
    ("tests", "Policy tests"),
    ("document", "The procedure document"),
    ("demo", "Demo cases"),
)
# The JSON Schema of each part whose files the schema describes (hearth.engine.schema).
SCHEMAS = {COUNCIL_FILE: council_schema, "versions": version_schema, "tests": tests_schema, "forms": form_schema}
# Sets of texts whose lint problems are remembered (a few councils' drafts, each a few edits).
LINTED = LRU(32)


@dataclass(frozen=True)
class FileProblem:
    """A lint problem read back to the council's own path (``path`` empty: the council as a whole)."""
    path: str
    line: int
    column: int
    message: str

    @property
    def where(self) -> str:
        if not self.line:
            return ""
        return f"Line {self.line}, column {self.column}" if self.column else f"Line {self.line}"

    def as_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class FileRow:
    path: str
    change: str  # "added", "changed", "removed" or "" (as published)
    problems: int


def part_of(path: str) -> str:
    """The part of the policy a path belongs to: its first segment (``council.yaml`` for itself)."""
    return path.split("/", 1)[0]


def schema_part(path: str) -> str | None:
    """The part whose JSON Schema describes a file at ``path``, or None (a document, the demo cases)."""
    part = part_of(path)
    return part if part in SCHEMAS and path.endswith(".yaml") else None


def changes(files: PolicyFiles | None, published: PolicyFiles | None) -> dict[str, str]:
    """Each path that differs from the published set: "added", "changed" or "removed"."""
    mine = dict(files.texts) if files is not None else {}
    theirs = dict(published.texts) if published is not None else {}
    found = {path: "added" for path in mine.keys() - theirs.keys()}
    found.update({path: "removed" for path in theirs.keys() - mine.keys()})
    found.update({path: "changed" for path in mine.keys() & theirs.keys() if mine[path] != theirs[path]})
    return found


def grouped_rows(files: PolicyFiles | None, published: PolicyFiles | None,
                 problems: list[FileProblem]) -> list[tuple[str, list[FileRow]]]:
    """(heading, rows) for each part with files, removed files included (to say they went)."""
    changed = changes(files, published)
    counts: dict[str, int] = defaultdict(int)
    for problem in problems:
        counts[problem.path] += 1
    paths = sorted(set(files.texts if files is not None else ()) | changed.keys())
    groups = []
    for part, heading in GROUPS:
        rows = [FileRow(path, changed.get(path, ""), counts[path]) for path in paths if part_of(path) == part]
        if rows:
            groups.append((heading, rows))
    return groups


def lint_problems(files: PolicyFiles) -> list[FileProblem]:
    """Every lint problem of ``files``, read back to the council's paths (remembered per set)."""
    key = (files.council_id, files.origin, files.content_hash())
    found = LINTED.get(key)
    if found is None:
        problems, _summary = lint_council(files)
        found = located(files.location(), problems)
        LINTED.put(key, found)
    return found


def located(origin: str, problems: list[Problem]) -> list[FileProblem]:
    """Problems located under ``origin`` (a set's location), each at its path within the council."""
    prefix = origin.rstrip("/") + "/"
    return [FileProblem(problem.loc.file.removeprefix(prefix) if problem.loc.file.startswith(prefix) else "",
                        problem.loc.line or 0, problem.loc.column or 0, problem.message) for problem in problems]


def problems_by_line(problems: list[FileProblem]) -> dict[int, list[FileProblem]]:
    """One file's problems under the line they are on (0: the file as a whole)."""
    by_line: dict[int, list[FileProblem]] = defaultdict(list)
    for problem in problems:
        by_line[problem.line].append(problem)
    return dict(by_line)
