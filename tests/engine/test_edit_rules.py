"""hearth.engine.editing.triggers, obligations and gates: every council's version files (the
shipped ones, the fixture councils that use every construct, a scaffolded one) round-trip byte
for byte through every trigger, deadline, duty and gate the editors can open; a real edit
changes only the lines it concerns (a line diff), keeps every comment and source line, and the
files load with the new meaning; a rule the editors cannot express is never rewritten."""
from __future__ import annotations

import difflib
from dataclasses import replace

import pytest

from hearth.engine.editing import gates, obligations, triggers
from hearth.engine.editing.rule_parts import action_choices, version_vocabulary
from hearth.engine.editing.yaml_text import EditError, YamlText
from hearth.engine.policy import load_policy
from hearth.engine.policy_files import PolicyFiles
from hearth.rules.durations import Duration, Unit

from councils import generic_councils, session_root


def _files(council: str) -> PolicyFiles:
    return PolicyFiles.from_folder(session_root() / council)


def _latest(files: PolicyFiles) -> str:
    return max(files.glob("versions/*.yaml"), key=lambda path: (str(YamlText(files.text(path)).value(
        ("effective_from",), "")), path))


def _changed(before: str, after: str) -> list[int]:
    """The 1-based numbers of the old lines an edit replaced or removed."""
    lines = []
    for tag, start, end, _, _ in difflib.SequenceMatcher(None, before.split("\n"), after.split("\n")).get_opcodes():
        if tag != "equal":
            lines.extend(range(start + 1, end + 1) if end > start else [start + 1])
    return lines


def _only(before: str, after: str) -> set[str]:
    """The kinds of change between two texts, line by line ("insert", "delete", "replace")."""
    return {tag for tag, *_ in difflib.SequenceMatcher(None, before.split("\n"), after.split("\n")).get_opcodes()
            if tag != "equal"}


def _kept(before: str, after: str) -> None:
    """Every comment and source line of ``before`` is still in ``after``."""
    wanted = [line for line in before.split("\n") if line.strip().startswith(("#", "source:")) or " # " in line]
    assert all(line in after.split("\n") for line in wanted)


def _loaded(files: PolicyFiles, path: str, text: str):
    return next(version for version in load_policy(files.replace({path: text})).versions if version.file.endswith(path))


def _versions():
    for council in generic_councils():
        files = _files(council)
        for path in files.glob("versions/*.yaml"):
            yield pytest.param(files, path, id=f"{council}:{path}")


@pytest.mark.parametrize("files, path", list(_versions()))
def test_every_rule_written_as_read_leaves_the_file_byte_identical(files, path):
    text = files.text(path)
    document = YamlText(text, path)
    for position, _ in enumerate(triggers.trigger_ids(document)):
        trigger = triggers.read_trigger(document, position)
        if trigger.expressible:
            triggers.write_trigger(document, position, trigger)
        else:
            with pytest.raises(EditError):
                triggers.write_trigger(document, position, trigger)
    for section in obligations.SECTIONS:
        for position, _ in enumerate(obligations.obligation_ids(document, section)):
            item = obligations.read_obligation(document, section, position)
            if item.expressible:
                obligations.write_obligation(document, section, position, item)
    for position, _ in enumerate(gates.gate_ids(document)):
        gate = gates.read_gate(document, position)
        if gate.expressible:
            gates.write_gate(document, position, gate)
    assert document.text == text


@pytest.mark.parametrize("council", generic_councils())
def test_a_trigger_edit_changes_its_when_line_and_loads_with_the_new_meaning(council):
    files = _files(council)
    path = _latest(files)
    text = files.text(path)
    document = YamlText(text, path)
    found = [(position, triggers.read_trigger(document, position))
             for position, _ in enumerate(triggers.trigger_ids(document))]
    found = [(position, trigger) for position, trigger in found if trigger.expressible]
    if not found:
        pytest.skip(f"{council} has no trigger the editor can change")
    counted = [(position, trigger) for position, trigger in found if trigger.kind == triggers.COUNT]
    position, trigger = (counted or found)[0]
    if trigger.kind == triggers.COUNT:   # "3 within 28 days" becomes "4 within 28 days"
        wanted = replace(trigger, at_least=trigger.at_least + 1)
    else:                                # one event becomes "2 within 28 days"
        wanted = replace(trigger, kind=triggers.COUNT, at_least=2, within=Duration(28, Unit.DAYS))
    when = ("triggers", position, "when")
    first, last = document.line_of(when), document.line_of(("triggers", position, "source")) - 1
    triggers.write_trigger(document, position, wanted)
    assert _changed(text, document.text) and all(first <= line <= max(first, last)
                                                  for line in _changed(text, document.text))
    _kept(text, document.text)
    loaded = next(t for t in _loaded(files, path, document.text).triggers if t.id == trigger.id)
    assert (loaded.when.at_least, loaded.when.within, set(loaded.when.types)) == (
        wanted.at_least, wanted.within, set(trigger.events))


