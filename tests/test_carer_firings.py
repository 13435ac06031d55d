"""A trigger fired by the carer's events ('per: carer') counts as fired for 'triggered' conditions,
whether or not the child has events of their own, and after the child's latest event that day
or before: it was placed *at* the child's last event (seq -1 with none), so a recommendation on
it came back None for a child with no events, and a 'since' a child's meeting never saw it."""
import shutil
from datetime import date
from pathlib import Path

import pytest

from hearth.engine.case import parse_case_data
from hearth.engine.evaluate import evaluate
from hearth.engine.policy import load_policy

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "councils" / "every_construct"
ON = date(2026, 3, 10)
CARER = {"ref": "FC-7", "events": [{"type": "unplanned_ending", "on": "2025-09-15"},
                                   {"type": "unplanned_ending", "on": "2026-03-10"}]}


@pytest.fixture(scope="module")
def policy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("councils") / "every_construct"
    shutil.copytree(FIXTURE, folder)
    version = folder / "versions" / "2026-01.yaml"
    text = version.read_text()
    row = "when: {triggered: [carer-endings]}"
    assert text.count(row) == 1
    version.write_text(text.replace(row, "when: {triggered: [carer-endings], since: care_planning_meeting_held}"))
    return load_policy(folder).version_on(ON)


def answer(policy, events, carer=CARER):
    case = parse_case_data({"placement": {"type": "in_house_foster", "started": "2025-06-01"},
                            "events": events, "carer": carer}, policy.vocabulary, "case")
    return evaluate(policy, case, ON)


@pytest.mark.parametrize("events", [
    [],                                                                  # the child has no events of their own
    [{"type": "care_planning_meeting_held", "on": "2026-01-05"}],        # the carer's endings came after it
    [{"type": "care_planning_meeting_held", "on": "2026-03-10"}],        # ... or the same day (the carer's
])                                                                       # events come after the child's that day
def test_a_carer_trigger_counts_as_fired(policy, events):
    result = answer(policy, events)
    assert [t["rule"] for t in result["triggers"]] == ["carer-endings"]
    assert result["recommendation"] == "present_to_panel", result["recommendation"]


def test_a_carer_trigger_before_the_childs_meeting_is_not_since_it(policy):
    earlier = {**CARER, "events": [{"type": "unplanned_ending", "on": "2025-09-15"},
                                   {"type": "unplanned_ending", "on": "2026-03-01"}]}
    result = answer(policy, [{"type": "care_planning_meeting_held", "on": "2026-03-05"}], earlier)
    assert [t["rule"] for t in result["triggers"]] == ["carer-endings"]
    assert result["recommendation"] != "present_to_panel"
