"""A month's meeting timeliness, for managers: each meeting a case had in the month -- decided,
held, minuted -- against the deadlines the engine computed for it (the evaluation's
``deadlines``: ``started_on``, ``due``, ``met_on``, ``status``; docs: the evaluation contract).
Nothing is worked out again here: whether a meeting was on time is the engine's status.

A meeting is a deadline of the contract's meeting ids; its minutes are the minutes deadline
counted from the day it was held (a council whose policy sets no minutes deadline has none).
A meeting is "in the month" when it was decided (or, for a review, counted from), due or held
in it."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from .models import Case

# The evaluation contract's deadline ids that both seed councils use.
MEETING_DEADLINES = ("initial_meeting", "review_meeting")
MINUTES_DEADLINE = "minutes_circulated"

ON_TIME = {"met": "Yes", "late": "No, late", "overdue": "No, overdue", "pending": "Not yet due",
           "waived": "Not needed (waived)"}

HEADER = ("Child's reference", "Worker", "Meeting", "Decided (or counted from)", "Meeting due", "Meeting held",
          "Meeting on time", "Minutes due", "Minutes circulated", "Minutes on time")


@dataclass(frozen=True)
class Meeting:
    case: Case
    meeting: dict            # the engine's deadline entry for the meeting
    minutes: dict | None     # ... and for its minutes, when the policy sets a deadline for them

    def cells(self, worker: str) -> tuple:
        minutes = self.minutes or {}
        return (self.case.child_ref, worker, self.meeting.get("title") or self.meeting["id"],
                self.meeting.get("started_on"), _day(self.meeting.get("due")), self.meeting.get("met_on"),
                ON_TIME.get(self.meeting["status"], self.meeting["status"]),
                _day(minutes.get("due")), minutes.get("met_on"),
                ON_TIME.get(minutes["status"], minutes["status"]) if minutes else None)


def _day(text: str | None) -> str | None:
    """The date of an engine date or date-and-time."""
    return text[:10] if text else None


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _in(text: str | None, first: date, last: date) -> bool:
    return bool(text) and first <= date.fromisoformat(text[:10]) <= last


def meetings(case: Case, answer: dict | None, first: date, last: date) -> list[Meeting]:
    """The case's meetings in the month (first to last), each with its minutes' deadline."""
    if not answer:
        return []
    deadlines = answer.get("deadlines", [])
    minutes = [entry for entry in deadlines if entry["id"] == MINUTES_DEADLINE]
    found = []
    for entry in deadlines:
        if entry["id"] not in MEETING_DEADLINES:
            continue
        if not any(_in(entry.get(key), first, last) for key in ("started_on", "due", "met_on")):
            continue
        held = entry.get("met_on")
        found.append(Meeting(case, entry, next((m for m in minutes if held and m.get("started_on") == held), None)))
    return sorted(found, key=lambda item: (item.meeting.get("met_on") or item.meeting["due"], item.case.child_ref))
