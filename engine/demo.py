"""A council's demo cases: policies/<council>/demo/cases.yaml, what `make run` shows.

The file is a list of cases written as the evaluation contract writes a case (child,
placement, events), except that any date may be written relative to the day the demo
is made: ``{days_ago: 12}`` or ``{days_from_now: 14}``. Nothing about a council's demo
lives in Python. Each case is read by the same case reader as every other way in, and
each event held to the same rules as a worker recording it that day (recording.py), so
a mistake in demo data is a located problem (file, line, column), never a stored case
that later breaks a child's page. A council without the file has no demo cases. The file
is read from the council's hearth.engine.policy_files.PolicyFiles (a folder is read into one).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hearth.rules.source import LList, LMap, Loc, Problem, Problems, SourceError, load_yaml

from . import evaluate as evaluation
from .case import case_to_dict, parse_case_data
from .policy_files import DEMO_PATH, PolicySource, policy_files
from .policy_model import NoPolicyInForce, Policy, PolicyVersion
from .recording import check_new_events

__all__ = ["DEMO_FILE", "DemoCase", "DemoEvent", "demo_problems", "read_demo_cases"]

DEMO_FILE = Path(DEMO_PATH)
RELATIVE_KEYS = {"days_ago": -1, "days_from_now": 1}
DEMO_CASE_KEYS = ("child", "placement", "events")
# The demo social worker records the events, so every event must be one a worker may record.
DEMO_RECORDER = "worker"


@dataclass(frozen=True)
class DemoEvent:
    type: str
    on: date
    fields: dict          # as a case document has them: dates as ISO text, role lists as lists


@dataclass(frozen=True)
class DemoCase:
    ref: str
    placement_type: str
    placement_started: date
    events: tuple


def read_demo_cases(source: PolicySource, policy: Policy, today: date) -> list[DemoCase]:
    """The council's demo cases as of ``today`` ([] without a demo file); SourceError with
    every problem, located, if any case or event could not be recorded. ``source``: the
    council's PolicyFiles, or its folder."""
    files = policy_files(source, ("demo",))
    if not files.has(DEMO_PATH):
        return []
    file = files.location(DEMO_PATH)
    doc = load_yaml(files.text(DEMO_PATH), file)
    problems = Problems()
    if not isinstance(doc, LMap) or not isinstance(doc.get("cases"), LList):
        raise SourceError([Problem(getattr(doc, "loc", Loc(file, 1, 1)),
                                   "A demo file is a mapping with 'cases': a list of cases, each with child, "
                                   "placement and events (see the comment at the top of the template's "
                                   "demo/cases.yaml, or docs/new-council.md).")])
    problems.check_keys(doc, ["cases"], "a demo file")
    version = _version(policy, today)
    cases, refs = [], {}
    for index, node in enumerate(doc["cases"]):
        if not isinstance(node, LMap):
            problems.add(doc["cases"].item_loc(index), "Each demo case is a mapping with child, placement and events.",
                         f"cases[{index}]")
            continue
        case = _demo_case(node, f"cases[{index}]", version, today, file, problems)
        if case is None:
            continue
        if case.ref in refs:
            problems.add(node["child"].value_loc("ref"), f"The child's ref '{case.ref}' is used twice (first at line "
                                                         f"{refs[case.ref].line}); give each demo case its own.",
                         f"cases[{index}].child.ref")
        refs.setdefault(case.ref, node["child"].value_loc("ref"))
        cases.append(case)
    problems.raise_if_any()
    return cases


def demo_problems(source: PolicySource, policy: Policy, today: date | None = None) -> list[Problem]:
    """Every mistake in the council's demo file as of ``today`` (default: today), for
    `hearth policy lint`; [] when it is right or there is none."""
    try:
        read_demo_cases(source, policy, today or date.today())
    except SourceError as exc:
        return exc.problems
    return []


def _version(policy: Policy, today: date) -> PolicyVersion:
    """The version in force on the demo's day, or the first one for a day before it (as forms do)."""
    try:
        return policy.version_on(today)
    except NoPolicyInForce:
        return policy.versions[0]


def _demo_case(node: LMap, path: str, version: PolicyVersion, today: date, file: str,
               problems: Problems) -> DemoCase | None:
    """One case, its dates made absolute, read and checked; None (problems added) if it is not."""
    before = len(problems.items)
    problems.check_keys(node, DEMO_CASE_KEYS, "a demo case", required=("child", "placement"))
    _resolve_dates(node, today, problems, path)
    child, placement = node.get("child"), node.get("placement")
    if isinstance(child, LMap) and not child.get("ref"):
        problems.add(child.loc, "A demo case's child needs 'ref', for example child: {ref: C-0001}.", f"{path}.child")
    if isinstance(placement, LMap):
        for key in ("type", "started"):
            if key not in placement:
                problems.add(placement.loc, f"A demo case's placement needs '{key}'.", f"{path}.placement")
    if len(problems.items) > before:
        return None
    try:
        case = parse_case_data(node, version.vocabulary, file)
        events = node["events"]
        for problem in check_new_events(version, [dict(event) for event in events if isinstance(event, LMap)],
                                        today=today, app_role=DEMO_RECORDER, file=file):
            problems.add(_located(problem, events), problem.message, f"{path}.{problem.field}")
        if len(problems.items) > before:
            return None
        evaluation.evaluate(version, case, today)
    except SourceError as exc:
        problems.items.extend(exc.problems)
        return None
    document = case_to_dict(case)
    return DemoCase(ref=str(case.child["ref"]), placement_type=case.placement["type"],
                    placement_started=case.placement["started"],
                    events=tuple(DemoEvent(event["type"], date.fromisoformat(event["on"][:10]),
                                           {k: v for k, v in event.items() if k not in ("type", "on")})
                                 for event in document["events"]))


def _located(problem: Problem, events: LList) -> Loc:
    """Where a recording problem ('events[2].on') was written in the demo file."""
    head, _, field_name = problem.field.partition(".")
    try:
        index = int(head.removeprefix("events[").removesuffix("]"))
        event = events[index]
    except (ValueError, IndexError):
        return events.loc
    name = field_name.split("[")[0]
    return event.value_loc(name) if isinstance(event, LMap) and name in event else events.item_loc(index)


def _resolve_dates(node: Any, today: date, problems: Problems, path: str) -> None:
    """Replace every {days_ago: N} / {days_from_now: N} in the case by its date as text, in place
    (each value keeps where it was written, for the case reader's messages)."""
    items = node.items() if isinstance(node, LMap) else enumerate(node) if isinstance(node, LList) else ()
    for key, value in list(items):
        where = f"{path}.{key}" if isinstance(node, LMap) else f"{path}[{key}]"
        loc = node.value_loc(key) if isinstance(node, LMap) else node.item_loc(key)
        if isinstance(value, LMap) and set(value) & set(RELATIVE_KEYS):
            resolved = _relative_date(value, today, problems, where, loc)
            if resolved is not None:
                node[key] = resolved.isoformat()
        else:
            _resolve_dates(value, today, problems, where)


def _relative_date(value: LMap, today: date, problems: Problems, path: str, loc: Loc) -> date | None:
    if len(value) != 1:
        problems.add(loc, "A relative date is one of {days_ago: N} or {days_from_now: N}, alone.", path)
        return None
    (key, days), = value.items()
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 36_500:
        problems.add(value.value_loc(key), f"'{key}' is a whole number of days, 0 or more, for example "
                                           f"{{{key}: 12}}.", f"{path}.{key}")
        return None
    return today + timedelta(days=RELATIVE_KEYS[key] * days)
