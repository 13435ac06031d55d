"""A council's policy as the engine uses it: versions, each a complete procedure.

Plain frozen values with no knowledge of files: the reader (hearth.engine.policy)
builds them from YAML and checks them, and wherever policies are kept later only
the reader changes. See docs/policy-language.md for the language.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hearth.rules.conditions import Condition
from hearth.rules.durations import Duration

from .calendar import WorkingCalendar
from .council_settings import CouncilSettings
from .vocabulary import Vocabulary

# The versions of the policy language a version file may declare (`language: 2`); a file that
# declares none is language 1. Each is evaluated exactly as it always was: a later language only
# changes defaults, and `hearth policy upgrade` writes a file's old meanings out when it moves on.
LANGUAGES = (1, 2)
CURRENT_LANGUAGE = 2
ROLL_TO = ("next_working_day", "previous_working_day")
ONE_EVENT_MEETS = ("all_open", "oldest_open")

@dataclass(frozen=True)
class Trigger:
    id: str
    title: str
    when: Condition
    source: str


@dataclass(frozen=True)
class OneOf:
    """'One of these roles': any one of them will do. Groups named are expanded into
    ``roles``; ``groups`` keeps their names, so the answer can say which were written."""

    roles: tuple
    groups: tuple = ()


@dataclass(frozen=True)
class Row:
    """A decision-table row: when it holds, its outputs apply."""

    when: Condition
    source: str
    recommend: str | None = None
    options: tuple = ()
    required: tuple = ()
    consider: tuple = ()
    required_one_of: tuple = ()   # of OneOf: one role of each must be invited
    consider_one_of: tuple = ()   # of OneOf: one role of each to consider
    groups: tuple = ()            # role groups named in `options`, as written


@dataclass(frozen=True)
class EventSpec:
    types: tuple
    where: tuple = ()


@dataclass(frozen=True)
class DueRow:
    when: Condition
    duration: Duration
    roll_to: str | None = None  # a due date in days, weeks or months off a working day moves to one


@dataclass(frozen=True)
class Move:
    event: EventSpec
    extend_by: Duration | None = None
    extend_field: str | None = None
    to_field: str | None = None


@dataclass(frozen=True)
class Plan:
    """An event that says when an obligation is expected to be met (a meeting arranged for a day)."""
    event: EventSpec
    date_field: str


@dataclass(frozen=True)
class Obligation:
    """A deadline or a duty: starts with an event, is due some time after, met by another."""

    id: str
    title: str
    kind: str  # deadline or duty
    starts: EventSpec
    due: tuple  # of DueRow, first whose `when` holds
    met_by: EventSpec
    source: str
    agreed_date: str | None = None
    moved_by: tuple = ()
    unless: Condition | None = None
    waived_by: EventSpec | None = None
    calendar: str | None = None
    planned_by: Plan | None = None
    one_event_meets: str = "oldest_open"  # all_open: one met_by event meets every instance open before it
    roll_to: str | None = None  # for every due row that does not say its own


@dataclass(frozen=True)
class Gate:
    id: str
    title: str
    actions: tuple
    source: str
    blocked_until: Condition | None = None
    unless: Condition | None = None
    needs_approval: Condition | None = None
    after_the_fact: Duration | None = None
    after_the_fact_overdue: bool = False  # an override not satisfied by its date is `overdue`
    since: tuple = ()            # what opens it counts only after the latest of these events ...
    since_trigger: bool = False  # ... or after the latest trigger firing (written into the conditions)


@dataclass(frozen=True)
class Intervention:
    id: str
    label: str
    costed: bool
    source: str
    available_from: date | None = None
    available_until: date | None = None
    when: Condition | None = None  # offered only when this holds (e.g. "if relevant")


@dataclass(frozen=True)
class Council:
    id: str
    name: str
    short_name: str
    nation: str
    document: str
    brand: dict
    # How its staff sign in and how long its records are kept (hearth.engine.council_settings).
    settings: CouncilSettings = CouncilSettings()


@dataclass
class PolicyVersion:
    council: Council
    version: str
    effective_from: date
    title: str
    file: str
    vocabulary: Vocabulary
    triggers: tuple
    recommendation: tuple
    chair: tuple
    invitees: tuple
    deadlines: tuple
    duties: tuple
    gates: tuple
    interventions: tuple
    calendar: WorkingCalendar
    calendars: dict
    # What the compiled rules and remembered answers are keyed by: this version's text, the
    # shared vocabulary and council.yaml (hearth.engine.policy).
    rules_hash: str
    language: int = 1
    # The content hash of the council's whole set of files this version was loaded from
    # (hearth.engine.policy_files.PolicyFiles.content_hash: what a publication is known by);
    # empty when loaded from a folder's parts only.
    policy_hash: str = ""

    @property
    def id(self) -> str:
        return self.council.id

    def calendar_named(self, name: str | None) -> WorkingCalendar:
        return self.calendars[name] if name else self.calendar

    def describe(self) -> dict:
        described = {"id": self.council.id, "version": self.version, "effective_from": self.effective_from.isoformat()}
        if self.policy_hash:
            described["content_hash"] = self.policy_hash
        return described

    def options(self) -> dict:
        """Named option lists for forms, including this policy's menus."""
        opts = self.vocabulary.options()
        opts["interventions"] = [(i.id, i.label) for i in self.interventions]
        opts["triggers"] = [(t.id, t.title) for t in self.triggers]
        return opts


@dataclass
class Policy:
    """All versions of one council's policy, oldest first."""

    council: Council
    versions: list

    def version_on(self, on: date) -> PolicyVersion:
        chosen = None
        for v in self.versions:
            if v.effective_from <= on:
                chosen = v
        if chosen is None:
            first = self.versions[0]
            raise NoPolicyInForce(f"No version of {self.council.name}'s policy was in force on {on.isoformat()}: "
                                  f"the first ({first.version}) took effect on {first.effective_from.isoformat()}.")
        return chosen

    @property
    def current(self) -> PolicyVersion:
        return self.versions[-1]


class NoPolicyInForce(LookupError):
    pass
