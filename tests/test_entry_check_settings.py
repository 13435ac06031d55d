"""A council may refuse, not only ask why, a record an entry check finds (issue 13, item 4):
council.yaml's ``entry_checks`` (hearth.engine.council_settings), ask for every kind unless it
says otherwise, and check_entry's warnings saying which are refused. What a warning expects is
read from the engine's own answer, never written here."""
from __future__ import annotations

from datetime import date

import pytest

from hearth.engine import api
from hearth.engine.council_settings import ENTRY_CHECK_KINDS
from hearth.engine.entry_checks import REFUSABLE, check_entry
from hearth.engine.policy import load_council
from hearth.engine.schema import council_schema
from hearth.engine.vocabulary import shared_vocabulary
from hearth.rules.source import SourceError

ON = date(2026, 1, 26)


def _with(folder, text: str):
    council = folder / "council.yaml"
    council.write_text(council.read_text() + text)
    return council


def test_a_council_that_says_nothing_asks_for_every_kind(policy_copy):
    settings = load_council(policy_copy).settings.entry_checks
    assert settings.refused == ()
    assert [settings.mode(kind) for kind in ENTRY_CHECK_KINDS] == ["ask", "ask", "ask"]


def test_a_council_refuses_the_kinds_it_names_and_asks_for_the_rest(policy_copy):
    _with(policy_copy, "entry_checks: {chair: refuse, invitees: ask}\n")
    settings = load_council(policy_copy).settings.entry_checks
    assert settings.refused == ("chair",)
    assert (settings.mode("invitees"), settings.mode("claims")) == ("ask", "ask")
    assert set(council_schema()["properties"]["entry_checks"]["properties"]) == set(REFUSABLE)


@pytest.mark.parametrize("written, expected", [
    ("entry_checks: {chair: refuze}", "'refuze' is not what to do with a record the chair check finds. "
                                      "Did you mean 'refuse'?"),
    ("entry_checks: {chiar: refuse}", "'chiar' is not a kind of entry check. Did you mean 'chair'?"),
    ("entry_checks: {confirmations: refuse}", "An exception a manager must confirm is neither asked nor refused"),
    ("entry_checks: refuse", "'entry_checks' says, for each kind of check, ask or refuse"),
])
def test_a_mistake_is_located_and_explained(policy_copy, written, expected):
    council = _with(policy_copy, f"# what a record outside the policy meets\n{written}\n")
    with pytest.raises(SourceError) as refused:
        load_council(policy_copy)
    said = str(refused.value)
    line = len(council.read_text().splitlines())
    assert expected in said and f"{council}:{line}:" in said, said


def test_the_warnings_of_a_refused_kind_say_so():
    document = {"child": {"ref": "T-1"}, "placement": {"type": "ifa_foster", "started": "2025-06-01"},
                "events": [{"type": "allegation", "on": "2026-01-12"}]}
    answer = api.evaluate("swindon", document, ON)
    outside = next(role for role in shared_vocabulary().roles if role not in answer["chair"]["options"])
    held = {"type": "stability_meeting_held", "on": "2026-01-20", "chair": outside, "attendees": []}
    asked = check_entry(answer, [held], document["events"])
    assert {w.kind for w in asked} == {"chair", "invitee"} and not any(w.refused for w in asked)
    refused = check_entry(answer, [held], document["events"], refuse=("chair",))
    assert [(w.kind, w.refused) for w in refused] == [(w.kind, w.kind == "chair") for w in asked]
    assert next(w for w in refused if w.kind == "chair").as_dict()["refused"] is True
    with pytest.raises(ValueError, match="confirmations cannot be refused"):
        check_entry(answer, [held], document["events"], refuse=("confirmations",))
