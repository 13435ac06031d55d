"""What a council's policy says about a child on a date: the evaluation contract.

A policy version is compiled once into one durable_rules ruleset. Each
evaluation computes the history's aggregates (hearth.engine.history), asserts
one self-contained fact per point in time, and reads back which rules fired.
Every part of the answer says which rule, what facts, and the council's words.
"""
from __future__ import annotations

import os
import threading
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hearth.rules import durable
from hearth.rules.compile import Atoms, compile_condition, rule
from hearth.rules.conditions import LIST_OPS, All, AnyOf, DeadlineIs, EventCond, Fields, Not, Triggered

from .answer_facts import condition_facts, iso as _iso
from .case import Case, Event
from .copies import NOT_COPIED, Copier, Later
from .event_index import EventIndex
from .facts import one_event_seen, plan_for, point_record
from .history import (NO_LIMIT, Context, Point, describe, event_atoms, event_findings,
                      event_types_mentioned, events_named, finding_words, matching_events)
from .judging import NOTHING, Judged, RuleOutcomes
from .obligations import Wording, obligations, source_sentence as _source
from .policy import PolicyVersion

@dataclass
class CompiledPolicy:
    """A policy version ready to evaluate: its ruleset and the atoms each kind of point needs."""

    policy: PolicyVersion
    ruleset: Any
    atoms: list
    kind_atoms: dict                 # kind -> list of (key, atom)
    trigger_types: dict              # trigger id -> event types that make it checkable
    labels: dict = field(default_factory=dict)
    obligations_see_firings: bool = False  # a deadline or duty asks whether a trigger fired
    fact_plans: dict = field(default_factory=dict)  # (kind, key) -> hearth.engine.facts.FactPlan, as built
    trigger_events: frozenset = frozenset()  # every event type that makes some trigger checkable
    decision_rules: tuple = ()        # the rules of recommendation, chair, invitees and interventions rows
    dated_interventions: tuple = ()   # the interventions offered only from or until a day
    trigger_rules: dict = field(default_factory=dict)  # a trigger's rule -> (the trigger, its event types)
    gate_rules: tuple = ()            # (gate, its blocked_until, unless and needs_approval rules' names)
    # a trigger whose `when` is one event of its types (facts.one_event_seen) -> (that condition,
    # how a finding names its events): _triggers finds what it found at the child's own event directly
    one_event_triggers: dict = field(default_factory=dict)
    wording: Wording | None = None    # how its deadlines' and duties' instances are worded
    _sentences: dict = field(default_factory=dict)  # id(condition), ("named"|"atoms", id) -> (found, it)
    _parts: dict = field(default_factory=dict)  # (part, what it depends on) -> its Copier
    _pieces: dict = field(default_factory=dict)  # (piece, which row) -> what the parts share of it
    # id of a piece -> (the piece, its Copier), and ids of a list of pieces -> (None, its Copier): copies.Composed
    _piece_copiers: dict = field(default_factory=dict)
    _source_sentences: dict = field(default_factory=dict)  # a rule's source -> as the answer gives it

    def sentence(self, cond) -> str:
        """A condition of this policy in words (hearth.engine.history.describe), worded once."""
        found = self._sentences.get(id(cond))
        if found is None:
            # the condition is kept beside its words, so its id names no other while the policy lives
            found = self._sentences[id(cond)] = (describe(cond, self.labels), cond)
        return found[0]

    def findings(self, cond, point: Point, ctx: Context) -> list[tuple]:
        """hearth.engine.history.event_findings of this policy's condition, its atoms found once."""
        found = self._sentences.get(("atoms", id(cond)))
        if found is None:
            found = self._sentences[("atoms", id(cond))] = (event_atoms(cond), cond)
        return event_findings(cond, point, ctx, found[0])

    def finding_words(self, atom, facts: dict) -> str:
        """A finding of this policy's condition in words (hearth.engine.history.finding_words),
        the events it looks for named once."""
        found = self._sentences.get(("named", id(atom)))
        if found is None:
            found = self._sentences[("named", id(atom))] = (events_named(atom, self.labels), atom)
        return finding_words(atom, facts, self.labels, found[0])

    def source(self, text: str) -> str:
        """A rule's `source` as the answer gives it (obligations.source_sentence), written once."""
        found = self._source_sentences.get(text)
        if found is None:
            found = self._source_sentences[text] = _source(self.policy, text)
        return found

    def part(self, key: tuple, build: Callable[[], dict], read_only: bool = False) -> dict:
        """A part of the answer that depends only on ``key`` (which of its rules held, say), built once
        and given to each answer as a copy of its own (hearth.engine.copies: at a fraction of
        building them again), so no answer shares a list or dict with another; or, ``read_only``,
        for a caller that only reads its answers (evaluate's), one copy shared by all of them: the
        one built, which may hold the policy's pieces (CompiledPolicy.piece) and so is never given
        to a caller that may change it. At most MOST_PARTS combinations are kept per policy; past
        that each is built anew (and copied, unless read_only). The copier is made when a copy is
        first asked for (copies.Later)."""
        found = self._parts.get(key)
        if found is None:
            found = Later(build(), self._piece_copiers)
            if len(self._parts) < MOST_PARTS:
                self._parts[key] = found
        return found.shared() if read_only else found()

    def piece(self, key: tuple, build: Callable[[], Any]) -> Any:
        """A piece of answer parts that depends on the policy alone (a chair row's entry, an
        intervention's), built once and shared by every part made with it: only ever given to a
        caller inside a part (CompiledPolicy.part), which copies it for a caller that may change
        it. One for each of the policy's rows, so the pieces are bounded by the policy's size."""
        found = self._pieces.get(key)
        if found is None:
            found = self._pieces[key] = build()
            try:
                self._piece_copiers[id(found)] = (found, Copier(found))
            except NOT_COPIED:  # not plain JSON (never so far): the parts holding it are copied the slow way
                pass
        return found


