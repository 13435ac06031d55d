"""Agreed actions: what a meeting agreed, who does it and by when, followed until it is done.

An action is an ``action_agreed`` event (a meeting record's action rows make them: the form
language's ``each:``, docs/form-language.md); its reference is that event's id. Completing or
changing one is an ``action_completed`` or ``action_changed`` event naming the reference in its
``action`` field, recorded through hearth.web.workflow.record_events like any other event, so
the policy check, the audit trail and the case's history follow. Nothing is stored apart: an
action's state is read from the case's events in force (a withdrawn record's actions go with
it), and its status is

- ``done``: an ``action_completed`` names it;
- ``overdue``: not done and its due date (as last changed) is before today
  (hearth.web.evaluation.today);
- ``changed``: its date or owner was changed, and it is not overdue;
- ``open``: otherwise.

Which event types these are is the shared vocabulary's (engine/vocabulary.yaml); nothing here
names a council, a form or a role.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from sqlalchemy import select

from .evaluation import today
from .filters import role_label
from .models import Case, Event

AGREED, COMPLETED, CHANGED = "action_agreed", "action_completed", "action_changed"
TYPES = (AGREED, COMPLETED, CHANGED)
OPEN, DONE, CHANGED_STATUS, OVERDUE = "open", "done", "changed", "overdue"


@dataclass(frozen=True)
class Change:
    """One change to an action: when, to what, and why."""
    on: date
    due: date | None
    owner: str | None
    reason: str


@dataclass
class Action:
    """One agreed action of a case, as its events stand today."""
    id: int                 # its reference: the id of its action_agreed event
    case_id: int
    title: str
    agreed_on: date
    due: date
    owner_role: str | None
    status: str = OPEN
    done_on: date | None = None
    changes: list[Change] = field(default_factory=list)

    @property
    def owner(self) -> str:
        """Who does it, in the policy's words ("Supervising social worker")."""
        return role_label(self.owner_role) if self.owner_role else "Not said"

    @property
    def href(self) -> str:
        return url_for("actions.action", case_id=self.case_id, action_id=self.id)

    @property
    def is_open(self) -> bool:
        return self.status != DONE


def _day(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def actions_from(events: Iterable[Event], on: date) -> list[Action]:
    """The actions these events of one case agree, complete and change, as they stand on ``on``,
    in the order they were agreed. Events of a withdrawn record are left out."""
    rows = sorted((e for e in events if e.type in TYPES and e.withdrawn_at is None), key=lambda e: (e.on, e.id))
    by_ref: dict[str, Action] = {}
    for event in rows:
        fields = event.fields or {}
        if event.type == AGREED:
            due = _day(fields.get("due"))
            if due is not None:
                by_ref[str(event.id)] = Action(event.id, event.case_id, str(fields.get("action") or ""), event.on,
                                               due, fields.get("owner"))
            continue
        action = by_ref.get(str(fields.get("action")))
        if action is None:
            continue  # names no action in force (the record that agreed it was withdrawn)
        if event.type == COMPLETED and action.done_on is None:
            action.done_on = event.on
        elif event.type == CHANGED:
            new_due, new_owner = _day(fields.get("due")), fields.get("owner")
            action.changes.append(Change(event.on, new_due, new_owner, str(fields.get("reason") or "")))
            action.due = new_due or action.due
            action.owner_role = new_owner or action.owner_role
    for action in by_ref.values():
        if action.done_on is not None:
            action.status = DONE
        elif action.due < on:
            action.status = OVERDUE
        elif action.changes:
            action.status = CHANGED_STATUS
    return list(by_ref.values())


def case_actions(case: Case) -> list[Action]:
    """Every action of the case, done ones included, in the order they were agreed."""
    return actions_from(case.events, today())


def open_actions(case: Case) -> list[Action]:
    """The case's actions not yet done: overdue first, then by due date."""
    return sorted((a for a in case_actions(case) if a.is_open), key=lambda a: (a.status != OVERDUE, a.due, a.id))


def find(case: Case, action_id: int) -> Action | None:
    return next((a for a in case_actions(case) if a.id == action_id), None)


def overdue_action_counts(session, case_ids: Iterable[int]) -> dict[int, int]:
    """How many overdue actions each of these cases has today ({case id: count}, cases with none
    left out), in one query. The caller scopes ``case_ids`` to the user's council
    (hearth.web.scoping)."""
    ids = list(case_ids)
    if not ids:
        return {}
    by_case: dict[int, list[Event]] = {}
    for event in session.scalars(select(Event).where(Event.case_id.in_(ids), Event.type.in_(TYPES),
                                                     Event.withdrawn_at.is_(None))):
        by_case.setdefault(event.case_id, []).append(event)
    on = today()
    counts = {case_id: sum(a.status == OVERDUE for a in actions_from(rows, on)) for case_id, rows in by_case.items()}
    return {case_id: count for case_id, count in counts.items() if count}
