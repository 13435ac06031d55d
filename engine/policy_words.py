"""A policy version in plain English: every rule as sentences, beside its source sentence.

What the web's policy pages, ``hearth policy diff`` and the change-in-words of a draft
render. Each rule of a version becomes an :class:`Entry` with a stable ``key``
(``trigger:repeated-missing``, ``chair:0``, ``invitees:1``, ``deadline:minutes_circulated``,
``duty:notify_commissioning``, ``gate:meeting-before-funding``, ``intervention:fgc``,
``recommendation:0``), a title, plain sentences ("Within 5 working days after stability
meeting held") and the council's ``source`` sentence. Who chairs and who is invited are also
given as rows by placement type (:func:`placement_rows`), labelled from the vocabulary.

Nothing here decides anything: the sentences are read off the loaded PolicyVersion, so
they say what the engine does (language 2's meanings -- judged_on, one_event_meets,
after_the_fact_overdue, roll_to -- included) and change when the files change.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hearth.rules.conditions import (All, AnyOf, DeadlineIs, EventCond, Fields, FieldTest, Not, Triggered)

from .history import JUDGED_AT_START
from .policy_model import DueRow, EventSpec, Gate, Intervention, Obligation, OneOf, PolicyVersion, Row

SECTIONS = (("triggers", "What triggers the policy"), ("recommendation", "What the policy recommends"),
            ("chair", "Who chairs the meeting"), ("invitees", "Who to invite"), ("deadlines", "Deadlines"),
            ("duties", "Duties"), ("gates", "Spending and moves"), ("interventions", "Interventions"))
SECTION_TITLES = dict(SECTIONS)
_PREFIX = {"triggers": "trigger", "recommendation": "recommendation", "chair": "chair", "invitees": "invitees",
           "deadlines": "deadline", "duties": "duty", "gates": "gate", "interventions": "intervention"}
_OPS = {"is": "is", "is_not": "is not", "one_of": "is one of", "not_one_of": "is none of",
        "at_least": "is at least", "at_most": "is at most", "more_than": "is more than", "less_than": "is less than",
        "includes": "includes", "includes_any": "includes any of", "includes_none": "includes none of"}
_PATHS = {"placement.type": "the placement type", "placement.started": "the day the placement started",
          "placement.emergency": "the placement is an emergency one", "child.age": "the child's age",
          "child.ref": "the child's reference"}
_ROLL = {"next_working_day": "the next working day", "previous_working_day": "the working day before"}


@dataclass(frozen=True)
class Entry:
    """One rule in words."""

    key: str         # stable across versions: "deadline:minutes_circulated", "chair:0"
    section: str     # one of SECTIONS' ids
    title: str
    sentences: tuple  # plain sentences, in reading order
    source: str      # the council's sentence the rule encodes

    def as_dict(self) -> dict:
        return {"key": self.key, "section": self.section, "title": self.title, "sentences": list(self.sentences),
                "source": self.source}


@dataclass(frozen=True)
class Cell:
    """Who a chair or invitees row names for one placement type, and when, if not always."""

    key: str
    roles: str       # "Children's social work manager" / "Must be invited: A, B" ...
    when: str | None  # None: for every case of this placement type
    required: tuple = ()  # invitees: who must be invited, as labels ("one of A or B" for a one-of)
    consider: tuple = ()  # invitees: who to consider inviting


@dataclass(frozen=True)
class PlacementRow:
    placement_type: str
    label: str
    cells: tuple     # of Cell, in the policy's order

    def always(self, part: str) -> tuple:
        """Invitees: everyone the rows that always hold for this placement type name in ``part``
        ("required" or "consider"), once each, in the policy's order."""
        return tuple(dict.fromkeys(label for cell in self.cells if cell.when is None for label in getattr(cell, part)))

    @property
    def sometimes(self) -> tuple:
        """The cells that hold only if something else holds too (the child's age, an event)."""
        return tuple(cell for cell in self.cells if cell.when is not None)


def date_words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]) + ("" if text.endswith((".", "?", "!")) else ".")


