"""What the policy store's and publishing's tests share: an emptied database, the `hearth policy`
commands run against the test app's database, and a sentence of Swindon's policy to change."""
from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import delete

from hearth.web import cli, db, policy_library
from hearth.web.models import Base

SWINDON_MINUTES = ("due: 5 working days after stability_meeting_held or review_meeting_held\n"
                   "    met_by: minutes_circulated")


def empty_database(app, *rows) -> None:
    """Every table cleared, then these rows added."""
    with app.app_context():
        s = db.session()
        for table in reversed(Base.metadata.sorted_tables):
            s.execute(delete(table))
        s.add_all(rows)
        s.commit()
        policy_library.forget()  # what the library read before is gone


def policy_cli(app, monkeypatch, *args):
    """`hearth policy ARGS` as council IT runs it, on the app's database."""
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("HEARTH_ENV", "testing")
    return CliRunner().invoke(cli.build_cli(), ["policy", *args])
