""""Expect what came" on the policy tests page, without JavaScript (hearth.web.views.workspace.
edit_tests): a test whose expectation no longer holds is brought into line through the check
page, renamed, and passes; the file is otherwise untouched."""
from __future__ import annotations

import pytest

import html
import re

from werkzeug.datastructures import MultiDict

from hearth.engine.api import policies_root
from hearth.engine.editing.yaml_text import YamlText
from hearth.engine.policy_files import PolicyFiles
from hearth.web import db, policy_store

from web_support import csrf_token
from test_workspace_drafts import _save, _workspace
from workspace_support import officer, published  # noqa: F401 - fixtures

# The editors read and save the draft through hearth.web.policy_store, tested on both databases
# (test_policy_store.py, test_workspace_drafts.py); here one is enough, for the suite's time.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")


EXPECT_FORM = re.compile(r'<form method="post" action="([^"]+/change/tests/expect)"[^>]*>(.*?)</form>', re.DOTALL)
HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


def _a_trigger_test(council: str) -> tuple[str, int, list, list[str]]:
    """A test file, the position of a test that expects triggers, what it expects, and every trigger id."""
    files = PolicyFiles.from_folder(policies_root() / council)
    version = YamlText(files.text(sorted(files.glob("versions/*.yaml"))[-1]))
    triggers = [trigger["id"] for trigger in version.value(("triggers",), [])]
    for path in files.glob("tests/*.yaml"):
        document = YamlText(files.text(path))
        for index, test in enumerate(document.value(("tests",), []) or []):
            if isinstance(test.get("expect"), dict) and test["expect"].get("triggers") and len(test["expect"]) == 1:
                return path, index, test["expect"]["triggers"], triggers
    raise AssertionError(f"{council} has no test expecting only triggers")


def test_expect_what_came_brings_a_failing_test_into_line(app, officer, published):
    council = published
    path, index, expected, triggers = _a_trigger_test(council)
    original = PolicyFiles.from_folder(policies_root() / council).text(path)
    wrong = [next(trigger for trigger in triggers if trigger not in expected)]
    document = YamlText(original)
    document.set(("tests", index, "expect", "triggers"), wrong)
    assert _save(officer, council, path, document.text, 0).status_code == 302

    token = csrf_token(officer, _workspace(council, "/tests"))
    page = html.unescape(officer.post(_workspace(council, "/tests"), data={"csrf_token": token}).get_data(as_text=True))
    forms = [(action, dict(HIDDEN.findall(body)), HIDDEN.findall(body)) for action, body in EXPECT_FORM.findall(page)]
    ours = [form for form in forms if form[1]["path"] == path]
    assert len(ours) == 1, "one failing test, one form"
    action, fields, pairs = ours[0]
    data = MultiDict([(name, value) for name, value in pairs] + [("name", "Renamed by the officer")])

    check = officer.post(action, data=data)
    said = html.unescape(check.get_data(as_text=True))
    assert check.status_code == 200 and "Check your change" in said and "Nothing is saved yet" in said
    assert "+  - name: Renamed by the officer" in said
    carried = [(name, html.unescape(value)) for name, value in HIDDEN.findall(check.get_data(as_text=True))]
    saved = officer.post(action, data=MultiDict(carried + [("csrf_token", token)]))
    assert saved.status_code == 302

    with app.app_context():
        text = policy_store.draft_files(policy_store.draft_of(db.session(), council)).text(path)
    back = YamlText(text)
    assert back.value(("tests", index, "expect", "triggers")) == sorted(expected)
    assert back.value(("tests", index, "name")) == "Renamed by the officer"
    changed = [(was, now) for was, now in zip(original.split("\n"), text.split("\n")) if was != now]
    assert len(text.split("\n")) == len(original.split("\n"))
    assert len(changed) <= 2 and any("Renamed by the officer" in now for _was, now in changed)

    rerun = officer.post(_workspace(council, "/tests"), data={"csrf_token": token}).get_data(as_text=True)
    assert "All tests pass" in rerun


def test_a_made_up_expectation_is_refused_with_nothing_saved(app, officer, published):
    council = published
    path, _index, _expected, _triggers = _a_trigger_test(council)
    token = csrf_token(officer, _workspace(council, "/tests"))
    response = officer.post(_workspace(council, "/change/tests/expect"), data={
        "csrf_token": token, "path": path, "line": "1", "key": "triggers", "expected": "[]", "came": "['x']",
        "revision": "0"})
    assert response.status_code == 400 and "was not found" in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert policy_store.draft_of(db.session(), council) is None