class Speaker:
    """Says a version's conditions, roles and events with its vocabulary's labels."""

    def __init__(self, version: PolicyVersion, answers: dict | None = None, choices: dict | None = None):
        self.version = version
        self.answers = answers or {}  # in a form: question id -> its label, for its conditions
        self.choices = choices or {}  # ... and question id -> {option value: its label}
        self.vocab = version.vocabulary
        self.trigger_titles = {t.id: t.title for t in version.triggers}
        self.obligation_titles = {o.id: o.title for o in (*version.deadlines, *version.duties)}

    # --- labels
    def event(self, event_type: str) -> str:
        known = self.vocab.event_types.get(event_type)
        return (known.label if known else event_type.replace("_", " ")).lower()

    def events(self, types) -> str:
        return either([self.event(t) for t in types])

    def role(self, role: str) -> str:
        return self.vocab.roles.get(role) or self.vocab.parties.get(role) or role.replace("_", " ")

    def roles(self, roles) -> str:
        return ", ".join(self.role(r) for r in roles)

    def one_of(self, one_of: OneOf) -> str:
        return "one of " + either([self.role(r) for r in one_of.roles])

    def value(self, value) -> str:
        """A value a condition compares with, as its label: roles, groups, placement types, actions."""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, (tuple, list)):
            return either([self.value(v) for v in value])
        if not isinstance(value, str):
            return str(value)
        if value in self.vocab.role_groups:
            return f"any of the {value.replace('_', ' ')} ({self.roles(self.vocab.role_groups[value])})"
        for section in (self.vocab.placement_types, self.vocab.roles, self.vocab.parties, self.vocab.recommendations):
            if value in section:
                return section[value]
        if value in self.vocab.actions:
            return self.vocab.actions[value]["label"]
        if value in self.vocab.event_types:
            return self.vocab.event_types[value].label
        return value

    def placement(self, placement_type: str) -> str:
        return self.vocab.placement_types.get(placement_type, placement_type.replace("_", " "))

    # --- conditions
    def test(self, test: FieldTest) -> str:
        path = f"the answer to '{self.answers[test.path]}'" if test.path in self.answers else _PATHS.get(test.path)
        if path is None:
            name = test.path.removeprefix("start.").replace("_", " ").replace(".", " ")
            path = f"the starting event's {name}" if test.path.startswith("start.") else name
        if test.op == "answered":
            return f"{path} is {'given' if test.value else 'not given'}"
        if test.path == "placement.emergency" and test.op in ("is", "is_not") and isinstance(test.value, bool):
            return path if (test.op == "is") == test.value else path.replace(" is ", " is not ")
        choices = self.choices.get(test.path)
        if choices:
            values = test.value if isinstance(test.value, (tuple, list)) else (test.value,)
            return f"{path} {_OPS[test.op]} {either([choices.get(v, self.value(v)) for v in values])}"
        return f"{path} {_OPS[test.op]} {self.value(test.value)}"

    def where(self, tests) -> str:
        return f" where {' and '.join(self.test(t) for t in tests)}" if tests else ""

    def condition(self, cond, anchored: bool = False) -> str:
        """A condition in words; ``anchored`` inside a deadline or duty, where history
        conditions say which day they are judged on."""
        if isinstance(cond, All):
            if not cond.items:
                return "always"
            return " and ".join(self._part(c, anchored) for c in cond.items)
        if isinstance(cond, AnyOf):
            return " or ".join(self._part(c, anchored) for c in cond.items)
        if isinstance(cond, Not):
            return f"not ({self.condition(cond.item, anchored)})"
        if isinstance(cond, Fields):
            return " and ".join(self.test(t) for t in cond.tests)
        if isinstance(cond, EventCond):
            return self.event_condition(cond, anchored)
        if isinstance(cond, Triggered):
            names = either([f"'{self.trigger_titles.get(t, t)}'" for t in cond.triggers]) if cond.triggers else "any trigger"
            text = f"{names} fired"
            if cond.since:
                text += f" since the latest {self.events(cond.since)}"
            return text + (self.judged(cond) if anchored else "")
        if isinstance(cond, DeadlineIs):
            title = self.obligation_titles.get(cond.deadline, cond.deadline)
            return f"the deadline '{title}' is {either(list(cond.statuses))}"
        return str(cond)

    def _part(self, cond, anchored: bool) -> str:
        text = self.condition(cond, anchored)
        return f"({text})" if isinstance(cond, (All, AnyOf)) and len(cond.items) > 1 else text

    def event_condition(self, cond: EventCond, anchored: bool = False) -> str:
        text = self.events(cond.types) + self.where(cond.where)
        if cond.at_least > 1:
            text += f", at least {cond.at_least} times"
        if cond.within:
            text += f", within {cond.within}"
        if cond.since or cond.since_trigger:
            latest = [f"the latest {self.events(cond.since)}"] if cond.since else []
            latest += ["a trigger last fired"] if cond.since_trigger else []
            text += f", since {' or '.join(latest)}"
        if cond.same_day:
            text += ", on the day of the event that started it"
        if cond.per == "carer":
            text += ", in the carer's history"
        return text + (self.judged(cond) if anchored else "")

    @staticmethod
    def judged(cond) -> str:
        return JUDGED_AT_START if cond.judged_on == "start" else " (judged on the day evaluated)"

    def spec(self, spec: EventSpec) -> str:
        return self.events(spec.types) + self.where(spec.where)


