"""The intervention menu without YAML (issue 11): the menu as a table, each intervention with its
cost, when it is offered and its source; an intervention's page changes its name, cost, the
days it is offered and its source (hearth.engine.editing.menu). Its views are routes of the
table editors' blueprint (hearth.web.views.workspace.edit_tables), which registers them.
"""
from __future__ import annotations

from datetime import date

from flask import abort, render_template, request, url_for

from hearth.engine.editing import menu as menu_editor
from hearth.engine.editing.yaml_text import EditError
from hearth.rules.limits import MAX_NAME_LENGTH, MAX_TEXT_LENGTH

from ...audit import audit
from ...auth import role_required
from ...models import AuditAction
from .access import WORKSPACE_ROLES
from .editing import OBJECT
from .table_pages import DATE_KEYS, DIRECTIONS, Opened, error_list, refuse_input, unwritable


def offered_words(opened: Opened, item) -> list[str]:
    """When an intervention is offered, in words: its days, and its condition if it has one."""
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


def _opened_intervention(council: str, intervention_id: str):
    """The workspace opened and the intervention ``intervention_id`` read from it (404 if none)."""
    opened = Opened(council)
    current = menu_editor.read_intervention(opened.document, intervention_id)
    if current is None:
        abort(404)
    return opened, current


def _save(opened: Opened, what: str):
    """Every menu change ends here: shown on the check page, back to the menu after."""
    return opened.save(back=url_for(".menu", council=opened.shown.id), editor="interventions", what=what)


@role_required(*WORKSPACE_ROLES)
def intervention(council: str, intervention_id: str):
    opened, current = _opened_intervention(council, intervention_id)
    if request.method == "GET" or not current.editable:
        audit(AuditAction.VIEWED, OBJECT, opened.shown.id, {"page": "intervention", "intervention": intervention_id})
        return _intervention_page(opened, current, _typed_intervention(current.values))
    values, errors, typed = _posted_intervention(opened, intervention_id)
    if errors:
        refuse_input(opened.shown)
        return _intervention_page(opened, current, typed, errors)
    try:
        menu_editor.write_intervention(opened.document, intervention_id, values)
    except EditError as error:
        refuse_input(opened.shown)
        return _intervention_page(opened, current, typed, {"form": unwritable(error)})
    return _save(opened, f"the intervention {current.values.label}")


@role_required(*WORKSPACE_ROLES)
def add_intervention(council: str):
    opened = Opened(council)
    if request.method == "GET":
        audit(AuditAction.VIEWED, OBJECT, opened.shown.id, {"page": "new_intervention"})
        return _intervention_page(opened, None, _typed_intervention(None))
    values, errors, typed = _posted_intervention(opened, None)
    if errors:
        refuse_input(opened.shown)
        return _intervention_page(opened, None, typed, errors)
    try:
        menu_editor.add_intervention(opened.document, values)
    except EditError as error:
        refuse_input(opened.shown)
        return _intervention_page(opened, None, typed, {"form": unwritable(error)})
    return _save(opened, f"the menu: adding {values.label}")


@role_required(*WORKSPACE_ROLES)
def remove_intervention(council: str, intervention_id: str):
    opened, current = _opened_intervention(council, intervention_id)
    menu_editor.remove_intervention(opened.document, intervention_id)
    return _save(opened, f"the menu: removing {current.values.label}")


@role_required(*WORKSPACE_ROLES)
def move_intervention(council: str, intervention_id: str):
    opened, current = _opened_intervention(council, intervention_id)
    direction = request.form.get("direction", "")
    try:
        if direction not in DIRECTIONS:
            raise EditError("Choose Move up or Move down")
        menu_editor.move_intervention(opened.document, intervention_id, direction)
    except EditError:
        refuse_input(opened.shown)
        return _menu(council, error=f"{current.values.label} cannot move {direction or 'there'}: nothing was changed.")
    return _save(opened, f"the menu: moving {current.values.label} {direction}")


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
        typed=typed, errors=errors, action=action, revision=opened.revision(), error_list=error_list(errors),
        offered=offered_words(opened, current) if current else None,
        back=url_for(".menu", council=opened.shown.id)), 400 if errors else 200
