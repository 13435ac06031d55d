"""Facts cut down to the fields their rules test (hearth.rules.projection) fire exactly the
rules the whole facts fire; so the same situation is the same fact for every child, and the
rule cache's remembered answers serve them all."""
import random
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearth.engine import api
from hearth.engine import evaluate as evaluation
from hearth.engine import facts as facts_module
from hearth.engine import history as history_module
from hearth.engine import judging
from hearth.rules import durable
from hearth.rules.projection import Projection, fields_tested

from councils import needs_council

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_cases  # noqa: E402

FIELDS = ["a", "b", "c", "d"]
KINDS = ["t", "o", "n"]
ROOT = Path(__file__).resolve().parents[1] / "policies"

tests = st.one_of(
    st.builds(lambda f, v: {f: v}, st.sampled_from(FIELDS), st.integers(0, 3)),
    st.builds(lambda op, f, v: {op: {f: v}}, st.sampled_from(["$neq", "$lt", "$lte", "$gt", "$gte"]),
              st.sampled_from(FIELDS), st.integers(0, 3)),
    st.builds(lambda op, f: {op: {f: 1}}, st.sampled_from(["$ex", "$nex"]), st.sampled_from(FIELDS)),
)
conditions = st.recursive(tests, lambda inner: st.builds(
    lambda op, parts: {op: parts}, st.sampled_from(["$and", "$or"]), st.lists(inner, min_size=1, max_size=3)),
    max_leaves=5)
typed = st.builds(lambda kind, cond: {"$and": [{"kind": kind}, cond]}, st.sampled_from(KINDS), conditions)
facts = st.builds(lambda kind, values: {"kind": kind, **values}, st.sampled_from(KINDS),
                  st.dictionaries(st.sampled_from(FIELDS + ["e", "ref"]), st.integers(0, 3), max_size=6))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=st.lists(st.one_of(typed, conditions), min_size=1, max_size=4), batch=st.lists(facts, min_size=1,
                                                                                           max_size=4))
def test_a_projected_fact_fires_what_the_whole_fact_fires(rules, batch):
    ruleset = durable.compile_ruleset("projected", {f"r{i}": rule for i, rule in enumerate(rules)},
                                      type_fields=("kind",))
    whole = [{"point": i, **fact} for i, fact in enumerate(batch)]
    cut = [ruleset.project(fact) for fact in whole]
    assert durable.fire(ruleset, cut) == durable.fire(ruleset, whole)
    for fact, projected in zip(whole, cut):
        # only the point and fields some rule of the fact's kind tests are kept
        kept = set().union(*(fields_tested(rule) for rule in rules
                             if not ("$and" in rule and rule["$and"][0].get("kind") not in (None, fact["kind"]))))
        assert set(projected) == {"point"} | (set(fact) & kept)


def test_a_fact_keeps_only_the_fields_the_rules_of_its_type_test():
    projection = Projection({"trigger": {"$and": [{"kind": "t"}, {"$gte": {"a0": 2}}]},
                             "due": {"$and": [{"kind": "o"}, {"ob": "review"}, {"f_age": 12}]},
                             "other": {"$and": [{"kind": "o"}, {"ob": "minutes"}, {"$nex": {"f_type": 1}}]},
                             "never": {"$and": [{"kind": "n"}, {"kind": "never"}, {"f_ref": "x"}]},
                             "now": {"$or": [{"kind": "n"}, {"f_emergency": 1}]}}, ("kind", "ob"))
    fact = {"point": 3, "kind": "o", "ob": "review", "f_age": 12, "f_type": "ifa", "f_ref": "C-1", "a0": 1}
    assert projection.project(fact) == {"point": 3, "kind": "o", "ob": "review", "f_age": 12}
    assert list(projection.project(fact)) == ["point", "kind", "ob", "f_age"]  # its own order: the cache key
    assert projection.project({"point": 0, "kind": "t", "a0": 4, "f_age": 9}) == {"point": 0, "kind": "t", "a0": 4}
    # a rule that can never hold (kind n and never) keeps nothing; one that names no type keeps its fields
    assert projection.project({"point": 0, "kind": "n", "f_ref": "x", "f_emergency": 1}) == {
        "point": 0, "kind": "n", "f_emergency": 1}
    assert projection.project({"point": 0, "kind": "z", "f_emergency": 0}) == {"point": 0, "kind": "z",
                                                                              "f_emergency": 0}


