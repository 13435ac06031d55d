"""`planned_by`: a deadline knows the day its meeting is arranged for, and says when that
day is after the deadline (the councils' `meeting_scheduled` event). Dates worked out by hand."""
import shutil
from datetime import date
from pathlib import Path

import pytest

from hearth.engine import api
from hearth.engine.policy import load_policy
from hearth.rules.source import SourceError

from councils import needs_council

pytestmark = [needs_council("gateshead")]   # council-specific: it names its council(s)

POLICIES = Path(__file__).resolve().parents[1] / "policies"


def initial_meeting(events, on="2026-12-21"):
    case = {"child": {"ref": "G-1"}, "placement": {"type": "in_house_foster", "started": "2026-01-05"},
            "events": [{"type": "stability_meeting_decided", "on": "2026-12-18",
                        "chair": "fostering_team_manager", "arranger": "childs_social_worker"}, *events]}
    answer = api.evaluate("gateshead", case, date.fromisoformat(on))
    return next(d for d in answer["deadlines"] if d["id"] == "initial_meeting")


def arranged(on, for_day, meeting="stability"):
    return {"type": "meeting_scheduled", "on": on, "meeting": meeting, "meeting_date": for_day,
            "invited": ["childs_social_worker", "iro"]}


def test_a_meeting_arranged_in_time():
    # Decided Friday 18 December 2026: five working days, skipping Christmas Day and the
    # Boxing Day holiday on Monday 28th, is Tuesday 29 December.
    d = initial_meeting([arranged("2026-12-21", "2026-12-23")])
    assert (d["due"], d["status"]) == ("2026-12-29", "pending")
    assert (d["planned_for"], d["planned_late"], d["planned_on"]) == ("2026-12-23", False, "2026-12-21")


def test_a_meeting_arranged_after_the_deadline_is_flagged_and_the_latest_arrangement_counts():
    d = initial_meeting([arranged("2026-12-21", "2026-12-30")])
    assert (d["planned_for"], d["planned_late"]) == ("2026-12-30", True)
    d = initial_meeting([arranged("2026-12-21", "2026-12-30"), arranged("2026-12-22", "2026-12-29")], on="2026-12-22")
    assert (d["planned_for"], d["planned_late"]) == ("2026-12-29", False)


def test_only_the_matching_meeting_and_only_until_it_is_held():
    d = initial_meeting([arranged("2026-12-21", "2026-12-23", meeting="review")])
    assert "planned_for" not in d
    held = {"type": "stability_meeting_held", "on": "2026-12-23", "chair": "fostering_team_manager",
            "attendees": ["childs_social_worker"], "review_date": "2027-01-08"}
    d = initial_meeting([arranged("2026-12-21", "2026-12-23"), held], on="2026-12-23")
    assert d["status"] == "met" and "planned_for" not in d
    # an arrangement made before the decision plans nothing for it
    d = initial_meeting([arranged("2026-12-17", "2026-12-23")])
    assert "planned_for" not in d


@pytest.mark.parametrize("old,new,message", [
    ("date: meeting_date}", "date: meeting_dat}", "'date' must name a date field of meeting_scheduled. "
                                                  "Did you mean 'meeting_date'?"),
    ("date: meeting_date}", "dat: meeting_date}", "Did you mean 'date'?"),
    ("where: {meeting: stability}", "where: {meting: stability}", "Did you mean 'meeting'?"),
])
def test_planned_by_mistakes_are_located(tmp_path, old, new, message):
    folder = tmp_path / "gateshead"
    shutil.copytree(POLICIES / "gateshead", folder)
    path = folder / "versions" / "2024-04.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(SourceError) as info:
        load_policy(folder)
    found = [p for p in info.value.problems if message in p.message]
    assert found, [str(p) for p in info.value.problems]
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if new in t)
    assert found[0].loc.line == line and found[0].loc.file.endswith("2024-04.yaml")
