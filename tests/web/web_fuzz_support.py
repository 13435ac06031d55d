"""Strategies and checks for the web and API fuzz tests (tests/web/test_fuzz_web.py).

The fuzz tests post what a hostile or unlucky client could send: a council form's own
boxes with values that are almost right, plainly wrong or absurd, and JSON bodies that are
valid ones bent out of shape or random trees. What they then check is always the same
few invariants of issue 8, so each helper here either *makes* an input or *measures*
the database around one request:

* no answer is a 5xx;
* a refused request (any 4xx, or a form page shown again with its errors) stores no
  case, event, submission or idempotency key (audit entries may grow: refusals are audited);
* every case in the database still evaluates (hearth.engine.api.evaluate: an answer, no
  exception), so no accepted input can break a child's record for good;
* nobody reaches another council's data (404), and no worker records an event type the
  vocabulary keeps for managers.

Values are chosen from what broke Hearth before (issue 8's findings) plus hypothesis's
own text and JSON, so a shrunk failure is usually one box or one field.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote_from_bytes

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from hearth.engine import api
from hearth.web.evaluation import case_document
from hearth.web.models import Case, Event, IdempotencyKey, Submission, User

# --- how long the fuzz runs ----------------------------------------------------------
# `make test` runs a few examples of each (the whole file in about a minute on SQLite and
# PostgreSQL together); `make fuzz` sets HEARTH_FUZZ_EXAMPLES to run them long.
EXAMPLES = int(os.environ.get("HEARTH_FUZZ_EXAMPLES") or "0")


def fuzz_settings(default_examples: int):
    """Hypothesis settings for one fuzz test: `default_examples` unless HEARTH_FUZZ_EXAMPLES
    says otherwise; no deadline (a PostgreSQL round trip varies); the `app`/`demo` fixtures
    are built once per test and the invariants are measured around each request instead."""
    return settings(max_examples=EXAMPLES or default_examples, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large],
                    print_blob=True)


# --- raw values that broke Hearth or could -------------------------------------------
NASTY_NUMBERS = ["1e9999999", "-0", "1e400", "99999999999999999999", "1,000,000,000,000,000", "Infinity",
                 "-Infinity", "NaN", "sNaN", "1e-9999999", "0x10", "1_000", "£1e9999", "12.345", "-1",
                 "1" * 5000, "1e309", "4.9e-324", " 7 ", "٣"]
# The numbers that took a worker down or overflowed (issue 8, findings 1 and 2), drawn most often.
WORST_NUMBERS = ["1e9999999", "-1e9999999", "9e999999999", "1e200000", "1e400", "99999999999999999999",
                 "1,000,000,000,000,000"]
NASTY_DATE_PARTS = ["0", "-1", "00", "32", "13", "99999999999999999999", "1e9", "x", "٣", "2026.0", "0001",
                    "9999", "1899", "2101", " 5", "+1", "\x00", "²"]
# Raw bytes as a browser could percent-encode them: invalid UTF-8 (a lone surrogate as
# UTF-8 would write it, a stray continuation byte, 0xFF) and a NUL.
NASTY_BYTES = [b"\xed\xa0\x80", b"\xff", b"\x80", b"ok\xc3", b"\x00", b"a\x00b", b"\xef\xbf\xbf"]
NASTY_TEXT = ["", " ", "\x00", "a\x00b", "\r\n", "\u202e", "\ufeff", "<script>alert(1)</script>", "{{ 7*7 }}",
              "' OR 1=1 --", "\U0001F600", "x" * 10_001]
BODY_LIMIT = 2 * 1024 * 1024  # MAX_CONTENT_LENGTH (hearth.web.config)


def long_text():
    """Strings from a few characters to just past the request body limit."""
    return st.sampled_from([100, 5_001, 10_001, 100_000, BODY_LIMIT + 1]).map(lambda n: "y" * n)


def box_value():
    """One value for a form box: str (sent as UTF-8) or bytes (sent as they are)."""
    return st.one_of(st.text(max_size=40), st.sampled_from(NASTY_NUMBERS), st.sampled_from(NASTY_DATE_PARTS),
                     st.sampled_from(NASTY_TEXT), st.sampled_from(NASTY_BYTES), long_text())


def form_body(pairs: list[tuple[str, str | bytes]]) -> bytes:
    """application/x-www-form-urlencoded, each value percent-encoded from its bytes, so a
    value can carry bytes no UTF-8 text has (what a browser or script can still send)."""
    def enc(v: str | bytes) -> str:
        return quote_from_bytes(v if isinstance(v, bytes) else v.encode("utf-8", "surrogatepass"), safe="")
    return "&".join(f"{enc(k)}={enc(v)}" for k, v in pairs).encode("ascii")


# --- a council form's answers -------------------------------------------------------
def _field_answer(f, today: date):
    """A plausible answer for one question of a form definition (hearth.forms.FormField)."""
    if f.kind == "date":
        if f.not_past:
            return st.dates(today, today + timedelta(days=120))
        return st.dates(today - timedelta(days=400), today if f.not_future else today + timedelta(days=60))
    if f.kind in ("radios", "select"):
        return st.sampled_from([o.value for o in f.options]) if f.options else st.none()
    if f.kind in ("checkboxes", "roles"):
        values = [o.value for o in f.options]
        return st.lists(st.sampled_from(values), min_size=1, max_size=4, unique=True) if values else st.none()
    if f.kind == "yes_no":
        return st.booleans()
    if f.kind in ("number", "money"):
        low = int(f.min) if f.min is not None else 0
        high = int(f.max) if f.max is not None else low + 100
        return st.integers(low, max(low, high))
    if f.kind == "group":
        row = st.fixed_dictionaries({c.id: _field_answer(c, today) for c in f.fields})
        return st.lists(row, min_size=1, max_size=2)
    high = f.max_length or 200
    return st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), min_size=max(1, f.min_length or 1),
                   max_size=min(high, 40))


def answers_for(defn, today: date):
    """Answers to every question of a form (shown or not: the form drops hidden ones)."""
    return st.fixed_dictionaries({f.id: _field_answer(f, today) for f in defn.all_fields()})


def number_boxes(defn, pairs: list[tuple[str, str]]) -> list[str]:
    """The names of a form's number and money boxes (in group rows too: `<group>-<row>-<id>`)."""
    ids = {f.id for f in defn.all_fields() if f.kind in ("number", "money")}
    ids |= {c.id for f in defn.all_fields() if f.kind == "group" for c in f.fields if c.kind in ("number", "money")}
    return [name for name, _value in pairs if name.rsplit("-", 1)[-1] in ids]


