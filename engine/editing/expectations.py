"""A policy test brought into line with a changed policy, without YAML.

When an officer changes a rule on purpose (three missing episodes become two), the tests that
pinned the old rule fail, and rightly: each failure says what the test expected and what came.
Where what came is now what the council means, the officer can make it the test's expectation
(and rename the test, whose name may say the old rule) from the policy tests page. Only the
expectations a failure reports whole can be taken over this way: the test's policy version,
triggers, recommendation and chair options. The rest (a deadline's due date among several, an
invitee list that must *include* some roles) is written in the test file, where the officer
sees the whole expectation.
"""
from __future__ import annotations

import ast
from typing import Any, Mapping

from .yaml_text import EditError, YamlText

# The expectations a failure reports as "<key>: expected X, got Y", X and Y whole.
TAKEN_OVER = ("policy_version", "triggers", "recommendation", "chair")


def test_index(document: YamlText, line: int) -> int | None:
    """The position of the test whose ``name`` is on ``line`` (1-based), as a test result locates it."""
    for index, _test in enumerate(document.value(("tests",), []) or []):
        if document.line_of(("tests", index, "name")) == line or document.line_of(("tests", index)) == line:
            return index
    return None


def came_value(key: str, came: str) -> Any:
    """What came, as a failure shows it (Python's repr: ``['repeated-missing']``, ``None``), as a test
    file writes it. EditError when it is not one of the plain values a test expects."""
    if key not in TAKEN_OVER:
        raise EditError(f"'{key}' cannot be taken over from a failure; change it in the test file.")
    if len(came) > 2_000:
        raise EditError("What came is too long to be an expectation.")
    try:
        value = ast.literal_eval(came.strip())
    except (ValueError, SyntaxError) as error:
        raise EditError(f"'{came}' is not a value a test expects.") from error
    if value is None:
        return "none" if key == "recommendation" else []
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return sorted(value) if key == "triggers" else value
    raise EditError(f"'{came}' is not a value a test expects.")


def expect_what_came(document: YamlText, index: int, came: Mapping[str, str], name: str | None = None) -> None:
    """Make test ``index`` expect what came for each key of ``came`` (the failure's words for the
    value), and give it ``name`` when one is given."""
    path = ("tests", index)
    if not document.has(path + ("expect",)):
        raise EditError("The test has no expectations to change.")
    for key, shown in came.items():
        if not document.has(path + ("expect", key)):
            raise EditError(f"The test expects nothing about '{key}'.")
        document.set(path + ("expect", key), came_value(key, shown))
    if name is not None and name.strip():
        document.set(path + ("name",), name.strip())
