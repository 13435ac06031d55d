"""The facts an evaluation asserts: one self-contained fact per point (a trigger point, a
deadline's or duty's instance, "now"), carrying only what the rules of its kind can tell apart.

A compiled policy (hearth.engine.evaluate.CompiledPolicy, ``cp`` below) keeps one FactPlan per
kind of fact, worked out when the first such fact is built: the fields and history atoms its
rules test. A fact is then already its own projection (hearth.rules.projection), and the same
situation is the same fact for every child, so the rule cache's remembered answers serve them
all (tests/test_projection.py).
"""
from __future__ import annotations

from datetime import date

from hearth.rules.compile import field_key, literal
from hearth.rules.conditions import EventCond, FieldTest

from .answer_facts import iso
from .case import Case, Event
from .history import Context, Point, atom_value, counter
from .lru import Memo


def _age(dob: date | None, on: date) -> int | None:
    if dob is None:
        return None
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def point_record(case: Case, on: date, anchor: Event | None, limit: int | None = None, child: bool = True) -> dict:
    """The case's fields at a point: the child's age that day and the placement in force (at
    an event, or the event that started a deadline, the placement as that event found it).
    ``child``: with the child's fields (a plan whose rules test none of them, FactPlan.reads_child,
    goes without)."""
    if anchor is not None:
        limit = anchor.seq
    placement = case.placement_fields_on(on, limit)
    if not child and anchor is None:
        return placement  # shared by the case's points: read it, never change it
    record = {"child.ref": case.child.get("ref"), "child.age": _age(case.child.get("date_of_birth"), on),
              **placement} if child else {**placement}
    if anchor is not None:
        for k, v in anchor.record.items():
            record[f"start.{k}"] = v
    return record


def build_fact(cp, kind: str, point_no: int, point: Point, ctx: Context, key=None, extra=None,
               plan: "FactPlan | None" = None, at_own_event: bool = False) -> dict:
    """One self-contained fact: the case's fields and the atoms this point's rules need (only
    those some rule of its kind tests: the rest would be cut from it before it is judged, so
    the fact is already its own projection). ``plan``: plan_for(cp, kind, key, extra), when the
    caller has it. ``at_own_event``: the point is a trigger point at the child's own event of
    the plan's type (not a carer's), where the plan's self-evident atoms are 1 uncounted."""
    if plan is None:
        plan = plan_for(cp, kind, key, extra)
    template = plan.own_template if at_own_event else plan.template
    if template is not None:  # the same fact at every such point, bar its number
        return {"point": point_no, **template}
    fact = {"point": point_no, "kind": kind}
    names = plan.names
    for path, value in point.record.items():
        name = names.get(path, _UNSEEN)
        if name is _UNSEEN:
            name = plan.name(path)
        if name is None or value is None or value == "" or isinstance(value, (tuple, list)):
            continue
        if isinstance(value, date):  # a day as the answer writes it; a time (never a field yet) in full
            value = iso(value) if type(value) is date else value.isoformat()
        fact[name] = literal(value)
    for name, atom, most, self_evident, count in plan.atoms:
        if self_evident and at_own_event:
            fact[name] = 1
            continue
        value = atom_value(atom, point, ctx) if count is None else count(point, ctx)
        fact[name] = value if most is None or value < most else most
    if extra:
        fact.update(extra)
    return fact


def plan_for(cp, kind: str, key=None, extra=None) -> "FactPlan":
    """The plan of a kind of fact (made once per compiled policy)."""
    plan = cp.fact_plans.get((kind, key))
    if plan is None:
        plan = cp.fact_plans[(kind, key)] = FactPlan(cp, kind, key, extra)
    return plan


_UNSEEN = object()
_CHILD_FIELDS = ("child.ref", "child.age")  # point_record's fields of the child
_FIELD_PREFIX = field_key("")  # what every case field's key starts with
_MOST_NAMES = 1024  # field paths a plan remembers; a case's fields come from its council's vocabulary


