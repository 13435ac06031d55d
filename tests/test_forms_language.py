"""Form files are written by policy officers: every mistake located, explained, with a fix;
the JSON Schema for editors agrees with the loader."""
import jsonschema
import pytest

from hearth.forms import form_schema, load_form
from hearth.rules.source import SourceError, load_yaml

from forms_support import EVERY_KIND, OPTIONS, SPECS


def problems(text):
    with pytest.raises(SourceError) as exc:
        load_form(text, "broken.yaml", OPTIONS, SPECS, default_id="broken")
    return exc.value.problems


def one(text):
    found = problems(text)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


BASE = """\
title: A form
version: 1
sections:
  - fields:
      - {id: meeting_date, kind: date, label: Date}
      - {id: child_attended, kind: yes_no, label: Did the child attend?}
"""


def test_a_well_formed_form_loads():
    defn = load_form(BASE, "ok.yaml", OPTIONS, SPECS, default_id="ok")
    assert defn.id == "ok" and defn.version == "1" and [f.id for f in defn.all_fields()] == ["meeting_date", "child_attended"]


def test_misspelt_kind_is_located_with_did_you_mean():
    p = one(BASE.replace("kind: date", "kind: dtae"))
    assert (p.loc.file, p.loc.line) == ("broken.yaml", 5)
    assert p.loc.column > 1
    assert "'dtae' is not a kind of question" in p.message and "Did you mean 'date'?" in p.message


def test_misspelt_key_is_located_with_did_you_mean():
    p = one(BASE.replace("label: Date}", "label: Date, not_futur: true}"))
    assert p.loc.line == 5 and "Did you mean 'not_future'?" in p.message


def test_show_when_uses_the_shared_condition_syntax_and_its_messages():
    p = one(BASE + "      - {id: why, kind: text, label: Why?, show_when: {child_attendd: false}}\n")
    assert p.loc.line == 7 and "'child_attendd' is not a field of the record" in p.message
    assert "Did you mean 'child_attended'?" in p.message
    p = one(BASE + "      - {id: why, kind: text, label: Why?, show_when: {child_attended: {iss: false}}}\n")
    assert "'iss' is not a test I know. Did you mean 'is'?" in p.message
    # YAML 1.2: `no` is a word, not false; the condition says so
    p = one(BASE + "      - {id: why, kind: text, label: Why?, show_when: {child_attended: no}}\n")
    assert "true or false" in p.message
    # forms see answers only, not the case's history
    p = one(BASE + "      - {id: why, kind: text, label: Why?, show_when: {event: allegation}}\n")
    assert "only test answers" in p.message


def test_unknown_option_list_and_value():
    p = one(BASE + "      - {id: who, kind: radios, label: Who?, options: rols}\n")
    assert "no list of options called 'rols'" in p.message and "Did you mean 'roles'?" in p.message
    p = one(BASE + "      - {id: who, kind: radios, label: Who?, options: {list: roles, only: [iro, fostering_manger]}}\n")
    assert "'fostering_manger' is not a role or role group in the list 'roles'. Did you mean 'fostering_manager'?" in p.message


def test_duplicate_and_reserved_ids():
    p = one(BASE + "      - {id: meeting_date, kind: text, label: Again}\n")
    assert p.loc.line == 7 and "already the id of the question at line 5" in p.message
    p = one(BASE + "      - {id: data, kind: text, label: Data}\n")
    assert "choose another id" in p.message


def test_date_comparisons_must_name_a_date_question():
    p = one(BASE + "      - {id: due, kind: date, label: Due, after: meeting_dat}\n")
    assert "Did you mean 'meeting_date'?" in p.message


def test_produces_is_checked_against_the_event_types():
    p = one(BASE + "produces:\n  - {event: stability_meeting_hold, on: meeting_date}\n")
    assert p.loc.line == 8 and "Did you mean 'stability_meeting_held'?" in p.message
    p = one(BASE + "produces:\n  - {event: stability_meeting_held, on: meeting_date, fields: {atendees: child_attended}}\n")
    assert "'atendees' is not a field of a stability_meeting_held event. Did you mean 'attendees'?" in p.message
    p = one(BASE + "produces:\n  - {event: stability_meeting_held, on: meeting_date, fields: {attendees: child_attended}}\n")
    assert "holds a list of values" in p.message
    p = one(BASE + "produces:\n  - {event: stability_meeting_held, on: child_attended}\n")
    assert "'on' names the date question" in p.message
    p = one(BASE + "produces:\n  - {event: stability_meeting_held, on: meeting_date, fields: {parts: {answer: child_attended, map: {true: two}}}}\n")
    assert "'two' is not a number" in p.message


def test_event_from_options_must_be_event_types():
    p = one(BASE + "      - {id: what, kind: radios, label: What?, options: [{value: missing, label: Missing}]}\n"
                   "produces:\n  - {event_from: what, on: meeting_date}\n")
    assert "'missing' of 'what' is not an event type" in p.message and "missing_episode" in p.message


def test_every_problem_is_reported_at_once():
    text = BASE.replace("kind: date", "kind: dtae").replace("label: Did", "labl: Did")
    assert len(problems(text)) >= 2


def test_yaml_syntax_errors_are_located():
    p = one("title: [unclosed\nversion: 1\n")
    assert p.loc.file == "broken.yaml" and p.loc.line >= 1


# ------------------------------------------------------------------ JSON Schema
def validator():
    return jsonschema.Draft202012Validator(form_schema())


def plain(text):
    return load_yaml(text, "x.yaml")


def test_prefill_names_what_a_new_form_may_start_with():
    text = BASE + "      - {id: invited, kind: roles, label: Who?, options: {list: roles, only: [iro, foster_carer]}, prefill: invitees}\n"
    defn = load_form(text, "ok.yaml", OPTIONS, SPECS)
    assert defn.field("invited").prefill == "invitees"
    # kept to the question's options, in the given order; questions without prefill untouched
    assert defn.prefilled({"invitees": ["foster_carer", "childs_social_worker", "iro"]}) == {"invited": ["foster_carer", "iro"]}
    assert defn.prefilled({}) == {}
    p = one(text.replace("prefill: invitees", "prefill: invitess"))
    assert p.loc.line == 7 and "'invitess' is not something it can" in p.message and "Did you mean 'invitees'?" in p.message
    # only a roles question can be prefilled
    p = one(BASE + "      - {id: who, kind: text, label: Who?, prefill: invitees}\n")
    assert "'prefill'" in p.message


def test_the_schema_is_a_valid_schema():
    jsonschema.Draft202012Validator.check_schema(form_schema())


@pytest.mark.parametrize("text", [BASE, EVERY_KIND])
def test_valid_forms_validate(text):
    load_form(text, "x.yaml", OPTIONS, SPECS)
    assert not list(validator().iter_errors(plain(text)))


@pytest.mark.parametrize("change", [
    ("kind: date", "kind: dtae"),
    ("label: Date}", "label: Date, not_futur: true}"),
    ("version: 1\n", ""),
    ("id: meeting_date", "id: Meeting Date"),
    ("label: Date}", "label: Date, prefill: invitees}"),
])
def test_broken_forms_fail_both(change):
    text = BASE.replace(*change)
    with pytest.raises(SourceError):
        load_form(text, "x.yaml", OPTIONS, SPECS)
    assert list(validator().iter_errors(plain(text)))
