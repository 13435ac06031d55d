"""The what-if's two answers: the case judged under the draft and under the published version in
force on the day, each side loaded on its own, so a draft with lint mistakes still leaves the
published side to read (and says so, with a link to the draft)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hearth.engine.api import parse_case
from hearth.engine.case import Case
from hearth.engine.evaluate import evaluate
from hearth.engine.policy import load_policy
from hearth.engine.policy_files import PolicyFiles
from hearth.engine.policy_model import NoPolicyInForce, Policy, PolicyVersion
from hearth.engine.vocabulary import Vocabulary
from hearth.rules.source import Problem, SourceError


@dataclass
class Side:
    """One policy's answer for the what-if, or why there is none."""

    label: str
    files: PolicyFiles | None
    policy: Policy | None = None
    version: PolicyVersion | None = None
    case: Case | None = None
    answer: dict | None = None
    load_problems: list = field(default_factory=list)   # of Problem: the policy does not load
    case_problems: list = field(default_factory=list)   # of Problem: the engine refused the case
    missing: str = ""                                    # nothing to judge with, in words

    @property
    def loaded(self) -> bool:
        return self.policy is not None


def load_side(label: str, files: PolicyFiles | None, none_message: str) -> Side:
    side = Side(label, files)
    if files is None:
        side.missing = none_message
        return side
    try:
        side.policy = load_policy(files)
    except SourceError as exc:
        side.load_problems = list(exc.problems)
    return side


def version_on(policy: Policy, on: date | None) -> tuple[PolicyVersion | None, str]:
    """The version in force on the day (the latest when no day is given yet), or None and why."""
    if on is None:
        return policy.current, ""
    try:
        return policy.version_on(on), ""
    except NoPolicyInForce as exc:
        return None, str(exc)


def vocabulary(draft: Side, published: Side, on: date | None) -> Vocabulary | None:
    """The words the form offers: the draft's version on the day, else the published one's
    (each side's latest before the first version starts)."""
    for side in (draft, published):
        if side.loaded:
            return (version_on(side.policy, on)[0] or side.policy.current).vocabulary
    return None


def judge(side: Side, document: dict, on: date) -> None:
    """The side's answer for the case on the day; the engine's refusal kept located."""
    if not side.loaded:
        return
    side.version, side.missing = version_on(side.policy, on)
    if side.version is None:
        return
    try:
        side.case = parse_case(side.version, document, "case")
        side.answer = evaluate(side.version, side.case, on)
    except SourceError as exc:
        side.case_problems = list(exc.problems)


def said(problem: Problem, files: PolicyFiles | None) -> str:
    """A lint problem as the draft page shows it: the file's path in the set, its line, the message."""
    where = problem.loc.file
    if files is not None and where.startswith(files.location("")):
        where = where[len(files.location("")):].lstrip("/")
    line = f" line {problem.loc.line}" if problem.loc.line else ""
    return f"{where}{line}: {problem.message}"
