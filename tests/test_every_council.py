"""The engine's and the forms' generic checks, for every council of the session: the
councils of the policies folder, the every-construct fixture council and a freshly
scaffolded one (tests/councils.py). A council dropped into policies/ is checked here with
no Python written for it; nothing below names a council, a form or a rule."""
from __future__ import annotations

import json
from datetime import date

import jsonschema
import pytest

from hearth.engine import api
from hearth.engine.evaluate import compiled
from hearth.engine.policy import load_policy
from hearth.forms import form_schema, validate_json
from hearth.rules import durable
from hearth.rules.source import load_yaml

import council_checks as checks
from councils import generic_councils, session_root
from forms_support import EVERY_KIND, TODAY as FORMS_TODAY, every_kind

COUNCILS = generic_councils()
# A day every council's current version is in force for the forms (the scaffolded council's
# first version takes effect in 2024; the shipped and fixture councils' by 2026).
TODAY = date(2026, 3, 20)


def folder(council: str):
    return session_root() / council


def forms_of(council: str) -> list[tuple[str, str]]:
    return [(council, form_id) for form_id in sorted(checks.form_catalog(council, TODAY).forms)]


ALL_FORMS = [pair for council in COUNCILS for pair in forms_of(council)]


@pytest.mark.parametrize("council", COUNCILS)
def test_the_council_lints_clean(council):
    assert checks.lint_problems(folder(council)) == []


@pytest.mark.parametrize("council", COUNCILS)
def test_the_councils_own_policy_tests_pass(council):
    assert checks.policy_test_failures(folder(council)) == []


@pytest.mark.parametrize("council", COUNCILS)
def test_every_version_compiles_to_single_fact_rules(council):
    for version in load_policy(folder(council)).versions:
        durable.assert_single_fact_only(compiled(version).ruleset.definition)


@pytest.mark.parametrize("council", COUNCILS)
def test_every_demo_case_is_evaluated_and_explained(council):
    document = api.get_council(council).document
    for case, answer in checks.demo_answers(folder(council), TODAY):
        # the case's first placement (the one in force may be a later one: a move is an event)
        assert answer["council"] == council and answer["placements"][0]["type"] == case["placement"]["type"]
        checks.check_answer_is_explained(answer, document)
        assert json.loads(json.dumps(answer)) == answer, "the answer is plain JSON"


@pytest.mark.parametrize("council, form_id", ALL_FORMS)
def test_every_form_renders(council, form_id):
    checks.check_form_renders(checks.form_catalog(council, TODAY).get(form_id), TODAY)


@pytest.mark.parametrize("council, form_id", ALL_FORMS)
def test_an_empty_record_is_refused_with_linked_messages(council, form_id):
    checks.check_empty_record_refused(checks.form_catalog(council, TODAY).get(form_id), TODAY)


@pytest.mark.parametrize("council, form_id", ALL_FORMS)
def test_a_complete_record_produces_events_the_engine_evaluates(council, form_id):
    checks.check_complete_record_is_evaluated(council, checks.form_catalog(council, TODAY).get(form_id), TODAY)


@pytest.mark.parametrize("council, form_id", ALL_FORMS)
def test_every_event_a_choice_can_produce_is_one_the_engine_accepts(council, form_id):
    checks.check_every_choice_of_event(council, checks.form_catalog(council, TODAY).get(form_id), TODAY)


@pytest.mark.parametrize("council, form_id", ALL_FORMS)
def test_some_demo_log_in_may_record_every_event_of_the_form(council, form_id):
    assert checks.recorder(council, checks.form_catalog(council, TODAY).get(form_id), TODAY)


@pytest.mark.parametrize("council", COUNCILS)
def test_sources_quote_the_councils_document(council):
    """Every question's `source` is words of the council's document (document/<file>)."""
    text = checks.sentence_words((folder(council) / "document" / api.get_council(council).document).read_text())
    wrong = [f"{defn.id}.{g.id}: {g.source}" for defn in checks.form_catalog(council, TODAY).forms.values()
             for f in defn.all_fields() for g in (f, *f.fields)
             if checks.sentence_words(g.source).rstrip(".;:,") not in text]
    assert not wrong, wrong


@pytest.mark.parametrize("council", COUNCILS)
def test_every_form_file_validates_against_the_json_schema(council):
    validator = jsonschema.Draft202012Validator(form_schema())
    for path in sorted((folder(council) / "forms").rglob("*.yaml")):
        errors = [e.message for e in validator.iter_errors(load_yaml(path.read_text(), str(path)))]
        assert not errors, (path.name, errors)


def test_complete_answers_repair_what_a_forms_checks_refuse_in_the_plain_example():
    """The generic form checks answer a council's form without knowing it: where the plain
    example breaks one of the form's checks, another answer to that question is found."""
    text = EVERY_KIND.replace("max_selected: 5", "max_selected: 2").replace("{attended: {includes: child}}",
                                                                            "{attended: {includes: iro}}")
    defn = every_kind(text)
    assert "attended" in validate_json(defn, checks.example(defn, FORMS_TODAY), FORMS_TODAY)[1]
    answers = checks.complete_answers(defn, FORMS_TODAY)
    assert validate_json(defn, answers, FORMS_TODAY)[1] == {} and "iro" in answers["attended"]
