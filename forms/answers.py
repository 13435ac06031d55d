"""Reading and checking answers: one set of rules and messages for the web form and the JSON API.

Answers arrive two ways, as the boxes of an HTML form (WTForms) or as JSON
(marshmallow). Each way only turns its input into values (``from_form`` /
``from_json``); everything else -- which questions are shown, what is required,
lengths, ranges, dates, cross-field checks and every message -- happens once,
in :func:`check`, so the two can never disagree. Messages follow the GOV.UK
Design System's patterns ("Enter the date of the meeting").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from hearth.rules.conditions import holds
from hearth.rules.limits import (EARLIEST_DATE, LATEST_DATE, MAX_NUMBER_DIGITS, MAX_NUMBER_MAGNITUDE, MAX_TEXT_LENGTH,
                                 LimitError, check_date, check_magnitude, number_from_text, text_problem)

from . import amounts
from .model import FormDefinition, FormField, name_from

DATE_PARTS = ("day", "month", "year")


@dataclass(frozen=True)
class Err:
    """A message for one question; ``part`` is the date box the error summary links to."""

    message: str
    part: str = ""


# ---------------------------------------------------------------- messages
def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Blank(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def message(f: FormField, key: str, **values) -> str:
    """The field's own message for ``key`` if the form gives one, else the GOV.UK-style default."""
    n = f.name
    values = {"name": n, "Name": _cap(n), "min": _num(f.min), "max": _num(f.max), **values}
    if key in f.messages:
        return f.messages[key].format_map(_Blank(values))
    if key == "required":
        if f.kind in ("radios", "select", "checkboxes", "roles"):
            return f"Select {n}"
        if f.kind == "yes_no":
            # "Select yes if the child attended": needs a written `name`; the label is a question
            return f"Select yes if {n}" if f.name != _default_name(f) else "Select yes or no"
        return f"Enter {n}"
    money = f.kind == "money"
    fmt = amounts.money if money else _num
    limit = fmt if money else (lambda x: f"{x:,}")  # the service's limits, with thousands marked
    defaults = {
        "invalid": {"number": f"{_cap(n)} must be a number",
                    "money": f"{_cap(n)} must be an amount in pounds, like 250 or 1250.50",
                    "date": f"{_cap(n)} must be a real date"}.get(f.kind, f"Select {n} from the list"),
        "whole": f"{_cap(n)} must be a whole number",
        "too_long": f"{_cap(n)} must be {f.max_length or MAX_TEXT_LENGTH} characters or less",
        "bad_characters": f"{_cap(n)} must not include control characters or unpaired surrogates",
        "too_short": f"{_cap(n)} must be {f.min_length} characters or more",
        "not_future": f"{_cap(n)} must be today or in the past",
        "not_past": f"{_cap(n)} must be today or in the future",
        "too_few": f"Select at least {f.min_selected} for {n}",
        "too_many": f"Select no more than {f.max_selected} for {n}",
        "too_many_rows": f"You can add up to {f.max_rows} to {n}",
        # hearth.rules.limits: what any number may be, whatever the form allows
        "too_many_digits": f"{_cap(n)} must have {MAX_NUMBER_DIGITS} digits or fewer",
        "over_limit": f"{_cap(n)} must be {limit(MAX_NUMBER_MAGNITUDE)} or less",
        "under_limit": f"{_cap(n)} must be {limit(-MAX_NUMBER_MAGNITUDE)} or more",
        "date_range": f"{_cap(n)} must be between {EARLIEST_DATE.year} and {LATEST_DATE.year}",
    }
    if key in ("too_small", "too_big"):
        if f.min is not None and f.max is not None:
            return f"{_cap(n)} must be between {fmt(f.min)} and {fmt(f.max)}"
        return f"{_cap(n)} must be {fmt(f.min)} or more" if key == "too_small" else f"{_cap(n)} must be {fmt(f.max)} or less"
    if key in ("after", "on_or_after", "before", "on_or_before"):
        words = {"after": "after", "on_or_after": "the same as or after", "before": "before",
                 "on_or_before": "the same as or before"}[key]
        return f"{_cap(n)} must be {words} {values['other']}"
    if key == "parts":
        return f"{_cap(n)} must include a {' and '.join(values['missing'])}"
    return defaults[key]


def _default_name(f: FormField) -> str:
    return name_from(f.label)


def _num(x) -> str:
    if x is None:
        return ""
    return f"{x:g}" if isinstance(x, float) else str(x)


