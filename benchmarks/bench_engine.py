"""The engine's speed and memory against issue 14's targets, each printed as a ratio with its
target beside it, the absolute times beside the ratios, with the date and the machine.

    python benchmarks/bench_engine.py            # the full run (several minutes)
    python benchmarks/bench_engine.py --quick    # everything scaled down; projections stated

1. Agreement. benchmarks/swindon_whole_answer.py is Swindon's procedure hand-written in plain
   Python, returning the WHOLE answer (every trigger, deadline, gate and duty with its
   `because`, `basis` and `source`). It must still be the procedure of policies/swindon (its
   pinned content hash), and its JSON must be byte-equal to the engine's on every generated
   case (benchmarks/bench_cases.py: stories, random histories, bank-holiday edges) before
   anything is timed: a fast function that does less work proves nothing.
2. Throughput on cases seen for the first time: fresh cases each round (their own children and
   dates), so nothing the engine remembered from an earlier case can be an answer. The
   hand-written function and the engine take the same parsed cases in the same round; the
   ratio is the median over the rounds. Target: engine >= 0.5x the hand-written function.
3. Throughput on repeated cases: 200 cases cycled (the best case for any cache); reported
   separately, no target.
4. Memory over 100,000 distinct evaluations: RSS after a warm-up of a tenth, then at the half
   and the end. Target: end / after warm-up <= x1.05.
5. National re-evaluation: 153 councils x 550 children x 20 events = 84,150 distinct cases,
   from case documents to answers (parsing included), in this one process, so on one core
   (CPU seconds). The councils are copies of the repository's councils under generated ids in
   a temporary policies folder; each case is made from its council's own vocabulary and rules.
   Target: <= 20 s.
6. National re-evaluation on all cores: the same cases, written as each council's JSON-lines
   file, evaluated through the product's bulk path (hearth.engine.bulk, what `hearth evaluate
   --cases --workers N` runs) with one worker per core (os.cpu_count()), every council's cases
   in one stream through one pool. Its answers must be the one-core run's, line for line (a
   SHA-256 of the JSON lines). It runs before part 5, so its workers (forked) start from what
   this process held before either run: the compiled policies, not part 5's answers.
   Target: wall time <= the one-core run's wall time / N (proportionally less).

Times are CPU seconds of this process (time.process_time), so other work on a shared machine
slows the wall clock more than these figures; the wall time is printed beside them. Part 6 is
wall time by nature (compared with part 5's wall time), so on a machine shared with other work
its speed-up says how much of the cores the run got; the CPU seconds of all its processes are
printed beside it, and what they allow with the cores to itself.
"""
from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hearth.engine import api  # noqa: E402
from hearth.engine import bulk  # noqa: E402
from hearth.engine import evaluate as evaluation  # noqa: E402

import bench_cases  # noqa: E402
import swindon_whole_answer  # noqa: E402

POLICIES = Path(__file__).resolve().parents[1] / "policies"
NATIONAL_COUNCILS, NATIONAL_CHILDREN, NATIONAL_EVENTS = 153, 550, 20
NATIONAL_DAY = date(2026, 3, 2)
TARGET_THROUGHPUT = 0.5        # engine / hand-written, first-sight cases
TARGET_NATIONAL_SECONDS = 20.0
TARGET_MEMORY_GROWTH = 1.05
# Child numbers of each part, so no part's cases are another's.
CHECK_NUMBERS, FIRST_SIGHT_NUMBERS, REPEATED_NUMBERS, MEMORY_NUMBERS = 0, 1_000_000, 2_000_000, 3_000_000


def machine() -> str:
    return (f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {platform.platform()}; "
            f"{platform.processor() or platform.machine()}; {os.cpu_count()} CPUs; Python {platform.python_version()}")


