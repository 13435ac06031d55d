"""Policy tests as pytest items, OpenFisca's way.

Every test of a council's test files (``<council>/tests/*.yaml`` beside its
``council.yaml``; docs/policy-language.md, "Policy tests") is collected as one pytest
item, so ``make test`` (testpaths in setup.cfg include ``policies``) runs them with
the rest of the suite. They run through the very code ``hearth policy test`` runs
(hearth.engine.policy_tests). A failure reads as that command prints it -- the file
and line of the test, its name, and each difference, expected against got -- with
no traceback. A file that cannot be run (bad YAML, a shape mistake, an id the policy
does not have, a policy with mistakes) is a collection error with the located
messages ``hearth policy lint`` gives.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from hearth.engine.policy import load_policy
from hearth.engine.policy_tests import TestResult, check_test_names, read_test_file, run_test
from hearth.rules.source import LMap, SourceError


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix == ".yaml" and is_policy_test_file(file_path):
        return PolicyTestFile.from_parent(parent, path=file_path)
    return None


def is_policy_test_file(path: Path) -> bool:
    return path.parent.name == "tests" and (path.parent.parent / "council.yaml").is_file()


class PolicyTestFile(pytest.File):
    """One test file: its tests, once the file and the names it uses are checked."""

    def collect(self):
        try:
            policy = load_policy(self.path.parent.parent)
            tests = read_test_file(self.path)
        except SourceError as exc:
            raise self.CollectError(_located(exc.problems)) from None
        misnamed = check_test_names(policy, tests)
        if misnamed:
            raise self.CollectError(_located(misnamed))
        for node in tests:
            yield PolicyTestItem.from_parent(self, name=str(node["name"]), policy=policy, node=node)


class PolicyTestFailed(Exception):
    def __init__(self, result: TestResult):
        super().__init__(result.name)
        self.result = result


class PolicyTestItem(pytest.Item):
    def __init__(self, *, policy, node: LMap, **kwargs):
        super().__init__(**kwargs)
        self.policy = policy
        self.node = node

    def runtest(self) -> None:
        result = run_test(self.policy, self.node)
        if not result.ok:
            raise PolicyTestFailed(result)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, PolicyTestFailed):
            result = excinfo.value.result
            return "\n".join([f"{result.loc}: {result.name}", *(f"    {line}" for line in result.failures)])
        if isinstance(excinfo.value, SourceError):
            return f"{self.node.loc}: {self.name}\n{_located(excinfo.value.problems)}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, self.node.loc.line - 1, f"policy test: {self.name}"


def _located(problems) -> str:
    return "\n".join(str(problem) for problem in problems)
