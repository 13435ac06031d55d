"""What has been decided and recorded on a case, as facts beside what the policy asks for.

- who will chair and who arranges: the latest recorded event carrying the shared
  vocabulary's ``chair`` (or ``arranger``) role field (a decision, then each meeting);
- who was invited and who attended (the latest event with an ``invited``, or an
  ``attendees``, list of roles) against who the policy requires today;
- the interventions chosen: answers of submitted records to a question whose options are
  the policy's interventions (``options: interventions``), against the menu the policy offers today.

Everything is read from the events' fields and the forms' definitions; no form, event type
or council is named here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .case_records import CaseRecords
from .models import Case, Event

CHAIR, ARRANGER = "chair", "arranger"            # the shared vocabulary's role fields
INVITED, ATTENDED = "invited", "attendees"       # and its lists of roles
MENU = "interventions"                           # the forms language's list of the policy's interventions


@dataclass(frozen=True)
class Recorded:
    """A value recorded by an event: what it says, which kind of event, on which day."""
    value: object
    event_type: str
    on: date


@dataclass
class Attendance:
    required: list = field(default_factory=list)           # roles required on their own
    one_of: list = field(default_factory=list)             # lists of roles, any one of which will do
    invited: Recorded | None = None
    attended: Recorded | None = None

    def missing(self, recorded: Recorded | None) -> list:
        """The required roles (and sets of which none is there) not in a recorded list."""
        if recorded is None:
            return []
        there = set(recorded.value or ())
        return [role for role in self.required if role not in there] + \
            [roles for roles in self.one_of if not there & set(roles)]


@dataclass
class Interventions:
    menu: list                                   # the answer's menu today: dicts with id, label
    chosen: list = field(default_factory=list)   # ids, in the order chosen
    labels: list = field(default_factory=list)   # their labels, as the form offered them
    chosen_on: date | None = None
    form_title: str | None = None
    question: str | None = None                  # the form's own question ("Which ... were considered?")

    @property
    def not_on_menu(self) -> list:
        offered = {item["id"] for item in self.menu}
        return [choice for choice in self.chosen if choice not in offered]


def _in_force(case: Case) -> list[Event]:
    return sorted((e for e in case.events if e.withdrawn_at is None), key=lambda e: (e.on, e.id))


def latest(case: Case, name: str) -> Recorded | None:
    """The latest value of a field named ``name`` recorded on the case, with its event."""
    found = None
    for event in _in_force(case):
        value = (event.fields or {}).get(name)
        if value not in (None, "", []):
            found = Recorded(value, event.type, event.on)
    return found


def attendance(case: Case, answer: dict) -> Attendance:
    invitees = answer.get("invitees") or {}
    one_of = [list(chosen["roles"]) for chosen in invitees.get("required_one_of", [])]
    return Attendance(list(invitees.get("required", [])), one_of, latest(case, INVITED), latest(case, ATTENDED))


def interventions(case: Case, answer: dict, records: CaseRecords) -> Interventions:
    """The interventions chosen in the latest submitted record that chose any."""
    found = Interventions(list(answer.get("interventions", [])))
    for sub in reversed(records.with_status("submitted")):   # oldest first
        defn = records.definition(sub.form_id, sub.form_version)
        if defn is None or not isinstance(sub.data, dict):
            continue
        for question in defn.all_fields():
            answer_value = sub.data.get(question.id)
            if question.is_list and question.options_from == MENU and answer_value:
                found.chosen = list(answer_value)
                found.labels = [question.option_label(value) for value in answer_value]
                found.chosen_on = sub.updated_at.date()
                found.form_title, found.question = defn.title, question.label
    return found
