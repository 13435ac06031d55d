"""What the policy tests page and the change-in-words page show, worked out from a draft's files:
the tests' results as failures people can act on (the test, its file and line, what was expected,
what came, and why), and the draft against the published set in words, then line by line."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from hearth.engine.policy import load_policy
from hearth.engine.policy_diff import SECTION_TITLES, VERSION_SECTION
from hearth.engine.editing.expectations import takes_over
from hearth.engine.form_words import FORMS_SECTION
from hearth.engine.policy_files import PolicyFiles
from hearth.engine.policy_tests import run_council_tests
from hearth.engine.whatif_changes import file_changes, forms_changes, version_changes
from hearth.rules.source import SourceError

from .trying_answers import said

# A failure as hearth.engine.policy_tests words it: "line 12: deadline x: due: expected '...', got '...' (why)".
_EXPECTED = re.compile(r"^(?:line (?P<line>\d+): )?(?P<what>.+?): expected (?P<want>.+?), got (?P<got>.+)$", re.S)
# A test naming an intervention the policy no longer has (hearth.engine.policy_tests' check of ids).
_GONE = re.compile(r"^\(interventions\.(?P<part>includes|excludes)\): '(?P<id>[^']+)' is not an intervention")
_WHY = re.compile(r"^(?P<got>'[^']*'|\S+) \((?P<why>.+)\)$", re.S)
SECTION_NAMES = {VERSION_SECTION: "The version", **SECTION_TITLES, FORMS_SECTION: "Forms"}


@dataclass(frozen=True)
class Failure:
    """One thing a test expected and did not get."""

    line: int | None
    what: str
    expected: str | None   # None: the message did not say (it is in ``what``)
    came: str | None
    why: str | None

    @property
    def can_be_expected(self) -> bool:
        """Whether "Expect what came" can take this over (hearth.engine.editing.expectations)."""
        return self.expected is not None and self.came is not None and takes_over(self.what, self.expected)


@dataclass(frozen=True)
class FailedTest:
    name: str
    path: str
    line: int
    link: str | None       # the test file in the YAML editor
    failures: tuple        # of Failure


def failure(message: str) -> Failure:
    """A failure message split into what was checked, what was expected and what came."""
    found = _EXPECTED.match(message)
    if not found:
        line = re.match(r"^line (\d+): (.*)$", message, re.S)
        gone = _GONE.match(line.group(2)) if line else None
        if gone:  # an intervention the test names was taken off the menu
            return Failure(int(line.group(1)), "interventions",
                           f"'{gone['id']}' {'on' if gone['part'] == 'includes' else 'off'} the menu",
                           "no such intervention in the policy now", None)
        return Failure(int(line.group(1)), line.group(2), None, None, None) if line else \
            Failure(None, message, None, None, None)
    came, why = found.group("got"), None
    reason = _WHY.match(came)
    if reason:
        came, why = reason.group("got"), reason.group("why")
    return Failure(int(found.group("line")) if found.group("line") else None, found.group("what"),
                   found.group("want"), came, why)


def test_context(files: PolicyFiles | None, link: Callable[[str], str | None]) -> dict:
    """The tests run on the files: counts, each failed test, or the problems that stop them running."""
    if files is None:
        return {"results": [], "passed": 0, "failed": 0, "failed_tests": [], "problems": []}
    try:
        results = run_council_tests(files)
    except SourceError as exc:
        return {"results": [], "passed": 0, "failed": 0, "failed_tests": [],
                "problems": [said(problem, files) for problem in exc.problems]}
    prefix = files.location("")
    failed = []
    for result in results:
        if result.ok:
            continue
        path = result.loc.file[len(prefix):].lstrip("/") if result.loc.file.startswith(prefix) else result.loc.file
        failed.append(FailedTest(result.name, path, result.loc.line, link(path),
                                 tuple(failure(_unlocated(message, result.loc.file)) for message in result.failures)))
    return {"results": results, "passed": sum(1 for result in results if result.ok), "failed": len(failed),
            "failed_tests": failed, "problems": []}


def _unlocated(message: str, file: str) -> str:
    """A message located in the test's own file as 'line N: ...' (the page names the file once)."""
    located = re.match(rf"^{re.escape(file)}:(\d+)(?::\d+)?:? (.*)$", message, re.S)
    return f"line {located.group(1)}: {located.group(2)}" if located else message


def change_context(published: PolicyFiles | None, draft: PolicyFiles | None) -> dict:
    """The draft against the published set: version changes grouped by section, the forms' changes,
    the changed files; ``nothing`` says why there is nothing to compare."""
    context = {"nothing": "", "versions": [], "forms": (), "form_problems": [], "files": [], "load_problems": [],
               "section_names": SECTION_NAMES}
    if published is None or draft is None:
        context["nothing"] = ("Nothing is published yet, so there is nothing to compare the draft with."
                              if published is None else "There is no draft: nobody has changed the published "
                                                        "policy yet, so there is nothing to compare.")
        return context
    context["files"] = file_changes(published, draft)
    if not context["files"]:
        context["nothing"] = "The draft is the same as the published policy: there is nothing to compare."
        return context
    try:
        old, new = load_policy(published), load_policy(draft)
    except SourceError as exc:
        context["load_problems"] = [said(problem, draft) for problem in exc.problems]
        return context
    context["versions"] = version_changes(old, new)
    try:
        context["forms"] = forms_changes(published, old, draft, new)
    except SourceError as exc:
        context["form_problems"] = [said(problem, draft) for problem in exc.problems]
    return context
