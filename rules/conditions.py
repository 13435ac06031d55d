"""The one condition syntax, shared by rules and forms.

A condition is written in YAML the way a procedure says it::

    {placement.type: [ifa_foster, in_house_foster]}          # fields of the record
    {event: safeguarding_concern, where: {significant: true}} # something happened
    {count: missing_episode, at_least: 3, within: 28 days}    # how often
    {all: [...]}, {any: [...]}, {not: ...}                     # combinations
    {triggered: any, since: care_planning_meeting_held}       # rules only
    {deadline: review_meeting, status: [pending, overdue]}    # rules only
    {count: breakdown, at_least: 3, within: 12 months, judged_on: start}  # deadlines' due and unless

Field tests take a value (equals), a list (one of) or a mapping of tests:
``is``, ``is_not``, ``one_of``, ``not_one_of``, ``at_least``, ``at_most``,
``more_than``, ``less_than``, ``includes``, ``includes_any``,
``includes_none``, ``answered``.

This module parses and validates conditions against a :class:`Scope` (what
fields, events, triggers and deadlines exist where the condition is used) and
evaluates field tests in Python. History conditions are evaluated by the
engine (aggregates) and durable_rules (see :mod:`hearth.rules.compile`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping

from .durations import Duration, DurationError, parse_duration
from .source import LList, LMap, Loc, Problems, loc_of, suggest

FIELD_OPS = ("is", "is_not", "one_of", "not_one_of", "at_least", "at_most", "more_than",
             "less_than", "includes", "includes_any", "includes_none", "answered")
NUMERIC_OPS = ("at_least", "at_most", "more_than", "less_than")
LIST_OPS = ("includes", "includes_any", "includes_none")
DEADLINE_STATUSES = ("pending", "met", "overdue", "late", "waived")
# Which day a history condition in a deadline's or duty's `due` rows or `unless` is judged on:
# the day the instance started (as things stood then) or the day evaluated.
JUDGED_ON = ("start", "today")


# --------------------------------------------------------------------------- AST
@dataclass(frozen=True)
class FieldTest:
    path: str
    op: str
    value: Any
    loc: Loc = field(default=Loc("?"), compare=False)


@dataclass(frozen=True)
class Fields:
    tests: tuple[FieldTest, ...]


@dataclass(frozen=True)
class All:
    items: tuple


@dataclass(frozen=True)
class AnyOf:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: Any


@dataclass(frozen=True)
class EventCond:
    """At least ``at_least`` events of ``types`` matching ``where``, in the window."""

    types: tuple[str, ...]
    at_least: int = 1
    where: tuple[FieldTest, ...] = ()
    within: Duration | None = None
    since: tuple[str, ...] = ()
    same_day: bool = False
    per: str = "child"
    judged_on: str = "today"
    since_trigger: bool = False  # only events after the latest trigger firing (a gate's `since: trigger`)
    loc: Loc = field(default=Loc("?"), compare=False)


@dataclass(frozen=True)
class Triggered:
    triggers: tuple[str, ...]  # empty means any trigger
    since: tuple[str, ...] = ()
    judged_on: str = "today"


@dataclass(frozen=True)
class DeadlineIs:
    deadline: str
    statuses: tuple[str, ...]


Condition = Any  # one of the classes above

ALWAYS = All(())


# ------------------------------------------------------------------------ scope
@dataclass(frozen=True)
class FieldSpec:
    """What a field holds, so conditions can be checked before they run."""

    kind: str = "text"  # text, number, boolean, date, choice, list
    choices: tuple = ()  # allowed values for choice/list fields, empty = any


@dataclass
class Scope:
    """What a condition may refer to where it is written."""

    fields: Mapping[str, FieldSpec]
    events: Mapping[str, Mapping[str, FieldSpec]] | None = None  # None: no history here
    triggers: Iterable[str] | None = None
    deadlines: Iterable[str] | None = None
    groups: Mapping[str, tuple] = field(default_factory=dict)  # named lists, e.g. managers
    anchored: bool = False  # inside a deadline/duty: same_day is allowed
    judged_on: str | None = None  # where `judged_on` may be written: its default here (None: not here)


# ----------------------------------------------------------------------- parser
_STRUCTURAL = {"all", "any", "not", "event", "count", "triggered", "deadline"}
_EVENT_KEYS = ("event", "where", "within", "since", "same_day", "per", "judged_on")
_COUNT_KEYS = ("count", "at_least", "where", "within", "since", "same_day", "per", "judged_on")


def parse_condition(node: Any, scope: Scope, problems: Problems, loc: Loc) -> Condition:
    """Parse and check one condition; problems are collected, never raised here."""
    loc = loc_of(node, loc)
    if isinstance(node, LList):
        return All(tuple(parse_condition(item, scope, problems, node.item_loc(i)) for i, item in enumerate(node)))
    if not isinstance(node, LMap) or not node:
        problems.add(loc, "A condition must be a mapping, for example "
                          "{event: allegation} or {placement.type: ifa_foster}.")
        return ALWAYS
    keys = set(node)
    if "all" in keys or "any" in keys:
        key = "all" if "all" in keys else "any"
        problems.check_keys(node, [key], f"an '{key}' condition")
        items = node[key]
        if not isinstance(items, LList) or not items:
            problems.add(node.value_loc(key), f"'{key}' needs a list of conditions.")
            return ALWAYS
        parsed = tuple(parse_condition(item, scope, problems, items.item_loc(i)) for i, item in enumerate(items))
        return All(parsed) if key == "all" else AnyOf(parsed)
    if "not" in keys:
        problems.check_keys(node, ["not"], "a 'not' condition")
        return Not(parse_condition(node["not"], scope, problems, node.value_loc("not")))
    if "event" in keys or "count" in keys:
        return _parse_event(node, scope, problems)
    if "triggered" in keys:
        return _parse_triggered(node, scope, problems)
    if "deadline" in keys:
        return _parse_deadline(node, scope, problems)
    return Fields(parse_field_tests(node, scope.fields, scope.groups, problems, "the record"))


def _names(node: Any, loc: Loc, problems: Problems, what: str) -> tuple[str, ...]:
    if isinstance(node, str):
        return (node,)
    if isinstance(node, LList) and node and all(isinstance(x, str) for x in node):
        return tuple(node)
    problems.add(loc, f"{what} must be a name or a list of names.")
    return ()


def _check_event_types(types, node: LMap, key: str, scope: Scope, problems: Problems) -> None:
    for t in types:
        if t not in scope.events:
            problems.add(node.value_loc(key), f"'{t}' is not an event type this policy knows.{suggest(t, scope.events)} "
                                              "Declare the council's own event types under vocabulary: event_types.", key)


def _parse_event(node: LMap, scope: Scope, problems: Problems) -> Condition:
    counting = "count" in node
    key = "count" if counting else "event"
    problems.check_keys(node, _COUNT_KEYS if counting else _EVENT_KEYS,
                        "a 'count' condition" if counting else "an 'event' condition",
                        required=["at_least"] if counting else ())
    if scope.events is None:
        problems.add(node.key_loc(key), "Conditions here can only test answers and fields, not the case's events.", key)
        return ALWAYS
    types = _names(node[key], node.value_loc(key), problems, f"'{key}'")
    _check_event_types(types, node, key, scope, problems)
    at_least = 1
    if counting and "at_least" in node:
        at_least = node["at_least"]
        if isinstance(at_least, bool) or not isinstance(at_least, int) or at_least < 1:
            problems.add(node.value_loc("at_least"), "'at_least' must be a whole number, 1 or more.", "at_least")
            at_least = 1
    where: tuple[FieldTest, ...] = ()
    if "where" in node:
        # an event's fields: those common to every type named
        known = [scope.events.get(t) for t in types if t in scope.events]
        fields: dict[str, FieldSpec] = {}
        if known:
            fields = dict(known[0])
            for other in known[1:]:
                fields = {k: v for k, v in fields.items() if k in other}
        where_node = node["where"]
        if not isinstance(where_node, LMap):
            problems.add(node.value_loc("where"), "'where' must be a mapping of the event's fields to what they must be, "
                                                  "for example {significant: true}.", "where")
        else:
            where = parse_field_tests(where_node, fields, scope.groups, problems, f"a {' or '.join(types)} event")
    within = None
    if "within" in node:
        within = _duration(node, "within", problems)
    since: tuple[str, ...] = ()
    if "since" in node:
        since = _names(node["since"], node.value_loc("since"), problems, "'since'")
        _check_event_types(since, node, "since", scope, problems)
    same_day = node.get("same_day", False)
    if "same_day" in node and (same_day is not True and same_day is not False):
        problems.add(node.value_loc("same_day"), "'same_day' is true or false.", "same_day")
        same_day = False
    if same_day and not scope.anchored:
        problems.add(node.key_loc("same_day"), "'same_day' only makes sense in a deadline or duty, "
                                               "where it means the same day as the event that started it.", "same_day")
    per = node.get("per", "child")
    if per not in ("child", "carer"):
        problems.add(node.value_loc("per"), f"'per' is 'child' (this child's events) or 'carer' "
                                            f"(the carer's events across all the children they care for), not '{per}'.", "per")
        per = "child"
    return EventCond(types=types, at_least=at_least, where=where, within=within, since=since,
                     same_day=bool(same_day), per=per, judged_on=_judged_on(node, scope, problems), loc=node.loc)


def _judged_on(node: LMap, scope: Scope, problems: Problems) -> str:
    """The day a history condition is judged on: what it says, or the default where it is written."""
    if "judged_on" not in node:
        return scope.judged_on or "today"
    value = node["judged_on"]
    if scope.judged_on is None:
        problems.add(node.key_loc("judged_on"), "'judged_on' is for the history conditions of a deadline's or "
                                                "duty's 'due' rows and 'unless', which can be judged as things "
                                                "stood when it started; elsewhere a condition is judged on the "
                                                "day evaluated.", "judged_on")
        return "today"
    if value not in JUDGED_ON:
        problems.add(node.value_loc("judged_on"), f"'judged_on' is 'start' (as things stood when the deadline or "
                                                  f"duty started) or 'today' (the day evaluated), not '{value}'."
                                                  f"{suggest(str(value), JUDGED_ON)}", "judged_on")
        return scope.judged_on
    return value


def _duration(node: LMap, key: str, problems: Problems) -> Duration | None:
    try:
        return parse_duration(str(node[key]))
    except DurationError as exc:
        problems.add(node.value_loc(key), str(exc), key)
        return None


def _parse_triggered(node: LMap, scope: Scope, problems: Problems) -> Condition:
    problems.check_keys(node, ["triggered", "since", "judged_on"], "a 'triggered' condition")
    if scope.triggers is None:
        problems.add(node.key_loc("triggered"), "'triggered' can only be used in a policy's recommendation and in a "
                                                "deadline's or duty's 'due' rows and 'unless'.", "triggered")
        return ALWAYS
    value = node["triggered"]
    triggers: tuple[str, ...] = ()
    if value != "any":
        triggers = _names(value, node.value_loc("triggered"), problems, "'triggered'")
        known = list(scope.triggers)
        for t in triggers:
            if t not in known:
                problems.add(node.value_loc("triggered"), f"There is no trigger '{t}'.{suggest(t, known)}", "triggered")
    since: tuple[str, ...] = ()
    if "since" in node:
        since = _names(node["since"], node.value_loc("since"), problems, "'since'")
        if scope.events is not None:
            _check_event_types(since, node, "since", scope, problems)
    return Triggered(triggers, since, _judged_on(node, scope, problems))


def _parse_deadline(node: LMap, scope: Scope, problems: Problems) -> Condition:
    problems.check_keys(node, ["deadline", "status"], "a 'deadline' condition", required=["status"])
    known = list(scope.deadlines or ())
    name = node["deadline"]
    if scope.deadlines is None:
        problems.add(node.key_loc("deadline"), "'deadline' conditions can only be used in a policy's recommendation.")
    elif name not in known:
        problems.add(node.value_loc("deadline"), f"There is no deadline '{name}'.{suggest(name, known)}", "deadline")
    statuses = _names(node.get("status", ()), node.value_loc("status"), problems, "'status'") if "status" in node else ()
    for s in statuses:
        if s not in DEADLINE_STATUSES:
            problems.add(node.value_loc("status"), f"'{s}' is not a deadline status.{suggest(s, DEADLINE_STATUSES)} "
                                                   f"Statuses are {', '.join(DEADLINE_STATUSES)}.", "status")
    return DeadlineIs(str(name), statuses)


def limited_since(cond: Condition, since: tuple[str, ...], since_trigger: bool) -> Condition:
    """A condition whose history conditions without a `since` of their own count only after the
    latest of these events (or, with since_trigger, after the latest trigger firing): a gate's `since`.
    A carer's events (`per: carer`) are another history, so they are left as they are."""
    if isinstance(cond, EventCond):
        if cond.since or cond.since_trigger or cond.per != "child":
            return cond
        return replace(cond, since=since, since_trigger=since_trigger)
    if isinstance(cond, Triggered):
        return cond if cond.since or since_trigger else replace(cond, since=since)
    if isinstance(cond, (All, AnyOf)):
        return type(cond)(tuple(limited_since(c, since, since_trigger) for c in cond.items))
    if isinstance(cond, Not):
        return Not(limited_since(cond.item, since, since_trigger))
    return cond


