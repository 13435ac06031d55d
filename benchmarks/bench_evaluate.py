"""Decisions per second for Swindon and Gateshead cases of 20 events, beside a
hand-written Python function of the same Swindon rules measured in the same run,
and memory over many evaluations.

    python benchmarks/bench_evaluate.py            # speed, then memory over 100,000 evaluations
    python benchmarks/bench_evaluate.py --quick    # speed, then memory over 10,000

The hand-written function is what a programmer would write for Swindon's rules
alone, with no policy files; before timing, the benchmark checks that it and the
engine agree on every case, so the two really do the same work. The engine is
timed twice: with durable_rules asked about every fact ("cold": HEARTH_RULE_CACHE
off) and with its answers remembered per distinct fact ("warm", the default).
"""
from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hearth.engine import api  # noqa: E402
from hearth.engine import evaluate as evaluation  # noqa: E402
from hearth.engine.calendar import calendar_for  # noqa: E402

import swindon_by_hand  # noqa: E402

AS_OF = date(2026, 3, 2)
ROOT = Path(__file__).resolve().parents[1] / "policies"

EVENT_MIX = [
    ("missing_episode", 6), ("absence", 3), ("allegation", 1), ("complaint", 1), ("child_wants_move", 1),
    ("carer_requests_end", 1), ("carer_needs_more_support", 1), ("needs_not_met_concern", 1),
    ("stability_concern_raised", 2), ("care_planning_meeting_held", 1), ("stability_meeting_decided", 1),
    ("stability_meeting_held", 1), ("minutes_circulated", 1), ("funding_requested", 1),
    ("safeguarding_concern", 1), ("panel_approved", 1), ("planned_ending_agreed", 1),
    ("commissioning_notified", 1), ("management_oversight_recorded", 1), ("review_meeting_held", 1),
]
ATTENDEES = ["childs_social_worker", "foster_carer", "iro", "supervising_social_worker", "fostering_manager",
             "commissioning", "childrens_social_work_manager", "advocate"]
PLACEMENTS = ["in_house_foster", "ifa_foster", "connected_carer", "la_childrens_home", "private_childrens_home"]
ACTIONS = ["alternative_placement", "increased_funding", "commissioned_resource", "external_service"]


def make_case(rng: random.Random, roles: set) -> dict:
    """A plausible 20-event history over the three months before AS_OF."""
    types = [t for t, w in EVENT_MIX for _ in range(w)]
    events = []
    for _ in range(20):
        etype = rng.choice(types)
        on = AS_OF - timedelta(days=rng.randint(0, 90))
        event = {"type": etype, "on": on.isoformat()}
        if etype in ("stability_concern_raised", "needs_not_met_concern"):
            event["by"] = rng.choice(["childs_social_worker", "iro", "carer"])
        elif etype in ("stability_meeting_held", "review_meeting_held"):
            people = [r for r in ATTENDEES if r in roles]
            event["attendees"] = rng.sample(people, rng.randint(2, 5))
            event["chair"] = rng.choice(event["attendees"])
            if rng.random() < 0.5:
                event["review_date"] = (on + timedelta(days=rng.randint(7, 20))).isoformat()
            else:
                event["review"] = False
                event["review_reason"] = "not needed"
        elif etype == "funding_requested":
            event["kind"] = rng.choice(ACTIONS)
        elif etype == "panel_approved":
            event["request"] = rng.choice(ACTIONS)
        elif etype == "safeguarding_concern":
            event["significant"] = rng.random() < 0.3
        elif etype == "planned_ending_agreed":
            event["external"] = rng.random() < 0.5
        elif etype == "carer_needs_more_support":
            event["funding"] = rng.random() < 0.5
        events.append(event)
    return {"child": {"ref": f"C-{rng.randint(1000, 9999)}", "date_of_birth": "2011-05-02"},
            "placement": {"type": rng.choice(PLACEMENTS), "started": "2025-06-01"}, "events": events}


def rate(fn, items, seconds: float = 3.0) -> float:
    """Calls per second of fn over items, repeated for about `seconds`."""
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for item in items:
            fn(item)
        done += len(items)
    return done / (time.perf_counter() - start)


def rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer evaluations in the memory check")
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()

    rng = random.Random(20261123)
    results = {}
    for council in ("swindon", "gateshead"):
        policy = api.policy_on(council, AS_OF, ROOT)
        roles = set(policy.vocabulary.roles)
        cases = [api.parse_case(policy, make_case(rng, roles)) for _ in range(args.cases)]
        results[council] = (policy, cases)

    policy, cases = results["swindon"]
    calendar = calendar_for(policy.council.nation)
    engine_answers = [evaluation.evaluate(policy, c, AS_OF) for c in cases]
    by_hand = [swindon_by_hand.evaluate(c, AS_OF, calendar) for c in cases]
    disagreements = [i for i, (e, h) in enumerate(zip(engine_answers, by_hand))
                     if swindon_by_hand.comparable(e) != h]
    if disagreements:
        i = disagreements[0]
        print(f"The hand-written Swindon function and the engine disagree on {len(disagreements)} of {len(cases)} "
              f"cases; first: case {i}\n engine:  {swindon_by_hand.comparable(engine_answers[i])}\n by hand: {by_hand[i]}")
        return 1
    print(f"Checked: the hand-written Swindon rules and the engine agree on all {len(cases)} cases.\n")

    baseline = rate(lambda c: swindon_by_hand.evaluate(c, AS_OF, calendar), cases)
    print(f"{'':38}{'decisions/s':>12}{'vs by hand':>12}")
    print(f"{'Swindon, hand-written Python':38}{baseline:12,.0f}{1:12.2f}")
    for council in ("swindon", "gateshead"):
        policy, cases = results[council]
        for label, size in (("cold", 0), ("warm", 50_000)):
            evaluation.outcomes = evaluation.RuleOutcomes(size)
            speed = rate(lambda c: evaluation.evaluate(policy, c, AS_OF), cases)
            print(f"{council.capitalize() + ', engine (' + label + ')':38}{speed:12,.0f}{speed / baseline:12.2f}")
    evaluation.outcomes = evaluation.RuleOutcomes()

    # Memory: many evaluations must not grow the process.
    total = 10_000 if args.quick else 100_000
    policy, cases = results["swindon"]
    gc.collect()
    marks = {}
    for i in range(total):
        evaluation.evaluate(policy, cases[i % len(cases)], AS_OF)
        if i + 1 in (total // 10, total // 2, total):
            gc.collect()
            marks[i + 1] = rss_kib()
    first = marks[total // 10]
    print(f"\nMemory over {total:,} evaluations (RSS, after a warm-up of {total // 10:,}): "
          + ", ".join(f"{n:,}: {kib / 1024:.1f} MiB" for n, kib in marks.items())
          + f"; growth after warm-up x{marks[total] / first:.3f}")
    if marks[total] > first * 1.2:
        print("Memory grew by more than 20% after the warm-up.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
