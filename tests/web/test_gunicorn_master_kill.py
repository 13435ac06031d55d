"""Finding 10 of issue 8: after `kill -9` of gunicorn's master, its orphaned workers went
on serving for 33 s and a new master could not bind the port.

With hearth.web.gunicorn_conf each worker asks the kernel for SIGTERM when its master
dies, and releases the port at once. This test serves the real app (SQLite in a
temporary folder) under gunicorn with that configuration, kills the master with
SIGKILL, and shows within a few seconds that every worker has gone, that the port can
be bound, and that a second gunicorn on the same port answers /healthz.
Each gunicorn runs in its own process group, which is killed whatever happens.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "python:hearth.web.gunicorn_conf"
WORKERS = 2
GONE_WITHIN = 5.0  # seconds from the master's death to every worker gone and the port free

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the parent-death signal (prctl) is Linux's")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> list[int]:
    """The live children of `pid`, from /proc (gunicorn's workers of a master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and alive(int(entry.name)):
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # it ended while we looked
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running, not ended and not a zombie waiting for whoever adopted it to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def can_bind(port: int) -> bool:
    """Could a new gunicorn bind the port? (gunicorn sets SO_REUSEADDR, so do we.)"""
    with socket.socket() as trial:
        trial.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            trial.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.fixture
def environment(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HEARTH_ENV", "GUNICORN_CMD_ARGS")}
    env.update(HEARTH_ENV="development", SECRET_KEY="master-kill-test-" + "x" * 32,
               HEARTH_INSTANCE=str(tmp_path / "instance"), DATABASE_URL=f"sqlite:///{tmp_path / 'hearth.db'}",
               HEARTH_POLICIES=os.environ.get("HEARTH_POLICIES", str(ROOT / "policies")))
    subprocess.run([sys.executable, "-c", "from hearth.web.cli import main; main()", "db", "upgrade"],
                   env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)
    return env


@pytest.fixture
def servers(tmp_path, environment):
    """Starts gunicorn with the config module; every process group it started is killed after."""
    started: list[subprocess.Popen] = []

    def start(port: int, name: str) -> subprocess.Popen:
        log = open(tmp_path / f"{name}.log", "wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", CONFIG, "--workers", str(WORKERS),
             "--bind", f"127.0.0.1:{port}", "hearth.web.wsgi:app"],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        started.append(proc)
        return proc

    yield start
    for proc in started:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the group outlives its master: orphans included
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def wait_healthy(port: int, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"gunicorn exited with {proc.returncode}:\n{log.read_text(errors='replace')}"
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet
            pass
        time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer /healthz within {timeout:.0f}s:\n{log.read_text(errors='replace')}")


def wait_workers(master: int, count: int, timeout: float = 30) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = children(master)
        if len(workers) == count:
            return workers
        time.sleep(0.1)
    raise AssertionError(f"gunicorn's master {master} did not start {count} workers")


def test_killing_the_master_frees_the_port_for_a_new_master(servers, tmp_path):
    port = free_port()
    first = servers(port, "first")
    wait_healthy(port, first, tmp_path / "first.log")
    workers = wait_workers(first.pid, WORKERS)
    for _ in range(2 * WORKERS):  # the workers are serving, not still booting
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200

    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed = time.monotonic()
    deadline = killed + GONE_WITHIN
    while time.monotonic() < deadline and (any(map(alive, workers)) or not can_bind(port)):
        time.sleep(0.05)
    took = time.monotonic() - killed
    left = [pid for pid in workers if alive(pid)]
    assert not left, f"workers {left} still running {took:.1f}s after their master was killed"
    assert can_bind(port), f"port {port} still taken {took:.1f}s after the master was killed"

    second = servers(port, "second")
    wait_healthy(port, second, tmp_path / "second.log")
    log = (tmp_path / "first.log").read_text(errors="replace")
    assert "its master" in log and "has gone" in log, log
    assert "Traceback" not in log, log


SLOW_APP = '''import time


def app(environ, start_response):
    time.sleep(float(environ.get("QUERY_STRING") or 0))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"finished"]
'''


def test_a_request_under_way_is_finished_while_the_port_is_already_free(tmp_path, environment):
    """The worker frees the port at once but answers the request in hand (a slow WSGI app
    stands in for a long evaluation): the client gets its answer, a new master can bind."""
    (tmp_path / "slow_app.py").write_text(SLOW_APP)
    port = free_port()
    log = tmp_path / "slow.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", CONFIG, "--workers", "1", "--bind", f"127.0.0.1:{port}",
             "slow_app:app"], cwd=tmp_path, env=environment, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert requests.get(f"http://127.0.0.1:{port}/?0", timeout=5).text == "finished"
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.1)
        with ThreadPoolExecutor(1) as pool:
            answer = pool.submit(requests.get, f"http://127.0.0.1:{port}/?3", timeout=15)
            time.sleep(0.5)  # the request is being served
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            killed = time.monotonic()
            while not can_bind(port) and time.monotonic() < killed + 1.0:
                time.sleep(0.02)
            assert can_bind(port), "the port was not freed while the request was under way"
            assert not answer.done(), "the request should still be running when the port is free"
            assert answer.result().text == "finished"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)
