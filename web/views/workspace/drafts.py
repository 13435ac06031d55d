"""The draft: its landing page and the YAML editor, the first two stages of a policy change.

The landing page lists the draft's files by part of the policy, says which differ from the
latest published set, where the draft started, who saved it last and whether lint is clean.
Before anyone saves, the workspace shows the published set ("no changes yet"); the first save
makes the draft (hearth.web.policy_store.save_draft).

The editor is a GOV.UK text area in a plain form: a save posts the text with the revision the
officer opened, so a save made on a stale copy is refused (409) and the typed text given back,
never lost. After a save the whole draft is linted and this file's problems shown on their
lines, in an error summary and a numbered listing that need no JavaScript. With JavaScript
(static/js/yaml-editor.mjs) the text area becomes a CodeMirror editor with line numbers, lint
markers, a re-lint of the typed text (``lint``, nothing saved) and key hints from the file's
JSON Schema (``schema``).

Every view, save, removal and discard is audited (object type "policy_draft", the council as
object, the path and revision as detail); refusals through hearth.web.audit.refused.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for

from hearth.rules.limits import MAX_NAME_LENGTH
from hearth.rules.source import SourceError

from ... import db, policy_store
from ...audit import audit, refused
from ...auth import current_user, role_required
from ...models import AuditAction
from .access import PREFIX, WORKSPACE_ROLES, latest_published_files, workspace_council, workspace_files
from .draft_files import SCHEMAS, FileProblem, grouped_rows, lint_problems, located, problems_by_line, schema_part

bp = Blueprint("workspace_drafts", __name__, url_prefix=PREFIX)

# The most text one save may carry. The app refuses any request over MAX_CONTENT_LENGTH (2 MB)
# before a view sees it, which would lose what was typed; a text under that but over this is
# refused here, with the text given back. A demo council's largest file is under 40 KB.
MAX_EDITED_BYTES = 1_000_000
# Lines shown around each problem in the numbered listing.
LISTING_CONTEXT = 3
OBJECT = "policy_draft"


# ---------------------------------------------------------------- the landing page
@bp.get("")
@role_required(*WORKSPACE_ROLES)
def index(council: str):
    shown = workspace_council(council)
    files, draft = workspace_files(shown.id)
    published = latest_published_files(shown.id)
    problems = lint_problems(files) if files is not None else []
    audit(AuditAction.VIEWED, OBJECT, shown.id, {"page": "draft", "revision": draft.revision if draft else None})
    return render_template("workspace/drafts.html", title="Draft", stage="workspace_drafts.index",
                           shown_council=shown, files=files, draft=draft, published=published,
                           groups=grouped_rows(files, published, problems), problems=problems)


@bp.route("/discard", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def discard(council: str):
    """Delete the council's draft (its row and files; published sets are never touched), after
    a confirmation made on the revision the officer saw."""
    shown = workspace_council(council)
    draft = policy_store.draft_of(db.session(), shown.id)
    if draft is None:
        flash("There is no draft to discard: the workspace shows the published policy.")
        return redirect(url_for(".index", council=shown.id))
    if request.method == "POST":
        if _revision() != draft.revision:
            refused("stale_draft", 409, OBJECT, shown.id)
            return render_template("workspace/drafts_discard.html", title="Discard the draft", shown_council=shown,
                                   stage="workspace_drafts.index", draft=policy_store.draft_of(db.session(), shown.id),
                                   stale=True), 409
        revision, count = draft.revision, len(draft.files)
        db.session().delete(draft)
        audit(AuditAction.WITHDRAWN, OBJECT, shown.id, {"discarded_revision": revision, "files": count})
        flash("The draft was discarded: the workspace shows the published policy again.", "success")
        return redirect(url_for(".index", council=shown.id))
    audit(AuditAction.VIEWED, OBJECT, shown.id, {"page": "discard", "revision": draft.revision})
    return render_template("workspace/drafts_discard.html", title="Discard the draft", shown_council=shown,
                           stage="workspace_drafts.index", draft=draft, stale=False)


# ---------------------------------------------------------------- one file
@bp.route("/files/<path:path>", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def edit(council: str, path: str):
    shown = workspace_council(council)
    files, draft = workspace_files(shown.id)
    revision = draft.revision if draft else 0
    if request.method == "POST":
        return _save(shown, path, files, revision)
    if files is None or path not in files:
        abort(404)
    audit(AuditAction.VIEWED, OBJECT, shown.id, {"path": path, "revision": revision})
    return _editor(shown, path, files.texts[path], revision, lint_problems(files))


def _save(shown, path: str, files, current: int):
    text, revision = _typed_text(), _revision()
    if text is None or revision is None:  # not what the page's form sends: nothing to save on
        if text is None and (files is None or path not in files):
            abort(404)
        return _editor(shown, path, files.texts[path] if text is None else text, current, [], refusal=(
            "Nothing was saved: the form came without the file's text or the draft's revision. "
            "Check the text below and save it again."))
    if len(text.encode("utf-8")) > MAX_EDITED_BYTES:
        refused("too_large", 400, OBJECT, shown.id)
        return _editor(shown, path, text, revision, [], status=400, refusal=(
            f"The text is {len(text.encode('utf-8')):,} bytes; one file saved here may have at most "
            f"{MAX_EDITED_BYTES:,}. Nothing was saved. Split the file, or shorten it."))
    try:
        draft = policy_store.save_draft(db.session(), shown.id, path, text, revision, current_user().email)
    except policy_store.StaleDraft as stale:
        return _stale(shown, path, stale)
    except SourceError as error:
        refused("unsavable_file", 400, OBJECT, shown.id)
        return _editor(shown, path, text, revision, _located_at(path, error), status=400,
                       refusal="Nothing was saved: the file cannot be kept as it is.")
    audit(AuditAction.CHANGED, OBJECT, shown.id, {"path": path, "revision": draft.revision})
    flash(f"Saved {path} (revision {draft.revision} of the draft).", "success")
    return redirect(url_for(".edit", council=shown.id, path=path))


def _stale(shown, path: str, stale: policy_store.StaleDraft):
    """409: another save came first. The typed text is given back with the draft's revision now,
    so saving again puts it over the other officer's change, knowingly."""
    refused("stale_draft", 409, OBJECT, shown.id)
    files, _draft = workspace_files(shown.id)
    return _editor(shown, path, stale.text or "", stale.current, [], status=409, refusal=str(stale),
                   current_exists=files is not None and path in files)


