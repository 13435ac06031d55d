"""Which of a compiled policy's rules fire for an evaluation's facts.

durable_rules judges every distinct fact (hearth.rules.durable, its one doorway); what it answered
is remembered twice over: by the rule cache (RuleOutcomes), shared by every evaluation and every
council whose rules are the same, and by each kind of fact's plan (hearth.engine.facts.FactPlan),
which answers the facts it has seen without a cache key at all. Judged is one evaluation's
facts on their way to being judged.
"""
from __future__ import annotations

import threading
from itertools import islice

from hearth.rules import durable

from .facts import build_fact
from .history import Context, Point
from .lru import LRU


class RuleOutcomes:
    """Which rules fire for a fact, remembered.

    Every rule is a pattern over one self-contained fact (no joins, no state),
    so what durable_rules answers for a fact depends on that fact alone: the
    same fact (bar its point number) always fires the same rules. Each fact is
    first cut down to the fields its rules test (hearth.rules.projection), so
    the same situation is the same fact whichever child it is, and answers are
    kept by the ruleset's content, so councils whose rules are the same share
    them (durable_rules' CompiledRuleset.content). Remembering
    the answer — bounded, least recently used first out — keeps durable_rules
    the judge of every distinct fact while sparing it the repeats.
    """

    def __init__(self, size: int = 50_000):
        self.size = size
        self._answers = LRU(size)
        self._lock = threading.Lock()  # for the counts
        self.hits = self.misses = 0

    def fire(self, ruleset, facts: list[dict]) -> dict:
        """The rules that fire for ``facts``, by point: {point: frozenset of rule names}, no entry
        where none fires. Each fact is already cut down to the fields its rules test, its own
        projection (as hearth.engine.facts builds them; tests/test_projection.py). The sets are
        the remembered answers themselves, shared: read them, never change them."""
        if not self.size:
            return _by_point(durable.fire(ruleset, facts))
        # facts are built in one fixed order with "point" first, so their items are the key
        fired: dict = {}
        unknown = []
        name = ruleset.content
        keys = [(name, *islice(fact.items(), 1, None)) for fact in facts]
        for fact, key, rules in zip(facts, keys, self._answers.get_many(keys)):
            if rules is None:
                unknown.append((fact, key))
            elif rules:
                fired[fact["point"]] = rules
        with self._lock:
            self.hits += len(facts) - len(unknown)
            self.misses += len(unknown)
        if unknown:
            answers = _by_point(durable.fire(ruleset, [f for f, _ in unknown]))
            for fact, key in unknown:
                rules = answers.get(fact["point"], NOTHING)
                if rules:
                    fired[fact["point"]] = rules
                self._answers.put(key, rules)
        return fired

    def count_hits(self, count: int) -> None:
        """Facts answered from what their plan remembered (Judged) count as hits."""
        with self._lock:
            self.hits += count


NOTHING: frozenset = frozenset()


def _by_point(pairs) -> dict:
    """durable_rules' (point, rule) pairs as {point: frozenset of rule names}."""
    by_point: dict = {}
    for point, rule_name in pairs:
        by_point.setdefault(point, set()).add(rule_name)
    return {point: frozenset(rules) for point, rules in by_point.items()}


class Judged:
    """An evaluation's facts, numbered as they are made, and which rules fire for them.

    A fact copied from its plan's template (hearth.engine.facts.FactPlan: the same fact at every
    such point, bar its number) always fires the same rules of the compiled policy, so once the
    rule cache has answered one, its plan keeps the answer and later ones are answered from it:
    not made, keyed or looked up (most deadline and duty instances, and most trigger points at
    the child's own events). Any other fact is made, and its plan keeps what the rule cache
    answered for each fact of its kind (FactPlan.answers, by the fact's content), so the same
    fact again is answered there, without the cache's key, lock and order of use. All count as
    hits of the rule cache, whose answers they are: a plan keeps the RuleOutcomes it learned
    from beside the answers, and a new cache (or one of size 0, which remembers nothing) starts
    again without them."""

    __slots__ = ("number", "facts", "known", "learning", "answering", "judge", "outcomes", "by_plans")

    def __init__(self, judge: "RuleOutcomes"):
        self.number = 0          # the next fact's point number
        self.facts: list = []    # the facts still to judge (this batch)
        self.known: dict = {}    # point -> the rules its plan knows fire there (none empty)
        self.learning: list = []  # (point, plan, at its own event) of templates judged for the first time
        self.answering: list = []  # (point, its plan's FactAnswers, the fact's content) of other facts new to them
        self.judge = judge       # the rule cache that judges the facts
        self.outcomes = judge if judge.size else None  # the one plans learn from (None: it remembers nothing)
        self.by_plans = 0  # points answered by their plan, not by the rule cache (counted as hits)

    def answered(self, plan, at_own_event: bool = False, points: int = 1):
        """What fires at ``points`` points of this plan when its template's answer is known (the
        rules, counted as hits), else None: the caller need not make the points at all."""
        found = plan.own_rules if at_own_event else plan.rules
        if found is not None and found[0] is self.outcomes:
            self.by_plans += points
            return found[1]
        return None

    def add(self, cp, kind: str, point: Point, ctx: Context, plan, extra=None, at_own_event: bool = False) -> None:
        number = self.number
        self.number = number + 1
        found = self.answered(plan, at_own_event)
        if found is not None:
            if found:
                self.known[number] = found
            return
        fact = build_fact(cp, kind, number, point, ctx, None, extra, plan, at_own_event)
        if self.outcomes is not None:
            if (plan.own_template if at_own_event else plan.template) is not None:
                self.learning.append((number, plan, at_own_event))
            else:
                # what the fact says, bar its number (the rule cache's key, less the ruleset)
                content = tuple(islice(fact.items(), 1, None))
                answers = plan.answers_from(self.outcomes)
                found = answers.get(content)
                if found is not None:
                    self.by_plans += 1
                    if found:
                        self.known[number] = found
                    return
                self.answering.append((number, answers, content))
        self.facts.append(fact)

    def fire(self, ruleset) -> dict:
        """The rules that fire at this batch's points: {point: rules}, none where none fires."""
        fired = self.judge.fire(ruleset, self.facts) if self.facts else {}
        for number, answers, content in self.answering:  # a fact made in full: its plan's answers keep it
            answers.keep(content, fired.get(number, NOTHING))
        for number, plan, at_own_event in self.learning:
            learned = (self.outcomes, fired.get(number, NOTHING))
            if at_own_event:
                plan.own_rules = learned
            else:
                plan.rules = learned
        if self.by_plans:  # every point its plan answered counts as a hit of the cache it learned from
            self.outcomes.count_hits(self.by_plans)
            fired.update(self.known)
        self.facts, self.known, self.learning, self.answering, self.by_plans = [], {}, [], [], 0
        return fired
