"""Changing the draft without YAML: what every editor shares (issue 11).

Each editor (hearth.web.views.workspace.edit_rules, edit_tables, edit_forms) is a set of plain
GOV.UK pages that need no JavaScript. Its page posts the officer's values; the editor turns them
into the file's new text with hearth.engine.editing (only the lines concerned change, every
comment and `source` line kept) and hands it to ``check_and_save``, which every editor shares:

1. the first post shows the change *before* anything is saved: in words, rule by rule (the
   same words as the "Changes in words" stage), line by line, and the lint problems the draft
   would then have; the officer's values ride along as hidden fields;
2. "Save to the draft" posts them again with ``confirmed``: the new text is worked out again
   from the draft as it is *now* and saved with the revision the check was made on, so a save
   made by someone else in between is never overwritten unseen (the check is shown again,
   against the new draft, and nothing typed is lost).

Values equal to the file's leave it byte-identical, so opening and saving an editor without
a change saves nothing ("Nothing changed"). The first change to a published form in a draft
also keeps the published form under its version, for the records filled against it, and
raises the form's version (hearth.engine.editing.form_versions): the check page says so.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from hearth.engine.editing.form_versions import with_kept_version
from hearth.engine.editing.yaml_text import EditError, YamlText
from hearth.engine.policy_files import PolicyFiles
from hearth.engine.whatif_changes import file_changes

from ... import db, policy_store
from ...audit import audit, refused
from ...auth import current_user, role_required
from ...models import AuditAction
from .access import PREFIX, WORKSPACE_ROLES, latest_published_files, workspace_council, workspace_files
from .draft_files import lint_problems
from .trying_results import change_context

bp = Blueprint("workspace_editing", __name__, url_prefix=PREFIX + "/change")

OBJECT = "policy_draft"
# Form fields the check page does not carry back: the page sets its own.
NOT_CARRIED = ("csrf_token", "revision", "confirmed")
# The editors' listing pages, in the order of the reading page: (endpoint, label). One not
# registered (an editor not built into this app) is not offered.
EDITORS = (
    ("workspace_edit_rules.triggers", "Triggers: what calls for a meeting"),
    ("workspace_edit_tables.chair", "Who chairs, by placement type"),
    ("workspace_edit_tables.invitees", "Who is invited, by placement type"),
    ("workspace_edit_rules.deadlines", "Deadlines and duties"),
    ("workspace_edit_rules.gates", "Gates: what must happen before a request"),
    ("workspace_edit_tables.menu", "The intervention menu"),
    ("workspace_edit_forms.forms", "Forms and their questions"),
)


@dataclass(frozen=True)
class Editable:
    """What the editors change: the workspace's files (the draft's, or the latest published set's
    before anyone has saved), and the draft revision they were read at (0 before a draft)."""

    files: PolicyFiles
    revision: int

    def document(self, path: str) -> YamlText:
        return YamlText(self.files.text(path), path)


def editable(council_id: str) -> Editable | None:
    files, draft = workspace_files(council_id)
    if files is None:
        return None
    return Editable(files, draft.revision if draft is not None else 0)


def version_path(files: PolicyFiles) -> str | None:
    """The version file the editors change: the latest in force (by ``effective_from``; the
    file name breaks a tie). Earlier versions are history, changed in the YAML editor if ever.
    A file that is not YAML any more counts as the latest: the editors open it and say it must
    be put right in the YAML editor, rather than quietly changing an earlier version."""
    found = []
    for path in files.glob("versions/*.yaml"):
        try:
            effective = str(YamlText(files.text(path), path).value(("effective_from",), ""))
        except EditError:
            effective = "9999-12-31"
        found.append((effective, path))
    return max(found)[1] if found else None


def posted_revision() -> int | None:
    try:
        return int(request.form.get("revision", ""))
    except ValueError:
        return None


def without_revision(page: str):
    """A post that is not what the editors' forms send (no draft revision): nothing to check a
    change against, so nothing is changed and the officer is sent back to ``page`` (None: the
    post carries a revision and goes on)."""
    if posted_revision() is not None:
        return None
    flash("Nothing was changed: the form came without the draft's revision. Make the change again.")
    return redirect(page)


def check_and_save(shown, editing: Editable, *, path: str, new_text: str, back: str, editor: str, what: str):
    """The common end of every editor's post (see the module's docstring). ``back`` is the page
    to return to after saving; ``editor`` names the editor in the audit; ``what`` says in a few
    words what is being changed ("the trigger repeated-missing") for headings and messages.
    A published form changed for the first time in the draft keeps its published version for
    the records filled against it (hearth.engine.editing.form_versions): both files are saved."""
    current = editing.files.text(path)
    stale = posted_revision() != editing.revision
    if new_text == current:
        flash(f"Nothing changed: {what} already says that. Nothing was saved.")
        return redirect(back)
    changes = with_kept_version(path, new_text, editing.files, latest_published_files(shown.id))
    if request.form.get("confirmed") == "yes" and not stale:
        try:
            revision = editing.revision
            for changed_path, text in changes.items():
                draft = policy_store.save_draft(db.session(), shown.id, changed_path, text, revision,
                                                current_user().email)
                revision = draft.revision
        except policy_store.StaleDraft:
            db.session().rollback()
            stale = True
        else:
            audit(AuditAction.CHANGED, OBJECT, shown.id, {"path": path, "revision": draft.revision,
                                                          "editor": editor, "files": sorted(changes)})
            flash(f"Saved {what} to the draft (revision {draft.revision}).", "success")
            return redirect(back)
    if stale:
        refused("stale_draft", 409, OBJECT, shown.id)
        editing = editable(shown.id) or editing
    proposed = editing.files.replace(changes)
    problems = lint_problems(proposed)
    audit(AuditAction.VIEWED, OBJECT, shown.id, {"page": "check_change", "path": path, "editor": editor})
    carried = [(name, value) for name, value in request.form.items(multi=True) if name not in NOT_CARRIED]
    kept = next((changed for changed in changes if changed != path), None)
    return render_template(
        "workspace/editing/check.html", title=f"Check your change to {what}", stage="workspace_drafts.index",
        shown_council=shown, what=what, path=path, back=back, carried=carried, revision=editing.revision,
        action=request.path, stale=stale, problems=problems, line_changes=file_changes(editing.files, proposed),
        kept=kept, **change_context(editing.files, proposed)), 409 if stale else 200


# ---------------------------------------------------------------- the list of editors
@bp.get("")
@role_required(*WORKSPACE_ROLES)
def index(council: str):
    """Every editor, with what it changes: the way into changing the policy without YAML."""
    shown = workspace_council(council)
    editing = editable(shown.id)
    audit(AuditAction.VIEWED, OBJECT, shown.id, {"page": "editors"})
    return render_template("workspace/editing/index.html", title="Change the policy", stage="workspace_drafts.index",
                           shown_council=shown, editing=editing,
                           version=version_path(editing.files) if editing else None,
                           editors=[(endpoint, label) for endpoint, label in EDITORS
                                    if endpoint in current_app.view_functions])


# ---------------------------------------------------------------- links from the reading pages
# A rule's key on the policy pages (hearth.engine.policy_words.Entry.key, "trigger:<id>") → the
# editor that changes it, and how the rest of the key becomes the editor's arguments.
_EDITOR_OF_KEY = {
    "trigger": ("workspace_edit_rules.trigger", lambda rest: {"trigger_id": rest}),
    "deadline": ("workspace_edit_rules.deadline", lambda rest: {"section": "deadlines", "item_id": rest}),
    "duty": ("workspace_edit_rules.deadline", lambda rest: {"section": "duties", "item_id": rest}),
    "gate": ("workspace_edit_rules.gate", lambda rest: {"gate_id": rest}),
    "chair": ("workspace_edit_tables.chair_row", lambda rest: {"row": int(rest)}),
    "invitees": ("workspace_edit_tables.invitee_row", lambda rest: {"row": int(rest)}),
    "intervention": ("workspace_edit_tables.intervention", lambda rest: {"intervention_id": rest}),
}


def change_links_for(council_id: str):
    """For the reading pages: a function from a rule's key to the page that changes it in the
    draft, when the signed-in user is one of the council's policy officers (None otherwise, and
    for rules no editor changes). The reading page shows the published policy; the editor opens
    the same rule in the draft's latest version."""
    user = current_user()
    if user is None or user.role not in WORKSPACE_ROLES or user.council_id != council_id:
        return None

    def change_link(key: str) -> str | None:
        kind, _, rest = key.partition(":")
        endpoint, arguments = _EDITOR_OF_KEY.get(kind, (None, None))
        if endpoint is None or endpoint not in current_app.view_functions or not rest:
            return None
        return url_for(endpoint, council=council_id, **arguments(rest))

    return change_link


def form_change_link(council_id: str, form_id: str) -> str | None:
    """The form's questions editor, for the council's policy officers (the form preview's link)."""
    endpoint = "workspace_edit_forms.form"
    links = change_links_for(council_id)
    if links is None or endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, council=council_id, form_id=form_id)
