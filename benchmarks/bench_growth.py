"""How an evaluation's cost grows with a child's events (issue 14: linear in events).

    python benchmarks/bench_growth.py

One Swindon case each of 100, 1,000, 5,000 and 20,000 events (benchmarks/bench_cases.py's
random histories), each evaluated once to warm up and then timed (CPU seconds of this
process, the median of three; one run for 20,000). Targets: 5,000 events <= 60x the time of
100 events; 20,000 events under 1 s. tests/test_evaluation_growth.py checks the same growth by
counting work, which a busy machine cannot disturb.
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
from hearth.engine import evaluate as evaluation  # noqa: E402

import bench_cases  # noqa: E402

ROOT = Path(__file__).resolve().parents[1] / "policies"
SIZES = (100, 1_000, 5_000, 20_000)
TARGET_RATIO, TARGET_LARGEST = 60, 1.0


def cpu_seconds(policy, case, on, runs: int) -> float:
    evaluation.evaluate(policy, case, on)
    times = []
    for _ in range(runs):
        start = time.process_time()
        evaluation.evaluate(policy, case, on)
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> int:
    print(f"Growth with events, Swindon; {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"{platform.machine()}, {platform.python_version()}")
    times = {}
    for size in SIZES:
        document, on = bench_cases.random_history(random.Random(size), size, size)
        policy = api.policy_on("swindon", on, ROOT)
        case = api.parse_case(policy, document)
        times[size] = cpu_seconds(policy, case, on, 1 if size > 5_000 else 3)
        print(f"  {size:>6,} events: {times[size] * 1000:9.1f} ms CPU")
    ratio = times[5_000] / times[100]
    ok_ratio, ok_largest = ratio <= TARGET_RATIO, times[20_000] < TARGET_LARGEST
    print(f"  5,000 / 100 events: x{ratio:.1f} (target <= x{TARGET_RATIO}) {'ok' if ok_ratio else 'MISSED'}")
    print(f"  20,000 events: {times[20_000]:.2f} s (target < {TARGET_LARGEST:.0f} s) "
          f"{'ok' if ok_largest else 'MISSED'}")
    return 0 if ok_ratio and ok_largest else 1


if __name__ == "__main__":
    sys.exit(main())
