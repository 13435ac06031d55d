"""How fast does Hearth serve its pages under gunicorn, beside a hello-world Flask app?

Starts gunicorn on 127.0.0.1 (a free port) with a temporary SQLite database seeded
with the demo data, signs in a demo worker once per client, and measures requests
per second and latency (median, p95) for:

  - the case page          GET /cases/<id>
  - a generated form page  GET /cases/<id>/forms/<form>  (the council's longest form, built from YAML)
  - the dashboard          GET /           (every open case with its next deadline)
  - the API case           GET /api/v1/cases/<id>  (case, events and live evaluation; bearer token)

then a hello-world Flask route served by gunicorn with the same settings on another
port, in the same run, and prints each page's ratio to it. Clients are threads with
their own requests.Session, on loopback only; each measurement stops after a fixed
number of requests or seconds, whichever comes first. Everything it starts is stopped,
and its files removed, however it ends.

    python benchmarks/bench_web.py                 # 8 clients, up to 10 s or 4000 requests per page
    python benchmarks/bench_web.py --quick         # up to 3 s or 600 requests per page
    python benchmarks/bench_web.py --clients 16 --workers 4
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from hearth.engine.forms_catalog import load_forms
from hearth.web.seed import DEMO_PASSWORD

REPO = Path(__file__).resolve().parents[1]
HELLO_APP = '''
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world!"
'''
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|type="hidden" name="csrf_token" value="([^"]+)"')


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One gunicorn in its own process group, stopped (the whole group) on exit."""

    def __init__(self, app: str, port: int, workers: int, env: dict, cwd: Path, log: Path):
        self.port = port
        self.log = open(log, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
             "--worker-class", "sync", "--log-level", "warning", app],
            cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn on port {self.port} exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if requests.get(self.base + path, timeout=5).status_code < 500:
                    return
            except requests.RequestException:  # not listening yet, or still booting its workers
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn on port {self.port} did not answer within {timeout:.0f}s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # our own group: gunicorn and its workers
                self.proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        self.log.close()


