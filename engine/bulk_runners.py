"""Who evaluates a bulk run's chunks (hearth.engine.bulk.Runner) on this machine: this process
(InProcess, one worker) or a pool of processes forked from it (Processes), whose workers put
their answers in memory shared with it (SharedAnswers). runner_for chooses; the web's job queue
is the third runner (its bulk_queue module)."""
from __future__ import annotations

import mmap
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path

from . import api
from .bulk import CHUNK_CASES, BulkError, chunk_council, collect_between_chunks, evaluate_items
from .policy_model import PolicyVersion

# Chunks in flight per worker: enough to keep each busy, few enough to bound memory.
AHEAD_PER_WORKER = 2
# A chunk's answers in the memory a pool shares (SharedAnswers): 64 cases' are some 700 KiB.
SLOT_BYTES = 4 * 1024 * 1024


class InProcess:
    """One worker: this process, chunk by chunk, under ``policy`` or the council a chunk names
    (read from the folders under ``root`` when one is given)."""

    ahead = 1
    chunk_cases = CHUNK_CASES

    def __init__(self, policy: PolicyVersion | None, on: date, root: Path | None = None):
        self.policy, self.on, self.root = policy, on, root

    def submit(self, items: list[dict]) -> dict:
        council = chunk_council(items, None)
        policy = self.policy if council is None else api.policy_on(council, self.on, self.root)
        return evaluate_items(policy, self.on, items)

    def result(self, handle: dict) -> dict:
        return handle

    def close(self) -> None:
        pass


class SharedAnswers:
    """Where the workers of a Processes pool put their chunks' answers for the process writing
    them: one block of memory shared with them (mapped before they are forked), in ``slots``
    slots of ``size`` bytes, one a chunk in flight.

    Why: the answers are most of what moves between the processes -- some 11 KB a case against
    the case's 2 KB, 960 MB for a national re-evaluation -- and through the pool's pipe each
    chunk's were pickled, written and read 64 KiB at a time, and unpickled: an echo of that run's
    1,315 chunks (cases out, answers back, nothing evaluated) through a pool of 2 workers cost
    1.4-1.6 s of CPU so (with the allocator keeping freed memory: bulk.keep_freed_memory), 0.6 s
    with the answers through shared memory (this process's part of the national run itself:
    1.4-1.7 s of CPU, against 1.8-1.9 s before; benchmarks/bench_engine.py). A worker copies a
    chunk's answers into its slot and says how long they are; this process copies them out
    when it reads the chunk's result, which frees the slot. Answers longer than a slot (cases of
    thousands of events) come through the pipe as before."""

    def __init__(self, slots: int, size: int):
        self.slots, self.size = slots, size
        self.memory = mmap.mmap(-1, slots * size)  # anonymous and shared: forked workers see it
        self.busy: set[int] = set()
        self.sent = 0

    def claim(self) -> int | None:
        """A free slot for the next chunk, or None when the one whose turn it is still holds a
        chunk's answers not yet read (more chunks in flight than slots): that chunk's answers come
        through the pipe."""
        slot = self.sent % self.slots
        self.sent += 1
        if slot in self.busy:
            return None
        self.busy.add(slot)
        return slot

    def put(self, slot: int, result: dict) -> dict:
        """In a worker: a chunk's answers copied into its slot, if they fit."""
        answers = result["answers"]
        if len(answers) > self.size:
            return result
        start = slot * self.size
        self.memory[start:start + len(answers)] = answers
        return {"slot": slot, "length": len(answers), "cases": result["cases"], "failed": result["failed"]}

    def take(self, slot: int | None, result: dict) -> dict:
        """Here: a chunk's result with its answers as bytes, copied out of its slot (if they went
        there); the slot is free again."""
        self.busy.discard(slot)
        if "slot" not in result:
            return result
        start = result["slot"] * self.size
        return {"answers": self.memory[start:start + result["length"]], "cases": result["cases"],
                "failed": result["failed"]}

    def close(self) -> None:
        self.memory.close()