def test_registering_serialises_a_ruleset_once_not_on_every_fire(monkeypatch):
    ruleset = durable.compile_ruleset("serialised_once", {"r": {"$gt": {"a": 0}}})
    assert durable.fire(ruleset, [{"point": 0, "a": 1}]) == {(0, "r")}
    written = []
    real = durable._canonical
    monkeypatch.setattr(durable, "_canonical", lambda obj: written.append(obj) or real(obj))
    for i in range(5):
        assert durable.fire(ruleset, [{"point": 0, "a": i}]) == ({(0, "r")} if i else set())
    assert written == []
    same = durable.compile_ruleset("serialised_once", {"r": {"$gt": {"a": 0}}})  # another object: compared once
    assert durable.fire(same, [{"point": 0, "a": 1}]) == {(0, "r")}


@needs_council("swindon")
def test_children_in_the_same_situation_share_remembered_answers(monkeypatch):
    monkeypatch.setattr(evaluation, "outcomes", evaluation.RuleOutcomes(1000))
    on = date(2026, 3, 2)
    policy = api.policy_on("swindon", on, ROOT)
    rng = random.Random(14)

    def child(number: int) -> dict:
        events = [{"type": "missing_episode", "on": (on - timedelta(days=d)).isoformat()} for d in (3, 9, 12)]
        events += [{"type": "stability_meeting_decided", "on": (on - timedelta(days=2)).isoformat()}]
        born = date(2008, 1, 1) + timedelta(days=rng.randint(0, 2500))
        return {"child": {"ref": f"C-{number}", "date_of_birth": born.isoformat()},
                "placement": {"type": "ifa_foster", "started": (on - timedelta(days=rng.randint(30, 900))).isoformat()},
                "events": events}

    def decided(answer: dict) -> dict:  # all but the child's own placement dates
        return {key: value for key, value in answer.items() if key not in ("placement", "placements")}

    first = decided(evaluation.evaluate(policy, api.parse_case(policy, child(1)), on))
    assert first["triggers"] and first["deadlines"]
    misses = evaluation.outcomes.misses
    assert misses > 0
    for number in range(2, 12):
        assert decided(evaluation.evaluate(policy, api.parse_case(policy, child(number)), on)) == first
    assert evaluation.outcomes.misses == misses  # ten more children, every fact already known
    assert evaluation.outcomes.hits >= 10 * misses


@needs_council("swindon")
@needs_council("gateshead")
def test_councils_with_the_same_rules_share_remembered_answers_and_no_others(monkeypatch, tmp_path):
    """A council whose folder is a copy of another's compiles to the same rules under another
    name: the second council's children are answered from what the first's taught, while a
    council with other rules never is."""
    monkeypatch.setattr(evaluation, "outcomes", evaluation.RuleOutcomes(1000))
    on = date(2026, 3, 2)
    shutil.copytree(ROOT / "swindon", tmp_path / "swindon-copy")
    case = {"child": {"ref": "C-1"}, "placement": {"type": "ifa_foster", "started": "2025-01-01"},
            "events": [{"type": "missing_episode", "on": (on - timedelta(days=d)).isoformat()} for d in (3, 9, 12)]}
    original = api.policy_on("swindon", on, ROOT)
    copy = api.policy_on("swindon-copy", on, tmp_path)
    assert evaluation.compiled(copy).ruleset.name != evaluation.compiled(original).ruleset.name
    first = evaluation.evaluate(original, api.parse_case(original, case), on)
    misses = evaluation.outcomes.misses
    again = evaluation.evaluate(copy, api.parse_case(copy, case), on)
    assert evaluation.outcomes.misses == misses
    assert {k: v for k, v in again.items() if k not in ("council", "policy")} == \
        {k: v for k, v in first.items() if k not in ("council", "policy")}
    other = api.policy_on("gateshead", on, ROOT)
    evaluation.evaluate(other, api.parse_case(other, case), on)
    assert evaluation.outcomes.misses > misses


@needs_council("gateshead")
def test_the_rule_cache_stays_within_its_size(monkeypatch):
    monkeypatch.setattr(evaluation, "outcomes", evaluation.RuleOutcomes(5))
    on = date(2026, 3, 2)
    policy = api.policy_on("gateshead", on, ROOT)
    for days in range(1, 30):
        case = {"child": {"ref": "C-1"}, "placement": {"type": "ifa_foster", "started": "2025-01-01"},
                "events": [{"type": "missing_episode", "on": (on - timedelta(days=d)).isoformat()}
                           for d in range(days)]}
        evaluation.evaluate(policy, api.parse_case(policy, case), on)
        assert len(evaluation.outcomes._answers) <= 5


