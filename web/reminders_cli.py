"""Running the reminders (hearth.web.reminders) every day.

In production, on one host, cron or a systemd timer runs ``hearth reminders send`` once a
day (docs/deploy.md, "Reminders"): it runs the job in that process and prints what it sent
as counts. Running it twice, or on two hosts at once, sends nothing twice.

Under ``make run`` (development: no Redis, no cron) ``hearth serve`` runs it once at start
and then every 24 hours (hearth.web.daily_timer).
"""
from __future__ import annotations

import time

import click
from flask import Flask

from . import jobs, reminders
from .cli_support import cli_app
from .evaluation import today


# How long the command waits for the emails it queued when they run in its own threads (no Redis).
EMAIL_WAIT_SECONDS = 120


@click.group("reminders", help="Reminders of deadlines and duties coming due or overdue.")
def reminders_group():
    pass


@reminders_group.command("send", help="Email today's reminders (run daily from cron or a systemd timer); "
                                      "nothing already sent is sent again.")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="the day to remind as of, YYYY-MM-DD (default: today)")
def send(on):
    app = cli_app()
    with app.app_context():
        try:
            report = reminders.run(on.date() if on else today())
        except jobs.JobError as exc:
            raise click.ClickException(str(exc)) from exc
        failed = _wait_for_local_emails(app, report.emails)
    counts = report.counts()
    click.echo(f"Reminders for {counts['on']}: {counts['cases']} open cases checked; {counts['due']} emails "
               f"about items coming due and {counts['overdue']} about overdue items queued; "
               f"{counts['already_sent']} already sent before.")
    if counts["not_evaluated"]:
        click.echo(f"{counts['not_evaluated']} cases could not be evaluated ('hearth db check' lists them).")
    if counts["not_queued"] or failed:
        click.echo(f"{counts['not_queued']} emails could not be queued and {failed} failed to send; "
                   "queued ones are tried again on the next run, failed ones are in the log.", err=True)
        raise SystemExit(1)


def _wait_for_local_emails(app: Flask, emails: list[jobs.JobRecord]) -> int:
    """Without Redis the emails go out in this process's threads: wait for them before the
    command ends (its end would stop them). The number that failed."""
    if app.config["HEARTH_REDIS_URL"]:
        return 0
    deadline = time.monotonic() + EMAIL_WAIT_SECONDS
    failed = 0
    for email in emails:
        record = jobs.get(email.id, email.council)
        while record is not None and record.status in ("queued", "started") and time.monotonic() < deadline:
            time.sleep(0.05)
            record = jobs.get(email.id, email.council)
        if record is None or record.status != "finished":
            failed += 1
    return failed

