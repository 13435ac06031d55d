"""hearth.engine.editing.expectations: what a failure reports whole is taken over, nothing else."""
from __future__ import annotations

import pytest

from hearth.engine.editing.expectations import came_value, expect_what_came, takes_over, index_of_test
from hearth.engine.editing.yaml_text import EditError, YamlText

TESTS = """\
tests:
  # a comment kept
  - name: Old name
    on: 2026-01-05
    expect:
      triggers: []
      recommendation: none
      interventions:
        includes: [a, b,
                   c]
"""


def test_each_kind_of_failure_is_taken_over_and_the_rest_of_the_file_kept():
    document = YamlText(TESTS)
    assert index_of_test(document, 3) == 0 and index_of_test(document, 4) is None
    expect_what_came(document, 0, [("triggers", "[]", "['x', 'a-b']"), ("recommendation", "None", "'hold_it'"),
                                   ("interventions", "'b' on the menu", "['a', 'c']")], "New name")
    assert document.text == TESTS.replace("Old name", "New name").replace("triggers: []", "triggers: [a-b, x]") \
        .replace("recommendation: none", "recommendation: hold_it") \
        .replace("includes: [a, b,\n                   c]", "includes: [a, c]")


def test_nothing_else_is_taken_over():
    assert not takes_over("interventions", "'b' should not be on the menu yet")
    assert takes_over("interventions", "'b' off the menu")
    assert not takes_over("deadlines", "'2026-01-05'")
    assert came_value("recommendation", "None") == "none" and came_value("triggers", "None") == []
    for key, came in (("deadlines", "'2026-01-05'"), ("triggers", "[1, 2]"), ("chair", "__import__('os')")):
        with pytest.raises(EditError):
            came_value(key, came)
    with pytest.raises(EditError, match="cannot be taken over"):
        expect_what_came(YamlText(TESTS), 0, [("interventions", "'z' should not be", "[]")])
