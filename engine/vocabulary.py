"""The words a policy may use: roles, placement types, event types and their fields.

The shared vocabulary of the evaluation contract lives in ``vocabulary.yaml``
beside this file; a council's version file adds its own under ``vocabulary:``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path

from hearth.rules.conditions import FieldSpec
from hearth.rules.limits import LimitError, check_magnitude
from hearth.rules.source import LList, LMap, Loc, Problems, load_yaml, suggest

SHARED_FILE = Path(__file__).with_name("vocabulary.yaml")
FIELD_KINDS = ("text", "number", "boolean", "date", "role", "roles", "action", "placement_type", "choice")
_SECTIONS = ("placement_types", "roles", "parties", "role_groups", "actions", "recommendations",
             "event_types", "common_event_fields", "app_roles", "recorded_by_default")
# What a council's vocabulary may say besides adding words: its own names for shared words
# (`labels`) and which roles its forms offer (`offers_roles`).
_COUNCIL_SECTIONS = ("labels", "offers_roles")
# The shared words a council may give its own name (`labels:`).
_LABELLED = ("placement_types", "roles", "parties", "recommendations", "actions", "event_types")


@dataclass(frozen=True)
class EventField:
    kind: str
    values: tuple = ()       # for choice
    parties: bool = False    # a role field that also accepts 'carer' and other parties
    required: bool = False   # every event of the type must carry it
    min: int | float | None = None     # number: the smallest value
    max: int | float | None = None     # number: the largest value
    whole: bool = False                # number: no fractions
    max_length: int | None = None      # text: most characters (hearth.rules.limits.MAX_TEXT_LENGTH if None)
    not_future: bool = False           # date: not after the day it is recorded


@dataclass(frozen=True)
class EventType:
    id: str
    label: str
    fields: dict = field(default_factory=dict)  # name -> EventField
    recorded_by: tuple = ()  # the app roles that may record it; () means the vocabulary's default
    # `closes_case:`: recording it closes the case (the web's case status), its outcome read
    # from the field named here (None: a closing with no outcome field)
    closes_case: bool = False
    outcome_field: str | None = None


@dataclass
class Vocabulary:
    placement_types: dict = field(default_factory=dict)   # id -> label
    roles: dict = field(default_factory=dict)
    parties: dict = field(default_factory=dict)
    role_groups: dict = field(default_factory=dict)       # name -> tuple of roles
    actions: dict = field(default_factory=dict)           # id -> {"label", "costed"}
    recommendations: dict = field(default_factory=dict)
    event_types: dict = field(default_factory=dict)       # id -> EventType
    common_event_fields: dict = field(default_factory=dict)
    app_roles: dict = field(default_factory=dict)         # the web app's roles: id -> label
    recorded_by_default: tuple = ()                       # who records a type that says nothing
    offered_roles: tuple = ()     # the roles the council's forms offer, in order; () offers every role

    def copy(self) -> "Vocabulary":
        return Vocabulary(**{f.name: (dict(v) if isinstance(v := getattr(self, f.name), dict) else v)
                             for f in fields(self)})

    def recorders(self, event_type: str) -> tuple:
        """The app roles (worker, manager, ...) that may record this event type, through any
        form or API call: its own `recorded_by`, else the vocabulary's `recorded_by_default`."""
        return self.event_types[event_type].recorded_by or self.recorded_by_default

    def field_spec(self, f: EventField) -> FieldSpec:
        if f.kind == "role":
            return FieldSpec("choice", tuple(self.roles) + (tuple(self.parties) if f.parties else ()))
        if f.kind == "roles":
            return FieldSpec("list", tuple(self.roles))
        if f.kind == "action":
            return FieldSpec("choice", tuple(self.actions))
        if f.kind == "placement_type":
            return FieldSpec("choice", tuple(self.placement_types))
        if f.kind == "choice":
            return FieldSpec("choice", f.values)
        return FieldSpec(f.kind)

    def event_fields(self, event_type: str) -> dict:
        et = self.event_types[event_type]
        return {**self.common_event_fields, **et.fields}

    def event_fields_scope(self) -> dict:
        """Every event type's own fields as FieldSpecs: what an event carries (what a form may fill)."""
        return {t: {n: self.field_spec(f) for n, f in self.event_fields(t).items()} for t in self.event_types}

    def event_scope(self) -> dict:
        """What a condition's `where` may test on each event type: its own fields, and the
        placement in force when it happened (placement.type, placement.started, placement.emergency)."""
        placement = self.placement_fields()
        return {t: {**fields, **placement} for t, fields in self.event_fields_scope().items()}

    def placement_fields(self) -> dict:
        """The fields of the placement in force, as conditions name them (hearth.engine.case.Placement)."""
        return {"placement.type": FieldSpec("choice", tuple(self.placement_types)),
                "placement.started": FieldSpec("date"), "placement.emergency": FieldSpec("boolean")}

    def case_fields(self) -> dict:
        return {"child.ref": FieldSpec("text"), "child.age": FieldSpec("number"), **self.placement_fields()}

    def options(self) -> dict:
        """Named option lists for forms: one change to a menu changes every form. The roles are
        the council's (`offers_roles`): its forms never offer a role of another council's process."""
        roles = [(role, self.roles[role]) for role in self.offered_roles] if self.offered_roles else \
            list(self.roles.items())
        return {
            "roles": roles,
            "parties": roles + list(self.parties.items()),
            "placement_types": list(self.placement_types.items()),
            "event_types": [(t.id, t.label) for t in self.event_types.values()],
            "actions": [(a, v["label"]) for a, v in self.actions.items()],
            "recommendations": list(self.recommendations.items()),
        }