def _editor(shown, path: str, text: str, revision: int, problems: list[FileProblem], *, status: int = 200,
            refusal: str | None = None, current_exists: bool = False):
    mine = [problem for problem in problems if problem.path == path]
    return render_template(
        "workspace/editor.html", title=("Error: " if refusal or mine else "") + f"Edit {path}", stage="workspace_drafts.index", shown_council=shown,
        path=path, text=text, revision=revision, problems=mine, by_line=problems_by_line(mine),
        problems_json=[problem.as_dict() for problem in mine],
        elsewhere=[problem for problem in problems if problem.path != path], listing=_listing(text, mine),
        refusal=refusal, current_exists=current_exists, schema_part=schema_part(path)), status


def _listing(text: str, problems: list[FileProblem]) -> list[list[tuple[int, str]]]:
    """The lines around each located problem, as runs of (number, line) with gaps between."""
    lines = text.split("\n")
    wanted = sorted({number for problem in problems if problem.line
                     for number in range(max(1, problem.line - LISTING_CONTEXT),
                                         min(len(lines), problem.line + LISTING_CONTEXT) + 1)})
    runs: list[list[tuple[int, str]]] = []
    for number in wanted:
        if not runs or runs[-1][-1][0] != number - 1:
            runs.append([])
        runs[-1].append((number, lines[number - 1]))
    return runs


def _located_at(path: str, error: SourceError) -> list[FileProblem]:
    """save_draft's refusal, each problem at ``path`` when it is about this file."""
    return [FileProblem(path, problem.loc.line or 0, problem.loc.column or 0, problem.message)
            if problem.loc.file.endswith("/" + path) else FileProblem(path, 0, 0, problem.message)
            for problem in error.problems]


