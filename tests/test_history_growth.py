"""The history's counts, windows and 'since' are found by bisection, not by walking the events
once per point (issue 14): for a history of concerns, meetings and their follow-ups, twenty times
the events is about twenty times the lines hearth.engine.history runs (see
tests/test_evaluation_growth.py for how work is counted)."""
from hearth.engine import api
from hearth.engine.history import event_types_mentioned

from councils import needs_council
from test_evaluation_growth import ON, ROOT, history, lines_run, obligation_types

MODULES = ("engine/history.py",)


@needs_council("swindon")
def test_the_history_is_bisected_not_walked_at_every_point():
    policy = api.policy_on("swindon", ON, ROOT)
    types = sorted(set(obligation_types(policy)) | {t for trigger in policy.triggers
                                                     for t in event_types_mentioned(trigger.when)})
    small, large = (api.parse_case(policy, history(policy, count, 14, types)) for count in (200, 4000))
    work = {name: lines_run(policy, case, MODULES) for name, case in (("small", small), ("large", large))}
    # linear: x20 and a little (measured x19); walking the history at every point was x104
    assert work["large"] <= 28 * work["small"], work
