"""Reading and evaluating cases leaves no reference cycles behind: all their garbage goes when
its last reference does. hearth.engine.bulk.keep_loaded rests on it: a run of many evaluations
has the cyclic garbage collector run seldom, which costs no memory only while this holds."""
from __future__ import annotations

import gc
import random
import sys
from pathlib import Path

import pytest

from hearth.engine import api
from hearth.engine import evaluate as evaluation

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_cases  # noqa: E402


@pytest.mark.parametrize("council", [council.id for council in api.list_councils(POLICIES)])
def test_reading_and_evaluating_cases_makes_no_reference_cycles(council):
    version = api.policy_on(council, bench_cases.LATEST, POLICIES)
    named = bench_cases.policy_event_types(version)
    rng = random.Random(14)
    documents = [bench_cases.council_case(rng, version, named, number, bench_cases.LATEST) for number in range(60)]
    for document in documents[:10]:  # what a policy makes once and keeps is made here
        evaluation.evaluate(version, api.parse_case(version, document), bench_cases.LATEST)
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for document in documents[10:]:
            evaluation.evaluate(version, api.parse_case(version, document), bench_cases.LATEST)
        left = gc.collect()
    finally:
        if was_enabled:
            gc.enable()
    assert left == 0, f"{left} objects in reference cycles after 50 evaluations"
