"""Editors without YAML for the chair and invitee tables, the intervention menu (issue 11; see hearth.web.views.workspace.editing).

The chair and invitee tables are edited as decision tables: the listing page is the table, a
row per rule (the placement types it applies to, in words; its roles; its source), each with
Change, Move up, Move down and Remove. A row's page ticks placement types and roles from the
policy's own vocabulary and takes the source sentence. The intervention menu is a table of its
own, each intervention's page its label, cost, the days it is offered and its source: its
pages are in hearth.web.views.workspace.edit_menu, routes of this blueprint; what both share is
in hearth.web.views.workspace.table_pages.

Every change, a move or a removal included, goes through ``check_and_save``: shown in words and
line by line first, then saved with the revision it was made on. The values an officer typed
are checked here, each mistake on its field (400, what was typed kept); the file's text is
changed only by hearth.engine.editing.tables and .menu, which leave what a page does not show
as it was written. A row or intervention the page cannot show is read-only, with the way into
the YAML editor.
"""
from __future__ import annotations

import json

from flask import Blueprint, abort, render_template, request, url_for

from hearth.engine.editing import tables as table_editor
from hearth.engine.editing.tables import EVERY, EXCEPT, ONLY, Placements, RowValues
from hearth.engine.editing.yaml_text import EditError
from hearth.engine.policy_words import either
from hearth.rules.limits import MAX_NAME_LENGTH, MAX_TEXT_LENGTH

from ...audit import audit
from ...auth import role_required
from ...models import AuditAction
from . import edit_menu
from .access import PREFIX, WORKSPACE_ROLES
from .editing import OBJECT
from .table_pages import DIRECTIONS, Opened, error_list, items, refuse_input, unwritable

bp = Blueprint("workspace_edit_tables", __name__, url_prefix=PREFIX + "/change")

# The intervention menu's pages (hearth.web.views.workspace.edit_menu), routes of this blueprint.
bp.add_url_rule("/menu", view_func=edit_menu.menu, methods=["GET"])
bp.add_url_rule("/menu/new", view_func=edit_menu.add_intervention, methods=["GET", "POST"])
bp.add_url_rule("/menu/item/<intervention_id>", view_func=edit_menu.intervention, methods=["GET", "POST"])
bp.add_url_rule("/menu/item/<intervention_id>/remove", view_func=edit_menu.remove_intervention, methods=["POST"])
bp.add_url_rule("/menu/item/<intervention_id>/move", view_func=edit_menu.move_intervention, methods=["POST"])

TITLES = {"chair": "Who chairs, by placement type", "invitees": "Who is invited, by placement type"}
SAID = {"chair": "who chairs", "invitees": "who is invited"}
ROW_ENDPOINTS = {"chair": ".chair_row", "invitees": ".invitee_row"}
ROLE_LEGENDS = {"options": "Who may chair", "required": "Who must be invited", "consider": "Who to consider inviting"}


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
        refuse_input(opened.shown)
        return _row_page(opened, section, current, typed, errors)
    try:
        table_editor.write_row(opened.document, section, index, values, opened.vocabulary)
    except EditError as error:
        refuse_input(opened.shown)
        return _row_page(opened, section, current, typed, {"form": unwritable(error)})
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
        refuse_input(opened.shown)
        return _row_page(opened, section, None, typed, errors)
    try:
        table_editor.add_row(opened.document, section, values)
    except EditError as error:
        refuse_input(opened.shown)
        return _row_page(opened, section, None, typed, {"form": unwritable(error)})
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
        role_keys=table_editor.ROLE_KEYS[section], legends=ROLE_LEGENDS, error_list=error_list(errors),
        placement_items=items(opened.placement_types, typed["placement_types"]),
        role_items={key: items(opened.roles, typed[key]) for key in table_editor.ROLE_KEYS[section]},
        words=(placements_words(opened, current), roles_words(opened, current)) if current else None,
        back=url_for(f".{section}", council=opened.shown.id)), 400 if errors else 200


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
        refuse_input(opened.shown)
        return _table(council, section, error=f"Row {index + 1} cannot move {direction or 'there'}: "
                                              "nothing was changed. Use Move up or Move down on a row that has a row "
                                              "above or below it.")
    return opened.save(back=url_for(f".{section}", council=opened.shown.id), editor=section,
                       what=f"{SAID[section]}: moving row {index + 1} {direction}")