@needs_council("swindon")
def test_a_long_note_no_rule_reads_never_reaches_durable_rules():
    """durable_rules cannot take text over 4,096 characters; a deadline's start carries its event's
    fields, and a long `details` note (up to 10,000) used to stop the whole evaluation."""
    on = date(2026, 3, 2)
    case = {"child": {"ref": "C-1"}, "placement": {"type": "ifa_foster", "started": "2025-01-01"},
            "events": [{"type": "stability_meeting_decided", "on": "2026-02-20", "details": "x" * 5000}]}
    answer = api.evaluate("swindon", case, on, ROOT)
    assert [d["id"] for d in answer["deadlines"]] == ["initial_meeting"]


def _evaluate_generated_cases(seed: int, fresh_plans: bool = False, on: date = date(2026, 3, 2),
                              carers: bool = False, count: int = 40) -> list:
    """``count`` generated cases of each council's own events (3 or 20 of them), evaluated on
    ``on``: their answers; ``fresh_plans``: each council's fact plans made afresh first;
    ``carers``: every other case has a carer, whose history takes a third of its events."""
    rng = random.Random(seed)
    answers = []
    for council in api.list_councils(ROOT):
        policy = api.policy_on(council.id, on, ROOT)
        if fresh_plans:
            evaluation.compiled(policy).fact_plans.clear()
        named = bench_cases.policy_event_types(policy)
        for number in range(count):
            case = bench_cases.council_case(rng, policy, named, number, on, rng.choice([3, 20]))
            if carers and number % 2:
                moved = case["events"][::3]
                case["events"] = [event for event in case["events"] if all(event is not m for m in moved)]
                case["carer"] = {"ref": f"K-{number}", "events": moved}
            answers.append(evaluation.evaluate(policy, api.parse_case(policy, case), on))
    return answers


def test_the_engine_asserts_facts_already_cut_to_what_their_rules_test(monkeypatch):
    """The rule cache takes each fact as its own projection (no second cut on the hot path):
    every fact of generated cases of each council's own events is exactly that."""
    # every fact built and judged: with the rule cache off, no fact is answered from its plan's template
    monkeypatch.setattr(evaluation, "outcomes", evaluation.RuleOutcomes(0))
    seen: list = []
    original = evaluation.RuleOutcomes.fire

    def fire(self, ruleset, facts):
        seen.extend((ruleset, dict(fact)) for fact in facts)
        return original(self, ruleset, facts)

    monkeypatch.setattr(evaluation.RuleOutcomes, "fire", fire)
    _evaluate_generated_cases(seed=7)
    assert len(seen) > 500
    assert {fact["kind"] for _, fact in seen} == {"t", "o", "n"}
    for ruleset, fact in seen:
        assert list(ruleset.project(fact).items()) == list(fact.items())


@needs_council("swindon")
def test_counts_past_what_a_rule_asks_are_the_same_fact(monkeypatch):
    """An event condition's count is only compared with its `at_least`: four missing episodes
    in the window are the same fact as three for a rule asking for three, so the fourth child's
    facts are all remembered, and the answer still says four."""
    monkeypatch.setattr(evaluation, "outcomes", evaluation.RuleOutcomes(1000))
    on = date(2026, 3, 2)
    policy = api.policy_on("swindon", on, ROOT)

    def case(days: tuple) -> dict:
        return {"child": {"ref": f"C-{len(days)}"}, "placement": {"type": "ifa_foster", "started": "2025-01-01"},
                "events": [{"type": "missing_episode", "on": (on - timedelta(days=d)).isoformat()} for d in days]}

    three = evaluation.evaluate(policy, api.parse_case(policy, case((3, 9, 12))), on)
    misses = evaluation.outcomes.misses
    four = evaluation.evaluate(policy, api.parse_case(policy, case((2, 3, 9, 12))), on)
    assert evaluation.outcomes.misses == misses
    counted = [facts for trigger in four["triggers"] for facts in trigger["facts"] if facts.get("counted")]
    assert counted and max(facts["count"] for facts in counted) == 4
    assert [t["rule"] for t in four["triggers"]] == [t["rule"] for t in three["triggers"]]


