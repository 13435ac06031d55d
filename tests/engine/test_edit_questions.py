"""hearth.engine.editing.questions on every shipped council's forms: opening and saving every
question unchanged leaves each file byte-identical; a real edit (a label, a hint, whether it must
be answered, written options, roles offered, when it is shown, a question added, moved or
removed) changes only the lines it concerns, keeps every comment and source line, and the
council's forms still load with the new meaning."""
from __future__ import annotations

import difflib
from dataclasses import replace
from datetime import date

import pytest
from ruamel.yaml import YAML

from hearth.engine.api import policies_root
from hearth.engine.editing.questions import (NewQuestion, add_question, chosen_roles, move_question, outline,
                                             read_question, remove_question, roles_ticked, uses_of,
                                             write_question)
from hearth.engine.editing.yaml_text import EditError, YamlText
from hearth.engine.forms_catalog import catalog_of, menus, version_for_forms
from hearth.engine.policy import load_policy
from hearth.engine.policy_files import PolicyFiles

COUNCILS = sorted(folder.name for folder in policies_root().iterdir() if (folder / "versions").is_dir())


def _files(council: str) -> PolicyFiles:
    return PolicyFiles.from_folder(policies_root() / council)


def _forms(files: PolicyFiles) -> list[tuple[str, str]]:
    return [(path, files.text(path)) for path in files.glob("forms/*.yaml")]


def _changed(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]


def _kept(before: str, after: str) -> None:
    """Every comment and source line of the file is still there, in order."""
    def notes(text):
        return [line.strip() for line in text.splitlines() if line.strip().startswith(("#", "source:"))]
    assert notes(before) == notes(after)


def _loaded(files: PolicyFiles, changes: dict):
    return catalog_of(files.replace(changes), date.today())


@pytest.mark.parametrize("council", COUNCILS)
def test_every_question_read_and_written_unchanged_leaves_every_form_byte_identical(council):
    files = _files(council)
    lists = menus(version_for_forms(load_policy(files), date.today()))[0]
    for path, text in _forms(files):
        document = YamlText(text, path)
        for section in outline(document, lists):
            for question in section.questions:
                # as the page posts them back: roles in the vocabulary's order, options as typed lines
                offered = [value for value, _label in lists.get(question.option_list, ())]
                ticked = tuple(role for role in offered if role in chosen_roles(question, lists))
                now = replace(question, options=tuple(question.options) if question.options else question.options,
                              chosen=roles_ticked(question, ticked, lists) if question.chosen is not None else None)
                write_question(document, read_question(document, question.id, lists), now)
        assert document.text == text, path


@pytest.mark.parametrize("council", COUNCILS)
def test_a_label_hint_and_required_change_only_their_lines_and_every_form_loads_with_them(council):
    files = _files(council)
    changes, expected = {}, {}
    for path, text in _forms(files):
        document = YamlText(text, path)
        question = next(q for section in outline(document) for q in section.questions
                        if q.required is not None and not q.hint)
        now = replace(question, label=f"{question.label} (changed)", hint="A new hint",
                      required=not question.required)
        write_question(document, question, now)
        assert _said(_changed(text, document.text)) == sorted([
            ("-", {"label": question.label}), ("+", {"label": now.label}), ("+", {"hint": "A new hint"}),
            ("+" if question.required else "-", {"required": False})], key=repr), path
        _kept(text, document.text)
        changes[path], expected[path] = document.text, (question.id, now)
    catalog = _loaded(files, changes)
    for path, (question_id, now) in expected.items():
        form = catalog.get(path.removeprefix("forms/").removesuffix(".yaml")).field(question_id)
        assert (form.label, form.hint, form.required) == (now.label, "A new hint", now.required)


def _said(changed: list[str]) -> list[tuple[str, object]]:
    """Changed lines as (sign, what the line says in YAML), in a stable order."""
    return sorted(((line[0], YAML(typ="safe", pure=True).load(line[2:].strip())) for line in changed), key=repr)


def _all(files: PolicyFiles):
    """(form path, question) of every top-level question of the council's forms."""
    return [(path, question) for path, text in _forms(files) for section in outline(YamlText(text, path))
            for question in section.questions]


def _first(files: PolicyFiles, test) -> tuple[str, object] | None:
    """(form path, question) of the first question of the council's forms that passes ``test``."""
    return next(((path, question) for path, question in _all(files) if test(question)), None)


@pytest.mark.parametrize("council", COUNCILS)
def test_written_options_change_item_by_item_keeping_the_values_saved_records_hold(council):
    files = _files(council)
    found = next(((path, question) for path, question in _all(files) if question.options
                  and len(question.options) > 2 and not uses_of(YamlText(files.text(path)), question.id)), None)
    if found is None:
        pytest.skip(f"{council} has no question with three written options whose answer only the form keeps")
    path, question = found
    document = YamlText(files.text(path), path)
    items = document.value(question.path + ("options",))
    # the first option gone, a new one second, the last two swapped
    labels = (question.options[-1], "Something else", *question.options[1:-1])
    write_question(document, question, replace(question, options=labels))
    changed = _changed(files.text(path), document.text)
    assert [line for line in changed if line.startswith("-")] == [
        line for line in changed if line.startswith("-") and any(item["label"] in line for item in items)]
    assert sum(line.startswith("+") and "Something else" in line for line in changed) == 1
    _kept(files.text(path), document.text)
    field = _loaded(files, {path: document.text}).get(path[6:-5]).field(question.id)
    by_label = {item["label"]: item["value"] for item in items}
    assert [(o.label, o.value) for o in field.options] == [(label, by_label.get(label, "something_else"))
                                                           for label in labels]