def hearth(*args: str, env: dict) -> str:
    out = subprocess.run([sys.executable, "-c", "from hearth.web.cli import main; main()", *args],
                         env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    if out.returncode:
        raise RuntimeError(f"hearth {' '.join(args)} failed:\n{out.stderr}")
    return out.stdout


def signed_in(base: str, email: str, password: str) -> requests.Session:
    s = requests.Session()
    html = s.get(base + "/login", timeout=10).text
    m = CSRF.search(html)
    if not m:
        raise RuntimeError("no CSRF token on the sign-in page")
    r = s.post(base + "/login", data={"email": email, "password": password, "csrf_token": m.group(1) or m.group(2)},
               allow_redirects=False, timeout=30)
    if r.status_code != 302:
        raise RuntimeError(f"signing in as {email} answered {r.status_code}")
    return s


def longest_form(council: str) -> str:
    """The id of the council's form with the most questions (rows of groups included)."""
    def size(defn) -> int:
        return sum(1 + len(f.fields) for f in defn.all_fields())
    return max(load_forms(council).forms.values(), key=size).id


def measure(name: str, url: str, sessions: list[requests.Session], max_requests: int, max_seconds: float,
            warmup: int = 20) -> Result:
    for s in sessions:  # warm each worker and connection
        for _ in range(max(1, warmup // len(sessions))):
            s.get(url, timeout=30)
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    issued = [0]
    deadline = time.perf_counter() + max_seconds

    def client(s: requests.Session) -> None:
        while True:
            with lock:
                if issued[0] >= max_requests or time.perf_counter() >= deadline:
                    return
                issued[0] += 1
            t0 = time.perf_counter()
            try:
                r = s.get(url, timeout=30, allow_redirects=False)
                ok = r.status_code == 200
            except requests.RequestException:
                ok = False
            took = time.perf_counter() - t0
            with lock:
                if ok:
                    latencies.append(took)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=client, args=(s,), daemon=True) for s in sessions]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max_seconds + 60)
    elapsed = time.perf_counter() - start
    return Result(name, len(latencies), errors[0], elapsed, latencies)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--workers", type=int, default=max(2, min(4, (os.cpu_count() or 2) * 2)))
    ap.add_argument("--seconds", type=float, default=10.0, help="at most this long per page")
    ap.add_argument("--requests", type=int, default=4000, help="at most this many requests per page")
    ap.add_argument("--quick", action="store_true", help="3 s or 600 requests per page")
    args = ap.parse_args(argv)
    if args.quick:
        args.seconds, args.requests = 3.0, 600

    # Stopped from outside (make, CI): still stop the servers and remove the files.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="hearth-bench-web-"))
    servers: list[Server] = []
    try:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HEARTH_ENV")}
        env.update(HEARTH_ENV="development", HEARTH_INSTANCE=str(tmp / "instance"), HEARTH_PROXIES="0",
                   DATABASE_URL=f"sqlite:///{tmp / 'hearth.db'}", SECRET_KEY="bench-" + "x" * 40,
                   # the API's rate limit still runs (its cost is measured) but never refuses here
                   HEARTH_API_RATE_LIMIT="1000000 per minute",
                   HEARTH_POLICIES=os.environ.get("HEARTH_POLICIES", str(REPO / "policies")))
        hearth("db", "upgrade", env=env)
        hearth("db", "seed-demo", env=env)
        with sqlite3.connect(tmp / "hearth.db") as db:
            email, council = db.execute("SELECT email, council_id FROM users WHERE role = 'worker' "
                                        "ORDER BY council_id LIMIT 1").fetchone()
            case_id = db.execute("SELECT id FROM cases WHERE council_id = ? ORDER BY id LIMIT 1", (council,)).fetchone()[0]
        token = hearth("token", "create", "--user", email, env=env).strip()
        form_id = longest_form(council)
        (tmp / "hello_app.py").write_text(HELLO_APP)

        app_server = Server("hearth.web.wsgi:app", free_port(), args.workers, env, REPO, tmp / "hearth.log")
        servers.append(app_server)
        hello_server = Server("hello_app:app", free_port(), args.workers, env, tmp, tmp / "hello.log")
        servers.append(hello_server)
        app_server.wait_ready("/healthz")
        hello_server.wait_ready("/")

        sessions = [signed_in(app_server.base, email, DEMO_PASSWORD) for _ in range(args.clients)]
        api_sessions = []
        for _ in range(args.clients):
            s = requests.Session()
            s.headers["Authorization"] = f"Bearer {token}"
            api_sessions.append(s)
        probe = api_sessions[0].get(f"{app_server.base}/api/v1/cases/{case_id}", timeout=30).json()
        evaluated = probe.get("evaluation") is not None
        hello_sessions = [requests.Session() for _ in range(args.clients)]

        print(f"gunicorn: {args.workers} sync workers each; {args.clients} concurrent clients on loopback; "
              f"up to {args.seconds:g} s or {args.requests} requests per page; SQLite; Python {sys.version.split()[0]}")
        results = [
            measure(f"case page /cases/{case_id}", f"{app_server.base}/cases/{case_id}", sessions,
                    args.requests, args.seconds),
            measure(f"form page /cases/{case_id}/forms/{form_id}", f"{app_server.base}/cases/{case_id}/forms/{form_id}",
                    sessions, args.requests, args.seconds),
            measure("dashboard /", f"{app_server.base}/", sessions, args.requests, args.seconds),
            measure(f"API /api/v1/cases/{case_id}" + ("" if evaluated else " (no evaluation: policy has no versions)"),
                    f"{app_server.base}/api/v1/cases/{case_id}", api_sessions, args.requests, args.seconds),
        ]
        hello = measure("hello world (Flask)", f"{hello_server.base}/", hello_sessions, args.requests, args.seconds)

        print(f"\n{'page':<58} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6} {'rps/hello':>10} {'p95/hello':>10}")
        for r in [*results, hello]:
            print(f"{r.name:<58} {r.rps:8.1f} {r.pct(50):8.1f} {r.pct(95):8.1f} {r.errors:6d} "
                  f"{r.rps / hello.rps if hello.rps else float('nan'):10.3f} "
                  f"{r.pct(95) / hello.pct(95) if hello.latencies else float('nan'):10.1f}")
        failed = [r.name for r in [*results, hello] if r.errors or not r.requests]
        if failed:
            print(f"\nFAILED: requests went wrong for {', '.join(failed)}")
            for log in sorted(tmp.glob("*.log")):
                print(f"--- {log.name} (last lines)\n" + "\n".join(log.read_text(errors="replace").splitlines()[-20:]))
            return 1
        return 0
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
