"""The policy language's `closes_case` (docs/policy-language.md): an event type may say that
recording it closes the case and which of its fields is the outcome; a field it does not have
is a located mistake, and the shared vocabulary's concern_closed closes with its outcome."""
from __future__ import annotations

from hearth.engine.vocabulary import merge_vocabulary, shared_vocabulary
from hearth.rules.source import Problems, load_yaml


def _merged(text: str) -> tuple[object, list[str]]:
    problems = Problems()
    vocabulary = merge_vocabulary(shared_vocabulary(), load_yaml(text, "council.yaml"), problems)
    return vocabulary, [p.message for p in problems.items]


def test_shared_concern_closed_closes_the_case_with_its_outcome():
    closed = shared_vocabulary().event_types["concern_closed"]
    assert (closed.closes_case, closed.outcome_field) == (True, "outcome")
    assert not shared_vocabulary().event_types["missing_episode"].closes_case


def test_closes_case_names_one_of_its_own_fields():
    vocabulary, problems = _merged("""
event_types:
  work_ended:
    label: Work ended
    fields: {result: {kind: text}}
    closes_case: {outcome: reslt}
  moved_away: {label: Moved away, closes_case: true}
""")
    assert any("'reslt' is not a field of 'work_ended'" in message and "result" in message for message in problems)
    assert vocabulary.event_types["moved_away"].closes_case
    assert vocabulary.event_types["moved_away"].outcome_field is None
