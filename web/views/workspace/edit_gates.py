"""Gates without YAML (issue 11): every gate with what it holds back and what opens it, in
words; a gate's page changes the requests it holds back, what opens it (something happening, or
an approval), what may override it, its title and source (hearth.engine.editing.gates). Its
views are routes of the rule editors' blueprint (hearth.web.views.workspace.edit_rules), which
registers them; what the rule pages share is in hearth.web.views.workspace.rule_pages.
"""
from __future__ import annotations

from dataclasses import replace
from functools import partial

from flask import render_template, request, url_for

from hearth.engine.editing import gates as gate_editing
from hearth.engine.editing.rule_parts import action_choices
from hearth.rules.limits import MAX_NAME_LENGTH

from ...auth import role_required
from . import rule_pages as pages
from .access import WORKSPACE_ROLES


def gate_words(rules: pages.Rules, gate: gate_editing.Gate) -> str:
    if not gate.expressible:
        return "Conditions this page cannot change: see the YAML editor."
    holds = "; ".join(rules.action_label(action) for action in gate.actions)
    opens = ("until: " if gate.opened_by == gate_editing.BLOCKED_UNTIL else "until approved by: ")
    words = f"Holds back: {holds}. {opens.capitalize()}{rules.labels(gate.opening_events)}."
    if gate.overrides:
        words += f" Unless: {rules.labels(gate.overrides)}."
    return words


@role_required(*WORKSPACE_ROLES)
def gates(council: str):
    """Every gate: what it holds back and what opens it, in words, with a Change link."""
    shown, rules = pages.open_rules(council, "edit_gates", required=False)
    rows = pages.rows(rules, gate_editing.gate_ids, gate_editing.read_gate, gate_words)
    return render_template("workspace/editing/rules_gates.html", title="Gates: what must happen before a request",
                           **pages.common(rules, shown, rows=rows, revision=rules.editing.revision if rules else 0))


def _gate_page(rules: pages.Rules, gate_values, errors: dict | None = None, status: int = 200):
    errors = errors or {}
    return render_template(
        "workspace/editing/rules_gate.html",
        title=pages.titled(errors, f"Change the gate: {gate_values.title or gate_values.id}"),
        **pages.common(rules, rules.shown, gate=gate_values, errors=errors,
                       posted=request.form if request.method == "POST" else None,
                       error_list=pages.error_list(errors, ("actions", "opened_by", "opening_events", "overrides",
                                                            "title", "source")),
                       actions=action_choices(rules.vocabulary), words=gate_words(rules, gate_values),
                       back=url_for(".gates", council=rules.shown.id), revision=rules.editing.revision)), status


def _posted_gate(rules: pages.Rules, current: gate_editing.Gate, errors: dict):
    """The posted values, or None with ``errors`` saying what to put right."""
    actions = pages.chosen("actions", [action for action, _ in action_choices(rules.vocabulary)], errors,
                           "Choose at least one request the gate holds back.")
    opened_by = request.form.get("opened_by", "")
    if opened_by not in gate_editing.OPENERS:
        errors["opened_by"] = "Choose whether something must happen first or someone must approve."
    opening = pages.chosen("opening_events", rules.event_order, errors, "Choose the event that opens the gate.")
    overrides = pages.chosen("overrides", rules.event_order, errors, "", required=False)
    if opened_by == gate_editing.NEEDS_APPROVAL and overrides and "overrides" not in errors:
        errors["overrides"] = ("An approval cannot be overridden: untick every override, or choose that "
                               "something must happen first.")
    title = pages.text("title", errors, "a title", MAX_NAME_LENGTH, required=False)
    source = pages.text("source", errors, "the source sentence", pages.MAX_SOURCE_LENGTH, required=True)
    if errors:
        return None
    return replace(current, actions=actions, opened_by=opened_by, opening_events=opening, overrides=overrides,
                   title=title, source=source)


@role_required(*WORKSPACE_ROLES)
def gate(council: str, gate_id: str):
    """One gate: the requests it holds back, what opens it (something happening, or an approval),
    what may override it, its title and source."""
    shown, rules = pages.open_rules(council, "edit_gate", gate_id=gate_id[:MAX_NAME_LENGTH])
    position = pages.located(gate_editing.gate_position(rules.document, gate_id))
    current = gate_editing.read_gate(rules.document, position)
    return pages.edit(rules, current, partial(_gate_page, rules, current), partial(_posted_gate, rules, current),
                      lambda document, values: gate_editing.write_gate(
                          document, position, values, rules.event_order,
                          [action for action, _ in action_choices(rules.vocabulary)]),
                      back=url_for(".gates", council=shown.id), editor="gates", what=f"the gate {gate_id}")


@role_required(*WORKSPACE_ROLES)
def remove_gate(council: str, gate_id: str):
    """Remove a gate (shown first, like every change)."""
    shown, rules = pages.open_rules(council, "remove_gate")
    return pages.remove(rules, gate_editing.gate_position(rules.document, gate_id), gate_editing.remove_gate,
                        back=url_for(".gates", council=shown.id), editor="gates",
                        what=f"the gates (removing {gate_id})")
