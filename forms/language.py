"""The form language: a council's form, written in YAML, read into a checked definition.

Policy officers write these files, so every mistake is reported with file, line,
column and a plain-English fix, and nothing is half-loaded. Conditions (who sees
a question, when it is required, cross-field checks, when an event is produced)
use the one condition syntax of the rule language (:mod:`hearth.rules.conditions`)
over the form's own answers. See docs/form-language.md.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Hashable
from dataclasses import replace
from typing import Any, Mapping

from hearth.rules.conditions import (All, Condition, FieldSpec, Fields, Scope, parse_condition,
                                     referenced_fields)
from hearth.rules.source import LList, LMap, Loc, Problem, Problems, SourceError, load_yaml, suggest

from .model import (CHECK_KEYS, CHOICE_KINDS, DATE_COMPARISONS, EVENT_KIND_FROM, FIELD_KEYS, FIELD_KINDS,
                    FORM_KEYS, ID_PATTERN, MESSAGE_KEYS, OPTION_KEYS, OPTION_LIST_KEYS, PREFILL_FROM_EVENT,
                    PREFILL_KINDS, PREFILLS, PRODUCE_KEYS, RESERVED, ROLE_LISTS, SECTION_KEYS, Check, FormDefinition, FormField, Option, Produce, Section,
                    answer_spec, name_from)


# ---------------------------------------------------------------------- reader
class _Reader:
    """Reads one form file, collecting every problem before giving up."""

    def __init__(self, file: str, options: Mapping[str, list], event_specs: Mapping[str, Mapping] | None,
                 problems: Problems, groups: Mapping[str, tuple] | None = None):
        self.file = file
        self.lists = options
        self.events = event_specs
        self.p = problems
        self.groups = dict(groups or {})  # role groups: a name stands for its members, as in the policy
        self.used_groups: set = set()      # the groups this form names (they are part of what it means)

    # --- small helpers
    def text(self, node: LMap, key: str, what: str, required: bool = False) -> str:
        value = node.get(key)
        if value is None:
            if required:
                self.p.add(node.loc, f"{what} needs '{key}'.", key)
            return ""
        if not isinstance(value, str) or not value.strip():
            self.p.add(node.value_loc(key), f"'{key}' must be some text.", key)
            return ""
        return value.strip()

    def number(self, node: LMap, key: str, whole: bool = False, minimum: float | None = None):
        if key not in node:
            return None
        value = node[key]
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok and whole and not isinstance(value, int):
            ok = False
        if ok and minimum is not None and value < minimum:
            ok = False
        if not ok:
            kind = "a whole number" if whole else "a number"
            more = f", {minimum:g} or more" if minimum is not None else ""
            self.p.add(node.value_loc(key), f"'{key}' must be {kind}{more}, not '{value}'.", key)
            return None
        return value

    def flag(self, node: LMap, key: str) -> bool:
        value = node.get(key, False)
        if value is not True and value is not False:
            self.p.add(node.value_loc(key), f"'{key}' is true or false, not '{value}'.", key)
            return False
        return value

    def ident(self, node: LMap, key: str, what: str) -> str:
        value = node.get(key)
        if value is None:
            self.p.add(node.loc, f"{what[0].upper() + what[1:]} needs an '{key}', for example {key}: meeting_date.", key)
            return ""
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.p.add(node.value_loc(key), f"'{value}' cannot be an id: use small letters, digits and _, "
                                            "starting with a letter (for example meeting_date).", key)
            return str(value)
        return value

    # --- the form
    def form(self, doc: Any, default_id: str) -> dict:
        if not isinstance(doc, LMap):
            self.p.add(Loc(self.file, 1, 1), "A form file must be a mapping with id, title, version and sections.")
            self.p.raise_if_any()
        self.p.check_keys(doc, FORM_KEYS, "a form", required=["title", "version", "sections"])
        form_id = doc.get("id", default_id)
        if not isinstance(form_id, str) or not ID_PATTERN.match(form_id):
            self.p.add(doc.value_loc("id"), f"'{form_id}' cannot be a form id: use small letters, digits and _ "
                                            "(a form without 'id' takes its file's name).", "id")
        elif "id" in doc and default_id and form_id != default_id:
            self.p.add(doc.value_loc("id"), f"The form's id '{form_id}' differs from its file name '{default_id}'; "
                                            "make them the same so the form is easy to find.", "id")
        version = doc.get("version")
        if "version" in doc and (isinstance(version, bool) or not isinstance(version, (int, str))
                                 or not str(version).strip()):
            self.p.add(doc.value_loc("version"), "'version' is a number or a short text such as 2 or 2025-01.", "version")
        sections = self.sections(doc)
        by_id = {f.id: f for s in sections for f in s.fields}
        scope = Scope(fields={i: answer_spec(f) for i, f in by_id.items()}, events=None, groups=self.groups)
        # a reveal sits under an answer in the same section; elsewhere the question stays in view
        sections = tuple(Section(s.title, s.guidance, tuple(self.finish_field(f, by_id, scope, [x.id for x in s.fields])
                                                             for f in s.fields)) for s in sections)
        by_id = {f.id: f for s in sections for f in s.fields}
        return dict(id=str(form_id), title=self.text(doc, "title", "A form"), version=str(version or "").strip(),
                    description=self.text(doc, "description", "A form"), source=self.text(doc, "source", "A form"),
                    sections=sections, checks=self.checks(doc, by_id, scope),
                    produces=self.produces(doc, by_id, scope))

    def sections(self, doc: LMap) -> tuple:
        node = doc.get("sections")
        if node is None:
            return ()
        if not isinstance(node, LList) or not node:
            self.p.add(doc.value_loc("sections"), "'sections' is a list; each has a title and fields.", "sections")
            return ()
        out, seen = [], {}
        for i, s in enumerate(node):
            if not isinstance(s, LMap):
                self.p.add(node.item_loc(i), "Each section is a mapping with a title and fields.", "sections")
                continue
            self.p.check_keys(s, SECTION_KEYS, "a section", required=["fields"])
            fields = self.field_list(s, "fields", seen)
            out.append(Section(self.text(s, "title", "A section"), self.text(s, "guidance", "A section"), fields))
        return tuple(out)

    def field_list(self, node: LMap, key: str, seen: dict, in_group: str = "") -> tuple:
        items = node.get(key)
        if not isinstance(items, LList) or not items:
            self.p.add(node.value_loc(key) if key in node else node.loc,
                       f"'{key}' is a list of questions, for example - {{id: meeting_date, kind: date, "
                       f"label: Date of the meeting}}.", key)
            return ()
        out = []
        for i, item in enumerate(items):
            if not isinstance(item, LMap):
                self.p.add(items.item_loc(i), "Each question is a mapping with id, kind and label.", key)
                continue
            f = self.field(item, seen, in_group)
            if f is not None:
                out.append(f)
        return tuple(out)

    def field(self, node: LMap, seen: dict, in_group: str) -> FormField | None:
        fid = self.ident(node, "id", "a question")
        kind = node.get("kind")
        if kind not in FIELD_KINDS:
            where = node.value_loc("kind") if "kind" in node else node.loc
            self.p.add(where, f"'{kind}' is not a kind of question.{suggest(str(kind), FIELD_KINDS)} "
                              f"Kinds: {', '.join(FIELD_KINDS)}." if kind is not None else
                              f"The question '{fid}' needs a 'kind': one of {', '.join(FIELD_KINDS)}.", "kind")
            kind = "text"
        if in_group and kind == "group":
            self.p.add(node.value_loc("kind"), "A group cannot hold another group; keep rows simple.", "kind")
        self.p.check_keys(node, FIELD_KEYS["common"] + FIELD_KEYS[kind], f"a {kind} question",
                          required=["id", "label"] if fid else ["label"])
        if fid in RESERVED:
            self.p.add(node.value_loc("id"), f"'{fid}' is a word the form machinery uses; choose another id, "
                                             f"for example {fid}_answer.", "id")
        if fid in seen:
            self.p.add(node.value_loc("id"), f"'{fid}' is already the id of the question at line {seen[fid].line}; "
                                             "give each question its own id.", "id")
        seen[fid] = node.loc
        label = self.text(node, "label", "A question")
        name = self.text(node, "name", "A question") or name_from(label)
        messages = self.messages(node)
        f = dict(id=fid, kind=kind, label=label, name=name, hint=self.text(node, "hint", "A question"),
                 messages=messages, source=self.text(node, "source", "A question"), loc=node.loc)
        if kind in ("text", "long_text"):
            f["min_length"] = self.number(node, "min_length", whole=True, minimum=1)
            f["max_length"] = self.number(node, "max_length", whole=True, minimum=1)
            if kind == "text" and f["max_length"] is None:
                f["max_length"] = 200
            if kind == "text":
                f["width"] = self.number(node, "width", whole=True, minimum=2)
            else:
                f["rows"] = self.number(node, "rows", whole=True, minimum=2)
        elif kind in ("number", "money"):
            f["min"] = self.number(node, "min")
            f["max"] = self.number(node, "max")
            if kind == "money" and f["min"] is None:
                f["min"] = 0
            if kind == "number":
                f["whole"] = self.flag(node, "whole")
                f["suffix"] = self.text(node, "suffix", "A question")
        elif kind == "date":
            f["not_future"] = self.flag(node, "not_future")
            f["not_past"] = self.flag(node, "not_past")
            f["compare"] = tuple((op, node[op]) for op in DATE_COMPARISONS if op in node)
        elif kind in CHOICE_KINDS:
            f["options"], f["options_from"] = self.options(node, kind)
            if kind in ("checkboxes", "roles"):
                f["min_selected"] = self.number(node, "min_selected", whole=True, minimum=1)
                f["max_selected"] = self.number(node, "max_selected", whole=True, minimum=1)
        elif kind == "yes_no":
            f["options"] = (Option(True, "Yes"), Option(False, "No"))
        elif kind == "group":
            f["fields"] = self.field_list(node, "fields", {}, in_group=fid)
            f["min_rows"] = self.number(node, "min_rows", whole=True, minimum=0)
            if f["min_rows"] is None:
                f["min_rows"] = 1
            f["max_rows"] = self.number(node, "max_rows", whole=True, minimum=1)
            f["item_label"] = self.text(node, "item_label", "A group") or "Row"
            f["add_label"] = self.text(node, "add_label", "A group") or f"Add another {f['item_label'].lower()}"
        if kind in PREFILL_KINDS and "prefill" in node:
            f["prefill"] = self.prefill(node, kind)
        # conditions are parsed once every id is known: keep the raw nodes for now
        f["required"] = node.get("required", True)
        f["show_when"] = node.get("show_when")
        return FormField(**f)

    def prefill(self, node: LMap, kind: str) -> str:
        """`invitees` (a roles question), or `<event type>.<field>`: what the case's latest event
        of that type recorded (`.on`: its date), for a question of a kind that can hold it."""
        value = node["prefill"]
        loc = node.value_loc("prefill")
        if kind == "roles" and _is_name_in(value, PREFILLS):
            return value
        found = PREFILL_FROM_EVENT.match(value) if isinstance(value, str) else None
        if found is None:
            self.p.add(loc, f"'prefill' says what a new form starts with; '{value}' is not something it can."
                            f"{suggest(str(value), PREFILLS) if kind == 'roles' else ''} Write "
                            + ("invitees (" + PREFILLS["invitees"] + "), or " if kind == "roles" else "")
                            + "an event type and one of its fields, for example meeting_scheduled.meeting_date "
                              "(.on is the event's own date).", "prefill")
            return ""
        event, name = found.groups()
        if self.events is None:
            return value
        if event not in self.events:
            self.p.add(loc, f"'{event}' is not an event type.{suggest(event, self.events)}", "prefill")
            return ""
        spec = self.events[event].get(name) if name != "on" else None
        if name != "on" and spec is None:
            self.p.add(loc, f"'{name}' is not a field of '{event}'.{suggest(name, list(self.events[event]) + ['on'])}",
                       "prefill")
            return ""
        holds = "date" if name == "on" else spec.kind
        fits = {"date": ("date",), "roles": ("list",), "radios": ("choice",), "select": ("choice",)}[kind]
        if holds not in fits:
            self.p.add(loc, f"'{event}.{name}' holds {'a date' if holds == 'date' else 'a list' if holds == 'list' else 'a ' + holds}, "
                            f"which a {kind.replace('_', ' ')} question cannot start from.", "prefill")
            return ""
        return value

    def messages(self, node: LMap) -> dict:
        m = node.get("messages")
        if m is None:
            return {}
        if not isinstance(m, LMap):
            self.p.add(node.value_loc("messages"), "'messages' maps a kind of mistake to what to say, "
                                                   "for example {required: Enter the name of the chair}.", "messages")
            return {}
        self.p.check_keys(m, MESSAGE_KEYS, "'messages'")
        return {k: str(v) for k, v in m.items() if k in MESSAGE_KEYS}

    def options(self, node: LMap, kind: str) -> tuple[tuple, str]:
        spec = node.get("options", "roles" if kind == "roles" else None)
        where = node.value_loc("options") if "options" in node else node.loc
        if spec is None:
            self.p.add(node.loc, f"A {kind} question needs 'options': a named list ({', '.join(self.lists)}) "
                                 "or a list of {value, label}.", "options")
            return (), ""
        if isinstance(spec, str):
            spec_node = None
            name, only, exclude = spec, None, None
        elif isinstance(spec, LMap) and "list" in spec:
            self.p.check_keys(spec, OPTION_LIST_KEYS, "an options list")
            spec_node = spec
            name, only, exclude = spec["list"], spec.get("only"), spec.get("except")
        elif isinstance(spec, LList):
            return self.written_options(spec), ""
        else:
            self.p.add(where, "'options' is a named list such as roles, {list: roles, only: [...]}, "
                              "or a list of {value, label}.", "options")
            return (), ""
        if not _is_name_in(name, self.lists):
            self.p.add(where if spec_node is None else spec_node.value_loc("list"),
                       f"There is no list of options called '{name}'.{suggest(str(name), self.lists)} "
                       f"Lists: {', '.join(self.lists)}.", "options")
            return (), str(name)
        items = [Option(v, label) for v, label in self.lists[name]]
        values = [o.value for o in items]
        chosen_values = {}
        for key, chosen in (("only", only), ("except", exclude)):
            if chosen is not None:
                chosen_values[key] = self.chosen(spec_node, key, chosen, str(name), values)
        if "only" in chosen_values:
            by_value = {o.value: o for o in items}
            items = [by_value[v] for v in chosen_values["only"]]
        if "except" in chosen_values:
            items = [o for o in items if o.value not in chosen_values["except"]]
        if not items:
            self.p.add(where, f"The list '{name}' gives this question no options"
                              f"{' (the council policy has none yet)' if not self.lists[name] else ''}.", "options")
        return tuple(items), str(name)

    def chosen(self, spec_node: LMap, key: str, chosen: Any, name: str, values: list) -> list:
        """The values an `only` or `except` picks from a named list, in the order written. In a list
        of roles a role group's name stands for its members, and one name may stand alone."""
        roles = name in ROLE_LISTS
        what = "roles or role groups" if roles else "values"
        if isinstance(chosen, str):  # one name alone: a list of one
            chosen = LList([chosen])
            chosen.loc = spec_node.value_loc(key)
            chosen.item_locs = [chosen.loc]
        if not isinstance(chosen, LList):
            example = "[iro, team_managers]" if roles else "[first, second]"
            self.p.add(spec_node.value_loc(key), f"'{key}' is a list of {what} from '{name}', for example "
                                                 f"{key}: {example}.", "options")
            return []
        out: list = []
        for index, value in enumerate(chosen):
            where = chosen.item_loc(index)
            if roles and _is_name_in(value, self.groups):
                self.used_groups.add(value)
                out.extend(v for v in self.groups[value] if v in values and v not in out)
            elif _is_name_in(value, values):
                if value not in out:
                    out.append(value)
            else:
                known = list(map(str, values)) + (list(self.groups) if roles else [])
                self.p.add(where, f"'{value}' is not {'a role or role group' if roles else 'a value'} in the list "
                                  f"'{name}'.{suggest(str(value), known)}", "options")
        return out

    def written_options(self, spec: LList) -> tuple:
        out, seen = [], set()
        for i, item in enumerate(spec):
            if not isinstance(item, LMap) or "value" not in item:
                self.p.add(spec.item_loc(i), "Each option is {value: ..., label: ...}.", "options")
                continue
            self.p.check_keys(item, OPTION_KEYS, "an option", required=["label"])
            value = item["value"]
            if not isinstance(value, str) or not ID_PATTERN.match(value):
                self.p.add(item.value_loc("value"), f"'{value}' cannot be an option value: use small letters, "
                                                    "digits and _ (the label is what people read).", "options")
            if not isinstance(value, Hashable):
                continue
            if value in seen:
                self.p.add(item.value_loc("value"), f"The option '{value}' is written twice.", "options")
            seen.add(value)
            out.append(Option(value, self.text(item, "label", "An option") or str(value),
                              self.text(item, "hint", "An option")))
        return tuple(out)

    # --- conditions, once every id is known
    def condition(self, node: Any, loc: Loc, scope: Scope) -> Condition:
        return parse_condition(node, scope, self.p, loc)

    def finish_field(self, f: FormField, by_id: dict, scope: Scope, doc_order: list, group: FormField | None = None):
        """Parse the field's conditions, check its references and work out its reveal."""
        if f.kind == "group":
            row_scope = Scope(fields={**scope.fields, **{c.id: answer_spec(c) for c in f.fields}}, events=None,
                              groups=self.groups)
            row_by_id = {**by_id, **{c.id: c for c in f.fields}}
            children = tuple(self.finish_field(c, row_by_id, row_scope, [c.id for c in f.fields], group=f)
                             for c in f.fields)
            f = replace(f, fields=children)
        loc = f.loc
        required = f.required
        if required is not True and required is not False:
            required = self.condition(required, loc, scope)
        show_when, reveal = None, None
        if f.show_when is not None:
            show_when = self.condition(f.show_when, loc, scope)
            reveal = _reveal_target(show_when, by_id, doc_order, f.id)
            if f.id in referenced_fields(show_when):
                self.p.add(loc, f"'{f.id}' cannot be shown depending on its own answer.", "show_when")
        for op, other in f.compare:
            target = by_id.get(other) if _is_name_in(other, by_id) else None
            if target is None or target.kind != "date" or other == f.id:
                dates = [i for i, x in by_id.items() if x.kind == "date" and i != f.id]
                self.p.add(loc, f"'{op}: {other}' must name another date question.{suggest(str(other), dates)}", op)
        return replace(f, required=required, show_when=show_when, reveal=reveal)

    def checks(self, doc: LMap, by_id: dict, scope: Scope) -> tuple:
        node = doc.get("checks")
        if node is None:
            return ()
        if not isinstance(node, LList):
            self.p.add(doc.value_loc("checks"), "'checks' is a list of {when, then, field, message}.", "checks")
            return ()
        out = []
        for i, c in enumerate(node):
            if not isinstance(c, LMap):
                self.p.add(node.item_loc(i), "Each check is {when, then, field, message}.", "checks")
                continue
            self.p.check_keys(c, CHECK_KEYS, "a check", required=["then", "field", "message"])
            when = self.condition(c["when"], c.value_loc("when"), scope) if "when" in c else None
            then = self.condition(c.get("then", {}), c.value_loc("then"), scope) if "then" in c else All(())
            fid = c.get("field")
            if "field" in c and not _is_name_in(fid, by_id):
                self.p.add(c.value_loc("field"), f"There is no question '{fid}' to show this message by."
                                                 f"{suggest(str(fid), by_id)}", "field")
            out.append(Check(when, then, str(fid), self.text(c, "message", "A check"), self.text(c, "source", "A check")))
        return tuple(out)

    def produces(self, doc: LMap, by_id: dict, scope: Scope) -> tuple:
        node = doc.get("produces")
        if node is None:
            return ()
        if not isinstance(node, LList):
            self.p.add(doc.value_loc("produces"), "'produces' is a list of events, for example "
                                                  "- {event: funding_requested, on: request_date}.", "produces")
            return ()
        out = []
        for i, e in enumerate(node):
            if not isinstance(e, LMap):
                self.p.add(node.item_loc(i), "Each entry of 'produces' is a mapping with event and on.", "produces")
                continue
            p = self.produce(e, by_id, scope)
            if p is not None:
                out.append(p)
        return tuple(out)

    def produce(self, e: LMap, by_id: dict, scope: Scope) -> Produce | None:
        self.p.check_keys(e, PRODUCE_KEYS, "an event the form produces", required=["on"])
        events = self.events or {}
        event, event_from = e.get("event"), e.get("event_from")
        if (event is None) == (event_from is None):
            self.p.add(e.loc, "Say either 'event' (one event of that type) or 'event_from' (one event per "
                              "chosen answer of a question whose options are event types).", "event")
            return None
        spec: dict = {}
        type_fields: dict = {}
        if event is not None:
            if self.events is not None and not _is_name_in(event, events):
                self.p.add(e.value_loc("event"), f"'{event}' is not an event type this policy knows."
                                                 f"{suggest(str(event), events)}", "event")
            spec = events.get(event, {}) if _is_name_in(event, events) else {}
        else:
            src = by_id.get(event_from) if _is_name_in(event_from, by_id) else None
            if src is None or src.kind not in ("radios", "checkboxes", "select"):
                self.p.add(e.value_loc("event_from"), f"'event_from' must name a radios, checkboxes or select question "
                                                      f"whose options are event types.{suggest(str(event_from), by_id)}",
                           "event_from")
            else:
                for o in src.options:
                    if self.events is not None and o.value not in events:
                        self.p.add(src.loc, f"The option '{o.value}' of '{event_from}' is not an event type, so it "
                                            f"cannot produce an event.{suggest(str(o.value), events)}", "event_from")
                # an event field may be filled for the chosen types that have it
                for o in src.options:
                    for k, v in events.get(o.value, {}).items():
                        spec.setdefault(k, v)
                type_fields = {o.value: frozenset(events.get(o.value, {})) for o in src.options}
        each = e.get("each")
        if each is not None:
            by_id, scope = self.rows_of(e, each, by_id, scope)
        on = e.get("on")
        if "on" in e and (not _is_name_in(on, by_id) or by_id[on].kind != "date"):
            dates = [i for i, f in by_id.items() if f.kind == "date"]
            self.p.add(e.value_loc("on"), f"'on' names the date question that dates the event; '{on}' is not one."
                                          f"{suggest(str(on), dates)}", "on")
        when = self.condition(e["when"], e.value_loc("when"), scope) if "when" in e else None
        fields = []
        fnode = e.get("fields") or LMap()
        if not isinstance(fnode, LMap):
            self.p.add(e.value_loc("fields"), "'fields' maps each event field to the question that answers it.", "fields")
            fnode = LMap()
        for name, value in fnode.items():
            loc = fnode.value_loc(name)
            if self.events is not None and name not in spec:
                self.p.add(fnode.key_loc(name), f"'{name}' is not a field of a {event or 'chosen'} event."
                                                f"{suggest(str(name), spec)} Its fields: {', '.join(spec) or 'none'}.", name)
                continue
            fields.append((str(name), self.mapping(value, loc, name, spec.get(name), by_id)))
        return Produce(str(event or ""), str(event_from or ""), str(on or ""), when, tuple(fields), type_fields,
                       each=str(each or ""))

    def rows_of(self, e: LMap, each: Any, by_id: dict, scope: Scope) -> tuple[dict, Scope]:
        """`each: <group>`: the questions and condition scope of one of its rows (the form's own
        questions and the row's, a row question winning a shared id, as in the row's own checks)."""
        group = by_id.get(each) if _is_name_in(each, by_id) else None
        if group is None or group.kind != "group":
            groups = [i for i, f in by_id.items() if f.kind == "group"]
            self.p.add(e.value_loc("each"), f"'each' names a group of rows, one event for every row; '{each}' is not "
                                            f"a group question of this form.{suggest(str(each), groups)}"
                       + ("" if groups else " This form has no group."), "each")
            return by_id, scope
        rows = {c.id: c for c in group.fields}
        return ({**by_id, **rows},
                Scope(fields={**scope.fields, **{i: answer_spec(c) for i, c in rows.items()}}, events=None,
                      groups=self.groups))

    def mapping(self, value: Any, loc: Loc, name: str, spec: FieldSpec | None, by_id: dict) -> tuple:
        if isinstance(value, str):
            value = LMap({"answer": value})
            value.loc, value.key_locs, value.value_locs = loc, {}, {"answer": loc}
        if not isinstance(value, LMap) or ("answer" in value) == ("value" in value):
            self.p.add(loc, f"'{name}' is a question's id, {{answer: id, map: {{...}}}} or {{value: ...}}.", name)
            return ("value", None)
        if "value" in value:
            self.p.check_keys(value, ["value"], "a fixed value")
            self.event_value(value["value"], value.value_loc("value"), name, spec)
            return ("value", value["value"])
        self.p.check_keys(value, ["answer", "map"], "an answer mapping")
        aid = value["answer"]
        f = by_id.get(aid) if _is_name_in(aid, by_id) else None
        if f is None:
            self.p.add(value.value_loc("answer"), f"There is no question '{aid}'.{suggest(str(aid), by_id)}", name)
            return ("value", None)
        if f.kind == "group":
            self.p.add(value.value_loc("answer"), f"'{aid}' is a group of rows; an event field takes one answer. "
                                                  f"For one event per row, write 'each: {aid}' and name the row's "
                                                  "questions.", name)
        mapping = value.get("map")
        if mapping is not None:
            if not isinstance(mapping, LMap):
                self.p.add(value.value_loc("map"), "'map' turns answers into event values, for example {true: 2, false: 1}.", name)
                return ("answer", aid, None)
            answers = [o.value for o in f.options]
            for k, v in mapping.items():
                if answers and k not in answers:
                    self.p.add(mapping.key_loc(k), f"'{k}' is not an answer to '{aid}'.{suggest(str(k), map(str, answers))}", name)
                self.event_value(v, mapping.value_loc(k), name, spec)
            return ("answer", aid, dict(mapping))
        if spec is not None:
            allowed = EVENT_KIND_FROM.get(spec.kind, ())
            if f.kind not in allowed:
                self.p.add(loc, f"The event field '{name}' holds {_kind_words(spec.kind)}; the answer to '{aid}' "
                                f"({f.kind}) cannot go there. Use a {' or '.join(allowed)} question, or 'map'.", name)
            elif spec.choices:
                for o in f.options:
                    if o.value not in spec.choices:
                        self.p.add(loc, f"The answer '{o.value}' to '{aid}' is not a value the event field "
                                        f"'{name}' accepts.{suggest(str(o.value), map(str, spec.choices))}", name)
        return ("answer", aid, None)

    def event_value(self, value: Any, loc: Loc, name: str, spec: FieldSpec | None) -> None:
        if spec is None:
            return
        ok = {"boolean": value is True or value is False,
              "number": isinstance(value, (int, float)) and not isinstance(value, bool),
              "choice": not spec.choices or value in spec.choices,
              "list": isinstance(value, list) and all(not spec.choices or v in spec.choices for v in value),
              "text": isinstance(value, str), "date": isinstance(value, str)}.get(spec.kind, True)
        if not ok:
            self.p.add(loc, f"'{value}' is not {_kind_words(spec.kind)}, which the event field '{name}' holds."
                            f"{suggest(str(value), map(str, spec.choices))}", name)


