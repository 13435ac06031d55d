"""The chair and invitee tables and the intervention menu without JavaScript
(hearth.web.views.workspace.edit_tables): a plain form ticks a role, the check page says the
change in words and line by line, the confirmed post saves only that line to the draft;
unchanged values save nothing; bad input is a 400 on its field with what was typed kept; a stale
save is a 409 with nothing lost; workers are refused and another council's tables are a 404."""
from __future__ import annotations

import difflib
import html

import pytest
from sqlalchemy import select

from hearth.engine.api import policies_root
from hearth.engine.editing import menu as menu_editor
from hearth.engine.editing import tables as table_editor
from hearth.engine.editing.yaml_text import YamlText
from hearth.engine.policy_files import PolicyFiles
from hearth.web import db, policy_store
from hearth.web.models import AuditAction, AuditEntry
from hearth.web.views.workspace.editing import version_path

from web_support import Demo, csrf_token, login
from workspace_support import published  # noqa: F401 - fixture


# The editors read and save the draft through hearth.web.policy_store, tested on both databases
# (test_policy_store.py, test_workspace_drafts.py); here one is enough, for the suite's time.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")


@pytest.fixture
def officer(client, published):
    assert login(client, Demo.email("policy_officer", published)).status_code == 302
    client.token = csrf_token(client, "/")  # the session's token, for every form posted
    return client


def _url(council: str, rest: str) -> str:
    return f"/councils/{council}/workspace/change{rest}"


def _version(council: str) -> tuple[str, str]:
    files = PolicyFiles.from_folder(policies_root() / council)
    path = version_path(files)  # the file the editors change
    return path, files.text(path)


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _post(client, council: str, rest: str, fields: dict, revision: int = 0, **extra):
    return client.post(_url(council, rest), data={"csrf_token": client.token, "revision": str(revision), **fields,
                                                  **extra})


def _draft_text(app, council: str, path: str) -> str | None:
    with app.app_context():
        draft = policy_store.draft_of(db.session(), council)
        return None if draft is None else policy_store.draft_files(draft).texts[path]


def _changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.split("\n"), after.split("\n"), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("---", "+++"))]


def _chair_fields(row, options) -> dict:
    placements = row.values.placements
    return {"applies": placements.mode, "placement_types": list(placements.types), "options": list(options),
            "source": row.values.source}


def _first_limited_chair_row(council: str):
    path, text = _version(council)
    document = YamlText(text, path)
    vocabulary = table_editor.vocabulary_of(document)
    row = next(row for row in table_editor.rows(document, "chair", vocabulary) if row.values.placements.mode == "only")
    added = next(role for role in vocabulary.roles if role not in row.values.roles["options"])
    return path, text, row, added, vocabulary


# ---------------------------------------------------------------- the whole flow, no JavaScript
def test_a_second_chair_option_is_checked_in_words_then_saved_changing_one_line(app, officer, published):
    path, text, row, added, vocabulary = _first_limited_chair_row(published)
    listing = _page(officer.get(_url(published, "/chair")))
    assert "Who chairs, by placement type" in listing and row.values.source in listing
    assert f"Change<span class=\"govuk-visually-hidden\"> row {row.index + 1}: " in listing
    opened = _page(officer.get(_url(published, f"/chair/{row.index}")))
    assert "Who may chair" in opened and f'value="{added}"' in opened

    fields = _chair_fields(row, row.values.roles["options"] + (added,))
    check = officer.post(_url(published, f"/chair/{row.index}"),
                         data={"csrf_token": officer.token, "revision": "0", **fields})
    shown = _page(check)
    assert check.status_code == 200 and "Check your change to row" in shown
    assert vocabulary.roles[added] in shown and "Save to the draft" in shown
    assert _draft_text(app, published, path) is None

    saved = _post(officer, published, f"/chair/{row.index}", fields, confirmed="yes")
    assert saved.status_code == 302 and saved.location.endswith(_url(published, "/chair"))
    after = _draft_text(app, published, path)
    [removed, inserted] = _changed_lines(text, after)
    assert inserted == "+" + removed[1:].replace("]", f", {added}]")
    assert all(line in after for line in text.split("\n") if line.strip().startswith(("#", "source:")))
    assert "Saved row" in _page(officer.get(saved.location))
    with app.app_context():
        changed = db.session().scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.CHANGED.value)).all()
    assert [entry.detail["editor"] for entry in changed] == ["chair"]


def test_unchanged_values_save_nothing_and_bad_input_is_a_400_on_its_field_with_what_was_typed_kept(
        app, officer, published):
    path, text, row, added, vocabulary = _first_limited_chair_row(published)
    response = _post(officer, published, f"/chair/{row.index}", _chair_fields(row, row.values.roles["options"]))
    assert response.status_code == 302 and "Nothing changed" in _page(officer.get(response.location))
    fields = {**_chair_fields(row, ()), "source": "A sentence typed by the officer"}
    response = _post(officer, published, f"/chair/{row.index}", fields)
    page = _page(response)
    assert response.status_code == 400 and '<a href="#options">Select at least one role who may chair</a>' in page
    assert "A sentence typed by the officer" in page
    fields = {"applies": "except", "placement_types": list(vocabulary.placement_types), "options": [added],
              "source": "x"}
    response = _post(officer, published, "/chair/new", fields)
    assert response.status_code == 400 and "would never apply" in _page(response)

    item = menu_editor.items(YamlText(text, path))[0].values
    response = _post(officer, published, f"/menu/item/{item.id}",
                     {"label": "Renamed", "costed": "no", "available_from-day": "31", "available_from-month": "2",
                      "available_from-year": "2026", "source": item.source})
    page = _page(response)
    assert response.status_code == 400 and '<a href="#available_from-day">Enter a real date' in page
    assert 'value="Renamed"' in page and _draft_text(app, published, path) is None
    assert officer.get(_url(published, "/chair/999")).status_code == 404
    moved = _post(officer, published, "/chair/0/move", {"direction": "up"})
    assert moved.status_code == 400 and "cannot move up" in _page(moved)

    # A row whose condition says more than placement types is shown in words, never rewritten.
    written = text.split("\n")[YamlText(text, path).line_of(("chair", row.index, "when")) - 1]
    older = text.replace(written, written.replace("}", ", child.age: {at_least: 16}}", 1), 1)
    with app.app_context():
        policy_store.save_draft(db.session(), published, path, older, 0, "x@y.demo")
        db.session().commit()
    assert "and the child's age is at least 16" in _page(officer.get(_url(published, "/chair")))
    page = _page(officer.get(_url(published, f"/chair/{row.index}")))
    assert "This page cannot change this row" in page and f"/workspace/files/{path}" in page
    kept = _post(officer, published, f"/chair/{row.index}", _chair_fields(row, (added,)), revision=1, confirmed="yes")
    assert kept.status_code == 200 and _draft_text(app, published, path) == older


