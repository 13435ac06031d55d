"""Does hearth.rules.durable.fire() leak? durable_rules' C core keeps per-session
state; we create and delete a session on every call, so RSS must stay flat.

Runs N fire() calls (20 facts each) of a small ruleset, prints RSS at 0, 10%,
50% and 100% of the run, then the same loop through a pure-Python evaluator of
the same conditions as a baseline (and a cross-check that both agree). Exits 1
if RSS grows more than 20% after the first 10% (the warm-up).

    python benchmarks/bench_durable_memory.py           # 100,000 calls (~1 min)
    python benchmarks/bench_durable_memory.py --quick   # 10,000 calls
"""
from __future__ import annotations

import argparse
import gc
import operator
import random
import resource
import sys
import time

from hearth.rules.durable import compile_ruleset, fire

CONDITIONS = {
    "missing_often": {"$gte": {"missing_episodes": 3}},
    "not_ifa": {"$and": [{"$gte": {"age": 16}}, {"$neq": {"placement_type": "ifa_foster"}}]},
    "no_plan": {"$nex": {"plan_date": 1}},
    "risk": {"$or": [{"exploitation_risk": True}, {"$gt": {"risk_score": 7.5}}]},
    "young_out_of_area": {"$and": [{"$lt": {"age": 10}}, {"out_of_area": True}]},
}
MAX_ALLOWED_GROWTH = 1.20


def rss_kib() -> int:
    """Current resident set size; /proc where there is one, else peak RSS."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def make_batches(count: int, facts_per_call: int = 20) -> list[list[dict]]:
    rng = random.Random(20240601)
    batches = []
    for _ in range(count):
        facts = []
        for point in range(facts_per_call):
            fact = {
                "point": point,
                "age": rng.randint(0, 18),
                "missing_episodes": rng.randint(0, 5),
                "placement_type": rng.choice(["ifa_foster", "in_house_foster", "residential"]),
                "exploitation_risk": rng.random() < 0.2,
                "risk_score": round(rng.uniform(0, 10), 2),
                "out_of_area": rng.random() < 0.3,
            }
            if rng.random() < 0.7:
                fact["plan_date"] = "2024-05-01"
            facts.append(fact)
        batches.append(facts)
    return batches


_ORDER = {"$lt": operator.lt, "$lte": operator.le, "$gt": operator.gt, "$gte": operator.ge,
          "$neq": operator.ne}


def matches(cond: dict, fact: dict) -> bool:
    """The same semantics in Python: a test on an absent field is false."""
    (key, arg), = cond.items()
    if key == "$and":
        return all(matches(c, fact) for c in arg)
    if key == "$or":
        return any(matches(c, fact) for c in arg)
    if key == "$ex":
        return next(iter(arg)) in fact
    if key == "$nex":
        return next(iter(arg)) not in fact
    if key in _ORDER:
        (name, value), = arg.items()
        return name in fact and _ORDER[key](fact[name], value)
    return key in fact and fact[key] == arg


def fire_python(conditions: dict, facts: list[dict]) -> set[tuple[int, str]]:
    return {(f["point"], name) for f in facts for name, c in conditions.items() if matches(c, f)}


def run(label: str, call, batches: list[list[dict]], total: int) -> tuple[list[tuple[int, int]], float]:
    checkpoints = {0, total // 10, total // 2, total}
    samples = []
    gc.collect()
    samples.append((0, rss_kib()))
    start = time.perf_counter()
    for i in range(1, total + 1):
        call(batches[i % len(batches)])
        if i in checkpoints:
            gc.collect()
            samples.append((i, rss_kib()))
    elapsed = time.perf_counter() - start
    print(f"{label}: {total:,} calls in {elapsed:.1f} s = {elapsed / total * 1e6:.0f} us per call")
    for calls, rss in samples:
        print(f"  RSS after {calls:>7,} calls: {rss / 1024:8.1f} MiB")
    warm, end = samples[1][1], samples[-1][1]
    print(f"  growth after warm-up: x{end / warm:.3f} ({(end - warm) / 1024:+.1f} MiB)")
    return samples, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 calls instead of 100,000")
    parser.add_argument("--calls", type=int, default=None, help="override the number of calls")
    args = parser.parse_args(argv)
    total = args.calls or (10_000 if args.quick else 100_000)

    ruleset = compile_ruleset("bench", CONDITIONS)
    batches = make_batches(200)
    for facts in batches:  # correctness first: a fast wrong answer is no answer
        expected = fire_python(CONDITIONS, facts)
        got = fire(ruleset, facts)
        if got != expected:
            print(f"MISMATCH: durable {sorted(got - expected)} extra, {sorted(expected - got)} missing")
            return 2
    print(f"{len(CONDITIONS)} rules, 20 facts per call, results agree with the Python evaluator")

    durable_samples, durable_time = run("durable fire()", lambda f: fire(ruleset, f), batches, total)
    python_samples, python_time = run("pure Python   ", lambda f: fire_python(CONDITIONS, f), batches, total)

    growth = durable_samples[-1][1] / durable_samples[1][1]
    print(f"durable is x{durable_time / python_time:.1f} the time of the Python evaluator")
    if growth > MAX_ALLOWED_GROWTH:
        print(f"FAIL: RSS grew x{growth:.3f} after warm-up (limit x{MAX_ALLOWED_GROWTH})")
        return 1
    print(f"OK: RSS growth after warm-up x{growth:.3f} <= x{MAX_ALLOWED_GROWTH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
