"""hearth.rules.durable: the only door to durable_rules, and the hazards it fences off."""
from __future__ import annotations

import copy
import multiprocessing
import os
import random
import threading

import pytest

from hearth.rules import durable
from hearth.rules.durable import CompiledRuleset, assert_single_fact_only, compile_ruleset, fire

TRICKY = 'he said "no", it\'s {x}, [y] \\ done'


def fires(condition: dict, fact: dict) -> bool:
    ruleset = compile_ruleset("op", {"r": condition})
    return fire(ruleset, [{"point": 7, **fact}]) == {(7, "r")}


# --------------------------------------------------------------------------- operators
# (condition, fact, fires?) -- every operator both firing and not firing.
OPERATOR_TABLE = [
    # implicit equality
    ({"a": 3}, {"a": 3}, True),
    ({"a": 3}, {"a": 4}, False),
    ({"a": 3}, {"b": 3}, False),
    ({"a": -2}, {"a": -2}, True),
    ({"a": 2**62 + 1}, {"a": 2**62 + 1}, True),
    ({"a": 2**62 + 1}, {"a": 2**62}, False),
    ({"a": 1.5}, {"a": 1.5}, True),
    ({"a": 1.5}, {"a": 1.25}, False),
    ({"a": 0.1234567}, {"a": 0.1234568}, False),
    ({"a": 2.0}, {"a": 2}, True),  # numbers compare as numbers, as in Python
    ({"s": "ifa_foster"}, {"s": "ifa_foster"}, True),
    ({"s": "ifa_foster"}, {"s": "ifa foster"}, False),
    ({"s": TRICKY}, {"s": TRICKY}, True),
    ({"s": TRICKY}, {"s": 'he said "no"'}, False),
    ({"s": "café ☕ 🏠"}, {"s": "café ☕ 🏠"}, True),
    ({"s": "café ☕ 🏠"}, {"s": "cafe"}, False),
    ({"s": ""}, {"s": ""}, True),
    ({"flag": True}, {"flag": True}, True),
    ({"flag": True}, {"flag": False}, False),
    ({"flag": False}, {"flag": False}, True),
    ({"flag": False}, {"flag": True}, False),
    # $neq: present and different
    ({"$neq": {"a": 3}}, {"a": 4}, True),
    ({"$neq": {"a": 3}}, {"a": 3}, False),
    ({"$neq": {"a": 3}}, {"b": 4}, False),  # absent field: $neq does not fire
    ({"$neq": {"a": 1.5}}, {"a": 2.5}, True),
    ({"$neq": {"a": 1.5}}, {"a": 1.5}, False),
    ({"$neq": {"s": "ifa_foster"}}, {"s": "in_house"}, True),
    ({"$neq": {"s": "ifa_foster"}}, {"s": "ifa_foster"}, False),
    ({"$neq": {"s": TRICKY}}, {"s": TRICKY}, False),
    ({"$neq": {"flag": True}}, {"flag": False}, True),
    ({"$neq": {"flag": True}}, {"flag": True}, False),
    # the safe "not v, or not answered" form
    ({"$or": [{"$neq": {"a": 3}}, {"$nex": {"a": 1}}]}, {"b": 1}, True),
    ({"$or": [{"$neq": {"a": 3}}, {"$nex": {"a": 1}}]}, {"a": 4}, True),
    ({"$or": [{"$neq": {"a": 3}}, {"$nex": {"a": 1}}]}, {"a": 3}, False),
    # ordering
    ({"$lt": {"a": 3}}, {"a": 2}, True),
    ({"$lt": {"a": 3}}, {"a": 3}, False),
    ({"$lt": {"a": 3}}, {"a": 2.5}, True),
    ({"$lt": {"a": 3}}, {"b": 0}, False),
    ({"$lt": {"a": -0.5}}, {"a": -1}, True),
    ({"$lt": {"a": -0.5}}, {"a": -0.001}, False),
    ({"$lte": {"a": 3}}, {"a": 3}, True),
    ({"$lte": {"a": 3}}, {"a": 4}, False),
    ({"$lte": {"a": 0.25}}, {"a": 0.25}, True),
    ({"$lte": {"a": 0.25}}, {"a": 0.2501}, False),
    ({"$gt": {"a": 3}}, {"a": 4}, True),
    ({"$gt": {"a": 3}}, {"a": 3}, False),
    ({"$gt": {"a": 2**53}}, {"a": 2**53 + 1}, True),
    ({"$gt": {"a": 1.5}}, {"a": 1.5}, False),
    ({"$gte": {"a": 3}}, {"a": 3}, True),
    ({"$gte": {"a": 3}}, {"a": 2}, False),
    ({"$gte": {"s": "m"}}, {"s": "n"}, True),  # strings order as strings
    ({"$gte": {"s": "m"}}, {"s": "a"}, False),
    # presence
    ({"$ex": {"a": 1}}, {"a": False}, True),
    ({"$ex": {"a": 1}}, {"b": 1}, False),
    ({"$nex": {"a": 1}}, {"b": 1}, True),
    ({"$nex": {"a": 1}}, {"a": 0}, False),
    # combinations
    ({"$and": [{"$gte": {"a0": 3}}, {"$neq": {"placement_type": "ifa_foster"}}]},
     {"a0": 3, "placement_type": "in_house"}, True),
    ({"$and": [{"$gte": {"a0": 3}}, {"$neq": {"placement_type": "ifa_foster"}}]},
     {"a0": 3, "placement_type": "ifa_foster"}, False),
    ({"$and": [{"$neq": {"placement_type": "ifa_foster"}}, {"$gte": {"a0": 3}}]},
     {"a0": 2, "placement_type": "in_house"}, False),
    ({"$or": [{"a": 1}, {"flag": True}]}, {"a": 2, "flag": True}, True),
    ({"$or": [{"a": 1}, {"flag": True}]}, {"a": 2, "flag": False}, False),
    ({"$and": [{"$or": [{"a": 1}, {"b": 1}]}, {"$nex": {"c": 1}}]}, {"b": 1}, True),
    ({"$and": [{"$or": [{"a": 1}, {"b": 1}]}, {"$nex": {"c": 1}}]}, {"b": 1, "c": 1}, False),
    ({"$or": [{"$and": [{"a": 1}, {"b": 1}]}, {"c": "x"}]}, {"a": 1, "b": 1}, True),
    ({"$or": [{"$and": [{"a": 1}, {"b": 1}]}, {"c": "x"}]}, {"a": 1, "c": "y"}, False),
]


