"""Durations as policy officers write them: '5 working days', '28 days', '2 months', '72 hours'.

Policies are written by people who read procedures, not code, so the grammar is plain English
and every refusal says how to fix the text. One grammar serves two masters: ``parse_duration``
and ``DURATION_PATTERN`` (for the JSON Schema that editors use) are built from the same tables,
and the parser refuses anything the pattern refuses, so the two can never disagree.
"""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction


class Unit(str, Enum):
    WORKING_DAYS = "working days"
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"
    HOURS = "hours"


_SINGULAR = {Unit.WORKING_DAYS: "working day", Unit.DAYS: "day", Unit.WEEKS: "week",
             Unit.MONTHS: "month", Unit.HOURS: "hour"}
# Every spelling the grammar accepts, singular or plural whatever the number ("1 days" is fine:
# refusing it would help nobody).
_UNITS: dict[str, Unit] = {}
for _unit, _one in _SINGULAR.items():
    _UNITS[_one] = _UNITS[_unit.value] = _unit
_UNITS["calendar day"] = _UNITS["calendar days"] = Unit.DAYS

_NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                 "fourteen fifteen sixteen seventeen eighteen nineteen twenty").split()
_WORDS = {w: i for i, w in enumerate(_NUMBER_WORDS)}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}

MAX_AMOUNT = 9999
"""The largest amount of any unit. Nothing in a procedure is longer, and a cap keeps a typo such
as '50000000 working days' from making the engine count days for minutes."""

def _any_case(word: str) -> str:
    """[wW][oO]... : JSON Schema patterns are ECMA-262, which has no portable inline (?i) flag."""
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else (r"\s+" if c == " " else re.escape(c))
                   for c in word)


def _alternatives(words) -> str:
    # longest first, so 'working days' is tried before 'working day'
    return "(?:" + "|".join(_any_case(w) for w in sorted(words, key=len, reverse=True)) + ")"


DURATION_PATTERN: str = (r"^\s*(?:" + _any_case("immediately") + r"|(?:0*[0-9]{1,4}|"
                         + _alternatives(_WORDS) + r")\s+" + _alternatives(_UNITS) + r")\s*$")
"""A regex for a JSON Schema "pattern": ECMA-262 and Python alike (no inline flags, no named
groups, ASCII digits only), anchored because JSON Schema patterns are not."""

_GRAMMAR = re.compile(DURATION_PATTERN)
_EXAMPLES = "for example '5 working days', '28 days', '2 weeks', '2 months' or '72 hours'"


@dataclass(frozen=True)
class Duration:
    """An amount of one unit. Zero of any unit means 'immediately'."""
    amount: int
    unit: Unit

    def __post_init__(self):
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError(f"a duration's amount is a whole number, not {self.amount!r}")
        if not isinstance(self.unit, Unit):
            object.__setattr__(self, "unit", Unit(self.unit))

    def __str__(self) -> str:
        if self.amount == 0:
            return "immediately"
        return f"{self.amount} {_SINGULAR[self.unit] if abs(self.amount) == 1 else self.unit.value}"


ZERO = Duration(0, Unit.DAYS)


class DurationError(ValueError):
    """A duration a policy officer wrote that cannot be understood; the message says how to fix it."""


def parse_duration(text: str) -> Duration:
    """'5 working days' -> Duration(5, Unit.WORKING_DAYS); raises DurationError saying how to fix it."""
    raw = text if isinstance(text, str) else str(text)
    if _GRAMMAR.fullmatch(raw):
        words = raw.lower().split()
        if len(words) == 1:
            return ZERO
        number = words[0]
        amount = _WORDS[number] if number in _WORDS else int(number)
        return Duration(amount, _UNITS[" ".join(words[1:])])
    raise DurationError(_explain(raw))


def _inflect(unit_text: str, amount: int) -> str:
    """The unit spelled to agree with the amount, keeping 'calendar' if they wrote it."""
    unit = _UNITS[unit_text]
    word = _SINGULAR[unit] if amount == 1 else unit.value
    return "calendar " + word if unit_text.startswith("calendar") else word