def parse_field_tests(node: LMap, fields: Mapping[str, FieldSpec], groups: Mapping[str, tuple],
                      problems: Problems, what: str) -> tuple[FieldTest, ...]:
    """``{path: value | [values] | {op: value}}`` — every test must hold."""
    tests = []
    for path, spec in node.items():
        loc = node.key_loc(path)
        path = str(path)
        if fields is not None and path not in fields:
            known = list(fields)
            hint = suggest(path, known + sorted(_STRUCTURAL)) or (
                f" Fields of {what}: {', '.join(known)}." if known else "")
            problems.add(loc, f"'{path}' is not a field of {what}.{hint}", path)
            continue
        fspec = fields.get(path, FieldSpec()) if fields is not None else FieldSpec()
        vloc = node.value_loc(path)
        if isinstance(spec, LMap):
            for op, value in spec.items():
                oploc = spec.key_loc(op)
                if op not in FIELD_OPS:
                    problems.add(oploc, f"'{op}' is not a test I know.{suggest(op, FIELD_OPS)} "
                                        f"Tests are: {', '.join(FIELD_OPS)}.", path)
                    continue
                tests.append(_make_test(path, op, value, fspec, groups, problems, spec.value_loc(op)))
        elif isinstance(spec, LList):
            tests.append(_make_test(path, "one_of", spec, fspec, groups, problems, vloc))
        else:
            tests.append(_make_test(path, "is", spec, fspec, groups, problems, vloc))
    return tuple(tests)


