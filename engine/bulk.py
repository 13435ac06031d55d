"""Many cases at once: a cohort's case documents evaluated on one date, one answer a case.

The cases are read as a stream -- one case document a line of a JSON-lines file, or every
``*.json``, ``*.yaml`` and ``*.yml`` file of a folder, by name -- and go in chunks to a runner:
this process (one worker), a pool of processes on this machine (several; both in
hearth.engine.bulk_runners), or anything else that can evaluate a chunk (the web's job queue,
whose workers may be on other machines). Only a few chunks are in flight at once, so memory
does not grow with the number of cases, and answers come back in the order the cases were
read, whoever evaluated them.

Each case gives one line of compact JSON: ``{"line":7,"answer":{...}}`` (``"file"`` for a folder's
case), or ``{"line": 7, "errors": [...]}`` with the engine's located problems, their line
counted in the whole file. A bad case -- a mistake, a line or file over the size limit
(hearth.rules.limits), text that is not UTF-8 -- is such an error line and never stops the run.

Several councils' cases on one date (a national re-evaluation, benchmarks/bench_engine.py) go
as one stream through one pool: councils_chunks chunks them council by council and each chunk
names its council, so the workers stay busy across the councils' boundaries.
"""
from __future__ import annotations

import ctypes
import gc
import json
from collections import deque
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol

import orjson

from hearth.rules.limits import MAX_YAML_BYTES
from hearth.rules.source import SourceError

from . import api
from . import evaluate as evaluation
from .policy_model import PolicyVersion

CASE_SUFFIXES = (".json", ".yaml", ".yml")
# A chunk: this many cases, or fewer whose text together reaches CHUNK_BYTES.
CHUNK_CASES = 64
CHUNK_BYTES = 8 * 1024 * 1024
_SKIP_BYTES = 1024 * 1024  # the rest of an over-long line is read past in pieces this size


class BulkError(Exception):
    """The run cannot go on (not one case's mistake): a message for the person running it."""


# --- reading the cases ----------------------------------------------------------------------

@dataclass(frozen=True)
class Cases:
    """The cases of a file or folder, as a stream: ``items`` gives (item, units read) pairs, and
    ``total`` is how many units there are (bytes of a file, files of a folder), for a progress bar.
    An item is JSON: where the case is ("line" and "file", or "file"), and its "text" or, when it
    could not be read, a "refused" sentence."""

    items: Iterable[tuple[dict, int]]
    total: int


def read_cases(source: str) -> Cases:
    """The cases of a JSON-lines file or of a folder of case files; BulkError if neither can be read."""
    path = Path(source)
    try:
        if path.is_dir():
            files = sorted((entry for entry in path.iterdir() if entry.suffix in CASE_SUFFIXES and entry.is_file()),
                           key=lambda entry: entry.name)
            return Cases(_folder_items(files), len(files))
        return Cases(_line_items(source), path.stat().st_size)
    except OSError as exc:
        raise BulkError(f"{source}: the cases cannot be read ({exc.strerror or exc}).") from None


def _line_items(source: str) -> Iterator[tuple[dict, int]]:
    with open(source, "rb") as handle:
        number = 0
        while True:
            raw = handle.readline(MAX_YAML_BYTES + 2)   # room for the line's own \r\n
            if not raw:
                return
            number += 1
            read = len(raw)
            if not raw.endswith(b"\n") and len(raw) == MAX_YAML_BYTES + 2:
                while not raw.endswith(b"\n"):
                    raw = handle.readline(_SKIP_BYTES)
                    if not raw:
                        break
                    read += len(raw)
                yield _refused({"line": number, "file": source}, _too_long("line", read)), read
                continue
            content = raw.rstrip(b"\r\n")
            if number == 1:
                content = content.removeprefix(b"\xef\xbb\xbf")
            if not content.strip():
                yield None, read  # a blank line is no case
                continue
            yield _item({"line": number, "file": source}, content, "line"), read


def _folder_items(files: list[Path]) -> Iterator[tuple[dict, int]]:
    for path in files:
        where = {"file": str(path)}
        try:
            size = path.stat().st_size
            if size > MAX_YAML_BYTES:
                yield _refused(where, _too_long("file", size)), 1
                continue
            content = path.read_bytes()
        except OSError as exc:
            yield _refused(where, f"The file cannot be read ({exc.strerror or exc})."), 1
            continue
        yield _item(where, content.removeprefix(b"\xef\xbb\xbf"), "file"), 1


def _item(where: dict, content: bytes, what: str) -> dict:
    try:
        return {**where, "text": content.decode("utf-8")}
    except UnicodeDecodeError as exc:
        return _refused(where, f"The {what} is not UTF-8 text (byte {exc.start + 1} cannot be read).")


