"""Reading YAML written by people, keeping where every value came from.

Policy officers and other systems write YAML by hand; every mistake must be
reported with file, line and column. This module loads YAML 1.2 (``on``,
``yes`` and ``no`` are words, only ``true``/``false`` are booleans), keeps
dates as text so that a date that does not exist becomes a located error
rather than a crash, and offers a small toolkit for validating located data.
"""
from __future__ import annotations

import difflib
import json
import pickle
import re
import threading
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable

import orjson
from cachetools import LRUCache
from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer, ReusedAnchorWarning
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from .limits import (EARLIEST_DATE, LATEST_DATE, MAX_YAML_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES, LimitError,
                     bounded_json_number, check_date, refuse_json_constant)


@dataclass(frozen=True)
class Loc:
    """A place in a file, 1-based line and column as editors show them."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One mistake in a file, said so that the person who wrote it can fix it."""

    loc: Loc
    message: str
    field: str = ""

    def __str__(self) -> str:
        where = f"{self.loc}"
        if self.field:
            where += f" ({self.field})"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {"file": self.loc.file, "line": self.loc.line, "column": self.loc.column,
                "field": self.field, "message": self.message}


class SourceError(Exception):
    """One or more problems found while reading a file; nothing was half-loaded."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class LMap(dict):
    """A mapping that remembers where each key and value was written."""

    loc: Loc
    key_locs: dict
    value_locs: dict

    def key_loc(self, key) -> Loc:
        return self.key_locs.get(key, self.loc)

    def value_loc(self, key) -> Loc:
        return self.value_locs.get(key, self.loc)


class LList(list):
    """A sequence that remembers where each item was written."""

    loc: Loc
    item_locs: list

    def item_loc(self, index: int) -> Loc:
        return self.item_locs[index] if index < len(self.item_locs) else self.loc


class _TextDates(RoundTripConstructor):
    """Keep timestamps as text: we parse dates ourselves to report bad ones with their line."""


_TextDates.add_constructor("tag:yaml.org,2002:timestamp", lambda self, node: self.construct_scalar(node))


class _DepthLimit(Exception):
    def __init__(self, mark):
        super().__init__()
        self.mark = mark


class _BoundedComposer(Composer):
    """Stop at MAX_YAML_DEPTH while composing, so ``[[[[...`` fails at once rather than
    after Python's recursion limit (which took seconds to reach and unwind)."""

    depth = 0

    def compose_node(self, parent, index):
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                raise _DepthLimit(self.parser.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.Composer = _BoundedComposer
    y.Constructor = _TextDates
    y.version = (1, 2)
    y.allow_duplicate_keys = False
    return y


def _convert(node: Any, file: str, loc: Loc) -> Any:
    """Turn ruamel's round-trip objects into plain dict/list subclasses with locations."""
    if isinstance(node, dict):
        out = LMap()
        out.loc, out.key_locs, out.value_locs = loc, {}, {}
        lc = getattr(node, "lc", None)
        for key, value in node.items():
            key = _plain(key)
            kl = vl = loc
            if lc is not None:
                try:
                    kline, kcol = lc.key(key)
                    vline, vcol = lc.value(key)
                    kl = Loc(file, kline + 1, kcol + 1)
                    vl = Loc(file, vline + 1, vcol + 1)
                except (KeyError, TypeError):
                    pass
            out.key_locs[key], out.value_locs[key] = kl, vl
            out[key] = _convert(value, file, vl)
        return out
    if isinstance(node, list):
        out = LList()
        out.loc, out.item_locs = loc, []
        lc = getattr(node, "lc", None)
        for i, value in enumerate(node):
            il = loc
            if lc is not None:
                try:
                    line, col = lc.item(i)
                    il = Loc(file, line + 1, col + 1)
                except (KeyError, TypeError, IndexError):
                    pass
            out.item_locs.append(il)
            out.append(_convert(value, file, il))
        return out
    return _plain(node)


def _plain(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


_DUPLICATE_KEY = re.compile(r'found duplicate key "([^"]{1,100})"')


def _mark_loc(file: str, mark) -> Loc:
    return Loc(file, mark.line + 1, mark.column + 1) if mark is not None else Loc(file)


def _check_budget(root: Node | None, file: str) -> None:
    """Count the values a document stands for once every alias is expanded, and how deep it
    nests, without expanding anything: a shared node is sized once and remembered. A few
    hundred bytes of aliases to lists of aliases must be refused here, before anything
    walks them (see hearth.rules.limits)."""
    sizes: dict[int, int] = {}

    def size(node: Node, depth: int) -> int:
        if id(node) in sizes:
            if sizes[id(node)] < 0:
                raise SourceError([Problem(_mark_loc(file, node.start_mark),
                                           "An alias here refers to the list or mapping it is inside; "
                                           "a value cannot contain itself.")])
            return sizes[id(node)]
        if depth > MAX_YAML_DEPTH:
            raise SourceError([Problem(_mark_loc(file, node.start_mark),
                                       f"Lists and mappings here are nested more than {MAX_YAML_DEPTH} deep "
                                       f"(the limit); flatten them.")])
        sizes[id(node)] = -1
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(child, depth + 1) for child in node.value)
        elif isinstance(node, MappingNode):
            for key, _value in node.value:
                if isinstance(key, (SequenceNode, MappingNode)):
                    # ruamel would fail later, unlocated ("unhashable type: 'CommentedSeq'")
                    raise SourceError([Problem(_mark_loc(file, key.start_mark), (
                        "A key here is a list or mapping, but keys are names. Braces written twice "
                        "({{...}}) or a '? ' at the start of a line make one; write 'name: value'."))])
            total += sum(size(key, depth + 1) + size(value, depth + 1) for key, value in node.value)
        if total > MAX_YAML_NODES:
            raise SourceError([Problem(_mark_loc(file, node.start_mark),
                                       f"This stands for more than {MAX_YAML_NODES:,} values once its aliases "
                                       f"(*name) are expanded (the limit); write the values out or use fewer aliases.")])
        sizes[id(node)] = total
        return total

    if root is not None:
        size(root, 0)


# Texts read lately, kept as pickles of what they gave: each caller gets a copy of its own (it
# may change what it is given). A policy officer's workspace reads the council's every form and
# version file again after each change, and tests and publishing read the same files again and
# again; the YAML reader takes about 70 ms for a 10 KB form that its pickle gives back in under
# 1 ms. Only what was read without a problem is kept; at most _MOST_READ_BYTES of texts (the keys)
# and their pickles (texts past _LARGEST_KEPT, such as a 20,000-event case, are read each time).
_MOST_READ_BYTES = 64 * 1024 * 1024
_LARGEST_KEPT = 256 * 1024
_READ: LRUCache = LRUCache(maxsize=_MOST_READ_BYTES, getsizeof=lambda kept: kept[0] + len(kept[1]))
_READ_LOCK = threading.Lock()


def load_yaml(text: str, file: str) -> Any:
    """Parse YAML text within the size, alias and depth budget of hearth.rules.limits;
    syntax errors and anything over budget become a located SourceError. The same text of the
    same file read lately is given again (a copy of its own) without reading it again."""
    kept = len(text) <= _LARGEST_KEPT
    if kept:
        with _READ_LOCK:
            found = _READ.get((file, text))
        if found is not None:
            return pickle.loads(found[1])
    data = _read_yaml(text, file)
    if kept:
        with _READ_LOCK:
            _READ[(file, text)] = (len(text), pickle.dumps(data, pickle.HIGHEST_PROTOCOL))
    return data


def _read_yaml(text: str, file: str) -> Any:
    if len(text) > MAX_YAML_BYTES:
        raise SourceError([Problem(Loc(file), f"The file is {len(text):,} characters long; the limit is "
                                              f"{MAX_YAML_BYTES:,} (see docs/limits.md).")])
    try:
        constructor, _parser = _yaml().get_constructor_parser(text)
        with warnings.catch_warnings():
            # A reused anchor name is legal YAML (the later one wins); ruamel's multi-line
            # warning about it would only be noise in lint's and evaluate's output.
            warnings.simplefilter("ignore", ReusedAnchorWarning)
            root = constructor.composer.get_single_node()
        _check_budget(root, file)
        data = constructor.construct_document(root) if root is not None else None
    except SourceError:
        raise
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = (exc.problem or exc.context or "this is not valid YAML").strip()
        if isinstance(exc, DuplicateKeyError):
            key = _DUPLICATE_KEY.search(exc.problem or "")
            named = f"'{key.group(1)}'" if key else "this key"
            what = f"{named} is written twice in the same block; keep one"
        raise SourceError([Problem(_mark_loc(file, mark), f"The file is not valid YAML here: {what}.")]) from None
    except _DepthLimit as exc:
        raise SourceError([Problem(_mark_loc(file, exc.mark), f"Lists and mappings here are nested more than "
                                                               f"{MAX_YAML_DEPTH} deep (the limit); flatten them.")]) from None
    except RecursionError:
        raise SourceError([Problem(Loc(file), f"Lists and mappings are nested too deep "
                                              f"(the limit is {MAX_YAML_DEPTH}).")]) from None
    except Exception as exc:  # noqa: BLE001 - ruamel raises a few unmarked errors (e.g. bad encoding)
        raise SourceError([Problem(Loc(file), f"The file could not be read as YAML: {exc}.")]) from None
    return _convert(data, file, Loc(file, 1, 1))


def _unique_keys(pairs: list) -> dict:
    keys = [key for key, _value in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a key written twice")  # YAML refuses it, with its line: let it say so
    return dict(pairs)


# Bytes of JSON text with every digit and point made b"0" and both e's b"e": a number written with
# 13 digits and points or more shows as b"0" * 13, and one with an exponent as b"0e".
_NUMBER_SHAPES = bytes.maketrans(b"0123456789.eE", b"00000000000ee")


def load_json_quickly(text: str) -> Any:
    """JSON text decoded by orjson (tens of times faster than the YAML reader, which a
    20,000-event case document spent most of its time in; about half the time the standard
    library takes with its checking hooks), or None when the text is not plain JSON within the
    same bounds: a syntax error, a key written twice, a number over the limits, nesting too deep.
    Values carry no locations, so a caller that finds a mistake in them reads the text again
    with load_yaml, which locates every mistake by line.

    orjson keeps the last of a key written twice and reads numbers past hearth.rules.limits, so
    its answer is taken only when the text proves, with byte searches and counts, that the
    checking hooks of _load_json_with_hooks would have refused nothing in it; any other text
    (and anything orjson refuses) is decoded by _load_json_with_hooks itself, so both always
    give the same answer:

    * numbers: every number is written with at most 12 digits and points together and no
      exponent (no b"0" * 13 or b"0e" among the number shapes), so each is below
      MAX_NUMBER_MAGNITUDE, within every limit on how it is written, and an int exactly when
      written without a point, as the hooks make it (a decimal fraction of so few digits is
      the nearest double in any parser);
    * keys: count '":' in orjson's compact re-encoding and in the text with its spaces, tabs and
      line ends taken out. The re-encoding has one for each key decoded, each string starting
      with ':' and each '"' followed by ':' inside a string (written there \\"). With no quote or
      colon written as \\u0022 or \\u003a, each of those strings and quotes was written so in
      the text too, with the same '":', and the text has one for each key written; so the counts
      are equal only when the keys decoded are as many as the keys written, which they are
      exactly when no object has a key written twice;
    * nesting: orjson decodes 1,024 levels and re-encodes 254; deeper text goes to the hooks,
      which decode it until Python's recursion limit (about 900 levels from a shallow caller).
    """
    if len(text) > MAX_YAML_BYTES or not text.lstrip().startswith(("{", "[")):
        return None
    try:
        written = text.encode()
    except UnicodeEncodeError:  # an unpaired surrogate, which the standard library decodes
        return _load_json_with_hooks(text)
    if (not _numbers_read_alike(written)
            or b"\\u00" in written and (b"\\u0022" in written or b"\\u003a" in written
                                       or b"\\u003A" in written)):
        return _load_json_with_hooks(text)
    try:
        data = orjson.loads(written)
        key_marks_decoded = orjson.dumps(data).count(b'":')  # a key's end, and see above
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return _load_json_with_hooks(text)
    if written.translate(None, b" \t\n\r").count(b'":') != key_marks_decoded:
        return _load_json_with_hooks(text)
    return data


def _numbers_read_alike(written: bytes) -> bool:
    """Whether every number of the JSON text is written with at most 12 digits and points
    together and no exponent, so orjson reads it as the checking hooks do (load_json_quickly's
    first point)."""
    shapes = written.translate(_NUMBER_SHAPES)
    return b"0000000000000" not in shapes and b"0e" not in shapes


def plain_json_as_checked(text: str, plain: Any) -> Any:
    """What load_json_quickly gives for ``text``, given load_plain_json's value for it (not
    None): that value itself when its numbers are read alike (load_plain_json has already
    proved no escape and no key written twice), so the text is not decoded twice."""
    return plain if _numbers_read_alike(text.encode()) else load_json_quickly(text)


def load_plain_json(text: str) -> Any:
    """JSON text written plainly -- an object, no escape anywhere, every colon right after a
    quote -- decoded by orjson when no object has a key written twice; None for anything else,
    which load_json_quickly then reads. Its NUMBERS ARE NOT CHECKED against the limits: only
    for a reader that takes nothing but whole numbers within MAX_NUMBER_MAGNITUDE and refuses
    the rest (the case reader's quick way, hearth.engine.case), as the checking hooks read
    such a number to the same int. So the text's numbers are not scanned, nor its whitespace
    taken out: 12 us for a 20-event case document (1.7 KB) against load_json_quickly's 17 us,
    a twentieth of a bulk run's reading and evaluating a case.

    Why no key is written twice when it says so. With no backslash, no string holds a quote, so
    each '":' of the text is a key's closing quote and its colon, or a string's opening quote
    and the first character of the string. With every colon right after a quote, no key is
    followed by spaces before its colon: the text has one '":' for each key written and one for
    each string written that starts with a colon. orjson's compact re-encoding has one for each
    key decoded and each string decoded that starts with a colon, and the strings decoded are
    strings written, unchanged (no escapes). A key written twice is decoded once, so the
    re-encoding has fewer; equal counts, no key written twice."""
    if len(text) > MAX_YAML_BYTES or not text.lstrip().startswith("{"):
        return None
    try:
        written = text.encode()
    except UnicodeEncodeError:
        return None
    if b"\\" in written:
        return None
    marks = written.count(b'":')
    if written.count(b":") != marks:
        return None
    try:
        data = orjson.loads(written)
        decoded = orjson.dumps(data).count(b'":')
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return None
    return data if decoded == marks else None


def _load_json_with_hooks(text: str) -> Any:
    """The standard library's reading with checking hooks, which refuse (None) a key written
    twice, a number over the limits and NaN or Infinity; load_json_quickly's answer for any
    text it cannot prove needs none of these checks."""
    if len(text) > MAX_YAML_BYTES or not text.lstrip().startswith(("{", "[")):
        return None
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_int=bounded_json_number,
                          parse_float=bounded_json_number, parse_constant=refuse_json_constant)
    except (ValueError, RecursionError):
        return None


def loc_of(value: Any, default: Loc) -> Loc:
    return getattr(value, "loc", default)


def suggest(word: str, choices: Iterable[str]) -> str:
    """' Did you mean 'x'?' when a close choice exists, else ''."""
    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{match[0]}'?" if match else ""


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$")


def parse_date(value: Any) -> date:
    """A date written as YYYY-MM-DD; ValueError with a plain-English message otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not _DATE.match(text):
        raise ValueError(f"'{text}' is not a date. Write dates as YYYY-MM-DD, for example 2026-01-05.")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a real date (that day does not exist in that month).") from None
    try:
        return check_date(day)
    except LimitError as exc:
        raise LimitError(f"'{text}' is out of range: {exc}.") from None


def plain_date(text: str) -> date | None:
    """A day written exactly YYYY-MM-DD that exists and lies within the limits; None for anything
    else, which parse_date (or parse_date_or_datetime) then reads and explains. What nearly every
    date of a case is, read here without parse_date's messages and re-checks."""
    if len(text) != 10 or not _DATE.match(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if EARLIEST_DATE <= day <= LATEST_DATE else None


def parse_date_or_datetime(value: Any) -> date | datetime:
    """A date, or a date and time (YYYY-MM-DDTHH:MM) where hours matter."""
    if isinstance(value, (date, datetime)):
        return value
    text = str(value).strip()
    if _DATETIME.match(text):
        try:
            moment = datetime.fromisoformat(text.replace(" ", "T"))
        except ValueError:
            raise ValueError(f"'{text}' is not a real date and time.") from None
        try:
            check_date(moment.date())
        except LimitError as exc:
            raise LimitError(f"'{text}' is out of range: {exc}.") from None
        return moment
    return parse_date(text)


class Problems:
    """Collects problems so a file's every mistake is reported at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, loc: Loc, message: str, field: str = "") -> None:
        self.items.append(Problem(loc, message, field))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            ordered = sorted(self.items, key=lambda p: (p.loc.file, p.loc.line, p.loc.column))
            raise SourceError(ordered)

    def check_keys(self, mapping: LMap, allowed: Iterable[str], what: str, required: Iterable[str] = ()) -> bool:
        """Unknown keys get 'did you mean'; missing required keys are named. True if all well."""
        allowed = list(allowed)
        ok = True
        for key in mapping:
            if key not in allowed:
                ok = False
                hint = suggest(key, allowed) or f" {what[:1].upper() + what[1:]} may have: {', '.join(allowed)}."
                self.add(mapping.key_loc(key), f"'{key}' is not something {what} can have.{hint}", str(key))
        for key in required:
            if key not in mapping:
                ok = False
                self.add(mapping.loc, f"{what[0].upper() + what[1:]} needs '{key}'.", key)
        return ok
