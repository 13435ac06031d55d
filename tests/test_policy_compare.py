"""Councils' policies side by side (hearth.engine.policy_compare), for pairs of the session's
councils (tests/councils.py): a column per council in the order given, a chair row and two
invitee rows for every placement type any of them has (a cell None exactly where a council's
vocabulary lacks the type), a row for every deadline or duty id, and every item carrying a
source sentence of its own council's rules. Nothing here names a council."""
from __future__ import annotations

from datetime import date
from itertools import combinations

import pytest

from hearth.engine import api
from hearth.engine.policy_compare import INVITEE_PARTS, TOPICS, compare

from councils import generic_councils, session_root

PAIRS = list(combinations(generic_councils(), 2))


def published(council_id: str):
    root = session_root()
    return api.get_council(council_id, root), api.get_policy(council_id, root).version_on(date.today())


def sources(version) -> set:
    return {rule.source for section in ("triggers", "chair", "invitees", "deadlines", "duties", "gates",
                                        "interventions") for rule in getattr(version, section)}


@pytest.mark.parametrize("pair", PAIRS, ids=["-".join(pair) for pair in PAIRS])
def test_rows_align_by_the_councils_own_ids(pair):
    policies = [published(council_id) for council_id in pair]
    versions = [version for _, version in policies]
    comparison = compare(policies)
    assert [column.council_id for column in comparison.columns] == list(pair)
    assert [topic.id for topic in comparison.topics] == [topic for topic, _ in TOPICS]
    topics = {topic.id: topic for topic in comparison.topics}

    types = {t for version in versions for t in version.vocabulary.placement_types}
    chair = {row.key: row for row in topics["chair"].rows}
    invitees = {row.key: row for row in topics["invitees"].rows}
    assert set(chair) == {f"chair:{t}" for t in types}
    assert set(invitees) == {f"invitees:{part}:{t}" for t in types for part, _ in INVITEE_PARTS}
    for placement_type in types:
        for row in (chair[f"chair:{placement_type}"],
                    *(invitees[f"invitees:{part}:{placement_type}"] for part, _ in INVITEE_PARTS)):
            assert [cell is None for cell in row.cells] == \
                [placement_type not in version.vocabulary.placement_types for version in versions], row.key

    obligations = {row.key: row for row in topics["deadlines"].rows}
    assert set(obligations) == {f"deadline:{d.id}" for v in versions for d in v.deadlines} | \
        {f"duty:{d.id}" for v in versions for d in v.duties}
    for index, version in enumerate(versions):
        for deadline in version.deadlines:
            (item,) = obligations[f"deadline:{deadline.id}"].cells[index]
            assert item.title == deadline.title and item.source == deadline.source
        (triggers,) = topics["triggers"].rows
        assert [item.title for item in triggers.cells[index]] == [t.title for t in version.triggers]
        (menu,) = topics["interventions"].rows
        assert [item.title for item in menu.cells[index]] == [i.label for i in version.interventions]
        own = sources(version)
        for topic in comparison.topics:
            for row in topic.rows:
                for item in row.cells[index] or ():
                    assert item.source in own, (topic.id, row.key, item.title)


def test_a_council_beside_itself_has_a_cell_for_every_placement_type_and_the_same_words():
    """A chair row for every type of the vocabulary, each cell present (empty at worst, never
    None: "no one named" and "no such type" stay apart), both columns said alike."""
    council, version = published(generic_councils()[0])
    comparison = compare([(council, version), (council, version)])
    chair = next(topic for topic in comparison.topics if topic.id == "chair")
    assert len(chair.rows) == len(version.vocabulary.placement_types)
    assert all(cell is not None for row in chair.rows for cell in row.cells)
    assert all(row.cells[0] == row.cells[1] for row in chair.rows)
