"""The job queue (hearth.web.jobs): a real `hearth worker` on Redis runs a job, which reports
its progress and answers; without Redis the same record comes from a thread of this process;
a failing job is told in plain words; one council never reads another's job.

The Redis tests use the Redis at HEARTH_TEST_REDIS_URL (default 127.0.0.1:6379, db 0), each
on a queue of its own whose keys are removed after. Without a Redis they skip, saying why,
except under CI (CI=true), where a missing Redis is a failure."""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner

from hearth.web import jobs
from hearth.web.cli import build_cli

from web_support import REDIS_URL, make_app, redis_or_skip

HERE = Path(__file__).resolve().parent
HEARTH = Path(sys.executable).parent / "hearth"
SUPPORT = "jobs_support"
WAIT_SECONDS = 60
TEXT = "the quick brown fox jumps over the lazy dog"


def wait_for(read, until, what: str, seconds: float = WAIT_SECONDS):
    """Read until `until(value)` holds; the last value read, or a failure saying what never came."""
    deadline = time.monotonic() + seconds
    value = read()
    while not until(value):
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {seconds}s; last seen: {value}")
        time.sleep(0.05)
        value = read()
    return value


@pytest.fixture
def redis_url():
    connection = redis_or_skip("Job queue tests on Redis")
    yield REDIS_URL
    connection.close()


@pytest.fixture
def queue_name(redis_url):
    """A queue of this test's own; every key RQ made for it (and its jobs) is removed after."""
    name = f"hearth-test-{secrets.token_hex(6)}"
    yield name
    connection = redis.Redis.from_url(redis_url)
    job_ids = [key.decode().removeprefix("rq:job:") for key in connection.scan_iter(match="rq:job:*")
               if connection.hget(key, "origin") == name.encode()]
    keys = [*connection.scan_iter(match=f"rq:*{name}*"),
            *(f"rq:{kind}:{job_id}" for job_id in job_ids for kind in ("job", "results"))]
    if keys:
        connection.delete(*keys)
    connection.srem("rq:queues", f"rq:queue:{name}")
    connection.close()


@pytest.fixture
def redis_app(redis_url, queue_name, tmp_path):
    return make_app(f"sqlite:///{tmp_path / 'hearth.db'}", HEARTH_REDIS_URL=redis_url, HEARTH_JOB_QUEUE=queue_name)


@pytest.fixture
def local_app(tmp_path):
    return make_app(f"sqlite:///{tmp_path / 'hearth.db'}", HEARTH_REDIS_URL="")


def worker_environment(tmp_path: Path, **settings) -> dict:
    environment = {**os.environ, "HEARTH_ENV": "testing", "HEARTH_INSTANCE": str(tmp_path / "worker-instance"),
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))}
    environment.update(settings)
    return environment


@contextmanager
def running_worker(app, tmp_path: Path):
    """`hearth worker` in its own process, on the app's queue and database, until the block ends."""
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [str(HEARTH), "worker"], stdout=log, stderr=subprocess.STDOUT,
        env=worker_environment(tmp_path, HEARTH_REDIS_URL=app.config["HEARTH_REDIS_URL"],
                               HEARTH_JOB_QUEUE=app.config["HEARTH_JOB_QUEUE"], DATABASE_URL=app.config["DATABASE_URL"]))
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def worker(redis_app, tmp_path):
    with running_worker(redis_app, tmp_path) as process:
        yield process


def follow(app, job_id: str, council: str = "swindon"):
    def read():
        with app.app_context():
            return jobs.get(job_id, council)
    return read


def finished(record) -> bool:
    return record is not None and record.status in ("finished", "failed")


def check_runs_with_progress(app, tmp_path):
    """A job seen half-way (started, 50) and then finished with its answer, 100."""
    gate = tmp_path / "gate"
    with app.app_context():
        started = jobs.enqueue(f"{SUPPORT}.count_words", "swindon", {"text": TEXT, "gate": str(gate)})
    assert started.status == "queued" and started.progress == 0 and started.council == "swindon"
    read = follow(app, started.id)
    halfway = wait_for(read, lambda r: r is not None and r.progress == 50, "the job reporting half-way")
    assert halfway.status == "started" and halfway.result is None and halfway.error is None
    gate.touch()
    done = wait_for(read, finished, "the job finishing")
    assert done.status == "finished", done
    assert done.result == {"words": len(TEXT.split())}
    assert done.progress == 100 and done.error is None
    # Read by another council, the same id is no job at all.
    with app.app_context():
        assert jobs.get(started.id, "gateshead") is None
        assert jobs.get(started.id, "swindon").as_dict()["result"] == done.result


