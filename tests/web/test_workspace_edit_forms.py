"""The form questions editor without JavaScript (hearth.web.views.workspace.edit_forms): a plain
post changes a question, the check page says it in words before anything is saved, the confirmed
post saves only the lines concerned; a question added at the end of a section and moved up; an
unchanged save saves nothing; bad input is a located 400 with what was typed kept; a stale save
is a 409 with nothing lost; a question the form still uses cannot be removed; the preview draws
the draft's form; workers are refused and another council's forms are a 404."""
from __future__ import annotations

import difflib
import html
import json

import pytest
from sqlalchemy import select

from hearth.engine.api import policies_root
from hearth.engine.editing.questions import outline, uses_of
from hearth.engine.editing.yaml_text import YamlText
from hearth.engine.policy_files import PolicyFiles
from hearth.web import db, policy_store
from hearth.web.models import AuditAction, AuditEntry

from web_support import Demo, csrf_token, login


# The editors read and save the draft through hearth.web.policy_store, tested on both databases
# (test_policy_store.py, test_workspace_drafts.py); here one is enough, for the suite's time.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _change(council: str, rest: str = "") -> str:
    return f"/councils/{council}/workspace/change{rest}"


@pytest.fixture
def officer(client, demo):
    assert login(client, Demo.email("policy_officer", demo.home)).status_code == 302
    return client


@pytest.fixture
def chosen(demo):
    """(form id, its text, a question the form uses nowhere else that is not its section's first)
    of the home council's shipped forms: what the tests change."""
    files = PolicyFiles.from_folder(policies_root() / demo.home)
    for path in files.glob("forms/*.yaml"):
        document = YamlText(files.text(path), path)
        for section in outline(document):
            for question in section.questions[1:]:
                if question.kind in ("text", "long_text") and not uses_of(document, question.id):
                    return path.removeprefix("forms/").removesuffix(".yaml"), files.text(path), question
    raise AssertionError("no form question to change")


def _draft_revision(app, council: str) -> int:
    with app.app_context():
        return policy_store.draft_of(db.session(), council).revision


def _draft_text(app, council, path):
    with app.app_context():
        draft = policy_store.draft_of(db.session(), council)
        return None if draft is None else policy_store.draft_files(draft).text(path)


def _post(client, url, revision=0, **fields):
    token = csrf_token(client, url if not url.endswith(("/move", "/remove")) else url.rsplit("/questions", 1)[0])
    return client.post(url, data={"csrf_token": token, "revision": str(revision), **fields})


def _fields(question, **changes) -> dict:
    fields = {"kind": question.kind, "label": question.label, "hint": question.hint,
              "required": "yes" if question.required is not False else "no",
              "show_when": f"{question.shown_when[0]}:{json.dumps(question.shown_when[1])}"
              if question.shown_when else ""}
    return {**fields, **changes}


def test_a_question_changed_without_javascript_is_shown_in_words_then_saved_line_for_line(app, officer, demo, chosen):
    form_id, original, question = chosen
    listing = _page(officer.get(_change(demo.home, "/forms")))
    assert f"/workspace/change/forms/{form_id}" in listing
    page = _page(officer.get(_change(demo.home, f"/forms/{form_id}")))
    assert question.label in page and f"Move up<span class=\"govuk-visually-hidden\">: {question.label}" in page
    with app.app_context():
        viewed = db.session().scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.VIEWED.value)).all()
    assert {"page": "form_questions", "form": form_id} in [entry.detail for entry in viewed
                                                          if entry.object_type == "policy_draft"]
    url = _change(demo.home, f"/forms/{form_id}/questions/{question.id}")
    opened = _page(officer.get(url))
    assert f'value="{question.label}"' in opened
    checked = _post(officer, url, **_fields(question, label="What happened at the meeting?"))
    assert checked.status_code == 200
    said = _page(checked)
    assert "Check your change to" in said and "What happened at the meeting?" in said and "Save to the draft" in said
    assert _draft_text(app, demo.home, f"forms/{form_id}.yaml") is None          # nothing saved yet
    saved = _post(officer, url, confirmed="yes", **_fields(question, label="What happened at the meeting?"))
    assert saved.status_code == 302 and saved.location.endswith(f"/forms/{form_id}")
    text = _draft_text(app, demo.home, f"forms/{form_id}.yaml")
    changed = [line for line in difflib.ndiff(original.splitlines(), text.splitlines()) if line[:1] in "+-"]
    # the label's line, and the version raised once (the published form is kept for its records)
    version = YamlText(original).value(("version",))
    assert changed[:2] == [f"- version: {version}", f"+ version: {version + 1}"] and len(changed) == 4
    assert changed[2].startswith("- ") and changed[2].endswith(f"label: {question.label}")
    assert changed[3].startswith("+ ") and changed[3].endswith("label: What happened at the meeting?")
    assert _draft_text(app, demo.home, f"forms/_versions/{form_id}/{version}.yaml").endswith(original)
    assert [line for line in original.splitlines() if line.strip().startswith(("#", "source:"))] == \
        [line for line in text.splitlines() if line.strip().startswith(("#", "source:"))]