MOST_PARTS = 4096
_compiled: dict = {}
_compile_lock = threading.Lock()


# the rule cache every evaluation's facts are judged through (hearth.engine.judging)
outcomes = RuleOutcomes(int(os.environ.get("HEARTH_RULE_CACHE", "50000")))


def compiled(policy: PolicyVersion) -> CompiledPolicy:
    key = (policy.council.id, policy.version, policy.rules_hash)
    with _compile_lock:
        if key not in _compiled:
            _compiled[key] = _compile(policy)
        return _compiled[key]


def _compile(policy: PolicyVersion) -> CompiledPolicy:
    atoms = Atoms()
    rules: dict[str, dict] = {}
    # The atoms each kind of point needs: a trigger point only those of the triggers its
    # event can fire, a deadline/duty instance only its own, "now" the rest.
    needs: dict[tuple, set] = {}

    def add(name: str, kind: str, cond, extra=None, keys=(None,)):
        expression = compile_condition(cond, atoms) if cond is not None else None
        rules[name] = rule(kind, expression, extra)
        for key in keys:
            needs.setdefault((kind, key), set()).update(_atoms_in(cond, atoms))

    trigger_types = {t.id: event_types_mentioned(t.when) for t in policy.triggers}
    for t in policy.triggers:
        add(f"trigger:{t.id}", "t", t.when, keys=sorted(trigger_types[t.id]))
    for ob in policy.deadlines + policy.duties:
        for i, row in enumerate(ob.due):
            add(f"due:{ob.id}:{i}", "o", row.when, {"ob": ob.id}, keys=(ob.id,))
        if ob.unless is not None:
            add(f"unless:{ob.id}", "o", ob.unless, {"ob": ob.id}, keys=(ob.id,))
    for i, row in enumerate(policy.recommendation):
        add(f"recommend:{i}", "n", row.when)
    for i, row in enumerate(policy.chair):
        add(f"chair:{i}", "n", row.when)
    for i, row in enumerate(policy.invitees):
        add(f"invitees:{i}", "n", row.when)
    for g in policy.gates:
        for part in ("blocked_until", "unless", "needs_approval"):
            cond = getattr(g, part)
            if cond is not None:
                add(f"gate:{g.id}:{part}", "n", cond)
    for i in policy.interventions:
        if i.when is not None:
            add(f"intervention:{i.id}", "n", i.when)
    # a fact's kind (and a deadline's or duty's id) says which rules could fire for it
    ruleset = durable.compile_ruleset(f"{policy.council.id}_{policy.version}".replace("-", "_"), rules,
                                      type_fields=("kind", "ob"))
    kind_atoms = {k: [(f"a{atoms.index[a]}", a) for a in atoms.items if a in v] for k, v in needs.items()}
    labels = {t: et.label for t, et in policy.vocabulary.event_types.items()}
    see_firings = any(isinstance(atom, Triggered) for key, found in needs.items() if key[0] == "o" for atom in found)
    return CompiledPolicy(policy, ruleset, atoms.items, kind_atoms, trigger_types, labels, see_firings,
                          trigger_events=frozenset().union(*trigger_types.values()),
                          decision_rules=tuple(name for name in rules if name.split(":")[0]
                                               in ("recommend", "chair", "invitees", "intervention")),
                          dated_interventions=tuple(i for i in policy.interventions
                                                    if i.available_from is not None or i.available_until is not None),
                          wording=Wording(policy, labels),
                          trigger_rules={f"trigger:{t.id}": (t, trigger_types[t.id]) for t in policy.triggers},
                          one_event_triggers={t.id: (t.when, events_named(t.when, labels)) for t in policy.triggers
                                              if isinstance(t.when, EventCond) and one_event_seen(t.when)},
                          gate_rules=tuple((g, f"gate:{g.id}:blocked_until", f"gate:{g.id}:unless",
                                            f"gate:{g.id}:needs_approval") for g in policy.gates))


