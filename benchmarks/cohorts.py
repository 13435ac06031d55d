"""Generated cohorts as JSON-lines files: plausible 20-event Swindon cases from the evaluation
benchmark's generator (bench_evaluate.make_case), one a line, seeded so a cohort is the same
every time. benchmarks/bench_bulk.py and the bulk-evaluation tests (tests/bulk_support.py) use it."""
from __future__ import annotations

import json
import random
from pathlib import Path

from hearth.engine import api

from bench_evaluate import AS_OF, make_case

COUNCIL = "swindon"
ON = AS_OF.isoformat()


def write_cohort(path: Path, count: int, seed: int = 20261129, root: Path | None = None) -> Path:
    """``count`` generated cases of COUNCIL, one a line, written to ``path``."""
    roles = set(api.policy_on(COUNCIL, AS_OF, root).vocabulary.roles)
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(count):
            out.write(json.dumps(make_case(rng, roles)) + "\n")
    return path
