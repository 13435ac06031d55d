"""`hearth policy upgrade`: a folder written for language 1 moves to the current language with
the same answers, its comments and `source` lines kept, and only the keys that keep an old
meaning added. The language-1 inputs are the shipped councils' version files as they were
before language 2 (tests/fixtures/language1/) and the fixture council Northshire."""
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from hearth.engine.case import parse_case_data
from hearth.engine.cli import cli
from hearth.engine.evaluate import evaluate
from hearth.engine.linting import lint_council
from hearth.engine.policy import load_council, load_policy, load_version
from hearth.engine.policy_model import CURRENT_LANGUAGE
from hearth.engine.policy_tests import read_test_file
from hearth.engine.policy_files import PolicyFiles
from hearth.engine.upgrade import upgrade_council, upgrade_text, upgrade_versions, upgraded
from hearth.rules.source import SourceError

from conftest import FIXTURES, ROOT

LANGUAGE_1 = ROOT / "tests" / "fixtures" / "language1"


@pytest.fixture
def old_councils(tmp_path) -> Path:
    """Both shipped councils with their language-1 version files, and Northshire."""
    root = tmp_path / "policies"
    for council, version in (("swindon", "2025-01"), ("gateshead", "2024-04")):
        shutil.copytree(ROOT / "policies" / council, root / council)
        shutil.copy(LANGUAGE_1 / f"{council}-{version}.yaml", root / council / "versions" / f"{version}.yaml")
    shutil.copytree(FIXTURES / "northshire", root / "northshire")
    return root


def texts(root: Path) -> dict:
    return {path: path.read_text() for path in sorted(root.glob("*/versions/*.yaml"))}


def answers(root: Path) -> dict:
    """The whole answer to every policy test's case of every council, and of each case a month on."""
    out = {}
    for folder in sorted(p for p in root.iterdir() if (p / "council.yaml").is_file()):
        policy = load_policy(folder)
        for path in sorted((folder / "tests").glob("*.yaml")):
            for node in read_test_file(path):
                if "case" not in node:
                    continue
                for on in (date.fromisoformat(str(node["on"])), date.fromisoformat(str(node["on"])).replace(day=28)):
                    version = policy.version_on(on)
                    case = parse_case_data(node["case"], version.vocabulary, str(path))
                    out[f"{folder.name}: {node['name']} on {on}"] = json.dumps(
                        {key: value for key, value in evaluate(version, case, on).items() if key != "policy"})
    return out


def run(*args, root: Path):
    return CliRunner().invoke(cli, ["policy", "upgrade", *args], env={"HEARTH_POLICIES": str(root)})


def is_kept_within(before: str, after: str) -> bool:
    """Every line of before is in after, in the same order: the upgrade only added lines."""
    lines = iter(after.splitlines())
    return all(any(line == candidate for candidate in lines) for line in before.splitlines())


def test_an_upgraded_folder_lints_clean_and_answers_exactly_as_before(old_councils):
    before_texts, before_answers = texts(old_councils), answers(old_councils)
    assert all(load_version(load_council(path.parents[1]), path).language == 1 for path in before_texts)
    result = run(str(old_councils), root=old_councils)
    assert result.exit_code == 0, result.output
    after_texts = texts(old_councils)
    for path, before in before_texts.items():
        after = after_texts[path]
        assert load_version(load_council(path.parents[1]), path).language == CURRENT_LANGUAGE
        assert is_kept_within(before, after), path  # comments, source lines and order kept
        assert sum(line.startswith("#") for line in after.splitlines()) == sum(
            line.startswith("#") for line in before.splitlines())
    for folder in ("swindon", "gateshead", "northshire"):
        problems, _ = lint_council(old_councils / folder)
        assert problems == []
    assert answers(old_councils) == before_answers
    # the keys that keep the old meaning, where a default changed
    swindon = after_texts[old_councils / "swindon" / "versions" / "2025-01.yaml"]
    assert swindon.count("one_event_meets: oldest_open") == 5 and swindon.count("judged_on: today") == 1
    northshire = after_texts[old_councils / "northshire" / "versions" / "2025-04.yaml"]
    assert "after_the_fact: 5 working days\n    after_the_fact_overdue: false\n" in northshire


def test_upgrading_twice_changes_nothing_and_check_says_so(old_councils):
    assert run("swindon", root=old_councils).exit_code == 0
    once = texts(old_councils)
    result = run("swindon", root=old_councils)
    assert result.exit_code == 0 and "swindon/versions/2025-01.yaml: language 2 already" in result.output
    assert texts(old_councils) == once
    assert run("--check", "swindon", root=old_councils).exit_code == 0


def test_check_and_diff_write_nothing(old_councils):
    before = texts(old_councils)
    result = run("--check", str(old_councils / "gateshead"), root=old_councils)
    assert result.exit_code == 1 and "gateshead/versions/2024-04.yaml: would be upgraded to language 2" in result.output
    result = run("--diff", "gateshead", root=old_councils)
    assert result.exit_code == 0
    assert "+language: 2\n" in result.output and "+    one_event_meets: oldest_open\n" in result.output
    assert "(language 1)" in result.output
    assert texts(old_councils) == before


