"""Editors without YAML for triggers, deadlines and duties, gates (issue 11).

Each rule of the latest version file gets a plain GOV.UK page of the values a procedure's
sentence carries: a trigger's events, how many and within how long; a deadline's length, unit,
starting and meeting events and calendar; a gate's requests, what opens it and what overrides
it; each with its title and source sentence. The page posts those values; the engine part
(hearth.engine.editing.triggers, obligations, gates) writes only the keys they change, and
every post ends in hearth.web.views.workspace.editing.check_and_save, which shows the change in
words and line by line before anything is saved. What a page cannot express is kept as written
and named on the page; a rule whose shape it cannot express at all is shown read-only with a
link to the YAML editor. Event and action choices come from the version's own vocabulary (in
words), never from lists in Python.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from hearth.engine.editing import gates as gate_editing
from hearth.engine.editing import obligations as obligation_editing
from hearth.engine.editing import triggers as trigger_editing
from hearth.engine.editing.rule_parts import (UNIT_WORDS, UNITS, action_choices, event_choices,
                                              version_vocabulary)
from hearth.engine.editing.yaml_text import EditError, YamlText
from hearth.engine.vocabulary import Vocabulary
from hearth.rules.durations import MAX_AMOUNT, Duration, Unit
from hearth.rules.limits import MAX_NAME_LENGTH, text_problem

from ...audit import audit
from ...auth import role_required
from ...models import AuditAction
from .access import PREFIX, WORKSPACE_ROLES, workspace_council
from .editing import OBJECT, Editable, check_and_save, editable, version_path, without_revision

bp = Blueprint("workspace_edit_rules", __name__, url_prefix=PREFIX + "/change")

MAX_SOURCE_LENGTH = 2_000   # a source is one sentence of the document; the longest shipped is under 300
MAX_COUNT = 100             # "at least N events": more than a hundred is a typo, not a procedure
SECTION_WORDS = {"deadlines": "deadline", "duties": "duty"}


@dataclass(frozen=True)
class Rules:
    """What every page of these editors works on: the council, its workspace files, the version
    file the editors change, that file's text and its vocabulary."""

    shown: object
    editing: Editable
    path: str
    document: YamlText
    vocabulary: Vocabulary

    @property
    def events(self) -> tuple:
        return event_choices(self.vocabulary)

    @property
    def event_order(self) -> tuple:
        return tuple(event_id for event_id, _ in self.events)

    def label(self, event_id: str) -> str:
        event = self.vocabulary.event_types.get(event_id)
        return event.label if event is not None else event_id

    def labels(self, event_ids, joiner: str = " or ") -> str:
        return joiner.join(self.label(event_id) for event_id in event_ids)

    def action_label(self, action: str) -> str:
        return self.vocabulary.actions.get(action, {}).get("label", action)


def _rules(council: str, page: str, required: bool = True, **detail) -> tuple[object, Rules | None]:
    """The signed-in officer's council and its rules (404 for another council's; ``required``
    pages are a 404 too when nothing is published yet, and go to the YAML editor when the
    version file is not YAML), the page view audited."""
    shown = workspace_council(council)
    editing = editable(shown.id)
    path = version_path(editing.files) if editing is not None else None
    if request.method == "GET":
        audit(AuditAction.VIEWED, OBJECT, shown.id, {"page": page, **detail})
    if path is None:
        if required:
            abort(404)
        return shown, None
    try:
        document = editing.document(path)
    except EditError:
        if required:   # a version file that is not YAML: only the YAML editor can mend it
            flash(f"{path} is not YAML these pages can read: correct it in the YAML editor first.")
            abort(redirect(url_for("workspace_drafts.edit", council=shown.id, path=path)))
        return shown, None
    return shown, Rules(shown, editing, path, document, version_vocabulary(document))


def _yaml_link(rules: Rules) -> str:
    return url_for("workspace_drafts.edit", council=rules.shown.id, path=rules.path)


def _common(rules: Rules | None, shown, **extra) -> dict:
    return dict(shown_council=shown, stage="workspace_drafts.index", rules=rules,
                yaml_link=_yaml_link(rules) if rules else None,
                index_link=url_for("workspace_editing.index", council=shown.id), **extra)


# ---------------------------------------------------------------- reading the form
def _whole(name: str, errors: dict, message: str, least: int, most: int) -> int | None:
    raw = request.form.get(name, "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 6 and least <= int(raw) <= most:
        return int(raw)
    errors[name] = message
    return None


def _chosen(name: str, allowed, errors: dict, message: str, required: bool = True) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(request.form.getlist(name)))
    allowed = set(allowed)
    if any(value not in allowed for value in chosen):
        errors[name] = "Choose from the list shown."
        return ()
    if required and not chosen:
        errors[name] = message
    return chosen