def either(names: list) -> str:
    names = [str(n) for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1] if names else ""


def when_words(speaker: Speaker, cond, anchored: bool = False) -> str | None:
    text = speaker.condition(cond, anchored)
    return None if text == "always" else text


# ------------------------------------------------------------------ each kind of rule
def _trigger(speaker: Speaker, trigger) -> Entry:
    return Entry(f"trigger:{trigger.id}", "triggers", trigger.title,
                 (sentence(speaker.condition(trigger.when)),), trigger.source)


def _recommendation(speaker: Speaker, index: int, row: Row) -> Entry:
    said = speaker.value(row.recommend) if row.recommend else "No meeting"
    when = when_words(speaker, row.when)
    return Entry(f"recommendation:{index}", "recommendation", said,
                 (sentence(f"When {when}" if when else "Always, unless a row above applies"),), row.source)


def chair_roles(speaker: Speaker, row: Row) -> str:
    return either([speaker.role(r) for r in row.options])


def _chair(speaker: Speaker, index: int, row: Row) -> Entry:
    when = when_words(speaker, row.when)
    sentences = [sentence(f"When {when}" if when else "When no row above applies")]
    sentences.append(sentence(("Any one of " if len(row.options) > 1 else "") + chair_roles(speaker, row)))
    return Entry(f"chair:{index}", "chair", chair_roles(speaker, row), tuple(sentences), row.source)


def invitee_roles(speaker: Speaker, row: Row) -> tuple:
    """'Must be invited: A, B', 'Must be invited: one of C or D', 'Consider inviting: ...'."""
    said = []
    for verb, roles, one_ofs in (("Must be invited", row.required, row.required_one_of),
                                 ("Consider inviting", row.consider, row.consider_one_of)):
        if roles:
            said.append(f"{verb}: {speaker.roles(roles)}")
        said.extend(f"{verb}: {speaker.one_of(one_of)}" for one_of in one_ofs)
    return tuple(said)


def _invitees(speaker: Speaker, index: int, row: Row) -> Entry:
    when = when_words(speaker, row.when)
    said = invitee_roles(speaker, row)
    title = "; ".join(said)
    return Entry(f"invitees:{index}", "invitees", title,
                 (sentence(f"When {when}" if when else "In every case"), *(sentence(s) for s in said)), row.source)


def due_words(speaker: Speaker, obligation: Obligation, row: DueRow) -> str:
    """'Within 5 working days after stability meeting held', 'Immediately after ...'."""
    starts = speaker.spec(obligation.starts)
    text = f"immediately after {starts}" if row.duration.amount == 0 else f"within {row.duration} after {starts}"
    roll_to = row.roll_to or obligation.roll_to
    if roll_to:
        text += f"; a due date that is not a working day moves to {_ROLL[roll_to]}"
    return text