_EVENT_TYPE_KEYS = ["label", "costed", "fields", "recorded_by", "closes_case"]


def _label(node, key, problems: Problems, what: str) -> str:
    value = node.get(key) if isinstance(node, LMap) else None
    if isinstance(value, LMap):
        problems.check_keys(value, _EVENT_TYPE_KEYS if what == "event type" else
                            ["label", "costed"] if what == "action" else ["label"], f"a {what}")
        label = value.get("label")
    else:
        label = value
    if not isinstance(label, str) or not label.strip():
        problems.add(node.value_loc(key), f"Give the {what} '{key}' a label, for example "
                                          f"{key}: {{label: {key.replace('_', ' ').capitalize()}}}.", key)
        return key.replace("_", " ")
    return label


# What each kind of field may declare besides `kind` (and `required`, which any may):
# the case reader enforces them for every event however it arrives (hearth.engine.case),
# and recording adds `not_future` against the day it is recorded (hearth.engine.recording).
FIELD_DECLARATIONS = {
    "number": ("min", "max", "whole"),
    "text": ("max_length",),
    "date": ("not_future",),
    "role": ("parties",),
    "choice": ("values",),
}
_FIELD_KEYS = ("kind", "required") + tuple(dict.fromkeys(k for keys in FIELD_DECLARATIONS.values() for k in keys))
# a declaration meant for another kind, and the one this kind has instead
_INSTEAD = {("text", "max"): "max_length", ("text", "min"): "max_length", ("number", "max_length"): "max",
            ("date", "min"): "not_future", ("date", "max"): "not_future"}


def _event_fields(node, problems: Problems, owner: str) -> dict:
    out = {}
    if node is None:
        return out
    if not isinstance(node, LMap):
        problems.add(getattr(node, "loc", Loc("?")), f"The fields of '{owner}' must be a mapping of name to {{kind: ...}}.")
        return out
    for name, spec in node.items():
        if not isinstance(spec, LMap):
            problems.add(node.value_loc(name), f"Field '{name}' needs a kind, for example {name}: {{kind: text}}. "
                                               f"Kinds: {', '.join(FIELD_KINDS)}.", name)
            continue
        problems.check_keys(spec, _FIELD_KEYS, "an event field", required=["kind"])
        kind = spec.get("kind", "text")
        if not isinstance(kind, str) or kind not in FIELD_KINDS:
            problems.add(spec.value_loc("kind"), f"'{kind}' is not a field kind.{suggest(str(kind), FIELD_KINDS)} "
                                                 f"Kinds: {', '.join(FIELD_KINDS)}.", name)
            kind = "text"
        for key in spec:
            if key in _FIELD_KEYS and key not in ("kind", "required") and key not in FIELD_DECLARATIONS.get(kind, ()):
                instead = _INSTEAD.get((kind, key))
                hint = f" Did you mean '{instead}'?" if instead else ""
                owners = [k for k, keys in FIELD_DECLARATIONS.items() if key in keys]
                problems.add(spec.key_loc(key), f"'{key}' is for {' and '.join(owners)} fields; '{name}' is a {kind} "
                                                f"field.{hint}", f"{name}.{key}")
        values = spec.get("values", ())
        if kind == "choice" and (not isinstance(values, LList) or not values):
            problems.add(spec.loc, "A choice field needs 'values', for example values: [a, b].", name)
        if not isinstance(values, LList) or any(not isinstance(v, str) for v in values):
            values = ()
        declared = {key: _flag(spec, key, name, problems) for key in ("parties", "required", "whole", "not_future")}
        bounds = {key: _bound(spec, key, name, problems) for key in ("min", "max")}
        if None not in bounds.values() and bounds["min"] > bounds["max"]:
            problems.add(spec.value_loc("min"), f"'{name}' has min {bounds['min']} above its max {bounds['max']}.",
                         f"{name}.min")
        max_length = _bound(spec, "max_length", name, problems, whole=True, least=1)
        out[str(name)] = EventField(kind, tuple(values), **declared, **bounds, max_length=max_length)
    return out


