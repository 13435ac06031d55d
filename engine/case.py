"""A child's case: the document other systems send, checked against the policy's vocabulary.

Bad input is reported with file, line and field and nothing is half-read:
an unknown event type, a field the event does not have, a date that does
not exist. A case may come as YAML/JSON text (with line numbers) or as a
plain dict from the API (with field paths).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from hearth.rules.source import (LList, LMap, Loc, Problems, SourceError, load_yaml, parse_date,
                                 parse_date_or_datetime, suggest)

from .vocabulary import EventField, Vocabulary

CASE_KEYS = ("child", "placement", "events", "carer")


@dataclass(frozen=True)
class Event:
    seq: int          # position in the history: by date, then as written
    type: str
    on: date
    at: datetime | None
    fields: dict

    @property
    def when(self) -> date | datetime:
        return self.at or self.on


@dataclass
class Case:
    child: dict
    placement: dict
    events: list           # of Event, in history order
    carer_events: list = field(default_factory=list)
    carer_ref: str | None = None

    def up_to(self, on: date) -> "Case":
        """The case as it stood on a date: later events are ignored."""
        return Case(self.child, self.placement, [e for e in self.events if e.on <= on],
                    [e for e in self.carer_events if e.on <= on], self.carer_ref)


def _walk(node: Any, loc: Loc) -> Loc:
    return getattr(node, "loc", loc)


def _key_loc(node: Any, key: str, default: Loc) -> Loc:
    return node.value_loc(key) if isinstance(node, LMap) else default


class _CaseReader:
    def __init__(self, vocab: Vocabulary, file: str):
        self.vocab = vocab
        self.file = file
        self.p = Problems()

    def loc(self, node: Any, key: str | None = None) -> Loc:
        if key is not None and isinstance(node, LMap) and key in node:
            return node.value_loc(key)
        return getattr(node, "loc", Loc(self.file))

    def keys(self, node: dict, allowed, what: str, path: str) -> None:
        for key in node:
            if key not in allowed:
                loc = node.key_loc(key) if isinstance(node, LMap) else Loc(self.file)
                hint = suggest(str(key), allowed) or f" It may have: {', '.join(allowed)}."
                self.p.add(loc, f"'{key}' is not something {what} can have.{hint}", f"{path}{key}")

    def read(self, doc: Any) -> Case:
        if not isinstance(doc, dict):
            self.p.add(self.loc(doc), "A case must be a mapping with child, placement and events.")
            self.p.raise_if_any()
        self.keys(doc, CASE_KEYS, "a case", "")
        child = self.child(doc.get("child"), doc)
        placement = self.placement(doc.get("placement"), doc)
        events = self.events(doc.get("events"), doc, "events")
        carer_ref, carer_events = None, []
        carer = doc.get("carer")
        if carer is not None:
            if not isinstance(carer, dict):
                self.p.add(self.loc(doc, "carer"), "'carer' must be a mapping with ref and events.", "carer")
            else:
                self.keys(carer, ("ref", "events"), "the carer", "carer.")
                carer_ref = None if carer.get("ref") is None else str(carer.get("ref"))
                carer_events = self.events(carer.get("events"), carer, "carer.events")
        self.p.raise_if_any()
        return Case(child, placement, _ordered(events), _ordered(carer_events), carer_ref)

    def child(self, node: Any, doc: Any) -> dict:
        if node is None:
            return {}
        if not isinstance(node, dict):
            self.p.add(self.loc(doc, "child"), "'child' must be a mapping, for example {ref: C-0001}.", "child")
            return {}
        self.keys(node, ("ref", "date_of_birth"), "the child", "child.")
        out = {}
        if node.get("ref") is not None:
            out["ref"] = str(node["ref"])
        if node.get("date_of_birth") is not None:
            out["date_of_birth"] = self.date(node, "date_of_birth", "child.date_of_birth")
        return out

    def placement(self, node: Any, doc: Any) -> dict:
        if node is None:
            self.p.add(self.loc(doc), "The case needs 'placement' with its type, for example "
                                      "placement: {type: ifa_foster, started: 2025-09-01}.", "placement")
            return {}
        if not isinstance(node, dict):
            self.p.add(self.loc(doc, "placement"), "'placement' must be a mapping with type and started.", "placement")
            return {}
        self.keys(node, ("type", "started"), "the placement", "placement.")
        out = {}
        ptype = node.get("type")
        if ptype is None:
            self.p.add(self.loc(node), "The placement needs a 'type'. Types: "
                                       f"{', '.join(self.vocab.placement_types)}.", "placement.type")
        elif ptype not in self.vocab.placement_types:
            self.p.add(self.loc(node, "type"), f"'{ptype}' is not a placement type.{suggest(str(ptype), self.vocab.placement_types)} "
                                               f"Types: {', '.join(self.vocab.placement_types)}.", "placement.type")
        else:
            out["type"] = ptype
        if node.get("started") is not None:
            out["started"] = self.date(node, "started", "placement.started")
        return out

    def date(self, node: dict, key: str, path: str) -> date | None:
        try:
            return parse_date(node[key])
        except ValueError as exc:
            self.p.add(self.loc(node, key), str(exc), path)
            return None

    def events(self, node: Any, parent: Any, path: str) -> list:
        if node is None:
            return []
        if not isinstance(node, list):
            self.p.add(self.loc(parent, path.split(".")[-1]), f"'{path}' must be a list of events.", path)
            return []
        out = []
        for i, item in enumerate(node):
            event = self.event(item, node, i, f"{path}[{i}]")
            if event is not None:
                out.append(event)
        return out

    def event(self, node: Any, parent: Any, index: int, path: str):
        loc = parent.item_loc(index) if isinstance(parent, LList) else Loc(self.file)
        if not isinstance(node, dict):
            self.p.add(loc, "Each event must be a mapping with a type and a date, "
                            "for example {type: missing_episode, on: 2026-01-03}.", path)
            return None
        etype = node.get("type")
        if etype is None:
            self.p.add(loc, "This event has no 'type'.", f"{path}.type")
            return None
        if etype not in self.vocab.event_types:
            self.p.add(self.loc(node, "type"), f"'{etype}' is not an event type this council's policy knows."
                                               f"{suggest(str(etype), self.vocab.event_types)}", f"{path}.type")
            return None
        specs = self.vocab.event_fields(etype)
        self.keys(node, ("type", "on") + tuple(specs), f"a {etype} event", f"{path}.")
        if node.get("on") is None:
            self.p.add(loc, "This event has no date: add 'on: YYYY-MM-DD'.", f"{path}.on")
            return None
        try:
            when = parse_date_or_datetime(node["on"])
        except ValueError as exc:
            self.p.add(self.loc(node, "on"), str(exc), f"{path}.on")
            return None
        fields = {}
        for name, spec in specs.items():
            if node.get(name) is not None:
                value = self.value(node, name, spec, f"{path}.{name}")
                if value is not None:
                    fields[name] = value
        at = when if isinstance(when, datetime) else None
        return Event(0, etype, when.date() if at else when, at, fields)

    def value(self, node: dict, name: str, spec: EventField, path: str) -> Any:
        raw = node[name]
        loc = self.loc(node, name)
        kind = spec.kind
        if kind == "date":
            try:
                return parse_date(raw)
            except ValueError as exc:
                self.p.add(loc, str(exc), path)
                return None
        if kind == "boolean":
            if raw is True or raw is False:
                return raw
            self.p.add(loc, f"'{name}' is true or false, not '{raw}'.", path)
            return None
        if kind == "number":
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                return raw
            self.p.add(loc, f"'{name}' must be a number, not '{raw}'.", path)
            return None
        if kind in ("role", "action", "choice"):
            allowed = {"role": list(self.vocab.roles) + (list(self.vocab.parties) if spec.parties else []),
                       "action": list(self.vocab.actions), "choice": list(spec.values)}[kind]
            if raw not in allowed:
                self.p.add(loc, f"'{raw}' is not one of the values of '{name}'.{suggest(str(raw), allowed)}", path)
                return None
            return raw
        if kind == "roles":
            items = raw if isinstance(raw, list) else None
            if items is None:
                self.p.add(loc, f"'{name}' must be a list of roles, for example [childs_social_worker, iro].", path)
                return None
            bad = [r for r in items if r not in self.vocab.roles]
            for r in bad:
                self.p.add(loc, f"'{r}' is not a role.{suggest(str(r), self.vocab.roles)}", path)
            return None if bad else tuple(items)
        if isinstance(raw, (dict, list)):
            self.p.add(loc, f"'{name}' must be text.", path)
            return None
        return str(raw)


def _ordered(events: list) -> list:
    """History order: by date (and time), then as written; numbered for 'since' and matching."""
    ordered = sorted(enumerate(events), key=lambda ie: (ie[1].on, ie[1].at or datetime.min, ie[0]))
    return [Event(i, e.type, e.on, e.at, e.fields) for i, (_, e) in enumerate(ordered)]


def parse_case_text(text: str, file: str, vocab: Vocabulary) -> Case:
    """A case document as YAML or JSON text (JSON is YAML 1.2)."""
    doc = load_yaml(text, file)
    return _CaseReader(vocab, file).read(doc)


def parse_case_data(data: Any, vocab: Vocabulary, file: str = "case") -> Case:
    """A case already decoded (the JSON API); errors name the field path."""
    # Round-trip through our YAML loader would lose nothing but time; read directly.
    return _CaseReader(vocab, file).read(data)


def case_to_dict(case: Case) -> dict:
    """The case document form of a Case (dates as ISO text)."""
    def ev(e: Event) -> dict:
        out = {"type": e.type, "on": (e.at or e.on).isoformat()}
        for k, v in e.fields.items():
            out[k] = v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v
        return out
    doc = {"child": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in case.child.items()},
           "placement": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in case.placement.items()},
           "events": [ev(e) for e in case.events]}
    if case.carer_ref or case.carer_events:
        doc["carer"] = {"ref": case.carer_ref, "events": [ev(e) for e in case.carer_events]}
    return json.loads(json.dumps(doc))
