"""Deadlines and duties without YAML (issue 11): both tables of the version file, each row with
its time in words; a row's page changes how long, in what unit, counted from what, met by what,
its calendar, title and source (hearth.engine.editing.obligations). Its views are routes of the
rule editors' blueprint (hearth.web.views.workspace.edit_rules), which registers them; what the
rule pages share is in hearth.web.views.workspace.rule_pages.
"""
from __future__ import annotations

from dataclasses import replace
from functools import partial

from flask import render_template, request, url_for

from hearth.engine.editing import obligations as obligation_editing
from hearth.engine.editing.rule_parts import UNIT_WORDS
from hearth.engine.editing.yaml_text import EditError, YamlText
from hearth.rules.durations import MAX_AMOUNT, Duration
from hearth.rules.limits import MAX_NAME_LENGTH

from ...auth import role_required
from . import rule_pages as pages
from .access import WORKSPACE_ROLES

SECTION_WORDS = {"deadlines": "deadline", "duties": "duty"}


def obligation_words(rules: pages.Rules, item: obligation_editing.Obligation) -> str:
    if not item.expressible:
        return "A due time this page cannot change: see the YAML editor."
    when = "Immediately" if item.duration.amount == 0 else f"{item.duration}"
    return f"{when} after: {rules.labels(item.starts)}. Met by: {rules.labels(item.met_by)}."


@role_required(*WORKSPACE_ROLES)
def deadlines(council: str):
    """The deadlines and the duties, two tables, each row with its time in words and a Change link."""
    shown, rules = pages.open_rules(council, "edit_deadlines", required=False)
    tables = []
    if rules is not None:
        for section in obligation_editing.SECTIONS:
            tables.append((section, pages.rows(
                rules, lambda document, section=section: obligation_editing.obligation_ids(document, section),
                lambda document, position, section=section: obligation_editing.read_obligation(
                    document, section, position),
                obligation_words)))
    return render_template("workspace/editing/rules_deadlines.html", title="Deadlines and duties",
                           **pages.common(rules, shown, tables=tables,
                                          revision=rules.editing.revision if rules else 0))


def _calendar_words(rules: pages.Rules) -> str:
    """The council's own working days, as council.yaml sets them (read-only here)."""
    nation = ""
    if "council.yaml" in rules.editing.files.glob("council.yaml"):
        try:
            nation = str(YamlText(rules.editing.files.text("council.yaml"), "council.yaml").value(("nation",), ""))
        except EditError:
            nation = ""
    place = nation.replace("_", " ").title().replace(" And ", " and ") if nation else "the council's nation"
    return f"Monday to Friday, less the bank holidays of {place} and the version's closed days"


def _obligation_page(rules: pages.Rules, item, errors: dict | None = None, status: int = 200):
    errors = errors or {}
    return render_template(
        "workspace/editing/rules_deadline.html",
        title=pages.titled(errors, f"Change the {SECTION_WORDS[item.section]}: {item.title or item.id}"),
        **pages.common(rules, rules.shown, item=item, kind=SECTION_WORDS[item.section], errors=errors,
                       posted=request.form if request.method == "POST" else None,
                       error_list=pages.error_list(errors, ("amount", "unit", "starts", "met_by", "calendar",
                                                            "title", "source")),
                       units=[(unit.value, UNIT_WORDS[unit]) for unit in pages.units(item.duration)],
                       calendars=obligation_editing.calendar_names(rules.document),
                       calendar_words=_calendar_words(rules), words=obligation_words(rules, item),
                       back=url_for(".deadlines", council=rules.shown.id),
                       revision=rules.editing.revision)), status


def _posted_obligation(rules: pages.Rules, current: obligation_editing.Obligation, errors: dict):
    """The posted values, or None with ``errors`` saying what to put right."""
    amount = pages.whole("amount", errors, f"Enter how long as a whole number from 0 to {MAX_AMOUNT}, like 5 "
                                           "(0 means immediately).", 0, MAX_AMOUNT)
    unit = pages.unit("unit", errors, pages.units(current.duration))
    starts = pages.chosen("starts", rules.event_order, errors, "Choose the event it is counted from.")
    met_by = pages.chosen("met_by", rules.event_order, errors, "Choose the event that meets it.")
    calendars = obligation_editing.calendar_names(rules.document)
    calendar = current.calendar
    if calendars:
        calendar = request.form.get("calendar", "")
        if calendar and calendar not in calendars:
            errors["calendar"] = "Choose one of the calendars shown."
    title = pages.text("title", errors, "a title", MAX_NAME_LENGTH, required=False)
    source = pages.text("source", errors, "the source sentence", pages.MAX_SOURCE_LENGTH, required=True)
    if errors:
        return None
    return replace(current, duration=Duration(amount, unit), starts=starts, met_by=met_by, calendar=calendar,
                   title=title, source=source)


@role_required(*WORKSPACE_ROLES)
def deadline(council: str, section: str, item_id: str):
    """One deadline or duty: how long, in what unit, counted from what, met by what, its calendar."""
    shown, rules = pages.open_rules(council, "edit_deadline", section=section[:20],
                                    item_id=item_id[:MAX_NAME_LENGTH])
    position = pages.located(obligation_editing.obligation_position(rules.document, section, item_id))
    current = obligation_editing.read_obligation(rules.document, section, position)
    return pages.edit(rules, current, partial(_obligation_page, rules, current),
                      partial(_posted_obligation, rules, current),
                      lambda document, values: obligation_editing.write_obligation(document, section, position,
                                                                                   values, rules.event_order),
                      back=url_for(".deadlines", council=shown.id), editor="deadlines",
                      what=f"the {SECTION_WORDS[section]} {item_id}")


@role_required(*WORKSPACE_ROLES)
def remove_deadline(council: str, section: str, item_id: str):
    """Remove a deadline or duty (shown first; lint names any recommendation that still asks about it)."""
    shown, rules = pages.open_rules(council, "remove_deadline")
    return pages.remove(rules, obligation_editing.obligation_position(rules.document, section, item_id),
                        lambda document, position: obligation_editing.remove_obligation(document, section,
                                                                                        position),
                        back=url_for(".deadlines", council=shown.id), editor="deadlines",
                        what=f"the {section} (removing {item_id})")
