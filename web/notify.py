"""Emails, through GOV.UK Notify's official client (notifications-python-client).

One small interface: ``send_email(to, template_id, personalisation, council=...)``. It never
talks to Notify itself: it puts a ``deliver`` job on the product's one job queue
(hearth.web.jobs), so the request that decided to tell someone returns at once and a slow or
failing Notify never holds it (RQ keeps a failed delivery's record; without Redis the job
runs in a thread of this process).

Settings come from the app's config, else the environment (a ``hearth worker`` on another
machine has only its environment):

- ``HEARTH_NOTIFY_API_KEY``: the service's API key. Unset (``make run``, a laptop), nothing
  is sent: each message is written to the log and, as JSON, to ``<instance>/outbox/``, so a
  developer can read what would have gone.
- ``HEARTH_NOTIFY_BASE_URL``: Notify's address; the client's own default when unset.
- ``HEARTH_NOTIFY_TEMPLATE_<KIND>``: the Notify template for each kind of message in
  TEMPLATES. Each template's body is ``((subject))`` and ``((body))`` placeholders filled
  here, so the wording stays in Hearth; the defaults are the ids docs/deploy.md lists.
"""
from __future__ import annotations

import json
import logging
import os
import uuid
from datetime import datetime, timezone

from flask import current_app, has_app_context
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient
from requests.exceptions import RequestException

from .config import instance_dir
from .jobs import JobError, JobRecord, background, enqueue

log = logging.getLogger(__name__)

FUNCTION = f"{__name__}.deliver"
# The kinds of message Hearth sends, and the Notify template each uses unless the environment
# names another (HEARTH_NOTIFY_TEMPLATE_<KIND in capitals>). docs/deploy.md lists them.
TEMPLATES = {
    "publication_requested": "3a0d8a53-5f1c-4d0e-9a52-6c7f2a4f0b01",
    "publication_approved": "3a0d8a53-5f1c-4d0e-9a52-6c7f2a4f0b02",
    "publication_declined": "3a0d8a53-5f1c-4d0e-9a52-6c7f2a4f0b03",
    "invitation": "3a0d8a53-5f1c-4d0e-9a52-6c7f2a4f0b04",
    "password_reset": "3a0d8a53-5f1c-4d0e-9a52-6c7f2a4f0b05",
    # hearth.web.reminders; a council may name its own in council.yaml's notify.templates
    "reminder_due": "3a0d8a53-5f1c-4d0e-9a52-6c7f2a4f0b06",
    "reminder_overdue": "3a0d8a53-5f1c-4d0e-9a52-6c7f2a4f0b07",
}
OUTBOX = "outbox"


def setting(name: str) -> str:
    """A Notify setting: the app's config first, then the environment ('' when neither)."""
    value = current_app.config.get(name) if has_app_context() else None
    return str(value or os.environ.get(name) or "")


def template_id(kind: str) -> str:
    """The Notify template for a kind of message (KeyError for a kind Hearth does not send)."""
    return setting(f"HEARTH_NOTIFY_TEMPLATE_{kind.upper()}") or TEMPLATES[kind]


def send_email(to: str, template: str, personalisation: dict, *, council: str) -> JobRecord:
    """Queue one email to ``to`` with a Notify template id and its personalisation (JSON).
    JobError (JobsUnavailable) when the queue cannot take it: the caller decides what to say."""
    return enqueue(FUNCTION, council, {"to": to, "template": template, "personalisation": personalisation})


@background
def deliver(to: str, template: str, personalisation: dict) -> dict:
    """Send one email through Notify, or, without an API key, into the outbox folder."""
    api_key = setting("HEARTH_NOTIFY_API_KEY")
    if not api_key:
        return {"outbox": _to_outbox(to, template, personalisation)}
    base_url = setting("HEARTH_NOTIFY_BASE_URL")
    client = NotificationsAPIClient(api_key, base_url=base_url) if base_url else NotificationsAPIClient(api_key)
    try:
        answer = client.send_email_notification(email_address=to, template_id=template,
                                                personalisation=personalisation)
    except HTTPError as exc:
        raise JobError(f"GOV.UK Notify refused the email ({exc.status_code}): {exc.message}") from None
    except RequestException as exc:
        raise JobError(f"GOV.UK Notify could not be reached ({type(exc).__name__}).") from None
    return {"notification": answer.get("id")}


def _to_outbox(to: str, template: str, personalisation: dict) -> str:
    """The message as JSON in <instance>/outbox/, and a line in the log; the file's name."""
    folder = instance_dir() / OUTBOX
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(timezone.utc)
    name = f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.json"
    message = {"to": to, "template_id": template, "personalisation": personalisation, "at": now.isoformat()}
    (folder / name).write_text(json.dumps(message, indent=2, ensure_ascii=False), encoding="utf-8")
    log.info("Email not sent (no HEARTH_NOTIFY_API_KEY): to %s, %r, written to %s",
             to, personalisation.get("subject", template), folder / name)
    return name