def test_old_meanings_are_written_only_where_a_default_changed(tmp_path):
    folder = tmp_path / "testshire"
    (folder / "versions").mkdir(parents=True)
    (folder / "council.yaml").write_text("name: Testshire\nnation: england\n")
    path = folder / "versions" / "2025-01.yaml"
    path.write_text("""effective_from: 2025-01-01   # a comment kept
deadlines:
  - id: review
    due:
      - when: {all: [{placement.type: ifa_foster}, {count: missing_episode, at_least: 2}]}
        due: 5 working days after review_meeting_held
      - due: 10 working days after review_meeting_held
    met_by: review_meeting_held   # every start meets the one before: no choice of instance to keep
    unless: {event: stability_meeting_held, within: 5 days, judged_on: start}
    source: "a review after each review"
  - id: minutes
    due: 5 working days after stability_meeting_held
    met_by: minutes_circulated
    unless: {placement.type: la_childrens_home}
    source: "minutes"
gates:
  - id: meeting-first
    actions: [alternative_placement]
    blocked_until: {event: stability_meeting_held}
    source: "a meeting first"
""")
    (upgrade,) = upgrade_council(folder)
    assert upgrade.kept == ["deadlines.review.due[0].when: judged_on: today", "deadlines.minutes: one_event_meets: oldest_open"]
    # a one-key mapping in a flow list keeps its braces
    assert "{all: [{placement.type: ifa_foster}, {count: missing_episode, at_least: 2, judged_on: today}]}" in upgrade.after
    assert "judged_on: start}" in upgrade.after  # what the file said is kept
    assert "after_the_fact_overdue" not in upgrade.after
    assert upgrade.after.startswith("language: 2\neffective_from: 2025-01-01   # a comment kept\n")
    path.write_text(upgrade.after)
    assert upgrade_text(upgrade.after, load_version(load_council(folder), path), path).changed is False


def test_a_folder_with_mistakes_is_not_upgraded(old_councils):
    path = old_councils / "gateshead" / "versions" / "2024-04.yaml"
    path.write_text(path.read_text().replace("met_by: stability_meeting_held", "met_by: stability_meeting_hled"))
    before = texts(old_councils)
    result = run("gateshead", root=old_councils)
    assert result.exit_code == 2
    assert "2024-04.yaml:" in result.output and "Did you mean 'stability_meeting_held'?" in result.output
    assert texts(old_councils) == before


def test_a_layout_the_rewrite_would_change_is_left_alone(tmp_path):
    folder = tmp_path / "testshire"
    (folder / "versions").mkdir(parents=True)
    (folder / "council.yaml").write_text("name: Testshire\nnation: england\n")
    (folder / "versions" / "2025-01.yaml").write_text(
        "effective_from:   2025-01-01\ntriggers:\n-   id: missing\n    when: {event: missing_episode}\n    source: s\n")
    result = run(str(folder), root=tmp_path)
    assert result.exit_code == 2 and "would not survive being rewritten" in result.output


def test_a_set_of_files_from_anywhere_is_upgraded_as_its_folder_is(old_councils):
    """upgraded: a council's files in, the changed files out, nothing written; the same texts as
    the folder command writes, wherever the set came from (origin db:<council>/draft)."""
    for council in ("swindon", "gateshead", "northshire"):
        folder = old_councils / council
        on_disk = PolicyFiles.from_folder(folder)
        stored = PolicyFiles(council, f"db:{council}/draft", dict(on_disk.texts))
        in_memory = upgraded(stored)
        assert PolicyFiles.from_folder(folder) == on_disk  # nothing was written
        assert in_memory.origin == stored.origin and in_memory != stored
        assert run(str(folder), root=old_councils).exit_code == 0
        assert dict(in_memory.texts) == dict(PolicyFiles.from_folder(folder).texts)
        assert upgraded(in_memory) == in_memory  # a second upgrade changes nothing
        assert all(upgrade.file == f"db:{council}/draft/{upgrade.relative}" and
                   upgrade.diff().startswith(f"--- db:{council}/draft/versions/")
                   for upgrade in upgrade_versions(stored))


def test_a_set_with_mistakes_is_refused_at_its_origin(old_councils):
    on_disk = PolicyFiles.from_folder(old_councils / "gateshead")
    relative = "versions/2024-04.yaml"
    broken = PolicyFiles("gateshead", "db:gateshead/draft", dict(on_disk.texts)).replace(
        {relative: on_disk.text(relative).replace("met_by: stability_meeting_held", "met_by: stability_meeting_hled")})
    with pytest.raises(SourceError) as raised:
        upgraded(broken)
    assert all(str(problem).startswith("db:gateshead/draft/versions/2024-04.yaml:") for problem in raised.value.problems)
