"""A reminder in Chromium, with axe on the page visited: the daily job runs twice over the demo's
cases and the fake Notify receives each reminder exactly once; the person it went to follows
its link, signed in, to the case it names."""
from __future__ import annotations

from collections import Counter

from hearth.web import reminders

from fake_notify import FakeNotify
from test_jobs import finished, follow, wait_for

from .accessibility import check_accessibility
from .conftest import TODAY, sign_in


def run_and_wait(app) -> dict:
    with app.app_context():
        report = reminders.run(TODAY)
    for email in report.emails:
        assert wait_for(follow(app, email.id, email.council), finished, "a reminder's delivery").status == "finished"
    return report.counts()


def test_a_reminder_is_sent_once_though_the_job_ran_twice_and_its_link_opens_the_case(page, live, monkeypatch):
    with FakeNotify() as fake:
        for key, value in {"HEARTH_NOTIFY_API_KEY": fake.api_key, "HEARTH_NOTIFY_BASE_URL": fake.base_url,
                           "HEARTH_REDIS_URL": "", "HEARTH_BASE_URL": live.url}.items():
            monkeypatch.setitem(live.app.config, key, value)
        try:
            first, second = run_and_wait(live.app), run_and_wait(live.app)
            assert first["due"] + first["overdue"] == len(fake.sent) > 0
            assert (second["due"], second["overdue"], second["already_sent"]) == (0, 0, len(fake.sent))
            each = Counter((body["email_address"], body["template_id"], body["personalisation"]["subject"])
                           for body in fake.sent)
            assert set(each.values()) == {1}, [sent for sent, times in each.items() if times > 1]

            reminder = fake.sent[0]
            words = reminder["personalisation"]
            sign_in(page, reminder["email_address"])
            assert page.goto(words["link"]).status == 200
            assert words["child_ref"] in page.inner_text("main")
            check_accessibility(page, "the case a reminder links to")
        finally:
            live.reseed()
