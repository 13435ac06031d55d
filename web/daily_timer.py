"""A daily job in the development server's own process.

Under ``make run`` there is no Redis and no cron, so ``hearth serve`` starts each daily job
(the reminders, the dashboard's summaries) here: a daemon thread that puts the job on the job
queue once at start and then every 24 hours, for as long as the server runs. Production never
relies on it: cron or a systemd timer runs the job's command on one host (docs/deploy.md).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from flask import Flask

log = logging.getLogger(__name__)

DAY_SECONDS = 24 * 3600


def start_daily_timer(app: Flask, name: str, start_job: Callable[[], object]) -> threading.Thread:
    """Call ``start_job`` in the app's context now and every 24 hours; a day that fails is
    logged and the next day still runs. ``name``: what the job is, for the thread and the log."""
    def loop() -> None:
        while True:
            try:
                with app.app_context():
                    start_job()
            except Exception:  # noqa: BLE001 - a failed day is logged; the next day still runs
                log.exception("The daily job %s could not be started", name)
            time.sleep(DAY_SECONDS)

    thread = threading.Thread(target=loop, name=f"hearth-daily-{name}", daemon=True)
    thread.start()
    return thread
