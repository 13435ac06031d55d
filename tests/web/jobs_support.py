"""Background jobs for tests/web/test_jobs.py, importable by a `hearth worker` started in a
subprocess (its PYTHONPATH holds this folder): each says how far it has got, and one waits
at half-way until the test lets it go, so the test sees a job part-way through."""
from __future__ import annotations

import time
from pathlib import Path

from hearth.web.jobs import JobError, background, report_progress

WAIT_SECONDS = 60


@background
def count_words(text: str, gate: str) -> dict:
    """Half-way, waits for the file ``gate`` to exist; then answers with the words counted."""
    report_progress(50)
    waited = 0.0
    while not Path(gate).exists() and waited < WAIT_SECONDS:
        time.sleep(0.05)
        waited += 0.05
    report_progress(90)
    return {"words": len(text.split())}


@background
def refuse(reason: str) -> None:
    report_progress(10)
    raise JobError(reason)


@background
def break_down() -> None:
    """A mistake in a job's code: the person who started it is told plainly, the log has the rest."""
    return {}["missing"]


def not_a_job() -> None:
    """Not marked @background: the queue refuses to run it."""


@background
def answer_with_a_set() -> set:
    """A result that is not JSON: a mistake in the job, told plainly."""
    return {1, 2}