@st.composite
def mutated_boxes(draw, pairs: list[tuple[str, str]], numbers: list[str] = ()) -> list[tuple[str, str | bytes]]:
    """A form's own boxes (name, value) with a few of them bent: a value replaced by a
    nasty one, a box dropped or repeated, an unknown box added, and (most often, as these
    broke Hearth) a number box or a date part given a number or part no one should type."""
    out: list[tuple[str, str | bytes]] = list(pairs)
    dates = [name for name, _value in pairs if name.endswith(("-day", "-month", "-year"))]
    for _ in range(draw(st.integers(0, 4))):
        how = draw(st.sampled_from(["number", "date", "replace", "drop", "repeat", "unknown"]))
        if how == "number" and numbers:
            value = draw(st.sampled_from(WORST_NUMBERS) | st.sampled_from(NASTY_NUMBERS))
            out.insert(0, (draw(st.sampled_from(numbers)), value))  # the first of a name is the one read
            continue
        if how == "date" and dates:
            out.insert(0, (draw(st.sampled_from(dates)), draw(st.sampled_from(NASTY_DATE_PARTS))))
            continue
        if how == "unknown" or not out:
            out.append((draw(st.sampled_from(["evil", "csrf_token", "hearth-row", "_boxes", "x" * 300, "\x00"])
                             | st.text(min_size=1, max_size=20)), draw(box_value())))
            continue
        index = draw(st.integers(0, len(out) - 1))
        name = out[index][0]
        if how == "drop":
            del out[index]
        elif how == "repeat":
            out.insert(index, (name, draw(box_value())))
        else:
            out[index] = (name, draw(st.sampled_from(NASTY_DATE_PARTS) if name in dates else box_value()))
    return out


# Idempotency-Keys by shape: none or a valid one mostly; sometimes one at the length limit,
# over-long, non-ASCII, blank or with a control character. Every key is new (World.key), so
# a key hypothesis draws again in a later example is never a refused reuse by accident.
KEY_SHAPES = st.sampled_from([None, "valid", None, "valid", "at the limit", "over-long", "blank", "space",
                              "cyrillic", "latin-1", "tab"])


# --- JSON bodies --------------------------------------------------------------------
@dataclass(frozen=True)
class Raw:
    """JSON text written as it is (1e200000, Infinity, a 5,000-digit integer): json.dumps
    cannot write these, and they are exactly what a hostile client sends."""
    text: str


RAW_NUMBERS = [Raw("1e200000"), Raw("-1e200000"), Raw("1" * 5000), Raw("Infinity"), Raw("-Infinity"), Raw("NaN"),
               Raw("1e400"), Raw("-0"), Raw("1E+999999999"), Raw("0.0000000000000000000000001")]
NASTY_JSON_TEXT = ["\u0000", "a\u0000b", "\ud800", "x\udfffy", "", "x" * 10_001, "0001-01-01", "9999-12-31",
                   "2026-02-30", "1900-01-01", "2100-12-31", "2026-13-01", "20260101", "2026-1-5"]
NASTY_JSON = st.one_of(st.sampled_from(RAW_NUMBERS), st.sampled_from(NASTY_JSON_TEXT), st.sampled_from(NASTY_NUMBERS),
                       st.sampled_from([None, True, False, 0, -1, 3_000_000, 2**31, 2**63, 10**30, 1.5, [], {}]))


