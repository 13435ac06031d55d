"""A policy test can expect 'one of these roles' (invitees' required_one_of and consider_one_of),
as the answer gives it: before, a test could not say it, and a misspelt part of an invitees
expectation ('requird') checked nothing and passed."""
import shutil
from pathlib import Path

import pytest

from hearth.engine.policy import load_policy
from hearth.engine.policy_tests import read_test_file, run_test
from hearth.rules.source import SourceError

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "councils" / "every_construct"
TEST = """tests:
  - name: An emergency move asks for one of the managers or a fostering team manager
    on: 2026-03-04
    case:
      placement: {type: in_house_foster, started: 2025-06-01}
      events:
        - {type: placement_moved, on: 2026-03-02, placement_type: la_childrens_home, emergency: true}
    expect:
      invitees: INVITEES
"""


@pytest.fixture
def council(tmp_path):
    folder = tmp_path / "every_construct"
    shutil.copytree(FIXTURE, folder)
    return folder


def run(council: Path, invitees: str):
    path = council / "tests" / "one_of.yaml"
    path.write_text(TEST.replace("INVITEES", invitees))
    [node] = read_test_file(path)
    return run_test(load_policy(council), node)


@pytest.mark.parametrize("invitees", [
    "{required_one_of: [[managers, fostering_team_manager]]}",
    "{required_one_of: [[fostering_team_manager, childs_team_manager, fostering_manager, head_of_service]]}",
])
def test_a_one_of_set_written_with_roles_or_a_group_passes(council, invitees):
    assert run(council, invitees).failures == []


def test_a_one_of_set_the_answer_does_not_give_fails_saying_what_it_got(council):
    result = run(council, "{required_one_of: [[managers]]}")
    [failure] = result.failures
    assert "invitees required_one_of: expected one of ['childs_team_manager', 'fostering_manager', " \
           "'head_of_service'], got [['childs_team_manager', 'fostering_manager', 'fostering_team_manager', " \
           "'head_of_service']]" in failure


def test_a_misspelt_role_in_a_one_of_set_is_located(council):
    result = run(council, "{required_one_of: [[managers, fostering_team_manger]]}")
    assert any("'fostering_team_manger' is not a role this council's policy knows. "
               "Did you mean 'fostering_team_manager'?" in failure for failure in result.failures)


def test_a_misspelt_part_of_an_invitees_expectation_is_located(council):
    with pytest.raises(SourceError) as error:
        run(council, "{requird: [iro]}")
    [problem] = error.value.problems
    assert "'requird'" in problem.message and "Did you mean 'required'?" in problem.message
    assert problem.loc.line == 9