def _is_name_in(value: Any, table: Mapping) -> bool:
    """Whether a value written in the file names an entry of ``table``. A list or a mapping
    written where a name goes names nothing (and cannot be looked up: it is unhashable)."""
    return isinstance(value, Hashable) and value in table


def _kind_words(kind: str) -> str:
    return {"boolean": "true or false", "number": "a number", "date": "a date", "choice": "one of a set of values",
            "list": "a list of values", "text": "text"}.get(kind, kind)


def _reveal_target(cond: Condition, by_id: dict, order: list, own_id: str) -> tuple | None:
    """A field shown by one answer to an earlier radios/yes-no/checkboxes question is revealed under it."""
    if not isinstance(cond, Fields) or len(cond.tests) != 1:
        return None
    t = cond.tests[0]
    parent = by_id.get(t.path)
    if parent is None or t.path not in order or order.index(t.path) > order.index(own_id):
        return None
    if parent.kind in ("radios", "yes_no") and t.op in ("is", "one_of"):
        values = t.value if isinstance(t.value, tuple) else (t.value,)
    elif parent.kind in ("checkboxes", "roles") and t.op in ("includes", "includes_any"):
        values = t.value if isinstance(t.value, tuple) else (t.value,)
    else:
        return None
    return (parent.id, values[0]) if len(values) == 1 else None


