"""Fuzz: every council's policy files, mutated, never make Hearth fall over.

Each example takes one file of the session's councils (tests/councils.py: policies/, the
every-construct fixture council and a scaffolded one): council.yaml, a version, a form, a
kept form version, a test file or demo cases. It damages it the way editors and people do (bytes flipped,
inserted or cut, bytes that are not UTF-8, a value replaced by a list, a mapping, a huge
number, a long text, an alias), and runs what reads it: `hearth policy lint`, `hearth
councils`, `hearth policy test` for test files and the loader itself. The invariants:
no traceback ever; the loader either loads or raises SourceError with located problems;
lint either passes or lists problems, each starting with the file it is about.

The default run is short (make test); HEARTH_FUZZ_EXAMPLES raises the number of
examples (make fuzz).
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearth.engine.cli import cli
from hearth.engine.policy import load_policy
from hearth.engine.policy_tests import run_council_tests
from hearth.rules.source import SourceError

from councils import session_root

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("HEARTH_FUZZ_EXAMPLES", "12"))
SHIPPED = session_root()
FILES = sorted(str(path.relative_to(SHIPPED)) for path in SHIPPED.rglob("*.yaml"))

# A value written after 'key:' or '- ' (the rest of the line is replaced).
_VALUE_LINE = re.compile(r"^(\s*(?:-\s+)?[A-Za-z_][\w-]*:[ \t]+|\s*-\s+)(\S.*)$")
REPLACEMENTS = st.one_of(
    st.sampled_from(["[a, b]", "{x: 1}", "{}", "[]", "null", "~", "true", "0", "-1", "3.5", ".nan", ".inf", "0x10",
                     "''", "[[[[1]]]]", "{a: {b: [c]}}", "[1, {a: b}]", "{1: 2}", "{[a]: b}", "? [a]\n  : b",
                     "!!binary aGk=", "!custom x", "2026-02-31", "99999-01-01", "0001-01-01", "1e99999999",
                     "'" + "x" * 5000 + "'", "\"\\ud800\"", "\"\\0\"", "*nowhere", "&a x"]),
    st.integers(min_value=10 ** 18, max_value=10 ** 60).map(str),
    st.text(max_size=30).map(lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'),
)


def value_lines(text: str) -> list[int]:
    return [i for i, line in enumerate(text.split("\n")) if _VALUE_LINE.match(line)]


@st.composite
def mutations(draw) -> tuple[str, bytes]:
    """(a shipped file's path under policies/, its damaged bytes)."""
    name = draw(st.sampled_from(FILES))
    data = (SHIPPED / name).read_bytes()
    kind = draw(st.sampled_from(["flip", "insert", "delete", "value", "values", "alias"]))
    if kind in ("flip", "insert", "delete"):
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            return name, data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
        if kind == "insert":
            return name, data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        return name, data[:at] + data[at + draw(st.integers(1, 40)):]
    lines = data.decode("utf-8").split("\n")
    candidates = value_lines("\n".join(lines))
    if kind == "alias":
        anchor, alias = draw(st.sampled_from(candidates)), draw(st.sampled_from(candidates))
        lines[anchor] = _VALUE_LINE.sub(r"\1&fuzz \2", lines[anchor])
        lines[alias] = _VALUE_LINE.sub(r"\1*fuzz", lines[alias])
    else:
        for index in draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=1 if kind == "value" else 4)):
            replacement = draw(REPLACEMENTS)
            lines[index] = _VALUE_LINE.match(lines[index]).group(1) + replacement
    return name, "\n".join(lines).encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def policies(tmp_path_factory) -> Path:
    """One writable copy of policies/ for the module; each example restores what it damaged."""
    root = tmp_path_factory.mktemp("fuzz") / "policies"
    shutil.copytree(SHIPPED, root)
    (root.parent / "case.yaml").write_text("child: {ref: F-1, date_of_birth: 2012-03-04}\n"
                                           "placement: {type: ifa_foster, started: 2025-09-01}\n"
                                           "events:\n  - {type: missing_episode, on: 2026-01-10}\n")
    return root


def assert_located(lines: list[str], root: Path) -> None:
    assert lines, "a failure must say what is wrong"
    for line in lines:
        assert line.startswith(str(root)), f"not located: {line}"
        assert "Traceback" not in line


def assert_no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}")
    assert "Traceback" not in result.output


@settings(max_examples=EXAMPLES, deadline=None, derandomize="HEARTH_FUZZ_EXAMPLES" not in os.environ,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(mutation=mutations())
def test_a_damaged_policy_file_is_a_located_problem_never_a_traceback(policies, mutation):
    name, damaged = mutation
    path = policies / name
    folder = policies / Path(name).parts[0]
    original = path.read_bytes()
    path.write_bytes(damaged)
    runner = CliRunner()
    try:
        try:
            load_policy(folder)
        except SourceError as exc:
            assert exc.problems
            assert_located([str(problem) for problem in exc.problems], folder)

        lint = runner.invoke(cli, ["policy", "lint", str(folder)])
        assert_no_traceback(lint)
        assert lint.exit_code in (0, 1), lint.output
        if lint.exit_code == 1:
            assert_located(lint.stderr.splitlines(), folder)
        else:
            assert lint.stdout.startswith(f"{folder.name}: ok")

        env = {"HEARTH_POLICIES": str(policies)}
        councils = runner.invoke(cli, ["councils"], env=env)
        assert_no_traceback(councils)
        assert councils.exit_code == 0, councils.output

        evaluate = runner.invoke(cli, ["evaluate", "--council", folder.name, "--case", str(policies.parent / "case.yaml"),
                                       "--on", "2026-01-26"], env=env)
        assert_no_traceback(evaluate)
        assert evaluate.exit_code in (0, 2), evaluate.output
        if evaluate.exit_code == 2:
            assert_located(evaluate.stderr.splitlines(), policies.parent)

        if Path(name).parts[1] == "tests":
            try:
                run_council_tests(folder)
            except SourceError as exc:
                assert_located([str(problem) for problem in exc.problems], folder)
    finally:
        path.write_bytes(original)


def test_the_mutations_reach_every_kind_of_file():
    """The fuzz covers council.yaml, versions, forms, kept form versions and tests, and every
    file has values to replace."""
    assert {"council.yaml", "versions", "forms", "tests"} <= {Path(name).parts[1] for name in FILES}
    assert any("/_versions/" in name for name in FILES)
    assert all(value_lines((SHIPPED / name).read_text()) for name in FILES)


def test_a_council_id_that_is_not_an_id_exits_2(tmp_path):
    """`hearth evaluate` with a 5,000-character council name said OSError (file name too long)."""
    case = tmp_path / "case.yaml"
    case.write_text("placement: {type: ifa_foster}\nevents: []\n")
    result = CliRunner().invoke(cli, ["evaluate", "--council", "x" * 5000, "--case", str(case)],
                                env={"HEARTH_POLICIES": str(SHIPPED)})
    assert result.exit_code == 2 and "There is no council" in result.stderr
    assert_no_traceback(result)
