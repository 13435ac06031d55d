"""What the table editors' pages share (hearth.web.views.workspace.edit_tables and edit_menu):
the workspace opened on the version file the editors change, with its vocabulary; the way a
mistake is refused and shown on its field; a rule's condition in the policy pages' words.
"""
from __future__ import annotations

from flask import abort, make_response, render_template, request, url_for

from hearth.engine.editing import tables as table_editor
from hearth.engine.editing.yaml_text import EditError
from hearth.engine.policy import load_council, load_version
from hearth.engine.policy_words import Speaker, when_words
from hearth.rules.source import SourceError

from ...audit import refused
from .access import workspace_council
from .editing import OBJECT, check_and_save, editable, posted_revision, version_path, without_revision

DIRECTIONS = ("up", "down")
DATE_KEYS = ("available_from", "available_until")


class Opened:
    """The council's workspace open on its version file: the document, its vocabulary."""

    def __init__(self, council: str, *, required: bool = True):
        self.shown = workspace_council(council)
        if request.method == "POST" and (unposted := without_revision(url_for("workspace_editing.index",
                                                                             council=self.shown.id))):
            abort(unposted)
        self.editing = editable(self.shown.id)
        self.path = version_path(self.editing.files) if self.editing is not None else None
        self.ready = self.path is not None  # False before any publication: nothing to change yet
        if not self.ready:
            if required:
                abort(404)
            return
        try:
            self.document = self.editing.document(self.path)
        except EditError as error:  # not YAML any more: only the YAML editor can put it right
            refused("unreadable_file", 409, OBJECT, self.shown.id)
            abort(make_response(render_template(
                "workspace/editing/tables_unreadable.html", title="Error: the policy cannot be read here",
                stage="workspace_drafts.index", shown_council=self.shown, problem=str(error),
                yaml_link=self.yaml_link), 409))
        self.vocabulary = table_editor.vocabulary_of(self.document)
        self.roles = dict(table_editor.role_choices(self.vocabulary))
        self.placement_types = dict(self.vocabulary.placement_types)
        self._version = False  # read once, only for a row whose condition the page cannot tick

    def condition_words(self, section: str, index: int) -> str | None:
        """A rule's condition (a chair or invitees row's, an intervention's `when`) in the words
        of the policy pages, when the version loads (a draft with a mistake elsewhere may not:
        the condition's YAML is shown instead)."""
        if self._version is False:
            try:
                self._version = load_version(load_council(self.editing.files), self.editing.files, self.path)
            except SourceError:
                self._version = None
        rows = getattr(self._version, section, ()) if self._version is not None else ()
        return when_words(Speaker(self._version), rows[index].when) if index < len(rows) else None

    @property
    def yaml_link(self) -> str:
        return url_for("workspace_drafts.edit", council=self.shown.id, path=self.path)

    def revision(self) -> int:
        posted = posted_revision()
        return posted if posted is not None else self.editing.revision

    def save(self, *, back: str, editor: str, what: str):
        return check_and_save(self.shown, self.editing, path=self.path, new_text=self.document.text, back=back,
                              editor=editor, what=what)


def refuse_input(shown) -> None:
    refused("invalid_input", 400, OBJECT, shown.id)


def unwritable(error: EditError) -> str:
    return f"Nothing was changed: {error} Change this in the YAML editor."


def items(choices: dict, ticked) -> list[dict]:
    return [{"value": value, "text": label, "checked": value in ticked} for value, label in choices.items()]


def error_list(errors: dict) -> list[dict]:
    """The error summary's links, each to its field (a date to its day box)."""
    return [{"text": message, "href": "#main-content" if field == "form" else
             f"#{field}-day" if field in DATE_KEYS else f"#{field}"} for field, message in errors.items()]
