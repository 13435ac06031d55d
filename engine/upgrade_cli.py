"""`hearth policy upgrade`: move a council's version files to the current policy language.

    hearth policy upgrade COUNCIL            # rewrite policies/COUNCIL/versions/*.yaml
    hearth policy upgrade path/to/council    # a council folder, or a folder of councils
    hearth policy upgrade --diff COUNCIL     # show what would change, write nothing
    hearth policy upgrade --check            # exit 1 if any file would change (for CI)

A file with mistakes is not upgraded: its located problems are printed (exit 2), as lint does.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from hearth.rules.source import SourceError

from . import api
from .policy_model import CURRENT_LANGUAGE
from .upgrade import upgrade_council, write


def _folders(target: str | None) -> list[Path]:
    """A council id under the policies root, a council folder, or every council in a folder."""
    root = api.policies_root()
    if target and "/" not in target and (root / target / "council.yaml").is_file():
        return [root / target]
    folder = Path(target).resolve() if target else root
    if (folder / "council.yaml").is_file():
        return [folder]
    if not folder.is_dir():
        click.echo(f"{target}: there is no such council (under {root}) or folder.", err=True)
        sys.exit(2)
    return [p for p in sorted(folder.iterdir()) if (p / "council.yaml").is_file()]


@click.command("upgrade")
@click.argument("target", required=False, metavar="[COUNCIL|FOLDER]")
@click.option("--check", is_flag=True, help="write nothing; exit 1 if a file is not in the current language")
@click.option("--diff", "show_diff", is_flag=True, help="write nothing; show what would change")
def upgrade_cmd(target: str | None, check: bool, show_diff: bool) -> None:
    """Rewrite version files to the current policy language, keeping their meaning, comments and sources."""
    pending = 0
    for folder in _folders(target):
        try:
            upgrades = upgrade_council(folder)
        except SourceError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            sys.exit(2)
        for upgrade in upgrades:
            name = f"{folder.name}/{upgrade.relative}"
            if not upgrade.changed:
                click.echo(f"{name}: language {CURRENT_LANGUAGE} already")
                continue
            pending += 1
            if show_diff:
                click.echo(upgrade.diff(), nl=False)
                continue
            kept = f"; the old meaning kept by: {', '.join(upgrade.kept)}" if upgrade.kept else ""
            click.echo(f"{name}: {'would be' if check else ''}{' ' if check else ''}upgraded to language "
                       f"{CURRENT_LANGUAGE}{kept}")
        if not (check or show_diff):
            write(folder, upgrades)
    if check and pending:
        sys.exit(1)
