"""hearth.engine.policy_diff and `hearth policy diff`: the change between two versions in words.

Each change is made to a copy of a shipped council's files, as a policy officer would edit them;
what the diff must say is read off the policy's own words (hearth.engine.policy_words) where it
can be, so the test follows the council's titles rather than repeating them."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from hearth.engine.cli import cli
from hearth.engine.forms_catalog import load_forms
from hearth.engine.policy import load_policy
from hearth.engine.policy_diff import ARROW, diff, form_changes, phrase_change
from hearth.engine.policy_words import entries

from hearth.rules.durations import Duration, Unit

from councils import ROOT, generic_councils, session_root

COUNCIL = ROOT / "policies" / "swindon"
VERSION_FILE = Path("versions") / "2025-01.yaml"
MINUTES_RULE = ("    due: 5 working days after stability_meeting_held or review_meeting_held\n"
                "    met_by: minutes_circulated\n")
TRIGGER_RULE = "when: {count: [missing_episode, absence], at_least: 3, within: 28 days}"
FIRST_CHAIR_ROW = "chair:\n  - when: {placement.type: ifa_foster}\n"
NEW_CHAIR_ROW = ("chair:\n  - when: {placement.type: connected_carer}\n    options: [fostering_manager]\n"
                 "    source: \"the Fostering Manager for in house foster care providers.\"\n"
                 "  - when: {placement.type: ifa_foster}\n")
FIRST_INTERVENTION = "interventions:\n  - id: specialist_assessment\n"
NEW_INTERVENTION = ("interventions:\n  - id: mentoring\n    label: Mentoring for the child\n    costed: true\n"
                    "    source: \"This may include specialist assessments (preferably before the child is placed "
                    "as opposed to some months after);\"\n  - id: specialist_assessment\n")
FORM_FILE = Path("forms") / "stability_meeting_minutes.yaml"
FIRST_QUESTION = "      - id: meeting_date\n"
NEW_QUESTION = ("      - id: venue\n        kind: text\n        label: Where was the meeting held?\n"
                "        name: where the meeting was held\n        source: \"Draft Agenda and discussion points:\"\n"
                "      - id: meeting_date\n")


def changed_copy(tmp_path: Path, *edits: tuple) -> Path:
    """The council's folder copied, each (file, old text, new text) edit made once."""
    folder = tmp_path / COUNCIL.name
    shutil.copytree(COUNCIL, folder)
    for relative, old, new in edits:
        path = folder / relative
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"the text to change is not once in {relative}: {old!r}"
        path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def published():
    return load_policy(COUNCIL).current


def changed(tmp_path: Path, *edits: tuple):
    return load_policy(changed_copy(tmp_path, *edits)).current


def entry(version, key: str):
    return next(e for e in entries(version) if e.key == key)


def test_a_shorter_deadline_is_one_change_saying_the_old_and_the_new_number(tmp_path):
    new = changed(tmp_path, (VERSION_FILE, MINUTES_RULE, MINUTES_RULE.replace("5 working", "3 working")))
    changes = diff(published(), new)
    assert [(c.key, c.change) for c in changes] == [("deadline:minutes_circulated", "changed")]
    (line,) = changes[0].lines
    was, now = line.split(f" {ARROW} ")
    assert was.endswith("5 working days") and now.endswith("3 working days")
    assert was.replace("5", "3") == now
    assert changes[0].title == entry(new, "deadline:minutes_circulated").title
    assert changes[0].source == entry(new, "deadline:minutes_circulated").source


def test_a_lower_trigger_threshold_says_at_least_3_and_at_least_2(tmp_path):
    new = changed(tmp_path, (VERSION_FILE, TRIGGER_RULE, TRIGGER_RULE.replace("at_least: 3", "at_least: 2")))
    changes = diff(published(), new)
    assert [(c.key, c.section) for c in changes] == [("trigger:repeated-missing", "triggers")]
    (line,) = changes[0].lines
    assert "at least 3" in line.split(ARROW)[0] and "at least 2" in line.split(ARROW)[1]


def test_no_change_is_no_difference(tmp_path):
    assert diff(published(), changed(tmp_path)) == ()


def test_a_rule_added_and_one_removed_are_said_whole(tmp_path):
    old = published()
    removed_id = old.interventions[-1].id
    last = f"  - id: {removed_id}\n"
    text = (COUNCIL / VERSION_FILE).read_text(encoding="utf-8")
    end = text.index(last)
    following = text.find("\n  - id:", end + len(last))
    removed_block = text[end:following + 1] if following != -1 else text[end:]
    new = changed(tmp_path, (VERSION_FILE, FIRST_INTERVENTION, NEW_INTERVENTION), (VERSION_FILE, removed_block, ""))
    changes = {c.key: c for c in diff(old, new)}
    assert set(changes) == {"intervention:mentoring", f"intervention:{removed_id}"}
    assert changes["intervention:mentoring"].change == "added"
    assert changes["intervention:mentoring"].lines == tuple(s.rstrip(".") for s in entry(new, "intervention:mentoring").sentences)
    assert changes[f"intervention:{removed_id}"].change == "removed"
    assert changes[f"intervention:{removed_id}"].title == entry(old, f"intervention:{removed_id}").title


def test_a_row_inserted_above_others_is_one_row_added(tmp_path):
    new = changed(tmp_path, (VERSION_FILE, FIRST_CHAIR_ROW, NEW_CHAIR_ROW))
    changes = diff(published(), new)
    assert [(c.section, c.change) for c in changes] == [("chair", "added")]
    assert changes[0].title == entry(new, "chair:0").title