def parsed(documents: list[tuple[dict, date]]) -> list[tuple]:
    """(policy version, Case, as_of) for each case document, read as the API reads them."""
    policy = api.get_policy("swindon", POLICIES)
    out = []
    for document, as_of in documents:
        version = policy.version_on(as_of)
        out.append((version, api.parse_case(version, document), as_of))
    return out


def check_agreement(count: int) -> bool:
    """The pin, then byte-equal JSON from both on `count` generated cases."""
    version = api.policy_on("swindon", bench_cases.LATEST, POLICIES)
    problem = swindon_whole_answer.pinned(version)
    if problem:
        print(f"NOT COMPARABLE: {problem}.")
        return False
    differing = []
    for version, case, as_of in parsed(bench_cases.cases(count, seed=14, first_number=CHECK_NUMBERS)):
        engine = json.dumps(evaluation.evaluate(version, case, as_of))
        if engine != json.dumps(swindon_whole_answer.evaluate(case, as_of)):
            differing.append((case.child["ref"], as_of))
    if differing:
        ref, as_of = differing[0]
        print(f"DISAGREE: the engine and the hand-written whole answer differ on {len(differing)} of {count:,} "
              f"cases (first: {ref} on {as_of}); tests/test_whole_answer_baseline.py shows how.")
        return False
    print(f"Agreement: the hand-written whole answer is byte-equal to the engine's on all {count:,} generated cases "
          f"(policies/swindon {version.policy_hash[:12]}).")
    return True