# ---------------------------------------------------------------- adding and removing files
@bp.route("/new-file", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def new_file(council: str):
    shown = workspace_council(council)
    files, draft = workspace_files(shown.id)
    revision = draft.revision if draft else 0
    if request.method == "GET":
        audit(AuditAction.VIEWED, OBJECT, shown.id, {"page": "new_file", "revision": revision})
        return _new_file_page(shown, "", "", revision)
    path, text, revision = request.form.get("path", "").strip(), _typed_text() or "", _revision()
    error = _new_file_error(path, text, revision, files)
    if error is None:
        try:
            saved = policy_store.save_draft(db.session(), shown.id, path, text, revision, current_user().email)
        except policy_store.StaleDraft as stale:
            refused("stale_draft", 409, OBJECT, shown.id)
            return _new_file_page(shown, path, text, stale.current, str(stale)), 409
        except SourceError as refusal:
            refused("unsavable_file", 400, OBJECT, shown.id)
            return _new_file_page(shown, path[:MAX_NAME_LENGTH * 2], text, revision, path_error="; ".join(
                problem.message for problem in refusal.problems)), 400
        audit(AuditAction.CREATED, OBJECT, shown.id, {"path": path, "revision": saved.revision})
        flash(f"Added {path} to the draft (revision {saved.revision}).", "success")
        return redirect(url_for(".edit", council=shown.id, path=path))
    return _new_file_page(shown, path[:MAX_NAME_LENGTH * 2], text, revision if revision is not None else 0,
                          path_error=error)


def _new_file_error(path: str, text: str, revision: int | None, files) -> str | None:
    """What is wrong with the new file's form before anything is tried (None: nothing)."""
    if not path:
        return "Enter the new file's path, for example tests/minutes.yaml"
    if revision is None:
        return "The form came without the draft's revision: add the file again."
    if len(path) > MAX_NAME_LENGTH:
        return f"The path is longer than {MAX_NAME_LENGTH} characters; shorten it."
    if files is not None and path in files:
        return f"The draft already has {path}: edit it instead."
    if len(text.encode("utf-8")) > MAX_EDITED_BYTES:
        return f"The text is longer than {MAX_EDITED_BYTES:,} bytes; one file saved here may have at most that."
    return None


def _new_file_page(shown, path: str, text: str, revision: int, refusal: str | None = None,
                   path_error: str | None = None):
    return render_template("workspace/drafts_new_file.html", title="Add a file to the draft", shown_council=shown,
                           stage="workspace_drafts.index", path=path, text=text, revision=revision, refusal=refusal,
                           path_error=path_error)


@bp.route("/remove/<path:path>", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def remove_file(council: str, path: str):
    shown = workspace_council(council)
    files, draft = workspace_files(shown.id)
    if files is None or path not in files:
        abort(404)
    current, revision = draft.revision if draft else 0, _revision()
    if request.method == "GET":
        audit(AuditAction.VIEWED, OBJECT, shown.id, {"page": "remove", "path": path})
        return _remove_page(shown, path, current)
    if revision is None:  # not what the page's form sends
        return _remove_page(shown, path, current, "Nothing was removed: the form came without the draft's revision. "
                                                  "Remove the file again from this page.")
    try:
        saved = policy_store.save_draft(db.session(), shown.id, path, None, revision, current_user().email)
    except policy_store.StaleDraft as stale:
        refused("stale_draft", 409, OBJECT, shown.id)
        return _remove_page(shown, path, stale.current, str(stale)), 409
    audit(AuditAction.CHANGED, OBJECT, shown.id, {"path": path, "removed": True, "revision": saved.revision})
    flash(f"Removed {path} from the draft (revision {saved.revision}).", "success")
    return redirect(url_for(".index", council=shown.id))


def _remove_page(shown, path: str, revision: int, refusal: str | None = None):
    return render_template("workspace/drafts_remove.html", title=f"Remove {path}", shown_council=shown,
                           stage="workspace_drafts.index", path=path, revision=revision, refusal=refusal)


# ---------------------------------------------------------------- for the editor's JavaScript
@bp.post("/lint/<path:path>")
@role_required(*WORKSPACE_ROLES)
def lint(council: str, path: str):
    """The lint problems of the draft with ``path``'s text as typed: nothing saved, nothing of
    the draft returned but located problems (the page the editor is on was audited). JSON
    ``{"text": ...}`` in (no text: the draft's own), ``{"problems": [...], "elsewhere": n}``
    out; CSRF header required."""
    shown = workspace_council(council)
    body = request.get_json(silent=True)
    text = body.get("text") if isinstance(body, dict) else None
    if text is not None and not isinstance(text, str):
        return jsonify(error='Send {"text": "..."} as JSON.'), 400
    if text is not None and len(text.encode("utf-8")) > MAX_EDITED_BYTES:
        return jsonify(error=f"The text is longer than {MAX_EDITED_BYTES:,} bytes."), 413
    files, _draft = workspace_files(shown.id)
    if files is None:
        abort(404)
    changes = {} if text is None else {path: text.replace("\r\n", "\n")}
    try:
        problems = lint_problems(files.replace(changes))
    except SourceError as error:  # a path or text no set can hold: said where, as a save would
        problems = located(files.location(), error.problems)
    return jsonify(problems=[problem.as_dict() for problem in problems if problem.path == path],
                   elsewhere=sum(problem.path != path for problem in problems))


@bp.get("/schema/<part>.json")
@role_required(*WORKSPACE_ROLES)
def schema(council: str, part: str):
    """The JSON Schema of a part's files (versions, tests, forms, council.yaml), for key hints."""
    workspace_council(council)
    if part not in SCHEMAS:
        abort(404)
    return jsonify(SCHEMAS[part]())


# ---------------------------------------------------------------- form fields
def _typed_text() -> str | None:
    """The posted text, with the line ends browsers send from a text area (CRLF) made LF."""
    text = request.form.get("text")
    return None if text is None else text.replace("\r\n", "\n")


def _revision() -> int | None:
    """The draft revision the form was made on (None when the form has none)."""
    value = request.form.get("revision", "")
    return int(value) if value.isdigit() and len(value) <= 9 else None