def _text(name: str, errors: dict, what: str, most: int, required: bool) -> str:
    value = " ".join(line.strip() for line in request.form.get(name, "").strip().splitlines())
    problem = text_problem(value, most)
    if required and not value:
        errors[name] = f"Enter {what}."
    elif problem:
        errors[name] = f"{what[0].upper()}{what[1:]} cannot be saved: {problem}."
    return value


def _unit(name: str, errors: dict, offered) -> Unit | None:
    value = request.form.get(name, "")
    for unit in offered:
        if unit.value == value:
            return unit
    errors[name] = "Choose working days, days, weeks or months."
    return None


def _units(current: Duration | None) -> tuple:
    """The units offered: the four a procedure uses, and the rule's own if it is another (hours)."""
    return UNITS + ((current.unit,) if current is not None and current.unit not in UNITS else ())


def _titled(errors: dict, title: str) -> str:
    """A page's title, "Error: " first when it shows mistakes (so a screen reader hears it first)."""
    return f"Error: {title}" if errors else title


def _error_list(errors: dict, order) -> list[dict]:
    """The error summary's links, field by field; "form" is a change the file could not take."""
    return [{"text": errors[name], "href": f"#{name}" if name != "form" else "#rule-form"}
            for name in ("form", *order) if name in errors]


# ---------------------------------------------------------------- triggers
def trigger_words(rules: Rules, trigger: trigger_editing.Trigger) -> str:
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
    shown, rules = _rules(council, "edit_triggers", required=False)
    rows = []
    if rules is not None:
        for position, trigger_id in enumerate(trigger_editing.trigger_ids(rules.document)):
            trigger = trigger_editing.read_trigger(rules.document, position)
            rows.append((trigger, trigger_words(rules, trigger)))
    return render_template("workspace/editing/rules_triggers.html", title="Triggers: what calls for a meeting",
                           **_common(rules, shown, rows=rows,
                                     revision=rules.editing.revision if rules else 0))


def _trigger_page(rules: Rules, trigger, *, adding: bool, errors: dict | None = None, status: int = 200):
    errors = errors or {}
    values = request.form if request.method == "POST" else None
    current = trigger.within if trigger is not None else None
    return render_template(
        "workspace/editing/rules_trigger.html",
        title=_titled(errors, "Add a trigger" if adding else f"Change the trigger: {trigger.title or trigger.id}"),
        **_common(rules, rules.shown, trigger=trigger, adding=adding, errors=errors, posted=values,
                  error_list=_error_list(errors, ("id", "kind", "events", "at_least", "within_amount",
                                                  "within_unit", "title", "source")),
                  units=[(unit.value, UNIT_WORDS[unit]) for unit in _units(current)],
                  words=trigger_words(rules, trigger) if trigger is not None and not adding else "",
                  back=url_for(".triggers", council=rules.shown.id),
                  revision=rules.editing.revision)), status


def _posted_trigger(rules: Rules, base: trigger_editing.Trigger, errors: dict) -> trigger_editing.Trigger:
    kind = request.form.get("kind", "")
    if kind not in (trigger_editing.EVENT, trigger_editing.COUNT):
        errors["kind"] = "Choose one event, or a number of events within a period."
    events = _chosen("events", rules.event_order, errors, "Choose at least one event.")
    at_least = within = None
    if kind == trigger_editing.COUNT:
        at_least = _whole("at_least", errors, f"Enter how many events as a whole number from 1 to {MAX_COUNT}, "
                                              "like 3.", 1, MAX_COUNT)
        amount = _whole("within_amount", errors, f"Enter the period as a whole number from 1 to {MAX_AMOUNT}, "
                                                 "like 28.", 1, MAX_AMOUNT)
        unit = _unit("within_unit", errors, _units(base.within))
        within = Duration(amount, unit) if amount is not None and unit is not None else None
    title = _text("title", errors, "a title", MAX_NAME_LENGTH, required=False)
    source = _text("source", errors, "the source sentence", MAX_SOURCE_LENGTH, required=True)
    return replace(base, kind=kind, events=events, at_least=at_least, within=within, title=title, source=source)