def _atoms_in(cond, atoms: Atoms) -> set:
    if cond is None:
        return set()
    if isinstance(cond, (EventCond, Triggered, DeadlineIs)):
        return {cond}
    if isinstance(cond, (All, AnyOf)):
        return set().union(*(_atoms_in(c, atoms) for c in cond.items)) if cond.items else set()
    if isinstance(cond, Not):
        return _atoms_in(cond.item, atoms)
    if isinstance(cond, Fields):
        return {t for t in cond.tests if t.op in LIST_OPS}
    return set()


# ------------------------------------------------------------------ evaluation
def evaluate(policy: PolicyVersion, case: Case, as_of: date, trace: list | None = None,
             read_only: bool = False) -> dict:
    """The answer of ../shared/specs/evaluate-contract.md for this case on this date.

    ``trace``, when given, receives one set per point judged: the names of the rules that held
    there (what `hearth policy test --coverage`, hearth.engine.coverage, reads). ``read_only``:
    the caller only reads the answer, never changes it (hearth.engine.bulk writes it out and lets
    it go), so the parts that depend only on which rules held (the recommendation, chair,
    invitees, interventions, and gates that only wait) are the compiled policy's own, shared
    with every other such answer rather than copied into each (CompiledPolicy.part)."""
    cp = compiled(policy)
    case = case.up_to(as_of)
    index = EventIndex(case.events)
    ctx = Context(case, policy.calendar, index)

    # Phase 1: every trigger point and every deadline/duty instance, in one session.
    judged = Judged(outcomes)
    trigger_points, instances = [], []
    wanted = cp.trigger_events
    plans = cp.fact_plans
    for e in case.events:
        if e.type in wanted:
            plan = plans.get(("t", e.type)) or plan_for(cp, "t", e.type)  # (plan_for's, without the call)
            known = judged.answered(plan, True)
            if known is not None:
                # what fires here is known (its fact is the plan's template): no fact, and the
                # point itself only made for a trigger's latest firing (_triggers)
                trigger_points.append((None, e, known))
                continue
            point = Point(e.on, e.seq, None, point_record(case, e.on, None, e.seq) if plan.reads_record else {})
            trigger_points.append((judged.number, e, point))
            judged.add(cp, "t", point, ctx, plan, at_own_event=True)
    days = [c.on for c in case.events] if case.carer_events else []  # in history order, so sorted
    for e in case.carer_events:  # a carer's history (across children) is checked too
        if e.type in wanted:
            before = bisect_right(days, e.on)
            seen = case.events[before - 1].seq if before else -1
            plan = plan_for(cp, "t", e.type)
            point = Point(e.on, seen, None, point_record(case, e.on, None, seen) if plan.reads_record else {})
            # it fired after the child's events up to that day and before the next: half a step on,
            # so 'triggered' (and its 'since') sees it even when the child has no events at all
            after_seen = seen + 0.5
            trigger_points.append((judged.number, Event(after_seen, e.type, e.on, e.at, e.fields), point))
            judged.add(cp, "t", point, ctx, plan)
    # A deadline or duty that asks whether a trigger fired needs the triggers first (two batches);
    # otherwise trigger points and instances go to durable_rules together.
    fired: dict = {}  # point -> the rules that fired there
    triggers = None
    if cp.obligations_see_firings:
        fired = judged.fire(cp.ruleset)
        triggers = _triggers(cp, trigger_points, fired, ctx)
    for ob in policy.deadlines + policy.duties:
        starts = index.matching(ob.starts)[0]
        if not starts:
            continue
        plan = plans.get(("o", ob.id))
        known = judged.answered(plan, False, len(starts)) if plan is not None else None
        if known is not None:  # its fact is the plan's template: what fires is known
            instances.extend([(None, ob, start, known) for start in starts])
            continue
        extra = {"ob": ob.id}
        plan = plan_for(cp, "o", ob.id, extra)
        for start in starts:
            point = Point(as_of, NO_LIMIT, start, point_record(case, start.on, start) if plan.reads_record else {})
            instances.append((judged.number, ob, start, point))
            judged.add(cp, "o", point, ctx, plan, extra=extra)
    fired.update(judged.fire(cp.ruleset))  # points of their own: none overwritten
    if triggers is None:
        triggers = _triggers(cp, trigger_points, fired, ctx)
    deadlines, duties = obligations(cp.wording, instances, fired, index, as_of)
    for d in deadlines:
        ctx.deadline_status[d["id"]] = d["status"]

    # Phase 2: the state of things today.
    plan = plan_for(cp, "n")
    now = Point(as_of, NO_LIMIT, None, point_record(case, as_of, None, child=plan.reads_child))
    number = judged.number
    judged.add(cp, "n", now, ctx, plan)
    now_fired = judged.fire(cp.ruleset).get(number, NOTHING)
    if trace is not None:
        trace.extend([*fired.values(), *(rules for no, _, rules in trigger_points if no is None and rules),
                      *(rules for no, _, _, rules in instances if no is None and rules), now_fired])

    answer = {
        "council": policy.council.id,
        "policy": policy.describe(),
        "as_of": _iso(as_of),
        "placement": case.current_placement.as_dict(),   # in force on as_of; "placements": all, oldest first
        "placements": [p.as_dict(history=True) for p in case.placements],
        "triggers": triggers,
        "recommendation": None,
        "recommendation_reason": None,
        "chair": None,
        "invitees": None,
        "deadlines": deadlines,
        "gates": _gates(cp, now_fired, now, ctx, read_only),
        "duties": duties,
        "interventions": None,
    }
    # What today's rules decide depends only on which of them held (and which interventions are
    # offered on the day): built once for each such combination, copied into each answer.
    held = tuple(filter(now_fired.__contains__, cp.decision_rules))
    offered = tuple(i.id for i in cp.dated_interventions
                    if (i.available_from is None or i.available_from <= as_of)
                    and (i.available_until is None or as_of <= i.available_until))
    answer.update(cp.part(("decided", held, offered), lambda: _decided(cp, now_fired, as_of), read_only))
    return answer