def _obligation(speaker: Speaker, obligation: Obligation) -> Entry:
    section = "deadlines" if obligation.kind == "deadline" else "duties"
    said = []
    for row in obligation.due:
        when = when_words(speaker, row.when, anchored=True)
        due = due_words(speaker, obligation, row)
        said.append(f"When {when}: {due}" if when else due)
    if obligation.agreed_date:
        said.append(f"Or by the date agreed ({obligation.agreed_date.replace('_', ' ')}), when the "
                    f"{speaker.events(obligation.starts.types)} gives one")
    said.append(f"Met by {speaker.spec(obligation.met_by)}")
    if obligation.one_event_meets == "all_open":
        said.append(f"One {speaker.events(obligation.met_by.types)} event meets every one still open that started before it")
    else:
        said.append(f"Each {speaker.events(obligation.met_by.types)} event meets only one: the oldest still open")
    if obligation.unless is not None:
        said.append(f"Not needed when {speaker.condition(obligation.unless, anchored=True)}")
    if obligation.waived_by:
        said.append(f"Waived by {speaker.spec(obligation.waived_by)}")
    for move in obligation.moved_by:
        if move.to_field:
            how = f"to the date it gives ({move.to_field.replace('_', ' ')})"
        elif move.extend_field:
            how = f"later by its {move.extend_field.replace('_', ' ')} in working days"
        else:
            how = f"later by {move.extend_by}"
        said.append(f"Moved by {speaker.spec(move.event)}: {how}")
    if obligation.planned_by:
        plan = obligation.planned_by
        said.append(f"Arranged by {speaker.spec(plan.event)}, for its {plan.date_field.replace('_', ' ')}")
    if obligation.calendar:
        said.append(f"Working days are counted on the {obligation.calendar.replace('_', ' ')} calendar")
    return Entry(f"{_PREFIX[section]}:{obligation.id}", section, obligation.title,
                 tuple(sentence(s) for s in said), obligation.source)


def _gate(speaker: Speaker, gate: Gate) -> Entry:
    actions = either([speaker.value(a) for a in gate.actions])
    said = [f"Applies to {actions}"]
    if gate.blocked_until is not None:
        said.append(f"Blocked until {speaker.condition(gate.blocked_until)}")
    if gate.unless is not None:
        said.append(f"Unless {speaker.condition(gate.unless)}: then the block is lifted")
    if gate.after_the_fact is not None:
        said.append(f"After the block is lifted that way, it must still follow within {gate.after_the_fact}")
        said.append("Not followed by then, the gate shows as overdue" if gate.after_the_fact_overdue
                    else "Not followed by then, the gate stays overridden")
    if gate.needs_approval is not None:
        said.append(f"Needs approval: {speaker.condition(gate.needs_approval)}")
    if gate.since or gate.since_trigger:
        latest = [f"the latest {speaker.events(gate.since)}"] if gate.since else []
        latest += ["a trigger last fired"] if gate.since_trigger else []
        said.append(f"Only what happened since {' or '.join(latest)} counts")
    title = gate.title if gate.title != gate.id else sentence(actions)[:-1]
    return Entry(f"gate:{gate.id}", "gates", title, tuple(sentence(s) for s in said), gate.source)


def _intervention(speaker: Speaker, intervention: Intervention) -> Entry:
    said = ["Has a cost" if intervention.costed else "No cost"]
    if intervention.available_from:
        said.append(f"Offered from {date_words(intervention.available_from)}")
    if intervention.available_until:
        said.append(f"Offered until {date_words(intervention.available_until)}")
    if intervention.when is not None:
        said.append(f"Offered only when {speaker.condition(intervention.when)}")
    return Entry(f"intervention:{intervention.id}", "interventions", intervention.label,
                 tuple(sentence(s) for s in said), intervention.source)