def _close(word: str, choices) -> str | None:
    """A near miss of a known word: a typo, not a different word ('workdays' is not 'working days').

    difflib ranks the candidates; a candidate counts only if it is very similar (ratio >= 0.85) or
    one keystroke away, so '5 dayz' gets a suggestion and '5 workdays' gets the examples instead.
    """
    for candidate in difflib.get_close_matches(word, choices, n=3, cutoff=0.6):
        if difflib.SequenceMatcher(None, word, candidate).ratio() >= 0.85 or _one_edit(word, candidate):
            return candidate
    return None


def _one_edit(a: str, b: str) -> bool:
    """True if one letter added, dropped, changed or two neighbours swapped turns a into b."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return (a[i + 1:] == b[i + 1:] or a[i:] == b[i + 1:] or a[i + 1:] == b[i:]
            or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1]))


def _number(token: str) -> tuple[int | None, str | None]:
    """(amount, the token as it should be written) or (None, None) if it is no number we know."""
    if token in _WORDS:
        return _WORDS[token], token
    if re.fullmatch(r"[0-9]+", token):
        return int(token), token
    if token in ("a", "an"):
        return 1, "1"
    fixed = _close(token, _NUMBER_WORDS) if token.isalpha() and len(token) > 2 else None
    return (_WORDS[fixed], fixed) if fixed else (None, None)


def _unit(text: str) -> str | None:
    return text if text in _UNITS else _close(text, _UNITS)


def _did_you_mean(raw: str, suggestion: str) -> str:
    """The house style of every did-you-mean in Hearth's messages (tests elsewhere look for it)."""
    return f"'{raw}' is not a duration I understand. Did you mean '{suggestion}'?"


def _explain(raw: str) -> str:
    """The plain-English reason this text is not a duration, with the fix where we can guess it."""
    words = raw.lower().split()
    generic = f"'{raw}' is not a duration I understand. Write a number and a unit, {_EXAMPLES}."
    if not words:
        return f"The duration is empty. Write a number and a unit, {_EXAMPLES}."
    if len(words) == 1:
        word = words[0]
        if _close(word, ["immediately"]):
            return _did_you_mean(raw, "immediately")
        glued = re.fullmatch(r"([0-9]+)([a-z].*)", word)
        if glued and _unit(glued.group(2)):
            amount = int(glued.group(1))
            return _did_you_mean(raw, f"{amount} {_inflect(_unit(glued.group(2)), amount)}")
        if re.fullmatch(r"[0-9]+", word) or word in _WORDS:
            return (f"'{raw}' needs a unit after the number, for example '{word} working days', "
                    f"'{word} days', '{word} weeks', '{word} months' or '{word} hours'.")
        if _unit(word):
            return f"'{raw}' needs a number before the unit, for example '5 {_inflect(_unit(word), 5)}'."
        return generic
    if " ".join(words) in _UNITS:
        return f"'{raw}' needs a number before the unit, for example '5 {_inflect(' '.join(words), 5)}'."
    if words[0] in ("within", "in", "after", "for"):
        try:
            parse_duration(" ".join(words[1:]))
        except DurationError:
            pass
        else:
            return _did_you_mean(raw, " ".join(words[1:]))
    number, unit_text = words[0], " ".join(words[1:])

    negative = re.fullmatch(r"[-\u2212][0-9]*(?:[.,/][0-9]+)?", number) or number == "minus"
    if negative:
        return (f"'{raw}': a duration cannot be negative. Write a number of 0 or more, "
                f"{_EXAMPLES}.")

    fraction = _fraction(number, words)
    if fraction is not None:
        return _fraction_message(raw, fraction, words)

    if number in _TENS or re.fullmatch(r"(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-[a-z]+", number):
        tens, _, ones = number.partition("-")
        value = _TENS.get(tens, 0) + _WORDS.get(ones, 0)
        return (f"'{raw}': write numbers above twenty in figures, for example "
                f"'{value} {_inflect(_unit(unit_text), value) if _unit(unit_text) else unit_text}'.")

    amount, number_fixed = _number(number)
    if amount is None:
        return generic
    if amount > MAX_AMOUNT:
        return (f"'{raw}' is longer than any procedure needs: a duration is at most {MAX_AMOUNT} of its "
                f"unit. Check the number, or use a longer unit such as months.")

    unit_fixed = _unit(unit_text)
    if unit_fixed is None:
        # trailing words: '5 working days of the decision' -> '5 working days'
        for cut in range(len(words) - 1, 1, -1):
            head = " ".join(words[1:cut])
            tail = words[cut:]
            if head in _UNITS and not any(w in _WORDS or re.search(r"[0-9]", w) for w in tail):
                return _did_you_mean(raw, f"{number_fixed} {_inflect(head, amount)}")
        if unit_text.rstrip("s") in ("year", "fortnight"):
            factor, longer = (12, "months") if unit_text.startswith("year") else (2, "weeks")
            return (f"'{raw}': write {unit_text.rstrip('s')}s as {longer}, for example "
                    f"'{amount * factor} {longer if amount * factor != 1 else longer[:-1]}'.")
        if unit_text.rstrip("s") in ("minute", "min", "second", "sec"):
            hours = Duration(max(1, math.ceil(amount / (60 if unit_text.startswith("min") else 3600))), Unit.HOURS)
            return f"'{raw}': the shortest unit is hours. Round up, for example '{hours}'."
        return generic
    return _did_you_mean(raw, f"{number_fixed} {_inflect(unit_fixed, amount)}")


