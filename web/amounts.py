"""Amounts of money as GOV.UK's style guide writes them (`£75.50`, `£1,200`: whole pounds
without pence; the forms' own writer, hearth.forms.amounts) and ordinals (`75th`), for every
page that shows a cost or an age."""
from __future__ import annotations

from hearth.forms.amounts import money

__all__ = ["money", "ordinal"]


def ordinal(number) -> str:
    """`75` -> `75th`, `21` -> `21st`, `12` -> `12th`."""
    number = int(number)
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
