"""Does Hearth keep every write it acknowledged when a worker is killed under load?

Starts gunicorn with Hearth's settings (hearth.web.gunicorn_conf, 4 sync workers) on
127.0.0.1 over a new PostgreSQL database (created at 127.0.0.1:5432 as user postgres and
dropped afterwards, as tests/web/conftest.py does; `--sqlite` for a temporary SQLite
file instead), seeded with the demo data. 50 client threads, each with an API token of
a demo worker or manager, then call the JSON API for a fixed time:

  reads   GET  /api/v1/cases/<id>                 (the case, its events, its evaluation)
          GET  /api/v1/councils/<council>/cases   (the list)
  writes  POST /api/v1/cases/<id>/events          (a missing episode, today or earlier)
          POST /api/v1/councils/<council>/cases   (a new case, a unique child reference)
          POST /api/v1/cases/<id>/submissions     (the record_event form: a submission and its event)

Every write carries its own Idempotency-Key; a write whose connection breaks is sent
once more with the same key and body, as a careful client would. Half-way through, one
worker is killed with `kill -9` (the master starts another).

Then, with the server stopped, the database is checked:

  - every acknowledged write (a 2xx answer) is there, as answered: the events with their
    case, type and date; the cases with their child; the submissions, submitted;
  - no partial records: no event without its case or its audit entry, no case created
    without its audit entry, no submitted record without its events or its audit entry;
  - nothing stored that no answer accounts for beyond the writes that got no answer
    (more would mean a retried write was saved twice).

It prints requests, errors by kind (connection resets around the kill are expected and
counted apart), p50/p95 latency by request kind, and a verdict; exit 1 on FAIL. Only
127.0.0.1 is ever called. Everything it starts is stopped and its database dropped,
however it ends.

    python benchmarks/bench_load.py                      # 50 clients, 60 s, PostgreSQL
    python benchmarks/bench_load.py --seconds 20 --sqlite
    python benchmarks/bench_load.py --settle 150        # then resend writes cut off by the kill
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from bench_web import free_port, hearth

REPO = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("HEARTH_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CONFIG = "python:hearth.web.gunicorn_conf"
KILL_WINDOW = (-1.0, 5.0)  # seconds around the kill in which a broken connection is the kill's doing
# (kind, weight): mostly reads, as a case-management service is used
MIX = [("read_case", 45), ("list_cases", 10), ("add_event", 30), ("create_case", 8), ("submit_form", 7)]
WRITES = {"add_event", "create_case", "submit_form"}


@dataclass
class Outcome:
    kind: str
    started: float          # seconds since the run began
    seconds: float
    status: int | None      # None: no HTTP answer
    error: str | None = None
    answer: dict | None = None
    key: str | None = None
    retry: bool = False
    detail: str = ""        # what was sent, for writes: case id, date, child reference
    path: str = ""
    body: dict | None = None
    token: str = ""


@dataclass
class Shared:
    cases: dict[str, list[int]]                   # council -> case ids a client may use
    placements: dict[str, list[str]]
    lock: threading.Lock = field(default_factory=threading.Lock)
    outcomes: list[Outcome] = field(default_factory=list)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


class Gunicorn:
    """gunicorn with Hearth's settings module, in its own process group, always stopped."""

    def __init__(self, port: int, workers: int, env: dict, log: Path):
        self.port, self.log_path = port, log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", CONFIG, "--workers", str(workers),
                 "--bind", f"127.0.0.1:{port}", "hearth.web.wsgi:app"],
                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, workers: int, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(self.base + "/healthz", timeout=5).status_code == 200 and \
                        len(self.workers()) == workers:
                    return
            except requests.RequestException:  # not listening yet
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f}s:\n{self.log_tail()}")

    def workers(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(stat[1]) == self.proc.pid and stat[0] not in ("Z", "X"):
                    found.append(int(entry.name))
        return sorted(found)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # anything left in the group
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)


