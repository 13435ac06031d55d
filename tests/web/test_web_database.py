"""Migrations, demo seeding, API tokens and the `hearth` command."""
from __future__ import annotations

from datetime import date

import click
from click.testing import CliRunner

from hearth.engine.api import get_policy, list_councils, policies_root
from hearth.engine.cli import cli as engine_cli
from hearth.engine.demo import read_demo_cases
from sqlalchemy import func, inspect, select

from hearth.web import cli, db, migrate
from hearth.web.db import engine_for, make_engine
from hearth.web.models import Base, Case, User
from hearth.web.seed import demo_logins, seed_demo
from hearth.web.tokens import create_token, user_for_token


def test_upgrade_head_on_a_fresh_sqlite_matches_the_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert migrate.is_new(engine)
    migrate.upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= {t.name for t in Base.metadata.sorted_tables}
    assert migrate.diff(engine) == []
    migrate.upgrade(engine)  # running it again changes nothing
    engine.dispose()


def test_migrated_database_matches_the_models(app):
    """On every backend (SQLite and PostgreSQL): compare_metadata finds no difference."""
    assert migrate.diff(engine_for(app)) == []


def test_seeding_is_idempotent(app, demo):
    with app.app_context():
        s = db.session()
        users = s.scalar(select(func.count()).select_from(User))
        cases = s.scalar(select(func.count()).select_from(Case))
        assert seed_demo(s) is False
        assert s.scalar(select(func.count()).select_from(User)) == users
        assert s.scalar(select(func.count()).select_from(Case)) == cases
        logins = demo_logins(s)
    councils = list_councils()
    assert users == 6 * len(councils) + 1  # two workers, a manager, two policy officers and an admin each, and the admin
    assert {(l.email, l.role) for l in logins} >= {(f"{who}@{c.id}.demo", "worker")
                                                   for c in councils for who in ("worker", "worker2")}
    assert {(l.email, l.role) for l in logins} >= {(f"admin@{c.id}.demo", "admin") for c in councils}
    assert {(l.email, l.role) for l in logins} >= {(f"{who}@{c.id}.demo", "policy_officer")
                                                   for c in councils for who in ("policy", "policy2")}
    for c in councils:  # each council's own demo cases, as its demo file has them (none without one)
        folder = policies_root() / c.id
        written = read_demo_cases(folder, get_policy(c.id), date.today())
        assert sorted(demo.refs(c.id)) == sorted(case.ref for case in written)
        assert sorted((case.child_ref, case.placement_type) for case in demo.cases[c.id]) == \
            sorted((case.ref, case.placement_type) for case in written)


def test_api_tokens_are_stored_hashed(app, demo):
    with app.app_context():
        s = db.session()
        user = s.scalar(select(User).where(User.email == demo.email("worker", demo.home)))
        token = create_token(s, user)
        s.commit()
        from hearth.web.models import ApiToken
        row = s.scalars(select(ApiToken)).one()
        assert token not in (row.token_hash, row.prefix) and row.last_used_at is None
        assert user_for_token(s, token).id == user.id
        assert row.last_used_at is not None
        assert user_for_token(s, token + "x") is None


def test_cli_token_create(app, demo, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("HEARTH_ENV", "testing")
    result = CliRunner().invoke(cli.build_cli(), ["token", "create", "--user", demo.email("manager", demo.home)])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    with app.app_context():
        assert user_for_token(db.session(), token).email == demo.email("manager", demo.home)
    bad = CliRunner().invoke(cli.build_cli(), ["token", "create", "--user", "nobody@x"])
    assert bad.exit_code != 0 and "No active user" in bad.output


def test_cli_upgrade_and_seed(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("HEARTH_ENV", "development")
    monkeypatch.setenv("HEARTH_INSTANCE", str(tmp_path))
    runner = CliRunner()
    r = runner.invoke(cli.build_cli(), ["db", "upgrade"])
    assert r.exit_code == 0 and "created" in r.output, r.output
    r = runner.invoke(cli.build_cli(), ["db", "seed-demo"])
    assert r.exit_code == 0 and "Demo data added" in r.output and "admin@hearth.demo" in r.output
    r = runner.invoke(cli.build_cli(), ["db", "seed-demo"])
    assert "no demo data added" in r.output and "admin@hearth.demo" in r.output
    assert "upgraded" in runner.invoke(cli.build_cli(), ["db", "upgrade"]).output


def test_seed_refused_in_production(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    monkeypatch.setenv("HEARTH_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "y" * 40)
    r = CliRunner().invoke(cli.build_cli(), ["db", "seed-demo"])
    assert r.exit_code != 0 and "never added in production" in r.output


def test_the_command_has_the_engines_commands_and_the_webs():
    root = cli.build_cli()
    names = root.list_commands(click.Context(root))
    assert set(engine_cli.commands) | {"db", "serve", "token", "user", "assets", "worker", "reminders",
                                          "summaries"} == set(names)
    assert not set(engine_cli.commands) & set(cli.WEB_COMMANDS)
    # each web command, loaded where the command says it is, is the command of that name
    assert [root.get_command(click.Context(root), name).name for name in names] == names


def test_engine_does_not_import_web():
    import pathlib
    root = pathlib.Path(__file__).resolve().parents[2]
    for folder in ("engine", "rules", "forms"):
        for path in (root / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert "hearth.web" not in text, f"{path} imports the web runtime"
