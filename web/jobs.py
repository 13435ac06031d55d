"""The product's one job queue: work too long for a web request runs in the background and
says how far it has got (which open cases a policy change would affect, for one).

With ``HEARTH_REDIS_URL`` set, a job goes to RQ on that Redis, on the queue named by
``HEARTH_JOB_QUEUE``, and any ``hearth worker`` — on this machine or another — runs it
(docs/deploy.md, "Background jobs"). Without it (a laptop, ``make run``) the job runs in a
thread of the process that started it: the request that started it still returns at once,
and its page follows the job exactly as it would on Redis. Records of such jobs live in that
process's memory, so they are for one process: production sets HEARTH_REDIS_URL.

Either way a job is one record (JobRecord): its id, the council that started it, its status
(queued, started, finished, failed), its progress from 0 to 100 as the job reports it
(report_progress), its result (JSON) and, when it failed, a message for the person who
started it, never a traceback (the traceback goes to the log and to RQ's record). A job is
read by its id and its council together, so nobody follows another council's job.

A job is a function marked with ``@background``, named by its dotted path; its arguments
and its result are JSON (RQ's JSON serializer, so nothing else can be smuggled through
Redis). It raises JobError with a plain message when it cannot do what was asked.
"""
from __future__ import annotations

import importlib
import json
import logging
import re
import threading
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any, Callable

from flask import Flask, current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Worker, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from hearth.engine.lru import LRU
from hearth.rules.source import SourceError

from . import create_app
from .config import ConfigError

log = logging.getLogger(__name__)

STATUSES = ("queued", "started", "finished", "failed")
# RQ's statuses as a job's record says them: waiting in any way is queued, stopped is failed.
_FROM_RQ = {JobStatus.QUEUED: "queued", JobStatus.DEFERRED: "queued", JobStatus.SCHEDULED: "queued",
            JobStatus.STARTED: "started", JobStatus.FINISHED: "finished", JobStatus.FAILED: "failed",
            JobStatus.STOPPED: "failed", JobStatus.CANCELED: "failed"}
# How long a job may run before its worker stops it, and how long its record is kept after.
JOB_TIMEOUT_SECONDS = 3600
KEPT_SECONDS = 24 * 3600
# Jobs run in this process's threads (no HEARTH_REDIS_URL): the most recent records kept.
LOCAL_RECORDS = 1000

UNEXPECTED = "The job stopped because of an unexpected error. The worker's log has the details."
WORKER_LOST = "The job stopped before it finished (its worker ended). Start it again."
_JOB_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")  # as RQ makes them


class JobError(Exception):
    """What a job could not do, in words for the person who started it (no traceback)."""


class JobsUnavailable(JobError):
    """The job queue cannot be reached or is not set up."""


@dataclass(frozen=True)
class JobRecord:
    id: str
    council: str
    function: str
    status: str                  # one of STATUSES
    progress: int = 0            # 0 to 100, as the job reported it
    result: Any = None           # the function's return value (JSON), once finished
    error: str | None = None     # once failed: a plain message

    def as_dict(self) -> dict:
        return {"id": self.id, "council": self.council, "function": self.function, "status": self.status,
                "progress": self.progress, "result": self.result, "error": self.error}


def background(function: Callable) -> Callable:
    """Mark a function as one the job queue may run (by its dotted name)."""
    function.hearth_job = True
    return function


def resolve(name: str) -> Callable:
    """The job function a dotted name names; JobError for anything not marked @background."""
    module_name, _, attribute = name.rpartition(".")
    try:
        function = getattr(importlib.import_module(module_name), attribute) if module_name else None
    except (ImportError, AttributeError):
        function = None
    if not callable(function) or not getattr(function, "hearth_job", False):
        raise JobError(f"'{name}' is not a background job.")
    return function


# --- starting and reading jobs ------------------------------------------------------------