def test_a_trigger_point_at_the_childs_own_event_folds_only_what_counting_would_give(monkeypatch):
    """At the child's own event, the atoms a trigger point's plan finds self-evident are told as
    1 without counting (hearth.engine.facts.FactPlan): on generated cases of each council, every
    such fact equals the one made by counting every atom, and some atoms were folded."""
    # every fact built and judged: with the rule cache off, no fact is answered from its plan's template
    monkeypatch.setattr(evaluation, "outcomes", evaluation.RuleOutcomes(0))
    built: list = []
    original = facts_module.build_fact

    def build_fact(cp, kind, point_no, point, ctx, key=None, extra=None, plan=None, at_own_event=False):
        made = original(cp, kind, point_no, point, ctx, key, extra, plan, at_own_event)
        if at_own_event:
            built.append((made, original(cp, kind, point_no, point, ctx, key, extra, plan, False), plan))
        return made

    monkeypatch.setattr(judging, "build_fact", build_fact)
    _evaluate_generated_cases(seed=11)
    assert len(built) > 300
    assert all(folded == counted for folded, counted, _ in built)
    assert sum(any(entry[3] for entry in plan.atoms) for _, _, plan in built) > 100


def test_facts_made_the_quick_ways_are_the_facts_made_the_general_way(monkeypatch):
    """hearth.engine.history.counter makes a counting function for the commonest event
    conditions, a self-evident atom at the child's own event is 1 uncounted, and a fact that
    reads no field and counts nothing is copied from its plan's template: the facts asserted on
    generated cases of each council (carers' events included) are the same with all three and
    with every fact built field by field and every atom counted the general way (atom_value)."""
    # every fact built and judged: with the rule cache off, no fact is answered from its plan's template
    monkeypatch.setattr(evaluation, "outcomes", evaluation.RuleOutcomes(0))
    on = date(2026, 3, 2)
    made = facts_module.FactPlan.__init__

    def the_general_way(plan, *args):  # no templates, and every atom counted, self-evident or not
        made(plan, *args)
        plan.template = plan.own_template = None
        plan.atoms = [(name, atom, most, False, count) for name, atom, most, _, count in plan.atoms]

    def facts_asserted(counting, templates: bool) -> list:
        monkeypatch.setattr(facts_module, "counter", counting)
        monkeypatch.setattr(facts_module.FactPlan, "__init__", made if templates else the_general_way)
        seen: list = []
        original = evaluation.RuleOutcomes.fire

        def fire(self, ruleset, facts):
            seen.extend(dict(fact) for fact in facts)
            return original(self, ruleset, facts)

        monkeypatch.setattr(evaluation.RuleOutcomes, "fire", fire)
        _evaluate_generated_cases(seed=5, fresh_plans=True, carers=True)  # plans made anew each way
        monkeypatch.setattr(evaluation.RuleOutcomes, "fire", original)
        return seen

    quick = facts_asserted(history_module.counter, templates=True)
    plans = [plan for council in api.list_councils(ROOT)
             for plan in evaluation.compiled(api.policy_on(council.id, on, ROOT)).fact_plans.values()]
    assert any(entry[4] is not None for plan in plans for entry in plan.atoms)  # some atoms had their own
    assert any(plan.template is not None for plan in plans) and any(plan.own_template for plan in plans)
    general = facts_asserted(lambda atom: None, templates=False)
    assert quick == general
    assert [list(fact) for fact in quick] == [list(fact) for fact in general]  # the same order of keys
    for council in api.list_councils(ROOT):
        evaluation.compiled(api.policy_on(council.id, on, ROOT)).fact_plans.clear()


