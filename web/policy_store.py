"""A council's policy in the database: published sets that are never changed, and one draft per
council that two officers can edit without losing each other's work.

A published set is a council's files (hearth.engine.policy_files.PolicyFiles) stored under
their content hash; a publication puts a set in force from a date, naming who published it,
who approved it, when and why. Neither is ever updated or deleted through the app: it has no
path that would, and every session refuses one (hearth.web.models.PublishedPolicyImmutable).
``hearth policy import`` publishes a council's folder (lint clean, every policy test passing)
with ``IMPORT_MARKER`` as publisher and approver: the folder was reviewed where it is kept
(git), not in the workspace.

A draft carries the hash of the set it started from and a revision number; ``save_draft``
moves the revision on with one conditional UPDATE, so of two saves made on the same revision
exactly one is kept and the other is refused (StaleDraft) with the text it tried to save.

The web app reads the policy in force from the publications (hearth.web.policy_library).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hearth.engine.library import in_force
from hearth.engine.lru import LRU
from hearth.engine.linting import lint_council
from hearth.engine.policy_files import PolicyFiles
from hearth.engine.policy_tests import run_council_tests
from hearth.rules.source import Loc, Problem, SourceError

from .models import (AuditEntry, Case, Event, PolicyDraft, PolicyDraftFile, PolicyPublication, PolicySet, PolicySetFile,
                     Submission, utcnow)
from .policy_library import PUBLISHED_MARK

# Who publishes and approves a set loaded by `hearth policy import` (not a user's email).
IMPORT_MARKER = "system:import"
# Shortest hash prefix `hearth policy export --hash` accepts.
MIN_HASH_PREFIX = 8
# Rows named per UPDATE by name_records (well under any database's limit of bound values).
NAMING_BATCH = 500


class StaleDraft(Exception):
    """A draft save made on a revision that is no longer the draft's: nothing was saved.
    ``text`` is what the officer typed, to be given back to them."""

    def __init__(self, council_id: str, path: str, text: str | None, expected: int, draft: PolicyDraft):
        self.council_id, self.path, self.text = council_id, path, text
        self.expected, self.current = expected, draft.revision
        self.updated_by, self.updated_at = draft.updated_by, draft.updated_at
        super().__init__(
            f"{path}: not saved. The draft was changed by {draft.updated_by} at "
            f"{draft.updated_at:%Y-%m-%d %H:%M} UTC (revision {draft.revision}) after you opened revision {expected}. "
            "Your text is kept: copy it, open the draft again and make your change there.")


class UnknownPolicySet(Exception):
    """No published set of the council matches what was asked for."""


@dataclass(frozen=True)
class Imported:
    council_id: str
    content_hash: str
    added: bool  # False: the same content was already stored, nothing changed


# ---------------------------------------------------------------- published sets
def storage_problems(files: PolicyFiles) -> list[Problem]:
    """What no database column of text can hold (PostgreSQL refuses a NUL character; YAML files
    never have one, a procedure document might), located at the character."""
    return [problem for path, text in files.texts.items() if (problem := _nul_problem(files.location(path), text))]


def _nul_problem(file: str, text: str) -> Problem | None:
    if "\0" not in text:
        return None
    before = text[:text.index("\0")]
    return Problem(Loc(file, before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1),
                   "The file has a NUL character here (U+0000), which cannot be stored; delete it (it is invisible "
                   "in most editors).")


# Sets checked in this process: the content hashes found publishable, and the problems of those
# not (by origin too, as their problems are located there). The engine does not change while a
# process runs, so a set checked when asked for is not linted and tested again on approval in the
# same process, nor each time the publish page is read, nor when the same folder is imported
# again (the demo's seed); a new process (a deploy) checks afresh.
PUBLISHABLE = LRU(64)
NOT_PUBLISHABLE = LRU(32)


def check_publishable(files: PolicyFiles) -> None:
    """SourceError with every located problem unless lint is clean and every policy test passes;
    the answer for a set's content is remembered for this process (PUBLISHABLE)."""
    content_hash = files.content_hash()
    if PUBLISHABLE.get((files.council_id, content_hash)):
        return
    problems = NOT_PUBLISHABLE.get((files.origin, content_hash))
    if problems is None:
        try:
            _check_publishable(files)
        except SourceError as exc:
            problems = tuple(exc.problems)
            NOT_PUBLISHABLE.put((files.origin, content_hash), problems)
        else:
            PUBLISHABLE.put((files.council_id, content_hash), True)
            return
    raise SourceError(list(problems))


def _check_publishable(files: PolicyFiles) -> None:
    problems = storage_problems(files)
    if problems:
        raise SourceError(problems)
    problems, _summary = lint_council(files)
    if problems:
        raise SourceError(problems)
    failures = [Problem(result.loc, f"The policy test '{result.name}' fails: {failure}")
                for result in run_council_tests(files) if not result.ok for failure in result.failures]
    if failures:
        raise SourceError(failures)


