"""Durations as policy officers write them: '5 working days', '28 days', '2 months', '72 hours'."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import Enum


class Unit(str, Enum):
    WORKING_DAYS = "working days"
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"
    HOURS = "hours"


_SINGULAR = {Unit.WORKING_DAYS: "working day", Unit.DAYS: "day", Unit.WEEKS: "week",
             Unit.MONTHS: "month", Unit.HOURS: "hour"}
_UNITS = {"working day": Unit.WORKING_DAYS, "working days": Unit.WORKING_DAYS, "day": Unit.DAYS,
          "days": Unit.DAYS, "calendar day": Unit.DAYS, "calendar days": Unit.DAYS, "week": Unit.WEEKS,
          "weeks": Unit.WEEKS, "month": Unit.MONTHS, "months": Unit.MONTHS, "hour": Unit.HOURS, "hours": Unit.HOURS}
_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                                     "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split())}
_NUMBER = r"(?:\d+|" + "|".join(_WORDS) + ")"
DURATION_PATTERN = (r"^\s*(?i:immediately|" + _NUMBER + r"\s+(?:working\s+days?|calendar\s+days?|days?|weeks?|months?|hours?))\s*$")


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: Unit

    def __str__(self) -> str:
        if self.amount == 0:
            return "immediately"
        return f"{self.amount} {_SINGULAR[self.unit] if self.amount == 1 else self.unit.value}"


class DurationError(ValueError):
    """A duration a policy officer wrote that cannot be understood; the message says how to fix it."""


_EXAMPLES = "for example '5 working days', '28 days', '2 weeks', '2 months' or '72 hours'"


def parse_duration(text: str) -> Duration:
    raw = str(text)
    words = " ".join(raw.lower().split())
    if words == "immediately":
        return Duration(0, Unit.DAYS)
    match = re.fullmatch(r"(\S+)\s+(.+)", words)
    if not match:
        raise DurationError(f"'{raw}' is not a duration I understand. Write a number and a unit, {_EXAMPLES}.")
    number, unit = match.groups()
    if number in _WORDS:
        amount = _WORDS[number]
    elif number.isdigit():
        amount = int(number)
    elif re.fullmatch(r"-?\d+([.,]\d+)?", number):
        raise DurationError(f"'{raw}': a duration is a whole number of units, 0 or more.")
    else:
        raise DurationError(f"'{raw}' does not start with a number. Write a number and a unit, {_EXAMPLES}.")
    if unit not in _UNITS:
        choices = [u for u in _UNITS if u.endswith("s") == (amount != 1)]
        close = difflib.get_close_matches(unit, choices, n=1, cutoff=0.6)
        hint = f" Did you mean '{number} {close[0]}'?" if close else f" Write a number and a unit, {_EXAMPLES}."
        raise DurationError(f"'{raw}' is not a duration I understand.{hint}")
    return Duration(amount, _UNITS[unit])