def entries(version: PolicyVersion) -> tuple:
    """Every rule of the version in words, section by section in SECTIONS' order."""
    speaker = Speaker(version)
    return (*(_trigger(speaker, t) for t in version.triggers),
            *(_recommendation(speaker, i, r) for i, r in enumerate(version.recommendation)),
            *(_chair(speaker, i, r) for i, r in enumerate(version.chair)),
            *(_invitees(speaker, i, r) for i, r in enumerate(version.invitees)),
            *(_obligation(speaker, o) for o in version.deadlines),
            *(_obligation(speaker, o) for o in version.duties),
            *(_gate(speaker, g) for g in version.gates),
            *(_intervention(speaker, i) for i in version.interventions))


def section_entries(version: PolicyVersion, section: str) -> tuple:
    return tuple(e for e in entries(version) if e.section == section)


def calendar_words(version: PolicyVersion) -> tuple:
    """How working days are counted: the council's calendar, then each named calendar."""
    def said(name: str, calendar) -> str:
        closed = sorted(calendar.closures)
        days = f", and the council's closures: {', '.join(date_words(d) for d in closed)}" if closed else ""
        nation = calendar.nation.replace("_", " and ").title().replace(" And ", " and ")
        return f"{name} Monday to Friday, less the bank holidays of {nation}{days}."
    return (said("Working days are", version.calendar),
            *(said(f"On the {name.replace('_', ' ')} calendar, working days are", calendar)
              for name, calendar in version.calendars.items()))


# ----------------------------------------------------------- chair and invitees by placement type
def for_placement(cond, placement_type: str):
    """Whether a row's condition holds for a placement type: True, False, or None when it
    depends on something else too (the child's age, an event)."""
    if isinstance(cond, All):
        found = [for_placement(c, placement_type) for c in cond.items]
        return False if False in found else (True if all(f is True for f in found) else None)
    if isinstance(cond, AnyOf):
        found = [for_placement(c, placement_type) for c in cond.items]
        return True if True in found else (False if all(f is False for f in found) else None)
    if isinstance(cond, Not):
        found = for_placement(cond.item, placement_type)
        return None if found is None else not found
    if isinstance(cond, Fields):
        return for_placement(All(tuple(Fields((t,)) for t in cond.tests)), placement_type) if len(cond.tests) > 1 \
            else _placement_test(cond.tests[0], placement_type)
    return None


def _placement_test(test: FieldTest, placement_type: str):
    if test.path != "placement.type":
        return None
    values = test.value if isinstance(test.value, (tuple, list)) else (test.value,)
    if test.op in ("is", "one_of"):
        return placement_type in values
    if test.op in ("is_not", "not_one_of"):
        return placement_type not in values
    return None


def _others(speaker: Speaker, cond) -> str | None:
    """The part of a row's condition that is not about the placement type, in words."""
    parts = cond.items if isinstance(cond, All) else (cond,)
    rest = [p for p in parts if not (isinstance(p, Fields) and all(t.path == "placement.type" for t in p.tests))]
    return speaker.condition(All(tuple(rest))) if rest else speaker.condition(cond)


def _invited(speaker: Speaker, row: Row) -> tuple:
    """(required, consider) as labels, a one-of as 'one of A or B'."""
    return tuple(tuple(speaker.role(r) for r in roles) + tuple(speaker.one_of(o) for o in one_ofs)
                 for roles, one_ofs in ((row.required, row.required_one_of), (row.consider, row.consider_one_of)))


def placement_rows(version: PolicyVersion, section: str) -> tuple:
    """Who chairs (``section`` "chair": rows down to the first that always holds) or who is
    invited ("invitees": every row that may hold), for each placement type of the vocabulary."""
    speaker = Speaker(version)
    rows = version.chair if section == "chair" else version.invitees
    out = []
    for placement_type in version.vocabulary.placement_types:
        cells = []
        for index, row in enumerate(rows):
            holds = for_placement(row.when, placement_type)
            if holds is False:
                continue
            said = chair_roles(speaker, row) if section == "chair" else "; ".join(invitee_roles(speaker, row))
            when = None if holds else _others(speaker, row.when)
            cells.append(Cell(f"{section}:{index}", said, sentence(f"If {when}") if when else None,
                              *_invited(speaker, row) if section == "invitees" else ()))
            if section == "chair" and holds:
                break
        out.append(PlacementRow(placement_type, speaker.placement(placement_type), tuple(cells)))
    return tuple(out)