def cpu(call) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of call()."""
    gc.collect()
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    call()
    return time.process_time() - cpu_start, time.perf_counter() - wall_start


def rule_cache() -> tuple[int, int]:
    outcomes = getattr(evaluation, "outcomes", None)
    return (getattr(outcomes, "hits", 0), getattr(outcomes, "misses", 0)) if outcomes is not None else (0, 0)


def first_sight(rounds: int, count: int) -> dict:
    """Each round: `count` fresh cases, the hand-written function over them, then the engine once."""
    ratios, hand_rates, engine_rates = [], [], []
    hits_before, misses_before = rule_cache()
    for round_number in range(rounds):
        cases = parsed(bench_cases.cases(count, seed=1000 + round_number,
                                         first_number=FIRST_SIGHT_NUMBERS + round_number * count))
        hand, _ = cpu(lambda: [swindon_whole_answer.evaluate(case, as_of) for _, case, as_of in cases])
        engine, _ = cpu(lambda: [evaluation.evaluate(version, case, as_of) for version, case, as_of in cases])
        hand_rates.append(count / hand)
        engine_rates.append(count / engine)
        ratios.append(hand / engine)
    hits, misses = rule_cache()
    looked_up = (hits - hits_before) + (misses - misses_before)
    return {"ratio": statistics.median(ratios), "hand": statistics.median(hand_rates),
            "engine": statistics.median(engine_rates), "ratios": ratios,
            "hit_rate": (hits - hits_before) / looked_up if looked_up else None}


def repeated(count: int, passes: int) -> dict:
    """The same `count` cases, `passes` times over (after one pass to warm up)."""
    cases = parsed(bench_cases.cases(count, seed=2000, first_number=REPEATED_NUMBERS))
    for version, case, as_of in cases:
        evaluation.evaluate(version, case, as_of)
    hand, _ = cpu(lambda: [swindon_whole_answer.evaluate(case, as_of)
                           for _ in range(passes) for _, case, as_of in cases])
    engine, _ = cpu(lambda: [evaluation.evaluate(version, case, as_of)
                             for _ in range(passes) for version, case, as_of in cases])
    return {"ratio": hand / engine, "hand": count * passes / hand, "engine": count * passes / engine}


def national(children: int, workers: int) -> tuple[dict, dict]:
    """NATIONAL_COUNCILS councils (copies of the repository's, under generated ids) x `children`
    distinct cases of NATIONAL_EVENTS events, parsed and evaluated on NATIONAL_DAY: through the
    bulk path on `workers` processes, then the same cases in this process (one core). The bulk
    run goes first, so its workers start from what this process held before either run."""
    bases = [council.id for council in api.list_councils(POLICIES)]
    with tempfile.TemporaryDirectory(prefix="hearth-national-") as folder:
        root, case_files = Path(folder) / "policies", Path(folder) / "cases"
        case_files.mkdir()
        for number in range(NATIONAL_COUNCILS):
            base = bases[number % len(bases)]
            shutil.copytree(POLICIES / base, root / f"national-{number:03d}-{base}")
        councils = api.list_councils(root)
        load_cpu, _ = cpu(lambda: [evaluation.compiled(api.policy_on(c.id, NATIONAL_DAY, root)) for c in councils])
        bulk.keep_loaded()  # as `hearth evaluate --cases` does once its policy is loaded
        files = write_national_cases(root, case_files, [council.id for council in councils], children)
        spread = all_cores(root, files, workers)
        one = one_core(root, files)
    one.update(load=load_cpu, councils=f"{len(councils)} councils ({', '.join(bases)} copied)")
    return one, spread


def write_national_cases(root: Path, case_files: Path, councils: list[str], children: int) -> list[tuple[str, Path]]:
    """Each council's `children` case documents, made from its own vocabulary and rules, written
    to its JSON-lines file in `case_files`: (council, file) for each."""
    rng = random.Random(84150)
    files, made = [], 0
    for council in councils:
        version = api.policy_on(council, NATIONAL_DAY, root)
        named = bench_cases.policy_event_types(version)
        path = case_files / f"{council}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for _ in range(children):
                document = bench_cases.council_case(rng, version, named, made, NATIONAL_DAY, NATIONAL_EVENTS)
                out.write(json.dumps(document) + "\n")
                made += 1
        files.append((council, path))
    return files


def answer_line(number: int, answer: dict) -> str:
    """The JSON line the bulk path writes for a case's answer (hearth.engine.bulk)."""
    return bulk.answer_line({"line": number, "answer": answer})


def one_core(root: Path, files: list[tuple[str, Path]]) -> dict:
    """Every council's case documents (decoded untimed) read and evaluated here, council by
    council (timed); the answers' JSON lines hashed (untimed)."""
    total_cpu = total_wall = parse_cpu = 0.0
    done = 0
    digest = hashlib.sha256()
    for council, path in files:
        version = api.policy_on(council, NATIONAL_DAY, root)
        with path.open(encoding="utf-8") as lines:
            documents = [json.loads(line) for line in lines]
        cases: list = []
        answers: list = []
        reading, reading_wall = cpu(lambda: cases.extend(api.parse_case(version, d) for d in documents))
        judging, judging_wall = cpu(lambda: answers.extend(evaluation.evaluate(version, case, NATIONAL_DAY)
                                                           for case in cases))
        parse_cpu += reading
        total_cpu += reading + judging
        total_wall += reading_wall + judging_wall
        done += len(cases)
        for number, answer in enumerate(answers, 1):
            digest.update(answer_line(number, answer).encode("utf-8") + b"\n")
    return {"cases": done, "cpu": total_cpu, "parse": parse_cpu, "wall": total_wall,
            "projected": total_cpu * NATIONAL_COUNCILS * NATIONAL_CHILDREN / done,
            "projected_wall": total_wall * NATIONAL_COUNCILS * NATIONAL_CHILDREN / done,
            "digest": digest.hexdigest()}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def all_cores(root: Path, files: list[tuple[str, Path]], workers: int) -> dict:
    """The councils' case files through hearth.engine.bulk as one stream (councils_chunks) on
    `workers` processes, from starting the pool to its last worker ended: wall seconds, CPU
    seconds of this process and its workers, and the SHA-256 of the answers' JSON lines."""
    digest = hashlib.sha256()
    lines = failed = 0
    gc.collect()
    workers_before, cpu_start, wall_start = children_cpu(), time.process_time(), time.perf_counter()
    runner = bulk.runner_for(None, NATIONAL_DAY, None, workers, root)
    try:
        chunks = bulk.councils_chunks((council, bulk.read_cases(str(path))) for council, path in files)
        for result, _units in bulk.run(chunks, runner):
            for line in result["lines"]:
                digest.update(line.encode("utf-8") + b"\n")
            lines += len(result["lines"])
            failed += result["failed"]
    finally:
        runner.close()
    wall = time.perf_counter() - wall_start
    return {"workers": workers, "wall": wall, "lines": lines, "failed": failed, "digest": digest.hexdigest(),
            "cpu": time.process_time() - cpu_start + children_cpu() - workers_before,
            "projected_wall": wall * NATIONAL_COUNCILS * NATIONAL_CHILDREN / max(lines, 1)}


def rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def memory(total: int, chunk: int = 1_000) -> dict:
    """RSS over `total` distinct Swindon evaluations, made `chunk` cases at a time."""
    gc.collect()
    marks = {0: rss_kib()}
    checkpoints = {total // 10, total // 2, total}
    done = 0
    while done < total:
        for version, case, as_of in parsed(bench_cases.cases(chunk, seed=3000 + done,
                                                             first_number=MEMORY_NUMBERS + done)):
            evaluation.evaluate(version, case, as_of)
        done += chunk
        if done in checkpoints:
            gc.collect()
            marks[done] = rss_kib()
    warm = marks[total // 10]
    return {"marks": marks, "growth": marks[total] / warm, "from_start": marks[total] / marks[0]}


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="scale every part down (national: 55 children "
                                                             "per council, projected; memory: 20,000)")
    parser.add_argument("--check", type=int, help="cases checked for agreement first (default 5,000)")
    parser.add_argument("--children", type=int, help=f"children per council in the national run "
                                                     f"(default {NATIONAL_CHILDREN}; fewer are projected)")
    parser.add_argument("--memory", type=int, help="distinct evaluations in the memory run (default 100,000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes in the national run on all cores (default: os.cpu_count())")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is not met")
    args = parser.parse_args(argv)
    check = args.check or (1_500 if args.quick else 5_000)
    children = args.children or (55 if args.quick else NATIONAL_CHILDREN)
    evaluations = args.memory or (20_000 if args.quick else 100_000)
    rounds, per_round = (3, 500) if args.quick else (5, 2_000)

    print(f"Engine benchmarks, {machine()}\n")
    if not check_agreement(check):
        return 1

    sight = first_sight(rounds, per_round)
    hit_rate = "n/a" if sight["hit_rate"] is None else f"{sight['hit_rate']:.1%}"
    print(f"\nFirst-sight cases ({rounds} rounds of {per_round:,} fresh cases; CPU time):\n"
          f"  hand-written whole answer {sight['hand']:9,.0f} cases/s\n"
          f"  engine                    {sight['engine']:9,.0f} cases/s   rule cache hit rate {hit_rate}\n"
          f"  engine / hand-written per round: {', '.join(f'{r:.3f}' for r in sight['ratios'])}")
    again = repeated(200, 5 if args.quick else 15)
    print(f"Repeated cases (200 cases cycled, after one warm-up pass):\n"
          f"  hand-written whole answer {again['hand']:9,.0f} cases/s\n"
          f"  engine                    {again['engine']:9,.0f} cases/s")

    mem = memory(evaluations)
    print(f"\nMemory over {evaluations:,} distinct Swindon evaluations (RSS): "
          + ", ".join(f"{n:,}: {kib / 1024:.1f} MiB" for n, kib in mem["marks"].items())
          + f"\n  end / after the warm-up of {evaluations // 10:,}: x{mem['growth']:.3f}; end / before any: "
            f"x{mem['from_start']:.3f}")

    whole, spread = national(children, args.workers)
    scaled = whole["cases"] < NATIONAL_COUNCILS * NATIONAL_CHILDREN
    print(f"\nNational re-evaluation: {whole['councils']}, {whole['cases']:,} distinct cases of {NATIONAL_EVENTS} "
          f"events on {NATIONAL_DAY}, one process:\n"
          f"  {whole['cpu']:.1f} s CPU ({whole['parse']:.1f} s of it reading the case documents), "
          f"{whole['wall']:.1f} s wall; loading and compiling the councils' policies first: {whole['load']:.1f} s CPU"
          + (f"\n  SCALED DOWN ({children} children per council): projected to "
             f"{NATIONAL_COUNCILS * NATIONAL_CHILDREN:,} cases, {whole['projected']:.1f} s CPU" if scaled else ""))
    workers = spread["workers"]
    speed_up = whole["wall"] / spread["wall"]
    same = spread["digest"] == whole["digest"] and spread["lines"] == whole["cases"] and not spread["failed"]
    print(f"The same cases on {workers} cores: each council's JSON-lines file through hearth.engine.bulk "
          f"(`hearth evaluate --cases --workers {workers}`), one stream of chunks through one pool:\n"
          f"  {spread['wall']:.1f} s wall: a speed-up of {speed_up:.2f}x over one process's {whole['wall']:.1f} s wall "
          f"(proportional: {workers}x)\n"
          f"  {spread['cpu']:.1f} s CPU in all its processes = {spread['cpu'] / whole['cpu']:.2f}x one process's "
          f"{whole['cpu']:.1f} s (the bulk path also decodes the cases' JSON text, encodes the answers' JSON lines and "
          f"passes chunks between processes),\n  so with the {workers} cores to itself the speed-up is at most "
          f"{workers * whole['cpu'] / spread['cpu']:.2f}x\n"
          + (f"  answers identical to the one-process run's: {spread['lines']:,} JSON lines, "
             f"SHA-256 {spread['digest'][:16]}" if same else
             f"  ANSWERS DIFFER from the one-process run's: {spread['lines']:,} lines ({spread['failed']:,} errors) "
             f"vs {whole['cases']:,}, SHA-256 {spread['digest'][:16]} vs {whole['digest'][:16]}")
          + (f"\n  projected to {NATIONAL_COUNCILS * NATIONAL_CHILDREN:,} cases: {spread['projected_wall']:.1f} s wall "
             f"(one process: {whole['projected_wall']:.1f} s wall)" if scaled else ""))

    seconds = whole["projected"]
    rows = [
        ("Throughput on first-sight cases, engine / hand-written", f"{sight['ratio']:.3f}x",
         f">= {TARGET_THROUGHPUT}x", sight["ratio"] >= TARGET_THROUGHPUT),
        ("Throughput on repeated cases, engine / hand-written", f"{again['ratio']:.3f}x", "(reported)", None),
        ("National re-evaluation, 84,150 cases, one core" + (" (projected)" if scaled else ""),
         f"{seconds:.1f} s = {seconds / TARGET_NATIONAL_SECONDS:.2f}x the target",
         f"<= {TARGET_NATIONAL_SECONDS:.0f} s", seconds <= TARGET_NATIONAL_SECONDS),
        (f"National re-evaluation, {workers} cores, wall" + (" (projected)" if scaled else "")
         + ("" if same else ", ANSWERS DIFFER"),
         f"{spread['projected_wall']:.1f} s = one-core / {speed_up:.2f}", f"<= one-core / {workers}",
         same and speed_up >= workers),
        (f"Memory over {evaluations:,} distinct evaluations, end / warm-up", f"x{mem['growth']:.3f}",
         f"<= x{TARGET_MEMORY_GROWTH}", mem["growth"] <= TARGET_MEMORY_GROWTH),
    ]
    print(f"\n{'Engine target':62}{'measured':>30}  {'target':>16}")
    for name, measured, target, met in rows:
        print(f"{name:62}{measured:>30}  {target:>16}  {'' if met is None else verdict(met)}")
    missed = [name for name, _, _, met in rows if met is False]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
