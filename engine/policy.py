"""Reading a council's policy from its folder: council.yaml and versions/*.yaml.

Loading validates everything a policy officer could get wrong and reports it
with file, line, column and a plain-English fix; a policy with any mistake is
not loaded at all, and no file, however broken (bytes that are not UTF-8, a
list where a name goes, a mapping where a date goes), gets past as a
traceback. The values built are hearth.engine.policy_model's; they are named
here too, so ``from hearth.engine.policy import PolicyVersion`` keeps working; a version
file's sections are read by hearth.engine.policy_reader.
See docs/policy-language.md for the language.
"""
from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

from hearth.rules.source import LMap, Loc, Problem, Problems, SourceError, load_yaml, parse_date, suggest

from .calendar import NATIONS, calendar_for
from .documents import document_problem
from .policy_model import (CURRENT_LANGUAGE, LANGUAGES, Council, DueRow, EventSpec, Gate, Intervention, Move,
                           NoPolicyInForce, Obligation, Plan, Policy, PolicyVersion, Row, Trigger)
from .policy_reader import SectionReader, read_dates
from .vocabulary import merge_vocabulary, shared_vocabulary, shared_vocabulary_text

__all__ = ["COUNCIL_KEYS", "VERSION_KEYS", "Council", "DueRow", "EventSpec", "Gate", "Intervention", "Move",
           "NoPolicyInForce", "Obligation", "Plan", "Policy", "PolicyVersion", "Row", "Trigger",
           "load_council", "load_policy", "load_version", "read_policy_file"]

VERSION_KEYS = ("language", "effective_from", "title", "vocabulary", "closed_days", "calendars", "triggers",
                "recommendation", "chair", "invitees", "deadlines", "duties", "gates", "interventions")
COUNCIL_KEYS = ("name", "short_name", "nation", "document", "brand")
BRAND_KEYS = ("colour",)
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Characters YAML 1.2 does not allow in a file (tab, line ends and printable text are fine).
_NOT_YAML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