def test_a_question_added_to_a_form(tmp_path):
    folder = changed_copy(tmp_path, (FORM_FILE, FIRST_QUESTION, NEW_QUESTION))
    before = load_forms(COUNCIL.name, root=COUNCIL.parent).forms
    after = load_forms(folder.name, root=folder.parent).forms
    version = published()
    changes = form_changes(before, after, version, version)
    form_id = FORM_FILE.stem
    assert [(c.key, c.change) for c in changes] == [(f"form:{form_id}", "changed")]
    assert changes[0].lines == (f"Question added: {after[form_id].field('venue').label}",)
    assert form_changes(before, before, version, version) == ()


def test_a_question_made_optional_and_a_form_removed(tmp_path):
    form_id = FORM_FILE.stem
    text = (COUNCIL / FORM_FILE).read_text(encoding="utf-8")
    question = "      - id: purpose\n"
    start = text.index(question)
    optional = text[:start] + question + "        required: false\n" + text[start + len(question):]
    folder = changed_copy(tmp_path)
    (folder / FORM_FILE).write_text(optional, encoding="utf-8")
    version = published()
    before = load_forms(COUNCIL.name, root=COUNCIL.parent).forms
    after = load_forms(folder.name, root=folder.parent).forms
    (change,) = form_changes(before, after, version, version)
    label = after[form_id].field("purpose").label
    assert change.lines == (f"Question '{label}': Must be answered {ARROW} May be left blank",)
    without = {key: form for key, form in before.items() if key != form_id}
    assert [(c.key, c.change) for c in form_changes(before, without, version, version)] == [(f"form:{form_id}", "removed")]


@pytest.mark.parametrize("old, new, said", [
    ("Within 5 working days after a meeting.", "Within 3 working days after a meeting.",
     "Within 5 working days → Within 3 working days"),
    ("The home, at least 3 times, within 28 days.", "The home, at least 2 times, within 28 days.",
     "at least 3 times → at least 2 times"),
    ("Met by a.", "Met by a where b.", "by a → by a where b"),
    ("Alpha beta.", "Gamma delta.", "Alpha beta → Gamma delta"),
])
def test_a_sentence_changed_is_shown_as_the_phrase_that_changed(old, new, said):
    assert phrase_change(old, new) == said


def test_hearth_policy_diff_prints_the_change_in_words(tmp_path):
    folder = changed_copy(tmp_path, (VERSION_FILE, MINUTES_RULE, MINUTES_RULE.replace("5 working", "3 working")),
                          (FORM_FILE, FIRST_QUESTION, NEW_QUESTION))
    result = CliRunner().invoke(cli, ["policy", "diff", "swindon", "--to", str(folder)], env={"HEARTH_POLICIES": str(COUNCIL.parent)})
    assert result.exit_code == 0, result.output
    new = load_policy(folder).current
    minutes = entry(new, "deadline:minutes_circulated").title
    assert any(line.startswith(f"  {minutes}: ") and "5 working days" in line and "3 working days" in line
               for line in result.output.splitlines()), result.output
    assert "Question added: Where was the meeting held?" in result.output
    as_json = CliRunner().invoke(cli, ["policy", "diff", "swindon", "--to", str(folder), "--json"],
                                 env={"HEARTH_POLICIES": str(COUNCIL.parent)})
    assert as_json.exit_code == 0
    assert [c["key"] for c in json.loads(as_json.output)["changes"]] == ["deadline:minutes_circulated",
                                                                          f"form:{FORM_FILE.stem}"]


@pytest.mark.parametrize("arguments, said", [
    (["--from", "2025-1"], "--from: '2025-1' is not a version of"),
    (["--to", "2025-1"], "Did you mean '2025-01'?"),
    (["--to", "/no/such/folder"], "is not a council folder"),
])
def test_hearth_policy_diff_refuses_plainly(arguments, said):
    result = CliRunner().invoke(cli, ["policy", "diff", "swindon", *arguments], env={"HEARTH_POLICIES": str(COUNCIL.parent)})
    assert result.exit_code == 2
    assert said in result.output and "Traceback" not in result.output


def test_hearth_policy_diff_with_nothing_to_compare_says_what_to_give():
    result = CliRunner().invoke(cli, ["policy", "diff", "swindon"], env={"HEARTH_POLICIES": str(COUNCIL.parent)})
    if len(load_policy(COUNCIL).versions) > 1:
        assert result.exit_code == 0
    else:
        assert result.exit_code == 2 and "Give --to VERSION, or --to FOLDER" in result.output


@pytest.mark.parametrize("council", generic_councils())
def test_every_council_a_deadline_changed_is_that_one_rule_with_both_numbers(council):
    """Any council: its first deadline counted in working days made a day shorter (on the loaded
    version) is one change, to that deadline, saying the old number and the new."""
    version = load_policy(session_root() / council).current
    deadline = next((d for d in version.deadlines if d.due and d.due[0].duration.unit == Unit.WORKING_DAYS
                     and d.due[0].duration.amount > 1), None)
    if deadline is None:
        pytest.skip(f"{council} has no deadline counted in working days")
    old_amount = deadline.due[0].duration.amount
    shorter = replace(deadline, due=(replace(deadline.due[0], duration=Duration(old_amount - 1, Unit.WORKING_DAYS)),
                                     *deadline.due[1:]))
    changed = replace(version, deadlines=tuple(shorter if d is deadline else d for d in version.deadlines))
    changes = diff(version, changed)
    assert [(c.key, c.change) for c in changes] == [(f"deadline:{deadline.id}", "changed")]
    (line,) = changes[0].lines
    was, now = line.split(f" {ARROW} ")
    assert f"{old_amount} working days" in was and f"{old_amount - 1} working day" in now