@pytest.mark.parametrize("condition,fact,expected", OPERATOR_TABLE,
                         ids=[f"{i}-{'fires' if e else 'quiet'}" for i, (_, _, e) in enumerate(OPERATOR_TABLE)])
def test_operator(condition, fact, expected):
    assert fires(condition, fact) is expected


def test_table_covers_every_supported_operator_both_ways():
    def ops(cond):
        (key, arg), = cond.items()
        found = {key if key.startswith("$") else "eq"}
        if key in ("$and", "$or"):
            for sub in arg:
                found |= ops(sub)
        return found

    seen = {(op, e) for cond, _, e in OPERATOR_TABLE for op in ops(cond)}
    for op in ("eq",) + durable.SUPPORTED_OPS:
        assert (op, True) in seen and (op, False) in seen, op


# --------------------------------------------------------------------------- facts and points
def test_many_facts_map_back_to_their_points():
    ruleset = compile_ruleset("multi", {
        "old": {"$gte": {"age": 16}},
        "far": {"out_of_area": True},
        "unplanned": {"$nex": {"plan": 1}},
    })
    facts = [
        {"point": 10, "age": 17, "out_of_area": False, "plan": "x"},
        {"point": 11, "age": 3, "out_of_area": True, "plan": "x"},
        {"point": 12, "age": 16, "out_of_area": True},
        {"point": 13, "age": 2, "out_of_area": False, "plan": "y"},
        {"point": -5, "age": 1, "out_of_area": False},
    ]
    assert fire(ruleset, facts) == {
        (10, "old"), (11, "far"), (12, "old"), (12, "far"), (12, "unplanned"), (-5, "unplanned"),
    }