@bp.route("/triggers/<trigger_id>", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def trigger(council: str, trigger_id: str):
    """One trigger: one event, or a number of events within a period; its title and source."""
    shown, rules = _rules(council, "edit_trigger", trigger_id=trigger_id[:MAX_NAME_LENGTH])
    position = trigger_editing.trigger_position(rules.document, trigger_id)
    if position is None:
        abort(404)
    current = trigger_editing.read_trigger(rules.document, position)
    if request.method == "POST" and (unposted := without_revision(request.path)):
        return unposted
    if request.method == "GET" or not current.expressible:
        return _trigger_page(rules, current, adding=False, status=200 if request.method == "GET" else 400)
    errors: dict = {}
    values = _posted_trigger(rules, current, errors)
    if errors:
        return _trigger_page(rules, current, adding=False, errors=errors, status=400)
    document = rules.document   # read for this request alone: written in place
    try:
        trigger_editing.write_trigger(document, position, values, rules.event_order)
    except EditError as error:
        return _trigger_page(rules, current, adding=False, errors={"form": str(error)}, status=400)
    return check_and_save(shown, rules.editing, path=rules.path, new_text=document.text,
                          back=url_for(".triggers", council=shown.id), editor="triggers",
                          what=f"the trigger {trigger_id}")


@bp.route("/new-trigger", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def add_trigger(council: str):
    """A new trigger at the end of the list: its id, title, event or events, and source."""
    shown, rules = _rules(council, "add_trigger")
    blank = trigger_editing.Trigger("", "", trigger_editing.EVENT, (), None, None, "")
    if request.method == "GET":
        return _trigger_page(rules, blank, adding=True)
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
        return _trigger_page(rules, blank, adding=True, errors=errors, status=400)
    document = rules.document   # read for this request alone: written in place
    try:
        trigger_editing.add_trigger(document, values, rules.event_order)
    except EditError as error:
        return _trigger_page(rules, blank, adding=True, errors={"form": str(error)}, status=400)
    return check_and_save(shown, rules.editing, path=rules.path, new_text=document.text,
                          back=url_for(".triggers", council=shown.id), editor="triggers",
                          what=f"the new trigger {new_id}")


@bp.post("/triggers/<trigger_id>/remove")
@role_required(*WORKSPACE_ROLES)
def remove_trigger(council: str, trigger_id: str):
    """Remove a trigger (shown first, like every change; lint names any rule that still mentions it)."""
    shown, rules = _rules(council, "remove_trigger", trigger_id=trigger_id[:MAX_NAME_LENGTH])
    position = trigger_editing.trigger_position(rules.document, trigger_id)
    if position is None:
        abort(404)
    if unposted := without_revision(url_for(".triggers", council=shown.id)):
        return unposted
    document = rules.document   # read for this request alone: written in place
    trigger_editing.remove_trigger(document, position)
    return check_and_save(shown, rules.editing, path=rules.path, new_text=document.text,
                          back=url_for(".triggers", council=shown.id), editor="triggers",
                          what=f"the triggers (removing {trigger_id})")


@bp.post("/triggers/<trigger_id>/move")
@role_required(*WORKSPACE_ROLES)
def move_trigger(council: str, trigger_id: str):
    """Move a trigger up or down the list (shown first, like every change)."""
    shown, rules = _rules(council, "move_trigger")
    position = trigger_editing.trigger_position(rules.document, trigger_id)
    if position is None:
        abort(404)
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


# ---------------------------------------------------------------- deadlines and duties
def obligation_words(rules: Rules, item: obligation_editing.Obligation) -> str:
    if not item.expressible:
        return "A due time this page cannot change: see the YAML editor."
    when = "Immediately" if item.duration.amount == 0 else f"{item.duration}"
    return f"{when} after: {rules.labels(item.starts)}. Met by: {rules.labels(item.met_by)}."


@bp.get("/deadlines")
@role_required(*WORKSPACE_ROLES)
def deadlines(council: str):
    """The deadlines and the duties, two tables, each row with its time in words and a Change link."""
    shown, rules = _rules(council, "edit_deadlines", required=False)
    tables = []
    if rules is not None:
        for section in obligation_editing.SECTIONS:
            rows = []
            for position, _ in enumerate(obligation_editing.obligation_ids(rules.document, section)):
                item = obligation_editing.read_obligation(rules.document, section, position)
                rows.append((item, obligation_words(rules, item)))
            tables.append((section, rows))
    return render_template("workspace/editing/rules_deadlines.html", title="Deadlines and duties",
                           **_common(rules, shown, tables=tables, revision=rules.editing.revision if rules else 0))


def _calendar_words(rules: Rules) -> str:
    """The council's own working days, as council.yaml sets them (read-only here)."""
    nation = ""
    if "council.yaml" in rules.editing.files.glob("council.yaml"):
        try:
            nation = str(YamlText(rules.editing.files.text("council.yaml"), "council.yaml").value(("nation",), ""))
        except EditError:
            nation = ""
    place = nation.replace("_", " ").title().replace(" And ", " and ") if nation else "the council's nation"
    return f"Monday to Friday, less the bank holidays of {place} and the version's closed days"


def _obligation_page(rules: Rules, item, errors: dict | None = None, status: int = 200):
    errors = errors or {}
    return render_template(
        "workspace/editing/rules_deadline.html",
        title=_titled(errors, f"Change the {SECTION_WORDS[item.section]}: {item.title or item.id}"),
        **_common(rules, rules.shown, item=item, kind=SECTION_WORDS[item.section], errors=errors,
                  posted=request.form if request.method == "POST" else None,
                  error_list=_error_list(errors, ("amount", "unit", "starts", "met_by", "calendar", "title",
                                                  "source")),
                  units=[(unit.value, UNIT_WORDS[unit]) for unit in _units(item.duration)],
                  calendars=obligation_editing.calendar_names(rules.document),
                  calendar_words=_calendar_words(rules), words=obligation_words(rules, item),
                  back=url_for(".deadlines", council=rules.shown.id),
                  revision=rules.editing.revision)), status


@bp.route("/deadlines/<section>/<item_id>", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def deadline(council: str, section: str, item_id: str):
    """One deadline or duty: how long, in what unit, counted from what, met by what, its calendar."""
    shown, rules = _rules(council, "edit_deadline", section=section[:20], item_id=item_id[:MAX_NAME_LENGTH])
    position = obligation_editing.obligation_position(rules.document, section, item_id)
    if position is None:
        abort(404)
    current = obligation_editing.read_obligation(rules.document, section, position)
    if request.method == "POST" and (unposted := without_revision(request.path)):
        return unposted
    if request.method == "GET" or not current.expressible:
        return _obligation_page(rules, current, status=200 if request.method == "GET" else 400)
    errors: dict = {}
    amount = _whole("amount", errors, f"Enter how long as a whole number from 0 to {MAX_AMOUNT}, like 5 "
                                      "(0 means immediately).", 0, MAX_AMOUNT)
    unit = _unit("unit", errors, _units(current.duration))
    starts = _chosen("starts", rules.event_order, errors, "Choose the event it is counted from.")
    met_by = _chosen("met_by", rules.event_order, errors, "Choose the event that meets it.")
    calendars = obligation_editing.calendar_names(rules.document)
    calendar = current.calendar
    if calendars:
        calendar = request.form.get("calendar", "")
        if calendar and calendar not in calendars:
            errors["calendar"] = "Choose one of the calendars shown."
    title = _text("title", errors, "a title", MAX_NAME_LENGTH, required=False)
    source = _text("source", errors, "the source sentence", MAX_SOURCE_LENGTH, required=True)
    if errors:
        return _obligation_page(rules, current, errors, 400)
    values = replace(current, duration=Duration(amount, unit), starts=starts, met_by=met_by, calendar=calendar,
                     title=title, source=source)
    document = rules.document   # read for this request alone: written in place
    try:
        obligation_editing.write_obligation(document, section, position, values, rules.event_order)
    except EditError as error:
        return _obligation_page(rules, current, {"form": str(error)}, 400)
    return check_and_save(shown, rules.editing, path=rules.path, new_text=document.text,
                          back=url_for(".deadlines", council=shown.id), editor="deadlines",
                          what=f"the {SECTION_WORDS[section]} {item_id}")


@bp.post("/deadlines/<section>/<item_id>/remove")
@role_required(*WORKSPACE_ROLES)
def remove_deadline(council: str, section: str, item_id: str):
    """Remove a deadline or duty (shown first; lint names any recommendation that still asks about it)."""
    shown, rules = _rules(council, "remove_deadline")
    position = obligation_editing.obligation_position(rules.document, section, item_id)
    if position is None:
        abort(404)
    if unposted := without_revision(url_for(".deadlines", council=shown.id)):
        return unposted
    document = rules.document   # read for this request alone: written in place
    obligation_editing.remove_obligation(document, section, position)
    return check_and_save(shown, rules.editing, path=rules.path, new_text=document.text,
                          back=url_for(".deadlines", council=shown.id), editor="deadlines",
                          what=f"the {section} (removing {item_id})")


# ---------------------------------------------------------------- gates
def gate_words(rules: Rules, gate: gate_editing.Gate) -> str:
    if not gate.expressible:
        return "Conditions this page cannot change: see the YAML editor."
    holds = "; ".join(rules.action_label(action) for action in gate.actions)
    opens = ("until: " if gate.opened_by == gate_editing.BLOCKED_UNTIL else "until approved by: ")
    words = f"Holds back: {holds}. {opens.capitalize()}{rules.labels(gate.opening_events)}."
    if gate.overrides:
        words += f" Unless: {rules.labels(gate.overrides)}."
    return words


@bp.get("/gates")
@role_required(*WORKSPACE_ROLES)
def gates(council: str):
    """Every gate: what it holds back and what opens it, in words, with a Change link."""
    shown, rules = _rules(council, "edit_gates", required=False)
    rows = []
    if rules is not None:
        for position, _ in enumerate(gate_editing.gate_ids(rules.document)):
            gate_values = gate_editing.read_gate(rules.document, position)
            rows.append((gate_values, gate_words(rules, gate_values)))
    return render_template("workspace/editing/rules_gates.html", title="Gates: what must happen before a request",
                           **_common(rules, shown, rows=rows, revision=rules.editing.revision if rules else 0))


def _gate_page(rules: Rules, gate_values, errors: dict | None = None, status: int = 200):
    errors = errors or {}
    return render_template(
        "workspace/editing/rules_gate.html",
        title=_titled(errors, f"Change the gate: {gate_values.title or gate_values.id}"),
        **_common(rules, rules.shown, gate=gate_values, errors=errors,
                  posted=request.form if request.method == "POST" else None,
                  error_list=_error_list(errors, ("actions", "opened_by", "opening_events", "overrides", "title",
                                                  "source")),
                  actions=action_choices(rules.vocabulary), words=gate_words(rules, gate_values),
                  back=url_for(".gates", council=rules.shown.id), revision=rules.editing.revision)), status


@bp.route("/gates/<gate_id>", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def gate(council: str, gate_id: str):
    """One gate: the requests it holds back, what opens it (something happening, or an approval),
    what may override it, its title and source."""
    shown, rules = _rules(council, "edit_gate", gate_id=gate_id[:MAX_NAME_LENGTH])
    position = gate_editing.gate_position(rules.document, gate_id)
    if position is None:
        abort(404)
    current = gate_editing.read_gate(rules.document, position)
    if request.method == "POST" and (unposted := without_revision(request.path)):
        return unposted
    if request.method == "GET" or not current.expressible:
        return _gate_page(rules, current, status=200 if request.method == "GET" else 400)
    errors: dict = {}
    actions = _chosen("actions", [action for action, _ in action_choices(rules.vocabulary)], errors,
                      "Choose at least one request the gate holds back.")
    opened_by = request.form.get("opened_by", "")
    if opened_by not in gate_editing.OPENERS:
        errors["opened_by"] = "Choose whether something must happen first or someone must approve."
    opening = _chosen("opening_events", rules.event_order, errors, "Choose the event that opens the gate.")
    overrides = _chosen("overrides", rules.event_order, errors, "", required=False)
    if opened_by == gate_editing.NEEDS_APPROVAL and overrides and "overrides" not in errors:
        errors["overrides"] = ("An approval cannot be overridden: untick every override, or choose that "
                               "something must happen first.")
    title = _text("title", errors, "a title", MAX_NAME_LENGTH, required=False)
    source = _text("source", errors, "the source sentence", MAX_SOURCE_LENGTH, required=True)
    if errors:
        return _gate_page(rules, current, errors, 400)
    values = replace(current, actions=actions, opened_by=opened_by, opening_events=opening, overrides=overrides,
                     title=title, source=source)
    document = rules.document   # read for this request alone: written in place
    try:
        gate_editing.write_gate(document, position, values, rules.event_order,
                                [action for action, _ in action_choices(rules.vocabulary)])
    except EditError as error:
        return _gate_page(rules, current, {"form": str(error)}, 400)
    return check_and_save(shown, rules.editing, path=rules.path, new_text=document.text,
                          back=url_for(".gates", council=shown.id), editor="gates", what=f"the gate {gate_id}")


@bp.post("/gates/<gate_id>/remove")
@role_required(*WORKSPACE_ROLES)
def remove_gate(council: str, gate_id: str):
    """Remove a gate (shown first, like every change)."""
    shown, rules = _rules(council, "remove_gate")
    position = gate_editing.gate_position(rules.document, gate_id)
    if position is None:
        abort(404)
    if unposted := without_revision(url_for(".gates", council=shown.id)):
        return unposted
    document = rules.document   # read for this request alone: written in place
    gate_editing.remove_gate(document, position)
    return check_and_save(shown, rules.editing, path=rules.path, new_text=document.text,
                          back=url_for(".gates", council=shown.id), editor="gates",
                          what=f"the gates (removing {gate_id})")
