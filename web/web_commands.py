"""The web runtime's own commands of `hearth` (hearth.web.cli loads them when one is run):
`db upgrade`, `db seed-demo`, `db check`, `serve`, `token create`, `assets build` and `worker`."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from sqlalchemy import func, select

from hearth.rules.source import SourceError

from . import assets, case_summaries, jobs, migrate, reminders, seed, tokens
from . import db as web_db
from .audit import audit
from .cli_support import cli_app
from .daily_timer import start_daily_timer
from .db import engine_for
from .evaluation import evaluate_case
from .models import AuditAction, Case, User


def _engine(app):
    return engine_for(app)


@click.group("db", help="Create, migrate and seed the web database.")
def db_group():
    pass


@db_group.command("upgrade", help="Create the database or bring it to the latest schema.")
def db_upgrade():
    app = cli_app()
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        Path(app.config["DATABASE_URL"].removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = _engine(app)
    new = migrate.is_new(engine)
    migrate.upgrade(engine)
    click.echo(f"Database {'created' if new else 'upgraded'}: {engine.url.render_as_string(hide_password=True)}")


@db_group.command("seed-demo", help="Add demo log-ins and cases, only to a database with no users.")
def db_seed_demo():
    app = cli_app()
    if app.config["HEARTH_ENV"] == "production":
        raise click.ClickException("Demo data is never added in production (HEARTH_ENV=production).")
    with app.app_context():
        s = web_db.session()
        try:
            added = seed.seed_demo(s)
        except SourceError as exc:  # a council's demo/cases.yaml with mistakes: say where, add nothing
            s.rollback()
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            sys.exit(2)
        logins = seed.demo_logins(s)
    click.echo("Demo data added." if added else "The database already has users; no demo data added.")
    if logins:
        click.echo(f"Demo log-ins (password: {seed.DEMO_PASSWORD}):")
        for login in logins:
            click.echo(f"  {login.email:<32} {login.role:<15} {login.council or 'all councils'}")


@db_group.command("check", help="List the cases whose records the engine cannot evaluate today; exit 1 if any.")
def db_check():
    """Cases stored before recording tried the engine first may not evaluate (their pages say so).
    This finds them all, with the engine's located messages, so they can be put right."""
    app = cli_app()
    broken = 0
    with app.app_context():
        s = web_db.session()
        ids = s.scalars(select(Case.id).order_by(Case.id)).all()
        for case_id in ids:
            case = s.get(Case, case_id)
            found = evaluate_case(case)
            if found.answer is None:
                broken += 1
                click.echo(f"case {case.id} ({case.council_id}, child {case.child_ref}): {found.message}")
                for error in found.errors():
                    click.echo(f"  {error['message']}")
            s.expunge_all()  # one case's rows at a time, however many cases there are
    click.echo(f"{len(ids)} cases checked; {broken} do not evaluate." if broken else
               f"{len(ids)} cases checked; every one evaluates.")
    sys.exit(1 if broken else 0)


@click.command("serve", help="Run the development server (use gunicorn in production).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=lambda: int(os.environ.get("PORT", 5000)), type=int, help="default: $PORT or 5000")
@click.option("--no-reminders", is_flag=True, help="do not run the daily reminders job in this process")
def serve(host: str, port: int, no_reminders: bool):
    app = cli_app()
    if app.config["HEARTH_ENV"] == "production":
        raise click.ClickException("The development server is not for production: see docs/deploy.md (gunicorn).")
    if not no_reminders and not app.config["HEARTH_REDIS_URL"]:
        # development: no cron (docs/deploy.md, "Reminders" and "The dashboard's stored summaries")
        start_daily_timer(app, "reminders", reminders.queue_daily_run)
        start_daily_timer(app, "case-summaries", case_summaries.queue_refresh)
        click.echo("Daily reminders and case summaries: run now and every 24 hours while this server runs.")
    click.echo(f"Hearth on http://{host}:{port}/")
    app.run(host=host, port=port, debug=False, use_reloader=False)


@click.group("token", help="API tokens.")
def token_group():
    pass


@token_group.command("create", help="Create an API token for a user; it is shown only once.")
@click.option("--user", "email", required=True, help="the user's email address")
@click.option("--name", default="Made on the command line", show_default=True,
              help="what the token is for (shown in the token lists)")
def token_create(email: str, name: str):
    app = cli_app()
    with app.app_context():
        s = web_db.session()
        user = s.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
        if user is None or not user.active:
            raise click.ClickException(f"No active user with email {email}")
        token = tokens.create_token(s, user, name.strip())
        s.flush()
        audit(AuditAction.CREATED, "api_token", None, {"prefix": token[:12], "via": "cli"}, user=user)
    click.echo(token)


@click.group("assets", help="Front-end assets.")
def assets_group():
    pass


@assets_group.command("build", help="Compile each council's stylesheet and copy GOV.UK Frontend's JS.")
@click.option("--npm", "npm_dir", default="build/npm", show_default=True, type=click.Path(file_okay=False, path_type=Path))
def assets_build(npm_dir: Path):
    try:
        written = assets.build(npm_dir.resolve())
    except assets.AssetError as e:
        raise click.ClickException(str(e)) from e
    for path in written:
        click.echo(f"  {path.relative_to(assets.WEB.parent)}")


@click.command("worker", help="Run background jobs from HEARTH_REDIS_URL's queue until stopped (docs/deploy.md).")
@click.option("--burst", is_flag=True, help="stop once the queue is empty")
def worker(burst: bool):
    try:
        jobs.work(cli_app(), burst=burst)
    except jobs.JobError as e:
        raise click.ClickException(str(e)) from e
