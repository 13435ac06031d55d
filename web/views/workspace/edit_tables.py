"""Editors without YAML for the chair and invitee tables, the intervention menu (issue 11; see hearth.web.views.workspace.editing).

The chair and invitee tables are edited as decision tables: the listing page is the table, a
row per rule (the placement types it applies to, in words; its roles; its source), each with
Change, Move up, Move down and Remove. A row's page ticks placement types and roles from the
policy's own vocabulary and takes the source sentence. The intervention menu is a table of its
own, each intervention's page its label, cost, the days it is offered and its source.

Every change, a move or a removal included, goes through ``check_and_save``: shown in words and
line by line first, then saved with the revision it was made on. The values an officer typed
are checked here, each mistake on its field (400, what was typed kept); the file's text is
changed only by hearth.engine.editing.tables and .menu, which leave what a page does not show
as it was written. A row or intervention the page cannot show is read-only, with the way into
the YAML editor.
"""
from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, abort, make_response, render_template, request, url_for

from hearth.engine.editing import menu as menu_editor
from hearth.engine.editing import tables as table_editor
from hearth.engine.editing.tables import EVERY, EXCEPT, ONLY, Placements, RowValues
from hearth.engine.editing.yaml_text import EditError
from hearth.engine.policy import load_council, load_version
from hearth.engine.policy_words import Speaker, either, when_words
from hearth.rules.limits import MAX_NAME_LENGTH, MAX_TEXT_LENGTH
from hearth.rules.source import SourceError

from ...audit import audit, refused
from ...auth import role_required
from ...models import AuditAction
from .access import PREFIX, WORKSPACE_ROLES, workspace_council
from .editing import OBJECT, check_and_save, editable, posted_revision, version_path

bp = Blueprint("workspace_edit_tables", __name__, url_prefix=PREFIX + "/change")

TITLES = {"chair": "Who chairs, by placement type", "invitees": "Who is invited, by placement type"}
SAID = {"chair": "who chairs", "invitees": "who is invited"}
ROW_ENDPOINTS = {"chair": ".chair_row", "invitees": ".invitee_row"}
ROLE_LEGENDS = {"options": "Who may chair", "required": "Who must be invited", "consider": "Who to consider inviting"}
DIRECTIONS = ("up", "down")


# ---------------------------------------------------------------- what every page needs
class Opened:
    """The council's workspace open on its version file: the document, its vocabulary."""

    def __init__(self, council: str, *, required: bool = True):
        self.shown = workspace_council(council)
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


def _refuse_input(shown) -> None:
    refused("invalid_input", 400, OBJECT, shown.id)


def _unwritable(error: EditError) -> str:
    return f"Nothing was changed: {error} Change this in the YAML editor."


# ---------------------------------------------------------------- words
def placements_words(opened: Opened, row) -> str:
    if not row.placements_expressed:
        said = opened.condition_words(row.section, row.index)
        return f"When {said}" if said else "Only when: " + json.dumps(row.when, default=str, ensure_ascii=False)
    placements = row.values.placements
    labels = [opened.placement_types.get(name, name) for name in placements.types]
    if placements.mode == EVERY:
        return "Every placement type"
    if placements.mode == EXCEPT:
        return "Every placement type except " + (" and ".join(labels) if len(labels) < 3 else
                                                 ", ".join(labels[:-1]) + " and " + labels[-1])
    return either(labels)


def roles_words(opened: Opened, row) -> list[str]:
    said = []
    for key in table_editor.ROLE_KEYS[row.section]:
        labels = [opened.roles.get(role, role) for role in row.values.roles.get(key, ())]
        labels += [f"({text})" for text in row.unexpressed if text.startswith(f"In '{key}'")]
        if labels and row.section == "chair":  # the column says who may chair
            said.append(", ".join(labels))
        elif labels:
            said.append(f"{ROLE_LEGENDS[key]}: {', '.join(labels)}")
    return said


def offered_words(opened: Opened, item) -> list[str]:
    said = []
    values = item.values
    if values.available_from:
        said.append(f"From {values.available_from.day} {values.available_from:%B %Y}")
    if values.available_until:
        said.append(f"Until {values.available_until.day} {values.available_until:%B %Y}")
    if item.when is not None:
        condition = opened.condition_words("interventions", item.index)
        said.append(f"Only when {condition}" if condition else "Only when a condition holds (see the YAML)")
    return said or ["Always"]


# ---------------------------------------------------------------- the chair and invitee tables
@bp.get("/chair")
@role_required(*WORKSPACE_ROLES)
def chair(council: str):
    return _table(council, "chair")


