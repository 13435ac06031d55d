"""What the `hearth` command's groups share: the app they run against, and refusing input."""
from __future__ import annotations

import sys

import click

from hearth import web  # its create_app, loaded when a command first needs the app (hearth.web)

from .config import ConfigError


def cli_app():
    """The web app as configured by the environment; a plain message when the configuration is wrong."""
    try:
        return web.create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def refuse(lines: list[str]) -> None:
    """Located messages on stderr, exit 2 (as the engine's commands do)."""
    for line in lines:
        click.echo(line, err=True)
    sys.exit(2)
