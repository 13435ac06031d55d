"""Generated cohorts for the bulk-evaluation tests (tests/test_bulk.py, tests/web/test_bulk_queue.py):
benchmarks/cohorts.py's, which benchmarks/bench_bulk.py uses too (the benchmarks folder is not
a package, so it is put on the path here)."""
from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

from cohorts import COUNCIL, ON, write_cohort  # noqa: E402

__all__ = ["COUNCIL", "ON", "write_cohort"]