def publish(session: Session, files: PolicyFiles, *, published_by: str, approved_by: str,
            effective_from: date, change_note: str = "") -> PolicyPublication:
    """Store ``files`` (once per council and content) and put them in force from ``effective_from``.
    The checks are the caller's (check_publishable) and so are the two people."""
    stored = store_set(session, files)
    now = utcnow()
    publication = PolicyPublication(council_id=files.council_id, policy_set=stored, published_by=published_by,
                                    approved_by=approved_by, published_at=now, approved_at=now,
                                    effective_from=effective_from, change_note=change_note)
    session.add(publication)
    session.flush()
    session.info[PUBLISHED_MARK] = True  # its commit makes this process read the publications again
    return publication


def store_set(session: Session, files: PolicyFiles) -> PolicySet:
    """The stored set of ``files``' content, added once per council and content (never changed after)."""
    stored = find_set(session, files.council_id, files.content_hash())
    if stored is None:
        stored = PolicySet(council_id=files.council_id, content_hash=files.content_hash(),
                           files=[PolicySetFile(path=path, text=text) for path, text in files.texts.items()])
        session.add(stored)
    return stored


def import_folder(session: Session, folder: Path, effective_from: date, change_note: str = "") -> Imported:
    """A council's folder as a published set, unless the same content is already stored.
    SourceError (located at the folder's files) when it cannot be read, has lint mistakes or
    a policy test fails; nothing is stored then."""
    files = PolicyFiles.from_folder(folder)
    content_hash = files.content_hash()
    if find_set(session, files.council_id, content_hash) is not None:
        return Imported(files.council_id, content_hash, added=False)
    check_publishable(files)
    publish(session, files, published_by=IMPORT_MARKER, approved_by=IMPORT_MARKER, effective_from=effective_from,
            change_note=change_note or f"Imported from {folder.name}/")
    return Imported(files.council_id, content_hash, added=True)


def find_set(session: Session, council_id: str, content_hash: str) -> PolicySet | None:
    return session.scalar(select(PolicySet).where(PolicySet.council_id == council_id,
                                                  PolicySet.content_hash == content_hash))


def latest_publication(session: Session, council_id: str) -> PolicyPublication | None:
    """The council's most recent publication (by when it was published), or None."""
    return session.scalar(select(PolicyPublication).where(PolicyPublication.council_id == council_id)
                          .order_by(PolicyPublication.published_at.desc(), PolicyPublication.id.desc()).limit(1))


def publication_in_force(session: Session, council_id: str, on: date) -> PolicyPublication | None:
    """The publication in force for the council on ``on``: of those effective by then, the one
    effective latest (of two on the same day, the one published last); None before any."""
    return session.scalar(select(PolicyPublication)
                          .where(PolicyPublication.council_id == council_id, PolicyPublication.effective_from <= on)
                          .order_by(PolicyPublication.effective_from.desc(), PolicyPublication.published_at.desc(),
                                    PolicyPublication.id.desc()).limit(1))


def files_in_force(session: Session, council_id: str, on: date) -> PolicyFiles | None:
    """The files of the set the council has in force on ``on`` (None before any publication)."""
    publication = publication_in_force(session, council_id, on)
    return set_files(publication.policy_set) if publication is not None else None


def published_set(session: Session, council_id: str, content_hash: str | None = None) -> PolicySet:
    """The set of the council's latest publication, or the one whose hash starts with
    ``content_hash`` (at least MIN_HASH_PREFIX characters); UnknownPolicySet otherwise."""
    if content_hash is None:
        publication = latest_publication(session, council_id)
        if publication is None:
            raise UnknownPolicySet(f"{council_id} has no published policy in the database; "
                                   "`hearth policy import` loads it from its folder.")
        return publication.policy_set
    wanted = content_hash.strip().lower()
    if len(wanted) < MIN_HASH_PREFIX:
        raise UnknownPolicySet(f"--hash: give at least {MIN_HASH_PREFIX} characters of the content hash.")
    found = session.scalars(select(PolicySet).where(PolicySet.council_id == council_id,
                                                    PolicySet.content_hash.startswith(wanted, autoescape=True))).all()
    if len(found) != 1:
        known = ", ".join(s.content_hash[:12] for s in session.scalars(
            select(PolicySet).where(PolicySet.council_id == council_id).order_by(PolicySet.id)))
        raise UnknownPolicySet(f"--hash: {'several' if found else 'no'} published sets of {council_id} start with "
                               f"{wanted[:64]!r}. Known: {known or 'none'}.")
    return found[0]


def set_files(policy_set: PolicySet) -> PolicyFiles:
    """A published set's files, located as ``db:<council>/<hash prefix>/<path>``."""
    return PolicyFiles(policy_set.council_id, f"db:{policy_set.council_id}/{policy_set.content_hash[:12]}",
                       {file.path: file.text for file in policy_set.files})


