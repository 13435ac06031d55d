"""URL converters: an id in a URL is a database id, so it is bounded like one.

Werkzeug's ``<int:...>`` matches any run of digits. ``/cases/99999999999`` then
reached the database: PostgreSQL's ``integer`` refuses anything from 2^31 and SQLite
anything from 2^63, and the refusal was a 500. Registered app-wide as ``int``
(hearth.web.create_app), this converter makes such a URL match no route at all, so it
is the same plain 404 as any other id that does not exist, before any query runs.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

# The largest id any table can hold: PostgreSQL's `integer` (SQLite's is larger).
MAX_ID = 2 ** 31 - 1


def digits_at_most(bound: int) -> str:
    """A regular expression for the decimal numbers 0..bound (leading zeros allowed), so
    a larger id matches no route whatever its method: a 404, never a 405 because a GET
    route of the same shape exists."""
    text = str(bound)
    choices = [rf"\d{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for position, digit in enumerate(text):
        if digit != "0":
            rest = len(text) - position - 1
            lower = "0" if digit == "1" else f"[0-{int(digit) - 1}]"
            choices.append(text[:position] + lower + (rf"\d{{{rest}}}" if rest else ""))
    choices.append(text)
    return "|".join(choices)


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` up to MAX_ID: a larger id is a 404."""

    regex = f"(?:{digits_at_most(MAX_ID)})"

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 - werkzeug's names
                 max: int | None = MAX_ID, signed: bool = False) -> None:  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max if max is not None and max < MAX_ID else MAX_ID, signed=signed)
