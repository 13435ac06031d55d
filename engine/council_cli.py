"""`hearth council`: start a new council's folder from Hearth's template.

    hearth council new northdale --name "Northdale Council" --nation england

Bad input (an id that cannot name a folder, an unknown nation, a folder already there)
exits 2 with one sentence per problem on stderr and writes nothing; never a traceback.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from hearth.rules.source import parse_date

from . import api
from .calendar import NATIONS
from .scaffold import ScaffoldError, new_council


def _fail(lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(2)


@click.group("council")
def council_group() -> None:
    """Start a new council's folder."""


@council_group.command("new")
@click.argument("council_id", metavar="ID")
@click.option("--name", required=True, help='the council\'s name in full, e.g. "Northdale Council"')
@click.option("--nation", required=True, help=f"whose bank holidays count: {', '.join(NATIONS)}")
@click.option("--root", default=None, help="the policies folder (default: HEARTH_POLICIES or ./policies)")
@click.option("--effective-from", "effective_from", default=None,
              help="the day the procedure takes effect, YYYY-MM-DD (default: the first of this month)")
def new_cmd(council_id: str, name: str, nation: str, root: str | None, effective_from: str | None) -> None:
    """Write policies/ID/ from the documented template: a small working procedure that
    lints clean and passes its first policy test, to replace rule by rule."""
    try:
        start = parse_date(effective_from) if effective_from else None
    except ValueError as exc:
        _fail([f"--effective-from: {exc}"])
    try:
        folder = new_council(Path(root) if root else api.policies_root(), council_id, name, nation,
                             effective_from=start)
    except ScaffoldError as exc:
        _fail(exc.problems)
    shown = _shown(folder)
    click.echo(f"Wrote {shown}/:")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        click.echo(f"  {path.relative_to(folder)}")
    click.echo(f"Next: hearth policy lint {shown}   then   hearth policy test {council_id}"
               f"{'' if root is None else f' (with HEARTH_POLICIES={root})'}")
    click.echo("docs/new-council.md walks through the rest.")


def _shown(folder: Path) -> Path:
    """The folder as the policy officer typed their way to it: relative to here when it is below."""
    try:
        return folder.relative_to(Path.cwd())
    except ValueError:
        return folder