def _decided(cp: CompiledPolicy, fired: set, as_of: date) -> dict:
    """The recommendation, chair, invitees and interventions that today's rules (``fired``) decide,
    made of the policy's pieces (CompiledPolicy.piece): for CompiledPolicy.part only."""
    policy = cp.policy
    decided = {"recommendation": None, "recommendation_reason": None,
               "chair": _chair(cp, fired) or cp.piece(("chair",), _no_chair),
               "invitees": _invitees(cp, fired),
               "interventions": [cp.piece(("intervention", i.id), lambda i=i: _intervention(policy, i))
                                 for i in policy.interventions
                                 if (i.available_from is None or i.available_from <= as_of)
                                 and (i.available_until is None or as_of <= i.available_until)
                                 and (i.when is None or f"intervention:{i.id}" in fired)]}
    for i, row in enumerate(policy.recommendation):
        if f"recommend:{i}" in fired:
            decided["recommendation"] = row.recommend
            decided["recommendation_reason"] = cp.piece(("recommendation", i), lambda: _recommended(cp, i, row))
            break
    return decided


def _no_chair() -> dict:
    return {"options": [], "because": "no chair rule applies to this case", "source": None}


def _intervention(policy: PolicyVersion, intervention) -> dict:
    return {"id": intervention.id, "label": intervention.label, "costed": intervention.costed,
            "source": _source(policy, intervention.source)}


def _recommended(cp: CompiledPolicy, i: int, row) -> dict:
    """Why recommendation row ``i`` holds."""
    policy = cp.policy
    return {"rule": f"recommendation[{i}]", "because": cp.sentence(row.when),
            "label": policy.vocabulary.recommendations.get(row.recommend) if row.recommend else None,
            "source": _source(policy, row.source), "because_facts": condition_facts(row.when)}