# ---------------------------------------------------------------- drafts
def draft_of(session: Session, council_id: str) -> PolicyDraft | None:
    return session.scalar(select(PolicyDraft).where(PolicyDraft.council_id == council_id))


def start_draft(session: Session, council_id: str, by: str) -> PolicyDraft:
    """The council's draft; a new one (revision 0) holds the latest published set's files."""
    draft = draft_of(session, council_id)
    if draft is not None:
        return draft
    publication = latest_publication(session, council_id)
    base = publication.policy_set if publication is not None else None
    draft = PolicyDraft(council_id=council_id, base_hash=base.content_hash if base else None, revision=0,
                        updated_by=by, updated_at=utcnow(),
                        files=[PolicyDraftFile(path=f.path, text=f.text) for f in (base.files if base else [])])
    session.add(draft)
    session.flush()
    return draft


def draft_files(draft: PolicyDraft) -> PolicyFiles:
    """A draft's files, located as ``db:<council>/draft/<path>``."""
    return PolicyFiles(draft.council_id, f"db:{draft.council_id}/draft", {f.path: f.text for f in draft.files})


def save_draft(session: Session, council_id: str, path: str, text: str | None, expected_revision: int,
               by: str) -> PolicyDraft:
    """Save one file of the council's draft (None: remove it), made on ``expected_revision``.

    StaleDraft (with ``text``) when the draft has moved on since; SourceError, located at
    ``db:<council>/draft/<path>``, when the path or text could never be a council's file (a
    YAML mistake is fine: a draft may be wrong, publishing checks it). Flushes; the caller
    commits. (Two first saves at once: the second finds the draft made, rolls the session
    back and is refused as stale.)"""
    try:
        draft = start_draft(session, council_id, by)
    except IntegrityError:  # another officer's first save made the draft a moment ago
        session.rollback()
        raise StaleDraft(council_id, path, text, expected_revision, draft_of(session, council_id)) from None
    files = draft_files(draft).replace({path: text})  # the path and text checked as any set's are
    unstorable = _nul_problem(files.location(path), text) if text is not None else None
    if unstorable:
        raise SourceError([unstorable])
    moved = session.execute(update(PolicyDraft)
                            .where(PolicyDraft.id == draft.id, PolicyDraft.revision == expected_revision)
                            .values(revision=PolicyDraft.revision + 1, updated_by=by, updated_at=utcnow())
                            .execution_options(synchronize_session=False))
    session.refresh(draft)
    if moved.rowcount != 1:
        raise StaleDraft(council_id, path, text, expected_revision, draft)
    current = next((f for f in draft.files if f.path == path), None)
    if text is None:
        if current is not None:
            draft.files.remove(current)
    elif current is None:
        draft.files.append(PolicyDraftFile(path=path, text=text))
    else:
        current.text = text
    session.flush()
    return draft


# ---------------------------------------------------------------- records made before publications
def name_records(session: Session, council_id: str) -> int:
    """Name the set each of the council's records (events, submissions, audit entries) was made
    under, where none is named yet: the set in force on the record's day, or the council's first
    publication for a day before any (what the app reads then: hearth.engine.library.in_force).
    For records made before the council's policy was kept here (migration 0005 names the rest).
    Returns how many were named; flushes, the caller commits."""
    timeline = session.execute(select(PolicyPublication.effective_from, PolicySet.content_hash)
                               .join(PolicySet, PolicySet.id == PolicyPublication.set_id)
                               .where(PolicyPublication.council_id == council_id)
                               .order_by(PolicyPublication.effective_from, PolicyPublication.published_at,
                                         PolicyPublication.id)).all()
    if not timeline:
        return 0

    unnamed = (
        (Event, select(Event.id, Event.recorded_at).join(Case, Case.id == Event.case_id)
         .where(Case.council_id == council_id, Event.policy_hash.is_(None))),
        (Submission, select(Submission.id, Submission.created_at).join(Case, Case.id == Submission.case_id)
         .where(Case.council_id == council_id, Submission.policy_hash.is_(None))),
        (AuditEntry, select(AuditEntry.id, AuditEntry.at)
         .where(AuditEntry.council_id == council_id, AuditEntry.policy_hash.is_(None))),
    )
    named = 0
    for model, query in unnamed:
        by_hash: dict[str, list[int]] = {}
        for row_id, moment in session.execute(query):
            by_hash.setdefault(in_force(timeline, moment.date()).content_hash, []).append(row_id)
        for content_hash, ids in by_hash.items():
            for start in range(0, len(ids), NAMING_BATCH):
                session.execute(update(model).where(model.id.in_(ids[start:start + NAMING_BATCH]))
                                .values(policy_hash=content_hash).execution_options(synchronize_session=False))
            named += len(ids)
    session.flush()
    return named
