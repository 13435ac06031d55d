"""A what-if: one made-up case judged under two versions of a council's policy, part by part.

A policy officer changing a rule wants to see what it does to a case before anyone's case is
judged by it: the answer under the draft beside the answer under the published version, in
plain words, with what differs said in words (not shown by colour alone). The answer's parts
are said here in the order a worker reads them on a case (triggers, recommendation, chair,
invitees, deadlines, duties, gates, interventions); what changed between the two answers is
hearth.engine.impact's comparison, the one the impact list uses, so the two pages never
disagree about what a change does.

A pure function of versions, a case and a day: no database, no clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .case import Case
# The impact list's words for a status and a day, so both pages say an answer alike.
from .impact import GATE_WORDS, STATUS_WORDS, Change, OpenCase, case_impact, day_said
from .policy_model import PolicyVersion
from .policy_words import Speaker

# The parts of an answer, in the order a case page reads them: (part, title).
PARTS = (("triggers", "What has triggered the policy"), ("recommendation", "Recommendation"),
         ("chair", "Who may chair"), ("invitees", "Who to invite"), ("deadlines", "Deadlines"),
         ("duties", "Duties"), ("gates", "Spending and moves"), ("interventions", "Interventions to consider"))
WHAT_IF_REFERENCE = "what-if"   # the case's name in the comparison (it has no reference)


@dataclass(frozen=True)
class PartRow:
    """One part of the answer under each version, in words; ``differs`` when they do."""

    part: str
    title: str
    draft: tuple        # of str: the draft's answer for the part, a line each
    published: tuple    # the published version's (empty when there is no published answer)
    differs: bool


def answer_lines(answer: dict, version: PolicyVersion) -> dict[str, tuple]:
    """Each part of an engine answer as lines of plain words, with the version's labels."""
    speaker = Speaker(version)
    invitees = answer["invitees"]
    return {
        "triggers": tuple(f"{trigger['title'] or trigger['rule']}: last on {day_said(trigger['on'])}"
                          for trigger in answer["triggers"]) or ("Nothing has triggered the policy",),
        "recommendation": (speaker.value(answer["recommendation"]) if answer["recommendation"]
                           else "No meeting called for",),
        "chair": (speaker.roles(answer["chair"]["options"]) if answer["chair"]["options"] else "No chair named",),
        "invitees": tuple(line for line in (
            _roles_line("Must be invited", invitees["required"], invitees.get("required_one_of"), speaker),
            _roles_line("Consider inviting", invitees["consider"], invitees.get("consider_one_of"), speaker))
            if line) or ("No one named",),
        "deadlines": _obligation_lines(answer["deadlines"]) or ("No deadlines",),
        "duties": _obligation_lines(answer["duties"]) or ("No duties",),
        "gates": tuple(f"{speaker.value(gate['action'])}: {GATE_WORDS.get(gate['status'], gate['status'])}"
                       for gate in answer["gates"]) or ("No conditions on spending or moves",),
        "interventions": tuple(item["label"] for item in answer["interventions"]) or ("None offered",),
    }


def _roles_line(label: str, roles: list, one_of_sets: list | None, speaker: Speaker) -> str:
    said = [speaker.roles(roles)] if roles else []
    said += ["one of " + " or ".join(speaker.role(role) for role in entry["roles"]) for entry in one_of_sets or []]
    return f"{label}: {'; '.join(said)}" if said else ""


def _obligation_lines(items: list) -> tuple:
    return tuple(f"{item['title'] or item['id']}: due {day_said(item['due']) if item['due'] else 'no date'}, "
                 f"{STATUS_WORDS.get(item['status'], item['status'])}" for item in items)


def part_rows(draft: dict | None, draft_version: PolicyVersion | None, published: dict | None,
              published_version: PolicyVersion | None) -> tuple[PartRow, ...]:
    """The two answers side by side, part by part (either may be None: a draft with mistakes, or
    nothing published for the day). A part differs only when both answers have it and they say
    different things."""
    mine = answer_lines(draft, draft_version) if draft is not None else {}
    theirs = answer_lines(published, published_version) if published is not None else {}
    return tuple(PartRow(part, title, mine.get(part, ()), theirs.get(part, ()),
                         bool(mine and theirs) and mine[part] != theirs[part]) for part, title in PARTS)


def changes(published: PolicyVersion, draft: PolicyVersion, case: Case, on: date) -> tuple[Change, ...]:
    """What the draft changes for this case on this day, as the impact list says it."""
    return case_impact(published, draft, (on,), OpenCase(WHAT_IF_REFERENCE, case)).changes
