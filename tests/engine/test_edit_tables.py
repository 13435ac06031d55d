"""hearth.engine.editing.tables and .menu: the chair and invitee tables and the intervention menu
round-trip every shipped council's version files byte for byte, and a real edit changes only
the lines it concerns (a line diff) and loads with the new meaning."""
from __future__ import annotations

import difflib
from datetime import date

import pytest

from hearth.engine.api import policies_root
from hearth.engine.editing import menu, tables
from hearth.engine.editing.tables import EXCEPT, ONLY, Placements, RowValues
from hearth.engine.editing.yaml_text import YamlText
from hearth.engine.policy import load_policy
from hearth.engine.policy_files import PolicyFiles
from hearth.engine.policy_words import for_placement

from councils import shipped_councils


def _versions():
    for council in shipped_councils():
        files = PolicyFiles.from_folder(policies_root() / council)
        for path in files.glob("versions/*.yaml"):
            yield pytest.param(council, files, path, id=f"{council}:{path}")


def _diff(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.split("\n"), after.split("\n"), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("---", "+++"))]


def _comments_and_sources_kept(before: str, after: str, removed: tuple = ()) -> None:
    kept = [line for line in before.split("\n") if line.strip().startswith(("#", "source:")) and line not in removed]
    assert all(line in after.split("\n") for line in kept)


@pytest.mark.parametrize("council, files, path", list(_versions()))
def test_every_row_and_intervention_written_as_read_leaves_the_file_byte_identical(council, files, path):
    text = files.text(path)
    document = YamlText(text, path)
    vocabulary = tables.vocabulary_of(document)
    opened = 0
    for section in tables.SECTIONS:
        for row in tables.rows(document, section, vocabulary):
            if row.editable:
                tables.write_row(document, section, row.index, row.values, vocabulary)
                opened += 1
    for item in menu.items(document):
        if item.editable:
            menu.write_intervention(document, item.values.id, item.values)
            opened += 1
    assert opened > 0 and document.text == text


@pytest.mark.parametrize("council, files, path", list(_versions()))
def test_a_second_chair_option_changes_one_line_and_the_policy_loads_with_it(council, files, path):
    text = files.text(path)
    document = YamlText(text, path)
    vocabulary = tables.vocabulary_of(document)
    row = next(row for row in tables.rows(document, "chair", vocabulary) if row.values.placements.mode == ONLY)
    added = next(role for role in vocabulary.roles if role not in row.values.roles["options"])
    options = row.values.roles["options"] + (added,)
    tables.write_row(document, "chair", row.index, RowValues(row.values.placements, {"options": options},
                                                             row.values.source), vocabulary)
    [removed, inserted] = _diff(text, document.text)
    assert removed.startswith("-") and inserted == "+" + removed[1:].replace("]", f", {added}]")
    _comments_and_sources_kept(text, document.text)
    version = next(v for v in load_policy(files.replace({path: document.text})).versions if v.file.endswith(path))
    assert version.chair[row.index].options == options


def test_placement_types_become_every_type_except_and_a_row_for_every_type_gets_a_when():
    files = PolicyFiles.from_folder(policies_root() / shipped_councils()[0])
    path = files.glob("versions/*.yaml")[-1]
    text = files.text(path)
    document = YamlText(text, path)
    vocabulary = tables.vocabulary_of(document)
    rows = tables.rows(document, "invitees", vocabulary)
    limited = next(row for row in rows if row.values.placements.mode == ONLY)
    always = next(row for row in rows if row.values.placements.mode == "every")
    types = limited.values.placements.types
    tables.write_row(document, "invitees", limited.index,
                     RowValues(Placements(EXCEPT, types), limited.values.roles, limited.values.source), vocabulary)
    tables.write_row(document, "invitees", always.index,
                     RowValues(Placements(ONLY, types[:1]), always.values.roles, always.values.source), vocabulary)
    changed = _diff(text, document.text)
    # the row for every type gets its `when` first, as the house writes it: its dash line moves down
    first_key = next(line for line in changed if line.startswith("-  - ") and "when:" not in line)
    assert len(changed) == 5 and f"+  - when: {{placement.type: {types[0]}}}" in changed
    assert "+    " + first_key[len("-  - "):] in changed
    assert f"+  - when: {{placement.type: {{not_one_of: [{', '.join(types)}]}}}}" in changed
    _comments_and_sources_kept(text, document.text)
    version = next(v for v in load_policy(files.replace({path: document.text})).versions if v.file.endswith(path))
    outside = next(name for name in vocabulary.placement_types if name not in types)
    assert tables.read_row(document, "invitees", limited.index, vocabulary).values.placements == Placements(EXCEPT, types)
    assert for_placement(version.invitees[limited.index].when, outside) is True
    assert for_placement(version.invitees[limited.index].when, types[0]) is False
    assert for_placement(version.invitees[always.index].when, outside) is False


