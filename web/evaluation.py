"""Where the web asks the engine what a council's policy says about a case.

`case_document` turns a case's rows into the case document of the evaluation
contract (../shared/specs/evaluate-contract.md); `evaluate_case` hands it to
`hearth.engine.api.evaluate`. Both the policy and each case's answer are kept for
the rest of the request, so a page that needs them twice asks the engine once, and
answers are remembered across requests for cases that have not changed (AnswerCache).
A policy or case the engine cannot read becomes an `Evaluation` with a `problem`
(logged), never an exception: staff get a plain message, not a traceback.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app, g, has_app_context

from hearth.engine import api
from hearth.engine.lru import LRU

from .models import Case

# What staff and API clients are told when there is no answer, by cause. A case stored
# before recording tried the engine first may not evaluate: it is said, with the engine's
# located messages, and everything else about the case is still shown.
CHECK_FAILED = "This case's records could not be checked against the council's policy"
PROBLEMS = {
    "policy": "This council's policy could not be loaded, so the policy check for this case is not shown.",
    "case": CHECK_FAILED + ".",
    "error": CHECK_FAILED + ".",
}


@dataclass(frozen=True)
class Evaluation:
    answer: dict | None = None
    problem: str | None = None        # a key of PROBLEMS when there is no answer
    messages: tuple[str, ...] = ()    # the engine's located messages, for a case problem

    @property
    def version(self) -> str | None:
        return self.answer["policy"]["version"] if self.answer else None

    @property
    def message(self) -> str | None:
        return PROBLEMS.get(self.problem) if self.problem else None

    def errors(self) -> list[dict]:
        """The API's `evaluation_errors`: one located error per message, each saying what failed."""
        if self.answer is not None or self.problem is None:
            return []
        if not self.messages:
            return [{"file": "", "line": 0, "column": 0, "field": "", "message": self.message}]
        lead = PROBLEMS[self.problem].rstrip(".")
        return [{"file": "", "line": 0, "column": 0, "field": "", "message": f"{lead}: {message}"}
                for message in self.messages]


def today() -> date:
    """The 'as of' date. Tests and demos pin it with the HEARTH_TODAY config key (never
    read from the environment, so a stray variable cannot change a live service's dates)."""
    pinned = current_app.config.get("HEARTH_TODAY") if has_app_context() else None
    if pinned:
        return pinned if isinstance(pinned, date) else date.fromisoformat(str(pinned))
    return date.today()


def _memo(name: str) -> dict:
    if not has_app_context():
        return {}
    if name not in g:
        setattr(g, name, {})
    return getattr(g, name)


def policy_in_force(council_id: str, on: date | None = None):
    """The engine's PolicyVersion in force on `on` (default today), or None if it cannot be loaded."""
    on = on or today()
    memo = _memo("hearth_policies")
    key = (council_id, on)
    if key not in memo:
        try:
            memo[key] = api.policy_on(council_id, on)
        except (api.UnknownCouncil, api.NoPolicyInForce, api.SourceError) as exc:
            current_app.logger.warning("Policy of council %r could not be loaded for %s: %s",
                                       council_id, on.isoformat(), exc)
            memo[key] = None
    return memo[key]


def case_document(case: Case) -> dict[str, Any]:
    """The contract's case document, built from the database (events in date order). The events
    of a withdrawn or corrected record (withdrawn_at set) are kept but never evaluated."""
    return {
        "child": {"ref": case.child_ref},
        "placement": {"type": case.placement_type, "started": case.placement_started.isoformat()},
        "events": [{"type": e.type, "on": e.on.isoformat(), **(e.fields or {})}
                   for e in sorted(case.events, key=lambda e: (e.on, e.id)) if e.withdrawn_at is None],
    }


def forget(case: Case) -> None:
    """Drop this request's remembered answers for a case whose events were just recorded."""
    memo = _memo("hearth_evaluations")
    for key in [k for k in memo if k[0] == case.id]:
        del memo[key]


