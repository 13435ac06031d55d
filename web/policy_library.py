"""The web app's library of councils' policies: their publications, in its database.

A deployed Hearth reads every council's policy from here (hearth.engine.library explains
libraries): each publication is a set of files (hearth.web.policy_store), in force from its
effective date, and never changed, so whatever is loaded from a set is kept for good under
its content hash. Which publication is in force on a day is decided from the publications
table alone, so every web server and job worker reading the same database agrees on it
without sharing a disk; a new publication is seen by every process within
``HEARTH_POLICY_FRESHNESS`` seconds (1 by default; at once by the process that made it,
which calls ``forget``).

``HEARTH_POLICY_LIBRARY=folders`` makes an app read the folders under the policies root
instead (hearth.engine.library.FolderLibrary): for working on a council's files in an
editor, with each save seen within a second. The CLI's `hearth policy lint`, `test` and
`evaluate` always read folders.
"""
from __future__ import annotations

import threading
from collections import defaultdict

from cachetools import LRUCache, TTLCache
from flask import Flask, current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from hearth.engine import api
from hearth.engine.library import Entry, UnknownCouncil, is_council_id
from hearth.engine.policy_files import PolicyFiles

from .db import engine_for
from .models import PolicyPublication, PolicySet, PolicySetFile

_KEY = "hearth.policy_library"
# Set in a session's info by hearth.web.policy_store.publish: its commit stores a publication.
PUBLISHED_MARK = "hearth.published"
LIBRARIES = ("database", "folders")
# How many sets' files are kept in memory at once (what was loaded from them is kept by the engine).
KEPT_SETS = 64


class PublishedLibrary:
    """Every council's publications in one database, as the engine's library."""

    def __init__(self, engine: Engine, freshness: float = 1.0):
        self.engine = engine
        self._lock = threading.Lock()
        self._timelines: TTLCache = TTLCache(maxsize=1, ttl=freshness)
        self._files: LRUCache = LRUCache(maxsize=KEPT_SETS)

    def __repr__(self) -> str:
        return f"PublishedLibrary({self.engine.url!r})"

    def council_ids(self) -> list[str]:
        return sorted(self._all())

    def timeline(self, council_id: str) -> list[Entry]:
        timelines = self._all()
        if not is_council_id(council_id) or council_id not in timelines:
            raise UnknownCouncil(str(council_id), sorted(timelines))
        return timelines[council_id]

    def forget(self) -> None:
        """Read the publications again at the next call (this process has just published)."""
        with self._lock:
            self._timelines.clear()

    def _all(self) -> dict[str, list[Entry]]:
        with self._lock:
            found = self._timelines.get("all")
        if found is None:
            found = self._read()
            with self._lock:
                self._timelines["all"] = found
        return found

    def _read(self) -> dict[str, list[Entry]]:
        """Each council's publications, in order of effect (of two from the same day, the one
        published later counts: hearth.web.policy_store.publication_in_force)."""
        query = (select(PolicyPublication.council_id, PolicyPublication.effective_from, PolicySet.content_hash,
                        PolicyPublication.published_by, PolicyPublication.approved_by,
                        PolicyPublication.approved_at, PolicyPublication.change_note)
                 .join(PolicySet, PolicySet.id == PolicyPublication.set_id)
                 .order_by(PolicyPublication.effective_from, PolicyPublication.published_at, PolicyPublication.id))
        timelines: dict[str, list[Entry]] = defaultdict(list)
        with Session(self.engine) as session:
            for row in session.execute(query):
                timelines[row.council_id].append(self._entry(row))
        return dict(timelines)

    def _entry(self, row) -> Entry:
        council_id, content_hash = row.council_id, row.content_hash
        return Entry(council_id, ("published", council_id, content_hash), f"db:{council_id}/{content_hash[:12]}",
                     lambda: self.files(council_id, content_hash), effective_from=row.effective_from,
                     content_hash=content_hash,
                     published={"published_by": row.published_by, "approved_by": row.approved_by,
                                "approved_at": row.approved_at, "change_note": row.change_note})

    def files(self, council_id: str, content_hash: str) -> PolicyFiles:
        """A published set's files, read from the database once while kept."""
        key = (council_id, content_hash)
        with self._lock:
            found = self._files.get(key)
        if found is not None:
            return found
        with Session(self.engine) as session:
            rows = session.execute(select(PolicySetFile.path, PolicySetFile.text)
                                   .join(PolicySet, PolicySet.id == PolicySetFile.set_id)
                                   .where(PolicySet.council_id == council_id, PolicySet.content_hash == content_hash))
            found = PolicyFiles(council_id, f"db:{council_id}/{content_hash[:12]}", {path: text for path, text in rows})
        with self._lock:
            self._files[key] = found
        return found


def library_of(app: Flask) -> PublishedLibrary | None:
    """The app's published library (None while its config says it reads folders)."""
    if app.config["HEARTH_POLICY_LIBRARY"] != "database":
        return None
    return app.extensions[_KEY]


def _chosen():
    return library_of(current_app) if has_app_context() else None


def forget() -> None:
    """After a publication: this process sees it at once."""
    library = _chosen()
    if library is not None:
        library.forget()


def init_app(app: Flask) -> None:
    """Install the app's library: its database's publications while HEARTH_POLICY_LIBRARY says
    so (read at each call, so a test may switch an app to folders)."""
    app.extensions[_KEY] = PublishedLibrary(engine_for(app), app.config["HEARTH_POLICY_FRESHNESS"])
    api.use_library(_chosen)


@event.listens_for(Session, "after_commit")
def _published(session: Session) -> None:
    """A commit that stored a publication (hearth.web.policy_store.publish marks the session):
    this process reads the publications again at once."""
    if session.info.pop(PUBLISHED_MARK, False):
        forget()