def _chair(cp: CompiledPolicy, fired: set) -> dict | None:
    """The first chair row that holds: any one of its options may chair (a group named there
    stands for its members, and `groups` says which were named)."""
    for i, row in enumerate(cp.policy.chair):
        if f"chair:{i}" in fired:
            return cp.piece(("chair", i), lambda: _chair_row(cp, row))
    return None


def _chair_row(cp: CompiledPolicy, row) -> dict:
    policy = cp.policy
    return {"options": list(row.options),
            "groups": {g: list(policy.vocabulary.role_groups[g]) for g in row.groups},
            "because": cp.sentence(row.when), "source": _source(policy, row.source),
            "because_facts": condition_facts(row.when)}


def _invitees(cp: CompiledPolicy, fired: set) -> dict:
    """Every invitees row that holds. `required` and `consider` are roles each wanted on their own;
    `required_one_of` and `consider_one_of` are sets of roles of which any one will do, left out
    when a role of the set is already required on its own (or, to consider, already suggested)."""
    policy = cp.policy
    required, consider, because = [], [], []
    required_one_of, consider_one_of = [], []
    for i, row in enumerate(policy.invitees):
        if f"invitees:{i}" not in fired:
            continue
        required += [r for r in row.required if r not in required]
        consider += [r for r in row.consider if r not in consider]
        entry = cp.piece(("invitees", i), lambda: _invitees_row(cp, row))
        required_one_of += [(one_of, entry["source"]) for one_of in row.required_one_of]
        consider_one_of += [(one_of, entry["source"]) for one_of in row.consider_one_of]
        because.append(entry)

    def one_of(sets: list, covered: set) -> list:
        out: list = []
        for chosen, source in sets:
            if not set(chosen.roles) & covered and all(o["roles"] != list(chosen.roles) for o in out):
                out.append({"roles": list(chosen.roles), "groups": list(chosen.groups), "source": source})
        return out
    return {"required": required, "consider": [r for r in consider if r not in required],
            "required_one_of": one_of(required_one_of, set(required)),
            "consider_one_of": one_of(consider_one_of, set(required) | set(consider)),
            "because": because}


def _invitees_row(cp: CompiledPolicy, row) -> dict:
    """Why an invitees row's roles are asked: the row's entry in `because`."""
    return {"required": list(row.required), "consider": list(row.consider),
            "required_one_of": [list(o.roles) for o in row.required_one_of],
            "consider_one_of": [list(o.roles) for o in row.consider_one_of],
            "when": cp.sentence(row.when), "source": _source(cp.policy, row.source),
            "when_facts": condition_facts(row.when)}


def _triggers(cp: CompiledPolicy, points, fired, ctx: Context) -> list:
    """The triggers that fired at ``points``: (point number, event, its Point) each, or, where
    its plan's answer was known, (None, event, the rules that fire there), the Point made here
    only for a trigger's latest firing."""
    latest: dict[str, tuple] = {}
    dates: dict[str, list] = {}
    rules = cp.trigger_rules
    for no, event, point in points:
        for name in fired.get(no, ()) if no is not None else point:
            found = rules.get(name)
            if found is None:  # a rule of another kind
                continue
            t, types = found
            if event.type in types:
                ctx.firings.append((event.seq, t.id))
                latest[t.id] = (event, point if no is not None else None)
                dates.setdefault(t.id, []).append(_iso(event.on))
    out = []
    case = ctx.case
    one_event = cp.one_event_triggers
    for t in cp.policy.triggers:
        if t.id not in latest:
            continue
        event, point = latest[t.id]
        if point is None and t.id in one_event:
            # At the child's own event, a trigger asking for one event of its types finds every
            # event of its types up to this one: what event_findings and finding_words would say,
            # said directly (tests/test_projection.py checks the two ways agree).
            atom, named = one_event[t.id]
            _, days, seqs = ctx.index.matching(atom)
            seen = list(map(_iso, days[:bisect_right(seqs, event.seq)]))
            out.append({"rule": t.id, "title": t.title, "on": _iso(event.on), "because": f"{named} on {seen[-1]}",
                        "fired_on": sorted(set(dates[t.id])), "source": cp.source(t.source),
                        "facts": [{"events": list(atom.types), "count": len(seen), "dates": seen, "on": seen[-1]}]})
            continue
        if point is None:  # at the child's own event, as the phase 1 loop would have made it
            reads = plan_for(cp, "t", event.type).reads_record
            point = Point(event.on, event.seq, None, point_record(case, event.on, None, event.seq) if reads else {})
        findings = cp.findings(t.when, point, ctx)
        reasons = [cp.finding_words(atom, facts) for atom, facts in findings]
        out.append({"rule": t.id, "title": t.title, "on": _iso(event.on),
                    "because": "; ".join(reasons) or cp.sentence(t.when),
                    "fired_on": sorted(set(dates[t.id])), "source": cp.source(t.source),
                    "facts": [facts for _, facts in findings]})
    return out


