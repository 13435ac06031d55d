"""Bulk evaluation (`hearth evaluate --cases`): 10,000 generated, distinct Swindon cases of 20 events (bench_cases.py),
evaluated by the console script with one worker and with one per core, and the two outputs
checked identical, byte for byte (issue 14's must-show; the test suite runs 1,000).

    python benchmarks/bench_bulk.py                    # 10,000 cases, 1 worker and one per core
    python benchmarks/bench_bulk.py --cases 2000 --workers 4

Exit 1 if the outputs differ. Times are wall-clock on this machine, so the speed-up says how
many cores the run really had. Both runs include the command's start (Python, the web's
imports, the policy), which no number of workers shortens; it is timed on its own, as a run
of one case, and the speed-up of the rest printed beside the whole.
"""
from __future__ import annotations

import argparse
import filecmp
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from cohorts import COUNCIL, ON, write_cohort

from hearth.engine.bulk_runners import default_workers

POLICIES = Path(__file__).resolve().parents[1] / "policies"
HEARTH = Path(sys.executable).parent / "hearth"


def run(cases: Path, workers: int, output: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run([str(HEARTH), "evaluate", "--council", COUNCIL, "--cases", str(cases), "--on", ON,
                           "--workers", str(workers), "--output", str(output), "--no-progress"],
                          env={**os.environ, "HEARTH_POLICIES": str(POLICIES)}, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"hearth evaluate --workers {workers} failed ({done.returncode}):\n{done.stderr}")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hearth-bulk-") as folder:
        cases = write_cohort(Path(folder) / "cohort.jsonl", args.cases)
        one_case = write_cohort(Path(folder) / "one-case.jsonl", 1)
        starting = min(run(one_case, 1, Path(folder) / "start.jsonl") for _ in range(3))
        alone = run(cases, 1, Path(folder) / "one.jsonl")
        together = run(cases, args.workers, Path(folder) / "many.jsonl")
        identical = filecmp.cmp(Path(folder) / "one.jsonl", Path(folder) / "many.jsonl", shallow=False)
        lines = sum(1 for _line in (Path(folder) / "many.jsonl").open(encoding="utf-8"))
    print(f"Bulk evaluation, {args.cases:,} generated {COUNCIL} cases of 20 events "
          f"({datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}, {platform.node()}, {default_workers()} cores)")
    print(f"  1 worker:   {alone:6.1f} s  {args.cases / alone:8,.0f} cases/s")
    print(f"  {args.workers} workers: {together:6.1f} s  {args.cases / together:8,.0f} cases/s  "
          f"speed-up {alone / together:.2f}x (target: {args.workers}x, proportional to the workers)")
    print(f"  of which starting (the console script, its imports and the policy: a run of one case, fastest "
          f"of 3): {starting:.1f} s;\n  the cases' part: 1 worker {alone - starting:.1f} s, {args.workers} workers "
          f"{together - starting:.1f} s, speed-up {(alone - starting) / max(together - starting, 1e-9):.2f}x")
    print(f"  outputs identical: {'yes' if identical and lines == args.cases else 'NO'} ({lines:,} lines)")
    return 0 if identical and lines == args.cases else 1


if __name__ == "__main__":
    sys.exit(main())