def write_request(kind: str, council: str, shared: Shared, client: int, serial: int, run: str):
    """(method path, JSON body, detail) for one write."""
    with shared.lock:
        case_id = random.choice(shared.cases[council])
    on = (date.today() - timedelta(days=random.randint(0, 20))).isoformat()
    if kind == "add_event":
        return f"/api/v1/cases/{case_id}/events", {"events": [{"type": "missing_episode", "on": on}]}, \
            f"case {case_id} missing_episode {on}"
    if kind == "submit_form":
        return f"/api/v1/cases/{case_id}/submissions", \
            {"form": "record_event", "answers": {"event_date": on, "what": "missing_episode"}}, \
            f"case {case_id} record_event {on}"
    ref = f"L{run}-{client}-{serial}"
    body = {"child": {"ref": ref}, "placement": {"type": random.choice(shared.placements[council]),
                                                 "started": (date.today() - timedelta(days=60)).isoformat()}}
    return f"/api/v1/councils/{council}/cases", body, f"child {ref}"


def client_loop(number: int, base: str, token: str, council: str, shared: Shared, run: str,
                start: float, stop_at: float) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    kinds, weights = zip(*MIX)
    serial = 0
    while time.monotonic() < stop_at:
        kind = random.choices(kinds, weights)[0]
        serial += 1
        if kind in WRITES:
            path, body, detail = write_request(kind, council, shared, number, serial, run)
            key = str(uuid.uuid4())
            for retry in (False, True):
                outcome = call(session, "POST", base + path, start, kind, body, key, detail, retry)
                outcome.path, outcome.body, outcome.token = path, body, token
                shared_record(shared, outcome)
                if outcome.status is not None or time.monotonic() >= stop_at:
                    break
                time.sleep(1.0)  # the connection broke: send the same write once more
            if outcome.status == 201 and kind == "create_case":
                with shared.lock:
                    shared.cases[council].append(outcome.answer["id"])
        elif kind == "read_case":
            with shared.lock:
                case_id = random.choice(shared.cases[council])
            shared_record(shared, call(session, "GET", f"{base}/api/v1/cases/{case_id}", start, kind))
        else:
            shared_record(shared, call(session, "GET", f"{base}/api/v1/councils/{council}/cases", start, kind))


def shared_record(shared: Shared, outcome: Outcome) -> None:
    with shared.lock:
        shared.outcomes.append(outcome)


def call(session: requests.Session, method: str, url: str, start: float, kind: str, body: dict | None = None,
         key: str | None = None, detail: str = "", retry: bool = False) -> Outcome:
    headers = {"Idempotency-Key": key} if key else {}
    began = time.monotonic()
    try:
        r = session.request(method, url, json=body, headers=headers, timeout=120)
    except requests.RequestException as e:
        return Outcome(kind, began - start, time.monotonic() - began, None, error=error_kind(e), key=key,
                       retry=retry, detail=detail)
    answer = None
    if r.status_code < 300 and method == "POST":
        answer = r.json()
    outcome = Outcome(kind, began - start, time.monotonic() - began, r.status_code, key=key, retry=retry,
                      detail=detail, answer=answer)
    if r.status_code >= 300:
        outcome.error = f"HTTP {r.status_code}"
        outcome.answer = {"text": r.text[:500]}
    return outcome


def error_kind(error: requests.RequestException) -> str:
    text = repr(error)
    for kind in ("ConnectionResetError", "RemoteDisconnected", "ConnectionRefusedError", "BrokenPipeError"):
        if kind in text:
            return kind
    return type(error).__name__


