"""Generated cohorts as JSON-lines files: bench_cases.py's distinct Swindon cases (stories,
random histories, bank-holiday edges; 20 events each), one a line, seeded so a cohort is the
same every time, all judged on one day (ON, the generator's last). benchmarks/bench_bulk.py
and the bulk-evaluation tests (tests/bulk_support.py) use it."""
from __future__ import annotations

import json
import random
from pathlib import Path

from bench_cases import KINDS, LATEST

COUNCIL = "swindon"
ON = LATEST.isoformat()


def write_cohort(path: Path, count: int, seed: int = 20261129) -> Path:
    """``count`` generated cases of COUNCIL, one a line, written to ``path`` as they are made."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            case, _judged_on = KINDS[number % len(KINDS)](rng, number)
            out.write(json.dumps(case) + "\n")
    return path