def test_unmatched_fact_in_batch_does_not_hide_matched_ones():
    # durable's own assert_facts raises MessageNotHandled and runs no action here.
    ruleset = compile_ruleset("batch", {"r": {"$gt": {"a": 1}}})
    assert fire(ruleset, [{"point": 0, "a": 0}, {"point": 1, "a": 5}, {"point": 2, "a": 1}]) == {(1, "r")}


def test_nothing_matching_is_an_empty_set_not_an_error():
    ruleset = compile_ruleset("none", {"r": {"a": 1}})
    assert fire(ruleset, [{"point": 0, "a": 2}]) == set()
    assert fire(ruleset, [{"point": 0, "a": 2}, {"point": 1, "b": 1}]) == set()
    assert fire(ruleset, []) == set()


def test_or_fires_once_per_branch_and_is_deduplicated(monkeypatch):
    calls = []
    monkeypatch.setattr(durable, "_action_hook", lambda rule, fact: calls.append((fact["point"], rule)))
    ruleset = compile_ruleset("dedup", {"r": {"$or": [{"a": 1}, {"b": 1}]}})
    assert fire(ruleset, [{"point": 0, "a": 1, "b": 1}, {"point": 1, "a": 1}]) == {(0, "r"), (1, "r")}
    assert sorted(calls) == [(0, "r"), (0, "r"), (1, "r")]  # durable fired point 0 twice


def test_identical_facts_are_kept_apart_by_point():
    ruleset = compile_ruleset("same", {"r": {"a": 1}})
    assert fire(ruleset, [{"point": 0, "a": 1}, {"point": 1, "a": 1}]) == {(0, "r"), (1, "r")}


def test_repeated_calls_start_from_a_clean_session():
    ruleset = compile_ruleset("clean", {"r": {"a": 1}})
    assert fire(ruleset, [{"point": 0, "a": 1}]) == {(0, "r")}
    assert fire(ruleset, [{"point": 0, "a": 2}]) == set()
    assert fire(ruleset, [{"point": 0, "a": 1}]) == {(0, "r")}


@pytest.mark.parametrize("facts,message", [
    ([{"a": 1}], "int 'point'"),
    ([{"point": True, "a": 1}], "int 'point'"),
    ([{"point": 1, "a": 1}, {"point": 1, "a": 2}], "appears twice"),
    ([{"point": 1, "a": None}], "not a literal"),
    ([{"point": 1, "a": [1]}], "not a literal"),
    ([{"point": 1, "a": 1e-7}], "exponent"),
    ([{"point": 1, "a": 1e16}], "exponent"),
    ([{"point": 1, "a": float("nan")}], "not finite"),
    ([{"point": 1, "a": 2**63}], "64 bits"),
    ([{"point": 1, "id": "x"}], "reserved"),
    ([{"point": 1, "sid": "x"}], "reserved"),
    ([{"point": 1, "a.b": 1}], "identifier"),
    ([{"point": 1, "a": "1"}], "coerce"),   # the ruleset compares a with numbers
    ([{"point": 1, "flag": 1}], "coerce"),  # ... and flag with booleans
    ([{"point": 1, "a": 1.5, "s": 3}], "coerce"),
])
def test_facts_durable_would_misread_are_rejected(facts, message):
    ruleset = compile_ruleset("facts", {"r": {"$and": [{"$lt": {"a": 3}}, {"$ex": {"flag": 1}}]},
                                        "f": {"flag": True}, "s": {"s": "x"}})
    with pytest.raises(ValueError, match=message):
        fire(ruleset, facts)