def check_database(url: str, outcomes: list[Outcome], before: dict[str, int]) -> list[str]:
    """Every acknowledged write present as answered; no partial records; nothing unaccounted for."""
    problems: list[str] = []
    acknowledged = [o for o in outcomes if o.kind in WRITES and o.status is not None and 200 <= o.status < 300]
    event_ids: dict[int, tuple] = {}
    case_ids: dict[int, str] = {}
    submission_ids: set[int] = set()
    for o in acknowledged:
        if o.kind == "create_case":
            case_ids[o.answer["id"]] = o.answer["child"]["ref"]
        else:
            for e in o.answer["events"]:
                event_ids[e["id"]] = (e.get("type"), e.get("on"))
            if o.kind == "submit_form":
                submission_ids.add(o.answer["submission"]["id"])
    engine = create_engine(url)
    try:
        with engine.connect() as db:
            events = {row.id: row for row in db.execute(text(
                "SELECT id, case_id, type, \"on\", source_submission_id FROM events WHERE id > :n"),
                {"n": before["events"]})}
            cases = {row.id: row for row in db.execute(text("SELECT id, child_ref FROM cases"))}
            submissions = {row.id: row for row in db.execute(text(
                "SELECT id, status FROM submissions WHERE id > :n"), {"n": before["submissions"]})}
            audited = defaultdict(set)
            for row in db.execute(text("SELECT object_type, object_id FROM audit_entries "
                                       "WHERE action = 'created' AND id > :n"), {"n": before["audit_entries"]}):
                audited[row.object_type].add(row.object_id)
    finally:
        engine.dispose()

    for event_id, (kind, on) in event_ids.items():
        row = events.get(event_id)
        if row is None:
            problems.append(f"acknowledged event {event_id} ({kind} {on}) is not in the database")
        elif (row.type, str(row.on)) != (kind, on):
            problems.append(f"event {event_id} answered as {kind} {on} is stored as {row.type} {row.on}")
    for case_id, ref in case_ids.items():
        if case_id not in cases:
            problems.append(f"acknowledged case {case_id} (child {ref}) is not in the database")
        elif cases[case_id].child_ref != ref:
            problems.append(f"case {case_id} answered for child {ref} is stored for {cases[case_id].child_ref}")
    for sub_id in submission_ids:
        if sub_id not in submissions or submissions[sub_id].status != "submitted":
            problems.append(f"acknowledged submission {sub_id} is not in the database as submitted")

    with_events = {row.source_submission_id for row in events.values() if row.source_submission_id}
    for row in events.values():
        if row.case_id not in cases:
            problems.append(f"partial: event {row.id} belongs to case {row.case_id}, which does not exist")
        if str(row.id) not in audited["event"]:
            problems.append(f"partial: event {row.id} (case {row.case_id}) has no 'created' audit entry")
    for row in submissions.values():
        if row.status == "submitted" and row.id not in with_events:
            problems.append(f"partial: submission {row.id} is submitted but has no events")
        if row.status == "submitted" and str(row.id) not in audited["submission"]:
            problems.append(f"partial: submission {row.id} has no 'created' audit entry")
    new_cases = [case_id for case_id in cases if case_id > before["cases"]]
    for case_id in new_cases:
        if str(case_id) not in audited["case"]:
            problems.append(f"partial: case {case_id} has no 'created' audit entry")

    unanswered = unanswered_writes(outcomes)
    unaccounted = len(set(events) - set(event_ids)) + len(set(new_cases) - set(case_ids))
    if unaccounted > unanswered:
        problems.append(f"{unaccounted} events or cases are stored that no answer accounts for, but only "
                        f"{unanswered} writes went unanswered: a write was saved twice")
    return problems


def unanswered_writes(outcomes: list[Outcome]) -> int:
    """Writes (by Idempotency-Key) whose fate the client never learnt: no HTTP answer, or
    only 409 "still being answered" (the key held by the request the kill cut off)."""
    answered, keys = set(), set()
    for o in outcomes:
        if o.key:
            keys.add(o.key)
            if o.status is not None and not (o.status == 409 and "still being answered" in str(o.answer)):
                answered.add(o.key)
    return len(keys - answered)


def settle(base: str, outcomes: list[Outcome], start: float, within: float) -> int:
    """Send every write whose fate is unknown again, with its key, until it is answered
    (the service takes a dead request's claim over after a while) or `within` seconds pass.
    Returns how many are still unknown."""
    deadline = time.monotonic() + within
    while unanswered_writes(outcomes) and time.monotonic() < deadline:
        answered = {o.key for o in outcomes if o.key and o.status is not None and o.status != 409}
        pending = {o.key: o for o in outcomes if o.key and o.key not in answered and o.path}
        for key, first in pending.items():
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {first.token}"  # keys belong to their user
            outcome = call(session, "POST", base + first.path, start, first.kind, first.body, key, first.detail, True)
            outcome.path, outcome.body, outcome.token = first.path, first.body, first.token
            outcomes.append(outcome)
            print(f"  settling {first.kind} {first.detail}: {outcome.status or outcome.error} "
                  f"at {outcome.started:.0f} s")
        time.sleep(5)
    return unanswered_writes(outcomes)


