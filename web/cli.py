"""The `hearth` command: the engine's commands plus the web runtime's (`db upgrade`, `db
seed-demo`, `db check`, `serve`, `token create`, `assets build`, `worker`: hearth.web.web_commands;
`user create`: hearth.web.user_cli; `reminders send`: hearth.web.reminders_cli; `summaries
refresh`: hearth.web.case_summaries_cli), the web's `hearth policy` commands on the database
(hearth.web.policy_cli: import, export, publish, approve; hearth.web.policy_diff_cli: diff), and
`hearth evaluate --cases ... --queue` (hearth.web.bulk_queue).

The engine never imports the web; the web adds its commands to the engine's group (its
`hearth policy` group is a copy with the web's commands added, the engine's left as they are).
The web's commands are loaded only when one is run (hearth.web.lazy_commands), so the engine's
start without the web's modules: `hearth evaluate` of one case in 0.43 s of CPU rather than
1.17 s (tests/test_cli.py checks that none of the web's libraries is loaded for them)."""
from __future__ import annotations

import sys

import click

from hearth.engine.cli import cli as engine_cli

from .cli_support import refuse
from .lazy_commands import LazyGroup, load

# The web's commands, by name: where each is, loaded when it is run.
WEB_COMMANDS = {
    "db": "hearth.web.web_commands:db_group",
    "serve": "hearth.web.web_commands:serve",
    "token": "hearth.web.web_commands:token_group",
    "user": "hearth.web.user_cli:user_group",
    "assets": "hearth.web.web_commands:assets_group",
    "worker": "hearth.web.web_commands:worker",
    "reminders": "hearth.web.reminders_cli:reminders_group",
    "summaries": "hearth.web.case_summaries_cli:summaries_group",
}
# Added to the engine's `hearth policy` group: its commands work on folders, these on the
# database; `diff` is the engine's, on the database too (and --to draft), in its place.
WEB_POLICY_COMMANDS = {
    "import": "hearth.web.policy_cli:policy_import",
    "export": "hearth.web.policy_cli:policy_export",
    "publish": "hearth.web.policy_cli:policy_publish",
    "approve": "hearth.web.policy_cli:policy_approve",
}
REPLACED_POLICY_COMMANDS = {"diff": "hearth.web.policy_diff_cli:diff_cmd"}


def policy_group(engine_group: click.Group) -> click.Group:
    """A copy of the engine's `hearth policy` group with the web's commands added."""
    clashes = set(WEB_POLICY_COMMANDS) & set(engine_group.commands)
    if clashes:
        raise RuntimeError(f"the web command 'policy {sorted(clashes)[0]}' would replace the engine's")
    return LazyGroup(engine_group.name, callback=engine_group.callback, commands=dict(engine_group.commands),
                     lazy={**WEB_POLICY_COMMANDS, **REPLACED_POLICY_COMMANDS},
                     help=f"{engine_group.help} Import and export move a council's folder into and out of "
                          "the database; publish and approve put a set in force by two policy officers.")


def evaluate_command(engine_command: click.Command) -> click.Command:
    """The engine's `hearth evaluate` with --queue added (the queue's runner is loaded only for --queue)."""
    queue = click.Option(["--queue"], is_flag=True,
                         help="with --cases: evaluate on the job queue (HEARTH_REDIS_URL) by `hearth worker`s on any "
                              "machine, instead of this machine's processes")

    def callback(queue: bool, **options):
        if queue and options["cases_source"] is None:
            refuse(["--queue goes with --cases (many cases)."])
        if queue and options["workers"] is not None:
            refuse(["--workers counts this machine's processes; with --queue the `hearth worker`s evaluate "
                    "(start as many as you like)."])
        runner_for = load("hearth.web.bulk_queue:runner_for") if queue else None
        return engine_command.callback(**options, runner_for=runner_for)

    return click.Command(engine_command.name, callback=callback, params=[*engine_command.params, queue],
                         help=engine_command.help, short_help=engine_command.short_help)


def build_cli() -> click.Group:
    clashes = set(WEB_COMMANDS) & set(engine_cli.commands)
    if clashes:
        raise RuntimeError(f"the web command {sorted(clashes)[0]!r} would replace the engine's")
    extended = {"policy": policy_group, "evaluate": evaluate_command}
    commands = {name: extended[name](command) if name in extended else command
                for name, command in engine_cli.commands.items()}
    return LazyGroup("hearth", commands=commands, lazy=WEB_COMMANDS,
                     help="Hearth: councils' stable-homes policies, and the web app.")


def main(argv: list[str] | None = None) -> None:
    try:
        build_cli()(args=argv if argv is not None else sys.argv[1:], prog_name="hearth")
    except Exception as exc:  # noqa: BLE001 - only the database's two errors below are caught; the rest re-raised
        if not _database_not_ready(exc):
            raise
        # a database that was never upgraded (no tables) or cannot be reached: say what to do,
        # not a page of SQLAlchemy's traceback
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        click.echo(f"The database is not ready ({reason}). Run 'hearth db upgrade' first, and check "
                   "DATABASE_URL (docs/deploy.md).", err=True)
        sys.exit(2)


def _database_not_ready(exc: Exception) -> bool:
    """SQLAlchemy's OperationalError or ProgrammingError. Only a web command can raise them, and
    it has loaded SQLAlchemy; for an engine command it is not loaded, and nothing is either."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(exc, (errors.OperationalError, errors.ProgrammingError))