def test_fields_no_rule_mentions_may_hold_any_literal():
    ruleset = compile_ruleset("free", {"r": {"a": 1}})
    assert fire(ruleset, [{"point": 0, "a": 1, "x": "1", "y": True, "z": 0.5}]) == {(0, "r")}


# --------------------------------------------------------------------------- errors in actions
def test_exception_in_action_surfaces_naming_the_rule(monkeypatch):
    def explode(rule, fact):
        if rule == "boom":
            raise KeyError("no such field")

    monkeypatch.setattr(durable, "_action_hook", explode)
    ruleset = compile_ruleset("errors", {"fine": {"a": 1}, "boom": {"b": 1}})
    with pytest.raises(RuntimeError, match="rule 'boom'") as raised:
        fire(ruleset, [{"point": 0, "a": 1, "b": 1}])
    assert isinstance(raised.value.__cause__, KeyError)
    assert fire(ruleset, [{"point": 0, "a": 1}]) == {(0, "fine")}


def test_failing_calls_still_release_their_sessions(monkeypatch):
    def explode(rule, fact):
        raise ValueError("bad")

    monkeypatch.setattr(durable, "_action_hook", explode)
    ruleset = compile_ruleset("errors_release", {"r": {"a": 1}})
    for _ in range(1100):  # > 1,024 live sessions would be a MemoryError
        with pytest.raises(RuntimeError):
            fire(ruleset, [{"point": 0, "a": 1}])
    monkeypatch.setattr(durable, "_action_hook", None)
    assert fire(ruleset, [{"point": 0, "a": 1}]) == {(0, "r")}


# --------------------------------------------------------------------------- compiling
def test_name_is_prefix_and_content_hash():
    one = compile_ruleset("northshire", {"r": {"a": 1}, "s": {"b": "x"}})
    again = compile_ruleset("northshire", {"s": {"b": "x"}, "r": {"a": 1}})
    other = compile_ruleset("northshire", {"r": {"a": 2}, "s": {"b": "x"}})
    assert one.name == again.name != other.name
    prefix, digest = one.name.rsplit("_", 1)
    assert prefix == "northshire" and len(digest) == 12 and int(digest, 16) >= 0
    assert one.rule_names == ("r", "s")
    assert one.definition == {"r": {"all": [{"m": {"a": 1}}]}, "s": {"all": [{"m": {"b": "x"}}]}}


def test_compile_copies_its_input():
    conditions = {"r": {"$and": [{"a": 1}]}}
    ruleset = compile_ruleset("copy", conditions)
    conditions["r"]["$and"].append({"b": 2})
    assert ruleset.definition["r"]["all"][0]["m"] == {"$and": [{"a": 1}]}


@pytest.mark.parametrize("condition,message", [
    ({"$gt": {"a": {"$m": "b"}}}, "must be a literal"),
    ({"a": {"first": "a"}}, "must be a literal"),
    ({"$and": [{"a": 1}, {"$s": 1}]}, "refers to another fact"),
    ({"$m": {"a": 1}}, "refers to another fact"),
    ({"$sref": "x"}, "refers to another fact"),
    ({"$l": {"$m": "a"}}, "refers to another fact"),
    ({"$lt": {"$l": {"$m": "a"}, "$r": 1}}, "one-key dict"),
    ({"$mt": {"s": "a.*"}}, "operator '\\$mt' is not supported"),
    ({"$iany": {"s": 1}}, "not supported"),
    ({"$add": {"a": 1}}, "not supported"),
    ({"$eq": {"a": 1}}, "not supported"),
    ({"a": 1, "b": 2}, "use \\$and"),
    ({}, "exactly one key"),
    ({"$and": []}, "non-empty list"),
    ({"$or": {"a": 1}}, "non-empty list"),
    ({"$ex": {"a": True}}, "takes"),
    ({"a": None}, "not a literal"),
    ({"a": [1, 2]}, "must be a literal"),
    ({"a": 1e-5}, "exponent"),
    ({"a": float("inf")}, "not finite"),
    ({"id": 1}, "reserved"),
    ({"point": 1}, "reserved"),
    ({"a b": 1}, "identifier"),
    ({"$and": [{"a": 1}, {"$lt": {"a": "z"}}]}, "one kind of literal"),
])
def test_compile_rejects_with_a_clear_message(condition, message):
    with pytest.raises(ValueError, match=message):
        compile_ruleset("bad", {"r": condition})


