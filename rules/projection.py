"""Which of a fact's fields a ruleset can see: the fields its conditions test.

A rule over one fact depends only on the fields its condition names (a value it compares, a
presence it asks with ``$ex``, an absence with ``$nex``), so a fact cut down to the fields some
rule tests fires exactly the rules the whole fact fires. Cut down, the facts of two children in
the same situation are equal (neither carries the child's reference, age or start date unless
a rule asks about them), which is what lets an answer remembered for one fact serve every child
(hearth.engine.judging.RuleOutcomes).

A ruleset may name the fields that tell its facts' types apart (``type_fields``, for example
``("kind", "ob")``). A rule whose condition is an ``$and`` requiring one of them to equal a
literal (``{"$and": [{"kind": "o"}, {"ob": "review"}, ...]}``) can only fire for facts of that
type, so a fact keeps only the fields tested by the rules its type could fire: a deadline's
fact carries what that deadline's rows test, not what a trigger does. The fields of each type
that the rules mention are worked out once, when the ruleset is compiled.
"""
from __future__ import annotations

import itertools
from typing import Any, Mapping

_LOGICAL = ("$and", "$or")
_ON_A_FIELD = ("$neq", "$lt", "$lte", "$gt", "$gte", "$ex", "$nex")
_ABSENT = object()   # a type field the fact does not carry
_MOST_TYPES = 4096   # worked out ahead; a fact of any other type is worked out when it comes


def fields_tested(condition: Any) -> set[str]:
    """Every field a condition (durable's form, one fact) tests, at any depth."""
    found: set[str] = set()
    if not isinstance(condition, dict):
        return found
    for key, argument in condition.items():
        if key in _LOGICAL:
            for part in argument:
                found |= fields_tested(part)
        elif key in _ON_A_FIELD:
            found |= set(argument)
        else:
            found.add(key)
    return found


def _required(condition: Any, type_fields: tuple) -> dict[str, list]:
    """The type fields a condition requires to equal a literal: its own equality test, or the
    equality tests directly under its top-level $and."""
    if not isinstance(condition, dict):
        return {}
    parts = condition["$and"] if list(condition) == ["$and"] else [condition]
    required: dict[str, list] = {}
    for part in parts:
        if isinstance(part, dict) and len(part) == 1:
            (key, value), = part.items()
            if key in type_fields:
                required.setdefault(key, []).append(value)
    return required


class Projection:
    """Cuts facts down to the fields a ruleset's conditions (rule name -> condition) test."""

    def __init__(self, conditions: Mapping[str, Any], type_fields: tuple = ()):
        self.type_fields = tuple(type_fields)
        self._rules = [(_required(condition, self.type_fields), frozenset(fields_tested(condition)))
                       for condition in conditions.values()]
        values = [[*dict.fromkeys(v for required, _ in self._rules for v in required.get(name, ())), _ABSENT]
                  for name in self.type_fields]
        self._by_type: dict = {}
        if _product_size(values) <= _MOST_TYPES:
            for key in itertools.product(*values):
                self._by_type[key] = self._work_out(key)

    def _work_out(self, key: tuple) -> frozenset:
        fields: set = set()
        for required, tested in self._rules:
            if all(value is not _ABSENT and value == wanted
                   for name, value in zip(self.type_fields, key) for wanted in required.get(name, ())):
                fields |= tested
        return frozenset(fields)

    def fields(self, fact: Mapping[str, Any]) -> frozenset:
        """The fields of ``fact`` that the rules its type could fire test."""
        key = tuple(fact.get(name, _ABSENT) for name in self.type_fields)
        try:
            found = self._by_type.get(key)
        except TypeError:  # a value that is no literal: the doorway refuses it, by name
            found = None
        return found if found is not None else self._work_out(key)

    def project(self, fact: Mapping[str, Any]) -> dict:
        """``fact`` with only its ``point`` and the fields its rules test, in its own order."""
        fields = self.fields(fact)
        return {name: value for name, value in fact.items() if name in fields or name == "point"}


def _product_size(values: list) -> int:
    size = 1
    for options in values:
        size *= len(options)
    return size