class FactPlan:
    """What a kind of fact (a trigger point of an event type, a deadline's or duty's instance,
    "now") carries: the atoms its rules test and, per field path, the fact's key when a rule of
    its kind tests it (None when none does). Worked out once per compiled policy."""

    def __init__(self, cp, kind: str, key, extra):
        self.tested = cp.ruleset.projection.fields({"point": 0, "kind": kind, **(extra or {})})
        # An event condition's count is only ever compared with its own `at_least` (>= when it
        # holds, < when negated: hearth.rules.compile), so counts past it are told as it: three
        # missing episodes or five are the same fact when the rule asks for three, and the
        # answer remembered for one serves the other.
        # At a trigger point of this type at the child's own event, a condition asking for one
        # event of the type -- no window, `since`, `where` or same day, the child's own history --
        # holds: the event itself is seen, and one is all it asks (counts past at_least are told
        # as at_least, 1). Most triggers say just that ("when a stability concern is raised"),
        # so their facts are made without counting (tests/test_projection.py checks both ways agree).
        # The commonest event conditions are counted by a function made for each (history.counter).
        self.atoms = [(name, atom, atom.at_least if isinstance(atom, EventCond) else None,
                       kind == "t" and _self_evident(atom, key), counter(atom))
                      for name, atom in cp.kind_atoms.get((kind, key), ()) if name in self.tested]
        self.names: dict = {}
        # a field the fact carries, or a field test counted as an atom (a list's), reads the record
        self.reads_record = any(name.startswith(_FIELD_PREFIX) for name in self.tested) \
            or any(isinstance(atom, FieldTest) for _, atom, _, _, _ in self.atoms)
        # the child's fields are read only when a rule of its kind tests one (or a list's field
        # test, counted as an atom, might read any field)
        self.reads_child = any(field_key(path) in self.tested for path in _CHILD_FIELDS) \
            or any(isinstance(atom, FieldTest) for _, atom, _, _, _ in self.atoms)
        # A kind of fact that reads no field and counts nothing is the same fact at every point
        # but for its number (most deadlines' and duties' instances: their rules test only which
        # obligation it is); so is a trigger point's at the child's own event when every atom is
        # self-evident there. Those facts are copied from a template, in build_fact's order.
        own = None
        if not self.reads_record and all(self_evident for _, _, _, self_evident, _ in self.atoms):
            own = {"kind": kind, **{name: 1 for name, *_ in self.atoms}, **(extra or {})}
        self.own_template: dict | None = own
        self.template: dict | None = own if not self.atoms else None
        # What the compiled policy's rules answer for each template's fact once the rule cache
        # judged one (the same fact always fires the same rules), beside that cache (a
        # RuleOutcomes): (cache, rule names), kept by hearth.engine.judging.Judged.
        self.own_rules: tuple | None = None
        self.rules: tuple | None = None
        # What the rule cache answered for each other fact of this kind, by its content (the
        # fact bar its number), beside that cache: kept by hearth.engine.judging.Judged.
        self.answers: FactAnswers | None = None

    def answers_from(self, outcomes) -> "FactAnswers":
        """This kind's answers learned from ``outcomes`` (a RuleOutcomes), started again when it
        is not the cache they were learned from."""
        answers = self.answers
        if answers is None or answers.outcomes is not outcomes:
            answers = self.answers = FactAnswers(outcomes)
        return answers

    def name(self, path: str) -> str | None:
        name = field_key(path)
        name = name if name in self.tested else None
        if len(self.names) < _MOST_NAMES:
            self.names[path] = name
        return name


def _self_evident(atom, event_type) -> bool:
    """Does this atom hold at any point at the child's own event of ``event_type`` (FactPlan)?"""
    return isinstance(atom, EventCond) and event_type in atom.types and one_event_seen(atom)


def one_event_seen(atom: EventCond) -> bool:
    """Does this event condition ask only for one event of its types in the child's own history
    up to the point (no window, `since`, `where` or same day)? At the child's own event of one of
    its types, it holds, and what it finds is every event of its types up to that one."""
    return (atom.at_least == 1 and not (atom.where or atom.within or atom.since or atom.since_trigger or atom.same_day)
            and atom.per != "carer")


class FactAnswers(Memo):
    """The rules that fire for each fact of a plan's kind, by the fact's content (its items bar
    its number), as a rule cache (``outcomes``) answered them, kept as they are judged (keep):
    the same fact always fires the same rules, so its plan answers it again without the cache's
    key, lock and order of use. Facts count only what their rules can tell apart (counts told as
    the `at_least` they are compared with, fields only those some rule tests), so a kind has few
    distinct facts; at MOST_ANSWERS it empties and starts again (a Memo), so its memory is
    bounded whatever comes."""

    __slots__ = ("outcomes",)

    def __init__(self, outcomes):
        super().__init__(None, MOST_ANSWERS)
        self.outcomes = outcomes


MOST_ANSWERS = 1024
