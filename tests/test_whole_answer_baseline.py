"""The hand-written whole answer (benchmarks/swindon_whole_answer.py), the baseline the engine's
speed is measured against, gives the engine's answer byte for byte on generated cases, so the
comparison in `make bench` stays fair; and it is pinned to the policy it was written for, so a
change to policies/swindon says so plainly instead of showing up as a diff.

It reads the repository's policies/swindon (the files the pin names), not the session's copies.
"""
from __future__ import annotations

import json
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest

from hearth.engine import api
from hearth.engine import evaluate as evaluation

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ROOT / "policies"
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_cases  # noqa: E402
import swindon_whole_answer  # noqa: E402

CASES = 1_500
_BANK_HOLIDAYS = set(holidays.UK(subdiv="ENG", years=range(2025, 2028)))


def _version():
    return api.policy_on("swindon", bench_cases.LATEST, POLICIES)


def _first_difference(engine, by_hand, path: str = "answer") -> str:
    """Where two decoded answers first differ, as a path and both values."""
    if isinstance(engine, dict) and isinstance(by_hand, dict):
        if list(engine) != list(by_hand):
            return f"{path}: keys {list(engine)} (engine) vs {list(by_hand)} (by hand)"
        for key in engine:
            if engine[key] != by_hand[key]:
                return _first_difference(engine[key], by_hand[key], f"{path}.{key}")
    if isinstance(engine, list) and isinstance(by_hand, list) and len(engine) == len(by_hand):
        for index, (one, other) in enumerate(zip(engine, by_hand)):
            if one != other:
                return _first_difference(one, other, f"{path}[{index}]")
    return f"{path}: engine {json.dumps(engine)[:400]} vs by hand {json.dumps(by_hand)[:400]}"


def test_the_baseline_is_pinned_to_the_policy_in_the_repository():
    problem = swindon_whole_answer.pinned(_version())
    if problem:
        pytest.fail(problem, pytrace=False)


def test_a_changed_policy_is_reported_plainly(tmp_path):
    shutil.copytree(POLICIES / "swindon", tmp_path / "swindon")
    version_file = tmp_path / "swindon" / "versions" / "2025-01.yaml"
    version_file.write_text(version_file.read_text(encoding="utf-8") + "# a comment added\n", encoding="utf-8")
    changed = api.policy_on("swindon", bench_cases.LATEST, tmp_path)
    problem = swindon_whole_answer.pinned(changed)
    assert problem.startswith(f"policies/swindon changed since the whole-answer baseline was written for "
                              f"{swindon_whole_answer.CONTENT_HASH}")
    assert changed.policy_hash in problem


def test_the_engine_and_the_hand_written_whole_answer_agree_on_generated_cases():
    version = _version()
    problem = swindon_whole_answer.pinned(version)
    if problem:
        pytest.fail(problem, pytrace=False)
    policy = api.get_policy("swindon", POLICIES)
    differing, crossing_a_holiday, kinds = [], 0, set()
    for number, (document, as_of) in enumerate(bench_cases.cases(CASES, seed=20261129)):
        case = api.parse_case(policy.version_on(as_of), document)
        engine = evaluation.evaluate(policy.version_on(as_of), case, as_of)
        by_hand = swindon_whole_answer.evaluate(case, as_of)
        if json.dumps(engine) != json.dumps(by_hand):
            differing.append(f"case {number} ({bench_cases.KINDS[number % 3].__name__}, judged on {as_of}): "
                             + _first_difference(engine, by_hand))
        # the generated cases reach what they are for: working-day deadlines across bank holidays
        for entry in engine["deadlines"] + engine["duties"]:
            if "working days after" in entry["basis"]:
                start, due = date.fromisoformat(entry["started_on"]), date.fromisoformat(entry["due"])
                if any(start + timedelta(days=d) in _BANK_HOLIDAYS for d in range(1, (due - start).days + 1)):
                    crossing_a_holiday += 1
            kinds.add((entry["id"], entry["status"]))
        kinds.add(("recommendation", engine["recommendation"]))
        kinds.update(("gate", gate["status"]) for gate in engine["gates"])
    assert not differing, f"{len(differing)} of {CASES} cases differ; the first:\n" + "\n".join(differing[:3])
    assert crossing_a_holiday >= 100
    for obligation in ("initial_meeting", "review_meeting", "minutes_circulated", "management_oversight",
                       "notify_commissioning"):
        assert {(obligation, status) for status in ("met", "late", "overdue", "pending")} <= kinds, obligation
    assert {("recommendation", r) for r in ("hold_care_planning_meeting", "hold_stability_meeting",
                                            "hold_review_meeting", None)} <= kinds
    assert {("gate", s) for s in ("blocked", "needs_approval", "overridden", "approved", "open")} <= kinds


def test_every_generated_case_is_a_child_of_its_own():
    documents = bench_cases.cases(300)
    assert len({document["child"]["ref"] for document, _ in documents}) == 300
    assert len({json.dumps(document["events"]) for document, _ in documents}) == 300