def _make_test(path: str, op: str, value: Any, spec: FieldSpec, groups: Mapping[str, tuple],
               problems: Problems, loc: Loc) -> FieldTest:
    if isinstance(value, str) and value in groups and op in _GROUP_OPS:
        op = _GROUP_OPS[op]  # a group named alone stands for one of its members: "includes a team manager"
    if op in ("one_of", "not_one_of", "includes_any", "includes_none"):
        values = list(value) if isinstance(value, list) else [value]
        expanded: list = []
        for v in values:
            expanded.extend(groups.get(v, (v,)) if isinstance(v, str) else (v,))
        value = tuple(expanded)
        for v in value:
            _check_choice(path, v, spec, problems, loc)
    elif op == "answered":
        if value not in (True, False):
            problems.add(loc, "'answered' is true or false.", path)
    elif op in NUMERIC_OPS:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.add(loc, f"'{op}' needs a number, not '{value}'.", path)
    else:
        if isinstance(value, (list, dict)):
            problems.add(loc, f"'{op}' needs a single value.", path)
            value = str(value)
        else:
            _check_choice(path, value, spec, problems, loc)
            if spec.kind == "boolean" and value not in (True, False):
                problems.add(loc, f"'{path}' is true or false, not '{value}'.", path)
    if op in LIST_OPS and spec.kind not in ("list", "text"):
        problems.add(loc, f"'{op}' tests a list (such as attendees); '{path}' is not a list.", path)
    return FieldTest(path, op, value, loc)


