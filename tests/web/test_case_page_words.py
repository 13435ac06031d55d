"""The case page words the engine's explanations from its structured facts, with each council's
own labels (hearth.web.answer_words): real cases of both councils, expectations drawn from the
policy data (durations, event and placement labels), not written-in answers."""
from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from hearth.engine import api
from hearth.web import db
from hearth.web.answer_words import duration_words
from hearth.web.filters import long_date
from hearth.web.models import User

from live_support import add_case
from web_support import login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

TODAY = date(2026, 12, 21)           # a Monday
CONCERN, DECIDED = date(2026, 12, 17), date(2026, 12, 18)


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _page(app, monkeypatch, council: str, placement: str, events) -> str:
    monkeypatch.setitem(app.config, "HEARTH_TODAY", TODAY)
    with app.app_context():
        s = db.session()
        worker = s.scalar(select(User).where(User.email == f"worker@{council}.demo"))
        case = add_case(s, council, f"WORDS-{council}", placement, "2026-01-05", worker, events)
        s.commit()
        case_id = case.id
    client = app.test_client()
    assert login(client, f"worker@{council}.demo").status_code == 302
    response = client.get(f"/cases/{case_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _text(node) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


@pytest.mark.parametrize("council", ["gateshead", "swindon"])
def test_the_case_page_words_deadlines_triggers_gates_and_chairs_from_facts(app, demo, monkeypatch, council):
    policy = api.policy_on(council, TODAY)
    labels = {t: et.label for t, et in policy.vocabulary.event_types.items()}
    placement = next(test.value for row in policy.chair for test in getattr(row.when, "tests", ())
                     if test.path == "placement.type" and test.op == "is")
    body = _page(app, monkeypatch, council, placement, [("stability_concern_raised", CONCERN.isoformat(), {}),
                                                        ("stability_meeting_decided", DECIDED.isoformat(), {})])
    soup = BeautifulSoup(body, "html.parser")
    evaluation = _text(soup.find(id="evaluation"))

    # the deadline the decision starts: "5 working days after the decision to hold a ... meeting on 18 December 2026"
    ob = next(o for o in policy.deadlines if "stability_meeting_decided" in o.starts.types)
    basis = (f"{duration_words({'amount': ob.due[0].duration.amount, 'unit': ob.due[0].duration.unit.name.lower()})}"
             f" after the {_lower(labels['stability_meeting_decided'])} on {long_date(DECIDED)}")
    assert basis[:1].upper() + basis[1:] in _text(soup.find(id="deadlines"))

    # the concern's trigger, by the event's label and the day written out
    assert f"{_lower(labels['stability_concern_raised'])} on {long_date(CONCERN)}." in evaluation

    # the chair row for this placement: said with the placement type's label
    placement_label = policy.vocabulary.placement_types[placement]
    placement_label = getattr(placement_label, "label", placement_label)
    assert f"This applies because the placement is {placement_label}." in evaluation

    # a gate waiting for a meeting: the events' labels, not their ids
    waiting = [g for g in policy.gates if g.blocked_until is not None]
    assert bool(waiting) == (soup.find(id="gates") is not None)
    for gate in waiting:
        waited = " or ".join(_lower(labels[t]) for t in gate.blocked_until.types)
        assert f"Waiting for: {waited}" in _text(soup.find(id="gates"))
    for raw in ("stability_meeting_decided", "2026-12-18", "placement type is"):
        assert raw not in evaluation
