"""WTForms validators for the app's own forms (sign-in, opening a case), on the same
bounds as every other way in (hearth.rules.limits).

A NUL byte in a sign-in email or a child's reference passed `Length` and reached
PostgreSQL, which cannot store or even compare it: a 500. `PlainText` makes it a
form error that says which character and where.
"""
from __future__ import annotations

import sys

from wtforms.validators import ValidationError

from hearth.rules.limits import text_problem


class PlainText:
    """No control characters or unpaired surrogates (and, given `max_length`, no longer
    than that; leave it out when a `Length` validator already words the length)."""

    def __init__(self, max_length: int | None = None):
        self.max_length = max_length

    def __call__(self, form, field) -> None:
        if not isinstance(field.data, str):
            return
        problem = text_problem(field.data, self.max_length or sys.maxsize)
        if problem:
            raise ValidationError(f"{field.label.text}: {problem}")