@pytest.mark.parametrize("council", COUNCILS)
def test_roles_offered_and_when_a_question_is_shown_change_only_their_lines(council):
    files = _files(council)
    lists = menus(version_for_forms(load_policy(files), date.today()))[0]
    roles = next(((path, question) for path, text in _forms(files) for section in outline(YamlText(text, path), lists)
                  for question in section.questions if question.chosen and len(question.chosen) > 1), None)
    shown = _first(files, lambda question: question.shown_when is not None)
    if roles is None or shown is None:
        pytest.skip(f"{council} has no question offering roles or none shown by an answer")
    changes = {}
    for (path, question), change in ((roles, "roles"), (shown, "shown")):
        text = changes.get(path, files.text(path))
        document = YamlText(text, path)
        question = read_question(document, question.id, lists)
        if change == "roles":
            now = replace(question, chosen=roles_ticked(question, question.chosen[:-1], lists))
        else:
            now = replace(question, shown_when=None)
        write_question(document, question, now)
        changed = _changed(text, document.text)
        if change == "shown":
            assert changed == [f"-{line[1:]}" for line in changed] and len(changed) == 1 and "show_when" in changed[0]
        else:
            assert all(question.chosen[-1] not in line for line in changed if line.startswith("+"))
            assert YAML(typ="safe", pure=True).load("\n".join(line[2:] for line in changed if line.startswith("+"))
                                                   .strip().replace("only:", "only:", 1)) is not None
        _kept(text, document.text)
        changes[path] = document.text
    catalog = _loaded(files, changes)
    roles_field = catalog.get(roles[0][6:-5]).field(roles[1].id)
    assert [o.value for o in roles_field.options] == list(roles[1].chosen[:-1])
    assert catalog.get(shown[0][6:-5]).field(shown[1].id).show_when is None


@pytest.mark.parametrize("council", COUNCILS)
def test_a_question_added_moved_up_and_another_removed(council):
    files = _files(council)
    path, text = _forms(files)[0]
    document = YamlText(text, path)
    first = outline(document)[0]
    new_id = add_question(document, NewQuestion(section=0, kind="radios", label="How was the meeting held?",
                                                options=("In person", "Online"), source="Quoted."))
    assert new_id == "how_was_the_meeting_held"
    assert _changed(text, document.text) == [f"+ {line}" for line in (
        "      - id: how_was_the_meeting_held", "        kind: radios", "        label: How was the meeting held?",
        "        name: how was the meeting held", "        options:", "          - value: in_person",
        "            label: In person", "          - value: online", "            label: Online",
        "        source: Quoted.")]
    added = document.text
    move_question(document, read_question(document, new_id), -1)
    assert sorted(document.text.splitlines()) == sorted(added.splitlines()) and document.text != added
    moved = document.text
    removable = next((q for q in first.questions[:-1] if not uses_of(document, q.id)), None)
    if removable is not None:
        block = YamlText(moved).value(read_question(document, removable.id).path)
        remove_question(document, read_question(document, removable.id))
        removed = _changed(moved, document.text)
        assert all(line.startswith("-") for line in removed) and any(f"id: {removable.id}" in line for line in removed)
        assert len(removed) >= len(block)
    used = next((q for section in outline(document) for q in section.questions if uses_of(document, q.id)), None)
    if used is not None:
        with pytest.raises(EditError, match="cannot be removed"):
            remove_question(document, read_question(document, used.id))
    form = _loaded(files, {path: document.text}).get(path[6:-5])
    ids = [f.id for f in form.sections[0].fields]
    assert ids[-2:] == [new_id, first.questions[-1].id]
    assert [o.label for o in form.field(new_id).options] == ["In person", "Online"]
    assert removable is None or removable.id not in ids
    with pytest.raises(EditError, match="already the last"):
        move_question(document, read_question(document, ids[-1]), 1)


def test_a_condition_the_page_cannot_offer_is_kept_never_turned_into_always():
    text = """title: A form
version: 1
sections:
  - fields:
      - id: first
        kind: text
        label: First
        show_when: {later: true}      # names a later question: not an answer the page offers
      - id: later
        kind: yes_no
        label: Later
"""
    document = YamlText(text)
    question = read_question(document, "first", {})
    assert (question.shown_when, question.show_expressed) == (None, False)
    assert "shown only when a condition holds (show_when)" in question.unexpressed
    write_question(document, question, replace(question, label="First reworded"))
    assert _changed(text, document.text) == ["-         label: First", "+         label: First reworded"]