def _flag(spec: LMap, key: str, name: str, problems: Problems) -> bool:
    value = spec.get(key, False)
    if value is not True and value is not False:
        problems.add(spec.value_loc(key), f"'{key}' is true or false, not '{value}'.", f"{name}.{key}")
        return False
    return value


def _bound(spec: LMap, key: str, name: str, problems: Problems, whole: bool = False, least=None):
    """A number a field declares (min, max, max_length): finite, within the service's limits."""
    value = spec.get(key)
    if value is None:
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise LimitError(f"'{key}' must be a number, for example {key}: 20")
        check_magnitude(value)
        if whole and value != int(value):
            raise LimitError(f"'{key}' must be a whole number")
        if least is not None and value < least:
            raise LimitError(f"'{key}' must be {least} or more")
    except LimitError as exc:
        problems.add(spec.value_loc(key), f"{str(exc)[:1].upper()}{str(exc)[1:]}.", f"{name}.{key}")
        return None
    return int(value) if whole else value


def _app_role_list(node: LMap, key: str, vocab: Vocabulary, problems: Problems, owner: str) -> tuple:
    """A non-empty list of the app's roles (worker, manager, policy_officer, admin)."""
    value = node.get(key)
    if not isinstance(value, LList) or not value:
        problems.add(node.value_loc(key), f"'{key}' is a list of the app's roles, for example "
                                          f"{key}: [manager]. Roles: {', '.join(vocab.app_roles)}.", owner)
        return ()
    for index, role in enumerate(value):
        if role not in vocab.app_roles:
            problems.add(value.item_loc(index), f"'{role}' is not one of the app's roles.{suggest(str(role), vocab.app_roles)} "
                                                f"Roles: {', '.join(vocab.app_roles)}.", owner)
    return tuple(str(role) for role in value)


def _closes_case(node: LMap, fields: dict, problems: Problems, owner: str) -> tuple[bool, str | None]:
    """`closes_case: true`, or `closes_case: {outcome: field}` naming the event's field that
    holds the case's outcome: recording the event closes the case, so the web need not know
    which of a council's event types ends its work."""
    value = node.get("closes_case")
    if value is True or value is False:
        return value, None
    if isinstance(value, LMap):
        problems.check_keys(value, ["outcome"], "closes_case")
        outcome = value.get("outcome")
        if outcome is None or str(outcome) in fields:
            return True, None if outcome is None else str(outcome)
        problems.add(value.value_loc("outcome"), f"'{outcome}' is not a field of '{owner}'."
                                                 f"{suggest(str(outcome), fields)}", f"{owner}.closes_case")
        return True, None
    problems.add(node.value_loc("closes_case"), "'closes_case' is true, or {outcome: <a field of the event>}, "
                                                "for example closes_case: {outcome: outcome}.", owner)
    return False, None


def merge_vocabulary(base: Vocabulary, node, problems: Problems) -> Vocabulary:
    """Add a vocabulary block (the shared file's, or a council's additions) to ``base``."""
    vocab = base.copy()
    if node is None:
        return vocab
    if not isinstance(node, LMap):
        problems.add(getattr(node, "loc", Loc("?")), "'vocabulary' must be a mapping of sections such as roles and event_types.")
        return vocab
    problems.check_keys(node, _SECTIONS + (_COUNCIL_SECTIONS if base is not EMPTY else ()), "the vocabulary")
    for section in ("placement_types", "roles", "parties", "recommendations"):
        block = node.get(section) or {}
        for key in block:
            if key in getattr(vocab, section) and base is not EMPTY:
                problems.add(block.key_loc(key), f"'{key}' is already in the shared vocabulary; "
                                                 "use it as it is or choose another name.", key)
            getattr(vocab, section)[str(key)] = _label(block, key, problems, section[:-1].replace("_", " "))
    for key, value in (node.get("actions") or {}).items():
        block = node["actions"]
        costed = value.get("costed", False) if isinstance(value, LMap) else False
        vocab.actions[str(key)] = {"label": _label(block, key, problems, "action"), "costed": bool(costed)}
    vocab.common_event_fields.update(_event_fields(node.get("common_event_fields"), problems, "every event"))
    app_roles = node.get("app_roles")
    if app_roles is not None:
        if base is not EMPTY:
            problems.add(node.key_loc("app_roles"), "The app's roles are the shared vocabulary's; "
                                                    "a council cannot add to them.", "app_roles")
        else:
            for key in app_roles:
                vocab.app_roles[str(key)] = _label(app_roles, key, problems, "app role")
    if "recorded_by_default" in node:
        vocab.recorded_by_default = _app_role_list(node, "recorded_by_default", vocab, problems, "recorded_by_default")
    events = node.get("event_types") or {}
    for key, value in events.items():
        if key in vocab.event_types and base is not EMPTY:
            problems.add(events.key_loc(key), f"'{key}' is already a shared event type; choose another name.", key)
        label = _label(events, key, problems, "event type")
        fields = _event_fields(value.get("fields") if isinstance(value, LMap) else None, problems, key)
        recorded_by = (_app_role_list(value, "recorded_by", vocab, problems, key)
                       if isinstance(value, LMap) and "recorded_by" in value else ())
        closes, outcome = (_closes_case(value, fields, problems, key) if isinstance(value, LMap)
                           and "closes_case" in value else (False, None))
        vocab.event_types[str(key)] = EventType(str(key), label, fields, recorded_by, closes, outcome)
    groups = node.get("role_groups") or {}
    for name, members in groups.items():
        if not isinstance(members, LList) or not members:
            problems.add(groups.value_loc(name), f"The role group '{name}' needs a list of roles.", name)
            continue
        for i, role in enumerate(members):
            if role not in vocab.roles:
                problems.add(members.item_loc(i), f"'{role}' is not a role.{suggest(role, vocab.roles)}", name)
        if name in vocab.roles:
            problems.add(groups.key_loc(name), f"'{name}' is a role; a group needs a name of its own.", name)
        vocab.role_groups[str(name)] = tuple(members)
    if "labels" in node:
        _relabel(vocab, node, problems)
    if "offers_roles" in node:
        own = tuple(str(role) for role in (node.get("roles") or {}))
        vocab.offered_roles = _offered_roles(vocab, node, own, problems)
    return vocab


