"""Language 1 keeps evaluating exactly as it did: a language-1 file gives the same whole answer
with language 2's keys for the old meanings written out (judged_on: today, one_event_meets:
oldest_open, after_the_fact_overdue: false) as without them, on hypothesis-generated cases. So a
record made under an old file re-evaluates the same, and the keys `hearth policy upgrade` adds
mean what language 1 meant. The files are the shipped councils' as they were in language 1
(tests/fixtures/language1/) and Northshire's first version."""
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearth.engine.case import Case, Event
from hearth.engine.evaluate import evaluate
from hearth.engine.policy import load_council, load_version
from hearth.engine.upgrade import upgrade_text

from conftest import FIXTURES, ROOT

LANGUAGE_1 = ROOT / "tests" / "fixtures" / "language1"
FILES = {"swindon": (ROOT / "policies" / "swindon", LANGUAGE_1 / "swindon-2025-01.yaml"),
         "gateshead": (ROOT / "policies" / "gateshead", LANGUAGE_1 / "gateshead-2024-04.yaml"),
         "northshire": (FIXTURES / "northshire", FIXTURES / "northshire" / "versions" / "2025-04.yaml")}
ROLES = ["iro", "commissioning", "childs_social_worker", "fostering_manager", "head_of_service"]
PLACEMENTS = ["ifa_foster", "in_house_foster", "private_childrens_home", "connected_carer"]


def _pair(name: str, tmp: Path):
    """The language-1 file as it is, and with the old meanings written out (still language 1)."""
    folder, source = FILES[name]
    council = load_council(folder)
    plain = tmp / f"{name}-plain" / "2025-01.yaml"
    explicit = tmp / f"{name}-explicit" / "2025-01.yaml"
    for path in (plain, explicit):
        path.parent.mkdir(parents=True)
    shutil.copy(source, plain)
    first = load_version(council, plain)
    upgraded = upgrade_text(plain.read_text(), first, plain)
    assert upgraded.kept, "the file has old meanings to write out"
    explicit.write_text(re.sub(r"^language: 2$", "language: 1", upgraded.after, flags=re.M))
    second = load_version(council, explicit)
    assert (first.language, second.language) == (1, 1)
    return first, second


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("language1")
    return {name: _pair(name, tmp) for name in FILES}


def _event(kind: str, day, draw) -> tuple:
    """An event of a kind with the fields the councils read, drawn."""
    fields: dict = {}
    if kind in ("stability_meeting_held", "review_meeting_held"):
        fields = {"chair": draw(st.sampled_from(ROLES)), "attendees": draw(st.lists(st.sampled_from(ROLES), max_size=3,
                                                                                       unique=True))}
        if draw(st.booleans()):
            fields["review"] = False
        elif draw(st.booleans()):
            fields["review_date"] = day + timedelta(days=draw(st.integers(1, 20)))
    elif kind == "safeguarding_concern":
        fields = {"significant": draw(st.booleans())}
    elif kind == "planned_ending_agreed":
        fields = {"external": draw(st.booleans())}
    elif kind == "review_extended":
        fields = {"days": draw(st.integers(1, 5))}
    elif kind == "review_brought_forward":
        fields = {"to": day + timedelta(days=draw(st.integers(0, 5)))}
    elif kind == "deadline_waived":
        fields = {"deadline": "initial_meeting", "by": draw(st.sampled_from(["head_of_service", "finance_manager"]))}
    elif kind == "stability_concern_raised":
        fields = {"by": "carer"}
    return kind, day, fields


KINDS = ["stability_concern_raised", "stability_meeting_decided", "stability_meeting_held", "review_meeting_held",
         "minutes_circulated", "planned_ending_agreed", "commissioning_notified", "safeguarding_concern",
         "management_oversight_recorded", "early_review_considered", "iro_agreement_recorded", "review_extended",
         "review_brought_forward", "deadline_waived", "return_interview_held", "missing_episode"]


@st.composite
def cases(draw, start):
    day, events = start, []
    for _ in range(draw(st.integers(1, 12))):
        day += timedelta(days=draw(st.integers(0, 6)))
        events.append(_event(draw(st.sampled_from(KINDS)), day, draw))
    return events


@pytest.mark.parametrize("name", list(FILES))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_old_meanings_written_out_change_no_answer_in_language_1(pairs, name, data):
    plain, explicit = pairs[name]
    start = plain.effective_from + timedelta(days=data.draw(st.integers(0, 300)))
    drawn = data.draw(cases(start))
    known = plain.vocabulary.event_types
    events = [Event(seq, kind, day, None, fields) for seq, (kind, day, fields) in
              enumerate(e for e in drawn if e[0] in known)]
    case = Case({"ref": "L-1"}, {"type": data.draw(st.sampled_from(PLACEMENTS))}, events)
    on = drawn[-1][1] + timedelta(days=data.draw(st.integers(0, 30)))
    assert evaluate(plain, case, on) == evaluate(explicit, case, on)
