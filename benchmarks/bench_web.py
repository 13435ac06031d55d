"""How near the floor does Hearth serve its pages? gunicorn on PostgreSQL, a separate load client.

Serves Hearth (gunicorn, 4 sync workers, the product's gunicorn settings) over a new
PostgreSQL database (created at 127.0.0.1:5432 as user postgres, HEARTH_BENCH_PG_URL to
change, dropped at the end) with the policies imported and the demo data, and beside it a
hello-world Flask app under the same gunicorn settings. The load comes from a client in its
own process (threads, one keep-alive session each), never from the process that watches
the servers. Pages measured, interleaved in rounds (each round every page, the order
turned by one each round), so that a noisy neighbour hits them all alike:

  floor        GET /bench/floor: signed in, audited, a one-line template through the same
               layout (benchmarks/floor_app.py; served only here, never by the product)
  hello        GET / of a bare Flask app
  case         GET /cases/<id>
  form         GET /cases/<id>/forms/<form>: the largest generated form of any council
  dashboard    GET /
  evaluate     POST /api/v1/councils/<council>/evaluate with the case's own document

For each: requests per second, p50 and p95 latency, and the server's CPU per request
(psutil: user + system time of gunicorn's master and workers over the page's requests),
then each page's p95 against the floor's (target: no more than 3x) and against hello
world. Then memory: the workers' resident size after the rounds (their warm-up) and after
--memory-requests more requests spread over the app's pages (target: no more than x1.05);
workers are not recycled during the run (--max-requests 0), so growth cannot hide.

    python benchmarks/bench_web.py                          # 4 rounds of 100 per page; 3,000 for memory (~5 min)
    python benchmarks/bench_web.py --memory-requests 100000 # the issue's 100,000 (make bench; ~20 minutes here at ~90/s)
    python benchmarks/bench_web.py --quick                  # 2 rounds of 60; 1,000 for memory
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import psutil
import requests
from sqlalchemy import create_engine, text

from hearth.engine.forms_catalog import load_forms
from hearth.web.seed import DEMO_PASSWORD

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
PG_URL = os.environ.get("HEARTH_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CONFIG = "python:hearth.web.gunicorn_conf"
HELLO_APP = '''
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world!"
'''
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|type="hidden" name="csrf_token" value="([^"]+)"')
P95_TARGET = 3.0
MEMORY_TARGET = 1.05
GATED = ("case", "form")   # the pages the p95 target is set for


# --------------------------------------------------------------------------- the load client
@dataclass
class Job:
    """Send `requests` requests of one page, `clients` at a time, each client its own session."""
    page: str
    method: str
    url: str
    requests: int
    clients: int
    cookies: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    body: str | None = None


@dataclass
class Outcome:
    page: str
    latencies: list[float]
    errors: list[str]
    seconds: float


def run_job(job: Job, sessions: dict) -> Outcome:
    key = (job.page, job.clients)
    if key not in sessions:
        made = []
        for _ in range(job.clients):
            session = requests.Session()
            session.cookies.update(job.cookies)
            session.headers.update(job.headers)
            made.append(session)
        sessions[key] = made
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    left = [job.requests]

    def client(session: requests.Session) -> None:
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            started = time.perf_counter()
            try:
                response = session.request(job.method, job.url, data=job.body, timeout=60, allow_redirects=False)
                problem = None if response.status_code == 200 else f"{response.status_code}"
            except requests.RequestException as error:
                problem = type(error).__name__
            took = time.perf_counter() - started
            with lock:
                if problem is None:
                    latencies.append(took)
                else:
                    errors.append(problem)

    threads = [threading.Thread(target=client, args=(session,), daemon=True) for session in sessions[key]]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Outcome(job.page, latencies, errors, time.perf_counter() - started)


def client_process(jobs, outcomes) -> None:
    """The load client's own process: runs jobs until it is sent None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    sessions: dict = {}
    while (job := jobs.get()) is not None:
        outcomes.put(run_job(job, sessions))


