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
   Two series, each with cases of its own: first with Python's garbage collector as it starts
   (for information), then with the collector as a bulk run sets it (bulk.keep_loaded, which
   `hearth evaluate --cases` calls: loaded objects frozen, collections less often), which is
   the target's figure; parts 3-6 run so too. Both functions run in the same process, so both
   get the same collector; how often it runs depends on how much each keeps alive (a round's
   cases and answers), which moves the default series' figures from run to run.
3. Throughput on repeated cases: 200 cases cycled (the best case for any cache); reported
   separately, no target.
4. Memory over 100,000 distinct evaluations: RSS after a warm-up of a tenth, then at the half
   and the end. Target: end / after warm-up <= x1.05.
5. National re-evaluation: 153 councils x 550 children x 20 events = 84,150 distinct cases,
   from case documents to answers (parsing included), in this one process, so on one core
   (CPU seconds). The councils are copies of the repository's councils under generated ids in
   a temporary policies folder; each case is made from its council's own vocabulary and rules.
   The case documents are decoded from their JSON text before the clock starts, and the
   answers encoded after it stops. Each answer is evaluated as the bulk path evaluates it
   (read_only: its fixed parts shared, not copied, as it is only written out). Target: <= 20 s.
6. National re-evaluation on all cores, like for like: the same cases, written as each
   council's JSON-lines file, through the product's bulk path (hearth.engine.bulk: the files
   read, each case's JSON text decoded, parsed, evaluated, each answer encoded as a JSON line;
   every council's cases in one stream of chunks) twice: on N workers, a pool of N processes
   (`hearth evaluate --cases --workers N`, N = os.cpu_count() unless --workers says), and on
   one, this process (bulk_runners.InProcess, `--workers 1`). Both are timed the same way: wall
   seconds from the first chunk to the last answer line hashed, and CPU seconds of this process
   and of its workers (where the N-worker run's CPU goes is printed: this process's part --
   reading, passing chunks and answers between processes, hashing -- and the workers'). The
   answers must be the same in all three runs, line for line (a SHA-256 of the JSON lines).
   Targets, the issue's "proportionally less on N cores" read both ways: N-worker wall <=
   1-worker wall / N, printed as the speed-up and the parallel efficiency (speed-up / N); and
   N-worker wall <= 20 s / N, part 5's target shared among the cores, though the bulk path does
   more work than part 5 times (the decoding and the encoding). The N-worker wall against part
   5's is printed beside it.

   Order, and what each national run starts from: the N-worker run, the 1-worker run, then
   part 5. Each starts from the same state, that of a fresh `hearth evaluate --cases` once its
   policies are loaded: the councils' policies compiled and frozen out of the garbage
   collector's way (bulk.keep_loaded); an empty rule cache (hearth.engine.evaluate.outcomes,
   emptied before the freeze, so parts 1-4's Swindon facts, which the Swindon copies would
   share by content, are not in it); no council's ruleset registered with durable_rules yet
   (a forked worker registers them again in a Host of its own, whatever this process did); and
   nothing the compiled policies remember from evaluating (their fact plans, wordings and
   answer parts). The N-worker run goes first, so its workers, forked at its first chunk,
   start from that state: this process only reads the files, passes chunks and hashes
   answers, and evaluates nothing. Before the 1-worker run and again before part 5,
   forget_evaluations puts this process back into that state, so neither gains from the same
   cases evaluated before it (on 153 councils x 3 cases the second of two 1-worker runs took
   half the CPU without it). The working-day calendars, shared and warmed by parts 1-4, are
   left as they are for all three.

Times are CPU seconds of this process (time.process_time), so other work on a shared machine
slows the wall clock more than these figures; the wall time is printed beside them. Part 6 is
wall time by nature (N workers' wall against one worker's), so on a machine shared with other
work its speed-up says how much of the cores the run got; the CPU seconds of all its processes
are printed beside it, and what they allow with the cores to itself.
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
from hearth.engine import bulk_runners  # noqa: E402
from hearth.engine import evaluate as evaluation  # noqa: E402
from hearth.rules import durable  # noqa: E402

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
SERIES_NUMBERS = 500_000  # first-sight cases of the default collector's series, then the product's


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


def first_sight(rounds: int, count: int, series: int = 0) -> dict:
    """Each round: `count` fresh cases, the hand-written function over them, then the engine once.
    Each `series` has cases of its own."""
    ratios, hand_rates, engine_rates = [], [], []
    hits_before, misses_before = rule_cache()
    for round_number in range(rounds):
        first = FIRST_SIGHT_NUMBERS + series * SERIES_NUMBERS + round_number * count
        cases = parsed(bench_cases.cases(count, seed=1000 + 100 * series + round_number, first_number=first))
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


def national(children: int, workers: int) -> tuple[dict, dict, dict]:
    """NATIONAL_COUNCILS councils (copies of the repository's, under generated ids) x `children`
    distinct cases of NATIONAL_EVENTS events, parsed and evaluated on NATIONAL_DAY: through the
    bulk path on `workers` processes, then on one (this process), then in this process without
    the bulk path (one core, part 5), each from the same state (the module docstring says which).
    Part 5's figures, the 1-worker run's and the `workers`-worker run's."""
    bases = [council.id for council in api.list_councils(POLICIES)]
    with tempfile.TemporaryDirectory(prefix="hearth-national-") as folder:
        root, case_files = Path(folder) / "policies", Path(folder) / "cases"
        case_files.mkdir()
        for number in range(NATIONAL_COUNCILS):
            base = bases[number % len(bases)]
            shutil.copytree(POLICIES / base, root / f"national-{number:03d}-{base}")
        councils = [council.id for council in api.list_councils(root)]
        load_cpu, _ = cpu(lambda: [evaluation.compiled(api.policy_on(c, NATIONAL_DAY, root)) for c in councils])
        forget_evaluations(root, councils)  # parts 1-4's rule outcomes go before the freeze
        bulk.keep_loaded()  # as `hearth evaluate --cases` does once its policy is loaded
        files = write_national_cases(root, case_files, councils, children)
        spread = through_bulk(root, files, workers)  # first: its workers fork from the loaded state
        forget_evaluations(root, councils)
        single = through_bulk(root, files, 1)
        forget_evaluations(root, councils)
        one = one_core(root, files)
    one.update(load=load_cpu, councils=f"{len(councils)} councils ({', '.join(bases)} copied)")
    return one, single, spread


def forget_evaluations(root: Path, councils: list[str]) -> None:
    """Put this process back where each national run starts: the councils' policies compiled,
    nothing remembered from evaluating them. The rule cache becomes an empty one of the same
    size (as the tests replace it: tests/test_projection.py); durable_rules gets a new Host, as
    a forked worker does (hearth.rules.durable._after_fork_in_child), so each council's ruleset
    is registered again at its first firing -- the old Host's rulesets stay in durable's memory,
    as a worker's inherited ones do; and each council's compiled policy forgets the fact plans,
    wordings and answer parts it made while evaluating. Nothing public does these, and compiling
    again would leave the frozen old policies behind (gc.freeze)."""
    evaluation.outcomes = evaluation.RuleOutcomes(evaluation.outcomes.size)
    durable._HOST = None
    for council in councils:
        kept = evaluation.compiled(api.policy_on(council, NATIONAL_DAY, root))
        kept.fact_plans.clear()
        kept._sentences.clear()
        kept._parts.clear()


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


def answer_line(number: int, answer: dict) -> bytes:
    """The JSON line the bulk path writes for a case's answer, its newline included (hearth.engine.bulk)."""
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
        judging, judging_wall = cpu(lambda: answers.extend(evaluation.evaluate(version, case, NATIONAL_DAY,
                                                                               read_only=True)
                                                           for case in cases))
        parse_cpu += reading
        total_cpu += reading + judging
        total_wall += reading_wall + judging_wall
        done += len(cases)
        for number, answer in enumerate(answers, 1):
            digest.update(answer_line(number, answer))
    return {"cases": done, "cpu": total_cpu, "parse": parse_cpu, "wall": total_wall,
            "projected": total_cpu * NATIONAL_COUNCILS * NATIONAL_CHILDREN / done,
            "projected_wall": total_wall * NATIONAL_COUNCILS * NATIONAL_CHILDREN / done,
            "digest": digest.hexdigest()}


def children_cpu() -> float:
    """CPU seconds of this process's ended and waited-for children (a pool's workers once it is shut down)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def through_bulk(root: Path, files: list[tuple[str, Path]], workers: int) -> dict:
    """The councils' case files through hearth.engine.bulk as one stream (councils_chunks) on
    `workers` workers (bulk_runners.runner_for: this process for one, a pool for more), from the runner
    made to its last worker ended: wall seconds; CPU seconds of this process ("parent", of it
    "hashing" the answer lines) and of its workers; the SHA-256 of the answers' JSON lines."""
    digest = hashlib.sha256()
    lines = failed = 0
    hashing = 0.0
    gc.collect()
    workers_before, cpu_start, wall_start = children_cpu(), time.process_time(), time.perf_counter()
    runner = bulk_runners.runner_for(None, NATIONAL_DAY, None, workers, root)
    try:
        chunks = bulk.councils_chunks((council, bulk.read_cases(str(path))) for council, path in files)
        for result, _units in bulk.run(chunks, runner):
            hashing_start = time.process_time()
            digest.update(result["answers"])
            hashing += time.process_time() - hashing_start
            lines += result["cases"]
            failed += result["failed"]
    finally:
        runner.close()
    wall, parent = time.perf_counter() - wall_start, time.process_time() - cpu_start
    in_workers = children_cpu() - workers_before
    scale = NATIONAL_COUNCILS * NATIONAL_CHILDREN / max(lines, 1)
    return {"workers": workers, "wall": wall, "lines": lines, "failed": failed, "digest": digest.hexdigest(),
            "cpu": parent + in_workers, "parent": parent, "hashing": hashing, "in_workers": in_workers,
            "projected_wall": wall * scale, "projected_cpu": (parent + in_workers) * scale}


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


def print_all_cores(whole: dict, single: dict, spread: dict, scaled: bool) -> bool:
    """Part 6: the bulk path on N workers against the bulk path on one, where their CPU went, and
    (for information) against part 5's one process. True when all three runs' answers are the same."""
    workers = spread["workers"]
    speed_up = single["wall"] / spread["wall"]
    same = (spread["digest"] == single["digest"] == whole["digest"]
            and spread["lines"] == single["lines"] == whole["cases"] and not spread["failed"] and not single["failed"])
    evaluating = single["cpu"] - single["hashing"]
    passing = spread["parent"] - spread["hashing"]
    print(f"The same cases through the product's bulk path (hearth.engine.bulk: each council's JSON-lines file read, "
          f"each case's JSON text decoded, parsed and evaluated, each answer encoded as a JSON line; "
          f"one stream of chunks), wall and CPU timed alike:\n"
          f"  1 worker (`--workers 1`, this process): {single['wall']:.1f} s wall, {single['cpu']:.1f} s CPU\n"
          f"  {workers} workers (`--workers {workers}`, a pool): {spread['wall']:.1f} s wall, {spread['cpu']:.1f} s CPU\n"
          f"  speed-up {speed_up:.2f}x, parallel efficiency {speed_up / workers:.2f} "
          f"(target: {workers}x, efficiency 1.00)\n"
          f"  where the CPU went: 1 worker {single['cpu']:.1f} s = {evaluating:.1f} s reading the files, decoding, "
          f"evaluating and encoding + {single['hashing']:.1f} s hashing the answers;\n"
          f"    {workers} workers {spread['cpu']:.1f} s = the workers {spread['in_workers']:.1f} s (decoding, evaluating, "
          f"encoding and passing chunks and answers) + this process {spread['parent']:.1f} s ({passing:.1f} s reading "
          f"the files and passing chunks and answers, {spread['hashing']:.1f} s hashing):\n"
          f"    {spread['cpu'] / single['cpu']:.2f}x the 1 worker's CPU ({spread['cpu'] - single['cpu']:+.1f} s), "
          f"so with the {workers} cores to itself the speed-up is at most "
          f"{workers * single['cpu'] / spread['cpu']:.2f}x\n"
          f"  for information, against part 5's one process (parsing and evaluating only, {whole['wall']:.1f} s wall, "
          f"{whole['cpu']:.1f} s CPU): {workers} workers {whole['wall'] / spread['wall']:.2f}x its wall; "
          f"1 worker {single['cpu'] / whole['cpu']:.2f}x its CPU\n"
          + (f"  answers identical in the three runs (1 worker, {workers} workers, one process): "
             f"{spread['lines']:,} JSON lines, SHA-256 {spread['digest'][:16]}" if same else
             f"  ANSWERS DIFFER: 1 worker {single['lines']:,} lines ({single['failed']:,} errors), SHA-256 "
             f"{single['digest'][:16]}; {workers} workers {spread['lines']:,} ({spread['failed']:,} errors), "
             f"{spread['digest'][:16]}; one process {whole['cases']:,}, {whole['digest'][:16]}")
          + (f"\n  projected to {NATIONAL_COUNCILS * NATIONAL_CHILDREN:,} cases: {workers} workers "
             f"{spread['projected_wall']:.1f} s wall, 1 worker {single['projected_wall']:.1f} s wall "
             f"({single['projected_cpu']:.1f} s CPU), one process {whole['projected_wall']:.1f} s wall" if scaled else ""))
    return same


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

    plain = first_sight(rounds, per_round, series=0)
    print(f"\nFirst-sight cases, Python's default garbage collector (for information; "
          f"{rounds} rounds of {per_round:,} fresh cases; CPU time):\n"
          f"  hand-written {plain['hand']:,.0f} cases/s, engine {plain['engine']:,.0f} cases/s, "
          f"engine / hand-written {plain['ratio']:.3f}x")
    bulk.keep_loaded()  # from here on, the collector as a bulk run sets it (the module docstring, part 2)
    sight = first_sight(rounds, per_round, series=1)
    hit_rate = "n/a" if sight["hit_rate"] is None else f"{sight['hit_rate']:.1%}"
    print(f"First-sight cases, the collector as a bulk run sets it (bulk.keep_loaded; {rounds} rounds of "
          f"{per_round:,} fresh cases; CPU time):\n"
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

    whole, single, spread = national(children, args.workers)
    scaled = whole["cases"] < NATIONAL_COUNCILS * NATIONAL_CHILDREN
    print(f"\nNational re-evaluation: {whole['councils']}, {whole['cases']:,} distinct cases of {NATIONAL_EVENTS} "
          f"events on {NATIONAL_DAY}, one process:\n"
          f"  {whole['cpu']:.1f} s CPU ({whole['parse']:.1f} s of it reading the case documents), "
          f"{whole['wall']:.1f} s wall; loading and compiling the councils' policies first: {whole['load']:.1f} s CPU"
          + (f"\n  SCALED DOWN ({children} children per council): projected to "
             f"{NATIONAL_COUNCILS * NATIONAL_CHILDREN:,} cases, {whole['projected']:.1f} s CPU" if scaled else ""))
    workers = spread["workers"]
    speed_up, over_one_process = single["wall"] / spread["wall"], whole["wall"] / spread["wall"]
    same = print_all_cores(whole, single, spread, scaled)

    seconds = whole["projected"]
    rows = [
        ("Throughput on first-sight cases, engine / hand-written", f"{sight['ratio']:.3f}x",
         f">= {TARGET_THROUGHPUT}x", sight["ratio"] >= TARGET_THROUGHPUT),
        ("Throughput on repeated cases, engine / hand-written", f"{again['ratio']:.3f}x", "(reported)", None),
        ("National re-evaluation, 84,150 cases, one core" + (" (projected)" if scaled else ""),
         f"{seconds:.1f} s = {seconds / TARGET_NATIONAL_SECONDS:.2f}x the target",
         f"<= {TARGET_NATIONAL_SECONDS:.0f} s", seconds <= TARGET_NATIONAL_SECONDS),
        (f"National re-evaluation, {workers} workers / 1, bulk path, wall" + ("" if same else ", ANSWERS DIFFER"),
         f"{speed_up:.2f}x, efficiency {speed_up / workers:.2f}", f">= {workers}x, 1.00",
         same and speed_up >= workers),
        (f"National re-evaluation, {workers} workers, bulk path, wall" + (" (projected)" if scaled else ""),
         f"{spread['projected_wall']:.1f} s = part 5 / {over_one_process:.2f}",
         f"<= {TARGET_NATIONAL_SECONDS / workers:.0f} s", spread["projected_wall"] <= TARGET_NATIONAL_SECONDS / workers),
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
