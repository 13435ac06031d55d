"""Reading the sections of one policy version file: triggers, chair, invitees, deadlines,
duties, gates and interventions, each checked against the vocabulary as it is read.

The reader collects every problem (file, line, column, a plain-English fix and, where a
name is misspelt, "did you mean") before the loader (hearth.engine.policy) gives up, so a
policy officer sees all their mistakes at once. It builds hearth.engine.policy_model's
values and knows nothing of folders or files beyond the name it reports problems in.
"""
from __future__ import annotations

import re
from typing import Any

from hearth.rules.compile import MAX_GROUPS, Atoms, compile_condition, group_count, rule
from hearth.rules.conditions import (ALWAYS, Condition, FieldSpec, Scope, limited_since, parse_condition,
                                     parse_field_tests)
from hearth.rules.durations import Duration, DurationError, Unit, parse_duration
from hearth.rules.source import LList, LMap, Loc, Problems, parse_date, suggest

from .history import event_types_mentioned
from .policy_model import (ONE_EVENT_MEETS, ROLL_TO, DueRow, EventSpec, Gate, Intervention, Move, Obligation, Plan,
                           Row, Trigger)
from .roles import RoleList, read_roles
from .vocabulary import Vocabulary

_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


class SectionReader:
    """Reads one version file, collecting every problem before giving up."""

    def __init__(self, file: str, vocabulary: Vocabulary, problems: Problems, language: int = 1):
        self.file = file
        self.vocab = vocabulary
        self.p = problems
        self.ids: dict[str, Loc] = {}
        self.language = language
        # language 2's defaults (docs/policy-language.md, "Language versions")
        self.judged_on = "start" if language >= 2 else "today"

    # --- small helpers
    def text(self, node: LMap, key: str, what: str, required: bool = True) -> str:
        value = node.get(key)
        if value is None:
            if required:
                self.p.add(node.loc, f"{what[0].upper() + what[1:]} needs '{key}'.", key)
            return ""
        if not isinstance(value, str) or not value.strip():
            self.p.add(node.value_loc(key), f"'{key}' must be text.", key)
            return ""
        return value.strip()

    def unique_id(self, node: LMap, section: str) -> str:
        value = node.get("id")
        if not isinstance(value, str) or not _ID.match(value):
            self.p.add(node.value_loc("id") if "id" in node else node.loc,
                       f"Each entry of '{section}' needs an 'id': lower-case words joined by - or _, "
                       "for example repeated-missing.", "id")
            return str(value or "?")
        key = f"{section}:{value}"
        if key in self.ids:
            where = "deadlines and duties" if section == "obligations" else f"'{section}'"
            self.p.add(node.value_loc("id"), f"The id '{value}' is used twice in {where} "
                                             f"(first at line {self.ids[key].line}); give each its own.", "id")
        self.ids[key] = node.value_loc("id")
        return value

    def entries(self, doc: LMap, section: str) -> list[LMap]:
        node = doc.get(section)
        if node is None:
            return []
        if not isinstance(node, LList):
            self.p.add(doc.value_loc(section), f"'{section}' must be a list (each entry starts with '- ').", section)
            return []
        out = []
        for i, item in enumerate(node):
            if not isinstance(item, LMap):
                self.p.add(node.item_loc(i), f"Each entry of '{section}' must be a mapping of keys to values.", section)
            else:
                out.append(item)
        return out

    def roles(self, node: LMap, key: str) -> RoleList:
        """Roles, role groups and {one_of: [...]} (hearth.engine.roles)."""
        return read_roles(node.get(key), node.value_loc(key) if key in node else node.loc, self.vocab, self.p, key)

    def scope(self, **extra) -> Scope:
        return Scope(fields=self.vocab.case_fields(), events=self.vocab.event_scope(),
                     groups=self.vocab.role_groups, **extra)

    def condition(self, node: LMap, key: str, scope: Scope) -> Condition | None:
        if key not in node:
            return None
        before = len(self.p.items)
        cond = parse_condition(node[key], scope, self.p, node.value_loc(key))
        if len(self.p.items) == before:
            groups = group_count(rule("x", compile_condition(cond, Atoms()), {"ob": "x"}))
            if groups > MAX_GROUPS:
                self.p.add(node.value_loc(key), f"This condition is too complicated for the rules engine: it makes "
                                                f"{groups} groups of all/any/not once combined (at most {MAX_GROUPS}). "
                                                "Split it into simpler rules, or list values instead of combining tests.",
                           key)
        return cond

    def duration(self, node: LMap, key: str) -> Duration | None:
        try:
            return parse_duration(str(node[key]))
        except DurationError as exc:
            self.p.add(node.value_loc(key), str(exc), key)
            return None

    def event_types(self, value: Any, loc: Loc, key: str) -> tuple:
        if isinstance(value, str):
            types = tuple(t.strip() for t in re.split(r"\s+or\s+|,", value) if t.strip())
        elif isinstance(value, LList):
            types = tuple(str(v) for v in value)
        else:
            self.p.add(loc, f"'{key}' must name an event type.", key)
            return ()
        for t in types:
            if t not in self.vocab.event_types:
                self.p.add(loc, f"'{t}' is not an event type this policy knows.{suggest(t, self.vocab.event_types)} "
                                "Declare the council's own event types under vocabulary: event_types.", key)
        return types

    def event_spec(self, node: LMap, key: str, also: tuple = ()) -> EventSpec | None:
        """An event type, or {event, where} (and the keys in `also`, read by the caller)."""
        if key not in node:
            return None
        value = node[key]
        if isinstance(value, LMap):
            self.p.check_keys(value, ["event", "where", *also], f"'{key}'", required=["event", *also])
            types = self.event_types(value.get("event"), value.value_loc("event"), key)
            where = ()
            if isinstance(value.get("where"), LMap):
                where = parse_field_tests(value["where"], self._common_fields(types), self.vocab.role_groups,
                                          self.p, f"a {' or '.join(types)} event")
            return EventSpec(types, where)
        return EventSpec(self.event_types(value, node.value_loc(key), key))

    def _common_fields(self, types) -> dict:
        scope = self.vocab.event_scope()
        known = [scope[t] for t in types if t in scope]
        if not known:
            return {}
        fields = dict(known[0])
        for other in known[1:]:
            fields = {k: v for k, v in fields.items() if k in other}
        return fields

    # --- sections
    def triggers(self, doc: LMap) -> tuple:
        out = []
        for node in self.entries(doc, "triggers"):
            self.p.check_keys(node, ["id", "title", "when", "source"], "a trigger", required=["when"])
            tid = self.unique_id(node, "triggers")
            when = self.condition(node, "when", self.scope()) or ALWAYS
            if "when" in node and not event_types_mentioned(when):
                self.p.add(node.value_loc("when"), "A trigger must say which events it is about, outside any 'not' "
                                                   "(it is checked each time one of them happens).", "when")
            out.append(Trigger(tid, self.text(node, "title", "a trigger", required=False) or tid,
                               when, self.text(node, "source", "a trigger")))
        return tuple(out)

    def recommendation(self, doc: LMap, trigger_ids, deadline_ids) -> tuple:
        out = []
        allowed = list(self.vocab.recommendations) + ["none"]
        scope = self.scope(triggers=trigger_ids, deadlines=deadline_ids)
        for node in self.entries(doc, "recommendation"):
            self.p.check_keys(node, ["recommend", "when", "source"], "a recommendation row", required=["recommend"])
            rec = node.get("recommend")
            if rec is not None and rec not in allowed:
                self.p.add(node.value_loc("recommend"), f"'{rec}' is not a recommendation.{suggest(str(rec), allowed)} "
                                                        f"Recommendations: {', '.join(allowed)}.", "recommend")
            out.append(Row(self.condition(node, "when", scope) or ALWAYS, self.text(node, "source", "a recommendation row"),
                           recommend=None if rec in (None, "none") else rec))
        return tuple(out)

    def chair(self, doc: LMap) -> tuple:
        out = []
        for node in self.entries(doc, "chair"):
            self.p.check_keys(node, ["when", "options", "source"], "a chair row", required=["options"])
            options = self.roles(node, "options")  # all alternatives: a one_of among them adds its roles
            out.append(Row(self.condition(node, "when", self.scope()) or ALWAYS, self.text(node, "source", "a chair row"),
                           options=options.every, groups=options.groups))
        return tuple(out)

    def invitees(self, doc: LMap) -> tuple:
        out = []
        for node in self.entries(doc, "invitees"):
            self.p.check_keys(node, ["when", "required", "consider", "source"], "an invitees row")
            if "required" not in node and "consider" not in node:
                self.p.add(node.loc, "An invitees row needs 'required' or 'consider' (a list of roles).")
            required, consider = self.roles(node, "required"), self.roles(node, "consider")
            out.append(Row(self.condition(node, "when", self.scope()) or ALWAYS, self.text(node, "source", "an invitees row"),
                           required=required.roles, consider=consider.roles, required_one_of=required.one_of,
                           consider_one_of=consider.one_of))
        return tuple(out)

    def obligations(self, doc: LMap, section: str, calendars: dict, trigger_ids=()) -> tuple:
        kind = section[:-1]
        out = []
        keys = ["id", "title", "due", "where", "met_by", "one_event_meets", "agreed_date", "moved_by", "unless",
                "waived_by", "planned_by", "calendar", "roll_to", "source"]
        for node in self.entries(doc, section):
            self.p.check_keys(node, keys, f"a {kind}", required=["due", "met_by"])
            oid = self.unique_id(node, "obligations")
            rows, starts = self.due(node, trigger_ids)
            roll_to = self.roll_to(node, rows)
            where = ()
            start_fields = self._common_fields(starts)
            if isinstance(node.get("where"), LMap):
                where = parse_field_tests(node["where"], start_fields, self.vocab.role_groups, self.p,
                                          f"a {' or '.join(starts)} event")
            anchored_fields = dict(self.vocab.case_fields())
            anchored_fields.update({f"start.{k}": v for k, v in start_fields.items()})
            scope = Scope(fields=anchored_fields, events=self.vocab.event_scope(), groups=self.vocab.role_groups,
                          anchored=True, judged_on=self.judged_on, triggers=trigger_ids)
            agreed = node.get("agreed_date")
            if agreed is not None and not _names_field(agreed, start_fields, "date"):
                self.p.add(node.value_loc("agreed_date"), f"'agreed_date' must name a date field of "
                                                          f"{' or '.join(starts)}.{suggest(str(agreed), start_fields)}",
                           "agreed_date")
            cal = node.get("calendar")
            if cal is not None and (not isinstance(cal, str) or cal not in calendars):
                self.p.add(node.value_loc("calendar"), f"There is no calendar '{cal}'.{suggest(str(cal), calendars)} "
                                                       "Name one under 'calendars'.", "calendar")
            out.append(Obligation(
                id=oid, title=self.text(node, "title", f"a {kind}", required=False) or oid.replace("_", " "),
                kind=kind, starts=EventSpec(starts, where), due=rows,
                met_by=self.event_spec(node, "met_by") or EventSpec(()),
                source=self.text(node, "source", f"a {kind}"), agreed_date=agreed,
                moved_by=self.moves(node), unless=self.condition(node, "unless", scope),
                waived_by=self.event_spec(node, "waived_by"), calendar=cal, planned_by=self.plan(node),
                one_event_meets=self.choice(node, "one_event_meets", ONE_EVENT_MEETS,
                                            "all_open" if self.language >= 2 else "oldest_open",
                                            "all_open (one met_by event meets every instance started before it) or "
                                            "oldest_open (each met_by event meets one instance, the oldest open)"),
                roll_to=roll_to))
        return tuple(out)

    def choice(self, node: LMap, key: str, choices: tuple, default: str, meaning: str) -> str:
        value = node.get(key, default)
        if value not in choices:
            self.p.add(node.value_loc(key), f"'{key}' is {meaning}, not '{value}'.{suggest(str(value), choices)}", key)
            return default
        return value

    def roll_to(self, node: LMap, rows: tuple) -> str | None:
        """`roll_to` on a deadline or duty: where a due date in days, weeks or months that is not a
        working day moves to. A due row may say its own (read with the rows)."""
        if "roll_to" not in node:
            return None
        value = self.choice(node, "roll_to", ROLL_TO, None, "next_working_day or previous_working_day")
        if value and rows and not any(row.duration.unit in _ROLLING for row in rows):
            self.p.add(node.key_loc("roll_to"), "'roll_to' moves a due date counted in days, weeks or months to a "
                                                "working day; counted in working days it is one already.", "roll_to")
        return value

    def plan(self, node: LMap) -> Plan | None:
        value = node.get("planned_by")
        if value is None:
            return None
        if not isinstance(value, LMap):
            self.p.add(node.value_loc("planned_by"), "'planned_by' names an event and its date field, for example "
                                                     "{event: meeting_scheduled, date: meeting_date}.", "planned_by")
            return None
        spec = self.event_spec(node, "planned_by", also=("date",))
        if "date" not in value:
            return None
        field_name = value["date"]
        fields = self._common_fields(spec.types)
        if not _names_field(field_name, fields, "date"):
            self.p.add(value.value_loc("date"), f"'date' must name a date field of {' or '.join(spec.types)}."
                                                f"{suggest(str(field_name), fields)}", "date")
        return Plan(spec, str(field_name))

    def due(self, node: LMap, trigger_ids=()) -> tuple[tuple, tuple]:
        value = node.get("due")
        if value is None:
            return (), ()
        if isinstance(value, str):
            duration, starts = self.due_text(value, node.value_loc("due"))
            return ((DueRow(ALWAYS, duration),) if duration else ()), starts
        if not isinstance(value, LList):
            self.p.add(node.value_loc("due"), "'due' is written like '5 working days after stability_meeting_decided', "
                                              "or as a list of rows each with 'when' and 'due'.", "due")
            return (), ()
        rows, starts = [], None
        for i, row in enumerate(value):
            if not isinstance(row, LMap):
                self.p.add(value.item_loc(i), "Each row of 'due' needs 'due' (and 'when' except the last).", "due")
                continue
            self.p.check_keys(row, ["when", "due", "roll_to"], "a row of 'due'", required=["due"])
            duration, row_starts = self.due_text(str(row.get("due", "")), row.value_loc("due"))
            if starts is not None and row_starts != starts:
                self.p.add(row.value_loc("due"), "Every row of 'due' must count from the same event "
                                                 f"({' or '.join(starts)}).", "due")
            starts = row_starts if starts is None else starts
            if duration:
                roll_to = None
                if "roll_to" in row:
                    roll_to = self.choice(row, "roll_to", ROLL_TO, None, "next_working_day or previous_working_day")
                    if duration.unit not in _ROLLING:
                        self.p.add(row.key_loc("roll_to"), "'roll_to' moves a due date counted in days, weeks or "
                                                           "months to a working day; this row counts "
                                                           f"{duration.unit.value}.", "roll_to")
                scope = self.scope(judged_on=self.judged_on, triggers=trigger_ids)
                rows.append(DueRow(self.condition(row, "when", scope) or ALWAYS, duration, roll_to))
        return tuple(rows), starts or ()

    def due_text(self, text: str, loc: Loc) -> tuple[Duration | None, tuple]:
        match = re.match(r"^\s*(.+?)\s+after\s+(.+?)\s*$", text)
        if not match:
            self.p.add(loc, f"'{text}' does not say when it is due. Write it like "
                            "'5 working days after stability_meeting_decided'.", "due")
            return None, ()
        try:
            duration = parse_duration(match.group(1))
        except DurationError as exc:
            self.p.add(loc, str(exc), "due")
            duration = None
        return duration, self.event_types(match.group(2), loc, "due")

    def moves(self, node: LMap) -> tuple:
        value = node.get("moved_by")
        if value is None:
            return ()
        if not isinstance(value, LList):
            self.p.add(node.value_loc("moved_by"), "'moved_by' must be a list of moves, each with 'event' and "
                                                   "'extend_by' or 'to'.", "moved_by")
            return ()
        out = []
        for i, move in enumerate(value):
            if not isinstance(move, LMap):
                self.p.add(value.item_loc(i), "Each move needs 'event' and 'extend_by' or 'to'.", "moved_by")
                continue
            self.p.check_keys(move, ["event", "where", "extend_by", "to"], "a move", required=["event"])
            spec = self.event_spec(move, "event") if not isinstance(move.get("event"), LMap) else None
            types = spec.types if spec else ()
            if isinstance(move.get("where"), LMap):
                spec = EventSpec(types, parse_field_tests(move["where"], self._common_fields(types),
                                                          self.vocab.role_groups, self.p, "the event"))
            fields = self._common_fields(types)
            extend_by = extend_field = to_field = None
            if "extend_by" in move:
                raw = move["extend_by"]
                if isinstance(raw, str) and raw in fields:
                    extend_field = raw
                    if not _names_field(raw, fields, "number"):
                        numbers = [name for name, spec in fields.items() if spec.kind == "number"]
                        self.p.add(move.value_loc("extend_by"),
                                   f"'extend_by' names the field '{raw}', which is a {fields[raw].kind} field; "
                                   f"a move extends by a number field of the event or a duration ('5 working days')."
                                   f"{suggest(raw, numbers)}", "extend_by")
                else:
                    try:
                        extend_by = parse_duration(str(raw))
                    except DurationError:
                        self.p.add(move.value_loc("extend_by"),
                                   f"'extend_by' is a duration ('5 working days') or a number field of the event."
                                   f"{suggest(str(raw), fields)}", "extend_by")
            elif "to" in move:
                to_field = move["to"]
                if not _names_field(to_field, fields, "date"):
                    self.p.add(move.value_loc("to"), f"'to' must name a date field of the event.{suggest(str(to_field), fields)}", "to")
            else:
                self.p.add(move.loc, "A move needs 'extend_by' (how much later) or 'to' (the field with the new date).")
            out.append(Move(spec or EventSpec(()), extend_by, extend_field, to_field))
        return tuple(out)

    def gates(self, doc: LMap) -> tuple:
        out = []
        keys = ["id", "title", "actions", "since", "blocked_until", "unless", "needs_approval", "after_the_fact",
                "after_the_fact_overdue", "source"]
        for node in self.entries(doc, "gates"):
            self.p.check_keys(node, keys, "a gate", required=["actions"])
            gid = self.unique_id(node, "gates")
            actions = node.get("actions")
            actions = list(actions) if isinstance(actions, LList) else [actions] if actions else []
            for a in actions:
                if not isinstance(a, str) or a not in self.vocab.actions:
                    self.p.add(node.value_loc("actions"), f"'{a}' is not an action.{suggest(str(a), self.vocab.actions)} "
                                                          "Declare the council's own under vocabulary: actions.", "actions")
            if "blocked_until" not in node and "needs_approval" not in node:
                self.p.add(node.loc, "A gate needs 'blocked_until' (what must happen first) or 'needs_approval'.")
            if "unless" in node and "blocked_until" not in node:
                self.p.add(node.key_loc("unless"), "'unless' overrides a block, so the gate needs 'blocked_until'.", "unless")
            scope = self.scope()
            since, since_trigger = self.gate_since(node)
            parts = {part: self.condition(node, part, scope) for part in ("blocked_until", "unless", "needs_approval")}
            if since or since_trigger:
                parts = {part: cond if cond is None else limited_since(cond, since, since_trigger)
                         for part, cond in parts.items()}
            overdue = node.get("after_the_fact_overdue", self.language >= 2)
            if "after_the_fact_overdue" in node:
                if overdue not in (True, False):
                    self.p.add(node.value_loc("after_the_fact_overdue"), "'after_the_fact_overdue' is true or false.",
                               "after_the_fact_overdue")
                    overdue = False
                if "after_the_fact" not in node:
                    self.p.add(node.key_loc("after_the_fact_overdue"), "'after_the_fact_overdue' says what an "
                                                                       "override not satisfied by its 'after_the_fact' "
                                                                       "date becomes, so the gate needs "
                                                                       "'after_the_fact'.", "after_the_fact_overdue")
            out.append(Gate(
                id=gid, title=self.text(node, "title", "a gate", required=False) or gid, actions=tuple(actions),
                source=self.text(node, "source", "a gate"), **parts,
                after_the_fact=self.duration(node, "after_the_fact") if "after_the_fact" in node else None,
                after_the_fact_overdue=bool(overdue), since=since, since_trigger=since_trigger))
        return tuple(out)

    def gate_since(self, node: LMap) -> tuple[tuple, bool]:
        """A gate's `since`: event types, or `trigger` (the latest trigger firing), or both in a list."""
        if "since" not in node:
            return (), False
        value = node["since"]
        names = [value] if isinstance(value, str) else list(value) if isinstance(value, LList) else None
        if not names or not all(isinstance(name, str) for name in names):
            self.p.add(node.value_loc("since"), "A gate's 'since' names event types, or 'trigger' (the latest time "
                                                "a trigger fired), for example since: stability_concern_raised.",
                       "since")
            return (), False
        types = tuple(name for name in names if name != "trigger")
        for name in types:
            if name not in self.vocab.event_types:
                self.p.add(node.value_loc("since"), f"'{name}' is not an event type this policy knows, nor "
                                                    f"'trigger'.{suggest(name, [*self.vocab.event_types, 'trigger'])}",
                           "since")
        return types, "trigger" in names

    def interventions(self, doc: LMap) -> tuple:
        out = []
        for node in self.entries(doc, "interventions"):
            self.p.check_keys(node, ["id", "label", "costed", "when", "available_from", "available_until", "source"],
                              "an intervention", required=["label"])
            iid = self.unique_id(node, "interventions")
            costed = node.get("costed", False)
            if costed not in (True, False):
                self.p.add(node.value_loc("costed"), "'costed' is true or false.", "costed")
            dates = {}
            for key in ("available_from", "available_until"):
                if key in node:
                    try:
                        dates[key] = parse_date(node[key])
                    except ValueError as exc:
                        self.p.add(node.value_loc(key), str(exc), key)
            out.append(Intervention(iid, self.text(node, "label", "an intervention"), bool(costed),
                                    self.text(node, "source", "an intervention"),
                                    when=self.condition(node, "when", self.scope()), **dates))
        return tuple(out)


# The units whose due dates can fall on a day that is not a working day, so `roll_to` can move them.
_ROLLING = (Unit.DAYS, Unit.WEEKS, Unit.MONTHS)


def _names_field(value: Any, fields: dict, kind: str) -> bool:
    """Whether a value written in the file is the name of one of these fields, of this kind
    (anything but a word, a list or a mapping where a name goes, is not). Only an event's own
    fields can be named: the placement it happened in (placement.started) is for `where`."""
    return isinstance(value, str) and "." not in value and fields.get(value, FieldSpec()).kind == kind


def read_dates(node: Any, loc: Loc, problems: Problems, key: str) -> list:
    if node is None:
        return []
    if not isinstance(node, LList):
        problems.add(loc, f"'{key}' must be a list of dates.", key)
        return []
    out = []
    for i, item in enumerate(node):
        try:
            out.append(parse_date(item))
        except ValueError as exc:
            problems.add(node.item_loc(i), str(exc), key)
    return out