def kill_related(o: Outcome, kill_at: float | None) -> bool:
    """A connection broken around the kill, or a retry of such a write that found the killed
    request's claim on its Idempotency-Key (409 "still being answered": nothing of it was
    saved, and the service takes the claim over once no request can still be running)."""
    if kill_at is None:
        return False
    if o.status is None:
        return KILL_WINDOW[0] <= o.started + o.seconds - kill_at <= KILL_WINDOW[1]
    return o.retry and o.status == 409 and "still being answered" in str(o.answer)


def report(outcomes: list[Outcome], kill_at: float | None, seconds: float, backend: str, args) -> list[str]:
    """Prints the run's numbers; returns what went wrong with the requests themselves."""
    problems = []
    print(f"\n{backend}; gunicorn {args.workers} sync workers (hearth.web.gunicorn_conf); {args.clients} clients "
          f"for {seconds:.0f} s; a worker killed with SIGKILL at {kill_at:.1f} s" if kill_at is not None else
          f"\n{backend}; no worker was killed")
    print(f"\n{'request':<14} {'sent':>7} {'2xx':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, _weight in MIX:
        mine = [o for o in outcomes if o.kind == kind]
        ok = [o.seconds for o in mine if o.status is not None and o.status < 300]
        print(f"{kind:<14} {len(mine):7d} {len(ok):7d} {pct(ok, 50):8.1f} {pct(ok, 95):8.1f} "
              f"{max(ok) * 1000 if ok else float('nan'):8.1f}")
    ok = [o.seconds for o in outcomes if o.status is not None and o.status < 300]
    print(f"{'all':<14} {len(outcomes):7d} {len(ok):7d} {pct(ok, 50):8.1f} {pct(ok, 95):8.1f} "
          f"{max(ok) * 1000 if ok else float('nan'):8.1f}   ({len(outcomes) / seconds:.1f} requests/s)")

    near_kill, elsewhere = Counter(), Counter()
    for o in outcomes:
        if o.error is None:
            continue
        if kill_related(o, kill_at):
            near_kill[o.error] += 1
        else:
            elsewhere[o.error] += 1
    print(f"\nerrors around the kill (connections broken within {KILL_WINDOW[0]:+.0f}..{KILL_WINDOW[1]:+.0f} s, "
          f"expected): {sum(near_kill.values())} {dict(near_kill) or ''}")
    print(f"other errors: {sum(elsewhere.values())} {dict(elsewhere) or ''}")
    retried = [o for o in outcomes if o.retry]
    keys = {o.key for o in retried}
    print(f"writes sent again with their key after a broken connection: {len(keys)}, in {len(retried)} attempts "
          f"({len({o.key for o in retried if o.status is not None and o.status < 300})} acknowledged in the end; "
          f"answers {dict(Counter(o.status or o.error for o in retried))}); "
          f"writes whose fate the client never learnt: {unanswered_writes(outcomes)}")
    for o in [o for o in outcomes if o.error and not kill_related(o, kill_at)][:10]:
        print(f"  {o.kind} at {o.started:.1f} s {o.detail} key={o.key}: {o.error} {o.answer or ''}")
    if elsewhere:
        problems.append(f"{sum(elsewhere.values())} requests failed outside the kill: {dict(elsewhere)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="how long the clients run (default 60)")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--kill-at", type=float, help="seconds into the run to kill a worker (default: half-way)")
    ap.add_argument("--no-kill", action="store_true", help="kill no worker")
    ap.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    ap.add_argument("--settle", type=float, default=0, metavar="SECONDS",
                    help="after the run, resend writes whose fate is unknown (same key) for up to this long; "
                         "150 outlasts the service's hold on a killed request's key")
    args = ap.parse_args(argv)
    kill_at = None if args.no_kill else (args.kill_at if args.kill_at is not None else args.seconds / 2)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped from outside: still clean up
    tmp = Path(tempfile.mkdtemp(prefix="hearth-bench-load-"))
    server: Gunicorn | None = None
    admin, database = None, None
    try:
        if args.sqlite:
            url, backend = f"sqlite:///{tmp / 'hearth.db'}", "SQLite"
        else:
            admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            database = f"hearth_bench_{secrets.token_hex(6)}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{database}"'))
                version = conn.execute(text("SHOW server_version")).scalar()
            url, backend = PG_URL.rsplit("/", 1)[0] + f"/{database}", f"PostgreSQL {version}"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HEARTH_ENV", "GUNICORN_CMD_ARGS")}
        env.update(HEARTH_ENV="development", HEARTH_INSTANCE=str(tmp / "instance"),
                   DATABASE_URL=url, SECRET_KEY="bench-" + "x" * 40,
                   # the limiter runs (its cost is part of the load) but never refuses here
                   HEARTH_API_RATE_LIMIT="1000000 per minute",
                   HEARTH_POLICIES=os.environ.get("HEARTH_POLICIES", str(REPO / "policies")))
        hearth("db", "upgrade", env=env)
        hearth("db", "seed-demo", env=env)

        engine = create_engine(url)
        with engine.connect() as db:
            users = db.execute(text("SELECT email, council_id FROM users WHERE role IN ('worker', 'manager') "
                                    "ORDER BY council_id, email")).all()
            cases, placements = defaultdict(list), defaultdict(set)
            for row in db.execute(text("SELECT id, council_id, placement_type FROM cases WHERE status = 'open'")):
                cases[row.council_id].append(row.id)
                placements[row.council_id].add(row.placement_type)
            before = {table: db.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar()
                      for table in ("events", "cases", "submissions", "audit_entries")}
        engine.dispose()
        tokens = [(hearth("token", "create", "--user", email, env=env).strip(), council) for email, council in users]
        shared = Shared(cases=dict(cases), placements={c: sorted(p) for c, p in placements.items()})

        server = Gunicorn(free_port(), args.workers, env, tmp / "gunicorn.log")
        server.wait_ready(args.workers)
        run = secrets.token_hex(3)
        start = time.monotonic()
        stop_at = start + args.seconds
        threads = []
        for number in range(args.clients):
            token, council = tokens[number % len(tokens)]
            threads.append(threading.Thread(target=client_loop, daemon=True, args=(
                number, server.base, token, council, shared, run, start, stop_at)))
        for t in threads:
            t.start()
        killed = victim = None
        if kill_at is not None:
            time.sleep(max(0.0, start + kill_at - time.monotonic()))
            victim = random.choice(server.workers())
            os.kill(victim, signal.SIGKILL)
            killed = time.monotonic() - start
            print(f"killed worker {victim} with SIGKILL at {killed:.1f} s")
        for t in threads:
            t.join(args.seconds + 180)
        elapsed = time.monotonic() - start
        if args.settle and unanswered_writes(shared.outcomes):
            print(f"{unanswered_writes(shared.outcomes)} writes' fate unknown: sending them again "
                  f"with their keys for up to {args.settle:g} s")
            settle(server.base, shared.outcomes, start, args.settle)
        respawned = len(server.workers())
        server.stop()
        log = server.log_path.read_text(errors="replace")

        problems = report(shared.outcomes, killed, elapsed, backend, args)
        if respawned != args.workers:
            problems.append(f"the master had {respawned} workers at the end, not {args.workers}")
        stored = check_database(url, shared.outcomes, before)
        acknowledged = sum(1 for o in shared.outcomes if o.kind in WRITES and o.status and o.status < 300)
        print(f"\nacknowledged writes: {acknowledged}; all present in the database, none partial: "
              f"{'yes' if not stored else 'NO'}")
        problems += stored
        expected = f"Worker (pid:{victim}) was sent SIGKILL" if kill_at is not None else None
        tracebacks = [line for line in log.splitlines()
                      if ("Traceback" in line or "[ERROR]" in line) and not (expected and expected in line)]
        if tracebacks:
            problems.append(f"the server logged {len(tracebacks)} errors; see below")
        if problems:
            print("\nFAIL")
            for p in problems[:40]:
                print(f"  - {p}")
            if tracebacks:
                print("--- gunicorn log (errors)\n" + "\n".join(tracebacks[:20]))
                print("--- gunicorn log (last lines)\n" + server.log_tail(60))
            return 1
        print("\nPASS: every acknowledged write is stored as answered, no partial record, "
              "and the only failed requests were connections the kill broke")
        return 0
    finally:
        if server is not None:
            server.stop()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
