"""How an evaluation's cost grows with a child's events (issue 14: linear in events).

    python benchmarks/bench_growth.py

One Swindon case each of 100, 1,000, 5,000 and 20,000 events (benchmarks/bench_cases.py's
random histories), each evaluated once to warm up, then timed in CPU seconds of this process.
Targets: 5,000 events <= 60x the time of 100 events; 20,000 events under 1 s.

Ratios within one run, medians of several (the issue's rule). A 100-event evaluation takes a
millisecond or two, and a shared machine's speed drifts over seconds, so timing the small case
three times and then the large one three times moved the ratio from x62 to x107 between runs.
Here each of ROUNDS rounds times, back to back, 25 evaluations of 100 events, 5 of 1,000, one
of 5,000 and 25 more of 100 (the small case on both sides, so a drift during the round touches
both sides of the ratio alike); the ratios are taken per round, and their median is printed
with the rounds' range. The 20,000-event case is timed after the rounds (median of 3).

Two series, each with cases parsed afresh: first with Python's garbage collector as it starts
(for information), then with the collector as a bulk run sets it (bulk.keep_loaded, which
`hearth evaluate --cases` calls once its policy is loaded and compiled: loaded objects frozen,
collections less often), which is the targets' figure. At Python's defaults the collector's
full collections, which a 5,000-event evaluation's allocations set off, walk everything
loaded (policies, modules), so the large case pays for what is loaded, not for its events.
Evaluating makes no reference cycles (tests/test_no_cycles.py), so the bulk setting loses
nothing. tests/test_evaluation_growth.py checks the same growth by counting work, which a busy
machine cannot disturb.
"""
from __future__ import annotations

import platform
import random
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hearth.engine import api  # noqa: E402
from hearth.engine import bulk  # noqa: E402
from hearth.engine import evaluate as evaluation  # noqa: E402

import bench_cases  # noqa: E402

ROOT = Path(__file__).resolve().parents[1] / "policies"
REPEATS = {100: 50, 1_000: 5, 5_000: 1}   # evaluations of each case a round (100: half before, half after)
ROUNDS, LARGEST, LARGEST_RUNS = 11, 20_000, 3
TARGET_RATIO, TARGET_LARGEST = 60, 1.0


def history(size: int) -> tuple:
    """(case document, date, policy version in force on it): the random history of ``size`` events."""
    document, on = bench_cases.random_history(random.Random(size), size, size)
    return document, on, api.policy_on("swindon", on, ROOT)


def loaded(size: int) -> tuple:
    """(policy version, parsed case, date) of the history of ``size`` events, evaluated once."""
    document, on, policy = history(size)
    case = api.parse_case(policy, document)
    evaluation.evaluate(policy, case, on)
    return policy, case, on


def cpu_each(policy, case, on, runs: int) -> float:
    """CPU seconds of one evaluation: ``runs`` of them back to back, timed together."""
    start = time.process_time()
    for _ in range(runs):
        evaluation.evaluate(policy, case, on)
    return (time.process_time() - start) / runs


def one_round(cases: dict) -> dict:
    """CPU seconds of one evaluation of each size, timed back to back, the 100-event case's runs
    half before the larger cases and half after."""
    half = REPEATS[100] // 2
    before = cpu_each(*cases[100], half)
    times = {size: cpu_each(*cases[size], runs) for size, runs in REPEATS.items() if size != 100}
    return {100: (before + cpu_each(*cases[100], half)) / 2, **times}


def series(title: str, judged: bool) -> bool:
    """Print one series' figures, with the targets beside them when ``judged``; whether both are met."""
    cases = {size: loaded(size) for size in REPEATS}
    rounds = [one_round(cases) for _ in range(ROUNDS)]
    del cases  # not alive while the largest case runs
    largest_case = loaded(LARGEST)
    largest = statistics.median(cpu_each(*largest_case, 1) for _ in range(LARGEST_RUNS))
    print(f"\n{title}")
    for size in REPEATS:
        print(f"  {size:>6,} events: {statistics.median(r[size] for r in rounds) * 1000:8.2f} ms CPU")
    ok_ratio, ok_largest = True, largest < TARGET_LARGEST
    for size in (1_000, 5_000):
        ratios = [r[size] / r[100] for r in rounds]
        ratio = statistics.median(ratios)
        line = f"  {size:,} / 100 events: x{ratio:.1f} (rounds x{min(ratios):.1f}-x{max(ratios):.1f})"
        if size == 5_000 and judged:
            ok_ratio = ratio <= TARGET_RATIO
            line += f" (target <= x{TARGET_RATIO}) {'ok' if ok_ratio else 'MISSED'}"
        print(line)
    print(f"  {LARGEST:,} events: {largest:.2f} s CPU (median of {LARGEST_RUNS})"
          + (f" (target < {TARGET_LARGEST:.0f} s) {'ok' if ok_largest else 'MISSED'}" if judged else ""))
    return ok_ratio and ok_largest


def main() -> int:
    print(f"Growth with events, Swindon; {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"{platform.machine()}, Python {platform.python_version()}\n"
          f"CPU time of one evaluation, median of {ROUNDS} rounds; each round "
          f"{REPEATS[100] // 2} x 100, {REPEATS[1_000]} x 1,000, {REPEATS[5_000]} x 5,000 and "
          f"{REPEATS[100] // 2} x 100 events back to back; ratios per round")
    series("Python's default garbage collector (for information; no target):", judged=False)
    # From here on, the collector as a bulk run sets it, once the policies are loaded and compiled;
    # the rule answers the first series remembered go first, so this series makes its own after the freeze.
    evaluation.outcomes = evaluation.RuleOutcomes(evaluation.outcomes.size)
    bulk.keep_loaded(history(size)[2] for size in (*REPEATS, LARGEST))
    met = series("The collector as a bulk run sets it (bulk.keep_loaded, as `hearth evaluate --cases` "
                 "does); the targets' figures:", judged=True)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
