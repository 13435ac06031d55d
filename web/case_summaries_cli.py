"""Keeping the dashboard's stored case summaries (hearth.web.case_summaries) current every day.

In production, cron or a systemd timer runs ``hearth summaries refresh`` once a day, after
midnight (beside ``hearth reminders send``, docs/deploy.md): every open case whose summary is
not today's under the policy in force is evaluated and stored, so the day's first dashboard
sorts on today's deadlines. A scheduler that starts jobs on the queue may instead enqueue
``hearth.web.case_summaries.refresh_summaries`` (``case_summaries.queue_refresh()``).

Under ``make run`` (no Redis, no cron) ``hearth serve`` starts ``start_daily_timer``: a daemon
thread that puts the job on the job queue once at start and then every 24 hours.
"""
from __future__ import annotations

import logging
import threading
import time

import click
from flask import Flask

from . import case_summaries
from .cli_support import cli_app

log = logging.getLogger(__name__)

DAY_SECONDS = 24 * 3600


@click.group("summaries", help="The dashboard's stored case summaries.")
def summaries_group():
    pass


@summaries_group.command("refresh", help="Bring every open case's stored summary up to today "
                                         "(run daily from cron or a systemd timer).")
@click.option("--council", default="", help="one council's cases (default: every council's)")
def refresh(council: str):
    app = cli_app()
    with app.app_context():
        done = case_summaries.refresh_summaries(council)
    total = sum(done["refreshed"].values())
    click.echo(f"Case summaries for {done['on']}: {total} open cases brought up to date "
               f"({', '.join(f'{key} {count}' for key, count in done['refreshed'].items()) or 'no councils'}).")


def start_daily_timer(app: Flask) -> threading.Thread:
    """Development only (``hearth serve``, no Redis): the refresh once now and then every 24
    hours, in a daemon thread that ends with the server."""
    def loop() -> None:
        while True:
            try:
                with app.app_context():
                    case_summaries.queue_refresh()
            except Exception:  # noqa: BLE001 - a failed day is logged; the next day still runs
                log.exception("The daily case summaries job could not be started")
            time.sleep(DAY_SECONDS)

    thread = threading.Thread(target=loop, name="hearth-daily-case-summaries", daemon=True)
    thread.start()
    return thread