def test_unchanged_saves_nothing_and_bad_input_is_a_located_400_keeping_what_was_typed(app, officer, demo, chosen):
    form_id, _original, question = chosen
    files = PolicyFiles.from_folder(policies_root() / demo.home)
    one_of_each_kind = {q.kind: (path[6:-5], q) for path in reversed(files.glob("forms/*.yaml"))
                        for section in outline(YamlText(files.text(path))) for q in section.questions}
    for kind, (other_form, other) in one_of_each_kind.items():  # every kind's page opens, its values in place
        opened = officer.get(_change(demo.home, f"/forms/{other_form}/questions/{other.id}"))
        assert opened.status_code == 200 and f'value="{html.escape(other.label, quote=True)}"' in \
            opened.get_data(as_text=True), kind
    url = _change(demo.home, f"/forms/{form_id}/questions/{question.id}")
    same = _post(officer, url, **_fields(question))
    assert same.status_code == 302 and "Nothing changed" in _page(officer.get(same.location))
    assert _draft_text(app, demo.home, f"forms/{form_id}.yaml") is None
    bad = _post(officer, url, **_fields(question, label="", hint="My typed hint", kind="date"))
    page = _page(bad)
    assert bad.status_code == 400 and 'href="#label">Enter the question' in page and "My typed hint" in page
    assert "Choose one of the types offered" in page
    control = _post(officer, url, **_fields(question, label="A bell \x07 rings"))
    assert control.status_code == 400 and "control character (U+0007) at position 8" in _page(control)


def test_a_question_added_and_moved_up_without_javascript(app, officer, demo, chosen):
    form_id, _original, _question = chosen
    path = f"forms/{form_id}.yaml"
    add = _change(demo.home, f"/forms/{form_id}/add")
    assert "Add a question" in _page(officer.get(add + "?section=0"))
    fields = {"section": "0", "kind": "radios", "label": "How was the meeting held?", "hint": "", "name": "",
              "required": "yes", "options": "In person\r\nOnline", "source": ""}
    assert "Check your change to" in _page(_post(officer, add, **fields))
    assert _post(officer, add, confirmed="yes", **fields).status_code == 302
    text = _draft_text(app, demo.home, path)
    new = YamlText(text, path)
    [first] = outline(new)[:1]
    assert first.questions[-1].id == "how_was_the_meeting_held"
    assert first.questions[-1].options == ("In person", "Online")
    move = _change(demo.home, f"/forms/{form_id}/questions/how_was_the_meeting_held/move")
    revision = _draft_revision(app, demo.home)   # the form's first change saved two files (its kept version)
    checked = _post(officer, move, revision=revision, direction="up")
    assert checked.status_code == 200 and "Check your change to the order of the questions" in _page(checked)
    assert _post(officer, move, revision=revision, direction="up", confirmed="yes").status_code == 302
    moved = outline(YamlText(_draft_text(app, demo.home, path), path))[0].questions
    assert moved[-2].id == "how_was_the_meeting_held" and moved[-1].id == first.questions[-2].id
    preview = _page(officer.get(_change(demo.home, f"/forms/{form_id}/preview")))
    assert "How was the meeting held?" in preview and "In person" in preview
    bad = _post(officer, add, revision=revision + 1, **{**fields, "options": "", "section": "99"})
    assert bad.status_code == 400 and "Enter at least 2 options" in _page(bad) and "Select the section" in _page(bad)


def test_a_stale_save_is_a_409_with_nothing_lost_and_a_used_question_cannot_be_removed(app, officer, demo, chosen):
    form_id, _original, question = chosen
    url = _change(demo.home, f"/forms/{form_id}/questions/{question.id}")
    assert _post(officer, url, confirmed="yes", **_fields(question, hint="First hint")).status_code == 302
    stale = _post(officer, url, revision=0, confirmed="yes", **_fields(question, hint="Second hint"))
    assert stale.status_code == 409 and 'value="Second hint"' in stale.get_data(as_text=True)
    assert "First hint" in _draft_text(app, demo.home, f"forms/{form_id}.yaml")
    document = YamlText(_draft_text(app, demo.home, f"forms/{form_id}.yaml"))
    used = next(q for section in outline(document) for q in section.questions if uses_of(document, q.id))
    refused = _post(officer, _change(demo.home, f"/forms/{form_id}/questions/{used.id}/remove"), revision=1)
    assert refused.status_code == 400 and "cannot be removed" in _page(refused)


def test_workers_are_refused_and_another_councils_forms_are_not_found(app, client, demo, chosen):
    form_id = chosen[0]
    assert login(client, Demo.email("worker", demo.home)).status_code == 302
    assert client.get(_change(demo.home, f"/forms/{form_id}")).status_code == 403
    other = app.test_client()
    assert login(other, Demo.email("policy_officer", demo.other)).status_code == 302
    assert other.get(_change(demo.home, f"/forms/{form_id}")).status_code == 404
    assert other.get(_change(demo.other, "/forms/no_such_form")).status_code == 404


def test_a_post_without_the_drafts_revision_changes_nothing(app, officer, demo, chosen):
    form_id, _original, question = chosen
    url = _change(demo.home, f"/forms/{form_id}/questions/{question.id}")
    token = csrf_token(officer, url)
    for target in (url, url + "/move", url + "/remove", _change(demo.home, f"/forms/{form_id}/add")):
        answered = officer.post(target, data={"csrf_token": token, "label": "Never saved", "direction": "up"})
        assert answered.status_code == 302, target
    assert _draft_text(app, demo.home, f"forms/{form_id}.yaml") is None