@bp.get("/invitees")
@role_required(*WORKSPACE_ROLES)
def invitees(council: str):
    return _table(council, "invitees")


def _table(council: str, section: str, *, error: str | None = None):
    opened = Opened(council, required=False)
    if error is None:
        audit(AuditAction.VIEWED, OBJECT, opened.shown.id, {"page": f"{section}_table"})
    rows = table_editor.rows(opened.document, section, opened.vocabulary) if opened.ready else ()
    return render_template(
        "workspace/editing/tables_table.html", title=("Error: " if error else "") + TITLES[section],
        stage="workspace_drafts.index", shown_council=opened.shown, opened=opened, section=section, heading=TITLES[section],
        rows=[(row, placements_words(opened, row), roles_words(opened, row)) for row in rows],
        row_endpoint=ROW_ENDPOINTS[section], error=error,
        revision=opened.editing.revision if opened.ready else 0), 400 if error else 200


@bp.route("/chair/<int:row>", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def chair_row(council: str, row: int):
    return _row(council, "chair", row)


@bp.route("/invitees/<int:row>", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def invitee_row(council: str, row: int):
    return _row(council, "invitees", row)


def _row(council: str, section: str, index: int):
    opened = Opened(council)
    current = table_editor.read_row(opened.document, section, index, opened.vocabulary)
    if current is None:
        abort(404)
    what = f"row {index + 1} of {SAID[section]}"
    if request.method == "GET" or not current.editable:
        audit(AuditAction.VIEWED, OBJECT, opened.shown.id, {"page": f"{section}_row", "row": index})
        return _row_page(opened, section, current, _typed_row(section, current.values))
    values, errors, typed = _posted_row(opened, section, current)
    if errors:
        _refuse_input(opened.shown)
        return _row_page(opened, section, current, typed, errors)
    try:
        table_editor.write_row(opened.document, section, index, values, opened.vocabulary)
    except EditError as error:
        _refuse_input(opened.shown)
        return _row_page(opened, section, current, typed, {"form": _unwritable(error)})
    return opened.save(back=url_for(f".{section}", council=opened.shown.id), editor=section, what=what)


@bp.route("/chair/new", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def add_chair_row(council: str):
    return _add_row(council, "chair")


@bp.route("/invitees/new", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def add_invitee_row(council: str):
    return _add_row(council, "invitees")


def _add_row(council: str, section: str):
    opened = Opened(council)
    if request.method == "GET":
        audit(AuditAction.VIEWED, OBJECT, opened.shown.id, {"page": f"{section}_new_row"})
        return _row_page(opened, section, None, {"applies": ONLY, "placement_types": (), "source": "",
                                                 **{key: () for key in table_editor.ROLE_KEYS[section]}})
    values, errors, typed = _posted_row(opened, section, None)
    if errors:
        _refuse_input(opened.shown)
        return _row_page(opened, section, None, typed, errors)
    try:
        table_editor.add_row(opened.document, section, values)
    except EditError as error:
        _refuse_input(opened.shown)
        return _row_page(opened, section, None, typed, {"form": _unwritable(error)})
    return opened.save(back=url_for(f".{section}", council=opened.shown.id), editor=section,
                       what=f"a new row of {SAID[section]}")


def _typed_row(section: str, values: RowValues) -> dict:
    return {"applies": values.placements.mode, "placement_types": values.placements.types, "source": values.source,
            **{key: values.roles.get(key, ()) for key in table_editor.ROLE_KEYS[section]}}


def _posted_row(opened: Opened, section: str, current) -> tuple[RowValues | None, dict, dict]:
    """The row's values as posted, the mistakes by field, and what was typed (to show again)."""
    form = request.form
    typed = {"applies": form.get("applies", ""), "placement_types": tuple(form.getlist("placement_types")),
             "source": form.get("source", "").replace("\r\n", "\n").strip(),
             **{key: tuple(form.getlist(key)) for key in table_editor.ROLE_KEYS[section]}}
    errors = {}
    applies, types = typed["applies"], typed["placement_types"]
    if applies not in table_editor.MODES:
        errors["applies"] = "Choose which placement types the row applies to"
    unknown_types = [name for name in types if name not in opened.placement_types]
    if unknown_types:
        errors["placement_types"] = f"'{unknown_types[0][:MAX_NAME_LENGTH]}' is not a placement type of this policy"
    elif applies == ONLY and not types:
        errors["placement_types"] = "Select the placement types the row applies to"
    elif applies == EXCEPT and not types:
        errors["placement_types"] = "Select the placement types the row does not apply to"
    elif applies == EXCEPT and set(types) == set(opened.placement_types):
        errors["placement_types"] = "A row for every placement type except all of them would never apply: untick at least one"
    kept = current.kept if current is not None else {}
    for key in table_editor.ROLE_KEYS[section]:
        unknown_roles = [role for role in typed[key] if role not in opened.roles]
        if unknown_roles:
            errors[key] = f"'{unknown_roles[0][:MAX_NAME_LENGTH]}' is not a role of this policy"
    if section == "chair" and not typed["options"] and not kept.get("options") and "options" not in errors:
        errors["options"] = "Select at least one role who may chair"
    if section == "invitees" and not errors.get("required") and not errors.get("consider"):
        both = [role for role in typed["required"] if role in typed["consider"]]
        if not (typed["required"] or typed["consider"] or kept.get("required") or kept.get("consider")):
            errors["required"] = "Select at least one role who must be invited or whom to consider inviting"
        elif both:
            errors["consider"] = (f"{opened.roles[both[0]]} is ticked both as must be invited and to consider "
                                  "inviting: untick one")
    source = typed["source"]
    if not source:
        errors["source"] = "Enter the sentence of the council's document this row comes from"
    elif len(source) > MAX_TEXT_LENGTH:
        errors["source"] = f"The source sentence may have at most {MAX_TEXT_LENGTH:,} characters; it has {len(source):,}"
        typed["source"] = source[:MAX_TEXT_LENGTH]
    if errors:
        return None, errors, typed
    placements = Placements(applies, tuple(dict.fromkeys(types)) if applies != EVERY else ())
    roles = {key: tuple(dict.fromkeys(typed[key])) for key in table_editor.ROLE_KEYS[section]}
    return RowValues(placements, roles, source), {}, typed


def _row_page(opened: Opened, section: str, current, typed: dict, errors: dict | None = None):
    errors = errors or {}
    adding = current is None
    heading = f"Add a row to {SAID[section]}" if adding else f"Change row {current.index + 1} of {SAID[section]}"
    action = (url_for(f".add_{'chair' if section == 'chair' else 'invitee'}_row", council=opened.shown.id) if adding
              else url_for(ROW_ENDPOINTS[section], council=opened.shown.id, row=current.index))
    return render_template(
        "workspace/editing/tables_row.html", title=("Error: " if errors else "") + heading,
        stage="workspace_drafts.index", shown_council=opened.shown, opened=opened, section=section, heading=heading,
        current=current, typed=typed, errors=errors, action=action, revision=opened.revision(),
        role_keys=table_editor.ROLE_KEYS[section], legends=ROLE_LEGENDS, error_list=_error_list(errors),
        placement_items=_items(opened.placement_types, typed["placement_types"]),
        role_items={key: _items(opened.roles, typed[key]) for key in table_editor.ROLE_KEYS[section]},
        words=(placements_words(opened, current), roles_words(opened, current)) if current else None,
        back=url_for(f".{section}", council=opened.shown.id)), 400 if errors else 200


def _items(choices: dict, ticked) -> list[dict]:
    return [{"value": value, "text": label, "checked": value in ticked} for value, label in choices.items()]


def _error_list(errors: dict) -> list[dict]:
    """The error summary's links, each to its field (a date to its day box)."""
    return [{"text": message, "href": "#main-content" if field == "form" else
             f"#{field}-day" if field in DATE_KEYS else f"#{field}"} for field, message in errors.items()]


@bp.post("/chair/<int:row>/remove")
@role_required(*WORKSPACE_ROLES)
def remove_chair_row(council: str, row: int):
    return _remove_row(council, "chair", row)


@bp.post("/invitees/<int:row>/remove")
@role_required(*WORKSPACE_ROLES)
def remove_invitee_row(council: str, row: int):
    return _remove_row(council, "invitees", row)


def _remove_row(council: str, section: str, index: int):
    opened = Opened(council)
    try:
        table_editor.remove_row(opened.document, section, index)
    except EditError:
        abort(404)
    return opened.save(back=url_for(f".{section}", council=opened.shown.id), editor=section,
                       what=f"{SAID[section]}: removing row {index + 1}")


@bp.post("/chair/<int:row>/move")
@role_required(*WORKSPACE_ROLES)
def move_chair_row(council: str, row: int):
    return _move_row(council, "chair", row)


@bp.post("/invitees/<int:row>/move")
@role_required(*WORKSPACE_ROLES)
def move_invitee_row(council: str, row: int):
    return _move_row(council, "invitees", row)


def _move_row(council: str, section: str, index: int):
    opened = Opened(council)
    direction = request.form.get("direction", "")
    if table_editor.read_row(opened.document, section, index, opened.vocabulary) is None:
        abort(404)
    try:
        if direction not in DIRECTIONS:
            raise EditError("Choose Move up or Move down")
        table_editor.move_row(opened.document, section, index, direction)
    except EditError:
        _refuse_input(opened.shown)
        return _table(council, section, error=f"Row {index + 1} cannot move {direction or 'there'}: "
                                              "nothing was changed. Use Move up or Move down on a row that has a row "
                                              "above or below it.")
    return opened.save(back=url_for(f".{section}", council=opened.shown.id), editor=section,
                       what=f"{SAID[section]}: moving row {index + 1} {direction}")


# ---------------------------------------------------------------- the intervention menu
@bp.get("/menu")
@role_required(*WORKSPACE_ROLES)
def menu(council: str):
    return _menu(council)


def _menu(council: str, error: str | None = None):
    opened = Opened(council, required=False)
    if error is None:
        audit(AuditAction.VIEWED, OBJECT, opened.shown.id, {"page": "intervention_menu"})
    items = menu_editor.items(opened.document) if opened.ready else ()
    return render_template(
        "workspace/editing/tables_menu.html", title=("Error: " if error else "") + "The intervention menu",
        stage="workspace_drafts.index", shown_council=opened.shown, opened=opened,
        items=[(item, offered_words(opened, item)) for item in items], error=error,
        revision=opened.editing.revision if opened.ready else 0), 400 if error else 200


@bp.route("/menu/item/<intervention_id>", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def intervention(council: str, intervention_id: str):
    opened = Opened(council)
    current = menu_editor.read_intervention(opened.document, intervention_id)
    if current is None:
        abort(404)
    if request.method == "GET" or not current.editable:
        audit(AuditAction.VIEWED, OBJECT, opened.shown.id, {"page": "intervention", "intervention": intervention_id})
        return _intervention_page(opened, current, _typed_intervention(current.values))
    values, errors, typed = _posted_intervention(opened, intervention_id)
    if errors:
        _refuse_input(opened.shown)
        return _intervention_page(opened, current, typed, errors)
    try:
        menu_editor.write_intervention(opened.document, intervention_id, values)
    except EditError as error:
        _refuse_input(opened.shown)
        return _intervention_page(opened, current, typed, {"form": _unwritable(error)})
    return opened.save(back=url_for(".menu", council=opened.shown.id), editor="interventions",
                       what=f"the intervention {current.values.label}")


@bp.route("/menu/new", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def add_intervention(council: str):
    opened = Opened(council)
    if request.method == "GET":
        audit(AuditAction.VIEWED, OBJECT, opened.shown.id, {"page": "new_intervention"})
        return _intervention_page(opened, None, _typed_intervention(None))
    values, errors, typed = _posted_intervention(opened, None)
    if errors:
        _refuse_input(opened.shown)
        return _intervention_page(opened, None, typed, errors)
    try:
        menu_editor.add_intervention(opened.document, values)
    except EditError as error:
        _refuse_input(opened.shown)
        return _intervention_page(opened, None, typed, {"form": _unwritable(error)})
    return opened.save(back=url_for(".menu", council=opened.shown.id), editor="interventions",
                       what=f"the menu: adding {values.label}")


@bp.post("/menu/item/<intervention_id>/remove")
@role_required(*WORKSPACE_ROLES)
def remove_intervention(council: str, intervention_id: str):
    opened = Opened(council)
    current = menu_editor.read_intervention(opened.document, intervention_id)
    if current is None:
        abort(404)
    menu_editor.remove_intervention(opened.document, intervention_id)
    return opened.save(back=url_for(".menu", council=opened.shown.id), editor="interventions",
                       what=f"the menu: removing {current.values.label}")


@bp.post("/menu/item/<intervention_id>/move")
@role_required(*WORKSPACE_ROLES)
def move_intervention(council: str, intervention_id: str):
    opened = Opened(council)
    current = menu_editor.read_intervention(opened.document, intervention_id)
    if current is None:
        abort(404)
    direction = request.form.get("direction", "")
    try:
        if direction not in DIRECTIONS:
            raise EditError("Choose Move up or Move down")
        menu_editor.move_intervention(opened.document, intervention_id, direction)
    except EditError:
        _refuse_input(opened.shown)
        return _menu(council, error=f"{current.values.label} cannot move {direction or 'there'}: nothing was changed.")
    return opened.save(back=url_for(".menu", council=opened.shown.id), editor="interventions",
                       what=f"the menu: moving {current.values.label} {direction}")


DATE_KEYS = ("available_from", "available_until")
DATE_WORDS = {"available_from": "the first day it is offered", "available_until": "the last day it is offered"}


def _typed_intervention(values) -> dict:
    typed = {"id": values.id if values else "", "label": values.label if values else "",
             "costed": ("yes" if values.costed else "no") if values else "", "source": values.source if values else ""}
    for key in DATE_KEYS:
        day = getattr(values, key) if values else None
        typed[key] = {"day": str(day.day), "month": str(day.month), "year": str(day.year)} if day else \
            {"day": "", "month": "", "year": ""}
    return typed


def _posted_intervention(opened: Opened, intervention_id: str | None):
    """The intervention as posted (``intervention_id`` None: a new one, whose id is posted), the
    mistakes by field and what was typed."""
    form = request.form
    typed = {"id": form.get("id", "").strip()[:MAX_NAME_LENGTH * 2] if intervention_id is None else intervention_id,
             "label": form.get("label", "").strip(), "costed": form.get("costed", ""),
             "source": form.get("source", "").replace("\r\n", "\n").strip()}
    errors = {}
    if intervention_id is None:
        new_id = typed["id"]
        if not new_id:
            errors["id"] = "Enter an id for the intervention, like peer_mentoring"
        elif len(new_id) > MAX_NAME_LENGTH or not menu_editor.ID_PATTERN.match(new_id):
            errors["id"] = (f"The id is lower-case letters, digits, - and _, starting with a letter, at most "
                            f"{MAX_NAME_LENGTH} characters, like peer_mentoring")
        elif menu_editor.read_intervention(opened.document, new_id) is not None:
            errors["id"] = f"The menu already has an intervention with the id {new_id}: choose another"
    if not typed["label"]:
        errors["label"] = "Enter the intervention's name, as workers will see it"
    elif len(typed["label"]) > MAX_NAME_LENGTH:
        errors["label"] = f"The name may have at most {MAX_NAME_LENGTH} characters; it has {len(typed['label']):,}"
        typed["label"] = typed["label"][:MAX_NAME_LENGTH]
    if typed["costed"] not in ("yes", "no"):
        errors["costed"] = "Choose whether the intervention has a cost"
    days = {}
    for key in DATE_KEYS:
        parts = {part: form.get(f"{key}-{part}", "").strip()[:8] for part in ("day", "month", "year")}
        typed[key] = parts
        days[key], problem = _date(parts, DATE_WORDS[key])
        if problem:
            errors[key] = problem
    if days["available_from"] and days["available_until"] and days["available_until"] < days["available_from"]:
        errors["available_until"] = "The last day it is offered must be the same as or after the first"
    if not typed["source"]:
        errors["source"] = "Enter the sentence of the council's document this intervention comes from"
    elif len(typed["source"]) > MAX_TEXT_LENGTH:
        errors["source"] = f"The source sentence may have at most {MAX_TEXT_LENGTH:,} characters"
        typed["source"] = typed["source"][:MAX_TEXT_LENGTH]
    if errors:
        return None, errors, typed
    return menu_editor.InterventionValues(typed["id"], typed["label"], typed["costed"] == "yes",
                                          days["available_from"], days["available_until"], typed["source"]), {}, typed


def _date(parts: dict, said: str) -> tuple[date | None, str | None]:
    """A GOV.UK date input's day, month and year: no date when all are empty."""
    if not any(parts.values()):
        return None, None
    missing = [part for part in ("day", "month", "year") if not parts[part]]
    if missing:
        return None, f"Enter the {' and '.join(missing)} of {said}, or leave all three empty"
    if not all(value.isdigit() for value in parts.values()) or len(parts["year"]) != 4:
        return None, f"Enter {said} as numbers, like 1 4 2026"
    try:
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"])), None
    except ValueError:
        return None, f"Enter a real date for {said}, like 1 4 2026"


def _intervention_page(opened: Opened, current, typed: dict, errors: dict | None = None):
    errors = errors or {}
    adding = current is None
    heading = "Add an intervention to the menu" if adding else f"Change the intervention {current.values.label}"
    action = (url_for(".add_intervention", council=opened.shown.id) if adding
              else url_for(".intervention", council=opened.shown.id, intervention_id=current.values.id))
    return render_template(
        "workspace/editing/tables_intervention.html", title=("Error: " if errors else "") + heading,
        stage="workspace_drafts.index", shown_council=opened.shown, opened=opened, heading=heading, current=current,
        typed=typed, errors=errors, action=action, revision=opened.revision(), error_list=_error_list(errors),
        offered=offered_words(opened, current) if current else None,
        back=url_for(".menu", council=opened.shown.id)), 400 if errors else 200
