"""Where the web asks the engine what a council's policy says about a case.

`case_document` turns a case's rows into the case document of the evaluation
contract (../shared/specs/evaluate-contract.md); `evaluate_case` will hand it to
`hearth.engine.api.evaluate` once that exists. Views call only these two.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from .models import Case


def case_document(case: Case) -> dict[str, Any]:
    """The contract's case document, built from the database (events in date order)."""
    return {
        "child": {"ref": case.child_ref},
        "placement": {"type": case.placement_type, "started": case.placement_started.isoformat()},
        "events": [{"type": e.type, "on": e.on.isoformat(), **(e.fields or {})}
                   for e in sorted(case.events, key=lambda e: (e.on, e.id))],
    }


def evaluate_case(case: Case, on: date | None = None) -> dict[str, Any] | None:
    """INTEGRATION POINT (engine evaluate, not written yet): returns None for now.

    When the engine's `evaluate(council_id, case_dict, on)` lands, this becomes

        from hearth.engine import api
        return api.evaluate(case.council_id, case_document(case), on=on or date.today())

    and case.html renders the answer, recording the answer's policy version in the
    audit entry of the view (audit(..., policy_version=answer["policy"]["version"])).
    """
    return None
