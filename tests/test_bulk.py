"""`hearth evaluate --cases`: a cohort streamed through hearth.engine.bulk, one answer a line in
the cases' order, the same whether one process or several evaluate it; a bad case is a located
error line that never stops the run; a folder of case files works as a JSON-lines file does.

The identity test runs HEARTH_BULK_CASES generated cases (default 1,000, so the suite stays
within its time); benchmarks/bench_bulk.py runs the issue's 10,000 and asserts the same."""
from __future__ import annotations

import ctypes
import gc
import json
import os
import subprocess
import sys
import weakref
from datetime import date

import pytest

import cli_support
from bulk_support import COUNCIL, ON, write_cohort
from councils import needs_council, session_root

from hearth.engine import api, bulk, bulk_runners
from hearth.rules.limits import MAX_YAML_BYTES

COHORT = int(os.environ.get("HEARTH_BULK_CASES", "1000"))
GOOD = json.dumps({"child": {"ref": "C-1"}, "placement": {"type": "ifa_foster", "started": "2025-06-01"},
                   "events": [{"type": "allegation", "on": "2027-11-26"}]})


def hearth(*args):
    return cli_support.hearth(*args, policies=session_root())


def evaluate(cases, *options):
    return hearth("evaluate", "--council", COUNCIL, "--cases", cases, "--on", ON, *options)


def lines_of(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


@needs_council(COUNCIL)
def test_one_worker_and_several_write_the_same_answers_in_the_cases_order(tmp_path):
    cohort = write_cohort(tmp_path / "cohort.jsonl", COHORT)
    with cohort.open("a", encoding="utf-8") as out:
        out.write('{"child": {"ref": "C-2"}, "placement": {"type": "castle"}}\n')   # one bad case, at the end
    one = evaluate(cohort, "--workers", "1")
    several = evaluate(cohort, "--workers", "3")
    assert one.returncode == several.returncode == 1, one.stderr + several.stderr
    assert "1 case could not be evaluated" in several.stderr
    assert one.stdout == several.stdout
    answers = lines_of(several.stdout)
    assert [answer["line"] for answer in answers] == list(range(1, COHORT + 2))
    assert all("answer" in answer for answer in answers[:-1]) and "errors" in answers[-1]
    assert len({answer["answer"]["recommendation"] for answer in answers[:-1]}) > 1, "the cohort is not all alike"
    single = hearth("evaluate", "--council", COUNCIL, "--case", write_one(tmp_path, cohort), "--on", ON)
    assert json.loads(single.stdout) == answers[0]["answer"], "a bulk answer is the one-case command's answer"


def write_one(tmp_path, cohort) -> str:
    path = tmp_path / "first.json"
    path.write_text(cohort.read_text(encoding="utf-8").splitlines()[0], encoding="utf-8")
    return str(path)


@needs_council(COUNCIL)
@pytest.mark.parametrize("workers", ["1", "2"])
def test_bad_lines_are_located_errors_and_the_rest_is_answered(tmp_path, workers):
    cases = tmp_path / "cases.jsonl"
    cases.write_bytes(b"\n".join([
        GOOD.encode(),                                                                       # 1
        b"   ",                                                                              # 2: blank, no case
        b'{"child": {"ref": "C-3"},',                                                       # 3: not JSON
        GOOD.replace("allegation", "allegaton").encode(),                                  # 4: a mistake
        GOOD.replace("C-1", "C-\xe9").encode("latin-1"),                                  # 5: not UTF-8
        b'{"child": "' + b"x" * (MAX_YAML_BYTES + 10) + b'"}',                             # 6: over the limit
        GOOD.encode(),                                                                       # 7
    ]) + b"\n")
    result = evaluate(cases, "--workers", workers)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "4 cases could not be evaluated" in result.stderr and "Evaluating" not in result.stderr
    found = {answer["line"]: answer for answer in lines_of(result.stdout)}
    assert list(found) == [1, 3, 4, 5, 6, 7]
    assert found[1]["answer"] == found[7]["answer"] and found[1]["answer"]["triggers"]
    for line in (3, 4, 5, 6):
        assert "answer" not in found[line]
        assert {error["file"] for error in found[line]["errors"]} == {str(cases)}
        assert {error["line"] for error in found[line]["errors"]} == {line}
    assert "allegaton" in found[4]["errors"][0]["message"] and found[4]["errors"][0]["column"] > 1
    assert "not UTF-8" in found[5]["errors"][0]["message"]
    assert f"at most {MAX_YAML_BYTES:,}" in found[6]["errors"][0]["message"]


@needs_council(COUNCIL)
def test_a_folder_of_case_files_is_read_by_name_and_written_to_the_output_file(tmp_path):
    folder = tmp_path / "cohort"
    folder.mkdir()
    (folder / "b.yaml").write_text("child: {ref: C-2}\nplacement: {type: ifa_foster, started: 2025-06-01}\n"
                                   "events:\n  - {type: child_wants_move, on: 2027-11-26}\n")
    (folder / "a.json").write_text(GOOD)
    (folder / "c.yaml").write_text("child: {ref: C-3}\nplacement: {type: ifa_foster, started: 2025-06-01}\n"
                                   "events:\n  - {type: allegation, on: 2026-02-30}\n")
    (folder / "notes.txt").write_text("not a case")
    output = tmp_path / "answers.jsonl"
    result = evaluate(folder, "--output", output, "--progress")
    assert result.returncode == 1 and result.stdout == ""
    assert "Evaluating: 100%" in result.stderr, "asked for, progress is shown on stderr even when it is no terminal"
    answers = lines_of(output.read_text(encoding="utf-8"))
    assert [answer["file"] for answer in answers] == [str(folder / name) for name in ("a.json", "b.yaml", "c.yaml")]
    assert answers[0]["answer"]["triggers"] and answers[1]["answer"]["triggers"]
    (error,) = answers[2]["errors"]
    assert (error["file"], error["line"]) == (str(folder / "c.yaml"), 4) and "2026-02-30" in error["message"]
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith("answers")] == ["answers.jsonl"]


