"""Editors without YAML for triggers, deadlines and duties, gates (issue 11); this module holds
the blueprint and the trigger pages.

Each rule of the latest version file gets a plain GOV.UK page of the values a procedure's
sentence carries: a trigger's events, how many and within how long; a deadline's length, unit,
starting and meeting events and calendar (hearth.web.views.workspace.edit_obligations); a
gate's requests, what opens it and what overrides it (edit_gates); each with its title and
source sentence. Those two modules' views are routes of this blueprint, registered here, so
every endpoint is ``workspace_edit_rules.<view>``. The page posts those values; the engine part
(hearth.engine.editing.triggers, obligations, gates) writes only the keys they change, and
every post ends in hearth.web.views.workspace.editing.check_and_save (through
hearth.web.views.workspace.rule_pages), which shows the change in words and line by line
before anything is saved. What a page cannot express is kept as written and named on the page;
a rule whose shape it cannot express at all is shown read-only with a link to the YAML editor.
Event and action choices come from the version's own vocabulary (in words), never from lists
in Python.
"""
from __future__ import annotations

from dataclasses import replace
from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for

from hearth.engine.editing import triggers as trigger_editing
from hearth.engine.editing.rule_parts import UNIT_WORDS
from hearth.engine.editing.yaml_text import EditError
from hearth.rules.durations import MAX_AMOUNT, Duration
from hearth.rules.limits import MAX_NAME_LENGTH

from ...auth import role_required
from . import edit_gates, edit_obligations
from . import rule_pages as pages
from .access import PREFIX, WORKSPACE_ROLES
from .editing import check_and_save, without_revision

bp = Blueprint("workspace_edit_rules", __name__, url_prefix=PREFIX + "/change")

# Deadlines and duties (hearth.web.views.workspace.edit_obligations), routes of this blueprint.
bp.add_url_rule("/deadlines", view_func=edit_obligations.deadlines, methods=["GET"])
bp.add_url_rule("/deadlines/<section>/<item_id>", view_func=edit_obligations.deadline, methods=["GET", "POST"])
bp.add_url_rule("/deadlines/<section>/<item_id>/remove", view_func=edit_obligations.remove_deadline,
                methods=["POST"])
# Gates (hearth.web.views.workspace.edit_gates), routes of this blueprint.
bp.add_url_rule("/gates", view_func=edit_gates.gates, methods=["GET"])
bp.add_url_rule("/gates/<gate_id>", view_func=edit_gates.gate, methods=["GET", "POST"])
bp.add_url_rule("/gates/<gate_id>/remove", view_func=edit_gates.remove_gate, methods=["POST"])

MAX_COUNT = 100             # "at least N events": more than a hundred is a typo, not a procedure


def trigger_words(rules: pages.Rules, trigger: trigger_editing.Trigger) -> str:
    """What calls for a meeting, in words, for the listing and the page."""
    if not trigger.expressible:
        return "A condition this page cannot change: see the YAML editor."
    if trigger.kind == trigger_editing.EVENT:
        return f"When: {rules.labels(trigger.events)}."
    return (f"At least {trigger.at_least} of these within {trigger.within}: "
            f"{rules.labels(trigger.events, '; ')}.")


@bp.get("/triggers")
@role_required(*WORKSPACE_ROLES)
def triggers(council: str):
    """Every trigger of the version, each with what calls for it in words and a Change link."""
    shown, rules = pages.open_rules(council, "edit_triggers", required=False)
    rows = pages.rows(rules, trigger_editing.trigger_ids, trigger_editing.read_trigger, trigger_words)
    return render_template("workspace/editing/rules_triggers.html", title="Triggers: what calls for a meeting",
                           **pages.common(rules, shown, rows=rows,
                                          revision=rules.editing.revision if rules else 0))


def _trigger_page(rules: pages.Rules, trigger, *, adding: bool, errors: dict | None = None, status: int = 200):
    errors = errors or {}
    values = request.form if request.method == "POST" else None
    current = trigger.within if trigger is not None else None
    return render_template(
        "workspace/editing/rules_trigger.html",
        title=pages.titled(errors, "Add a trigger" if adding
                           else f"Change the trigger: {trigger.title or trigger.id}"),
        **pages.common(rules, rules.shown, trigger=trigger, adding=adding, errors=errors, posted=values,
                       error_list=pages.error_list(errors, ("id", "kind", "events", "at_least", "within_amount",
                                                            "within_unit", "title", "source")),
                       units=[(unit.value, UNIT_WORDS[unit]) for unit in pages.units(current)],
                       words=trigger_words(rules, trigger) if trigger is not None and not adding else "",
                       back=url_for(".triggers", council=rules.shown.id),
                       revision=rules.editing.revision)), status


