"""Generated Swindon case documents for the whole-answer comparison and the engine benchmarks.

Three kinds, mixed by ``cases(n, seed)``:

- stories: what a real stability process looks like, step by step (concerns, a care planning
  meeting, more concerns, the decision, a meeting arranged and held with or without a review
  agreed, minutes, oversight, the review moved or held, funding, panel, a planned ending), with
  steps skipped, late or early at random;
- random histories: any events of the policy's types in any order, fields at random;
- bank-holiday edges: stories whose meetings and decisions fall in the days before a bank
  holiday (Christmas and Boxing Day, Easter, the May and August bank holidays), so working-day
  deadlines cross them.

Every case has its own child (reference and date of birth) and its own dates, so no two are
the same: what the engine has seen before cannot help it on the next one. Each case comes with
the day it is judged on (``as_of``); some events fall after it, which the answer ignores.

``council_case`` makes a case for any council from its loaded policy alone (its vocabulary and
the event types its rules name), for the national re-evaluation of bench_engine.py.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

import holidays

from hearth.engine.history import event_atoms, event_types_mentioned

PLACEMENTS = ["in_house_foster", "ifa_foster", "connected_carer", "la_childrens_home", "private_childrens_home",
              "other"]
ROLES = ["childs_social_worker", "foster_carer", "iro", "supervising_social_worker", "fostering_manager",
         "commissioning", "childrens_social_work_manager", "advocate", "key_worker", "social_care_manager",
         "home_finding", "child", "childs_team_manager"]
NON_MANAGERS = ["childs_social_worker", "foster_carer", "iro", "supervising_social_worker", "commissioning",
                "advocate", "key_worker", "home_finding", "child"]
ACTIONS = ["alternative_placement", "increased_funding", "commissioned_resource", "external_service"]
CONCERNS = ["stability_concern_raised", "review_raised_concern", "allegation", "complaint", "missing_episode",
            "absence", "relationship_fragility_concern", "child_wants_move", "carer_needs_more_support",
            "carer_requests_end", "needs_not_met_concern"]
OTHER = ["care_planning_meeting_held", "stability_meeting_decided", "stability_meeting_held", "review_meeting_held",
         "minutes_circulated", "management_oversight_recorded", "meeting_scheduled", "review_brought_forward",
         "review_extended", "concern_closed", "safeguarding_concern", "safeguarding_exception_confirmed",
         "panel_approved", "planned_ending_agreed", "commissioning_notified", "placement_moved", "placement_ended",
         "funding_requested"]
EARLIEST, LATEST = date(2025, 1, 6), date(2027, 11, 30)


def event(rng: random.Random, kind: str, on: date) -> dict:
    """One event of a kind on a day, its fields chosen at random as a worker might fill them."""
    out = {"type": kind, "on": on.isoformat()}
    if kind in ("stability_concern_raised", "needs_not_met_concern", "relationship_fragility_concern"):
        if rng.random() < 0.7:
            out["by"] = rng.choice(["childs_social_worker", "iro", "foster_carer"])
    elif kind == "review_raised_concern":
        out["review"] = rng.choice(["child", "carer", "home"])
    elif kind in ("stability_meeting_held", "review_meeting_held"):
        pool = NON_MANAGERS if rng.random() < 0.3 else ROLES
        if rng.random() < 0.9:
            out["attendees"] = rng.sample(pool, rng.randint(1, 5))
        if rng.random() < 0.85:
            out["chair"] = rng.choice(out.get("attendees") or pool)
        roll = rng.random()
        if roll < 0.55:
            out["review_date"] = (on + timedelta(days=rng.randint(5, 30))).isoformat()
        elif roll < 0.8:
            out["review"] = False
            out["review_reason"] = "Home is stable"
        elif roll < 0.9:
            out["review"] = True
    elif kind == "meeting_scheduled":
        out["meeting"] = rng.choice(["stability", "review"])
        out["meeting_date"] = (on + timedelta(days=rng.randint(1, 15))).isoformat()
    elif kind == "review_brought_forward":
        out["to"] = (on + timedelta(days=rng.randint(1, 10))).isoformat()
    elif kind == "review_extended":
        if rng.random() < 0.9:
            out["days"] = rng.randint(1, 20)
    elif kind == "concern_closed":
        out["outcome"] = rng.choice(["home_stable", "planned_ending", "unplanned_ending"])
    elif kind == "funding_requested":
        out["kind"] = rng.choice(ACTIONS)
    elif kind == "panel_approved":
        out["request"] = rng.choice(ACTIONS)
    elif kind == "safeguarding_concern":
        out["significant"] = rng.random() < 0.4
    elif kind == "planned_ending_agreed":
        out["external"] = rng.random() < 0.6
    elif kind == "carer_needs_more_support":
        if rng.random() < 0.7:
            out["funding"] = rng.random() < 0.5
    elif kind == "placement_moved":
        out["placement_type"] = rng.choice(PLACEMENTS)
        if rng.random() < 0.3:
            out["emergency"] = True
    elif kind == "placement_ended":
        out["ending"] = rng.choice(["planned", "unplanned"])
    return out


def _case(rng: random.Random, number: int, events: list[dict], as_of: date) -> dict:
    born = as_of - timedelta(days=rng.randint(365 * 2, 365 * 17))
    placement = {"type": rng.choice(PLACEMENTS), "started": (as_of - timedelta(days=rng.randint(100, 900))).isoformat()}
    if rng.random() < 0.1:
        placement["emergency"] = True
    rng.shuffle(events)  # a case's events come in any order; the history orders them by day
    return {"child": {"ref": f"G-{number:07d}", "date_of_birth": born.isoformat()}, "placement": placement,
            "events": events}


def random_history(rng: random.Random, number: int, size: int = 20) -> tuple[dict, date]:
    as_of = EARLIEST + timedelta(days=rng.randint(120, (LATEST - EARLIEST).days))
    kinds = CONCERNS * 2 + OTHER + ["missing_episode"] * 4 + ["stability_meeting_held", "review_meeting_held"] * 2
    events = [event(rng, rng.choice(kinds), as_of - timedelta(days=rng.randint(-10, 100))) for _ in range(size)]
    return _case(rng, number, events, as_of), as_of


def story(rng: random.Random, number: int, size: int = 20, start: date | None = None) -> tuple[dict, date]:
    """A stability process as it happens, from a first concern on `start` (or a random day)."""
    day = start or EARLIEST + timedelta(days=rng.randint(0, (LATEST - EARLIEST).days - 120))
    events: list[dict] = []

    def step(kind: str, gap: tuple[int, int] = (0, 6)) -> None:
        nonlocal day
        day += timedelta(days=rng.randint(*gap))
        events.append(event(rng, kind, day))

    for _ in range(rng.randint(1, 3)):
        step(rng.choice(CONCERNS), (0, 10))
    if rng.random() < 0.7:
        step("care_planning_meeting_held")
    for _ in range(rng.randint(0, 3)):
        step(rng.choice(CONCERNS), (0, 4))
    if rng.random() < 0.8:
        step("stability_meeting_decided", (0, 3))
        if rng.random() < 0.6:
            step("meeting_scheduled", (0, 2))
            events[-1]["meeting"] = "stability"
        if rng.random() < 0.85:
            step("stability_meeting_held", (0, 9))
            if rng.random() < 0.7:
                step("minutes_circulated", (0, 9))
            if rng.random() < 0.4:
                step("management_oversight_recorded", (0, 9))
            for extra in ("review_brought_forward", "review_extended", "funding_requested", "panel_approved",
                          "planned_ending_agreed", "commissioning_notified", "safeguarding_concern",
                          "safeguarding_exception_confirmed", "placement_moved", "concern_closed"):
                if rng.random() < 0.15:
                    step(extra, (0, 5))
            if rng.random() < 0.5:
                step("meeting_scheduled", (0, 4))
                events[-1]["meeting"] = "review"
            if rng.random() < 0.6:
                step("review_meeting_held", (1, 20))
                if rng.random() < 0.6:
                    step("minutes_circulated", (0, 8))
    while len(events) < size:
        step(rng.choice(CONCERNS + OTHER), (0, 5))
    as_of = day + timedelta(days=rng.randint(-15, 20))
    return _case(rng, number, events[:size], max(as_of, EARLIEST)), max(as_of, EARLIEST)


_BANK_HOLIDAYS = sorted(d for d in holidays.UK(subdiv="ENG", years=range(2025, 2028)) if EARLIEST < d < LATEST)


def bank_holiday_edge(rng: random.Random, number: int, size: int = 20) -> tuple[dict, date]:
    """A story whose decision and meetings fall in the week before a bank holiday."""
    holiday = rng.choice(_BANK_HOLIDAYS)
    return story(rng, number, size, start=holiday - timedelta(days=rng.randint(3, 12)))


KINDS = (story, random_history, bank_holiday_edge)


def cases(count: int, seed: int = 20261129, size: int = 20, first_number: int = 0) -> list[tuple[dict, date]]:
    """`count` distinct case documents, each with the day it is judged on: stories, random
    histories and bank-holiday edges in turn."""
    rng = random.Random(seed)
    return [KINDS[i % len(KINDS)](rng, first_number + i, size) for i in range(count)]


def policy_event_types(policy) -> list[str]:
    """The event types a policy version's rules name: what its triggers, deadlines, duties,
    recommendation and gates read."""
    named: set = set()
    for trigger in policy.triggers:
        named |= event_types_mentioned(trigger.when)
    for obligation in policy.deadlines + policy.duties:
        named |= set(obligation.starts.types) | set(obligation.met_by.types)
        named |= {t for move in obligation.moved_by for t in move.event.types}
        if obligation.planned_by is not None:
            named |= set(obligation.planned_by.event.types)
    for condition in [row.when for row in policy.recommendation] + \
            [c for g in policy.gates for c in (g.blocked_until, g.unless, g.needs_approval) if c is not None]:
        named |= {t for atom in event_atoms(condition) for t in atom.types}
    return sorted(t for t in named if t in policy.vocabulary.event_types)


def _value(rng: random.Random, spec, vocabulary, on: date):
    kind = spec.kind
    if kind == "date":
        return (on + timedelta(days=rng.randint(0, 20) if not spec.not_future else -rng.randint(0, 5))).isoformat()
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "number":
        low = int(spec.min) if spec.min is not None else 0
        return rng.randint(low, int(spec.max) if spec.max is not None else low + 20)
    if kind == "role":
        return rng.choice(list(vocabulary.roles) + (list(vocabulary.parties) if spec.parties else []))
    if kind == "roles":
        return rng.sample(list(vocabulary.roles), rng.randint(1, 5))
    if kind == "action":
        return rng.choice(list(vocabulary.actions))
    if kind == "placement_type":
        return rng.choice(list(vocabulary.placement_types))
    if kind == "choice":
        return rng.choice(list(spec.values))
    return "Generated for the benchmark"


def council_case(rng: random.Random, policy, named: list[str], number: int, as_of: date, size: int = 20) -> dict:
    """A case of `size` events for any council: most of the types its rules name (``named``,
    from policy_event_types), fields by their kind, a few fields left out where they may be."""
    vocabulary = policy.vocabulary
    events = []
    for _ in range(size):
        kind = rng.choice(named)
        on = as_of - timedelta(days=rng.randint(0, 120))
        record = {"type": kind, "on": on.isoformat()}
        for name, spec in vocabulary.event_fields(kind).items():
            if spec.required or (spec.kind != "text" and rng.random() < 0.6):
                record[name] = _value(rng, spec, vocabulary, on)
        events.append(record)
    types = list(vocabulary.placement_types)
    return {"child": {"ref": f"N-{number:07d}",
                      "date_of_birth": (as_of - timedelta(days=rng.randint(730, 6200))).isoformat()},
            "placement": {"type": rng.choice(types),
                          "started": (as_of - timedelta(days=rng.randint(130, 900))).isoformat()},
            "events": events}