def test_a_template_fact_is_judged_once_then_answered_from_its_plan(monkeypatch):
    """A fact copied from its plan's template always fires the same rules, so once the rule
    cache has answered one, its plan answers the rest (hearth.engine.judging.Judged): on
    generated cases of each council the answers are those of every fact judged by durable_rules
    (the cache off), a template's facts are built only in the first case that has them and the
    rest count as hits,
    and a new cache starts again without what the plans learned from the old one."""
    on = date(2026, 3, 2)
    built: list = []
    original = facts_module.build_fact

    def build_fact(cp, kind, point_no, point, ctx, key=None, extra=None, plan=None, at_own_event=False):
        plan = plan or facts_module.plan_for(cp, kind, key, extra)
        if (plan.own_template if at_own_event else plan.template) is not None:
            built.append((id(plan), at_own_event))
        return original(cp, kind, point_no, point, ctx, key, extra, plan, at_own_event)

    def answers() -> list:
        return _evaluate_generated_cases(seed=23, on=on, count=30)

    monkeypatch.setattr(judging, "build_fact", build_fact)
    monkeypatch.setattr(evaluation, "outcomes", evaluation.RuleOutcomes(0))
    judged_each = answers()
    every = len(built)
    built.clear()
    remembered = evaluation.RuleOutcomes(1000)
    monkeypatch.setattr(evaluation, "outcomes", remembered)
    assert answers() == judged_each
    # each template's facts built in the first case that has them (the points of one batch are judged together)
    assert every > 300 and len(built) < every / 10
    assert remembered.hits + remembered.misses > every  # the template points answered by plans count as hits
    built.clear()
    monkeypatch.setattr(evaluation, "outcomes", evaluation.RuleOutcomes(1000))
    assert answers() == judged_each
    assert 0 < len(built) < every / 10  # a new cache: each template's facts judged again, once


def test_a_made_fact_is_answered_by_its_plan_once_the_rule_cache_has_answered_it(monkeypatch):
    """A fact that is not a template's (it counts events or reads a field) is made at every point,
    but once the rule cache has answered one with the same content, its plan answers it
    (hearth.engine.facts.FactAnswers): on generated cases of each council the answers are those of
    every fact judged by durable_rules (the cache off); the same cases again ask the rule cache
    nothing and count as hits; a new cache starts again without what the plans learned; and a
    plan's answers empty at MOST_ANSWERS."""
    on = date(2026, 3, 2)
    asked: list = []
    original = evaluation.RuleOutcomes.fire

    def fire(self, ruleset, facts):
        asked.extend(facts)
        return original(self, ruleset, facts)

    def answers() -> list:
        return _evaluate_generated_cases(seed=29, on=on, count=30)

    monkeypatch.setattr(evaluation.RuleOutcomes, "fire", fire)
    monkeypatch.setattr(evaluation, "outcomes", evaluation.RuleOutcomes(0))
    judged_each = answers()
    every = len(asked)
    remembered = evaluation.RuleOutcomes(1000)
    monkeypatch.setattr(evaluation, "outcomes", remembered)
    asked.clear()
    assert answers() == judged_each
    learned = len(asked)
    assert every > 300 and 0 < learned < every / 5
    asked.clear()
    hits = remembered.hits
    assert answers() == judged_each
    assert asked == [] and remembered.hits - hits > every / 2  # all answered by the plans, counted as hits
    monkeypatch.setattr(evaluation, "outcomes", evaluation.RuleOutcomes(1000))
    assert answers() == judged_each
    assert 0 < len(asked) <= learned  # a new cache: the facts judged again

    kept = facts_module.FactAnswers(remembered)
    for number in range(facts_module.MOST_ANSWERS + 5):
        kept.keep((("kind", "t"), ("a0", number)), frozenset())
    assert len(kept) == 5


def test_a_one_event_trigger_says_what_the_general_findings_say(monkeypatch):
    """A trigger asking for one event of its types, at its latest firing at the child's own event,
    says what it found directly (hearth.engine.evaluate._triggers): on generated cases of each
    council, carers' events included, the answers are those of the general way (event_findings
    and finding_words at a point made for it), and the direct way was taken."""
    on = date(2026, 3, 2)
    policies = [api.policy_on(council.id, on, ROOT) for council in api.list_councils(ROOT)]

    def answers() -> list:
        return _evaluate_generated_cases(seed=31, on=on, carers=True)

    asked: list = []  # the general way's findings asked for
    original = evaluation.CompiledPolicy.findings

    def findings(self, cond, point, ctx):
        asked.append(cond)
        return original(self, cond, point, ctx)

    monkeypatch.setattr(evaluation.CompiledPolicy, "findings", findings)
    direct = answers()
    asked_direct = len(asked)
    for policy in policies:
        assert evaluation.compiled(policy).one_event_triggers
        monkeypatch.setattr(evaluation.compiled(policy), "one_event_triggers", {})
    asked.clear()
    general = answers()
    assert direct == general
    assert len(asked) - asked_direct > 100  # so many triggers' findings said directly
    assert sum(len(answer["triggers"]) for answer in general) > 100