def _posted_trigger(rules: pages.Rules, base: trigger_editing.Trigger, errors: dict) -> trigger_editing.Trigger:
    kind = request.form.get("kind", "")
    if kind not in (trigger_editing.EVENT, trigger_editing.COUNT):
        errors["kind"] = "Choose one event, or a number of events within a period."
    events = pages.chosen("events", rules.event_order, errors, "Choose at least one event.")
    at_least = within = None
    if kind == trigger_editing.COUNT:
        at_least = pages.whole("at_least", errors, f"Enter how many events as a whole number from 1 to "
                                                   f"{MAX_COUNT}, like 3.", 1, MAX_COUNT)
        amount = pages.whole("within_amount", errors, f"Enter the period as a whole number from 1 to "
                                                      f"{MAX_AMOUNT}, like 28.", 1, MAX_AMOUNT)
        unit = pages.unit("within_unit", errors, pages.units(base.within))
        within = Duration(amount, unit) if amount is not None and unit is not None else None
    title = pages.text("title", errors, "a title", MAX_NAME_LENGTH, required=False)
    source = pages.text("source", errors, "the source sentence", pages.MAX_SOURCE_LENGTH, required=True)
    return replace(base, kind=kind, events=events, at_least=at_least, within=within, title=title, source=source)


@bp.route("/triggers/<trigger_id>", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def trigger(council: str, trigger_id: str):
    """One trigger: one event, or a number of events within a period; its title and source."""
    shown, rules = pages.open_rules(council, "edit_trigger", trigger_id=trigger_id[:MAX_NAME_LENGTH])
    position = pages.located(trigger_editing.trigger_position(rules.document, trigger_id))
    current = trigger_editing.read_trigger(rules.document, position)
    return pages.edit(rules, current, partial(_trigger_page, rules, current, adding=False),
                      partial(_posted_trigger, rules, current),
                      lambda document, values: trigger_editing.write_trigger(document, position, values,
                                                                             rules.event_order),
                      back=url_for(".triggers", council=shown.id), editor="triggers",
                      what=f"the trigger {trigger_id}")


@bp.route("/new-trigger", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def add_trigger(council: str):
    """A new trigger at the end of the list: its id, title, event or events, and source."""
    shown, rules = pages.open_rules(council, "add_trigger")
    blank = trigger_editing.Trigger("", "", trigger_editing.EVENT, (), None, None, "")
    page = partial(_trigger_page, rules, blank, adding=True)
    if request.method == "GET":
        return page()
    if unposted := without_revision(request.path):
        return unposted
    errors: dict = {}
    new_id = request.form.get("id", "").strip()
    if not trigger_editing.ID_PATTERN.match(new_id) or len(new_id) > MAX_NAME_LENGTH:
        errors["id"] = ("Enter an id of lower-case letters, digits and hyphens, starting with a letter or digit, "
                        "like repeated-missing.")
    elif new_id in trigger_editing.trigger_ids(rules.document):
        errors["id"] = f"There is already a trigger '{new_id}': choose another id."
    values = replace(_posted_trigger(rules, blank, errors), id=new_id)
    if errors:
        return page(errors=errors, status=400)
    return pages.save(rules, lambda document: trigger_editing.add_trigger(document, values, rules.event_order),
                      page, back=url_for(".triggers", council=shown.id), editor="triggers",
                      what=f"the new trigger {new_id}")


@bp.post("/triggers/<trigger_id>/remove")
@role_required(*WORKSPACE_ROLES)
def remove_trigger(council: str, trigger_id: str):
    """Remove a trigger (shown first, like every change; lint names any rule that still mentions it)."""
    shown, rules = pages.open_rules(council, "remove_trigger", trigger_id=trigger_id[:MAX_NAME_LENGTH])
    return pages.remove(rules, trigger_editing.trigger_position(rules.document, trigger_id),
                        trigger_editing.remove_trigger, back=url_for(".triggers", council=shown.id),
                        editor="triggers", what=f"the triggers (removing {trigger_id})")


@bp.post("/triggers/<trigger_id>/move")
@role_required(*WORKSPACE_ROLES)
def move_trigger(council: str, trigger_id: str):
    """Move a trigger up or down the list (shown first, like every change)."""
    shown, rules = pages.open_rules(council, "move_trigger")
    position = pages.located(trigger_editing.trigger_position(rules.document, trigger_id))
    back = url_for(".triggers", council=shown.id)
    if unposted := without_revision(back):
        return unposted
    direction = request.form.get("direction", "")
    try:
        trigger_editing.move_trigger(rules.document, position, direction)
    except EditError:
        flash(f"Nothing was changed: the trigger {trigger_id} cannot move {direction[:10] or 'there'}. Use Move up "
              "or Move down on a trigger that has one above or below it.")
        return redirect(back)
    return check_and_save(shown, rules.editing, path=rules.path, new_text=rules.document.text, back=back,
                          editor="triggers", what=f"the triggers (moving {trigger_id} {direction})")