def test_one_field_one_kind_across_rules():
    with pytest.raises(ValueError, match="'flag' is compared with a number"):
        compile_ruleset("kinds", {"r": {"flag": True}, "s": {"flag": 1}})


@pytest.mark.parametrize("prefix,conditions,message", [
    ("", {"r": {"a": 1}}, "prefix"),
    ("bad$state", {"r": {"a": 1}}, "prefix"),
    ("ok", {}, "at least one rule"),
    ("ok", {"bad name!": {"a": 1}}, "rule name"),
    ("ok", {"__hearth_x": {"a": 1}}, "reserved"),
])
def test_compile_rejects_bad_names(prefix, conditions, message):
    with pytest.raises(ValueError, match=message):
        compile_ruleset(prefix, conditions)


def test_compile_checks_single_fact_only(monkeypatch):
    seen = []
    monkeypatch.setattr(durable, "assert_single_fact_only", seen.append)
    ruleset = compile_ruleset("spy", {"r": {"a": 1}})
    assert seen == [ruleset.definition]


@pytest.mark.parametrize("definition,message", [
    ({"r": {"all": [{"first": {"a": 1}}, {"second": {"$gt": {"a": {"first": "a"}}}}]}}, "joins 2"),
    ({"r": {"all": [{"first": {"a": 1}}]}}, "named 'm'"),
    ({"r": {"all": [{"m$any": [{"m": {"a": 1}}]}]}}, "named 'm'"),
    ({"r": {"any": [{"m": {"a": 1}}]}}, "only an 'all'"),
    ({"r": {"all": [{"m": {"a": 1}}], "count": 2}}, "only an 'all'"),
    ({"r": {"all": [{"m": {"$gt": {"a": {"$m": "b"}}}}]}}, "refers to another"),
    ({"r": {"all": [{"m": {"$and": [{"a": 1}, {"$s": 1}]}}]}}, "refers to another"),
    ({"r": {"all": [{"m": {"$lt": {"$l": {"$m": "a"}, "$r": 1}}}]}}, "refers to another"),
])
def test_assert_single_fact_only_rejects_joins(definition, message):
    with pytest.raises(AssertionError, match=message):
        assert_single_fact_only(definition)


def test_assert_single_fact_only_accepts_compiled_definitions():
    ruleset = compile_ruleset("ok", {"r": {"$and": [{"$gte": {"a": 3}}, {"$or": [{"b": "x"}, {"$nex": {"c": 1}}]}]}})
    assert assert_single_fact_only(ruleset.definition) is None


def test_fire_refuses_a_hand_made_join():
    bad = CompiledRuleset(name="handmade_join", rule_names=("r",),
                          definition={"r": {"all": [{"m": {"a": 1}}, {"m": {"b": 1}}]}})
    with pytest.raises(AssertionError, match="joins"):
        fire(bad, [{"point": 0, "a": 1}])


# --------------------------------------------------------------------------- registration
def test_definition_not_mutated_and_same_name_twice_is_fine():
    ruleset = compile_ruleset("twice", {"r": {"$nex": {"a": 1}}})
    before = copy.deepcopy(ruleset.definition)
    assert fire(ruleset, [{"point": 0, "b": 1}]) == {(0, "r")}
    assert ruleset.definition == before  # set_rulesets deletes "run" from what it is given
    same = compile_ruleset("twice", {"r": {"$nex": {"a": 1}}})
    assert same == ruleset and same is not ruleset
    assert fire(same, [{"point": 0, "b": 1}]) == {(0, "r")}
    assert fire(ruleset, [{"point": 0, "a": 1}]) == set()


