"""`hearth council new`: a council folder from the documented template that lints clean,
passes its own first policy test, has forms that load, and is refused, with one clear
sentence and nothing written, for a bad id, name or nation or a folder already there."""
from datetime import date

import pytest

from hearth.engine import api
from hearth.engine.forms_catalog import load_forms
from hearth.engine.linting import lint_council
from hearth.engine.policy_model import CURRENT_LANGUAGE
from hearth.engine.policy_tests import run_council_tests
from hearth.engine.scaffold import TEMPLATE, ScaffoldError, new_council, short_name_for

import cli_support

# How many tests the template's first test file holds: a new council starts with all of them passing.
TEMPLATE_TESTS = (TEMPLATE / "tests" / "first.yaml").read_text(encoding="utf-8").count("\n  - name: ")


def hearth(*args, policies):
    """The CLI's main, in this process (tests/cli_support.py)."""
    return cli_support.hearth(*args, policies=policies)


@pytest.fixture
def calderdale(tmp_path):
    return new_council(tmp_path / "policies", "calderdale", "Calderdale Council", "england",
                       effective_from=date(2026, 4, 1))


def test_the_folder_has_every_part_of_a_council(calderdale):
    written = sorted(str(p.relative_to(calderdale)) for p in calderdale.rglob("*") if p.is_file())
    assert written == ["council.yaml", "demo/cases.yaml", "document/procedure.txt", "forms/meeting_decision.yaml",
                       "forms/meeting_record.yaml", "forms/stability_concern.yaml", "tests/first.yaml",
                       "versions/2026-04.yaml"]
    council = api.get_council("calderdale", calderdale.parent)
    assert (council.name, council.short_name, council.nation) == ("Calderdale Council", "Calderdale", "england")
    assert (calderdale / "document" / council.document).is_file()
    assert "$" not in "".join(p.read_text() for p in calderdale.rglob("*.yaml"))
    assert api.get_policy("calderdale", calderdale.parent).current.language == CURRENT_LANGUAGE


def test_it_lints_clean(calderdale):
    problems, summary = lint_council(calderdale)
    assert problems == [] and "1 triggers, 1 deadlines" in summary and "3 forms" in summary


def test_its_first_policy_tests_pass(calderdale):
    results = run_council_tests(calderdale)
    assert TEMPLATE_TESTS >= 4 and len(results) == TEMPLATE_TESTS and all(result.ok for result in results), \
        [r.failures for r in results]


def test_a_changed_expectation_fails(calderdale):
    """The first test can fail: the template's tests are not hard-coded answers."""
    tests = calderdale / "tests" / "first.yaml"
    tests.write_text(tests.read_text().replace("chair: [childs_team_manager]", "chair: [fostering_manager]"))
    assert not all(result.ok for result in run_council_tests(calderdale))


def test_its_sources_quote_its_document(calderdale):
    document = (calderdale / "document" / "procedure.txt").read_text()
    policy = api.get_policy("calderdale", calderdale.parent).current
    rules = [*policy.triggers, *policy.recommendation, *policy.chair, *policy.invitees, *policy.deadlines]
    assert rules and all(rule.source in document for rule in rules)
    forms = load_forms("calderdale", date(2026, 4, 10), calderdale.parent).forms
    assert all(question.source in document for form in forms.values() for question in form.all_fields())


@pytest.mark.parametrize("nation, due", [("england", "2026-04-13"), ("scotland", "2026-04-10")])
def test_the_first_deadline_counts_the_nations_working_days(tmp_path, nation, due):
    """The decision on Thursday 2 April 2026: Good Friday and Easter Monday are England's bank
    holidays, only Good Friday Scotland's."""
    folder = new_council(tmp_path, f"north-{nation}", "North X Council", nation, effective_from=date(2026, 3, 25))
    assert "on: 2026-04-02" in (folder / "tests" / "first.yaml").read_text()
    assert f"due: {due}" in (folder / "tests" / "first.yaml").read_text()
    assert all(result.ok for result in run_council_tests(folder))


def test_the_same_procedure_under_another_nation_counts_that_nations_days(tmp_path):
    """council.yaml is part of a policy: the same id and version file under another nation (or
    document) is not answered from what was compiled for the first."""
    hashes = []
    for nation in ("england", "scotland"):
        folder = new_council(tmp_path / nation, "north-x", "North X Council", nation, effective_from=date(2026, 3, 25))
        assert all(result.ok for result in run_council_tests(folder))
        hashes.append(api.get_policy("north-x", folder.parent).current.rules_hash)
    assert hashes[0] != hashes[1]


def test_the_version_takes_effect_this_month_by_default(tmp_path):
    folder = new_council(tmp_path, "wakefield", "Wakefield Council", "england")
    first = date.today().replace(day=1)
    assert (folder / "versions" / f"{first:%Y-%m}.yaml").is_file()
    assert api.get_policy("wakefield", tmp_path).current.effective_from == first


