"""Both councils' forms: they load against their policy, render, refuse incomplete records
with messages a worker understands, and produce the events `hearth evaluate` reads."""
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from hearth.engine import api
from hearth.engine.forms_catalog import load_forms
from hearth.forms import (build_form_class, events_from, formdata_for, render_answers, render_form, schema_for,
                          validate_json)

from conftest import ROOT
from forms_support import soup

POLICIES = ROOT / "policies"
COUNCILS = ["gateshead", "swindon"]
TODAY = date(2026, 1, 20)
SEEDS = Path(os.environ.get("HEARTH_SEEDS", ROOT.parent / "shared" / "seeds"))


def catalog(council):
    return load_forms(council, TODAY, POLICIES)


ALL_FORMS = [(c, f) for c in COUNCILS for f in sorted(catalog(c).forms)]


def example(defn, overrides=None):
    """Answers that should pass: every question answered, 'yes' to every yes/no, every role ticked."""
    base = TODAY - timedelta(days=10)

    def value(f):
        if f.kind == "date":
            if f.not_past:
                return (TODAY + timedelta(days=5)).isoformat()
            return (base + timedelta(days=5 if f.compare else 0)).isoformat()
        if f.kind in ("text", "long_text"):
            return "Written down" [: f.max_length or 100]
        if f.kind in ("number", "money"):
            return f.min if f.min is not None else 1
        if f.kind == "yes_no":
            return True
        if f.kind in ("checkboxes", "roles"):
            return [o.value for o in f.options][: f.max_selected or None]
        if f.kind in ("radios", "select"):
            return f.options[0].value
        return [{c.id: value(c) for c in f.fields}]

    answers = {f.id: value(f) for f in defn.all_fields()}
    answers.update(overrides or {})
    return answers


def case_with(events):
    return {"child": {"ref": "T-1"}, "placement": {"type": "ifa_foster", "started": "2025-06-01"}, "events": events}


def test_the_councils_have_the_forms_the_issue_lists():
    assert {"stability_concern", "meeting_decision", "funding_request", "stable_homes_meeting",
            "record_event"} <= set(catalog("gateshead").forms)
    assert {"stability_concern", "meeting_decision", "funding_request", "stability_meeting_minutes",
            "management_oversight", "review_meeting", "record_event"} <= set(catalog("swindon").forms)


@pytest.mark.parametrize("council, form_id", ALL_FORMS)
def test_every_form_renders(council, form_id):
    defn = catalog(council).get(form_id)
    page = soup(render_form(build_form_class(defn)(today=TODAY)))
    assert page.find("form") and not page.find(class_="govuk-error-summary")
    for f in defn.all_fields():
        if f.kind != "group":
            assert page.find(id=f.id) or page.find(id=f"{f.id}-day"), f.id


@pytest.mark.parametrize("council, form_id", ALL_FORMS)
def test_an_empty_record_is_refused_with_plain_messages(council, form_id):
    defn = catalog(council).get(form_id)
    form = build_form_class(defn)(formdata_for(defn, {}), today=TODAY)
    assert not form.validate()
    page = soup(render_form(form))
    links = page.find(class_="govuk-error-summary").find_all("a")
    assert links
    for a in links:
        text = a.get_text(strip=True)
        assert re.match(r"^(Enter|Select|[A-Z][a-z]+ \d+: (Enter|Select))", text), text
        assert page.find(id=a["href"][1:]), a["href"]


@pytest.mark.parametrize("council, form_id", ALL_FORMS)
def test_a_complete_record_produces_events_the_engine_evaluates(council, form_id):
    defn = catalog(council).get(form_id)
    answers = example(defn)
    web = build_form_class(defn)(formdata_for(defn, answers), today=TODAY)
    assert web.validate(), web.error_map
    kept = schema_for(defn)(today=TODAY).load(answers)
    assert kept == web.answers
    events = events_from(defn, kept)
    assert events, "every council form records something that happened"
    assert {e["type"] for e in events} <= set(defn.describe()["events"])
    answer = api.evaluate(council, case_with(events), TODAY, root=POLICIES)  # the case parser checks every field
    assert answer["council"] == council


@pytest.mark.parametrize("council", COUNCILS)
def test_every_event_a_choice_can_produce_is_one_the_engine_accepts(council):
    for defn in catalog(council).forms.values():
        for p in defn.produces:
            if not p.event_from:
                continue
            source = defn.field(p.event_from)
            for option in source.options:
                chosen = [option.value] if source.is_list else option.value
                kept, errors = validate_json(defn, example(defn, {p.event_from: chosen}), TODAY)
                assert not errors, (defn.id, option.value, errors)
                events = events_from(defn, kept)
                assert option.value in [e["type"] for e in events]
                api.evaluate(council, case_with(events), TODAY, root=POLICIES)