def dumps(value: Any) -> str:
    """JSON text of a tree that may hold Raw pieces (and lone surrogates, as \\ud800 escapes)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dumps(v) for v in value) + "]"
    return json.dumps(value)


def json_trees():
    """Any JSON value, small."""
    leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | \
        st.text(max_size=20) | NASTY_JSON
    return st.recursive(leaves, lambda kids: st.lists(kids, max_size=4) |
                        st.dictionaries(st.text(max_size=10), kids, max_size=4), max_leaves=12)


def _event_field(vocabulary, spec, today: date):
    kind = spec.kind
    if kind == "role":
        return st.sampled_from(sorted(vocabulary.roles) + (sorted(vocabulary.parties) if spec.parties else []))
    if kind == "roles":
        return st.lists(st.sampled_from(sorted(vocabulary.roles)), min_size=1, max_size=3, unique=True)
    if kind == "action":
        return st.sampled_from(sorted(vocabulary.actions))
    if kind == "choice":
        return st.sampled_from(list(spec.values))
    if kind == "boolean":
        return st.booleans()
    if kind == "number":
        return st.integers(0, 20)
    if kind == "date":
        return st.dates(today - timedelta(days=60), today + timedelta(days=60)).map(date.isoformat)
    return st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), max_size=30)


def event_for(vocabulary, today: date, types: list[str] | None = None):
    """A plausible event of the vocabulary: its type, a date this past year, its fields."""
    @st.composite
    def make(draw):
        kind = draw(st.sampled_from(types or sorted(vocabulary.event_types)))
        event = {"type": kind, "on": draw(st.dates(today - timedelta(days=365), today)).isoformat()}
        for name, spec in vocabulary.event_types[kind].fields.items():
            if spec.required or draw(st.booleans()):
                event[name] = draw(_event_field(vocabulary, spec, today))
        return event
    return make()


@st.composite
def bent(draw, value: Any, depth: int = 0) -> Any:
    """A valid JSON body with one place in it changed: a value swapped for a nasty one or a
    random tree, a key dropped or added. Walks down to a random place first."""
    if isinstance(value, (dict, list)) and value and depth < 6 and draw(st.booleans()):
        if isinstance(value, dict):
            key = draw(st.sampled_from(sorted(value)))
            return {**value, key: draw(bent(value[key], depth + 1))}
        index = draw(st.integers(0, len(value) - 1))
        return value[:index] + [draw(bent(value[index], depth + 1))] + value[index + 1:]
    how = draw(st.sampled_from(["nasty", "nasty", "tree", "drop", "add"]))
    if how == "drop" and isinstance(value, dict) and value:
        key = draw(st.sampled_from(sorted(value)))
        return {k: v for k, v in value.items() if k != key}
    if how == "add" and isinstance(value, dict):
        name = draw(st.sampled_from(["days", "on", "type", "evil", "fields", "_boxes", "\u0000"]))
        return {**value, name: draw(NASTY_JSON | json_trees())}
    return draw(json_trees()) if how == "tree" else draw(NASTY_JSON)


# --- what the database holds ---------------------------------------------------------
STORED = (Case, Event, Submission, IdempotencyKey)


def counts(session) -> dict[str, int]:
    """Rows a refused request must not add (audit entries are left out: refusals are audited)."""
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in STORED}


def unevaluable_cases(session, today: date, touched: set[int] | None = None, since: int = 0) -> list[str]:
    """Every case the engine cannot evaluate, with why: must always be empty. All cases, or
    only those `touched` and those made after case `since` (cheaper, between requests)."""
    broken = []
    stmt = select(Case).order_by(Case.id)
    if touched is not None:
        stmt = stmt.where(Case.id.in_(touched) | (Case.id > since))
    for case in session.scalars(stmt):
        try:
            answer = api.evaluate(case.council_id, case_document(case), today, file=f"case {case.id}")
        except Exception as error:  # noqa: BLE001 - any exception at all is the finding
            broken.append(f"case {case.id} ({case.council_id}): {type(error).__name__}: {error}"[:2000])
            continue
        if not isinstance(answer, dict) or "policy" not in answer:
            broken.append(f"case {case.id}: no answer ({answer!r:.200})")
    return broken


def forbidden_events(session, since_id: int) -> list[str]:
    """Events stored after `since_id` by a user whose role the vocabulary does not let
    record that type (a worker recording panel_approved, say)."""
    wrong = []
    vocabularies: dict = {}
    rows = session.execute(select(Event, Case.council_id, User.role).join(Case, Event.case_id == Case.id)
                           .join(User, Event.recorded_by_id == User.id).where(Event.id > since_id))
    for event, council_id, role in rows:
        if council_id not in vocabularies:
            vocabularies[council_id] = api.policy_on(council_id, date.today()).vocabulary
        vocabulary = vocabularies[council_id]
        if event.type in vocabulary.event_types and role not in vocabulary.recorders(event.type):
            wrong.append(f"event {event.id} {event.type!r} recorded by a {role} on case {event.case_id}")
    return wrong


def last_ids(session) -> dict[str, int]:
    """The newest case and event ids, to find what a request added."""
    return {"case": session.scalar(select(func.max(Case.id))) or 0,
            "event": session.scalar(select(func.max(Event.id))) or 0}
