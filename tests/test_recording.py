"""The rules for recording new events (hearth.engine.recording): who may record each
type, nothing dated after today, the service-wide bounds, and the per-request count."""
from __future__ import annotations

from datetime import date

import pytest

from hearth.engine import api
from hearth.engine.recording import check_new_events, who_may_record
from hearth.rules.limits import MAX_EVENTS_PER_REQUEST

from councils import needs_council

pytestmark = [needs_council("swindon")]   # council-specific: it names its council(s)

TODAY = date(2026, 1, 26)


@pytest.fixture(scope="module")
def policy():
    return api.policy_on("swindon", TODAY)


def _fields(problems) -> list[str]:
    return [p.field for p in problems]


def test_workers_and_managers_record_ordinary_events(policy):
    events = [{"type": "missing_episode", "on": "2026-01-20"}, {"type": "absence", "on": TODAY}]
    for role in ("worker", "manager"):
        assert check_new_events(policy, events, today=TODAY, app_role=role) == []
    assert _fields(check_new_events(policy, events, today=TODAY, app_role="policy_officer")) == \
        ["events[0].type", "events[1].type"]


@pytest.mark.parametrize("event_type", ["panel_approved", "funding_approved"])
def test_only_managers_record_approvals(policy, event_type):
    event = {"type": event_type, "on": "2026-01-20", "request": "external_service"}
    problems = check_new_events(policy, [event], today=TODAY, app_role="worker")
    assert _fields(problems) == ["events[0].type"]
    assert problems[0].message.startswith("Only a manager can record")
    assert check_new_events(policy, [event], today=TODAY, app_role="manager") == []
    assert who_may_record(policy.vocabulary, "missing_episode") == "a social worker or a manager"


def test_nothing_dated_after_today(policy):
    problems = check_new_events(policy, [{"type": "missing_episode", "on": "2026-01-27"},
                                         {"type": "missing_episode", "on": "2026-01-27T09:00"}],
                                today=TODAY, app_role="worker")
    assert _fields(problems) == ["events[0].on", "events[1].on"]
    assert "after today (2026-01-26)" in problems[0].message


@pytest.mark.parametrize("value,field", [("a\x00b", "events[0].details"), ("\ud800", "events[0].details"),
                                         ("x" * 10_001, "events[0].details")])
def test_text_within_the_bounds(policy, value, field):
    problems = check_new_events(policy, [{"type": "missing_episode", "on": "2026-01-20", "details": value}],
                                today=TODAY, app_role="worker")
    assert _fields(problems) == [field] and "cannot be recorded" in problems[0].message


@pytest.mark.parametrize("days", [float("inf"), float("nan"), 10 ** 13])
def test_numbers_within_the_bounds(policy, days):
    problems = check_new_events(policy, [{"type": "review_extended", "on": "2026-01-20", "days": days}],
                                today=TODAY, app_role="worker")
    assert _fields(problems) == ["events[0].days"]


def test_at_most_so_many_events_per_request(policy):
    events = [{"type": "absence", "on": "2026-01-20"}] * (MAX_EVENTS_PER_REQUEST + 1)
    problems = check_new_events(policy, events, today=TODAY, app_role="worker")
    assert _fields(problems) == ["events"] and str(MAX_EVENTS_PER_REQUEST) in problems[0].message
    assert check_new_events(policy, events[:-1], today=TODAY, app_role="worker") == []


def test_unknown_types_and_shapes_are_left_to_the_case_reader(policy):
    assert check_new_events(policy, [{"type": "missing_episod", "on": "2026-01-20"}, "nonsense"],
                            today=TODAY, app_role="worker") == []