def check_failures_are_plain(app):
    """A job's own refusal is told as it said it; a mistake in its code as a plain sentence."""
    reason = "There is no published version to compare the draft with."
    with app.app_context():
        refused = jobs.enqueue(f"{SUPPORT}.refuse", "swindon", {"reason": reason})
        broken = jobs.enqueue(f"{SUPPORT}.break_down", "swindon")
        not_json = jobs.enqueue(f"{SUPPORT}.answer_with_a_set", "swindon")
    refused_record = wait_for(follow(app, refused.id), finished, "the refusing job ending")
    broken_record = wait_for(follow(app, broken.id), finished, "the broken job ending")
    assert (refused_record.status, refused_record.error) == ("failed", reason)
    assert refused_record.progress == 10  # as far as it got
    assert (broken_record.status, broken_record.error) == ("failed", jobs.UNEXPECTED)
    assert "Traceback" not in broken_record.error and "KeyError" not in broken_record.error
    not_json_record = wait_for(follow(app, not_json.id), finished, "the job with a set for an answer ending")
    assert (not_json_record.status, not_json_record.error) == ("failed", jobs.UNEXPECTED)


def test_a_worker_on_redis_runs_a_job_reporting_progress_and_its_result(redis_app, worker, tmp_path):
    check_runs_with_progress(redis_app, tmp_path)
    assert worker.poll() is None, "the worker stays up between jobs"


def test_a_failing_job_on_redis_records_a_plain_error(redis_app, worker):
    check_failures_are_plain(redis_app)


def test_without_redis_a_job_runs_in_this_process_with_the_same_record(local_app, tmp_path):
    check_runs_with_progress(local_app, tmp_path)


def test_without_redis_a_failing_job_records_a_plain_error(local_app):
    check_failures_are_plain(local_app)


def test_only_background_jobs_with_json_arguments_are_started(local_app):
    with local_app.app_context():
        with pytest.raises(jobs.JobError, match="is not a background job"):
            jobs.enqueue(f"{SUPPORT}.not_a_job", "swindon")
        with pytest.raises(jobs.JobError, match="is not a background job"):
            jobs.enqueue("os.system", "swindon", {"command": "true"})
        with pytest.raises(jobs.JobError, match="must be JSON"):
            jobs.enqueue(f"{SUPPORT}.refuse", "swindon", {"reason": object()})


@pytest.mark.parametrize("job_id", ["", "nope", "../../etc", "A" * 32, "0" * 32, "00000000-0000-0000-0000-00000000000g", 7])
def test_an_id_that_is_no_job_is_none(local_app, redis_app, job_id):
    for app in (local_app, redis_app):
        with app.app_context():
            assert jobs.get(job_id, "swindon") is None


def test_a_queue_that_does_not_answer_is_said_plainly(tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    app = make_app(f"sqlite:///{tmp_path / 'hearth.db'}", HEARTH_REDIS_URL=f"redis://127.0.0.1:{port}/0")
    with app.app_context(), pytest.raises(jobs.JobsUnavailable, match="not answering"):
        jobs.enqueue(f"{SUPPORT}.refuse", "swindon", {"reason": "never runs"})


def test_hearth_worker_without_redis_says_none_is_needed(tmp_path, monkeypatch):
    monkeypatch.delenv("HEARTH_REDIS_URL", raising=False)
    monkeypatch.setenv("HEARTH_ENV", "testing")
    result = CliRunner().invoke(build_cli(), ["worker", "--burst"])
    assert result.exit_code == 1
    assert "HEARTH_REDIS_URL is not set" in result.output and "Traceback" not in result.output


# The impact job (hearth.web.impact_job) on a worker and in this process: tests/web/test_workspace_releasing.py.