def test_same_name_with_other_content_is_refused():
    real = compile_ruleset("clash", {"r": {"a": 1}})
    fire(real, [{"point": 0, "a": 1}])
    forged = CompiledRuleset(name=real.name, rule_names=("r",), definition={"r": {"all": [{"m": {"a": 2}}]}})
    with pytest.raises(ValueError, match="another definition"):
        fire(forged, [{"point": 0, "a": 2}])


def test_no_timer_threads_are_started():
    fire(compile_ruleset("threads", {"r": {"a": 1}}), [{"point": 0, "a": 1}])
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer)]


# --------------------------------------------------------------------------- sessions
def test_five_thousand_sequential_calls_release_their_sessions():
    ruleset = compile_ruleset("seq", {"r": {"$gt": {"a": 0}}})
    for i in range(5000):
        # every third call matches nothing: those sessions are released too
        value = 0 if i % 3 == 0 else i
        expected = set() if value == 0 else {(i, "r")}
        assert fire(ruleset, [{"point": i, "a": value}, {"point": -1, "a": 0}]) == expected


# --------------------------------------------------------------------------- threads and fork
def expected_for(facts: list[dict]) -> set[tuple[int, str]]:
    out = set()
    for f in facts:
        if f["n"] % 2 == 0:
            out.add((f["point"], "even"))
        if f["n"] >= 5 and f["tag"] != "skip":
            out.add((f["point"], "big"))
    return out


PARALLEL_CONDITIONS = {
    "even": {"$or": [{"n": 0}, {"n": 2}, {"n": 4}, {"n": 6}, {"n": 8}]},
    "big": {"$and": [{"$gte": {"n": 5}}, {"$neq": {"tag": "skip"}}]},
}


def batch(seed: int) -> list[dict]:
    return [{"point": p, "n": (seed + p) % 10, "tag": "skip" if (seed * p) % 3 == 0 else "keep"}
            for p in range(1 + seed % 5)]


def test_four_threads_in_parallel_get_correct_results():
    # a ruleset no other test registers, so the threads also race to register it
    ruleset = compile_ruleset("parallel", {**PARALLEL_CONDITIONS, "marker": {"thread_test": 1}})
    failures: list[str] = []
    start = threading.Barrier(4)

    def worker(w: int) -> None:
        try:
            start.wait()
            for i in range(500):
                facts = batch(w * 1000 + i)
                got = fire(ruleset, facts)
                if got != expected_for(facts):
                    failures.append(f"thread {w} call {i}: {sorted(got)}")
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(f"thread {w}: {error!r}")

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def _child_fires(ruleset: CompiledRuleset, conn) -> None:
    try:
        inherited = durable._HOST  # the parent's Host must not be used here
        fresh_start = inherited is None or inherited.pid != os.getpid()
        results = [fire(ruleset, batch(seed)) == expected_for(batch(seed)) for seed in range(50)]
        conn.send((fresh_start, all(results), durable._HOST.pid == os.getpid()))
    except BaseException as error:  # noqa: BLE001 - sent to the parent
        conn.send(repr(error))
    finally:
        conn.close()