def _relabel(vocab: Vocabulary, node: LMap, problems: Problems) -> None:
    """`labels:` the council's own names for shared words, section by section (a meeting the
    council calls a stable homes meeting), so every page and form uses its name for it."""
    labels = node["labels"]
    if not isinstance(labels, LMap):
        problems.add(node.value_loc("labels"), "'labels' gives the council's own names for shared words, section "
                                               "by section, for example labels: {recommendations: "
                                               "{hold_stability_meeting: Hold a stable homes meeting}}.", "labels")
        return
    problems.check_keys(labels, _LABELLED, "labels")
    for section in labels:
        block, known = labels[section], getattr(vocab, str(section), None)
        if known is None:
            continue  # reported by check_keys
        if not isinstance(block, LMap):
            problems.add(labels.value_loc(section), f"'labels.{section}' maps each id to the council's own name, "
                                                    f"for example {next(iter(known), 'id')}: Our own name.",
                         f"labels.{section}")
            continue
        for key, label in block.items():
            where = f"labels.{section}.{key}"
            if key not in known:
                problems.add(block.key_loc(key), f"'{key}' is not one of the {section.replace('_', ' ')}."
                                                 f"{suggest(str(key), known)}", where)
            elif not isinstance(label, str) or not label.strip():
                problems.add(block.value_loc(key), f"Give '{key}' a name in words, for example "
                                                   f"{key}: {str(key).replace('_', ' ').capitalize()}.", where)
            elif section == "event_types":
                known[key] = replace(known[key], label=label)
            elif section == "actions":
                known[key] = {**known[key], "label": label}
            else:
                known[key] = label


def _offered_roles(vocab: Vocabulary, node: LMap, own: tuple, problems: Problems) -> tuple:
    """`offers_roles:` the shared roles the council's process uses, which its forms offer (with
    the roles it adds itself). The others stay readable in stored records, never offered."""
    listed = node["offers_roles"]
    if not isinstance(listed, LList) or not listed:
        problems.add(node.value_loc("offers_roles"), "'offers_roles' is a list of the shared roles the council's "
                                                     "forms offer, for example offers_roles: [child, "
                                                     "childs_social_worker].", "offers_roles")
        return ()
    offered = []
    for index, role in enumerate(listed):
        if role not in vocab.roles:
            problems.add(listed.item_loc(index), f"'{role}' is not a role.{suggest(str(role), vocab.roles)}",
                         "offers_roles")
        elif role not in offered:
            offered.append(str(role))
    return tuple(offered + [role for role in own if role not in offered])


EMPTY = Vocabulary()


@lru_cache(maxsize=1)
def shared_vocabulary() -> Vocabulary:
    problems = Problems()
    text = SHARED_FILE.read_text(encoding="utf-8")
    vocab = merge_vocabulary(EMPTY, load_yaml(text, str(SHARED_FILE)), problems)
    problems.raise_if_any()
    return vocab


def shared_vocabulary_text() -> str:
    return SHARED_FILE.read_text(encoding="utf-8")