_VULGAR = {"½": Fraction(1, 2), "¼": Fraction(1, 4), "¾": Fraction(3, 4), "⅓": Fraction(1, 3), "⅔": Fraction(2, 3)}


def _fraction(number: str, words: list[str]) -> Fraction | None:
    """The value of '1.5', '1,5', '1/2', '½', '1½' or 'half', if the number is a fraction."""
    m = re.fullmatch(r"([0-9]*)([.,])([0-9]+)", number)
    if m:
        return Fraction(f"{m.group(1) or 0}.{m.group(3)}")
    m = re.fullmatch(r"([0-9]+)/([0-9]+)", number)
    if m and int(m.group(2)):
        return Fraction(int(m.group(1)), int(m.group(2)))
    m = re.fullmatch(r"([0-9]*)([½¼¾⅓⅔])", number)
    if m:
        return int(m.group(1) or 0) + _VULGAR[m.group(2)]
    if number == "half" or words[:2] in (["a", "half"], ["half", "a"]):
        return Fraction(1, 2)
    return None


def _fraction_message(raw: str, value: Fraction, words: list[str]) -> str:
    """Fractions are refused; say what whole number of a smaller unit means the same, if one does."""
    rest = [w for w in words[1:] if w not in ("a", "an", "half")]
    unit_text = next((" ".join(rest[:i]) for i in range(len(rest), 0, -1) if _unit(" ".join(rest[:i]))), None)
    unit = _UNITS[_unit(unit_text)] if unit_text else None
    if unit is not None and value.denominator == 1:
        return (f"'{raw}': a duration is a whole number; write it without the decimal point, "
                f"for example '{Duration(int(value), unit)}'.")
    smaller = {Unit.DAYS: (24, "hours"), Unit.WEEKS: (7, "days")}.get(unit)
    if smaller and (value * smaller[0]).denominator == 1:
        return (f"'{raw}': a duration is a whole number. Use a smaller unit instead, for example "
                f"'{int(value * smaller[0])} {smaller[1]}'.")
    if unit is not None:
        low, high = math.floor(value), math.ceil(value)
        return (f"'{raw}': a duration is a whole number. Round it, for example "
                f"'{Duration(low, unit) if low else '0 ' + unit.value}' or '{Duration(high, unit)}'.")
    return f"'{raw}': a duration is a whole number, not a fraction. Write a number and a unit, {_EXAMPLES}."