# ---------------------------------------------------------------- values
def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _number(f: FormField, text: str) -> tuple[Any, Err | None]:
    """A number typed in a box (or sent as text): judged on the text before any arithmetic,
    so ``1e9999999`` is refused at once instead of being built (hearth.rules.limits)."""
    cleaned = text.strip().replace(",", "")
    if f.kind == "money":
        cleaned = cleaned.lstrip("£").strip()
    try:
        return _number_value(f, number_from_text(cleaned))
    except LimitError:
        return None, Err(message(f, _limit_key(f, cleaned)))
    except ValueError:
        return None, Err(message(f, "invalid"))


def _json_number(f: FormField, raw: int | float) -> tuple[Any, Err | None]:
    """A JSON number already decoded: its size is checked (a 5,000-digit integer cannot even be
    printed), not its digits, so a float such as 0.1 + 0.2 reads as it always has."""
    try:
        check_magnitude(raw)
    except LimitError:
        if isinstance(raw, float) and raw != raw:
            return None, Err(message(f, "invalid"))
        return None, Err(message(f, _limit_key(f, "-" if raw < 0 else "")))
    return _number_value(f, Decimal(str(raw)))


def _limit_key(f: FormField, text: str) -> str:
    """Which limit a refused number broke, as a message key: too large or too small (the form's
    own range if it has one), or too many digits (a long fraction, or a tiny exponent)."""
    mantissa, _, exponent = text.lower().partition("e")
    digits = sum(c.isdigit() for c in mantissa.lstrip("+-0."))
    if digits > MAX_NUMBER_DIGITS or exponent.startswith("-") or (not exponent and "." in mantissa
                                                                   and len(mantissa) > MAX_NUMBER_DIGITS):
        return "too_many_digits"
    if text.startswith("-"):
        return "too_small" if f.min is not None else "under_limit"
    return "too_big" if f.max is not None else "over_limit"


def _number_value(f: FormField, d: Decimal) -> tuple[Any, Err | None]:
    if f.kind == "money":
        if d.as_tuple().exponent < -2:
            return None, Err(message(f, "invalid"))
        return (int(d) if d == d.to_integral_value() else float(d)), None
    if d != d.to_integral_value():
        if f.whole:
            return None, Err(message(f, "whole"))
        return float(d), None
    return int(d), None


def from_form(f: FormField, raw: Any) -> tuple[Any, Err | None]:
    """An answer from an HTML form: text, a list (checkboxes) or {day, month, year} (dates)."""
    if f.kind == "date":
        return date_from_parts(f, raw or {})
    if f.is_list:
        items = [v for v in (raw or []) if v != ""]
        return _choices(f, items)
    text = "" if raw is None else str(raw)
    if f.kind in ("text", "long_text"):
        text = text.replace("\r\n", "\n").strip()
        return (text or None), None
    if text.strip() == "":
        return None, None
    if f.kind in ("number", "money"):
        return _number(f, text)
    if f.kind == "yes_no":
        if text in ("yes", "no"):
            return text == "yes", None
        return None, Err(message(f, "required"))
    return _choice(f, text)


def from_json(f: FormField, raw: Any) -> tuple[Any, Err | None]:
    """An answer from JSON: the same values the form gives, dates as YYYY-MM-DD."""
    if raw is None or raw == "":
        return None, None
    if f.kind in ("text", "long_text"):
        if not isinstance(raw, str):
            return None, Err(f"{_cap(f.name)} must be text")
        return (raw.replace("\r\n", "\n").strip() or None), None
    if f.kind in ("number", "money"):
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            return None, Err(message(f, "invalid"))
        return _number(f, raw) if isinstance(raw, str) else _json_number(f, raw)
    if f.kind == "date":
        if not isinstance(raw, str) or not re.match(r"^\d{4}-\d{1,2}-\d{1,2}$", raw.strip()):
            return None, Err(message(f, "invalid"))
        y, m, d = raw.strip().split("-")
        return date_from_parts(f, {"day": d, "month": m, "year": y})
    if f.kind == "yes_no":
        if raw is True or raw is False:
            return raw, None
        return None, Err(message(f, "required"))
    if f.is_list:
        if not isinstance(raw, list):
            return None, Err(message(f, "invalid"))
        return _choices(f, raw)
    return _choice(f, raw)


def _choice(f: FormField, value: Any) -> tuple[Any, Err | None]:
    if any(o.value == value for o in f.options):
        return value, None
    return None, Err(message(f, "invalid"))


def _choices(f: FormField, values: list) -> tuple[Any, Err | None]:
    allowed = [o.value for o in f.options]
    if any(v not in allowed for v in values):
        return None, Err(message(f, "invalid"))
    chosen = [v for v in allowed if v in values]  # the form's order, no repeats
    return (chosen or None), None


