"""An evaluation's work grows with the events, not with their square (issue 14): twenty times
the events, about twenty times the work. Work is counted, not timed, so a busy machine cannot
make this flaky: the lines of the evaluation's own modules that run (sys.settrace, those files
only) for a history of 200 events and for one of 4,000 made the same way."""
import random
import sys
from datetime import date, timedelta
from pathlib import Path

from hearth.engine import api
from hearth.engine import evaluate as evaluation

from councils import needs_council

ROOT = Path(__file__).resolve().parents[1] / "policies"
ON = date(2026, 3, 2)
# The modules whose lines are counted: the evaluation, the facts it builds and the index of events it walks.
PER_DAY = 4   # events a day
WATCHED = ("engine/evaluate.py", "engine/facts.py", "engine/obligations.py", "engine/event_index.py")


def obligation_types(policy) -> list[str]:
    """The event types the policy's deadlines and duties name: starts, meetings, plans, moves, minutes."""
    return sorted({t for ob in policy.deadlines + policy.duties
                   for spec in (ob.starts, ob.met_by, *(m.event for m in ob.moved_by),
                                *([ob.planned_by.event] if ob.planned_by else []))
                   for t in spec.types})


def history(policy, count: int, seed: int, types: list[str]) -> dict:
    """``count`` events of these types, a few a day, with every field a value of its kind."""
    rng = random.Random(seed)
    vocabulary = policy.vocabulary
    events = []
    for number in range(count):
        on = ON - timedelta(days=count // PER_DAY - number // PER_DAY)
        event_type = rng.choice(types)
        event = {"type": event_type, "on": on.isoformat()}
        for name, spec in vocabulary.event_fields(event_type).items():
            if spec.kind == "date":
                event[name] = (on + timedelta(days=rng.randint(1, 20))).isoformat()
            elif spec.kind == "number":
                event[name] = rng.randint(int(spec.min or 1), int(min(spec.max or 10, 10)))
            elif spec.kind == "boolean":
                event[name] = rng.random() < 0.5
            elif spec.kind in ("role", "action", "placement_type", "choice"):
                event[name] = rng.choice({"role": list(vocabulary.roles), "action": list(vocabulary.actions),
                                          "placement_type": list(vocabulary.placement_types),
                                          "choice": list(spec.values)}[spec.kind])
            elif spec.kind == "roles":
                event[name] = rng.sample(list(vocabulary.roles), 3)
        events.append(event)
    return {"child": {"ref": "C-1"}, "placement": {"type": "ifa_foster", "started": "2020-01-01"}, "events": events}


def lines_run(policy, case, modules: tuple = WATCHED) -> int:
    """How many lines of these modules (paths in the package) run while the case is evaluated."""
    watched = tuple(str(Path(evaluation.__file__).parents[1] / name) for name in modules)
    count = 0

    def line(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return line

    def call(frame, event, arg):
        return line if frame.f_code.co_filename in watched else None

    sys.settrace(call)
    try:
        evaluation.evaluate(policy, case, ON)
    finally:
        sys.settrace(None)
    return count


@needs_council("swindon")
def test_twenty_times_the_events_is_about_twenty_times_the_work():
    policy = api.policy_on("swindon", ON, ROOT)
    types = obligation_types(policy)
    small, large = (api.parse_case(policy, history(policy, count, 14, types)) for count in (200, 4000))
    answer = evaluation.evaluate(policy, large, ON)
    assert len(answer["deadlines"]) + len(answer["duties"]) > 200  # many instances, many meetings
    work = {name: lines_run(policy, case) for name, case in (("small", small), ("large", large))}
    # linear: x20 and a little for the bisections (measured x21); the engine before it walked the
    # events once per deadline instance and move was x59
    assert work["large"] <= 28 * work["small"], work