# A gate's statuses, most restrictive first (an action under several gates gets the first).
# `overdue` is an override whose after-the-fact condition has not followed by its date.
GATE_STATUSES = ("blocked", "needs_approval", "overdue", "overridden", "approved", "open")
_RANK = {status: rank for rank, status in enumerate(GATE_STATUSES)}  # most restrictive first


def _gates(cp: CompiledPolicy, fired: set, now: Point, ctx: Context, read_only: bool = False) -> list:
    """Each action's most restrictive gate: its status, the reason in words (`because`) and as
    facts: what it waits for or needs (a condition's facts), or the events found (findings).
    When every gate is blocked or needs approval, the gates say only what the policy says, so
    they are built once for each such combination and copied into each answer (CompiledPolicy.part)."""
    statuses = []
    for g, blocked_until, unless, needs_approval in cp.gate_rules:
        if g.blocked_until is not None and blocked_until not in fired:
            statuses.append("overridden" if g.unless is not None and unless in fired else "blocked")
        elif g.needs_approval is not None:
            statuses.append("approved" if needs_approval in fired else "needs_approval")
        else:
            statuses.append("open")
    if all(status in _SAID_BY_THE_POLICY for status in statuses):
        return cp.part(("gates", *statuses), lambda: _gate_entries(cp, statuses, now, ctx), read_only)
    return _gate_entries(cp, statuses, now, ctx)


_SAID_BY_THE_POLICY = ("blocked", "needs_approval")  # gate statuses whose entries carry no finding


def _gate_entries(cp: CompiledPolicy, statuses: list, now: Point, ctx: Context) -> list:
    """The gates' entries, each gate's status given (_gates)."""
    policy = cp.policy
    by_action: dict[str, dict] = {}

    def found(cond) -> tuple[str, list]:
        findings = cp.findings(cond, now, ctx)
        return "; ".join(cp.finding_words(atom, facts) for atom, facts in findings), \
            [facts for _, facts in findings]

    for g, status in zip(policy.gates, statuses):
        entry: dict[str, Any] = {"gate": g.id, "source": cp.source(g.source), "status": status}
        if status == "overridden":
            reasons, findings = found(g.unless)
            entry["because"] = f"overridden: {reasons or cp.sentence(g.unless)}"
            facts: dict = {"overridden_by": findings, "unless": condition_facts(g.unless)}
            if g.after_the_fact:
                overriding = [e for a in event_atoms(g.unless) for e in matching_events(a, now, ctx)]
                since = max((e.on for e in overriding), default=now.on)
                satisfy_by = policy.calendar.add(since, g.after_the_fact)
                entry["satisfy_by"] = _iso(satisfy_by)
                entry["because"] += f"; {cp.sentence(g.blocked_until)} must still follow"
                facts["must_follow"] = condition_facts(g.blocked_until)
                if g.after_the_fact_overdue and now.on > satisfy_by:
                    entry["status"] = "overdue"
                    entry["because"] += f", and was due by {_iso(satisfy_by)}"
        elif status == "blocked":
            entry["because"] = f"waiting for: {cp.sentence(g.blocked_until)}"
            facts = {"waiting_for": condition_facts(g.blocked_until)}
        elif status == "needs_approval":
            entry["because"] = f"needs: {cp.sentence(g.needs_approval)}"
            facts = {"needs": condition_facts(g.needs_approval)}
        elif status == "approved":
            reasons, findings = found(g.needs_approval)
            entry["because"] = reasons or "approved"
            facts = {"approved_by": findings}
        else:
            reasons, findings = found(g.blocked_until)
            entry["because"] = reasons or "nothing blocks it"
            facts = {"met_by": findings}
        entry["facts"] = facts
        for action in g.actions:
            current = by_action.get(action)
            if current is None or _RANK[entry["status"]] < _RANK[current["status"]]:
                by_action[action] = {"action": action, **entry}
    return list(by_action.values())
