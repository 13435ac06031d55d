"""Commands of the `hearth` command that are loaded when they are run, not when it starts.

The web's commands need the web's modules (Flask, SQLAlchemy, Alembic, RQ...: about 0.6 s to
import), which the engine's commands never use; a LazyGroup names each web command by where it
is ("module:attribute") and imports it only when it is run, or when the group's help lists it.
This is click's own pattern for it ("Lazily Loading Subcommands" in click's documentation)."""
from __future__ import annotations

import importlib
from typing import Any

import click


def load(where: str) -> Any:
    """What ``"module:attribute"`` names, its module imported if it is not yet."""
    module, attribute = where.split(":")
    return getattr(importlib.import_module(module), attribute)


class LazyGroup(click.Group):
    """A group whose ``lazy`` commands ({name: "module:attribute"}) are loaded when first asked
    for; a lazy command of the same name as one given replaces it."""

    def __init__(self, *args, lazy: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        where = self.lazy.get(name)
        if where is None:
            return super().get_command(ctx, name)
        command = load(where)
        if not isinstance(command, click.Command) or command.name != name:
            raise RuntimeError(f"{where} is not the command '{name}'")
        return command