class Client:
    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self.jobs, self.outcomes = context.Queue(), context.Queue()
        self.process = context.Process(target=client_process, args=(self.jobs, self.outcomes), daemon=True)
        self.process.start()

    def run(self, job: Job) -> Outcome:
        self.jobs.put(job)
        return self.outcomes.get(timeout=600)

    def stop(self) -> None:
        if self.process.is_alive():
            self.jobs.put(None)
            self.process.join(10)
        if self.process.is_alive():
            self.process.kill()


# --------------------------------------------------------------------------- the servers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn (the product's settings) in its own process group, stopped (the whole group) on exit."""

    def __init__(self, app: str, workers: int, env: dict, pythonpath: Path, log: Path):
        self.port = free_port()
        self.workers = workers
        self.log_path = log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", CONFIG, "--workers", str(workers), "--max-requests", "0",
                 "--bind", f"127.0.0.1:{self.port}", "--pythonpath", str(pythonpath), app],
                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.master = psutil.Process(self.proc.pid)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(self.base + path, timeout=5).status_code < 500 and \
                        len(self.worker_processes()) == self.workers:
                    return
            except requests.RequestException:  # not listening yet, or still booting its workers
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f}s:\n{self.log_tail()}")

    def worker_processes(self) -> list[psutil.Process]:
        return self.master.children(recursive=True)

    def cpu_seconds(self) -> float:
        """User and system CPU of the master and its workers so far."""
        total = 0.0
        for process in [self.master, *self.worker_processes()]:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def resident(self) -> dict[int, int]:
        """Each worker's resident memory, by pid."""
        return {process.pid: process.memory_info().rss for process in self.worker_processes()}

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # our own group: gunicorn and its workers
                self.proc.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # anything left in the group
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)


# --------------------------------------------------------------------------- setting up
def hearth(*args: str, env: dict) -> str:
    out = subprocess.run([sys.executable, "-c", "from hearth.web.cli import main; main()", *args],
                         env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
    if out.returncode:
        raise RuntimeError(f"hearth {' '.join(args)} failed:\n{out.stderr}")
    return out.stdout


def sign_in(base: str, email: str) -> dict:
    """A signed-in session's cookies, for the load client."""
    session = requests.Session()
    found = CSRF.search(session.get(base + "/login", timeout=30).text)
    if not found:
        raise RuntimeError("no CSRF token on the sign-in page")
    answer = session.post(base + "/login", data={"email": email, "password": DEMO_PASSWORD,
                                                 "csrf_token": found.group(1) or found.group(2)},
                          allow_redirects=False, timeout=30)
    if answer.status_code != 302:
        raise RuntimeError(f"signing in as {email} answered {answer.status_code}")
    return session.cookies.get_dict()


def largest_form(councils: list[str]) -> tuple[str, str, int]:
    """(council, form id, questions) of the largest generated form of any council (rows' questions counted)."""
    def size(defn) -> int:
        return sum(1 + len(f.fields) for f in defn.all_fields())
    found = [(size(defn), council, defn.id) for council in councils for defn in load_forms(council).forms.values()]
    questions, council, form_id = max(found)
    return council, form_id, questions


def case_document(base: str, token: str, case_id: int) -> str:
    """The case as the evaluation contract writes it, from the API's own view of it."""
    detail = requests.get(f"{base}/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer {token}"},
                          timeout=60).json()
    case = detail["case"]
    events = [{"type": event["type"], "on": event["on"], **event["fields"]}
              for event in detail["events"] if not event.get("withdrawn_at")]
    return json.dumps({"child": case["child"], "placement": case["placement"], "events": events})


# --------------------------------------------------------------------------- measuring
@dataclass
class Tally:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu: float = 0.0

    def add(self, outcome: Outcome, cpu: float) -> None:
        self.latencies += outcome.latencies
        self.errors += outcome.errors
        self.seconds += outcome.seconds
        self.cpu += cpu

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else float("nan")

    def pct(self, p: int) -> float:
        if not self.latencies:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000

    @property
    def cpu_ms(self) -> float:
        done = len(self.latencies) + len(self.errors)
        return self.cpu / done * 1000 if done else float("nan")


