"""The policy checked as a record is made (hearth.engine.entry_checks), on both councils' real
policies: what a warning expects is read from the engine's own answer for the case, never
written here."""
from datetime import date
from pathlib import Path

import pytest

from hearth.engine import api
from hearth.engine.demo import DEMO_FILE, read_demo_cases
from hearth.engine.entry_checks import _declarations, check_entry, entry_checks
from hearth.engine.vocabulary import shared_vocabulary
from hearth.rules.source import Problems, SourceError, load_yaml

ROOT = Path(__file__).resolve().parents[1]
ON = date(2026, 1, 26)
COUNCILS = ["gateshead", "swindon"]
PLACEMENTS = ["in_house_foster", "ifa_foster", "connected_carer", "private_childrens_home"]


def _case(placement: str, events: list | None = None) -> dict:
    return {"child": {"ref": "T-1"}, "placement": {"type": placement, "started": "2025-06-01"},
            "events": events or [{"type": "allegation", "on": "2026-01-12"}]}


def _answer(council: str, document: dict, on: date = ON) -> dict:
    return api.evaluate(council, document, on)


def _everyone_required(answer: dict) -> list:
    invitees = answer["invitees"]
    return invitees["required"] + [chosen["roles"][0] for chosen in invitees["required_one_of"]]


@pytest.mark.parametrize("council", COUNCILS)
@pytest.mark.parametrize("placement", PLACEMENTS)
def test_a_chair_outside_the_answers_options_is_a_warning_with_its_source(council, placement):
    document = _case(placement)
    answer = _answer(council, document)
    options = answer["chair"]["options"]
    outside = next(role for role in shared_vocabulary().roles if role not in options)
    held = {"type": "stability_meeting_held", "on": "2026-01-20", "chair": outside,
            "attendees": _everyone_required(answer)}
    warnings = check_entry(answer, [held], document["events"])
    assert [(w.kind, w.given, w.expected, w.sources) for w in warnings] == [
        ("chair", [outside], options, [answer["chair"]["source"]])]
    assert warnings[0].on == "2026-01-20" and warnings[0].event == "stability_meeting_held"
    assert check_entry(answer, [{**held, "chair": options[0]}], document["events"]) == []


@pytest.mark.parametrize("council", COUNCILS)
@pytest.mark.parametrize("placement", PLACEMENTS)
def test_a_required_invitee_left_out_is_named(council, placement):
    document = _case(placement)
    answer = _answer(council, document)
    everyone = _everyone_required(answer)
    left_out = answer["invitees"]["required"][-1]
    arranged = {"type": "meeting_scheduled", "on": "2026-01-20", "meeting": "stability",
                "meeting_date": "2026-01-22", "invited": [r for r in everyone if r != left_out]}
    warnings = check_entry(answer, [arranged], document["events"])
    assert [(w.kind, w.field, w.expected, w.one_of) for w in warnings] == [("invitee", "invited", [left_out], [])]
    row = next(b for b in answer["invitees"]["because"] if left_out in b["required"])
    assert row["source"] in warnings[0].sources
    assert check_entry(answer, [{**arranged, "invited": everyone}], document["events"]) == []


@pytest.mark.parametrize("council", COUNCILS)
def test_a_meeting_claimed_that_the_case_does_not_show(council):
    document = _case("in_house_foster")
    answer = _answer(council, document)
    claim = entry_checks().claims[0]
    request = {"type": claim.event, "on": "2026-01-20", "kind": "increased_funding", claim.field: True}
    warnings = check_entry(answer, [request], document["events"])
    assert [(w.kind, w.field, w.expected) for w in warnings] == [("claim", claim.field, list(claim.shows))]
    held = {"type": claim.shows[0], "on": "2026-01-19"}
    assert check_entry(answer, [request], document["events"] + [held]) == []
    later = {**held, "on": "2026-01-21"}  # a meeting after the request does not bear it out
    assert len(check_entry(answer, [request], document["events"] + [later])) == 1
    assert check_entry(answer, [{**request, claim.field: False}], document["events"]) == []


def test_swindons_safeguarding_exception_needs_a_managers_confirmation():
    confirmation = entry_checks().confirmations[0]
    concern = {"type": confirmation.event, "on": "2026-01-10", **dict(confirmation.where)}
    document = _case("private_childrens_home", [concern])
    answer = _answer("swindon", document, date(2026, 1, 12))
    assert {g["action"]: g["status"] for g in answer["gates"]}["increased_funding"] == "blocked"
    warnings = check_entry(answer, [concern], [])
    assert [(w.kind, w.expected) for w in warnings] == [("confirmation", [confirmation.confirmed_by])]
    confirmed = {"type": confirmation.confirmed_by, "on": "2026-01-11",
                 "details": "x" * confirmation.reason_min_length}
    document["events"].append(confirmed)
    answer = _answer("swindon", document, date(2026, 1, 12))
    assert {g["action"]: g["status"] for g in answer["gates"]}["increased_funding"] == "overridden"
    assert check_entry(answer, [{**concern, "significant": False}], []) == []


def test_every_declaration_names_a_field_of_its_kind_and_mistakes_are_located():
    checks = entry_checks()
    vocabulary = shared_vocabulary()
    for declared, kind in ((checks.chair, "role"), (checks.invitees, "roles"), (checks.claims, "boolean")):
        assert declared and all(vocabulary.event_fields(d.event)[d.field].kind == kind for d in declared)
    for d in checks.confirmations:
        assert vocabulary.recorders(d.confirmed_by) == ("manager",)
    doc = load_yaml("chair:\n  - {event: stability_meeting_held, field: attendees}\n"
                    "claims:\n  - {event: funding_requested, field: meeting_held, shows: [stability_meeting_hold]}\n",
                    "bad.yaml")
    problems = Problems()
    assert _declarations(doc, vocabulary, problems).chair == ()
    messages = [(p.loc.line, p.message) for p in problems.items]
    assert messages == [(2, "'stability_meeting_held' has no field 'attendees' of kind role."),
                        (4, "'stability_meeting_hold' is not an event type of the vocabulary.")]
    with pytest.raises(SourceError):
        problems.raise_if_any()


@pytest.mark.parametrize("council", COUNCILS)
def test_the_demo_meetings_keep_to_the_policy(council):
    """The demo cases (policies/<council>/demo) are chaired and attended as the policy asks."""
    policy = api.get_policy(council, ROOT / "policies")
    for case in read_demo_cases(ROOT / "policies" / council, policy, ON):
        events = [{"type": e.type, "on": e.on.isoformat(), **e.fields} for e in case.events]
        for index, event in enumerate(events):
            document = {"child": {"ref": case.ref},
                        "placement": {"type": case.placement_type, "started": case.placement_started.isoformat()},
                        "events": events[:index]}
            answer = _answer(council, document, case.events[index].on)
            assert check_entry(answer, [event], events[:index]) == [], (case.ref, event)
    assert (ROOT / "policies" / council / DEMO_FILE).is_file()


def test_a_role_group_among_the_chair_options_stands_for_its_members():
    """A group named in a chair row (the answer's `groups`) allows each of its members."""
    vocabulary = shared_vocabulary()
    members, outsider = list(vocabulary.roles)[:2], list(vocabulary.roles)[2]
    answer = {"chair": {"options": ["managers"], "groups": {"managers": members}, "source": "s"}}
    held = {"type": "stability_meeting_held", "on": "2026-01-20"}
    assert check_entry(answer, [{**held, "chair": members[1]}], []) == []
    assert [w.given for w in check_entry(answer, [{**held, "chair": outsider}], [])] == [[outsider]]
