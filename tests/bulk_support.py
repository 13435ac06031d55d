"""Generated cohorts for the bulk-evaluation tests (tests/test_bulk.py, tests/web/test_bulk_queue.py)
and benchmark (benchmarks/bench_bulk.py): JSON-lines files of plausible 20-event Swindon cases
from the evaluation benchmark's generator (benchmarks/bench_evaluate.py's make_case), seeded,
so a cohort is the same every time."""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from hearth.engine import api

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

from bench_evaluate import AS_OF, make_case  # noqa: E402  (the benchmarks folder is not a package)

COUNCIL = "swindon"
ON = AS_OF.isoformat()


def write_cohort(path: Path, count: int, seed: int = 20261129, root: Path | None = None) -> Path:
    """``count`` generated cases, one a line, written to ``path``."""
    roles = set(api.policy_on(COUNCIL, AS_OF, root).vocabulary.roles)
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(count):
            out.write(json.dumps(make_case(rng, roles)) + "\n")
    return path
