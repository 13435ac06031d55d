"""`hearth policy lint`: every mistake in a council's files, each with file, line and a fix."""
from __future__ import annotations

from pathlib import Path

from hearth.rules.source import SourceError

from .demo import demo_problems
from .forms_catalog import lint_forms
from .policy import load_policy
from .policy_files import PolicyFiles, PolicySource
from .policy_tests import check_test_names, read_test_file


def lint_council(source: PolicySource) -> tuple[list, str]:
    """(problems, summary). Checks council.yaml, every version, every form, every test file
    and the demo cases of a council's folder or PolicyFiles."""
    problems: list = []
    files = source if isinstance(source, PolicyFiles) else None
    try:
        policy = load_policy(source)
    except SourceError as exc:
        return exc.problems, ""
    current = policy.current
    summary = (f"{len(policy.versions)} version(s); current {current.version}: {len(current.triggers)} triggers, "
               f"{len(current.deadlines)} deadlines, {len(current.duties)} duties, {len(current.gates)} gates")
    form_problems, form_summary = lint_forms(source)
    problems.extend(form_problems)
    summary += f"; {form_summary}" if form_summary else ""
    test_files = [(files, name) for name in files.glob("tests/*.yaml")] if files is not None else \
        [(path, None) for path in sorted((Path(source) / "tests").glob("*.yaml"))]
    for test_source, relative in test_files:
        try:
            tests = read_test_file(test_source, relative)  # shape and names only: results are for `hearth policy test`
        except SourceError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(check_test_names(policy, tests, files))
    problems.extend(demo_problems(source, policy))
    return problems, summary
