"""A policy version in words (hearth.engine.policy_words), for every council of the session
(tests/councils.py) and the language-1 fixture council (tests/fixtures/policies/northshire):
every rule has an entry carrying its source, and the sentences say what the loaded rules say.
Expected words are read off the loaded policy (its durations, labels, ids), never a council's
answer written out here."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hearth.engine import form_words, policy_words as words
from hearth.engine import api
from hearth.engine.forms_catalog import load_forms
from hearth.engine.policy import load_policy
from hearth.rules.conditions import ALWAYS, EventCond, Fields

from councils import generic_councils, session_root

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = [session_root() / council for council in generic_councils()] + [ROOT / "tests/fixtures/policies/northshire"]
VERSIONS = [version for folder in FOLDERS for version in load_policy(folder).versions]
IDS = [f"{v.council.id}-{v.version}" for v in VERSIONS]


def rule_keys(version) -> list[str]:
    """What the version holds, rule by rule, as the keys the words should carry."""
    return ([f"trigger:{t.id}" for t in version.triggers]
            + [f"recommendation:{i}" for i in range(len(version.recommendation))]
            + [f"chair:{i}" for i in range(len(version.chair))]
            + [f"invitees:{i}" for i in range(len(version.invitees))]
            + [f"deadline:{d.id}" for d in version.deadlines] + [f"duty:{d.id}" for d in version.duties]
            + [f"gate:{g.id}" for g in version.gates] + [f"intervention:{i.id}" for i in version.interventions])


def rule_sources(version) -> list[str]:
    return [rule.source for section in ("triggers", "recommendation", "chair", "invitees", "deadlines", "duties",
                                        "gates", "interventions") for rule in getattr(version, section)]


def by_key(version) -> dict:
    return {entry.key: entry for entry in words.entries(version)}


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
def test_every_rule_has_one_entry_with_its_source(version):
    entries = words.entries(version)
    assert [e.key for e in entries] == rule_keys(version)
    assert [e.source for e in entries] == rule_sources(version)
    for entry in entries:
        assert entry.section in words.SECTION_TITLES
        assert entry.title.strip() and entry.sentences, entry.key
        assert all(s[:1].isupper() and s.endswith(".") for s in entry.sentences), entry


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
def test_no_sentence_shows_a_python_value(version):
    for entry in words.entries(version):
        for sentence in entry.sentences:
            assert "(" + "'" not in sentence and "Duration(" not in sentence and "FieldTest" not in sentence, sentence
            assert " None" not in sentence and "()" not in sentence, sentence


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
def test_deadlines_and_duties_say_how_long_after_what(version):
    entries = by_key(version)
    for obligation in (*version.deadlines, *version.duties):
        entry = entries[f"{'deadline' if obligation.kind == 'deadline' else 'duty'}:{obligation.id}"]
        assert entry.title == obligation.title
        starts = [version.vocabulary.event_types[t].label.lower() for t in obligation.starts.types]
        for row, sentence in zip(obligation.due, entry.sentences):
            expected = "immediately after" if row.duration.amount == 0 else f"within {row.duration} after"
            assert expected in sentence.lower(), sentence
            assert all(name in sentence for name in starts), sentence
            if row.when == ALWAYS:
                assert not sentence.startswith("When "), sentence
            if row.roll_to or obligation.roll_to:
                assert "working day" in sentence, sentence
        met = version.vocabulary.event_types[obligation.met_by.types[0]].label.lower()
        assert any(s.startswith("Met by") and met in s for s in entry.sentences)
        meets = "meets every one still open" if obligation.one_event_meets == "all_open" else "meets only one: the oldest still open"
        assert any(meets in s for s in entry.sentences), entry.sentences
        if obligation.unless is not None:
            assert any(s.startswith("Not needed when") for s in entry.sentences)


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
def test_counts_say_how_many_and_within_what(version):
    entries = by_key(version)
    for trigger in version.triggers:
        if isinstance(trigger.when, EventCond):
            sentence = entries[f"trigger:{trigger.id}"].sentences[0]
            if trigger.when.at_least > 1:
                assert f"at least {trigger.when.at_least} times" in sentence
            if trigger.when.within:
                assert f"within {trigger.when.within}" in sentence
            label = version.vocabulary.event_types[trigger.when.types[0]].label
            assert label.lower() in sentence.lower()


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
def test_gates_say_what_blocks_and_what_lifts_it(version):
    entries = by_key(version)
    for gate in version.gates:
        sentences = entries[f"gate:{gate.id}"].sentences
        for action in gate.actions:
            assert version.vocabulary.actions[action]["label"] in sentences[0]
        assert any(s.startswith("Blocked until") for s in sentences) == (gate.blocked_until is not None)
        assert any(s.startswith("Unless") for s in sentences) == (gate.unless is not None)
        assert any(s.startswith("Needs approval") for s in sentences) == (gate.needs_approval is not None)
        if gate.after_the_fact is not None:
            assert any(f"within {gate.after_the_fact}" in s for s in sentences)
            assert any(("overdue" if gate.after_the_fact_overdue else "overridden") in s for s in sentences)


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
def test_chair_and_invitees_name_roles_by_their_labels(version):
    entries = by_key(version)
    labels = version.vocabulary.roles
    for index, row in enumerate(version.chair):
        entry = entries[f"chair:{index}"]
        assert all(labels[role] in entry.title for role in row.options)
        if len(row.options) > 1:
            assert entry.sentences[-1].startswith("Any one of")
    for index, row in enumerate(version.invitees):
        text = " ".join(entries[f"invitees:{index}"].sentences)
        assert all(labels[role] in text for role in (*row.required, *row.consider))
        for one_of in (*row.required_one_of, *row.consider_one_of):
            assert "one of " + ", ".join(labels[r] for r in one_of.roles[:-1]) in text


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
def test_interventions_say_cost_and_dates(version):
    entries = by_key(version)
    for intervention in version.interventions:
        sentences = entries[f"intervention:{intervention.id}"].sentences
        assert sentences[0] == ("Has a cost." if intervention.costed else "No cost.")
        if intervention.available_from:
            assert f"Offered from {words.date_words(intervention.available_from)}." in sentences
        if intervention.available_until:
            assert f"Offered until {words.date_words(intervention.available_until)}." in sentences
        assert any(s.startswith("Offered only when") for s in sentences) == (intervention.when is not None)


def _placement_only(cond) -> set | None:
    """The placement types a row is written for, when its condition is only that (else None)."""
    if cond == ALWAYS:
        return None
    if isinstance(cond, Fields) and len(cond.tests) == 1 and cond.tests[0].path == "placement.type" \
            and cond.tests[0].op in ("is", "one_of"):
        value = cond.tests[0].value
        return set(value if isinstance(value, (tuple, list)) else (value,))
    return None


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
def test_rows_by_placement_type_follow_the_rows(version):
    chair = {row.placement_type: row for row in words.placement_rows(version, "chair")}
    invitees = {row.placement_type: row for row in words.placement_rows(version, "invitees")}
    assert list(chair) == list(version.vocabulary.placement_types) == list(invitees)
    for placement_type, row in invitees.items():
        keys = [cell.key for cell in row.cells]
        for index, rule in enumerate(version.invitees):
            types = _placement_only(rule.when)
            if rule.when == ALWAYS or (types and placement_type in types):
                assert f"invitees:{index}" in keys
                assert row.cells[keys.index(f"invitees:{index}")].when is None
            elif types is not None:
                assert f"invitees:{index}" not in keys
    for placement_type, row in chair.items():
        # the first row written only for this placement type (or for every case) ends the list
        for index, rule in enumerate(version.chair):
            types = _placement_only(rule.when)
            if rule.when == ALWAYS or (types and placement_type in types):
                assert row.cells[-1].key == f"chair:{index}" and row.cells[-1].when is None
                break
        assert all(cell.when for cell in row.cells[:-1])


@pytest.mark.parametrize("folder", [ROOT / "tests/fixtures/councils/every_construct"], ids=["every-construct"])
def test_language_2_meanings_are_said(folder):
    """judged_on, one_event_meets, roll_to and after_the_fact_overdue, each as the fixture writes it."""
    version = load_policy(folder).current
    assert version.language == 2
    said = " ".join(s for entry in words.entries(version) for s in entry.sentences)
    assert "(as things stood when it started)" in said and "(judged on the day evaluated)" in said
    assert "event meets every one still open that started before it" in said
    assert "moves to the next working day" in said and "moves to the working day before" in said
    assert "the gate shows as overdue" in said
    assert "in the carer's history" in said
    assert "Working days are counted on the " in said


def test_a_one_of_chair_reads_any_one_of_its_roles():
    version = load_policy(ROOT / "tests/fixtures/councils/every_construct").current
    row = next(index for index, r in enumerate(version.chair) if r.groups)
    entry = by_key(version)[f"chair:{row}"]
    labels = [version.vocabulary.roles[r] for r in version.chair[row].options]
    assert entry.sentences[-1] == "Any one of " + ", ".join(labels[:-1]) + " or " + labels[-1] + "."


# ----------------------------------------------------------------------------- forms
FORMS_ON = date(2026, 3, 20)   # a day every council's current version is in force for its forms
FORMS = [(council, form) for council in generic_councils()
         for form in sorted(load_forms(council, FORMS_ON).forms.values(), key=lambda f: f.id)]


@pytest.mark.parametrize("council,form", FORMS, ids=[f"{c}-{f.id}" for c, f in FORMS])
def test_every_question_and_check_of_every_form_is_said_with_its_source(council, form):
    version = api.policy_on(council, FORMS_ON)
    said = form_words.form_entries(form, version)
    questions = [(f"{prefix}{q.id}", q) for top in form.all_fields()
                 for prefix, q in (("", top), *((f"{top.id}.", child) for child in top.fields))]
    assert [e.key for e in said] == ([f"form:{form.id}"] + [f"question:{form.id}.{path}" for path, _ in questions]
                                     + [f"check:{form.id}:{i}" for i in range(len(form.checks))])
    assert [e.source for e in said] == [form.source] + [q.source for _, q in questions] + [c.source for c in form.checks]
    assert all(e.section == form_words.FORMS_SECTION for e in said)
    for entry, (_, question) in zip(said[1:], questions):
        assert entry.title == question.label
        assert all(s[:1].isupper() and s.endswith(".") for s in entry.sentences), entry
        text = " ".join(entry.sentences)
        if question.required is True:
            assert "Must be answered." in entry.sentences
        elif question.required is False:
            assert "May be left blank." in entry.sentences
        else:
            assert "Must be answered when the answer to '" in text
        assert ("Asked only when" in text) == (question.show_when is not None)
        if question.kind != "yes_no":
            assert all(option.label in entry.sentences[0] for option in question.options), entry.sentences[0]
        if question.max_length:
            assert f"up to {question.max_length} characters" in text
    for check, entry in zip(form.checks, said[len(questions) + 1:]):
        assert entry.title == check.message and entry.sentences[-1].startswith(f"Otherwise: {check.message}")
    records = form.describe()["events"]
    assert all(version.vocabulary.event_types[t].label.lower() in said[0].sentences[-1] for t in records)


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
def test_who_to_invite_by_placement_type_merges_what_always_holds(version):
    labels = version.vocabulary.roles
    for row in words.placement_rows(version, "invitees"):
        for index, rule in enumerate(version.invitees):
            types = _placement_only(rule.when)
            if rule.when == ALWAYS or (types and row.placement_type in types):
                assert all(labels[role] in row.always("required") for role in rule.required)
                assert all(labels[role] in row.always("consider") for role in rule.consider)
        assert len(set(row.always("required"))) == len(row.always("required"))
        assert all(cell.when for cell in row.sometimes)


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
def test_how_working_days_are_counted(version):
    said = words.calendar_words(version)
    assert len(said) == 1 + len(version.calendars)
    assert said[0].startswith("Working days are Monday to Friday")
    for line, calendar in zip(said, (version.calendar, *version.calendars.values())):
        assert all(words.date_words(day) in line for day in calendar.closures)
        assert calendar.nation.split("_")[0].title() in line


def test_an_entry_as_json_data():
    version = VERSIONS[0]
    for entry in words.entries(version):
        data = entry.as_dict()
        assert words.Entry(**{**data, "sentences": tuple(data["sentences"])}) == entry
