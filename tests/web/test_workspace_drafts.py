"""The workspace's draft and its YAML editor without JavaScript (hearth.web.views.workspace.drafts):
a plain form saves, lint shows a real mistake on its line, a stale save is refused with the
typed text kept, bounds and unsavable files are refused with the text kept, another council's
draft is a 404, workers and managers a 403, every view and save is audited, discarding never
touches a published row, and a draft with a mistake can never be published."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from hearth.engine.api import policies_root
from hearth.engine.policy_files import PolicyFiles
from hearth.rules.source import SourceError
from hearth.web import db, policy_store
from hearth.web.models import AuditAction, AuditEntry, PolicyPublication, PolicySet, PolicySetFile
from hearth.web.views.workspace.drafts import MAX_EDITED_BYTES

from web_support import Demo, csrf_token, login
from workspace_support import officer, published  # noqa: F401 - fixtures

TOP_KEY = re.compile(r"^([a-z_]+):", re.MULTILINE)
TEXTAREA = re.compile(r'<textarea[^>]*name="text"[^>]*>(.*?)</textarea>', re.DOTALL)
REVISION = re.compile(r'name="revision" value="(\d+)"')


def _workspace(council: str, rest: str = "") -> str:
    return f"/councils/{council}/workspace{rest}"


def _version_path(council: str) -> str:
    return sorted(PolicyFiles.from_folder(policies_root() / council).glob("versions/*.yaml"))[0]


def _misspelt(text: str) -> tuple[str, int, str]:
    """The text with its last top-level key misspelt (a real mistake lint names), its line and the key."""
    last = list(TOP_KEY.finditer(text))[-1]
    wrong = last.group(1) + "x"
    return text[:last.start()] + wrong + text[last.end(1):], text[:last.start()].count("\n") + 1, wrong


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _typed(response) -> str:
    found = TEXTAREA.search(response.get_data(as_text=True))
    assert found, "no text area on the page"
    text = html.unescape(found.group(1))
    return text[1:] if text.startswith("\n") else text


def _save(client, council, path, text, revision, **kwargs):
    token = csrf_token(client, _workspace(council, f"/files/{_version_path(council)}"))
    return client.post(_workspace(council, f"/files/{path}"),
                       data={"csrf_token": token, "text": text, "revision": str(revision)}, **kwargs)


def _audits(app, action: AuditAction) -> list[AuditEntry]:
    with app.app_context():
        return db.session().scalars(select(AuditEntry).where(AuditEntry.action == action.value)
                                    .order_by(AuditEntry.id)).all()


def _draft_texts(app, council):
    with app.app_context():
        draft = policy_store.draft_of(db.session(), council)
        return None if draft is None else (draft.revision, dict(policy_store.draft_files(draft).texts))


# ---------------------------------------------------------------- the landing page
def test_before_any_save_the_landing_page_shows_the_published_files_and_is_audited(app, officer, published):
    page = _page(officer.get(_workspace(published)))
    assert "No changes yet" in page and "Clean" in page
    with app.app_context():
        assert f"<code>{policy_store.latest_publication(db.session(), published).policy_set.content_hash[:12]}</code>" in page
    for path in PolicyFiles.from_folder(policies_root() / published).texts:
        if not path.startswith("demo/"):
            assert f"/workspace/files/{path}" in page
    [viewed] = [a for a in _audits(app, AuditAction.VIEWED) if a.object_type == "policy_draft"]
    assert (viewed.object_id, viewed.detail["page"]) == (published, "draft")


# ---------------------------------------------------------------- the editor without JavaScript
def test_a_plain_post_saves_and_lint_shows_a_misspelt_key_on_its_line(app, officer, published):
    path = _version_path(published)
    opened = officer.get(_workspace(published, f"/files/{path}"))
    assert opened.status_code == 200
    original, revision = _typed(opened), REVISION.search(opened.get_data(as_text=True)).group(1)
    assert original == PolicyFiles.from_folder(policies_root() / published).texts[path] and revision == "0"
    wrong, line, key = _misspelt(original)

    saved = _save(officer, published, path, wrong.replace("\n", "\r\n"), 0)  # as a browser sends a text area
    assert saved.status_code == 302 and saved.location.endswith(f"/files/{path}")
    assert _draft_texts(app, published) == (1, {**PolicyFiles.from_folder(policies_root() / published).texts,
                                                path: wrong})
    page = _page(officer.get(saved.location))
    summary = re.search(rf'<a href="#line-{line}">Line {line}, column 1: ([^<]*)</a>', page)
    assert summary and f"'{key}'" in summary.group(1)
    listed = re.search(rf'<li class="hearth-listing__line" id="line-{line}" value="{line}"><code[^>]*>{re.escape(key)}:'
                       rf'.*?</code>\s*<p class="govuk-error-message[^"]*">.*?Line {line}, column 1: ([^<]*)</p>', page, re.DOTALL)
    assert listed and listed.group(1) == summary.group(1)

    other_file = next(p for p in PolicyFiles.from_folder(policies_root() / published).texts
                      if p.startswith("tests/"))
    elsewhere = _page(officer.get(_workspace(published, f"/files/{other_file}")))
    assert re.search(rf'<a class="govuk-link" href="/councils/{published}/workspace/files/{path}#line-{line}">'
                     rf'{path}, line {line}, column 1</a>: {re.escape(summary.group(1))}', elsewhere)

    [changed] = [a for a in _audits(app, AuditAction.CHANGED) if a.object_type == "policy_draft"]
    assert (changed.object_id, changed.detail) == (published, {"path": path, "revision": 1})
    viewed = [a.detail for a in _audits(app, AuditAction.VIEWED) if a.object_type == "policy_draft"]
    assert viewed[0] == {"path": path, "revision": 0}
    assert viewed[-2:] == [{"path": path, "revision": 1}, {"path": other_file, "revision": 1}]
    landing = _page(officer.get(_workspace(published)))
    assert "Changed" in landing and "1 problem" in landing and "No changes yet" not in landing

    with app.app_context():
        files = policy_store.draft_files(policy_store.draft_of(db.session(), published))
    with pytest.raises(SourceError) as refused:
        policy_store.check_publishable(files)
    assert any(p.loc.line == line and key in p.message for p in refused.value.problems)


def test_a_save_on_a_stale_revision_is_refused_with_the_typed_text_kept(app, client, published):
    second = app.test_client()
    login(client, Demo.email("policy_officer", published))
    login(second, f"policy2@{published}.demo")
    path = _version_path(published)
    original = _typed(client.get(_workspace(published, f"/files/{path}")))
    first_text, second_text = original + "# first officer\n", original + "# second officer <&>\n"
    assert _save(client, published, path, first_text, 0).status_code == 302

    refused = _save(second, published, path, second_text, 0)
    assert refused.status_code == 409
    assert _typed(refused) == second_text and REVISION.search(refused.get_data(as_text=True)).group(1) == "1"
    assert "not saved" in _page(refused) and Demo.email("policy_officer", published) in _page(refused)
    assert _draft_texts(app, published)[1][path] == first_text
    assert [a.detail["reason"] for a in _audits(app, AuditAction.REFUSED)] == ["stale_draft"]

    retried = _save(second, published, path, _typed(refused), 1)  # saving again on purpose is kept
    assert retried.status_code == 302 and _draft_texts(app, published) [1][path] == second_text


@pytest.mark.parametrize("path, text, located", [
    ("notes/readme.yaml", "a: 1\n", "notes/readme.yaml"),
    ("VERSION", "x: 1\x00\n", "U+0000"),
])
def test_a_file_no_council_can_have_is_refused_with_the_text_kept(app, officer, published, path, text, located):
    target = _version_path(published) if path == "VERSION" else path
    refused = _save(officer, published, target, text, 0)
    assert refused.status_code == 400 and located in _page(refused) and "Nothing was saved" in _page(refused)
    assert _typed(refused) == text
    assert _draft_texts(app, published) is None


def test_a_text_over_the_bound_is_refused_with_the_text_kept(app, officer, published):
    path = _version_path(published)
    huge = "# " + "x" * MAX_EDITED_BYTES + "\n"
    refused = _save(officer, published, path, huge, 0)
    assert refused.status_code == 400 and f"{MAX_EDITED_BYTES:,}" in _page(refused)
    assert _typed(refused) == huge and _draft_texts(app, published) is None
    token = csrf_token(officer, _workspace(published, f"/files/{path}"))
    relint = officer.post(_workspace(published, f"/lint/{path}"), json={"text": huge}, headers={"X-CSRFToken": token})
    assert relint.status_code == 413
    textless = officer.post(_workspace(published, f"/files/{path}"), data={"csrf_token": token, "revision": "0"})
    assert "Nothing was saved" in _page(textless) and _draft_texts(app, published) is None


# ---------------------------------------------------------------- the editor's JSON helpers
def test_the_relint_lints_the_typed_text_without_saving_and_needs_the_csrf_token(app, officer, published):
    path = _version_path(published)
    wrong, line, key = _misspelt(_typed(officer.get(_workspace(published, f"/files/{path}"))))
    token = csrf_token(officer, _workspace(published, f"/files/{path}"))
    answer = officer.post(_workspace(published, f"/lint/{path}"), json={"text": wrong}, headers={"X-CSRFToken": token})
    assert answer.status_code == 200
    assert any(p["line"] == line and key in p["message"] for p in answer.get_json()["problems"])
    assert officer.post(_workspace(published, f"/lint/{path}"), json={"text": wrong}).status_code == 400
    assert _draft_texts(app, published) is None
    schema = officer.get(_workspace(published, "/schema/versions.json"))
    assert "triggers" in schema.get_json()["properties"]
    assert officer.get(_workspace(published, "/schema/document.json")).status_code == 404


# ---------------------------------------------------------------- adding, removing, discarding
def test_a_file_is_added_and_removed_and_an_unknown_path_is_a_404(app, officer, published):
    assert officer.get(_workspace(published, "/files/tests/nothing-here.yaml")).status_code == 404
    token = csrf_token(officer, _workspace(published, "/new-file"))
    added = officer.post(_workspace(published, "/new-file"),
                         data={"csrf_token": token, "path": "tests/extra.yaml", "text": "tests: []\n", "revision": "0"})
    assert added.status_code == 302 and added.location.endswith("/files/tests/extra.yaml")
    again = officer.post(_workspace(published, "/new-file"),
                         data={"csrf_token": token, "path": "tests/extra.yaml", "text": "", "revision": "1"})
    assert again.status_code == 200 and "already has tests/extra.yaml" in _page(again)
    nowhere = officer.post(_workspace(published, "/new-file"),
                           data={"csrf_token": token, "path": "notes/extra.yaml", "text": "a: 1\n", "revision": "1"})
    assert nowhere.status_code == 400 and "notes/extra.yaml" in _page(nowhere) and _typed(nowhere) == "a: 1\n"
    assert "Added" in _page(officer.get(_workspace(published)))

    path = _version_path(published)
    assert "Remove" in _page(officer.get(_workspace(published, f"/remove/{path}")))
    removed = officer.post(_workspace(published, f"/remove/{path}"), data={"csrf_token": token, "revision": "1"})
    assert removed.status_code == 302
    revision, texts = _draft_texts(app, published)
    assert revision == 2 and path not in texts and texts["tests/extra.yaml"] == "tests: []\n"
    assert "Removed" in _page(officer.get(_workspace(published)))
    assert [a.detail for a in _audits(app, AuditAction.CREATED)] == [{"path": "tests/extra.yaml", "revision": 1}]
    assert {"path": path, "removed": True, "revision": 2} in [a.detail for a in _audits(app, AuditAction.CHANGED)]


def test_discarding_deletes_the_draft_and_never_a_published_row(app, officer, published):
    def published_rows():
        with app.app_context():
            s = db.session()
            return [[tuple(getattr(row, column.name) for column in model.__table__.columns)
                     for row in s.scalars(select(model).order_by(model.id))]
                    for model in (PolicySet, PolicySetFile, PolicyPublication)]

    before = published_rows()
    path = _version_path(published)
    original = _typed(officer.get(_workspace(published, f"/files/{path}")))
    assert _save(officer, published, path, original + "# changed\n", 0).status_code == 302
    assert "revision 1" in _page(officer.get(_workspace(published, "/discard")))
    token = csrf_token(officer, _workspace(published, "/discard"))
    assert officer.post(_workspace(published, "/discard"), data={"csrf_token": token, "revision": "0"}).status_code == 409
    assert _draft_texts(app, published) is not None
    done = officer.post(_workspace(published, "/discard"), data={"csrf_token": token, "revision": "1"})
    assert done.status_code == 302 and _draft_texts(app, published) is None
    assert published_rows() == before
    [discarded] = _audits(app, AuditAction.WITHDRAWN)
    assert (discarded.object_type, discarded.object_id, discarded.detail["discarded_revision"]) == \
        ("policy_draft", published, 1)
    assert "No changes yet" in _page(officer.get(_workspace(published)))


# ---------------------------------------------------------------- who may
def test_another_councils_draft_is_a_404_and_audited(app, officer, published, demo):
    other = demo.other
    path = _version_path(other)
    token = csrf_token(officer, _workspace(published))
    for response in (officer.get(_workspace(other)), officer.get(_workspace(other, f"/files/{path}")),
                     officer.post(_workspace(other, f"/files/{path}"),
                                  data={"csrf_token": token, "text": "x: 1\n", "revision": "0"}),
                     officer.post(_workspace(other, f"/lint/{path}"), json={"text": "x"},
                                  headers={"X-CSRFToken": token})):
        assert response.status_code == 404
    assert [a.detail["reason"] for a in _audits(app, AuditAction.REFUSED)] == ["another_council"] * 4
    assert _draft_texts(app, other) is None


@pytest.mark.parametrize("role", ["worker", "manager"])
def test_workers_and_managers_are_refused(app, client, published, role):
    login(client, Demo.email(role, published))
    path = _version_path(published)
    token = csrf_token(client, "/")
    assert client.get(_workspace(published)).status_code == 403
    assert client.get(_workspace(published, f"/files/{path}")).status_code == 403
    assert client.post(_workspace(published, f"/files/{path}"),
                       data={"csrf_token": token, "text": "x: 1\n", "revision": "0"}).status_code == 403
    assert _draft_texts(app, published) is None
    assert [a.detail["reason"] for a in _audits(app, AuditAction.REFUSED)] == ["role"] * 3
