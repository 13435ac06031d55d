"""What reaches durable_rules: single-fact rules only, within its limits, for every policy we have."""

import pytest

from hearth.engine.evaluate import compiled
from hearth.engine.policy import load_policy
from hearth.rules import durable
from hearth.rules.compile import MAX_GROUPS, group_count

from conftest import FIXTURES, ROOT

COUNCILS = sorted(p.parent for p in list(FIXTURES.glob("*/council.yaml")) + list((ROOT / "policies").glob("*/council.yaml"))
                  if (p.parent / "versions").is_dir())


@pytest.mark.parametrize("folder", COUNCILS, ids=lambda p: p.name)
def test_every_compiled_ruleset_joins_no_facts(folder):
    for version in load_policy(folder).versions:
        cp = compiled(version)
        durable.assert_single_fact_only(cp.ruleset.definition)
        for name, rule in cp.ruleset.definition.items():
            assert group_count(rule["all"][0]["m"]) <= MAX_GROUPS + 2, name  # + the guards durable.py adds


def test_the_checker_refuses_a_join():
    joined = {"r": {"all": [{"first": {"a": 1}}, {"second": {"$gt": {"b": {"first": "b"}}}}]}}
    with pytest.raises(AssertionError):
        durable.assert_single_fact_only(joined)


def _nested(groups: int) -> dict:
    """An expression of exactly `groups` $and/$or groups (including the kind wrapper)."""
    expr = {"$gte": {"a0": 1}}
    for i in range(groups - 1):
        op = "$or" if i % 2 == 0 else "$and"
        expr = {op: [expr, {"$gte": {f"a{i + 1}": 1}}]}
    return {"$and": [{"kind": "n"}, expr]}


def test_the_group_limit_is_what_durable_allows():
    ok = durable.compile_ruleset("limit_ok", {"r": _nested(MAX_GROUPS)})
    fact = {"point": 0, "kind": "n", **{f"a{i}": 1 for i in range(MAX_GROUPS + 2)}}
    assert durable.fire(ok, [fact]) == {(0, "r")}
    assert group_count(_nested(MAX_GROUPS)) == MAX_GROUPS
    too_many = durable.compile_ruleset("limit_over", {"r": _nested(MAX_GROUPS + 1)})
    with pytest.raises(Exception, match="113"):  # durable's ERR_EXPRESSION_LIMIT_EXCEEDED
        durable.fire(too_many, [fact])


def test_an_over_complex_condition_is_refused_where_it_is_written(policy_copy):
    from hearth.rules.source import SourceError
    path = policy_copy / "versions" / "2025-04.yaml"
    deep = "{event: missing_episode}"
    for i in range(MAX_GROUPS + 1):
        deep = f"{{any: [{deep}, {{event: allegation}}]}}" if i % 2 else f"{{all: [{deep}, {{not: {{event: complaint}}}}]}}"
    text = path.read_text().replace("when: {event: missing_episode}", f"when: {deep}", 1)
    path.write_text(text)
    with pytest.raises(SourceError) as info:
        load_policy(policy_copy)
    [problem] = info.value.problems
    assert "too complicated for the rules engine" in problem.message
    assert problem.loc.line == next(i for i, l in enumerate(text.splitlines(), 1) if "{any: [" in l or "{all: [" in l)
