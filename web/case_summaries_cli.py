"""Keeping the dashboard's stored case summaries (hearth.web.case_summaries) current every day.

In production, cron or a systemd timer runs ``hearth summaries refresh`` once a day, after
midnight (beside ``hearth reminders send``, docs/deploy.md): every open case whose summary is
not today's under the policy in force is evaluated and stored, so the day's first dashboard
sorts on today's deadlines. A scheduler that starts jobs on the queue may instead enqueue
``hearth.web.case_summaries.refresh_summaries`` (``case_summaries.queue_refresh()``).

Under ``make run`` (no Redis, no cron) ``hearth serve`` runs it once at start and then every
24 hours (hearth.web.daily_timer).
"""
from __future__ import annotations


import click

from . import case_summaries
from .cli_support import cli_app




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
