"""`prefill: <event type>.<field>` (docs/form-language.md "Starting from the policy"): a new
record starts from what the case already records -- the meeting arranged, the chair decided --
and a mistake in the prefill is located with a suggestion."""
from __future__ import annotations

from datetime import date

import pytest

from hearth.engine import api
from hearth.engine.forms_catalog import load_forms
from hearth.forms import events_from, load_form
from hearth.rules.source import SourceError

from forms_support import OPTIONS, SPECS

FORM = """\
title: Meeting record
version: 1
sections:
  - fields:
      - {id: meeting_date, kind: date, label: Date, name: the date, prefill: meeting_scheduled.meeting_date}
      - {id: chair, kind: select, label: Chair, name: the chair, options: roles, prefill: stability_meeting_decided.chair}
      - {id: invited, kind: roles, label: Invited, name: who was invited, prefill: meeting_scheduled.invited}
      - {id: decided_on, kind: date, label: Decided, name: the decision's date, prefill: stability_meeting_decided.on}
"""


def load(text):
    return load_form(text, "record.yaml", OPTIONS, SPECS, default_id="record")


def problems(text) -> list[str]:
    with pytest.raises(SourceError) as caught:
        load(text)
    return [f"{p.loc.line}: {p.message}" for p in caught.value.problems]


def test_a_new_record_starts_from_the_latest_events_answers_within_its_options():
    defn = load(FORM)
    given = {"meeting_scheduled.meeting_date": "2026-12-22", "stability_meeting_decided.chair": "fostering_manager",
             "meeting_scheduled.invited": ["child", "iro", "not_a_role"], "stability_meeting_decided.on": "2026-12-18"}
    assert defn.prefilled(given) == {"meeting_date": "2026-12-22", "chair": "fostering_manager",
                                     "invited": ["child", "iro"], "decided_on": "2026-12-18"}
    assert defn.prefilled({"stability_meeting_decided.chair": "no_such_role"}) == {}


@pytest.mark.parametrize("prefill, expected", [
    ("meeting_sheduled.meeting_date", "5: 'meeting_sheduled' is not an event type. Did you mean 'meeting_scheduled'?"),
    ("meeting_scheduled.meeting_dat", "5: 'meeting_dat' is not a field of 'meeting_scheduled'. Did you mean 'meeting_date'?"),
    ("meeting_scheduled.invited", "5: 'meeting_scheduled.invited' holds a list, which a date question cannot start from."),
    ("the arranged date", "5: 'prefill' says what a new form starts with; 'the arranged date' is not something it can."),
])
def test_a_prefill_that_cannot_be_is_located(prefill, expected):
    text = FORM.replace("prefill: meeting_scheduled.meeting_date}", f"prefill: {prefill}}}")
    found = problems(text)
    assert any(message.startswith(expected) for message in found), found


@pytest.mark.parametrize("council, form_id, prefills", [
    ("gateshead", "stable_homes_meeting", {"meeting_date": "meeting_scheduled.meeting_date",
                                           "chair": "stability_meeting_decided.chair",
                                           "invited": "meeting_scheduled.invited"}),
    ("swindon", "stability_meeting_minutes", {"meeting_date": "meeting_scheduled.meeting_date",
                                              "chair": "stability_meeting_decided.chair"}),
])
def test_the_councils_meeting_records_start_from_the_meeting_arranged(council, form_id, prefills):
    defn = load_forms(council).get(form_id)
    assert {f.id: f.prefill for f in defn.all_fields() if f.prefill} == prefills


def test_swindons_management_oversight_can_arise_from_its_minutes():
    """Every chair the minutes offered was a manager, so the duty for a meeting chaired and
    attended by no manager could never arise from the web's forms."""
    defn = load_forms("swindon").get("stability_meeting_minutes")
    chair = defn.fields_by_id["chair"]
    managers = set(api.policy_on("swindon", date(2026, 6, 1)).vocabulary.role_groups["managers"])
    outside = [option.value for option in chair.options if option.value not in managers]
    assert outside, "the minutes offer only managers as chair"
    record = {"chair": outside[0], "attended": ["child", outside[0], "foster_carer"]}
    events = [event for event in events_from(defn, record | {"meeting_date": "2026-06-01"})
              if event["type"] == "stability_meeting_held"]
    assert events and events[0]["chair"] == outside[0]
    case = {"child": {"ref": "S-1"}, "placement": {"type": "in_house_foster", "started": "2026-01-05"},
            "events": [{"type": "stability_concern_raised", "on": "2026-05-20", "by": "foster_carer"}, *events]}
    answer = api.evaluate("swindon", case, date(2026, 6, 2))
    assert [duty["id"] for duty in answer["duties"] if duty["status"] == "pending"] == ["management_oversight"]
