"""Policy tests as pytest items (conftest.py at the root): every test of every council's test
files is collected, a failure reads as `hearth policy test` prints it (file:line, name, expected
against got) with no traceback, and a file with a located mistake is a collection error."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hearth.engine.policy_tests import read_test_file

import cli_support
from conftest import ROOT

POLICIES = ROOT / "policies"
PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"]

FAILING = """\
tests:
  - name: A single missing episode does not call for a meeting
    on: 2026-01-10
    case:
      placement: {type: ifa_foster, started: 2025-09-01}
      events:
        - {type: missing_episode, on: 2026-01-10}
    expect:
      recommendation: hold_stability_meeting
      deadlines: {initial_meeting: {status: pending}}
  - name: Nothing has happened
    on: 2026-01-10
    case:
      placement: {type: ifa_foster, started: 2025-09-01}
      events: []
    expect:
      triggers: []
  - name: The minutes must tick the child who took part
    on: 2026-01-20
    form: stability_meeting_minutes
    answers: {child_attended: true, attended: [child, iro]}
    expect:
      errors: {attended: "You said the child took part; select them in who attended"}
"""


def pytest_run(*args, outside=True):
    """pytest on paths; for a folder outside the repository (``outside``) the root conftest.py
    is loaded as a plugin (inside, pytest loads it itself)."""
    plugin = ["-p", "conftest"] if outside else []
    return subprocess.run(PYTEST + plugin + [str(a) for a in args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def hearth(*args, policies):
    """The CLI's main, in this process (tests/cli_support.py)."""
    return cli_support.hearth(*args, policies=policies)


@pytest.fixture
def council(tmp_path) -> Path:
    """A copy of a shipped council whose test files the test writes."""
    folder = tmp_path / "policies" / "swindon"
    shutil.copytree(POLICIES / "swindon", folder)
    for path in (folder / "tests").glob("*.yaml"):
        path.unlink()
    return folder


def test_every_test_of_every_council_is_a_pytest_item():
    result = pytest_run("--collect-only", POLICIES, outside=False)
    assert result.returncode == 0, result.stdout + result.stderr
    collected = [line for line in result.stdout.splitlines() if "::" in line]
    expected = [f"{path.relative_to(ROOT)}::{node['name']}"
                for path in sorted(POLICIES.glob("*/tests/*.yaml")) for node in read_test_file(path)]
    assert sorted(collected) == sorted(expected)


def test_a_failure_reads_file_line_name_and_reason_with_no_traceback(council):
    path = council / "tests" / "mixed.yaml"
    path.write_text(FAILING)
    result = pytest_run(path)
    out = result.stdout
    assert result.returncode == 1, out
    assert "2 failed, 1 passed" in out
    assert f"{path}:2:5: A single missing episode does not call for a meeting" in out
    assert "    line 9: recommendation: expected 'hold_stability_meeting', got None" in out
    assert "    line 10: deadline initial_meeting: expected one, got none" in out
    assert f"{path}:18:5: The minutes must tick the child who took part" in out
    assert "errors.attended: expected 'You said the child took part; select them in who attended', got None" in out
    for noise in ("Traceback", "conftest.py", "raise ", "policy_tests.py"):
        assert noise not in out, noise


def test_the_command_and_the_items_report_the_same_failures(council):
    """One runner for both: every line the command prints for a failure is in pytest's report."""
    (council / "tests" / "mixed.yaml").write_text(FAILING)
    command = hearth("policy", "test", "swindon", policies=council.parent)
    assert command.returncode == 1 and "1 passed, 2 failed" in command.stdout
    items = pytest_run(council / "tests").stdout
    reasons = [line.strip() for line in command.stdout.splitlines() if line.startswith("     ")]
    assert len(reasons) == 3
    assert all(reason in items for reason in reasons)


@pytest.mark.parametrize("text,located", [
    ("tests:\n  - name: x\n    on: 2026-01-10\n    case: {placement: {type: ifa_foster}, events: [}\n",
     ":4:"),
    ("tests:\n  - name: x\n    on: 2026-01-10\n    case: {placement: {type: ifa_foster}, events: []}\n"
     "    expect: {gates: {increased_fundin: blocked}}\n",
     ":5:22 (gates.increased_fundin): 'increased_fundin' is not an action this council's policy knows. "
     "Did you mean 'increased_funding'?"),
    ("tests:\n  - name: x\n    on: 2026-01-10\n    case: {placement: {type: ifa_foster}, events: []}\n"
     "    expect: {dutie: {}}\n",
     ":5:14 (dutie): 'dutie' is not something 'expect' can have. Did you mean 'duties'?"),
    ("tests:\n  - name: x\n    on: 2026-01-10\n    form: minutes\n    answers: {}\n    expect: {valid: true}\n",
     ":4:11 (form): 'minutes' is not one of this council's forms."),
    ("tests:\n  - name: x\n    on: 2026-01-20\n    form: stability_meeting_minutes\n    answers: {}\n"
     "    expect: {errors: {atended: Select who attended}}\n",
     ":6:23 (errors.atended): 'atended' is not a question of the form 'stability_meeting_minutes'. "
     "Did you mean 'attended'?"),
    ("tests:\n  - name: x\n    on: 2026-01-20\n    form: stability_meeting_minutes\n    answers: {}\n"
     "    expect: {valid: yes}\n",
     ":6:21 (valid): 'valid' is true (no messages) or false (some)."),
])
def test_a_file_with_a_located_mistake_is_a_collection_error(council, text, located):
    path = council / "tests" / "broken.yaml"
    path.write_text(text)
    result = pytest_run(path)
    out = result.stdout
    assert result.returncode != 0
    assert "ERROR collecting" in out
    assert f"{path}{located}" in out
    assert "Traceback" not in out and "conftest.py" not in out


def test_a_policy_with_mistakes_is_a_collection_error_of_its_test_files(council):
    version = council / "versions" / "2025-01.yaml"
    version.write_text(version.read_text().replace("met_by: minutes_circulated", "met_by: minutes_circulatd", 1))
    (council / "tests" / "mixed.yaml").write_text(FAILING)
    out = pytest_run(council / "tests").stdout
    assert "ERROR collecting" in out and f"{version}:" in out and "minutes_circulatd" in out
    assert "Traceback" not in out
