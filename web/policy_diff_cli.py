"""`hearth policy diff` as council IT runs it beside a database: the engine's command (the change
in words, rule by rule; hearth.engine.policy_diff_cli), with the council's policy read from the
database's publications (the version in force today, as the web app has it), and ``--to
draft`` for the council's draft there -- what the workspace's "Changes in words" page shows.

    hearth policy diff COUNCIL --to draft
    hearth policy diff COUNCIL --from 2025-01 --to 2026-04
    hearth policy diff COUNCIL --to path/to/changed/COUNCIL

The draft is written to a temporary folder named for the council and compared as the
engine compares any changed copy of a council's folder (its forms too).
"""
from __future__ import annotations

import sys
from pathlib import Path
from tempfile import TemporaryDirectory

import click

from hearth.engine.policy_diff_cli import diff_cmd as engine_diff, run_diff

from . import db, policy_store
from .cli_support import cli_app

DRAFT = "draft"


@click.command("diff", help=f"{engine_diff.help} Reads the policy in force from the database; "
                            f"--to {DRAFT} compares with the council's draft there.",
               params=engine_diff.params)
def diff_cmd(council: str, from_version: str | None, to_target: str | None, as_json: bool) -> None:
    with cli_app().app_context(), TemporaryDirectory() as temporary:
        if to_target == DRAFT:
            draft = policy_store.draft_of(db.session(), council)
            if draft is None:
                click.echo(f"--to {DRAFT}: {council} has no draft in the database; its policy officers start one "
                           "in the workspace.", err=True)
                sys.exit(2)
            to_target = str(policy_store.draft_files(draft).write_to(Path(temporary) / council))
            run_diff(council, from_version, to_target, as_json, to_label=f"the draft (revision {draft.revision})")
            return
        run_diff(council, from_version, to_target, as_json)
