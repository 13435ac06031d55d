"""docs/vocabulary.md is the shared vocabulary (engine/vocabulary.yaml) as `hearth policy vocabulary`
prints it: in step with the file, and naming every word a policy officer may use."""
import difflib
from dataclasses import replace

import pytest

from click.testing import CliRunner

from hearth.engine import api
from hearth.engine.cli import cli
from hearth.engine.vocabulary import EventField, EventType, shared_vocabulary
from hearth.engine.vocabulary_docs import REGENERATE, council_vocabulary_page, shared_vocabulary_page, vocabulary_markdown

from conftest import ROOT

DOC = ROOT / "docs" / "vocabulary.md"


def test_docs_vocabulary_is_in_step_with_the_vocabulary_file():
    written, wanted = DOC.read_text(encoding="utf-8"), shared_vocabulary_page()
    if written != wanted:
        difference = difflib.unified_diff(written.splitlines(), wanted.splitlines(), "docs/vocabulary.md",
                                          "hearth policy vocabulary", lineterm="", n=1)
        pytest.fail(f"docs/vocabulary.md is out of step with engine/vocabulary.yaml: run `.venv/bin/{REGENERATE}` "
                    "and commit it.\n" + "\n".join(list(difference)[:40]), pytrace=False)


def test_the_command_prints_the_page():
    result = CliRunner().invoke(cli, ["policy", "vocabulary"])
    assert result.exit_code == 0, result.output
    assert result.output == shared_vocabulary_page()
    assert REGENERATE in result.output  # the page says how it is made


def test_every_word_of_the_vocabulary_is_on_the_page():
    page = DOC.read_text(encoding="utf-8")
    vocabulary = shared_vocabulary()
    words = [*vocabulary.placement_types, *vocabulary.roles, *vocabulary.parties, *vocabulary.role_groups,
             *vocabulary.actions, *vocabulary.recommendations, *vocabulary.app_roles, *vocabulary.common_event_fields]
    for word in words:
        assert f"`{word}`" in page, word
    for type_id, event_type in vocabulary.event_types.items():
        assert f"### `{type_id}`: {event_type.label}" in page, type_id
        section = page.split(f"### `{type_id}`:")[1].split("\n### ")[0]
        recorders = event_type.recorded_by or vocabulary.recorded_by_default
        assert all(f"(`{role}`)" in section.split("\n\n")[1] for role in recorders), type_id
        for name, spec in event_type.fields.items():
            row = next(line for line in section.splitlines() if line.startswith(f"| `{name}` |"))
            assert f"| {spec.kind} |" in row and row.endswith("| yes |" if spec.required else "| no |"), row
            assert all(f"`{value}`" in row for value in spec.values), row


def test_meeting_scheduled_shows_its_values_bounds_and_required_date():
    page = DOC.read_text(encoding="utf-8")
    section = page.split("### `meeting_scheduled`:")[1].split("\n### ")[0]
    assert "| `meeting` | choice | one of `stability`, `review` | no |" in section
    assert "| `meeting_date` | date | a date, `YYYY-MM-DD` | yes |" in section
    assert "at most 200 characters" in section
    assert "whole numbers only; at least 1; at most 20" in page  # review_extended.days
    assert "Recorded by: manager (`manager`)." in page.split("### `panel_approved`:")[1]


def test_a_change_to_the_vocabulary_changes_the_page():
    """What the in-step test relies on: the page follows the vocabulary, it is not a fixed text."""
    vocabulary = shared_vocabulary().copy()
    vocabulary.event_types["home_visit"] = EventType(
        "home_visit", "Home visit", {"visit": EventField("choice", ("announced", "unannounced"), required=True)},
        ("manager",))
    vocabulary.event_types["missing_episode"] = replace(vocabulary.event_types["missing_episode"], label="Went missing")
    page = vocabulary_markdown(vocabulary, "The shared vocabulary", "")
    assert "### `home_visit`: Home visit" in page
    assert "| `visit` | choice | one of `announced`, `unannounced` | yes |" in page
    assert "### `missing_episode`: Went missing" in page
    assert page != shared_vocabulary_page()


def test_a_councils_page_has_its_additions():
    version = api.get_policy("swindon", ROOT / "policies").current
    page = council_vocabulary_page(version)
    added = set(version.vocabulary.roles) - set(shared_vocabulary().roles)
    assert added and all(f"`{role}`" in page for role in added)
    for name, members in version.vocabulary.role_groups.items():
        assert f"| `{name}` | {', '.join(f'`{m}`' for m in members)} |" in page
    result = CliRunner().invoke(cli, ["policy", "vocabulary", "nowhere"])
    assert result.exit_code == 2 and "There is no council 'nowhere'" in result.output