def _refused(where: dict, message: str) -> dict:
    return {**where, "refused": message}


def _too_long(what: str, size: int) -> str:
    return f"The {what} is {size:,} bytes long; a case may be at most {MAX_YAML_BYTES:,} (see docs/limits.md)."


def councils_chunks(councils: Iterable[tuple[str, Cases]], most_cases: int = CHUNK_CASES,
                    most_bytes: int = CHUNK_BYTES) -> Iterator[tuple[list[dict], int]]:
    """Several councils' cases as one stream of chunks, council by council: each chunk holds one
    council's cases, and each of its items names that council ("council")."""
    for council, cases in councils:
        for chunk, units in chunked(cases.items, most_cases, most_bytes):
            yield [{**item, "council": council} for item in chunk], units


def chunked(cases: Iterable[tuple[dict | None, int]], most_cases: int = CHUNK_CASES,
            most_bytes: int = CHUNK_BYTES) -> Iterator[tuple[list[dict], int]]:
    """The items in chunks of at most ``most_cases`` cases and about ``most_bytes`` of text, each
    with the units read for it."""
    chunk, size, units = [], 0, 0
    for item, read in cases:
        units += read
        if item is None:
            continue
        chunk.append(item)
        size += len(item.get("text", ""))
        if len(chunk) >= most_cases or size >= most_bytes:
            yield chunk, units
            chunk, size, units = [], 0, 0
    if chunk or units:
        yield chunk, units


# --- evaluating a chunk ----------------------------------------------------------------------

def evaluate_items(policy: PolicyVersion, on: date, items: list[dict]) -> dict:
    """A chunk's result: "answers", the JSON line of each item (its answer, or its located
    errors), each ending in a newline, as one piece of UTF-8 bytes; how many "cases" and how
    many of them "failed".

    One piece of bytes, not a list of strings: orjson makes bytes, and passing one piece between
    processes (pickle) and writing it out costs a copy, where a list of strings cost a decode
    here, an encode and an object per line in the pickle, and a write per line in the process
    writing the answers (issue 14: pickling 10,000 answers in chunks of 64 and reading them
    back took 0.17 s as strings, 0.02 s as bytes)."""
    answers = [_answer(policy, on, item) for item in items]
    return {"answers": b"".join([answer_line(answer) for answer in answers]), "cases": len(answers),
            "failed": sum("errors" in answer for answer in answers)}