def measured(client: Client, server: Server, job: Job) -> tuple[Outcome, float]:
    before = server.cpu_seconds()
    outcome = client.run(job)
    return outcome, server.cpu_seconds() - before


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=8, help="concurrent requests (default 8)")
    ap.add_argument("--workers", type=int, default=4, help="gunicorn workers per server (default 4)")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--per-round", type=int, default=100, help="requests per page per round")
    ap.add_argument("--memory-requests", type=int, default=3000,
                    help="requests between the two memory readings (the issue's figure: 100000)")
    ap.add_argument("--quick", action="store_true", help="2 rounds of 60 requests; 1,000 for memory")
    ap.add_argument("--no-form-memory", action="store_true",
                    help="the forms draw every component every time (hearth.forms.drawn off): the page as before")
    args = ap.parse_args(argv)
    if args.quick:
        args.rounds, args.per_round, args.memory_requests = 2, 60, 1000

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped from outside: still clean up
    tmp = Path(tempfile.mkdtemp(prefix="hearth-bench-web-"))
    servers: list[Server] = []
    client: Client | None = None
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    database = f"hearth_bench_web_{secrets.token_hex(6)}"
    created = False
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
            created = True
            pg_version = conn.execute(text("SHOW server_version")).scalar()
        url = PG_URL.rsplit("/", 1)[0] + f"/{database}"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HEARTH_ENV", "GUNICORN_CMD_ARGS")}
        env.update(HEARTH_ENV="development", HEARTH_INSTANCE=str(tmp / "instance"), HEARTH_PROXIES="0",
                   DATABASE_URL=url, SECRET_KEY="bench-" + "x" * 40,
                   # the API's rate limit still runs (its cost is measured) but never refuses here
                   HEARTH_API_RATE_LIMIT="1000000 per minute",
                   HEARTH_POLICIES=os.environ.get("HEARTH_POLICIES", str(REPO / "policies")),
                   HEARTH_BENCH_FORM_MEMORY="0" if args.no_form_memory else "1")
        hearth("db", "upgrade", env=env)
        hearth("policy", "import", env=env)
        hearth("db", "seed-demo", env=env)
        engine = create_engine(url)
        with engine.connect() as db:
            councils = [row[0] for row in db.execute(text("SELECT DISTINCT council_id FROM users "
                                                          "WHERE council_id IS NOT NULL ORDER BY 1"))]
            council, form_id, questions = largest_form(councils)
            email = db.execute(text("SELECT email FROM users WHERE role = 'worker' AND council_id = :c "
                                    "ORDER BY email LIMIT 1"), {"c": council}).scalar()
            case_id = db.execute(text("SELECT id FROM cases WHERE council_id = :c AND status = 'open' "
                                      "ORDER BY id LIMIT 1"), {"c": council}).scalar()
        engine.dispose()
        token = hearth("token", "create", "--user", email, env=env).strip()
        (tmp / "hello_app.py").write_text(HELLO_APP)

        app = Server("floor_app:app", args.workers, env, HERE, tmp / "hearth.log")
        servers.append(app)
        hello = Server("hello_app:app", args.workers, env, tmp, tmp / "hello.log")
        servers.append(hello)
        app.wait_ready("/healthz")
        hello.wait_ready("/")
        cookies = sign_in(app.base, email)
        bearer = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        document = case_document(app.base, token, case_id)

        def job(page: str, count: int) -> Job:
            return {
                "floor": Job("floor", "GET", f"{app.base}/bench/floor", count, args.clients, cookies),
                "hello": Job("hello", "GET", f"{hello.base}/", count, args.clients),
                "case": Job("case", "GET", f"{app.base}/cases/{case_id}", count, args.clients, cookies),
                "form": Job("form", "GET", f"{app.base}/cases/{case_id}/forms/{form_id}", count, args.clients,
                            cookies),
                "dashboard": Job("dashboard", "GET", f"{app.base}/", count, args.clients, cookies),
                "evaluate": Job("evaluate", "POST", f"{app.base}/api/v1/councils/{council}/evaluate", count,
                                args.clients, headers=bearer, body=document),
            }[page]

        pages = ["floor", "hello", "case", "form", "dashboard", "evaluate"]
        described = {"floor": "floor /bench/floor", "hello": "hello world (bare Flask)",
                     "case": f"case page /cases/{case_id}", "form": f"form {council}/{form_id} ({questions} q.)",
                     "dashboard": "dashboard /", "evaluate": f"API POST /councils/{council}/evaluate"}
        server_of = {page: hello if page == "hello" else app for page in pages}
        cpu = psutil.cpu_freq()
        print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.node()}: {platform.machine()}, "
              f"{os.cpu_count()} cores{f' at {cpu.current:.0f} MHz' if cpu else ''}, "
              f"{psutil.virtual_memory().total / 2**30:.1f} GiB, load {os.getloadavg()[0]:.1f}; "
              f"Python {platform.python_version()}, PostgreSQL {pg_version}")
        print(f"gunicorn: {args.workers} sync workers per server (the product's settings, no recycling); "
              f"a load client in its own process, {args.clients} at a time, on the same machine; "
              f"{args.rounds} rounds of {args.per_round} requests per page, interleaved"
              + ("; the forms' component memory OFF" if args.no_form_memory else ""))

        client = Client()
        for page in pages:  # warm each worker, its caches and connections (not counted)
            outcome, _ = measured(client, server_of[page], job(page, 4 * args.workers))
            if outcome.errors:
                raise RuntimeError(f"{described[page]} answered {outcome.errors[:5]}:\n{app.log_tail()}")
        tallies = {page: Tally(described[page]) for page in pages}
        for round_ in range(args.rounds):
            for page in pages[round_ % len(pages):] + pages[:round_ % len(pages)]:
                outcome, cpu_used = measured(client, server_of[page], job(page, args.per_round))
                tallies[page].add(outcome, cpu_used)

        floor, bare = tallies["floor"], tallies["hello"]
        print(f"\n{'page':<48} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'CPU ms/req':>10} {'errors':>6} "
              f"{'p95/floor':>9} {'p95/hello':>9} {'rps/hello':>9}")
        for page in pages:
            t = tallies[page]
            target = f"  (target <= {P95_TARGET:g}: {'met' if t.pct(95) / floor.pct(95) <= P95_TARGET else 'MISSED'})" \
                if page in GATED else ""
            print(f"{t.name:<48} {t.rps:7.1f} {t.pct(50):7.1f} {t.pct(95):7.1f} {t.cpu_ms:10.2f} {len(t.errors):6d} "
                  f"{t.pct(95) / floor.pct(95):9.2f} {t.pct(95) / bare.pct(95):9.1f} {t.rps / bare.rps:9.3f}{target}")

        # Memory: the workers after the rounds (warm), then after many more requests.
        app_pages = [page for page in pages if page != "hello"]
        before = app.resident()
        sent, chunk, memory_errors = 0, 250, []
        started = time.perf_counter()
        while sent < args.memory_requests:
            page = app_pages[(sent // chunk) % len(app_pages)]
            outcome = client.run(job(page, min(chunk, args.memory_requests - sent)))
            memory_errors += outcome.errors
            sent += min(chunk, args.memory_requests - sent)
        after = app.resident()
        same = sorted(set(before) & set(after))
        start_mib, end_mib = (sum(reading[pid] for pid in same) / 2**20 for reading in (before, after))
        ratio = end_mib / start_mib if same else float("nan")
        worst = max((after[pid] / before[pid] for pid in same), default=float("nan"))
        replaced = "" if len(same) == len(before) == len(after) else f"; {len(before) - len(same)} workers replaced"
        print(f"\nmemory over {sent:,} more requests ({time.perf_counter() - started:.0f} s, the app's pages "
              f"in turn): workers {start_mib:.0f} MiB -> {end_mib:.0f} MiB, x{ratio:.3f} (worst worker "
              f"x{worst:.3f}); target x{MEMORY_TARGET:g}: {'met' if worst <= MEMORY_TARGET else 'MISSED'}{replaced}")

        failed = [t.name for t in tallies.values() if t.errors or not t.latencies]
        if failed or memory_errors:
            print(f"\nFAILED: requests went wrong for {', '.join(failed) or 'the memory run'}: "
                  f"{[e for t in tallies.values() for e in t.errors][:10] or memory_errors[:10]}")
            print(f"--- gunicorn log (last lines)\n{app.log_tail(40)}")
            return 1
        return 0
    finally:
        if client is not None:
            client.stop()
        for server in servers:
            server.stop()
        if created:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