# A role group's name where one value goes: the test holds for any one of its members.
_GROUP_OPS = {"is": "one_of", "is_not": "not_one_of", "includes": "includes_any"}


def _check_choice(path: str, value: Any, spec: FieldSpec, problems: Problems, loc: Loc) -> None:
    if spec.choices and value not in spec.choices:
        problems.add(loc, f"'{value}' is not one of the values of '{path}'.{suggest(str(value), map(str, spec.choices))}",
                     path)


# -------------------------------------------------------------------- evaluation
def field_value(record: Mapping[str, Any], path: str) -> Any:
    """A field's value in a record, as a test reads it: the path itself as a key, else the path
    into nested mappings (None when there is none)."""
    value = record.get(path, _ABSENT)
    if value is not _ABSENT:
        return value
    value = record
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


_ABSENT = object()


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _missing(value: Any) -> bool:
    return value is None or value == "" or value == []


def _items(value: Any) -> list | tuple:
    return value if isinstance(value, (list, tuple)) else ([] if _missing(value) else [value])


def _includes_any(value: Any, want: Any) -> bool:
    items = _items(value)  # once, not once for each value wanted
    for wanted in want:
        if wanted in items:
            return True
    return False


def _compared(holds):
    def compare(value: Any, want: Any) -> bool:
        n, w = _number(value), _number(want)
        return n is not None and w is not None and holds(n, w)
    return compare


