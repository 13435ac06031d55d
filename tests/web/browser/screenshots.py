"""Full-page screenshots of the main pages for each council, for the README:
<council>-<page>.png at 1280×900, from the demo seed on the pinned day
(`conftest.TODAY`), so the pictures only change when the pages do. The workflow's forms
are filled with story.py's answers dated before that day, and the one clock time a page
shows (when a record was submitted) is pinned too.

Run by test_screenshots.py, and for the policy workspace by the journeys that visit its pages
(test_policy_change_journey.py, test_workspace_trying.py). `make test` writes them to build/screenshots/ (not kept in
git); only `make screenshots` retakes docs/screenshots/ (it sets HEARTH_SCREENSHOTS_DIR).
A file is rewritten only when its picture changed."""
from __future__ import annotations

import os
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import select

from hearth.forms import schema_for
from hearth.web import db
from hearth.web import workflow as wf
from hearth.web.models import Case, Submission, User

from . import story
from .conftest import TODAY, email, sign_in
from .govuk_forms import fill_form, submit

ROOT = Path(__file__).resolve().parents[3]
OUT = Path(os.environ.get("HEARTH_SCREENSHOTS_DIR") or ROOT / "build" / "screenshots").resolve()


def save(page, name: str, out: Path = OUT, full_page: bool = True) -> Path:
    """Screenshot the whole page (or only what the window shows) into out/name.png unless
    the same picture is there."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    png = page.screenshot(full_page=full_page, animations="disabled", caret="hide")
    if not path.is_file() or path.read_bytes() != png:
        path.write_bytes(png)
    return path


def first_case(live, council: str) -> Case | None:
    """The seed's first case for the council (policies/<council>/demo/cases.yaml), if any."""
    with live.app.app_context():
        return db.session().scalars(select(Case).where(Case.council_id == council).order_by(Case.id)).first()


def sign_in_pages(page, out: Path = OUT) -> list[Path]:
    """The sign-in page is the same for every council (nobody is known yet): one picture."""
    page.goto("/login")
    page.wait_for_selector(".govuk-password-input__toggle:not([hidden])")
    shots = [save(page, "hearth-sign-in", out)]
    page.fill("#email", "worker@example.org")
    page.click("button:has-text('Sign in')")
    page.wait_for_selector(".govuk-error-summary")
    shots.append(save(page, "hearth-sign-in-error", out))
    return shots


def council_pages(page, live, council: str, out: Path = OUT) -> list[Path]:
    """The manager's dashboard (its approvals queue above the cases) and the worker's case page
    with its next steps and live evaluation, whole, as the window shows it, and on a phone."""
    shots = []
    a_request_waiting(live, council)
    sign_in(page, email("manager", council))
    shots.append(save(page, f"{council}-dashboard", out))
    case = first_case(live, council)
    if case is not None:  # a council without demo cases has no case to picture
        sign_in(page, email("worker", council))
        page.goto(f"/cases/{case.id}")
        shots.append(save(page, f"{council}-case", out))
        # What the worker sees first: the next steps, as far as the window shows.
        shots.append(save(page, f"{council}-case-next-steps", out, full_page=False))
        # The same page on a phone, 375 px wide: it reflows, nothing scrolls sideways.
        size = page.viewport_size
        page.set_viewport_size({"width": 375, "height": 812})
        try:
            page.evaluate("() => document.querySelector('h1').scrollIntoView()")  # the child, then the next steps
            shots.append(save(page, f"{council}-case-phone", out, full_page=False))
        finally:
            page.set_viewport_size(size)
    page.context.clear_cookies()
    return shots


def a_request_waiting(live, council: str) -> None:
    """For the manager's approvals queue: a funding request, sent at the pinned time by the
    worker, on the council's first case whose meeting was held (none if it has no such case or
    no funding form), recorded as its form page records it."""
    with live.app.test_request_context():
        s = db.session()
        defn = wf.definition(council, "funding_request")
        cases = s.scalars(select(Case).where(Case.council_id == council).order_by(Case.id)).all()
        case = next((c for c in cases if any(e.type == "stability_meeting_held" for e in c.events)), None)
        if defn is None or case is None:
            return
        asked = story.funding_request_after_meeting(TODAY)  # its questions the council's form asks
        answers = schema_for(defn)(today=TODAY).load({k: v for k, v in asked.items() if k in defn.fields_by_id})
        request = wf.submit(case, defn, answers, s.scalar(select(User).where(User.email == email("worker", council))))
        request.updated_at = SUBMITTED_AT
        s.commit()


# The meeting of the pictures: the Friday before the pinned Monday, its review agreed for
# ten working days later, a week's time for the actions.
HELD = date(2026, 1, 23)
REVIEW = date(2026, 2, 6)
ACTIONS_BY = date(2026, 1, 30)
SUBMITTED_AT = datetime(2026, 1, 26, 10, 0, tzinfo=timezone.utc)


def workflow_pages(page, live, council: str, out: Path = OUT) -> list[Path]:
    """On the seed's first case, as its worker: arranging the meeting (the policy's invitees
    ticked), and the meeting's record sent with the child's views left out (the error
    summary, as far as the window shows). For Swindon, whose policy gates funding, a request
    sent before any meeting, as a manager sees it: blocked, no button to approve it."""
    case = first_case(live, council)
    sign_in(page, email("worker", council))
    page.goto(f"/cases/{case.id}/forms/schedule_meeting")
    shots = [save(page, f"{council}-schedule-meeting", out)]

    form_id, left_out = story.MEETING_FORM[council], story.LEFT_OUT[council]
    page.goto(f"/cases/{case.id}/forms/{form_id}")
    record = story.meeting_record(council, HELD, REVIEW, ACTIONS_BY)
    fill_form(page, {k: v for k, v in record.items() if k != left_out})
    submit(page)
    page.wait_for_function("() => document.activeElement.classList.contains('govuk-error-summary')")
    shots.append(save(page, f"{council}-meeting-record-error", out, full_page=False))

    if council == "swindon":
        page.goto(f"/cases/{case.id}/forms/funding_request")
        fill_form(page, story.funding_request(TODAY))
        submit(page)
        with live.app.app_context():
            s = db.session()
            request = s.scalars(select(Submission).where(Submission.case_id == case.id,
                                                         Submission.form_id == "funding_request")).one()
            request.updated_at = SUBMITTED_AT  # the page says when it was submitted
            s.commit()
        sign_in(page, email("manager", council))
        page.goto(f"/cases/{case.id}/submissions/{request.id}")
        page.wait_for_selector("#approval-blocked")
        shots.append(save(page, f"{council}-funding-request-blocked", out))
    page.context.clear_cookies()
    return shots