@pytest.mark.parametrize("args,needle", [
    (["--council", COUNCIL], "Give --case FILE for one case or --cases"),
    (["--council", COUNCIL, "--case", "CASES", "--cases", "CASES"], "Give --case FILE for one case or --cases"),
    (["--council", COUNCIL, "--case", "CASES", "--output", "OUT"], "go with --cases"),
    (["--council", "nowhere", "--cases", "CASES", "--output", "OUT"], "--council: There is no council 'nowhere'"),
    (["--council", COUNCIL, "--cases", "missing.jsonl", "--output", "OUT"],
     "--cases: missing.jsonl: the cases cannot be read"),
    (["--council", COUNCIL, "--cases", "CASES", "--workers", "0", "--output", "OUT"], "--workers"),
])
def test_a_run_that_cannot_start_exits_2_and_writes_nothing(tmp_path, args, needle):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(GOOD + "\n")
    places = {"CASES": str(cases), "OUT": str(tmp_path / "answers.jsonl")}
    result = cli_support.hearth("evaluate", "--on", ON, *[places.get(arg, arg) for arg in args],
                                policies=session_root(), cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    assert needle in result.stderr
    assert not list(tmp_path.glob("answers*"))


class SlowRunner:
    """Hands results back only when asked, counting how many chunks are out at once."""

    ahead = 3
    chunk_cases = 2

    def __init__(self):
        self.out, self.most_out = 0, 0

    def submit(self, items):
        self.out += 1
        self.most_out = max(self.most_out, self.out)
        return items

    def result(self, items):
        self.out -= 1
        return {"answers": "".join(item["text"] + "\n" for item in items).encode(), "cases": len(items), "failed": 0}

    def close(self):
        pass


@needs_council(COUNCIL)
def test_the_workers_are_forked_once_this_process_has_evaluated_the_first_chunk(tmp_path):
    """So they start with what the first chunk taught this process (bulk_runners.Processes)."""
    day = date.fromisoformat(ON)
    policy = api.policy_on(COUNCIL, day, session_root())
    items = [item for item, _units in bulk.read_cases(str(write_cohort(tmp_path / "cohort.jsonl", 4))).items]
    runner = bulk_runners.runner_for(COUNCIL, day, policy, 2, session_root())
    try:
        first = runner.submit(items[:2])
        assert runner.pool is None, "no worker is forked before the first chunk is evaluated"
        second = runner.submit(items[2:])
        assert runner.pool is not None
        answers = runner.result(first)["answers"] + runner.result(second)["answers"]
    finally:
        runner.close()
    assert answers == bulk.evaluate_items(policy, day, items)["answers"]



@needs_council(COUNCIL)
@pytest.mark.parametrize(("slot_bytes", "fits"), [(bulk_runners.SLOT_BYTES, True), (3_000, False)],
                         ids=["in-shared-memory", "too-long-for-a-slot"])
def test_the_workers_answers_reach_this_process_whole_and_in_order(tmp_path, monkeypatch, slot_bytes, fits):
    """bulk_runners.SharedAnswers: a worker puts a chunk's answers in memory shared with this process, or,
    when they are longer than a slot (a few cases' here), sends them through the pool's pipe;
    either way they arrive as this process would have made them. Chunks are submitted here
    twice as many at once as there are slots (no caller of bulk.run does so): those whose slot
    still holds answers not yet read go through the pipe, so none overwrites another's."""
    monkeypatch.setattr(bulk_runners, "SLOT_BYTES", slot_bytes)
    day = date.fromisoformat(ON)
    policy = api.policy_on(COUNCIL, day, session_root())
    items = [item for item, _units in bulk.read_cases(str(write_cohort(tmp_path / "cohort.jsonl", 90))).items]
    chunks = [items[start:start + 5] for start in range(0, len(items), 5)]
    runner = bulk_runners.runner_for(COUNCIL, day, policy, 2, session_root())
    try:
        handles = [runner.submit(chunk) for chunk in chunks]
        slots = [slot for _future, slot in handles[1:]]  # the first chunk is evaluated here
        in_memory = ["slot" in future.result() for future, _slot in handles[1:]]  # as the worker sent it
        results = [runner.result(handle) for handle in handles]
    finally:
        runner.close()
    assert [result["answers"] for result in results] == [bulk.evaluate_items(policy, day, chunk)["answers"]
                                                         for chunk in chunks]
    assert slots[:runner.ahead] == list(range(runner.ahead)) and set(slots[runner.ahead:]) == {None}
    assert in_memory == [fits] * runner.ahead + [False] * (len(chunks) - 1 - runner.ahead)


def test_the_run_streams_keeping_only_a_few_chunks_in_flight():
    read = []

    def cases():
        for number in range(1, 101):
            read.append(number)
            yield {"line": number, "file": "f", "text": str(number)}, 1

    runner = SlowRunner()
    results = bulk.run(bulk.chunked(cases(), runner.chunk_cases), runner)
    first, units = next(results)
    assert first["answers"] == b"1\n2\n" and units == 2
    assert len(read) <= runner.ahead * runner.chunk_cases, "the cases are read as the answers are written"
    rest = [line for result, _units in results for line in result["answers"].decode().splitlines()]
    assert rest == [str(number) for number in range(3, 101)]
    assert runner.most_out == runner.ahead


@needs_council(COUNCIL)
@pytest.mark.parametrize("workers", [1, 2])
def test_several_councils_in_one_stream_each_chunk_under_its_own_council(tmp_path, workers):
    """What a national re-evaluation runs (benchmarks/bench_engine.py): councils_chunks through one runner."""
    root, day = session_root(), date.fromisoformat(ON)
    other = next(council.id for council in api.list_councils(root) if council.id != COUNCIL)
    cohort = write_cohort(tmp_path / "cohort.jsonl", 100)
    councils = [COUNCIL, other, COUNCIL]
    items = [item for item, _units in bulk.read_cases(str(cohort)).items if item is not None]
    expected = {council: bulk.evaluate_items(api.policy_on(council, day, root), day, items)["answers"].splitlines()
                for council in councils}
    assert expected[COUNCIL] != expected[other], "the two councils answer the cohort differently"
    runner = bulk_runners.runner_for(None, day, None, workers, root)
    try:
        chunks = bulk.councils_chunks((council, bulk.read_cases(str(cohort))) for council in councils)
        lines = [line for result, _units in bulk.run(chunks, runner) for line in result["answers"].splitlines()]
    finally:
        runner.close()
    assert lines == [line for council in councils for line in expected[council]]


@needs_council(COUNCIL)
def test_with_the_collector_off_each_chunk_collects_what_the_chunks_before_left():
    """A bulk run turns the garbage collector's automatic collections off (bulk.keep_loaded): in
    a worker process, a reference cycle left by one chunk is collected when the next chunk starts."""

    class Left:
        pass

    collecting = gc.isenabled()
    gc.disable()
    try:
        left = Left()
        left.itself = left
        gone = weakref.ref(left)
        del left
        assert gone() is not None  # only the collector frees a cycle
        result = bulk_runners.evaluate_chunk(COUNCIL, ON, [{"line": 1, "file": "cases.jsonl", "text": GOOD}],
                                     str(session_root()))
        assert gone() is None and result["failed"] == 0
    finally:
        if collecting:
            gc.enable()


def test_with_the_collector_off_the_process_sending_the_chunks_collects_between_them_too():
    """With --queue or --workers N, the process that reads the chunks and writes the answers
    evaluates nothing: bulk.run collects what each chunk left there (a job queue client's cycles)."""
    left_behind: list = []

    class Left:
        pass

    class Elsewhere:  # a runner whose chunks are evaluated somewhere else, leaving a cycle here
        ahead, chunk_cases = 1, 1

        def submit(self, items):
            left = Left()
            left.itself = left
            left_behind.append(weakref.ref(left))
            return items

        def result(self, handle):
            return {"answers": "".join(item["text"] + "\n" for item in handle).encode(), "cases": len(handle),
                    "failed": 0}

        def close(self):
            pass

    collecting = gc.isenabled()
    gc.disable()
    try:
        chunks = [([{"line": number, "text": str(number)}], 1) for number in range(1, 5)]
        lines = [line for result, _units in bulk.run(chunks, Elsewhere()) for line in result["answers"].splitlines()]
        assert lines == [b"1", b"2", b"3", b"4"]
        assert all(gone() is None for gone in left_behind[:-1])  # each collected once its chunk was written
    finally:
        if collecting:
            gc.enable()


CHUNK_ROUNDS = """
import pickle, resource, sys
from hearth.engine import bulk
settled = bulk.keep_freed_memory() if sys.argv[1] == "keep" else None
parts = [b"y" * 11_000 for _ in range(64)]  # a chunk's 64 answers, as large as a national run's


def chunk():
    answers = b"".join(parts)  # the chunk's JSON lines, pickled to be passed, and read back
    return len(pickle.loads(pickle.dumps({"answers": answers}))["answers"])


chunk()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(200):
    chunk()
print(settled, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not hasattr(ctypes.CDLL(None), "mallopt"), reason="the C library has no mallopt (not glibc)")
def test_a_bulk_run_keeps_the_memory_each_chunk_frees_for_the_next():
    """The answers of each chunk are freed and made again for the next: bulk.keep_freed_memory
    has the allocator keep that memory rather than have the kernel map and zero it afresh each
    time (each of those pages is a fault). In a process of its own, as the settings last."""
    def faults(how: str) -> tuple[str, int]:
        done = subprocess.run([sys.executable, "-c", CHUNK_ROUNDS, how], capture_output=True, text=True, check=True)
        settled, count = done.stdout.split()
        return settled, int(count)

    default, kept = faults("default"), faults("keep")
    assert default[0] == "None" and default[1] > 20_000  # each round faults its pages in again
    assert kept == ("True", kept[1]) and kept[1] < default[1] / 20


def test_an_answer_line_is_compact_json_ending_in_one_newline_whichever_encoder_writes_it():
    """orjson writes the line and its newline; the standard library the rare value orjson
    refuses (a whole number past 64 bits), in the same form."""
    assert bulk.answer_line({"line": 1, "answer": {"é": [1, None]}}) == '{"line":1,"answer":{"é":[1,null]}}\n'.encode()
    assert bulk.answer_line({"line": 2, "answer": 2 ** 70}) == b'{"line":2,"answer":1180591620717411303424}\n'
