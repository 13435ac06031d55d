"""Alembic environment: runs on the app's own engine (passed in by hearth.web.migrate),
or on DATABASE_URL when alembic is run by hand."""
from __future__ import annotations

from alembic import context

from hearth.web.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from hearth.web import config as web_config
    from hearth.web.db import make_engine

    engine = make_engine(web_config.load()["DATABASE_URL"])
    with engine.connect() as connection:
        _run(connection)


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against a database.")
run_online()