def test_a_stale_save_is_a_409_and_the_change_is_shown_again(app, officer, published):
    path, text, row, added, vocabulary = _first_limited_chair_row(published)
    with app.app_context():
        policy_store.save_draft(db.session(), published, path, text + "# another officer's note\n", 0, "x@y.demo")
        db.session().commit()
    fields = _chair_fields(row, row.values.roles["options"] + (added,))
    response = _post(officer, published, f"/chair/{row.index}", fields, revision=0, confirmed="yes")
    page = _page(response)
    assert response.status_code == 409 and "saved by someone else" in page
    assert f'name="options" value="{added}"' in page and 'name="revision" value="1"' in page
    assert _draft_text(app, published, path) == text + "# another officer's note\n"


def test_an_intervention_removed_one_moved_up_and_an_invitee_row_added_through_the_check_page(
        app, officer, published):
    path, text = _version(published)
    items = menu_editor.items(YamlText(text, path))
    listing = _page(officer.get(_url(published, "/menu")))
    assert f'Remove<span class="govuk-visually-hidden"> {items[0].values.label}</span>' in listing
    for conditional in [item for item in items if item.when is not None][:1]:  # a council offering one "only when"
        assert "Only when a condition holds" not in listing and "Only when " in listing
        page = _page(officer.get(_url(published, f"/menu/item/{conditional.values.id}")))
        assert "It is offered only when a condition holds" in page and f"/workspace/files/{path}" in page
    check = _post(officer, published, f"/menu/item/{items[0].values.id}/remove", {})
    assert check.status_code == 200 and f"removing {items[0].values.label}" in _page(check)
    assert _post(officer, published, f"/menu/item/{items[0].values.id}/remove", {}, confirmed="yes").status_code == 302
    assert _post(officer, published, f"/menu/item/{items[2].values.id}/move", {"direction": "up"}, revision=1,
                 confirmed="yes").status_code == 302
    saved = menu_editor.items(YamlText(_draft_text(app, published, path), path))
    assert [item.values.id for item in saved[:2]] == [items[2].values.id, items[1].values.id]
    assert all(line.startswith("-") for line in _changed_lines(text, _draft_text(app, published, path))
               if items[0].values.label in line)

    vocabulary = table_editor.vocabulary_of(YamlText(text, path))
    placement_type, role = next(iter(vocabulary.placement_types)), next(iter(vocabulary.roles))
    fields = {"applies": "except", "placement_types": [placement_type], "consider": [role], "source": "New: consider"}
    assert _post(officer, published, "/invitees/new", fields, revision=2, confirmed="yes").status_code == 302
    added = table_editor.rows(YamlText(_draft_text(app, published, path), path), "invitees", vocabulary)[-1]
    assert (added.values.placements.mode, added.values.placements.types, added.values.roles["consider"]) == \
        ("except", (placement_type,), (role,))


# ---------------------------------------------------------------- who may
def test_workers_are_refused_and_another_councils_tables_are_a_404(app, officer, published, demo):
    worker = app.test_client()
    login(worker, Demo.email("worker", published))
    for rest in ("/chair", "/invitees/0", "/menu"):
        assert worker.get(_url(published, rest)).status_code == 403
        assert officer.get(_url(demo.other, rest)).status_code == 404
    for rest, shown in (("/invitees", "Who is invited, by placement type"), ("/invitees/0", "Who to consider inviting"),
                        ("/invitees/new", "The new row goes at the end"), ("/chair/new", "Add a row to who chairs"),
                        ("/menu/new", "Add an intervention to the menu")):
        response = officer.get(_url(published, rest))
        assert response.status_code == 200 and shown in _page(response)
    assert officer.post(_url(demo.other, "/chair/0/remove"),
                        data={"csrf_token": officer.token, "revision": "0", "confirmed": "yes"}).status_code == 404
    with app.app_context():
        assert policy_store.draft_of(db.session(), demo.other) is None

    files = PolicyFiles.from_folder(policies_root() / published)
    with app.app_context():  # version files no longer YAML: the way to the YAML editor, never a 500
        for revision, path in enumerate(files.glob("versions/*.yaml")):
            policy_store.save_draft(db.session(), published, path, files.text(path) + "\nx: [unclosed\n", revision,
                                    "x@y.demo")
        db.session().commit()
    for rest in ("/chair", "/menu/new"):
        response = officer.get(_url(published, rest))
        assert response.status_code == 409 and "Correct it in the YAML editor" in _page(response)
