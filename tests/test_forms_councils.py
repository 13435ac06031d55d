"""Swindon's and Gateshead's forms, by name: what their own documents ask of them. The
checks every council's forms must pass (they load, render, refuse an empty record, produce
events the engine evaluates, quote the council's document) are in test_every_council.py,
which runs them for every council without naming one."""
import json
import shutil
from datetime import date

import pytest

from hearth.engine.forms_catalog import load_forms
from hearth.forms import build_form_class, events_from, render_answers, render_form, validate_json

import cli_support
from council_checks import example as example_on
from councils import needs_council, session_root
from forms_support import soup

POLICIES = session_root()
TODAY = date(2026, 1, 20)
pytestmark = [needs_council("gateshead"), needs_council("swindon")]


def catalog(council):
    return load_forms(council, TODAY, POLICIES)


def example(defn, overrides=None):
    return example_on(defn, TODAY, overrides)


def test_the_councils_have_the_forms_the_issue_lists():
    assert {"stability_concern", "meeting_decision", "funding_request", "stable_homes_meeting",
            "record_event"} <= set(catalog("gateshead").forms)
    assert {"stability_concern", "meeting_decision", "funding_request", "stability_meeting_minutes",
            "management_oversight", "review_meeting", "record_event"} <= set(catalog("swindon").forms)


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
    assert (current.version, old.version) == ("4", "1")
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


# ------------------------------------------------------------------ the command line
def hearth(*args, policies=POLICIES):
    """The CLI's main, in this process (tests/cli_support.py)."""
    return cli_support.hearth(*args, policies=policies)


def test_cli_lists_forms_as_json():
    result = hearth("forms", "list", "--council", "swindon")
    assert result.returncode == 0, result.stderr
    listed = {f["id"]: f for f in json.loads(result.stdout)}
    assert listed["funding_request"]["version"] == "4" and listed["funding_request"]["older_versions"] == ["1", "2", "3"]
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


def test_policy_schema_includes_forms():
    result = hearth("policy", "schema", "--kind", "form")
    assert result.returncode == 0 and json.loads(result.stdout)["title"] == "Hearth form"


# ------------------------------------------------------------------ traceability
@pytest.mark.parametrize("council", ["gateshead", "swindon"])
def test_every_question_says_which_sentence_it_records(council):
    """Both councils' forms say, for every question, the sentence of their document it
    records (the form language does not require it of every council)."""
    missing = [f"{defn.id}.{g.id}" for defn in catalog(council).forms.values()
               for f in defn.all_fields() for g in (f, *f.fields) if not g.source]
    assert not missing
