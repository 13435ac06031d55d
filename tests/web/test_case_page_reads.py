"""The case page reads what it shows once (issue 14): the case's submissions in one query, shared
by the next steps, the facts recorded, the warnings banner and the Record panel
(hearth.web.case_records); a record's request and the managers' confirmations from the case's
events; each label looked up once per request (hearth.web.filters). Tried on a demo case given
every kind of record: what each part shows is checked, and the words of the page are the same
when every label is looked up afresh."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from flask import g
from sqlalchemy import event as sql_event, select

from hearth.engine import api
from hearth.engine.entry_checks import entry_checks
from hearth.engine.forms_catalog import load_forms
from hearth.web import db, filters
from hearth.web.db import engine_for
from hearth.web.entry_warnings import WARNINGS_KEY
from hearth.web.evaluation import today
from hearth.web.funding import REQUEST_EVENT
from hearth.web.models import Case, Event, Submission, User
from hearth.web.next_steps import vocab_label

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

ACTION = "Ring the <carer> & agree contact"   # escaped on the page
MASKED = re.compile(r'(csrf_token"[^>]*value=")[^"]+|(nonce=")[^"]+')


def warning(warning_id: str, kind: str, reason: str | None, expected: list[str]) -> dict:
    return {"id": warning_id, "kind": kind, "event": "stability_meeting_held", "field": "chair", "on": "2026-01-05",
            "given": [], "expected": expected, "one_of": [], "sources": [], "reason": reason}


def with_every_record(app, council: str) -> dict:
    """The council's first demo case with a draft, a record choosing interventions (with three
    warnings, one of them an exception a manager has confirmed), a funding request, a withdrawn
    record and an agreed action; what the page should show of them. An id that is both a role
    and a placement type (with labels of its own in each) is the case's placement and the
    action's owner, so a label kept under the wrong section would show."""
    with app.app_context():
        s = db.session()
        on = today()
        case = s.scalar(select(Case).where(Case.council_id == council).order_by(Case.id))
        worker = s.scalar(select(User).where(User.email == f"worker@{council}.demo"))
        catalog = load_forms(council, on)
        form, question = next(((form, question) for form in catalog.forms.values() for question in form.all_fields()
                               if question.options_from == "interventions"), (None, None))
        assert form is not None, f"{council} has no form choosing interventions"
        confirmed_by = entry_checks().confirmations[0].confirmed_by
        vocab = api.policy_on(council, on).vocabulary
        kind = next(iter(vocab.actions))
        both = sorted(set(vocab.roles) & set(vocab.placement_types))
        if both:
            case.placement_type = both[0]
        when = datetime.now(UTC) - timedelta(days=2)
        chosen = [option.value for option in question.options[:2]]
        records = [
            Submission(case=case, form_id=form.id, form_version=str(form.version), status="draft", data={},
                       created_by_id=worker.id, updated_at=when),
            Submission(case=case, form_id=form.id, form_version=str(form.version), status="submitted",
                       created_by_id=worker.id, updated_at=when, data={question.id: chosen, WARNINGS_KEY: [
                           warning("w1", "chair", "The IRO was away that week", ["iro"]),
                           warning("w2", "invitee", None, ["carer"]),
                           warning("w3", "confirmation", None, [confirmed_by])]}),
            Submission(case=case, form_id="funding_request", form_version="1", status="submitted", data={},
                       created_by_id=worker.id, updated_at=when),
            Submission(case=case, form_id=form.id, form_version=str(form.version), status="withdrawn", data={},
                       created_by_id=worker.id, updated_at=when)]
        s.add_all(records)
        s.flush()
        case.events += [
            Event(type=REQUEST_EVENT, on=on - timedelta(days=3), fields={"kind": kind, "cost": 100},
                  recorded_by=worker, source_submission_id=records[2].id),
            Event(type=confirmed_by, on=on - timedelta(days=1), fields={}, recorded_by=worker),
            Event(type="action_agreed", on=on - timedelta(days=9), recorded_by=worker,
                  fields={"action": ACTION, "due": (on - timedelta(days=1)).isoformat(),
                          **({"owner": both[0]} if both else {})})]
        s.commit()
        return {"case": case.id, "draft": records[0].id, "records": {sub.id for sub in records[1:]},
                "request": records[2].id, "labels": [question.option_label(value) for value in chosen],
                "request_label": vocab_label(vocab.actions, kind),
                "both": [vocab_label(vocab.roles, both[0]), vocab_label(vocab.placement_types, both[0])] if both else []}


def text(node) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def test_the_case_page_reads_the_submissions_once_and_every_part_shows_them(app, demo, login_as):
    made = with_every_record(app, demo.home)
    client = login_as(demo.email("manager", demo.home))
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sql_event.listen(engine_for(app), "before_cursor_execute", seen)
    try:
        answer = client.get(f"/cases/{made['case']}")
    finally:
        sql_event.remove(engine_for(app), "before_cursor_execute", seen)
    assert answer.status_code == 200
    assert len([s for s in statements if re.search(r"\bFROM submissions\b", s)]) == 1, statements
    # a record's request and the managers' confirmations come from the case's events, read once
    assert not [s for s in statements if re.search(r"source_submission_id = \S+ AND events.type =", s)
                or "SELECT events.case_id, events.type" in s]

    soup = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
    links = {int(a["href"].rsplit("/", 1)[1]) for a in soup.find(id="submitted").find_next("ul").find_all("a")}
    assert links == made["records"]                                    # the withdrawn one too
    assert "; withdrawn" in text(soup.find(id="submitted").find_next("ul"))
    assert soup.find(id="drafts").find_next("ul").find("a")["href"].endswith(f"/submissions/{made['draft']}")
    # two warnings wait for a manager; the exception is confirmed by an event on the case
    assert text(soup.find(id="case-warnings")).count("Open the record") == 2
    assert "2 points need a manager" in text(soup.find(id="case-warnings"))
    request = soup.select_one("#next-steps li[data-kind=request]")
    assert made["request_label"] in text(request)
    assert request.select_one("a.govuk-button")["href"].endswith(f"/submissions/{made['request']}")
    assert ACTION in text(soup.select_one("#next-steps li[data-kind=action]"))
    assert all(label in text(soup.find(id="interventions-chosen")) for label in made["labels"])


def test_labels_kept_for_the_request_word_the_page_as_looking_each_up_afresh(app, demo, login_as, monkeypatch):
    made = with_every_record(app, demo.home)
    client = login_as(demo.email("worker", demo.home))

    def page() -> str:
        answer = client.get(f"/cases/{made['case']}")
        assert answer.status_code == 200
        return MASKED.sub(lambda m: (m.group(1) or m.group(2)) + "-", answer.get_data(as_text=True))

    kept = page()

    def afresh(section, value):
        g.pop("hearth_vocabulary", None)   # the council's vocabulary read again for every label
        return filters._looked_up(section, value)

    monkeypatch.setattr(filters, "_label", afresh)
    assert page() == kept
    assert "&lt;carer&gt; &amp; agree" in kept
    assert all(label in kept for label in made["both"])
