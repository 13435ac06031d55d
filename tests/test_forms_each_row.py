"""`each:` in a form's `produces`: one event for every row of a group (a meeting's agreed
actions), its fields answered by the row's questions; mistakes located like the rest."""
import pytest

from hearth.engine.forms_catalog import load_forms
from hearth.forms import events_from, form_schema, load_form, validate_json
from hearth.rules.source import SourceError

from council_checks import example
from councils import session_root
from forms_support import OPTIONS, SPECS, TODAY

ACTIONS = """\
title: Meeting record
version: 1
sections:
  - fields:
      - {id: meeting_date, kind: date, label: Date of the meeting, name: the date of the meeting}
      - {id: who, kind: text, label: Who wrote this record?, name: who wrote this record}
      - id: actions
        kind: group
        label: Actions agreed
        min_rows: 0
        fields:
          - {id: action, kind: long_text, label: What will be done?, name: what will be done}
          - {id: who, kind: select, label: Who will do it?, name: who will do it, options: roles, required: false}
          - {id: by_when, kind: date, label: By when?, name: the date for this action, on_or_after: meeting_date}
produces:
  - event: action_agreed
    each: actions
    on: meeting_date
    fields: {action: action, owner: who, due: by_when}
"""


def load(text):
    return load_form(text, "record.yaml", OPTIONS, SPECS, default_id="record")


def problems(text):
    with pytest.raises(SourceError) as caught:
        load(text)
    return caught.value.problems


def test_every_row_makes_one_event_with_the_rows_answers():
    defn = load(ACTIONS)
    answers, errors = validate_json(defn, {
        "meeting_date": "2026-01-09", "who": "The chair",
        "actions": [{"action": "Book respite", "who": "supervising_social_worker", "by_when": "2026-01-23"},
                    {"action": "Ask the school", "by_when": "2026-01-30"}]}, TODAY)
    assert errors == {}
    assert events_from(defn, answers) == [
        {"type": "action_agreed", "on": "2026-01-09", "action": "Book respite", "owner": "supervising_social_worker",
         "due": "2026-01-23"},
        # a row question wins over the form's own of the same id: the text 'who' is not a role
        {"type": "action_agreed", "on": "2026-01-09", "action": "Ask the school", "due": "2026-01-30"}]
    answers, _ = validate_json(defn, {"meeting_date": "2026-01-09", "who": "The chair", "actions": []}, TODAY)
    assert events_from(defn, answers) == []


def test_when_is_judged_on_each_row():
    defn = load(ACTIONS.replace("    on: meeting_date\n", "    on: meeting_date\n    when: {who: {answered: true}}\n"))
    answers, _ = validate_json(defn, {
        "meeting_date": "2026-01-09", "who": "The chair",
        "actions": [{"action": "Book respite", "who": "iro", "by_when": "2026-01-23"},
                    {"action": "Ask the school", "by_when": "2026-01-30"}]}, TODAY)
    assert [event["action"] for event in events_from(defn, answers)] == ["Book respite"]


def test_each_must_name_a_group_and_is_located():
    found = problems(ACTIONS.replace("each: actions", "each: action"))
    assert len(found) >= 1
    first = found[0]
    assert (first.loc.file, first.loc.line) == ("record.yaml", 17)
    assert "'each' names a group of rows" in first.message and "Did you mean 'actions'?" in first.message


def test_without_each_a_rows_question_is_unknown_and_a_group_says_to_use_each():
    found = problems(ACTIONS.replace("    each: actions\n", ""))
    assert any("There is no question 'by_when'" in p.message for p in found)
    found = problems(ACTIONS.replace("fields: {action: action,", "fields: {action: actions,"))
    assert any("For one event per row, write 'each: actions'" in p.message for p in found)


def test_a_rows_answer_must_fit_the_event_field():
    found = problems(ACTIONS.replace("due: by_when", "due: action"))
    assert len(found) == 1 and found[0].loc.line == 19
    assert "The event field 'due' holds a date" in found[0].message


def test_the_editors_schema_knows_each():
    produce = form_schema()["properties"]["produces"]["items"]
    assert produce["properties"]["each"] and "each" not in produce.get("required", [])


@pytest.mark.parametrize("council, form_id, group", [("gateshead", "stable_homes_meeting", "actions"),
                                                     ("swindon", "stability_meeting_minutes", "actions"),
                                                     ("swindon", "review_meeting", "new_actions")])
def test_the_councils_meeting_records_make_their_agreed_actions(council, form_id, group):
    defn = load_forms(council, TODAY, session_root()).get(form_id)
    rows = [{"action": "Book respite", "who": "supervising_social_worker", "by_when": "2026-02-02"},
            {"action": "Ask the school", "who": "childs_social_worker", "by_when": "2026-02-09"}]
    answers = example(defn, TODAY, {"meeting_date": "2026-01-09", group: rows})
    kept, errors = validate_json(defn, answers, TODAY)
    assert errors == {}
    agreed = [event for event in events_from(defn, kept) if event["type"] == "action_agreed"]
    assert agreed == [{"type": "action_agreed", "on": "2026-01-09", "action": row["action"], "owner": row["who"],
                       "due": row["by_when"]} for row in rows]