def test_gateshead_meeting_record_bridges_to_the_review_deadline():
    defn = catalog("gateshead").get("stable_homes_meeting")
    answers = example(defn, {"meeting_type": "initial", "meeting_date": "2026-01-09", "review_agreed": True,
                             "review_date": "2026-01-23"})
    events = events_from(defn, validate_json(defn, answers, TODAY)[0])
    held = next(e for e in events if e["type"] == "stability_meeting_held")
    assert held["review_date"] == "2026-01-23" and held["review"] is True and "child" in held["attendees"]
    no_review = example(defn, {"review_agreed": False, "no_review_reason": "Home settled"})
    held = next(e for e in events_from(defn, validate_json(defn, no_review, TODAY)[0])
                if e["type"] == "stability_meeting_held")
    assert held["review"] is False and held["review_reason"] == "Home settled" and "review_date" not in held


def test_swindon_minutes_record_two_parts_and_the_reason():
    defn = catalog("swindon").get("stability_meeting_minutes")
    kept, errors = validate_json(defn, example(defn, {"two_parts": True, "two_parts_reason": ""}), TODAY)
    assert errors == {"two_parts_reason": "Enter why the meeting was held in two parts"}
    kept, errors = validate_json(defn, example(defn, {"two_parts_reason": "Adults first"}), TODAY)
    held = events_from(defn, kept)[0]
    assert (held["parts"], held["parts_reason"]) == (2, "Adults first")
    kept, _ = validate_json(defn, example(defn, {"two_parts": False, "two_parts_reason": "ignored"}), TODAY)
    held = events_from(defn, kept)[0]
    assert held["parts"] == 1 and "parts_reason" not in held


def test_swindon_minutes_need_the_childs_views_when_they_did_not_take_part():
    defn = catalog("swindon").get("stability_meeting_minutes")
    answers = example(defn, {"child_attended": False, "two_parts": False, "child_views_how": None})
    _, errors = validate_json(defn, answers, TODAY)
    assert errors == {"child_views_how": "Enter why the child did not take part and how their views were gathered"}


# ------------------------------------------------------------------ versions
def test_a_record_keeps_its_version_and_still_displays_after_the_form_changes():
    forms = catalog("swindon")
    current, old = forms.get("funding_request"), forms.get("funding_request", "1")
    assert (current.version, old.version) == ("3", "1")
    saved = {"form": "funding_request", "version": "1",
             "answers": {"request_date": "2025-11-03", "kind": "increased_funding", "cost": 400, "reason": "Respite"}}
    # the changed form asks more ...
    assert validate_json(current, saved["answers"], TODAY)[1]
    # ... but the record is shown, and can be edited, with the version it was filled against
    defn = forms.get(saved["form"], saved["version"])
    assert validate_json(defn, saved["answers"], TODAY)[1] == {}
    summary = soup(render_answers(defn, saved["answers"])).get_text(" ", strip=True)
    assert "Increased funding" in summary and "£400.00" in summary and "3 November 2025" in summary
    page = soup(render_form(build_form_class(defn)(data=saved["answers"], today=TODAY)))
    assert page.find("form")["data-form-version"] == "1"
    assert page.find("input", id="cost")["value"] == "400"


def test_an_unknown_version_is_a_plain_error():
    from hearth.engine.forms_catalog import UnknownForm
    with pytest.raises(UnknownForm, match="Versions kept: 1, 2, 3"):
        catalog("swindon").get("funding_request", "7")


# ------------------------------------------------------------------ traceability
@pytest.mark.parametrize("council, form_id", ALL_FORMS)
def test_every_question_says_which_sentence_it_records(council, form_id):
    defn = catalog(council).get(form_id)
    missing = [f.id for f in defn.all_fields() for f in [f, *f.fields] if not f.source]
    assert not missing


def _normal(text):
    return re.sub(r"\s+", " ", text.replace("*", "").replace("’", "'")).strip().lower()


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents are not next to this checkout")
@pytest.mark.parametrize("council", COUNCILS)
def test_sources_quote_the_councils_document(council):
    document = api.get_council(council, POLICIES).document
    text = _normal((SEEDS / document).read_text(encoding="utf-8"))
    wrong = []
    for defn in catalog(council).forms.values():
        for f in defn.all_fields():
            for g in [f, *f.fields]:
                if _normal(g.source).rstrip(".;:,") not in text:
                    wrong.append(f"{defn.id}.{g.id}: {g.source}")
    assert not wrong, wrong