def enqueue(function: str, council: str, arguments: dict | None = None) -> JobRecord:
    """Start a job for a council: on Redis when HEARTH_REDIS_URL is set, else in a thread here.
    JobError if the function is not a job or the arguments are not JSON; JobsUnavailable if
    Redis does not answer."""
    resolve(function)
    arguments = dict(arguments or {})
    try:
        json.dumps(arguments, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise JobError(f"A job's arguments must be JSON ({exc}).") from None
    settings = _settings()
    if not settings["HEARTH_REDIS_URL"]:
        return _start_local(function, council, arguments)
    try:
        job = _queue(settings).enqueue(
            run, function, arguments, meta={"council": council, "function": function, "progress": 0},
            job_timeout=JOB_TIMEOUT_SECONDS, result_ttl=KEPT_SECONDS, failure_ttl=KEPT_SECONDS,
            description=f"{function} for {council}")
    except RedisError as exc:
        raise JobsUnavailable(_unreachable(exc)) from None
    return _record(job)


def get(job_id: str, council: str) -> JobRecord | None:
    """The record of a job the council started; None for any other id (another council's job
    is not told apart from one that does not exist)."""
    if not isinstance(job_id, str) or not _JOB_ID.match(job_id):
        return None
    settings = _settings()
    if not settings["HEARTH_REDIS_URL"]:
        record = _LOCAL.get(job_id)
    else:
        try:
            record = _record(Job.fetch(job_id, connection=_redis(settings), serializer=JSONSerializer))
        except NoSuchJobError:
            record = None
        except RedisError as exc:
            raise JobsUnavailable(_unreachable(exc)) from None
    return record if record is not None and record.council == council else None


def report_progress(percent: int) -> None:
    """Said by a running job: how far it has got (0 to 100). Does nothing outside a job."""
    reporter = _REPORTER.get()
    if reporter is not None:
        reporter(max(0, min(100, int(percent))))


# --- running a job (in a worker or a thread) ------------------------------------------------

_REPORTER: ContextVar[Callable[[int], None] | None] = ContextVar("hearth_job_progress", default=None)


def run(function: str, arguments: dict) -> Any:
    """What RQ's worker calls: the job, inside the app, its progress kept in the job's meta and
    a failure kept as a plain message (then raised, so RQ records it failed, with the traceback)."""
    job = get_current_job()

    def save_progress(percent: int) -> None:
        if job.meta.get("progress") != percent:   # a write to Redis only when the figure moves
            job.meta["progress"] = percent
            job.save_meta()

    try:
        result = _call(function, arguments, save_progress)
        json.dumps(result, allow_nan=False)  # said here, not left to the serializer after the job
    except Exception as exc:
        job.meta["error"] = _message(exc)
        job.save_meta()
        raise
    save_progress(100)
    return result


def _call(function: str, arguments: dict, reporter: Callable[[int], None], app: Flask | None = None) -> Any:
    token = _REPORTER.set(reporter)
    try:
        app = app or (current_app._get_current_object() if has_app_context() else create_app())
        with app.app_context():
            return resolve(function)(**arguments)
    finally:
        _REPORTER.reset(token)


def _message(exc: Exception) -> str:
    """The words the person who started a job sees when it failed; the log keeps the rest."""
    if isinstance(exc, JobError):
        return str(exc)
    if isinstance(exc, SourceError):
        return " ".join(str(problem) for problem in exc.problems)
    if isinstance(exc, ConfigError):
        return f"The worker is not set up: {exc}"
    log.exception("A background job failed")
    return UNEXPECTED


# --- without Redis: a thread of this process ------------------------------------------------

_LOCAL = LRU(LOCAL_RECORDS)
_LOCAL_LOCK = threading.Lock()


def _start_local(function: str, council: str, arguments: dict) -> JobRecord:
    record = JobRecord(str(uuid.uuid4()), council, function, "queued")
    _LOCAL.put(record.id, record)
    app = current_app._get_current_object() if has_app_context() else None
    threading.Thread(target=_run_local, args=(record.id, function, arguments, app),
                     name=f"hearth-job-{record.id[:8]}", daemon=True).start()
    return record


def _update_local(job_id: str, **changes) -> None:
    with _LOCAL_LOCK:
        record = _LOCAL.get(job_id)
        if record is not None:
            _LOCAL.put(job_id, replace(record, **changes))


def _run_local(job_id: str, function: str, arguments: dict, app: Flask | None) -> None:
    _update_local(job_id, status="started")
    try:
        result = _call(function, arguments, lambda percent: _update_local(job_id, progress=percent), app)
        json.dumps(result, allow_nan=False)  # as RQ's JSON serializer would insist
    except Exception as exc:  # noqa: BLE001 - every failure becomes the record's plain message
        _update_local(job_id, status="failed", error=_message(exc))
        return
    _update_local(job_id, status="finished", progress=100, result=result)


# --- with Redis ----------------------------------------------------------------------------

def _settings() -> dict:
    return current_app.config if has_app_context() else create_app().config


def _redis(settings) -> Redis:
    return Redis.from_url(settings["HEARTH_REDIS_URL"], socket_connect_timeout=2, socket_timeout=10)


def _queue(settings) -> Queue:
    return Queue(settings["HEARTH_JOB_QUEUE"], connection=_redis(settings), serializer=JSONSerializer)


def _unreachable(exc: Exception) -> str:
    return f"The job queue is not answering, so the job could not be started or read; try again shortly ({exc})."


def _record(job: Job) -> JobRecord:
    meta = job.meta or {}
    status = _FROM_RQ.get(job.get_status(refresh=False), "queued")
    error = meta.get("error") or (WORKER_LOST if status == "failed" else None)
    return JobRecord(job.id, meta.get("council", ""), meta.get("function", ""), status,
                     int(meta.get("progress", 0)), job.return_value() if status == "finished" else None, error)


def work(app: Flask, burst: bool = False) -> None:
    """Run a worker on the app's queue until stopped (or, with burst, until the queue is empty)."""
    if not app.config["HEARTH_REDIS_URL"]:
        raise JobsUnavailable("HEARTH_REDIS_URL is not set. Without Redis, each job runs in the process that "
                              "starts it and no worker is needed; with it, see docs/deploy.md, 'Background jobs'.")
    connection = _redis(app.config)
    try:
        connection.ping()
    except RedisError as exc:
        raise JobsUnavailable(f"No Redis answers at HEARTH_REDIS_URL ({exc}).") from None
    worker = Worker([_queue(app.config)], connection=connection, serializer=JSONSerializer)
    with app.app_context():
        worker.work(burst=burst)
