"""`hearth policy lint`: every mistake in a council's files, each with file, line and a fix."""
from __future__ import annotations

from pathlib import Path

from hearth.rules.source import SourceError

from .demo import demo_problems
from .forms_catalog import lint_forms
from .policy import load_policy
from .policy_tests import check_test_names, read_test_file


def lint_council(folder: Path) -> tuple[list, str]:
    """(problems, summary). Checks council.yaml, every version, every form, every test file
    and the demo cases."""
    problems: list = []
    try:
        policy = load_policy(folder)
    except SourceError as exc:
        return exc.problems, ""
    current = policy.current
    summary = (f"{len(policy.versions)} version(s); current {current.version}: {len(current.triggers)} triggers, "
               f"{len(current.deadlines)} deadlines, {len(current.duties)} duties, {len(current.gates)} gates")
    form_problems, form_summary = lint_forms(folder)
    problems.extend(form_problems)
    summary += f"; {form_summary}" if form_summary else ""
    for path in sorted((folder / "tests").glob("*.yaml")):
        try:
            tests = read_test_file(path)  # shape and names only: results are for `hearth policy test`
        except SourceError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(check_test_names(policy, tests))
    problems.extend(demo_problems(folder, policy))
    return problems, summary
