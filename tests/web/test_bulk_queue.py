"""`hearth evaluate --cases ... --queue` (hearth.web.bulk_queue): the cohort's chunks go to the
job queue on Redis, two real `hearth worker` processes share them, and the command writes the
very lines this machine's processes write, in the cases' order; a worker with other policy
files refuses its chunks; the queue's options are refused where they make no sense.

Redis: HEARTH_TEST_REDIS_URL (default 127.0.0.1:6379, db 0), a queue of this test's own whose
keys are removed after; skipped without Redis, except under CI (CI=true)."""
from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import redis
from rq import Queue, Worker

import cli_support
from bulk_support import COUNCIL, ON, write_cohort
from councils import needs_council, session_root
from web_support import REDIS_URL, redis_or_skip

from hearth.engine import api, bulk
from hearth.web import bulk_queue, jobs

HEARTH = Path(sys.executable).parent / "hearth"
COHORT = 200
CHUNK_CASES = 20           # ten chunks, so both workers have some
WAIT_SECONDS = 60


@pytest.fixture
def queue_name():
    """A queue of this test's own on the test Redis; every key RQ made for it removed after."""
    connection = redis_or_skip("Bulk evaluation on the queue", timeout=5)
    name = f"hearth-bulk-test-{secrets.token_hex(6)}"
    yield name
    job_ids = [key.decode().removeprefix("rq:job:") for key in connection.scan_iter(match="rq:job:*")
               if connection.hget(key, "origin") == name.encode()]
    keys = [*connection.scan_iter(match=f"rq:*{name}*"),
            *(f"rq:{kind}:{job_id}" for job_id in job_ids for kind in ("job", "results"))]
    if keys:
        connection.delete(*keys)
    connection.srem("rq:queues", f"rq:queue:{name}")
    connection.close()


def settings(tmp_path: Path, queue_name: str) -> dict:
    return {"HEARTH_ENV": "testing", "HEARTH_INSTANCE": str(tmp_path / "instance"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'hearth.db'}", "HEARTH_REDIS_URL": REDIS_URL,
            "HEARTH_JOB_QUEUE": queue_name, "HEARTH_POLICIES": str(session_root())}


def start_workers(count: int, environment: dict, tmp_path: Path) -> list[tuple[subprocess.Popen, Path]]:
    started = []
    for number in range(count):
        log = tmp_path / f"worker-{number}.log"
        with log.open("w") as out:
            started.append((subprocess.Popen([str(HEARTH), "worker"], stdout=out, stderr=subprocess.STDOUT,
                                             env={**os.environ, **environment}), log))
    return started


def stop(workers: list[tuple[subprocess.Popen, Path]]) -> None:
    for process, _log in workers:
        process.terminate()
    for process, _log in workers:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_workers(count: int, queue_name: str) -> None:
    connection = redis.Redis.from_url(REDIS_URL)
    queue = Queue(queue_name, connection=connection)
    deadline = time.monotonic() + WAIT_SECONDS
    while Worker.count(queue=queue) < count:
        if time.monotonic() > deadline:
            pytest.fail(f"{count} workers did not start on {queue_name} within {WAIT_SECONDS}s")
        time.sleep(0.1)
    connection.close()


@needs_council(COUNCIL)
def test_two_workers_on_the_queue_write_what_this_machine_writes(tmp_path, queue_name, monkeypatch):
    monkeypatch.setattr(bulk_queue.QueueRunner, "chunk_cases", CHUNK_CASES)
    cohort = write_cohort(tmp_path / "cohort.jsonl", COHORT, seed=14)
    with cohort.open("a", encoding="utf-8") as out:
        out.write("{not a case\n")
    environment = settings(tmp_path, queue_name)
    workers = start_workers(2, environment, tmp_path)
    try:
        wait_for_workers(2, queue_name)
        queued = cli_support.hearth("evaluate", "--council", COUNCIL, "--cases", cohort, "--on", ON, "--queue",
                                    policies=session_root(), env=environment)
    finally:
        stop(workers)
    here = cli_support.hearth("evaluate", "--council", COUNCIL, "--cases", cohort, "--on", ON, "--workers", "1",
                              policies=session_root())
    assert queued.returncode == here.returncode == 1, queued.stderr
    assert "1 case could not be evaluated" in queued.stderr
    assert queued.stdout == here.stdout
    assert len(queued.stdout.splitlines()) == COHORT + 1
    for _process, log in workers:
        assert "Job OK" in log.read_text(), f"each worker evaluated some of the chunks ({log.name})"
    # each chunk is removed once read: its job, and its result (the answers), which RQ keeps apart
    chunks = {job_id for _process, log in workers
              for job_id in re.findall(r"bulk_queue\.evaluate_chunk for \S+ \(([0-9a-f-]{36})\)", log.read_text())}
    assert len(chunks) >= COHORT // bulk_queue.CHUNK_CASES
    connection = redis.Redis.from_url(REDIS_URL)
    assert not [job_id for job_id in chunks if connection.exists(f"rq:job:{job_id}", f"rq:results:{job_id}")]
    connection.close()


@needs_council(COUNCIL)
def test_a_worker_with_other_policy_files_refuses_the_chunk():
    day = date.fromisoformat(ON)
    version = api.policy_on(COUNCIL, day, session_root())
    items = [{"line": 1, "file": "cases.jsonl", "text": '{"child": {"ref": "C-1"}}'}]
    same = {"content_hash": version.policy_hash, "rules_hash": version.rules_hash}
    answers = bulk.evaluate_items(version, day, items)
    assert bulk_queue.evaluate_chunk(COUNCIL, ON, same, items) == {**answers, "answers": answers["answers"].decode()}
    with pytest.raises(jobs.JobError, match="are not the ones the command read"):
        bulk_queue.evaluate_chunk(COUNCIL, ON, {**same, "content_hash": "0" * 64}, items)


@needs_council(COUNCIL)
@pytest.mark.parametrize("options,needle", [
    (["--queue"], "--queue needs the job queue: set HEARTH_REDIS_URL"),
    (["--queue", "--workers", "2"], "with --queue the `hearth worker`s evaluate"),
])
def test_the_queue_options_that_cannot_work_are_refused(tmp_path, options, needle):
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"child": {"ref": "C-1"}}\n')
    result = cli_support.hearth("evaluate", "--council", COUNCIL, "--cases", cases, "--on", ON, *options,
                                policies=session_root(),
                                env={"HEARTH_ENV": "testing", "HEARTH_REDIS_URL": "",
                                     "HEARTH_INSTANCE": str(tmp_path / "instance"),
                                     "DATABASE_URL": f"sqlite:///{tmp_path / 'hearth.db'}"})
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    assert needle in result.stderr


def test_queue_goes_with_many_cases(tmp_path):
    result = cli_support.hearth("evaluate", "--council", COUNCIL, "--case", tmp_path / "case.yaml", "--queue",
                                policies=session_root())
    assert result.returncode == 2 and "--queue goes with --cases" in result.stderr
