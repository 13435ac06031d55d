"""One SQLAlchemy engine per app and one session per request, without Flask-SQLAlchemy."""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

_KEY = "hearth.db"


# How long a SQLite connection waits for another's write to finish before giving up
# with "database is locked" (a 500); long enough for any one request's write.
SQLITE_BUSY_TIMEOUT_SECONDS = 15


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # The driver's own wait (before it starts a write), in step with busy_timeout below.
        engine = create_engine(url, pool_pre_ping=True, future=True,
                               connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, future=True)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    """Per connection, so SQLite can be a real default for a small service:

    - WAL: readers never wait for the writer and a commit appends to the log instead
      of rewriting pages (an audit commit took 22 ms on a plain disk, 4.6 ms in WAL).
      A property of the file, but asked on every connection so no file is left out;
      an in-memory database answers "memory" and stays as it is.
    - busy_timeout: wait up to SQLITE_BUSY_TIMEOUT_SECONDS for the write lock rather
      than fail at once, so concurrent requests queue instead of answering 500.
    - foreign keys, which SQLite ignores unless asked.
    """
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions[_KEY] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine_for(app: Flask) -> Engine:
    return app.extensions[_KEY].kw["bind"]


def session() -> Session:
    """The current request's session; closed (and rolled back if uncommitted) at teardown."""
    if "db_session" not in g:
        g.db_session = current_app.extensions[_KEY]()
    return g.db_session


def _close_session(_exc=None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()