# Each operation on a field's value (as field_value finds it) and the test's value: the one place a
# field test's meaning is written. A missing answer equals nothing and is no number.
VALUE_OPS = {
    "answered": lambda value, want: (not _missing(value)) == bool(want),
    "is": lambda value, want: not _missing(value) and value == want,
    "is_not": lambda value, want: _missing(value) or value != want,
    "one_of": lambda value, want: not _missing(value) and value in want,
    "not_one_of": lambda value, want: _missing(value) or value not in want,
    "at_least": _compared(lambda n, w: n >= w),
    "at_most": _compared(lambda n, w: n <= w),
    "more_than": _compared(lambda n, w: n > w),
    "less_than": _compared(lambda n, w: n < w),
    "includes": lambda value, want: want in _items(value),
    "includes_any": lambda value, want: _includes_any(value, want),
    "includes_none": lambda value, want: not _includes_any(value, want),
}


def test_holds(test: FieldTest, record: Mapping[str, Any]) -> bool:
    """One field test on a record. A missing answer equals nothing and is no number."""
    holds = VALUE_OPS.get(test.op)
    if holds is None:
        raise ValueError(f"unknown test {test.op}")
    return holds(field_value(record, test.path), test.value)


def fields_hold(tests: Iterable[FieldTest], record: Mapping[str, Any]) -> bool:
    for test in tests:  # a loop, not all() over a generator: asked of every event a `where` filters
        if not test_holds(test, record):
            return False
    return True


def holds(condition: Condition, record: Mapping[str, Any]) -> bool:
    """Evaluate a condition made only of field tests (forms' show/require rules)."""
    if isinstance(condition, Fields):
        return fields_hold(condition.tests, record)
    if isinstance(condition, All):
        return all(holds(c, record) for c in condition.items)
    if isinstance(condition, AnyOf):
        return any(holds(c, record) for c in condition.items)
    if isinstance(condition, Not):
        return not holds(condition.item, record)
    raise TypeError(f"{type(condition).__name__} needs a case history; use the engine to evaluate it")


def referenced_fields(condition: Condition) -> set[str]:
    """Field paths a condition reads (forms use this to order and check dependencies)."""
    if isinstance(condition, Fields):
        return {t.path for t in condition.tests}
    if isinstance(condition, (All, AnyOf)):
        return set().union(*(referenced_fields(c) for c in condition.items)) if condition.items else set()
    if isinstance(condition, Not):
        return referenced_fields(condition.item)
    return set()


def describe_test(test: FieldTest) -> str:
    """Plain English for explanations: 'placement type is ifa_foster'."""
    name = test.path.replace("_", " ").replace(".", " ")
    value = test.value
    if isinstance(value, tuple):
        value = " or ".join(str(v) for v in value)
    words = {"is": "is", "is_not": "is not", "one_of": "is", "not_one_of": "is not", "at_least": "is at least",
             "at_most": "is at most", "more_than": "is more than", "less_than": "is less than",
             "includes": "includes", "includes_any": "includes", "includes_none": "includes none of",
             "answered": "is answered" if test.value else "is not answered"}
    if test.op == "answered":
        return f"{name} {words['answered']}"
    if isinstance(value, bool):
        value = "yes" if value else "no"
    return f"{name} {words[test.op]} {value}"
