"""The workspace's YAML editor in Chromium: a policy officer opens the workspace, edits a version
file in the JavaScript editor, sees a lint marker on the line of a mistake, fixes it, leaves the
editor by keyboard (Escape then Tab) and saves, then gets key hints from the file's JSON Schema;
axe on every page visited."""
from __future__ import annotations

import re
from datetime import date

from hearth.engine.api import policies_root
from hearth.engine.policy_files import PolicyFiles
from hearth.web import db, policy_store

from councils import shipped_councils

from .accessibility import check_accessibility
from .conftest import email, sign_in

TOP_KEY = re.compile(r"^([a-z_]+):", re.MULTILINE)
EDITOR = "document.querySelector('.CodeMirror').CodeMirror"


def _publish(live, council: str) -> PolicyFiles:
    files = PolicyFiles.from_folder(policies_root() / council)
    with live.app.app_context():
        policy_store.publish(db.session(), files, published_by=policy_store.IMPORT_MARKER,
                             approved_by=policy_store.IMPORT_MARKER, effective_from=date(2025, 1, 1))
        db.session().commit()
    return files


def _saved_text(live, council: str, path: str) -> str | None:
    with live.app.app_context():
        draft = policy_store.draft_of(db.session(), council)
        return None if draft is None else policy_store.draft_files(draft).texts.get(path)


def test_an_officer_edits_a_version_sees_the_mistake_on_its_line_fixes_it_and_saves(page, live):
    council = shipped_councils()[0]
    path = _publish(live, council).glob("versions/*.yaml")[0]
    try:
        original = PolicyFiles.from_folder(policies_root() / council).texts[path]
        last = list(TOP_KEY.finditer(original))[-1]
        line, key = original[:last.start()].count("\n") + 1, last.group(1)

        sign_in(page, email("policy_officer", council))
        page.click(".govuk-service-navigation a:text-is('Policy workspace')")
        page.wait_for_selector("#draft-state")
        check_accessibility(page, "workspace draft")

        page.click(f"a[href$='/workspace/files/{path}']")
        page.wait_for_selector(".CodeMirror")
        check_accessibility(page, "YAML editor")

        # A misspelt key, typed at the end of it: the marker comes on its line (one line down,
        # once a comment is added at the top).
        page.evaluate(f"() => {{ const cm = {EDITOR}; cm.setCursor({{line: 0, ch: 0}}); cm.focus() }}")
        page.keyboard.type("# reviewed\n")
        page.evaluate(f"() => {{ const cm = {EDITOR}; cm.setCursor({{line: {line}, ch: {len(key)}}}); cm.focus() }}")
        page.keyboard.type("x")
        status = page.locator("#lint-status")
        status.filter(has_text=f"line {line + 1}: '{key}x'").wait_for()
        assert page.evaluate(f"() => Object.keys({EDITOR}.lineInfo({line}).gutterMarkers || {{}})") == \
            ["CodeMirror-lint-markers"]
        assert page.locator(".CodeMirror-lint-marker-error").first.is_visible()
        check_accessibility(page, "YAML editor with a lint marker")

        page.keyboard.press("Backspace")
        status.filter(has_text="No problems in this file.").wait_for()
        page.keyboard.press("Escape")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id") == "save"
        page.keyboard.press("Enter")
        page.locator(".govuk-notification-banner", has_text=f"Saved {path}").wait_for()
        check_accessibility(page, "YAML editor after saving")
        assert _saved_text(live, council, path) == "# reviewed\n" + original

        # Key hints from the version schema, on a new line at the top level.
        page.evaluate(f"() => {{ const cm = {EDITOR}; cm.setCursor({{line: cm.lastLine(), ch: 0}}); cm.focus() }}")
        page.keyboard.type("tri")
        page.keyboard.press("Control+Space")
        page.locator(".CodeMirror-hint", has_text="triggers").wait_for()
        check_accessibility(page, "YAML editor with key hints")
        assert not page.problems, page.problems
    finally:
        live.reseed()