def _canonical(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _canonical(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_canonical(v) for v in node]
    return node


def parse_form(doc: Any, options: Mapping[str, list], event_specs: Mapping[str, Mapping] | None = None,
               file: str = "form", default_id: str = "", groups: Mapping[str, tuple] | None = None) -> FormDefinition:
    """A checked definition from ``load_yaml`` output. Raises SourceError listing every problem.

    ``options`` are the named option lists ({"roles": [(id, label)], ...}); ``event_specs``
    the event types' fields ({type: {field: FieldSpec}}), to check what the form produces;
    ``groups`` the policy's role groups ({name: roles}), which stand for their members wherever a
    form names roles (`only:`, `except:`, conditions).
    """
    problems = Problems()
    reader = _Reader(file, options, event_specs, problems, groups)
    parts = reader.form(doc, default_id)
    problems.raise_if_any()
    meaning = [_canonical(doc), {k: list(map(list, v)) for k, v in options.items()}]
    if reader.used_groups:  # what the groups it names stand for is part of the form
        meaning.append({g: list(reader.groups[g]) for g in sorted(reader.used_groups)})
    digest = hashlib.sha256(json.dumps(meaning, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return FormDefinition(file=file, hash=digest, **parts)


def load_form(text: str, file: str, options: Mapping[str, list],
              event_specs: Mapping[str, Mapping] | None = None, default_id: str = "",
              groups: Mapping[str, tuple] | None = None) -> FormDefinition:
    """Parse YAML text and the form in it; every mistake located (SourceError)."""
    default_id = default_id or file.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return parse_form(load_yaml(text, file), options, event_specs, file=file, default_id=default_id, groups=groups)


__all__ = ["FormDefinition", "FormField", "Option", "Section", "Check", "Produce", "parse_form", "load_form",
           "answer_spec", "FIELD_KINDS", "SourceError", "Problem"]
