"""`hearth evaluate --cases ... --queue`: a bulk run's chunks (hearth.engine.bulk) go to the
product's job queue (hearth.web.jobs, RQ on HEARTH_REDIS_URL), whose `hearth worker`s -- on
this machine or any other sharing that Redis -- evaluate them; the command waits for each
chunk in turn and writes the answers in the cases' order (docs/deploy.md, "Bulk evaluation").

The command reads the council's policy from its folders (HEARTH_POLICIES), as the engine's
command does, and every chunk carries that policy's hashes: a worker whose own folders hold
other files refuses the chunk, so one run never mixes two policies. A chunk's answers are
removed from Redis once read, and a run that stops removes the chunks it had queued, so
Redis holds only the chunks in flight, however large the cohort.
"""
from __future__ import annotations

import time
from datetime import date

import click
from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.results import Result
from rq.serializers import JSONSerializer

from hearth.engine import api, bulk
from hearth.engine.policy_model import PolicyVersion

from . import create_app, jobs
from .config import ConfigError

FUNCTION = f"{__name__}.evaluate_chunk"
CHUNK_CASES = 256          # a worker forks for each job: fewer, larger jobs than a local pool's
AHEAD = 32                 # chunks on the queue at once, so any number of workers stay busy
POLL_SECONDS = 0.05
NOTICE_SECONDS = 15        # waiting this long for a chunk no worker has started: say so, once


def _hashes(version: PolicyVersion) -> dict:
    return {"content_hash": version.policy_hash, "rules_hash": version.rules_hash}


@jobs.background
def evaluate_chunk(council: str, on: str, policy: dict, items: list[dict]) -> dict:
    """A worker's part of a bulk run: the chunk's answers (hearth.engine.bulk.evaluate_items), as text."""
    try:
        day = date.fromisoformat(on)
        version = api.policy_on(council, day, api.policies_root())
    except ValueError:
        raise jobs.JobError(f"'{on}' is not a date (YYYY-MM-DD).") from None
    except (api.UnknownCouncil, api.NoPolicyInForce) as exc:
        raise jobs.JobError(f"This worker's policy folders ({api.policies_root()}): {exc}") from None
    if _hashes(version) != policy:
        raise jobs.JobError(f"This worker's policy files for {council} ({api.policies_root()}) are not the ones the "
                            f"command read; give every worker the same HEARTH_POLICIES files.")
    result = bulk.evaluate_items(version, day, items)
    return {**result, "answers": result["answers"].decode("utf-8")}  # the queue keeps JSON: text, not bytes


class QueueRunner:
    """Chunks as jobs on the app's queue (hearth.engine.bulk.Runner)."""

    ahead = AHEAD
    chunk_cases = CHUNK_CASES

    def __init__(self, council: str, on: date, policy: PolicyVersion, app: Flask):
        if not app.config["HEARTH_REDIS_URL"]:
            raise bulk.BulkError("--queue needs the job queue: set HEARTH_REDIS_URL (and start `hearth worker`s; "
                                 "docs/deploy.md, 'Bulk evaluation'). Without it, leave out --queue.")
        self.council, self.app = council, app
        self.arguments = {"council": council, "on": on.isoformat(), "policy": _hashes(policy)}
        self.queued: set[str] = set()
        self.connection = Redis.from_url(app.config["HEARTH_REDIS_URL"], socket_connect_timeout=2, socket_timeout=10)

    def submit(self, items: list[dict]) -> str:
        with self.app.app_context():
            try:
                record = jobs.enqueue(FUNCTION, self.council, {**self.arguments, "items": items})
            except jobs.JobError as exc:
                raise bulk.BulkError(str(exc)) from None
        self.queued.add(record.id)
        return record.id

    def result(self, job_id: str) -> dict:
        started, told = time.monotonic(), False
        while True:
            with self.app.app_context():
                try:
                    record = jobs.get(job_id, self.council)
                except jobs.JobError as exc:
                    raise bulk.BulkError(str(exc)) from None
            if record is None:
                raise bulk.BulkError("A chunk's job is no longer on the queue (removed from Redis); run the command "
                                     "again.")
            if record.status == "finished":
                self._forget(job_id)
                return {**record.result, "answers": record.result["answers"].encode("utf-8")}
            if record.status == "failed":
                raise bulk.BulkError(f"A chunk of cases could not be evaluated on the job queue: {record.error}")
            if not told and record.status == "queued" and time.monotonic() - started > NOTICE_SECONDS:
                told = True
                click.echo(f"Waiting for a `hearth worker` on the queue '{self.app.config['HEARTH_JOB_QUEUE']}' "
                           "to take the cases (docs/deploy.md, 'Bulk evaluation').", err=True)
            time.sleep(POLL_SECONDS)

    def close(self) -> None:
        """Chunks queued and not read (the run stopped early) are taken off the queue."""
        for job_id in list(self.queued):
            self._forget(job_id)
        self.connection.close()

    def _forget(self, job_id: str) -> None:
        """The chunk's job and its result -- the chunk's answers, which RQ keeps apart from the job
        (a stream of its own that deleting the job leaves) -- taken off Redis."""
        self.queued.discard(job_id)
        try:
            Job.fetch(job_id, connection=self.connection, serializer=JSONSerializer).delete()
        except (NoSuchJobError, RedisError):  # already gone, or Redis gone: the record expires in a day anyway
            pass
        try:
            self.connection.delete(Result.get_key(job_id))
        except RedisError:  # Redis gone: the result expires with the record
            pass


def runner_for(council: str, on: date, policy: PolicyVersion, workers: int) -> QueueRunner:
    try:
        app = create_app()
    except ConfigError as exc:
        raise bulk.BulkError(str(exc)) from None
    return QueueRunner(council, on, policy, app)