def date_from_parts(f: FormField, parts: Mapping[str, Any]) -> tuple[date | None, Err | None]:
    """The GOV.UK date pattern: three boxes; say which part is missing, or that the date is not real."""
    text = {p: str(parts.get(p) or "").strip() for p in DATE_PARTS}
    if not any(text.values()):
        return None, None
    missing = [p for p in DATE_PARTS if not text[p]]
    if missing:
        return None, Err(message(f, "parts", missing=missing), missing[0])
    if not all(text[p].isdigit() for p in DATE_PARTS) or len(text["year"]) != 4:
        bad = next((p for p in DATE_PARTS if not text[p].isdigit()), "year")
        return None, Err(message(f, "invalid"), bad)
    too_long = next((p for p in ("day", "month") if len(text[p]) > 2), None)
    if too_long:  # date() overflows on a 20-digit day rather than saying it is not one
        return None, Err(message(f, "invalid"), too_long)
    try:
        day = date(int(text["year"]), int(text["month"]), int(text["day"]))
    except ValueError:
        return None, Err(message(f, "invalid"), "day")
    try:
        return check_date(day), None
    except LimitError:
        return None, Err(message(f, "date_range"), "year")


def date_parts(value: Any) -> dict:
    """The three boxes for a stored date (or for text that is not one, as typed)."""
    if isinstance(value, date):
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
    if isinstance(value, str) and re.match(r"^\d{4}-\d{1,2}-\d{1,2}$", value.strip()):
        y, m, d = value.strip().split("-")
        return {"day": d.lstrip("0") or "0", "month": m.lstrip("0") or "0", "year": y}
    return {"day": "", "month": "", "year": ""}


# ---------------------------------------------------------------- checking
def _required(f: FormField, record: Mapping) -> bool:
    if f.required is True or f.required is False:
        return f.required
    return holds(f.required, record)


def _shown(f: FormField, record: Mapping) -> bool:
    return f.show_when is None or holds(f.show_when, record)


def _field_rules(f: FormField, value: Any, record: Mapping, fields: Mapping, today: date) -> Err | None:
    if f.kind in ("text", "long_text"):
        if text_problem(value, len(value)):  # NUL, control characters, unpaired surrogates
            return Err(message(f, "bad_characters"))
        if len(value) > (f.max_length or MAX_TEXT_LENGTH):
            return Err(message(f, "too_long"))
        if f.min_length and len(value) < f.min_length:
            return Err(message(f, "too_short"))
    elif f.kind in ("number", "money"):
        if f.min is not None and value < f.min:
            return Err(message(f, "too_small"))
        if f.max is not None and value > f.max:
            return Err(message(f, "too_big"))
    elif f.kind == "date":
        if f.not_future and value > today:
            return Err(message(f, "not_future"), "day")
        if f.not_past and value < today:
            return Err(message(f, "not_past"), "day")
        for op, other_id in f.compare:
            other = record.get(other_id)
            if not isinstance(other, date):
                continue
            ok = {"after": value > other, "on_or_after": value >= other, "before": value < other,
                  "on_or_before": value <= other}[op]
            if not ok:
                return Err(message(f, op, other=fields[other_id].name), "day")
    elif f.is_list:
        if f.min_selected and len(value) < f.min_selected:
            return Err(message(f, "too_few"))
        if f.max_selected and len(value) > f.max_selected:
            return Err(message(f, "too_many"))
    return None


def _check_one(f: FormField, path: str, value: Any, parse_error: Err | None, record: Mapping,
               fields: Mapping, today: date, errors: dict, prefix: str = "") -> None:
    def add(err: Err):
        errors[path] = Err(prefix + err.message, err.part)

    if parse_error is not None:
        add(parse_error)
    elif _blank(value):
        if _required(f, record):
            add(Err(message(f, "required"), "day" if f.kind == "date" else ""))
    else:
        err = _field_rules(f, value, record, fields, today)
        if err:
            add(err)


def _row_blank(row: Mapping, row_errors: Mapping) -> bool:
    return all(_blank(v) for v in row.values()) and not row_errors