def test_the_short_name_leaves_out_the_kind_of_council():
    assert short_name_for("Swindon Borough Council") == "Swindon"
    assert short_name_for("London Borough of Hackney") == "London Borough of Hackney"
    assert short_name_for("Council") == "Council"


# ------------------------------------------------------------------ refusals
@pytest.mark.parametrize("council_id, words", [
    ("Calderdale", "Did you mean 'calderdale'?"), ("north_yorkshire", "Did you mean 'north-yorkshire'?"),
    ("", "missing"), ("9lives", "starting with a letter"), ("x" * 41, "at most 40"), ("../evil", "hyphens"),
])
def test_bad_ids_are_refused(tmp_path, council_id, words):
    with pytest.raises(ScaffoldError) as refused:
        new_council(tmp_path, council_id, "Somewhere Council", "england")
    assert words in str(refused.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, words", [("", "name is missing"), ("  ", "name is missing"),
                                         ("A\nB", "one line"), ("A\x00B", "control character"),
                                         ("N" * 101, "at most 100")])
def test_bad_names_are_refused(tmp_path, name, words):
    with pytest.raises(ScaffoldError) as refused:
        new_council(tmp_path, "somewhere", name, "england")
    assert words in str(refused.value)


def test_an_unknown_nation_is_refused_with_a_suggestion(tmp_path):
    with pytest.raises(ScaffoldError, match="'englnd' is not a nation I know. Did you mean 'england'?"):
        new_council(tmp_path, "somewhere", "Somewhere Council", "englnd")


def test_every_problem_is_said_at_once(tmp_path):
    with pytest.raises(ScaffoldError) as refused:
        new_council(tmp_path, "Bad Id", "", "atlantis")
    assert len(refused.value.problems) == 3


def test_an_existing_folder_is_never_overwritten(calderdale):
    council = calderdale / "council.yaml"
    council.write_text(council.read_text().replace("Calderdale Council", "Calderdale Metropolitan Borough Council"))
    before = {p: p.read_bytes() for p in calderdale.rglob("*") if p.is_file()}
    with pytest.raises(ScaffoldError, match="already exists"):
        new_council(calderdale.parent, "calderdale", "Calderdale Council", "england")
    assert {p: p.read_bytes() for p in calderdale.rglob("*") if p.is_file()} == before
    (calderdale.parent / "plain-file").write_text("not a folder")
    with pytest.raises(ScaffoldError, match="already exists"):
        new_council(calderdale.parent, "plain-file", "Plain Council", "england")


def test_the_template_is_data_with_comments():
    files = [p for p in TEMPLATE.rglob("*.yaml")]
    assert len(files) >= 6 and all(p.read_text().lstrip().startswith("#") for p in files)


# ------------------------------------------------------------------ the command line
def test_the_command_writes_a_council_that_lints_and_tests(tmp_path):
    result = hearth("council", "new", "kirklees", "--name", "Kirklees Council", "--nation", "england",
                    "--effective-from", "2026-01-01", "--root", str(tmp_path), policies=tmp_path / "elsewhere")
    assert result.returncode == 0, result.stderr
    assert "versions/2026-01.yaml" in result.stdout
    lint = hearth("policy", "lint", str(tmp_path), policies=tmp_path)
    assert lint.returncode == 0 and "kirklees: ok" in lint.stdout, lint.stderr
    test = hearth("policy", "test", "kirklees", policies=tmp_path)
    assert test.returncode == 0 and f"{TEMPLATE_TESTS} passed, 0 failed" in test.stdout, test.stdout


def test_the_command_uses_the_policies_root_by_default(tmp_path):
    result = hearth("council", "new", "bury", "--name", "Bury Council", "--nation", "england", policies=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "bury" / "council.yaml").is_file()


@pytest.mark.parametrize("args, message", [
    (["Bad_Id", "--name", "X Council", "--nation", "england"], "cannot be a council's id"),
    (["ok", "--name", "X Council", "--nation", "wales-ish"], "is not a nation I know"),
    (["ok", "--name", "X Council", "--nation", "england", "--effective-from", "2026-02-31"], "--effective-from"),
])
def test_the_command_refuses_bad_input_with_exit_2(tmp_path, args, message):
    result = hearth("council", "new", *args, "--root", str(tmp_path), policies=tmp_path)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_command_refuses_an_existing_council(tmp_path):
    first = hearth("council", "new", "bury", "--name", "Bury Council", "--nation", "england", policies=tmp_path)
    again = hearth("council", "new", "bury", "--name", "Bury Council", "--nation", "england", policies=tmp_path)
    assert first.returncode == 0 and again.returncode == 2 and "already exists" in again.stderr