def answer_line(answer: dict) -> bytes:
    """One case's line, ending in its newline: compact JSON in UTF-8 (orjson, which writes the
    newline itself rather than the line being copied to add one; the standard library for the
    rare value orjson refuses, such as a whole number past 64 bits)."""
    try:
        return orjson.dumps(answer, option=orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError:
        return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def chunk_council(items: list[dict], council: str | None) -> str | None:
    """The council a chunk is evaluated under: the one its items name (councils_chunks), else ``council``."""
    return items[0].get("council", council) if items else council


def _answer(policy: PolicyVersion, on: date, item: dict) -> dict:
    where = {"line": item["line"]} if "line" in item else {"file": item["file"]}
    if "refused" in item:
        return {**where, "errors": [_error(item, item["refused"])]}
    try:
        # read_only: the answer is written out at once and let go, so its fixed parts are shared
        return {**where, "answer": evaluation.evaluate(policy, api.parse_case(policy, item["text"], item["file"]), on,
                                                       read_only=True)}
    except SourceError as exc:
        return {**where, "errors": [_moved(problem.as_dict(), item) for problem in exc.problems]}
    except Exception as exc:  # noqa: BLE001 - one case the engine cannot answer must not stop a cohort's run
        return {**where, "errors": [_error(item, f"The engine could not evaluate this case "
                                                 f"({type(exc).__name__}: {exc}); please report it.")]}


def _error(item: dict, message: str) -> dict:
    return {"file": item["file"], "line": item.get("line", 0), "column": 0, "field": "", "message": message}


def _moved(problem: dict, item: dict) -> dict:
    """A problem located in one line's document, located in the whole JSON-lines file."""
    if "line" in item:
        problem["line"] = item["line"] + max(problem["line"], 1) - 1
    return problem


# --- who evaluates the chunks (hearth.engine.bulk_runners, the web's job queue) -------------------

class Runner(Protocol):
    """Evaluates chunks: ``submit`` starts one and gives a handle, ``result`` waits for its result
    (evaluate_items'). ``ahead`` is how many chunks may be in flight, ``chunk_cases`` how many
    cases a chunk holds."""

    ahead: int
    chunk_cases: int

    def submit(self, items: list[dict]) -> Any: ...

    def result(self, handle: Any) -> dict: ...

    def close(self) -> None: ...


def keep_loaded(policies: Iterable[PolicyVersion] = ()) -> None:
    """Set the cyclic garbage collector for a run of many evaluations: compile the policies the
    run will use, move everything loaded so far out of the collector's way for the rest of the
    run (gc.freeze), and turn its automatic collections off: what each chunk leaves is collected
    between chunks (collect_between_chunks: in the process that reads the chunks and writes the
    answers, once a chunk's answers are written, and in a worker process before its next chunk),
    when nothing of that chunk but what the policies remember is still alive.

    Why: a run keeps its councils' compiled policies to the end, and every full collection
    walked them all: a tenth of a national run's time (153 councils; benchmarks/bench_engine.py).
    And every case read and every answer is dozens to hundreds of dicts and lists that live until
    they are written, which each automatic collection walks and moves up a generation for
    nothing: at Python's defaults a fifth of the time of 2 councils x 2,000 cases evaluated and
    kept; collecting ten times less often still cost 7 % of a national run's time (2.12 s against
    1.96 s for 16 councils x 550 cases, reading them 0.56 s against 0.39 s). Reading and
    evaluating cases makes no reference cycles (tests/test_no_cycles.py: gc.collect() finds
    nothing after evaluations with the collector off), so the collector has nothing to find
    there; the collection between chunks still catches any cycle a chunk leaves (an error's
    traceback, say), and the memory of 100,000 distinct evaluations stays flat
    (benchmarks/bench_engine.py checks it with the collector so set).

    It also has the C allocator keep the memory a chunk frees for the next (keep_freed_memory).
    Worker processes forked after it share the frozen pages untouched, and the allocator's
    settings. For the process that runs a cohort, not for a library call: it lasts until the
    process ends."""
    for policy in policies:
        evaluation.compiled(policy)
    gc.freeze()
    gc.disable()
    keep_freed_memory()


# glibc's malloc settings (mallopt(3)), and what a bulk run sets them to.
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
_KEPT_MEMORY = ((_M_TRIM_THRESHOLD, 32 * 1024 * 1024), (_M_TOP_PAD, 8 * 1024 * 1024),
                (_M_MMAP_THRESHOLD, 8 * 1024 * 1024))


def keep_freed_memory() -> bool:
    """Have the C allocator (glibc's malloc) keep up to 32 MiB of freed memory for the next
    allocation rather than give it back to the system at once, and serve allocations under 8 MiB
    from that memory rather than from pages mapped for each; True when the allocator took the
    settings (not glibc, such as musl or macOS: False, and nothing changes).

    Why: every chunk makes a few blocks the size of its answers (some 700 KiB for 64 cases: the
    joined JSON lines, their pickle, the copy the process writing them reads back), frees them,
    and makes them again for the next chunk. By default glibc maps each such block afresh, or
    grows its heap for it and trims it back once it is freed, so the kernel hands out and zeroes
    those pages again for every chunk: 97,000 page faults for 200 chunk-sized rounds of joining,
    pickling and reading back (none with these settings; tests/test_bulk.py), and a national
    re-evaluation's answers (1,315 chunks of about 700 KiB, benchmarks/bench_engine.py) passed
    from 2 workers to this process cost 2.8 s of CPU by default against 1.5 s so (an echo of
    those chunks with nothing evaluated; medians of several runs). What it costs: a process may
    hold up to 32 MiB more than it uses, against a bulk run's few hundred. Python itself has no
    way to say this; mallopt(3) is glibc's, reached through ctypes."""
    allocator = ctypes.CDLL(None)
    if not hasattr(allocator, "mallopt"):
        return False
    return all([allocator.mallopt(setting, value) == 1 for setting, value in _KEPT_MEMORY])


def run(chunks: Iterable[tuple[list[dict], int]], runner: Runner) -> Iterator[tuple[dict, int]]:
    """Each chunk's result, in the order the chunks came, with the units read for it; at most
    ``runner.ahead`` chunks are in flight."""
    pending: deque = deque()
    for items, units in chunks:
        pending.append((runner.submit(items), units))
        if len(pending) >= runner.ahead:
            handle, done = pending.popleft()
            yield runner.result(handle), done
            collect_between_chunks()  # what reading, sending and writing a chunk left, here
    while pending:
        handle, done = pending.popleft()
        yield runner.result(handle), done


def collect_between_chunks() -> None:
    """In a bulk run, whose collector makes no automatic collections (keep_loaded), collect what
    the chunks so far left behind, when almost nothing of them is still alive: a reference cycle
    (an error's traceback, a job queue client's objects) goes then. Elsewhere nothing."""
    if not gc.isenabled():
        gc.collect(1)

