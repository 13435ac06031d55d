"""Compile conditions to durable_rules expressions over ONE fact.

durable_rules 2.0.28 crashes on correlated joins between facts, so nothing
here ever refers from one fact to another. Anything that needs the history
(an event happened, a count in a window, a trigger fired, a deadline's
state, a test on a list) becomes an *atom*: the engine computes its value
from the history and puts it in the fact as ``a<N>``; durable_rules then
decides the boolean structure and the tests on the case's own fields.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .conditions import (LIST_OPS, All, AnyOf, Condition, DeadlineIs, EventCond, Fields, FieldTest,
                         Not, Triggered)

Atom = Any  # EventCond | Triggered | DeadlineIs | FieldTest (on a list)

_NEGATE = {"is": "is_not", "is_not": "is", "one_of": "not_one_of", "not_one_of": "one_of",
           "at_least": "less_than", "less_than": "at_least", "at_most": "more_than", "more_than": "at_most"}
_DURABLE_OP = {"at_least": "$gte", "at_most": "$lte", "more_than": "$gt", "less_than": "$lt"}


def field_key(path: str) -> str:
    """The fact key for a field path: placement.type -> f_placement__type."""
    return "f_" + path.replace(".", "__")


def literal(value: Any) -> Any:
    """Facts and conditions carry booleans as 0/1 so every comparison is numeric or text."""
    if isinstance(value, bool):
        return int(value)
    return value


@dataclass
class Atoms:
    """Numbers each history-dependent piece of a condition, shared across a policy."""

    items: list = field(default_factory=list)
    index: dict = field(default_factory=dict)

    def key(self, atom: Atom) -> str:
        if atom not in self.index:
            self.index[atom] = len(self.items)
            self.items.append(atom)
        return f"a{self.index[atom]}"


# durable_rules refuses a rule with 16 or more nested $and/$or groups (its C core
# keeps at most 32 expressions per sequence; measured, see tests/test_compile.py).
MAX_GROUPS = 14


def _flatten(op: str, parts: list) -> list:
    """Nested groups of the same kind are one group: keeps rules within durable's limits."""
    out: list = []
    for p in parts:
        items = p[op] if isinstance(p, dict) and list(p) == [op] else [p]
        for item in items:
            if item not in out:
                out.append(item)
    return out


def _and(parts: list) -> dict | None:
    parts = _flatten("$and", [p for p in parts if p is not None])
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _or(parts: list) -> dict | None:
    if any(p is None for p in parts):  # an always-true branch
        return None
    parts = _flatten("$or", parts)
    return parts[0] if len(parts) == 1 else {"$or": parts}


def group_count(expression: dict | None) -> int:
    """How many $and/$or groups an expression has: durable_rules allows at most MAX_GROUPS + 1."""
    if not isinstance(expression, dict):
        return 0
    count = 0
    for key, value in expression.items():
        if key in ("$and", "$or"):
            count += 1 + sum(group_count(v) for v in value)
    return count


_FALSE = {"kind": "never"}  # never holds: no fact is of kind "never"


def compile_condition(cond: Condition, atoms: Atoms, negate: bool = False) -> dict | None:
    """A durable_rules expression, or None for 'always holds'."""
    if isinstance(cond, All):
        if not cond.items:
            return _FALSE if negate else None
        parts = [compile_condition(c, atoms, negate) for c in cond.items]
        return _or(parts) if negate else _and(parts)
    if isinstance(cond, AnyOf):
        parts = [compile_condition(c, atoms, negate) for c in cond.items]
        return _and(parts) if negate else _or(parts)
    if isinstance(cond, Not):
        return compile_condition(cond.item, atoms, not negate)
    if isinstance(cond, Fields):
        parts = [_field_test(t, atoms, negate) for t in cond.tests]
        return _or(parts) if negate else _and(parts)
    if isinstance(cond, EventCond):
        key = atoms.key(cond)
        return {"$lt": {key: cond.at_least}} if negate else {"$gte": {key: cond.at_least}}
    if isinstance(cond, (Triggered, DeadlineIs)):
        return {atoms.key(cond): 0 if negate else 1}
    raise TypeError(f"cannot compile {cond!r}")


def _field_test(test: FieldTest, atoms: Atoms, negate: bool) -> dict:
    if test.op in LIST_OPS:
        return {atoms.key(test): 0 if negate else 1}
    op = test.op
    key = field_key(test.path)
    if op == "answered":
        present = bool(test.value) != negate
        return {"$ex": {key: 1}} if present else {"$nex": {key: 1}}
    if negate:
        op = _NEGATE[op]
    missing = {"$nex": {key: 1}}
    if op == "is":
        return {key: literal(test.value)}
    if op == "is_not":
        return {"$or": [missing, {"$neq": {key: literal(test.value)}}]}
    if op == "one_of":
        return _or([{key: literal(v)} for v in test.value]) if test.value else _FALSE
    if op == "not_one_of":
        if not test.value:
            return None
        return {"$or": [missing, _and([{"$neq": {key: literal(v)}} for v in test.value])]}
    comparison = {_DURABLE_OP[op]: {key: literal(test.value)}}
    # a missing field is no number: the test fails, so its negation holds
    return {"$or": [missing, comparison]} if negate else comparison


def rule(kind: str, expression: dict | None, extra: dict | None = None) -> dict:
    """The expression for one rule, restricted to facts of one kind (and obligation)."""
    parts = [{"kind": kind}] + [{k: v} for k, v in (extra or {}).items()]
    return _and(parts + ([expression] if expression is not None else []))