def test_rows_added_removed_and_moved_take_only_their_own_lines():
    files = PolicyFiles.from_folder(policies_root() / shipped_councils()[0])
    path = files.glob("versions/*.yaml")[-1]
    text = files.text(path)
    document = YamlText(text, path)
    vocabulary = tables.vocabulary_of(document)
    chair = tables.rows(document, "chair", vocabulary)
    fallback = next(row.index for row in chair if row.values.placements.mode == "every")
    role, placement_type = next(iter(vocabulary.roles)), next(iter(vocabulary.placement_types))
    at = tables.add_row(document, "chair", RowValues(Placements(ONLY, (placement_type,)), {"options": (role,)},
                                                     "A new sentence"))
    assert at == fallback and _diff(text, document.text) == [
        f"+  - when: {{placement.type: {placement_type}}}", f"+    options: [{role}]", "+    source: A new sentence"]
    tables.remove_row(document, "chair", at)
    assert document.text == text
    tables.move_row(document, "invitees", 1, "up")
    tables.move_row(document, "invitees", 0, "down")
    assert document.text == text
    tables.remove_row(document, "invitees", 0)
    assert all(line.startswith("-") for line in _diff(text, document.text))
    with pytest.raises(tables.EditError):
        tables.move_row(document, "chair", 0, "up")


def test_an_intervention_changed_added_removed_and_moved():
    files = PolicyFiles.from_folder(policies_root() / shipped_councils()[0])
    path = files.glob("versions/*.yaml")[-1]
    text = files.text(path)
    document = YamlText(text, path)
    first = menu.items(document)[0]
    values = first.values
    changed = menu.InterventionValues(values.id, "A new label", not values.costed, date(2026, 4, 1), None,
                                      values.source)
    menu.write_intervention(document, values.id, changed)
    lines = _diff(text, document.text)
    assert "+    label: A new label" in lines and f"+    costed: {'false' if values.costed else 'true'}" in lines
    assert "+    available_from: 2026-04-01" in lines and len([line for line in lines if line[0] == "+"]) == 3
    _comments_and_sources_kept(text, document.text)
    version = next(v for v in load_policy(files.replace({path: document.text})).versions if v.file.endswith(path))
    assert (version.interventions[0].label, version.interventions[0].available_from) == ("A new label", date(2026, 4, 1))

    document = YamlText(text, path)
    menu.add_intervention(document, menu.InterventionValues("peer_mentoring", "Peer mentoring", True, None, None,
                                                            "Peer mentoring"))
    assert [line for line in _diff(text, document.text) if line[1:].strip()] == ["+  - id: peer_mentoring", "+    label: Peer mentoring",
                                               "+    costed: true", "+    source: Peer mentoring"]
    with pytest.raises(menu.EditError):
        menu.add_intervention(document, menu.InterventionValues("peer_mentoring", "Again", False, None, None, "x"))
    menu.remove_intervention(document, "peer_mentoring")
    menu.move_intervention(document, values.id, "down")
    second = menu.items(document)[0].values.id
    menu.move_intervention(document, second, "down")
    assert document.text == text
    menu.remove_intervention(document, values.id)
    assert [line[0] for line in _diff(text, document.text)] == ["-"] * len(_diff(text, document.text))
    assert menu.read_intervention(document, values.id) is None


UNEXPRESSED = """\
chair:
  - when: {placement.type: ifa_foster, child.age: {at_least: 16}}   # older children
    options: [iro]
    source: "A"
  - options: [{one_of: [iro, advocate]}, childs_team_manager]
    source: "B"
"""


def test_what_a_page_cannot_tick_is_read_only_or_kept_in_place_and_named():
    document = YamlText(UNEXPRESSED)
    vocabulary = tables.vocabulary_of(document)
    older, either_one = tables.rows(document, "chair", vocabulary)
    assert not older.editable and "more than which placement types" in older.unexpressed[0]
    with pytest.raises(tables.EditError):
        tables.write_row(document, "chair", 0, older.values, vocabulary)
    assert either_one.editable and either_one.values.roles["options"] == ("childs_team_manager",)
    assert either_one.unexpressed == ("In 'options': one of Independent Reviewing Officer (IRO) or Advocate",)
    tables.write_row(document, "chair", 1, RowValues(either_one.values.placements, {"options": ("advocate",)}, "B"),
                     vocabulary)
    assert _diff(UNEXPRESSED, document.text) == [
        "-  - options: [{one_of: [iro, advocate]}, childs_team_manager]",
        "+  - options: [{one_of: [iro, advocate]}, advocate]"]
