"""What the releasing stage's pages share (hearth.web.views.workspace.releasing): its
blueprint, the effective date as a GOV.UK date input, and the officer's own council.

The date input is read by hand, not by WTForms: it is three boxes and one answer, and GOV.UK's
pattern wants one message for the whole date ("must be a real date", "must be today or in
the future") pointing at the first box that is wrong.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Blueprint

from hearth.rules.limits import LATEST_DATE

from .access import PREFIX

bp = Blueprint("workspace_releasing", __name__, url_prefix=PREFIX)

PARTS = ("day", "month", "year")
MAX_PART = 4       # characters in one box of a date
MAX_NOTE = 2_000   # characters in a change note or a reason for declining


@dataclass
class DateAnswer:
    """What was typed in a date input named ``name`` (``name-day`` ...), and what it means."""
    name: str
    values: dict = field(default_factory=dict)
    day: date | None = None
    error: str | None = None
    wrong: tuple = ()   # the boxes to mark

    @property
    def first_wrong(self) -> str:
        return f"{self.name}-{(self.wrong or PARTS)[0]}"

    def items(self) -> list[dict]:
        """The govukDateInput items: each box, its value, marked when wrong."""
        widths = {"day": 2, "month": 2, "year": 4}
        return [{"name": part, "label": part.capitalize(), "value": self.values.get(part, ""),
                 "classes": f"govuk-input--width-{widths[part]}" + (" govuk-input--error" if part in self.wrong else "")}
                for part in PARTS]


def next_monday(today: date) -> date:
    """The Monday after today (a week on when today is a Monday): the date suggested."""
    return today + timedelta(days=7 - today.weekday())


def suggested(name: str, day: date) -> DateAnswer:
    return DateAnswer(name, {"day": str(day.day), "month": str(day.month), "year": str(day.year)}, day)


def read_date(form, name: str, today: date, what: str) -> DateAnswer:
    """The date typed into ``name``'s three boxes: today or later, or an error saying why not."""
    values = {part: (form.get(f"{name}-{part}") or "").strip()[:MAX_PART] for part in PARTS}
    answer = DateAnswer(name, values)
    missing = tuple(part for part in PARTS if not values[part])
    if len(missing) == len(PARTS):
        answer.error, answer.wrong = f"Enter {what}", PARTS
        return answer
    if missing:
        answer.error = f"{what.capitalize()} must include a {' and a '.join(missing)}"
        answer.wrong = missing
        return answer
    not_numbers = tuple(part for part in PARTS if not values[part].isdigit())
    if not_numbers:
        answer.error, answer.wrong = f"{what.capitalize()} must be a real date, in numbers", not_numbers
        return answer
    try:
        answer.day = date(int(values["year"]), int(values["month"]), int(values["day"]))
    except ValueError:
        answer.error, answer.wrong = f"{what.capitalize()} must be a real date", PARTS
        return answer
    if answer.day < today:
        answer.error, answer.wrong = f"{what.capitalize()} must be today or in the future", PARTS
    elif answer.day > LATEST_DATE:
        answer.error, answer.wrong = f"{what.capitalize()} must be before {LATEST_DATE.year + 1}", ("year",)
    if answer.error:
        answer.day = None
    return answer