def test_forked_child_can_fire_even_while_the_parent_is_busy():
    ruleset = compile_ruleset("forked", PARALLEL_CONDITIONS)
    assert fire(ruleset, batch(3)) == expected_for(batch(3))  # the parent's Host exists
    ctx = multiprocessing.get_context("fork")
    stop = threading.Event()
    busy_errors: list[BaseException] = []

    def keep_firing() -> None:
        i = 0
        while not stop.is_set():
            try:
                assert fire(ruleset, batch(i)) == expected_for(batch(i))
            except BaseException as error:  # noqa: BLE001 - reported below
                busy_errors.append(error)
                return
            i += 1

    busy = threading.Thread(target=keep_firing)
    busy.start()
    try:
        for _ in range(3):
            receive, send = ctx.Pipe(duplex=False)
            child = ctx.Process(target=_child_fires, args=(ruleset, send))
            child.start()
            send.close()
            assert receive.poll(60), "the child did not answer"
            answer = receive.recv()
            child.join(60)
            assert child.exitcode == 0
            assert answer == (True, True, True)
    finally:
        stop.set()
        busy.join()
    assert busy_errors == []
    assert fire(ruleset, batch(4)) == expected_for(batch(4))


def test_rulesets_with_the_same_rules_share_one_durable_registration():
    """Two councils with one procedure (a national run's copies) are registered with durable once:
    a bulk worker pays for each distinct procedure, not for each council."""
    rules = {"r": {"a": 1}, "s": {"$gte": {"b": 2}}}
    one, two = compile_ruleset("council_one", rules), compile_ruleset("council_two", rules)
    other = compile_ruleset("council_three", {"r": {"a": 2}})
    facts = [{"point": 0, "a": 1, "b": 3}, {"point": 1, "a": 2, "b": 1}]
    assert fire(one, facts) == fire(two, facts) == {(0, "r"), (0, "s")}
    assert fire(other, facts) == {(1, "r")}
    host = durable._host()
    assert host.registry[one.name].ruleset is host.registry[two.name].ruleset
    assert host.registry[other.name].ruleset is not host.registry[one.name].ruleset


# --------------------------------------------------------------------------- the action loop
def _random_condition(rng: random.Random, depth: int = 0) -> dict:
    field = rng.choice("abc")
    shape = rng.choice(["eq", "$lt", "$gte", "$neq", "$ex", "$nex"] + (["$and", "$or"] if depth < 2 else []))
    if shape == "eq":
        return {field: rng.randint(0, 3)}
    if shape in ("$ex", "$nex"):
        return {shape: {field: 1}}
    if shape in ("$and", "$or"):
        return {shape: [_random_condition(rng, depth + 1) for _ in range(rng.randint(1, 3))]}
    return {shape: {field: rng.randint(0, 3)}}


def _durables_own_loop(host, ruleset, state_offset):
    """durable's Ruleset.do_actions, as fire ran actions before the lean loop."""
    errors = []
    ruleset.do_actions(state_offset, lambda error, _state: errors.append(error))
    if any(errors):
        raise RuntimeError(f"durable_rules failed while running actions: {errors!r}")


def test_the_lean_action_loop_runs_what_durables_own_loop_runs(monkeypatch):
    """The same actions, in the same order, for random rules and batches of facts (an $or fires
    once per branch, so counts and order are compared, not only the set)."""
    rng = random.Random(20261129)
    compared = 0
    for number in range(40):
        rules = {f"r{i}": _random_condition(rng) for i in range(rng.randint(1, 6))}
        ruleset = compile_ruleset(f"loop{number}", rules)
        batches = [[{"point": point, **{k: rng.randint(0, 3) for k in "abc" if rng.random() < 0.8}}
                    for point in range(rng.randint(1, 8))] for _ in range(5)]
        runs = []
        for loop in (durable._run_actions, _durables_own_loop):
            monkeypatch.setattr(durable, "_run_actions", loop)
            calls = []
            monkeypatch.setattr(durable, "_action_hook", lambda rule, fact: calls.append((fact["point"], rule)))
            runs.append([(fire(ruleset, batch), list(calls), calls.clear())[:2] for batch in batches])
        assert runs[0] == runs[1], rules
        compared += sum(len(calls) for _, calls in runs[0])
    assert compared > 200  # the rules matched enough to compare
