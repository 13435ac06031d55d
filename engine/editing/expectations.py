"""A policy test brought into line with a changed policy, without YAML.

When an officer changes a rule on purpose (three missing episodes become two), the tests that
pinned the old rule fail, and rightly: each failure says what the test expected and what came.
Where what came is now what the council means, the officer can make it the test's expectation
(and rename the test, whose name may say the old rule) from the policy tests page. Only the
expectations a failure reports whole can be taken over this way: the test's policy version,
triggers, recommendation and chair options, and an intervention the test expected on (or off)
the menu that the menu no longer has (it leaves the test's ``includes``, or ``excludes``). The rest (a deadline's due date
among several, an invitee list that must *include* some roles) is written in the test file,
where the officer sees the whole expectation.
"""
from __future__ import annotations

import ast
import re
from typing import Any, Iterable

from .yaml_text import EditError, YamlText

# The expectations a failure reports as "<key>: expected X, got Y", X and Y whole.
TAKEN_OVER = ("policy_version", "triggers", "recommendation", "chair", "interventions")
# How a failure says an intervention it expected on (includes) or off (excludes) the menu is not as
# expected (hearth.engine.policy_tests; the workspace says a removed one the same way).
_ON_OR_OFF = re.compile(r"^'(?P<id>[^']+)' (?P<where>on|off) the menu$")
_PART = {"on": "includes", "off": "excludes"}


def index_of_test(document: YamlText, line: int) -> int | None:
    """The position of the test whose ``name`` is on ``line`` (1-based), as a test result locates it."""
    for index, _test in enumerate(document.value(("tests",), []) or []):
        if document.line_of(("tests", index, "name")) == line or document.line_of(("tests", index)) == line:
            return index
    return None


def takes_over(key: str, expected: str) -> bool:
    """Whether a failure about ``key`` that expected ``expected`` can be taken over."""
    if key == "interventions":
        return bool(_ON_OR_OFF.match(expected.strip()))
    return key in TAKEN_OVER


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


def expect_what_came(document: YamlText, index: int, failures: Iterable[tuple[str, str, str]],
                     name: str | None = None) -> None:
    """Make test ``index`` expect what came for each failure ``(key, expected, came)`` as the
    failure words them, and give it ``name`` when one is given."""
    path = ("tests", index)
    if not document.has(path + ("expect",)):
        raise EditError("The test has no expectations to change.")
    for key, expected, came in failures:
        if not document.has(path + ("expect", key)) or not takes_over(key, expected):
            raise EditError(f"The test's expectation about '{key}' cannot be taken over here.")
        if key == "interventions":
            said = _ON_OR_OFF.match(expected.strip())
            _leave_out(document, path + ("expect", "interventions", _PART[said["where"]]), said["id"])
        else:
            document.set(path + ("expect", key), came_value(key, came))
    if name is not None and name.strip():
        document.set(path + ("name",), name.strip())


def _leave_out(document: YamlText, path: tuple, intervention: str) -> None:
    listed = document.value(path)
    if not isinstance(listed, list) or intervention not in listed:
        raise EditError(f"The test does not list '{intervention}' where the failure says.")
    document.delete(path + (listed.index(intervention),))