def remember(case: Case, answer: dict, on: date | None = None) -> None:
    """Keep an answer the engine has just given for this case as it now stands, for the rest of
    the request (recording tries the case with its new events before saving them)."""
    _memo("hearth_evaluations")[(case.id, on or today())] = Evaluation(answer=answer)


def evaluate_case(case: Case, on: date | None = None) -> Evaluation:
    """Today's answer for this case (once per case per request)."""
    on = on or today()
    memo = _memo("hearth_evaluations")
    key = (case.id, on)
    if key not in memo:
        memo[key] = _evaluate(case, on)
    return memo[key]


# The engine's answers by (policy version and its content hash, day, case document), so the
# dashboard does not re-run the engine for cases that did not change. Safe because an answer
# is a pure function of those; kept as JSON text so no caller can change another's answer.
# One per process, sized by HEARTH_ANSWER_CACHE (init_app).
ANSWERS = LRU(0)


def init_app(app) -> None:
    ANSWERS.size = app.config["HEARTH_ANSWER_CACHE"]


def _evaluate(case: Case, on: date) -> Evaluation:
    policy = policy_in_force(case.council_id, on)
    if policy is None:
        return Evaluation(problem="policy")
    remember = current_app.config["HEARTH_ANSWER_CACHE"] > 0
    document = case_document(case)
    key = (case.council_id, policy.version, policy.rules_hash, policy.policy_hash, on,
           json.dumps(document, sort_keys=True, default=str))
    if remember and (text := ANSWERS.get(key)) is not None:
        return Evaluation(answer=json.loads(text))
    try:
        answer = api.evaluate(case.council_id, document, on)
    except api.SourceError as exc:
        current_app.logger.warning("Case %s could not be evaluated: %s", case.id, exc)
        return Evaluation(problem="case", messages=tuple(_say(p) for p in exc.problems))
    except Exception as exc:  # noqa: BLE001 - the page must still show; the log keeps the traceback
        current_app.logger.exception("Evaluating case %s failed", case.id)
        return Evaluation(problem="error", messages=(f"the engine stopped: {type(exc).__name__}: {exc}",))
    if remember:
        ANSWERS.put(key, json.dumps(answer))
    return Evaluation(answer=answer)


def _say(problem) -> str:
    return f"{problem.field}: {problem.message}" if problem.field else problem.message


# --- the next thing due, for lists of cases ----------------------------------------------
OPEN = ("overdue", "pending")


@dataclass(frozen=True)
class NextDue:
    title: str
    due: str          # as the engine wrote it: a date, or a date and time
    status: str       # overdue or pending
    kind: str         # deadline, duty, or gate (an override gone overdue)
    planned_for: str | None = None   # the day it is arranged for, if the policy knows (planned_by)
    planned_late: bool = False

    @property
    def day(self) -> date:
        return date.fromisoformat(self.due[:10])


def next_due(answer: dict | None) -> NextDue | None:
    """The earliest open deadline or duty: overdue ones first, then by due date."""
    if not answer:
        return None
    items = [NextDue(item.get("title") or item["id"], item["due"], item["status"], kind,
                     item.get("planned_for"), bool(item.get("planned_late")))
             for kind, key in (("deadline", "deadlines"), ("duty", "duties"))
             for item in answer.get(key, []) if item["status"] in OPEN]
    # a gate overridden in an emergency whose condition has not followed by its date (one per gate)
    overdue_gates = {g["gate"]: g for g in answer.get("gates", []) if g.get("status") == "overdue"}
    items += [NextDue(gate_id.replace("-", " "), g["satisfy_by"], "overdue", "gate")
              for gate_id, g in overdue_gates.items()]
    return min(items, key=lambda n: (n.status != "overdue", n.due), default=None)


def end_of_week(day: date) -> date:
    """The Sunday of `day`'s week: what 'due this week' counts up to."""
    return day + timedelta(days=6 - day.weekday())