@pytest.mark.parametrize("council", generic_councils())
def test_a_trigger_added_and_one_removed_load_with_the_change(council):
    files = _files(council)
    path = _latest(files)
    text = files.text(path)
    document = YamlText(text, path)
    before = triggers.trigger_ids(document)
    event = next(iter(version_vocabulary(document).event_types))
    triggers.add_trigger(document, triggers.Trigger("added-by-test", "Added", triggers.EVENT, (event,), None, None,
                                                    "A sentence"))
    assert triggers.trigger_ids(document) == before + ("added-by-test",)
    assert _only(text, document.text) == {"insert"}
    _kept(text, document.text)
    loaded = _loaded(files, path, document.text)
    assert [t.id for t in loaded.triggers][-1] == "added-by-test" and loaded.triggers[-1].when.types == (event,)
    if before:
        removed = YamlText(text, path)
        triggers.remove_trigger(removed, len(before) - 1)
        assert triggers.trigger_ids(removed) == before[:-1]
        assert _only(text, removed.text) == ({"delete"} if len(before) > 1 else {"replace"})  # the last: `[]`
        assert before[-1] not in [t.id for t in _loaded(files, path, removed.text).triggers]
    if len(before) > 1:   # the last trigger one place up: the same lines, two triggers swapped
        moved = YamlText(text, path)
        triggers.move_trigger(moved, len(before) - 1, "up")
        assert triggers.trigger_ids(moved) == before[:-2] + (before[-1], before[-2])
        assert sorted(moved.text.split("\n")) == sorted(text.split("\n"))
        assert [t.id for t in _loaded(files, path, moved.text).triggers][-2:] == [before[-1], before[-2]]
        with pytest.raises(EditError):
            triggers.move_trigger(moved, 0, "up")


@pytest.mark.parametrize("council", generic_councils())
def test_a_deadline_edit_changes_its_due_line_and_loads_with_the_new_time(council):
    files = _files(council)
    path = _latest(files)
    text = files.text(path)
    document = YamlText(text, path)
    found = [(section, position, obligations.read_obligation(document, section, position))
             for section in obligations.SECTIONS
             for position, _ in enumerate(obligations.obligation_ids(document, section))]
    found = [entry for entry in found if entry[2].expressible]
    if not found:
        pytest.skip(f"{council} has no deadline or duty the editor can change")
    section, position, item = found[0]
    longer = Duration(item.duration.amount + 1, item.duration.unit if item.duration.amount else Unit.WORKING_DAYS)
    obligations.write_obligation(document, section, position, replace(item, duration=longer))
    assert _changed(text, document.text) == [document.line_of((section, position, "due"))]
    _kept(text, document.text)
    loaded = next(o for o in getattr(_loaded(files, path, document.text), section) if o.id == item.id)
    assert loaded.due[0].duration == longer and set(loaded.starts.types) == set(item.starts)
    calendars = obligations.calendar_names(document)
    if calendars:   # a calendar the version declares, chosen (or the council's own again)
        other = next((name for name in calendars if name != item.calendar), "")
        chosen = YamlText(text, path)
        obligations.write_obligation(chosen, section, position, replace(item, calendar=other))
        assert _only(text, chosen.text) <= {"insert", "replace", "delete"} and len(_changed(text, chosen.text)) == 1
        loaded = next(o for o in getattr(_loaded(files, path, chosen.text), section) if o.id == item.id)
        assert loaded.calendar == (other or None)
    removed = YamlText(text, path)
    obligations.remove_obligation(removed, section, position)
    assert item.id not in obligations.obligation_ids(removed, section) and _only(text, removed.text) <= {"delete",
                                                                                                         "replace"}


@pytest.mark.parametrize("council", generic_councils())
def test_a_gate_edit_changes_its_actions_line_and_an_approval_becomes_a_block(council):
    files = _files(council)
    path = _latest(files)
    text = files.text(path)
    document = YamlText(text, path)
    found = [(position, gates.read_gate(document, position)) for position, _ in enumerate(gates.gate_ids(document))]
    found = [entry for entry in found if entry[1].expressible]
    if not found:
        pytest.skip(f"{council} has no gate the editor can change")
    position, gate = found[0]
    offered = [action for action, _ in action_choices(version_vocabulary(document))]
    actions = gate.actions[:-1] if len(gate.actions) > 1 else gate.actions + (
        next(action for action in offered if action not in gate.actions),)
    gates.write_gate(document, position, replace(gate, actions=actions), action_order=offered)
    assert set(_changed(text, document.text)) <= set(range(document.line_of(("gates", position, "actions")),
                                                           document.line_of(("gates", position, "source"))))
    _kept(text, document.text)
    loaded = next(g for g in _loaded(files, path, document.text).gates if g.id == gate.id)
    assert set(loaded.actions) == set(actions)
    removed = YamlText(text, path)
    gates.remove_gate(removed, position)
    assert gate.id not in gates.gate_ids(removed)
    assert gate.id not in [g.id for g in _loaded(files, path, removed.text).gates]
    approvals = [(position, gate) for position, gate in found if gate.opened_by == gates.NEEDS_APPROVAL]
    if approvals:
        position, gate = approvals[0]
        switched = YamlText(text, path)
        gates.write_gate(switched, position, replace(gate, opened_by=gates.BLOCKED_UNTIL))
        loaded = next(g for g in _loaded(files, path, switched.text).gates if g.id == gate.id)
        assert loaded.needs_approval is None and set(loaded.blocked_until.types) == set(gate.opening_events)
