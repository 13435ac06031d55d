"""The dashboard's search at scale (issue 13, item 8): by child reference (any part of it, any
case) or by worker (name or email), only ever inside the user's council, with the status filter
and counts as without a search; and its queries read the summary index (migration 0009: the
worker and the reference in lower case in it), never every open case's row.
Northshire's cases and today are in live_support.py."""
from __future__ import annotations

import pytest
from alembic import command
from bs4 import BeautifulSoup
from sqlalchemy import event, select, text

from hearth.web import db, migrate
from hearth.web.db import engine_for, make_engine
from hearth.web.models import Case, Role, User
from hearth.web.passwords import hash_password

from live_support import COUNCIL, PASSWORD, add_case, live_policies, world  # noqa: F401
from web_support import login

# The search's behaviour runs on both databases; its plan and the migration are SQLite's.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

OLD_INDEX = ["council_id", "status", "restricted", "next_status", "next_due", "child_ref", "summary_as_of",
             "summary_policy_hash"]


def signed_in(app, email, password="hearth-demo"):
    client = app.test_client()
    assert login(client, email, password).status_code == 302
    return client


def page(client, **query) -> tuple[str, list[tuple[str, str]]]:
    """The table's caption and its rows as (reference, link)."""
    answer = client.get("/", query_string=query)
    assert answer.status_code == 200
    table = BeautifulSoup(answer.get_data(as_text=True), "html.parser").find("table", id="cases")
    if table is None:
        return "", []
    links = [row.find("th").find("a") for row in table.find("tbody").find_all("tr")]
    return " ".join(table.find("caption").get_text(" ", strip=True).split()), [(a.text, a["href"]) for a in links]


def twins_elsewhere(app, world, demo) -> tuple[str, User]:
    """Another council with cases of the same references as Northshire's N-0003 and N-0005, the
    second allocated to a worker of the same name ("Second worker"): its id and its manager."""
    other = next(council for council in (demo.home, demo.other) if council != COUNCIL)
    with app.app_context():
        s = db.session()
        twin = User(email="worker2@elsewhere.test", name="Second worker", role="worker", council_id=other,
                    password_hash=hash_password(PASSWORD))
        add_case(s, other, "N-0003", "in_house_foster", "2025-06-01", None, [])
        add_case(s, other, "N-0005", "in_house_foster", "2025-06-01", twin, [])
        s.commit()
        manager = s.scalars(select(User).where(User.council_id == other, User.role == Role.MANAGER)).first()
        assert manager is not None, f"the demo council {other} needs a manager for this test"
        s.expunge(manager)
        return other, manager


def test_search_finds_by_any_part_of_a_reference_or_a_worker_and_never_another_councils_case(app, world, demo):
    other, their_manager = twins_elsewhere(app, world, demo)
    manager = signed_in(app, world.emails["manager"])
    ours = {ref: f"/cases/{case_id}" for ref, case_id in world.ids.items()}
    for words in ("n-0003", "N-0003", "0003", "-0003"):
        caption, rows = page(manager, search=words)
        assert rows == [("N-0003", ours["N-0003"])] and caption.startswith("1 open case matching"), words
    for words in ("Second work", "second WORK", "worker2@", "@northshire.test"):
        caption, rows = page(manager, search=words)
        assert rows == [("N-0005", ours["N-0005"])] and caption.startswith("1 open case matching"), words
    caption, rows = page(manager, search="N-000")
    assert sorted(rows) == sorted(ours.items()) and caption.startswith(f"{len(ours)} open cases matching")
    # with a status: the count and rows are the search's among that status's cases
    assert page(manager, search="Second work", status="none")[1] == [("N-0005", ours["N-0005"])]
    caption, rows = page(manager, search="Second work", status="overdue")
    assert rows == [] and caption == ""
    overdue = page(manager, status="overdue")   # every Northshire reference starts N-000
    assert overdue[1] and page(manager, search="n-000", status="overdue")[1] == overdue[1]
    # the other council's manager finds its own twins, never Northshire's
    with app.app_context():
        theirs = {c.child_ref: f"/cases/{c.id}" for c in db.session().scalars(
            select(Case).where(Case.council_id == other, Case.child_ref.in_(["N-0003", "N-0005"])))}
    elsewhere = signed_in(app, their_manager.email)
    assert page(elsewhere, search="n-0003")[1] == [("N-0003", theirs["N-0003"])]
    assert page(elsewhere, search="Second work")[1] == [("N-0005", theirs["N-0005"])]


@sqlite_only
def test_the_search_reads_the_summary_index_not_the_cases_rows(app, world):
    """Every statement of a search on the cases table is answered from ix_cases_summary alone
    (SQLite's plan says COVERING INDEX), so a search costs an index pass, not 10,000 rows."""
    manager = signed_in(app, world.emails["manager"])
    assert page(manager)[1]   # the new cases' summaries made (a list makes those first, by another query)
    engine = engine_for(app)
    seen = []

    def record(_connection, _cursor, statement, parameters, _context, _many):
        if "lower(cases.child_ref) LIKE" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        for query in ({"search": "N-0003"}, {"search": "Second work", "status": "none"}):
            assert page(manager, **query)[1]
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(seen) >= 4   # the counts and the page's ids, for each search
    with engine.connect() as connection:
        for statement, parameters in seen:
            plan = [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
            on_cases = [step for step in plan if " cases " in f"{step} "]
            assert on_cases and all("COVERING INDEX ix_cases_summary" in step for step in on_cases), plan


@sqlite_only
def test_migration_0009_puts_the_worker_and_the_lowercase_reference_in_the_summary_index(app, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'search.db'}")

    def summary_index() -> list[str]:
        with engine.connect() as connection:
            return [row[2] if row[2] is not None else "expression"
                    for row in connection.execute(text("PRAGMA index_xinfo('ix_cases_summary')")) if row[5]]

    def index_sql() -> str:
        with engine.connect() as connection:
            return connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ix_cases_summary'")).scalar()

    migrate.upgrade(engine, "0008")
    assert summary_index() == OLD_INDEX
    migrate.upgrade(engine)
    assert summary_index() == [*OLD_INDEX, "worker_id", "team_id", "next_due_on", "expression"]
    assert index_sql().replace(" ", "").endswith("lower(child_ref))")
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
    assert summary_index() == OLD_INDEX
    engine.dispose()
