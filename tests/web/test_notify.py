"""Emails (hearth.web.notify): the real GOV.UK Notify client, queued on the job queue, signs
its requests as Notify expects (checked by tests/web/fake_notify.py); a refusal is a plain
failed job; without an API key the message goes to the outbox folder; template ids come from
the environment or the documented defaults."""
from __future__ import annotations

import json

import pytest

from hearth.web import jobs, notify
from hearth.web.config import instance_dir

from fake_notify import FakeNotify
from test_jobs import finished, follow, wait_for
from web_support import make_app

COUNCIL = "any-council"
PERSONALISATION = {"subject": "A policy change waits for you", "body": "Line one.\nLine two."}


@pytest.fixture
def fake():
    with FakeNotify() as server:
        yield server


def _app(tmp_path, **settings):
    return make_app(f"sqlite:///{tmp_path / 'hearth.db'}", HEARTH_REDIS_URL="", **settings)


def _send(app, to="officer@council.test", kind="publication_requested"):
    with app.app_context():
        started = notify.send_email(to, notify.template_id(kind), PERSONALISATION, council=COUNCIL)
    return wait_for(follow(app, started.id, COUNCIL), finished, "the email job ending")


def test_an_email_goes_through_the_real_client_signed_for_the_service(fake, tmp_path):
    app = _app(tmp_path, HEARTH_NOTIFY_API_KEY=fake.api_key, HEARTH_NOTIFY_BASE_URL=fake.base_url)
    done = _send(app)
    assert done.status == "finished", done.error
    assert fake.refused == []
    [body] = fake.sent
    assert body == {"email_address": "officer@council.test", "template_id": notify.TEMPLATES["publication_requested"],
                    "personalisation": PERSONALISATION}
    assert done.result["notification"]


def test_a_key_notify_does_not_know_is_a_plain_failed_job(fake, tmp_path):
    other = FakeNotify()  # another service's key: a token Notify cannot verify
    app = _app(tmp_path, HEARTH_NOTIFY_API_KEY=other.api_key, HEARTH_NOTIFY_BASE_URL=fake.base_url)
    done = _send(app)
    assert done.status == "failed"
    assert done.error.startswith("GOV.UK Notify refused the email (403)") and "Traceback" not in done.error
    assert fake.sent == [] and fake.refused == ["Invalid token: service not found"]


def test_template_ids_come_from_the_environment_else_the_defaults(fake, tmp_path, monkeypatch):
    chosen = "0f0e0d0c-0b0a-0908-0706-050403020100"
    monkeypatch.setenv("HEARTH_NOTIFY_TEMPLATE_PUBLICATION_APPROVED", chosen)
    app = _app(tmp_path, HEARTH_NOTIFY_API_KEY=fake.api_key, HEARTH_NOTIFY_BASE_URL=fake.base_url)
    assert _send(app, kind="publication_approved").status == "finished"
    assert _send(app, kind="publication_declined").status == "finished"
    assert [body["template_id"] for body in fake.sent] == [chosen, notify.TEMPLATES["publication_declined"]]
    assert len(set(notify.TEMPLATES.values())) == len(notify.TEMPLATES)


def test_without_an_api_key_the_message_is_written_to_the_outbox(fake, tmp_path, monkeypatch, caplog):
    monkeypatch.delenv("HEARTH_NOTIFY_API_KEY", raising=False)
    monkeypatch.setenv("HEARTH_INSTANCE", str(tmp_path / "instance"))
    app = _app(tmp_path)
    with caplog.at_level("INFO", logger=notify.__name__):
        done = _send(app, to="someone@council.test")
    assert done.status == "finished", done.error
    written = instance_dir() / notify.OUTBOX / done.result["outbox"]
    message = json.loads(written.read_text(encoding="utf-8"))
    assert (message["to"], message["template_id"], message["personalisation"]) == \
        ("someone@council.test", notify.TEMPLATES["publication_requested"], PERSONALISATION)
    assert fake.sent == [] and "someone@council.test" in caplog.text
    with app.app_context():
        assert jobs.get(done.id, COUNCIL).result == done.result