# The shared answers of the pool this worker process belongs to (set as it starts; None elsewhere).
_SHARED_ANSWERS: SharedAnswers | None = None


def _share_answers(shared: SharedAnswers) -> None:
    global _SHARED_ANSWERS
    _SHARED_ANSWERS = shared


class Processes:
    """Several workers: a pool of processes forked from this one, each reading the policy of
    ``council`` or of the council a chunk names as the command did (from the folders under
    ``root`` when one is given); this process reads the cases and writes the answers, which the
    workers put in memory shared with it (SharedAnswers).

    The first chunk is evaluated here (under ``policy`` when given), before the pool is forked
    at the second, so the workers start with what it taught this process -- the rule cache's
    answers, the fact plans -- instead of each learning it again: on 10,000 generated cases and 2
    workers, their CPU went from 1.92 s to 1.80 s (medians of five runs each), for 0.08 s more
    here; with more workers, more is saved. Forked, not spawned: the workers inherit the
    compiled policies and the rule cache rather than load them again.

    Why this process only passes chunks rather than evaluating some itself: tried, its own
    evaluating held up the threads that feed the pool and collect its answers (they need
    this process's interpreter lock), so the workers went short of chunks and the run took
    longer (1.3-1.5 s against 1.2-1.3 s on those cases)."""

    chunk_cases = CHUNK_CASES

    def __init__(self, council: str | None, on: date, workers: int, root: Path | None = None,
                 policy: PolicyVersion | None = None):
        self.council, self.on, self.root = council, on.isoformat(), None if root is None else str(root)
        self.first: InProcess | None = InProcess(policy, on, root)  # until the first chunk is evaluated here
        self.workers, self.ahead = workers, workers * AHEAD_PER_WORKER
        self.pool: ProcessPoolExecutor | None = None
        self.shared: SharedAnswers | None = None

    def submit(self, items: list[dict]) -> tuple[Future, int | None] | dict:
        if self.first is not None:
            here, self.first = self.first, None
            return here.submit(items)
        if self.pool is None:
            self.shared = SharedAnswers(self.ahead, SLOT_BYTES)
            self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("fork"),
                                            initializer=_share_answers, initargs=(self.shared,))
        slot = self.shared.claim()
        return self.pool.submit(evaluate_chunk, chunk_council(items, self.council), self.on, items, self.root,
                                slot), slot

    def result(self, handle: tuple[Future, int | None] | dict) -> dict:
        if isinstance(handle, dict):
            return handle
        future, slot = handle
        try:
            return self.shared.take(slot, future.result())
        except BrokenProcessPool:
            raise BulkError("A worker process ended before its cases were evaluated (out of memory, or killed); "
                            "nothing more was written. Run the command again.") from None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.shared.close()


def runner_for(council: str | None, on: date, policy: PolicyVersion | None, workers: int,
               root: Path | None = None) -> InProcess | Processes:
    """``workers`` processes evaluating ``council``'s cases under ``policy`` (its version on ``on``),
    or each chunk's council's (councils_chunks; council and policy None), read from ``root``'s folders."""
    return InProcess(policy, on, root) if workers <= 1 else Processes(council, on, workers, root, policy)


def evaluate_chunk(council: str, on: str, items: list[dict], root: str | None = None,
                   slot: int | None = None) -> dict:
    """A chunk evaluated by a worker process: the policy read (from its cache) once per chunk, from
    the folders under ``root`` when one is given, else as the command reads it. With a ``slot``
    of the answers' shared memory (Processes), the answers go there when they fit, and the
    result says where ("slot", "length") instead of carrying them."""
    collect_between_chunks()  # what the chunks this worker evaluated before left
    day = date.fromisoformat(on)
    result = evaluate_items(api.policy_on(council, day, root), day, items)
    if slot is not None and _SHARED_ANSWERS is not None:
        return _SHARED_ANSWERS.put(slot, result)
    return result


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
