"""A draft's change against the published policy, in words, version by version and file by file.

A draft is a whole set of a council's files: it may change a version already published (the
minutes deadline of ``versions/2025-01.yaml`` from 5 to 3 working days) or add a new version
that takes over from a date. Versions are paired by name, so a changed version is said against
itself as published; a version only the draft has is said against the published version it
follows (the one in force the day before it starts), and a version only the published set has
is said to be removed. Each pair's rules are compared by hearth.engine.policy_diff (the words
`hearth policy diff` prints), the forms as a whole, and the changed files line by line below.

Pure: sets of files in, changes out.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import timedelta

from .policy_diff import RuleChange, diff, form_changes
from .policy_files import PolicyFiles
from .policy_model import NoPolicyInForce, Policy, PolicyVersion
from .policy_tests import form_catalog


@dataclass(frozen=True)
class VersionChange:
    """One version of the draft against what it changes or follows (``old`` None: nothing
    published before it; ``new`` None: the draft no longer has it)."""

    old: PolicyVersion | None
    new: PolicyVersion | None
    changes: tuple = ()   # of RuleChange

    @property
    def same_name(self) -> bool:
        return self.old is not None and self.new is not None and self.old.version == self.new.version


@dataclass(frozen=True)
class FileChange:
    path: str
    change: str       # added, removed or changed
    lines: tuple      # the unified diff's lines, each starting "+", "-", " " or "@@"


def version_pairs(published: Policy, draft: Policy) -> list[tuple[PolicyVersion | None, PolicyVersion | None]]:
    """(published, draft) versions: by name, a new version with the one it follows, a removed
    version alone; in the order the draft's versions take effect, removed ones last."""
    named = {version.version: version for version in published.versions}
    pairs = []
    for version in draft.versions:
        pairs.append((named.pop(version.version, None) or _followed(published, version), version))
    kept = {version.version for version in draft.versions}
    pairs += [(version, None) for version in published.versions if version.version not in kept]
    return pairs


def _followed(published: Policy, version: PolicyVersion) -> PolicyVersion | None:
    try:
        return published.version_on(version.effective_from - timedelta(days=1))
    except (NoPolicyInForce, OverflowError):
        return None


def version_changes(published: Policy, draft: Policy) -> list[VersionChange]:
    """Each version pair whose rules differ (or that was added or removed), in words."""
    found = []
    for old, new in version_pairs(published, draft):
        changes = diff(old, new) if old is not None and new is not None else ()
        if changes or old is None or new is None or old.version != new.version:
            found.append(VersionChange(old, new, changes))
    return found


def forms_changes(published_files: PolicyFiles, published: Policy, draft_files: PolicyFiles,
                  draft: Policy) -> tuple[RuleChange, ...]:
    """The forms of the draft against the published ones, each with its current version's menus.
    SourceError when either set's forms have mistakes (the draft page lists those)."""
    old, new = published.current, draft.current
    return form_changes(form_catalog(published_files, old.effective_from, published).forms,
                        form_catalog(draft_files, new.effective_from, draft).forms, old, new)


def file_changes(published: PolicyFiles, draft: PolicyFiles) -> list[FileChange]:
    """Every file added, removed or changed, as a unified diff with three lines of context."""
    found = []
    for path in sorted(set(published) | set(draft)):
        was = published.text(path) if published.has(path) else None
        now = draft.text(path) if draft.has(path) else None
        if was == now:
            continue
        change = "added" if was is None else "removed" if now is None else "changed"
        lines = difflib.unified_diff((was or "").splitlines(), (now or "").splitlines(), lineterm="", n=3)
        found.append(FileChange(path, change, tuple(line for line in lines
                                                    if not line.startswith(("---", "+++")))))
    return found