def check(defn: FormDefinition, values: Mapping[str, Any], parse_errors: Mapping[str, Err],
          today: date | None = None) -> tuple[dict, dict]:
    """(answers, errors): the answers to keep and every problem, keyed by path.

    ``values`` are the parsed answers (a group is a list of row dicts; unreadable
    answers are None) and ``parse_errors`` the problems met while reading them,
    keyed ``field`` or ``group.<row>.field``. Answers to hidden questions are
    dropped, with their problems; wholly blank rows are dropped too.
    """
    today = today or date.today()
    fields = defn.fields_by_id
    record: dict = {}
    for f in defn.all_fields():
        record[f.id] = None if f.kind == "group" else values.get(f.id)
    # who sees what: in order, so a hidden question hides what depends on it
    shown: dict = {}
    for f in defn.all_fields():
        shown[f.id] = _shown(f, record)
        if not shown[f.id]:
            record[f.id] = None
    errors: dict = {}
    answers: dict = {}
    for f in defn.all_fields():
        if not shown[f.id]:
            continue
        if f.kind == "group":
            if f.id in parse_errors:
                errors[f.id] = parse_errors[f.id]
                continue
            rows = _check_group(f, values.get(f.id) or [], parse_errors, record, fields, today, errors)
            if rows:
                answers[f.id] = rows
            continue
        value = record[f.id]
        _check_one(f, f.id, value, parse_errors.get(f.id), record, fields, today, errors)
        if not _blank(value):
            answers[f.id] = value
    record.update(answers)
    for c in defn.checks:
        if not shown.get(c.field, True) or c.field in errors:
            continue
        if (c.when is None or holds(c.when, record)) and not holds(c.then, record):
            part = "day" if fields[c.field].kind == "date" else ""
            errors[c.field] = Err(c.message, part)
    order = _order(defn)
    return answers, dict(sorted(errors.items(), key=lambda kv: order(kv[0])))


def _check_group(g: FormField, rows: list, parse_errors: Mapping, record: Mapping, fields: Mapping,
                 today: date, errors: dict) -> list:
    needed = g.min_rows if _required(g, record) else 0
    rows = list(rows) + [{}] * max(0, needed - len(rows))
    kept = []
    if g.max_rows and len(rows) > g.max_rows:
        errors[g.id] = Err(message(g, "too_many_rows"))
        return []
    for i, row in enumerate(rows):
        row_errors = {k.split(".", 2)[2]: e for k, e in parse_errors.items() if k.startswith(f"{g.id}.{i}.")}
        row_values = {c.id: row.get(c.id) for c in g.fields}
        if _row_blank(row_values, row_errors) and i >= needed:
            continue
        row_record = {**record, **row_values}
        clean = {}
        for c in g.fields:
            if not _shown(c, row_record):
                row_record[c.id] = None
                continue
            _check_one(c, f"{g.id}.{i}.{c.id}", row_values[c.id], row_errors.get(c.id), row_record,
                       {**fields, **{x.id: x for x in g.fields}}, today, errors, prefix=f"{g.item_label} {i + 1}: ")
            if not _blank(row_values[c.id]):
                clean[c.id] = row_values[c.id]
        if clean:
            kept.append(clean)
    return kept


def _order(defn: FormDefinition):
    """Errors in the order the questions appear, so the summary reads top to bottom."""
    ids = []
    for f in defn.all_fields():
        ids.append(f.id)
        ids.extend(f"{f.id}.{c.id}" for c in f.fields)
    position = {i: n for n, i in enumerate(ids)}

    def key(path: str):
        parts = path.split(".")
        if len(parts) == 3:
            return (position.get(parts[0], 0), int(parts[1]), position.get(f"{parts[0]}.{parts[2]}", 0))
        return (position.get(path, 0), -1, 0)
    return key


# ---------------------------------------------------------------- JSON
def to_json(value: Any) -> Any:
    """Stored answers are JSON: dates become YYYY-MM-DD."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def read_json(defn: FormDefinition, data: Mapping[str, Any]) -> tuple[dict, dict]:
    """Parse a JSON submission: (values, parse errors), ready for :func:`check`."""
    values, errors = {}, {}
    for f in defn.all_fields():
        raw = data.get(f.id)
        if f.kind == "group":
            rows = []
            if raw is not None and not isinstance(raw, list):
                errors[f.id] = Err(f"{_cap(f.name)} must be a list of rows")
                raw = []
            for i, row in enumerate(raw or []):
                row = row if isinstance(row, Mapping) else {}
                parsed = {}
                for c in f.fields:
                    parsed[c.id], err = from_json(c, row.get(c.id))
                    if err:
                        errors[f"{f.id}.{i}.{c.id}"] = err
                rows.append(parsed)
            values[f.id] = rows
            continue
        values[f.id], err = from_json(f, raw)
        if err:
            errors[f.id] = err
    return values, errors


def validate_json(defn: FormDefinition, data: Mapping[str, Any], today: date | None = None) -> tuple[dict, dict]:
    """(answers as JSON, {path: message}) for a JSON submission."""
    values, parse_errors = read_json(defn, data)
    answers, errors = check(defn, values, parse_errors, today)
    return to_json(answers), {k: e.message for k, e in errors.items()}

