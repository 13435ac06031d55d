"""How big, how long and how far anything people or other systems send may be.

Every way into Hearth (a policy file, a case file, a form post, a JSON body) reads
through these bounds *before* doing any arithmetic or building anything large, so
no input can keep a worker busy for minutes, fill memory, or store a value that
later breaks a child's record. One number per idea, each named, each documented in
``docs/limits.md`` (a test keeps the two in step), each refusal a plain sentence
that names the limit.

Why these numbers:

* numbers: a cost or a count in children's social care never needs more than 15
  significant digits or a magnitude past a million million; ``1e9999999`` is text
  to be refused, not a Decimal to be built (that is what took a worker down);
* dates: 1900-2100 covers every date of birth and every deadline a case can have;
  ``0001-01-01`` or ``9999-12-31`` are slips (and the edges where date arithmetic
  overflows), never history;
* text: NUL bytes and unpaired surrogates cannot be stored by PostgreSQL or encoded
  as UTF-8, so they are refused where they arrive, not found later by a 500;
* YAML: an alias may point at a list of aliases, so a few hundred bytes can stand for
  billions of values; the expanded size and the nesting depth are counted before
  anything is built.
"""
from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal

# --- numbers -----------------------------------------------------------------------
MAX_NUMBER_DIGITS = 15            # significant digits in a number as written
MAX_NUMBER_TEXT = 32              # characters in a number as written (sign, point, exponent)
MAX_NUMBER_EXPONENT = 3           # digits in an exponent (1e100 is written, 1e1000 is not)
MAX_NUMBER_MAGNITUDE = 10 ** 12   # the largest size of any number stored or compared

# --- dates -------------------------------------------------------------------------
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)

# --- text --------------------------------------------------------------------------
MAX_TEXT_LENGTH = 10_000          # characters in one free-text value of an event or case
MAX_NAME_LENGTH = 200             # an id, reference, council or file name

# --- YAML --------------------------------------------------------------------------
MAX_YAML_BYTES = 4 * 1024 * 1024  # one file (a 20,000-event case is about 1 MB)
MAX_YAML_NODES = 1_000_000        # values once every alias is expanded
MAX_YAML_DEPTH = 100              # lists and mappings inside each other

# --- a council's policy files (hearth.engine.policy_files: a folder, or the database later) ----
# A demo council's policy is 22 files and 110 KB; a few versions a year for decades, each form kept in
# every version, stays within a tenth of these.
MAX_POLICY_FILES = 1_000          # files in one council's policy (council.yaml, versions, forms, tests, ...)
MAX_POLICY_BYTES = 32 * 1024 * 1024  # their bytes together (each file also within MAX_YAML_BYTES)

# --- recording (one request's writes) -------------------------------------------------
# A form records a handful of events; another system catching up a child's history sends
# a few dozen. A hundred per request keeps each write's pre-commit evaluation short.
MAX_EVENTS_PER_REQUEST = 100      # events one form, API call or action may record at once
MAX_DRAFT_BYTES = 200_000         # a draft's answers as JSON (the largest form's boxes, full)
MAX_IDEMPOTENCY_KEY_LENGTH = 200  # characters in an API Idempotency-Key (printable ASCII)
IDEMPOTENCY_KEY_HOURS = 24        # a key's stored answer is kept at least this long, then may be purged

# --- cases (hearth.engine.case: every case file, API body and stored case is read through it) --
# A child's history is tens of events a year; 20,000 is decades of a busy case, and the
# issue's floor (making such a case fast is later work: it takes seconds, not minutes).
MAX_EVENTS_PER_CASE = 20_000      # a child's events and their carer's, together
MAX_REF_LENGTH = 64               # a child's or carer's reference (the web stores String(64))

_NUMBER = re.compile(r"^[+-]?(\d+)?(?:\.(\d*))?(?:[eE]([+-]?\d+))?$")
_FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class LimitError(ValueError):
    """A value over one of the bounds above; the message names the bound."""


def number_from_text(text: str) -> Decimal:
    """A number written as text, checked *before* Decimal does any arithmetic with it.

    Raises LimitError (too many digits, too large an exponent, too large) or plain
    ValueError (not a number). Never returns infinity or NaN.
    """
    cleaned = text.strip()
    if len(cleaned) > MAX_NUMBER_TEXT:
        raise LimitError(f"a number may be written with at most {MAX_NUMBER_TEXT} characters")
    match = _NUMBER.match(cleaned)
    if not match or not (match.group(1) or match.group(2)):
        raise ValueError("not a number")
    whole, fraction, exponent = match.group(1) or "", match.group(2) or "", match.group(3)
    digits = (whole + fraction).lstrip("0")
    if len(digits) > MAX_NUMBER_DIGITS:
        raise LimitError(f"a number may have at most {MAX_NUMBER_DIGITS} significant digits")
    if exponent is not None and len(exponent.lstrip("+-")) > MAX_NUMBER_EXPONENT:
        raise LimitError(f"a number's exponent may have at most {MAX_NUMBER_EXPONENT} digits")
    value = Decimal(cleaned)
    check_magnitude(value)
    return value


def check_magnitude(value: int | float | Decimal) -> None:
    """Refuse infinities, NaN and anything larger than MAX_NUMBER_MAGNITUDE."""
    if isinstance(value, float) and not math.isfinite(value):
        raise LimitError("a number must be finite")
    if isinstance(value, Decimal) and not value.is_finite():
        raise LimitError("a number must be finite")
    if isinstance(value, int) and value.bit_length() > 64:
        raise LimitError(f"a number may be at most {MAX_NUMBER_MAGNITUDE:,}")
    if abs(value) > MAX_NUMBER_MAGNITUDE:
        raise LimitError(f"a number may be at most {MAX_NUMBER_MAGNITUDE:,}")


def check_date(value: date) -> date:
    """Refuse dates outside EARLIEST_DATE..LATEST_DATE."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise LimitError(f"dates must be between {EARLIEST_DATE.year} and {LATEST_DATE.year}")
    return value


def text_problem(value: str, max_length: int = MAX_TEXT_LENGTH) -> str | None:
    """What is wrong with a text value (control characters, unpaired surrogates, length), or None."""
    if len(value) > max_length:
        return f"it is {len(value):,} characters long; the limit is {max_length:,}"
    bad = _FORBIDDEN_CHARACTERS.search(value)
    if bad:
        char = bad.group()
        what = "an unpaired surrogate" if "\ud800" <= char <= "\udfff" else "a control character"
        return f"it contains {what} (U+{ord(char):04X}) at position {bad.start() + 1}; remove it"
    return None


def check_text(value: str, max_length: int = MAX_TEXT_LENGTH) -> str:
    """The value, or LimitError saying what is wrong with it."""
    problem = text_problem(value, max_length)
    if problem:
        raise LimitError(problem)
    return value


def bounded_json_number(text: str) -> int | float:
    """``json.loads(parse_int=..., parse_float=...)``: refuse 1e200000 and 5,000-digit integers
    while decoding, before Python builds them."""
    value = number_from_text(text)
    return int(value) if value == value.to_integral_value() and not any(c in text for c in ".eE") \
        else float(value)


def refuse_json_constant(name: str):
    """``json.loads(parse_constant=...)``: Infinity, -Infinity and NaN are not JSON."""
    raise LimitError(f"'{name}' is not a number JSON allows")