# ----------------------------------------------------------------------- loader
def read_policy_file(path: Path) -> str:
    """A policy file's text. Bytes that are not UTF-8 are refused at their line and column
    (an editor saving in another encoding is the usual cause), and a file that cannot be
    opened is a located problem, never an OSError."""
    file = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError([Problem(Loc(file), "This file is missing.")]) from None
    except OSError as exc:
        raise SourceError([Problem(Loc(file), f"This file cannot be read ({exc.strerror or exc}).")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError([Problem(_loc_at(file, data[:exc.start].decode("utf-8", "replace")),
                                   f"The file is not UTF-8 text here (byte 0x{data[exc.start]:02x}). Save it as "
                                   "UTF-8 from your editor, or retype the character.")]) from None
    control = _NOT_YAML.search(text)
    if control:
        raise SourceError([Problem(_loc_at(file, text[:control.start()]),
                                   f"The file has a control character here (U+{ord(control.group()):04X}), which "
                                   "YAML does not allow; delete it (it is often invisible in an editor).")])
    return text


def _loc_at(file: str, before: str) -> Loc:
    """Where the text that follows ``before`` starts, as an editor counts lines and columns."""
    return Loc(file, before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1)


def _text_value(doc: LMap, key: str, problems: Problems, example: str, default: str = "") -> str:
    value = doc.get(key)
    if value is None:
        return default
    if not isinstance(value, str) or not value.strip():
        problems.add(doc.value_loc(key), f"'{key}' must be text, for example {key}: {example}.", key)
        return default
    return value.strip()


def _brand(doc: LMap, problems: Problems) -> dict:
    value = doc.get("brand")
    if value is None:
        return {}
    if not isinstance(value, LMap):
        problems.add(doc.value_loc("brand"), "'brand' must be a mapping, for example brand: {colour: \"#5b2c6f\"}.",
                     "brand")
        return {}
    problems.check_keys(value, BRAND_KEYS, "'brand'")
    colour = value.get("colour")
    if colour is not None and not (isinstance(colour, str) and _COLOUR.match(colour)):
        problems.add(value.value_loc("colour"), "'colour' is a colour written #rrggbb in quotes, for example "
                                                "colour: \"#5b2c6f\".", "brand.colour")
        return {}
    return {key: value[key] for key in BRAND_KEYS if key in value}


def load_council(folder: Path) -> Council:
    """council.yaml, checked: every page names its council and draws its colour from it."""
    problems = Problems()
    path = folder / "council.yaml"
    file = str(path)
    if not path.is_file():
        raise SourceError([Problem(Loc(file), "There is no council.yaml in this folder.")])
    doc = load_yaml(read_policy_file(path), file)
    if not isinstance(doc, LMap):
        raise SourceError([Problem(getattr(doc, "loc", Loc(file, 1, 1)),
                                   "council.yaml must be a mapping with name, nation and brand.")])
    problems.check_keys(doc, COUNCIL_KEYS, "council.yaml", required=["name", "nation"])
    name = _text_value(doc, "name", problems, "Northshire County Council")
    short_name = _text_value(doc, "short_name", problems, "Northshire", default=name)
    document = _text_value(doc, "document", problems, "guidance-2025.txt")
    missing = document_problem(folder, document, doc.value_loc("document")) if document else None
    if missing:
        problems.add(missing.loc, missing.message, missing.field)
    nation = doc.get("nation", "england")
    if not isinstance(nation, str) or nation not in NATIONS:
        problems.add(doc.value_loc("nation"), f"'{nation}' is not a nation I know.{suggest(str(nation), NATIONS)} "
                                              f"Nations: {', '.join(NATIONS)}.", "nation")
    brand = _brand(doc, problems)
    problems.raise_if_any()
    return Council(folder.name, name, short_name, nation, document, brand)


def load_version(council: Council, path: Path) -> PolicyVersion:
    """Load and check one version file; raises SourceError listing every problem."""
    file = str(path)
    text = read_policy_file(path)
    doc = load_yaml(text, file)
    problems = Problems()
    if not isinstance(doc, LMap):
        raise SourceError([Problem(getattr(doc, "loc", Loc(file, 1, 1)),
                                   "A version file must be a mapping with effective_from, triggers and so on.")])
    problems.check_keys(doc, VERSION_KEYS, "a policy version", required=["effective_from"])
    vocab = merge_vocabulary(shared_vocabulary(), doc.get("vocabulary"), problems)
    language = _language(doc, problems)
    reader = SectionReader(file, vocab, problems, language)
    effective = date.min
    if "effective_from" in doc:
        try:
            effective = parse_date(doc["effective_from"])
        except ValueError as exc:
            problems.add(doc.value_loc("effective_from"), str(exc), "effective_from")
    closed = read_dates(doc.get("closed_days"), doc.value_loc("closed_days"), problems, "closed_days")
    calendars = {}
    cal_node = doc.get("calendars") or {}
    if cal_node and not isinstance(cal_node, LMap):
        problems.add(doc.value_loc("calendars"), "'calendars' must be a mapping of names to calendars, for example "
                                                 "calendars: {scotland: {nation: scotland}}.", "calendars")
        cal_node = {}
    for name, spec in cal_node.items():
        if not isinstance(spec, LMap):
            problems.add(cal_node.value_loc(name), "A calendar needs 'nation' (and may have 'closed_days').", name)
            continue
        problems.check_keys(spec, ["nation", "closed_days"], "a calendar", required=["nation"])
        nation = spec.get("nation", council.nation)
        if not isinstance(nation, str) or nation not in NATIONS:
            problems.add(spec.value_loc("nation"), f"'{nation}' is not a nation I know.{suggest(str(nation), NATIONS)}", name)
            nation = council.nation
        calendars[str(name)] = calendar_for(nation, tuple(read_dates(spec.get("closed_days"), spec.value_loc("closed_days"),
                                                                 problems, "closed_days")))
    triggers = reader.triggers(doc)
    trigger_ids = [t.id for t in triggers]
    deadlines = reader.obligations(doc, "deadlines", calendars, trigger_ids)
    duties = reader.obligations(doc, "duties", calendars, trigger_ids)
    version = PolicyVersion(
        council=council, version=path.stem, effective_from=effective,
        title=reader.text(doc, "title", "a policy version", required=False) or path.stem, file=file,
        vocabulary=vocab, triggers=triggers,
        recommendation=reader.recommendation(doc, [t.id for t in triggers], [d.id for d in deadlines]),
        chair=reader.chair(doc), invitees=reader.invitees(doc), deadlines=deadlines, duties=duties,
        gates=reader.gates(doc), interventions=reader.interventions(doc),
        calendar=calendar_for(council.nation, tuple(closed)), calendars=calendars,
        # council.yaml too: the compiled policy and remembered answers carry the council (its
        # nation's bank holidays, its document's name), so a change there is a new policy
        content_hash=hashlib.sha256((text + shared_vocabulary_text() + repr(council)).encode()).hexdigest()[:12],
        language=language)
    problems.raise_if_any()
    return version


def _language(doc: LMap, problems: Problems) -> int:
    """The version of the policy language the file is written in: 1 when it says none."""
    value = doc.get("language", 1)
    if isinstance(value, bool) or value not in LANGUAGES:
        known = ", ".join(str(n) for n in LANGUAGES)
        problems.add(doc.value_loc("language"), f"'language' is the version of the policy language this file is "
                                                f"written in, a whole number: {known} (the current is "
                                                f"{CURRENT_LANGUAGE}), not '{value}'. 'hearth policy upgrade' moves "
                                                "a file to the current one.", "language")
        return CURRENT_LANGUAGE if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 1
    return value


def load_policy(folder: Path) -> Policy:
    """Load a council folder: council.yaml and every version, all checked."""
    council = load_council(folder)
    files = sorted((folder / "versions").glob("*.yaml"))
    if not files:
        raise SourceError([_problem(str(folder / "versions"), "This council has no policy versions yet: "
                                                                   "add a file such as versions/2025-01.yaml.")])
    problems, versions = [], []
    for path in files:
        try:
            versions.append(load_version(council, path))
        except SourceError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SourceError(problems)
    versions.sort(key=lambda v: v.effective_from)
    seen: dict = {}
    for v in versions:
        if v.effective_from in seen:
            raise SourceError([_problem(v.file, f"Versions {seen[v.effective_from]} and {v.version} take effect on "
                                                     f"the same day; give each its own effective_from.")])
        seen[v.effective_from] = v.version
    return Policy(council, versions)


def _problem(file: str, message: str) -> Problem:
    return Problem(Loc(file), message)