# ------------------------------------------------------------------ the command line
def hearth(*args, policies=POLICIES):
    env = dict(os.environ, HEARTH_POLICIES=str(policies))
    return subprocess.run([sys.executable, "-c", "from hearth.web.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_cli_lists_forms_as_json():
    result = hearth("forms", "list", "--council", "swindon")
    assert result.returncode == 0, result.stderr
    listed = {f["id"]: f for f in json.loads(result.stdout)}
    assert listed["funding_request"]["version"] == "3" and listed["funding_request"]["older_versions"] == ["1", "2"]
    assert "stability_meeting_held" in listed["stability_meeting_minutes"]["events"]
    assert listed["stability_meeting_minutes"]["title"] == "Stability meeting minutes"


def test_cli_renders_a_form_and_its_errors(tmp_path):
    result = hearth("forms", "render", "--council", "gateshead", "stable_homes_meeting")
    assert result.returncode == 0 and soup(result.stdout).find("form")
    data = tmp_path / "record.yaml"
    data.write_text("meeting_date: 2026-02-31\nchild_attended: false\n")
    result = hearth("forms", "render", "--council", "gateshead", "stable_homes_meeting", "--data", str(data))
    assert result.returncode == 1
    summary = soup(result.stdout).find(class_="govuk-error-summary")
    assert summary.find("a", href="#meeting_date-day").get_text(strip=True) == \
        "The date of the meeting must be a real date"
    assert "Traceback" not in result.stderr


def test_cli_events_prints_what_evaluate_reads(tmp_path):
    data = tmp_path / "decision.json"
    data.write_text(json.dumps({"decision_date": "2026-01-05", "chair": "fostering_team_manager",
                                "arranger": "childs_social_worker"}))
    result = hearth("forms", "events", "--council", "gateshead", "meeting_decision", "--data", str(data),
                    "--on", "2026-01-10")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"type": "stability_meeting_decided", "on": "2026-01-05",
                                          "chair": "fostering_team_manager", "arranger": "childs_social_worker"}]


@pytest.mark.parametrize("args, expected", [
    (["--council", "nowhere", "x"], "There is no council 'nowhere'"),
    (["--council", "swindon", "funding_requests"], "Did you mean 'funding_request'?"),
])
def test_cli_bad_input_exits_2_with_a_message(args, expected):
    result = hearth("forms", "render", *args)
    assert result.returncode == 2 and expected in result.stderr and not result.stdout
    assert "Traceback" not in result.stderr


def test_cli_names_the_line_of_a_mistyped_answer(tmp_path):
    data = tmp_path / "data.yaml"
    data.write_text("decision_date: 2026-01-05\nchiar: fostering_team_manager\n")
    result = hearth("forms", "render", "--council", "gateshead", "meeting_decision", "--data", str(data))
    assert result.returncode == 2
    assert f"{data}:2:1" in result.stderr and "Did you mean 'chair'?" in result.stderr


def test_a_broken_form_file_is_located_with_a_fix(tmp_path):
    root = tmp_path / "policies"
    shutil.copytree(POLICIES / "swindon", root / "swindon")
    path = root / "swindon" / "forms" / "management_oversight.yaml"
    text = path.read_text()
    path.write_text(text.replace("kind: long_text", "kind: long_txt", 1))
    line = text.splitlines().index(next(l for l in text.splitlines() if "kind: long_text" in l)) + 1
    result = hearth("forms", "list", "--council", "swindon", policies=root)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"management_oversight.yaml:{line}:" in result.stderr
    assert "Did you mean 'long_text'?" in result.stderr
    lint = hearth("policy", "lint", str(root / "swindon"), policies=root)
    assert lint.returncode == 1 and "Did you mean 'long_text'?" in lint.stderr


@pytest.mark.parametrize("council", COUNCILS)
def test_every_council_form_file_validates_against_the_json_schema(council):
    import jsonschema

    from hearth.forms import form_schema
    from hearth.rules.source import load_yaml

    validator = jsonschema.Draft202012Validator(form_schema())
    files = sorted((POLICIES / council / "forms").rglob("*.yaml"))
    assert files
    for path in files:
        errors = [e.message for e in validator.iter_errors(load_yaml(path.read_text(), str(path)))]
        assert not errors, (path.name, errors)


def test_policy_schema_includes_forms():
    result = hearth("policy", "schema", "--kind", "form")
    assert result.returncode == 0 and json.loads(result.stdout)["title"] == "Hearth form"
