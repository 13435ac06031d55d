"""Reading a council's policy: council.yaml and versions/*.yaml of its files.

Loading validates everything a policy officer could get wrong and reports it
with file, line, column and a plain-English fix; a policy with any mistake is
not loaded at all, and no file, however broken (bytes that are not UTF-8, a
list where a name goes, a mapping where a date goes), gets past as a
traceback. The values built are hearth.engine.policy_model's; they are named
here too, so ``from hearth.engine.policy import PolicyVersion`` keeps working; a version
file's sections are read by hearth.engine.policy_reader. The files are a
hearth.engine.policy_files.PolicyFiles, wherever they are kept; a folder is read into one
(``load_policy(folder)`` is ``load_policy(PolicyFiles.from_folder(folder))``), so there is
one way of loading and every mistake is located at ``<origin>/<file>:line:col``.
See docs/policy-language.md for the language.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import date
from pathlib import Path, PurePosixPath

from hearth.rules.source import LMap, Loc, Problem, Problems, SourceError, load_yaml, parse_date, suggest

from .calendar import NATIONS, calendar_for
from .council_settings import read_settings
from .documents import document_problem
from .policy_files import COUNCIL_FILE, DOCUMENT_DIR, PolicyFiles, PolicySource, policy_files, read_policy_file
from .policy_model import (CURRENT_LANGUAGE, LANGUAGES, Council, DueRow, EventSpec, Gate, Intervention, Move,
                           NoPolicyInForce, Obligation, Plan, Policy, PolicyVersion, Row, Trigger)
from .policy_reader import SectionReader, read_dates
from .vocabulary import merge_vocabulary, shared_vocabulary, shared_vocabulary_text

__all__ = ["COUNCIL_KEYS", "VERSION_KEYS", "Council", "DueRow", "EventSpec", "Gate", "Intervention", "Move",
           "NoPolicyInForce", "Obligation", "Plan", "Policy", "PolicyVersion", "Row", "Trigger",
           "PolicyFiles", "load_council", "load_policy", "load_version", "read_policy_file"]

VERSION_KEYS = ("language", "effective_from", "title", "vocabulary", "closed_days", "calendars", "triggers",
                "recommendation", "chair", "invitees", "deadlines", "duties", "gates", "interventions")
COUNCIL_KEYS = ("name", "short_name", "nation", "document", "brand", "sign_in", "records", "notify", "form_order",
                "entry_checks")
BRAND_KEYS = ("colour",)
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# What each loader reads of a council's folder (a mistake in a form or a test never stops the policy loading).
COUNCIL_PARTS = (COUNCIL_FILE, DOCUMENT_DIR)
POLICY_PARTS = (COUNCIL_FILE, "versions", DOCUMENT_DIR)


# ----------------------------------------------------------------------- loader
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


def load_council(source: PolicySource) -> Council:
    """council.yaml, checked: every page names its council and draws its colour from it.
    ``source``: the council's PolicyFiles, or its folder."""
    files = policy_files(source, COUNCIL_PARTS)
    problems = Problems()
    file = files.location(COUNCIL_FILE)
    if not files.has(COUNCIL_FILE):
        raise SourceError([Problem(Loc(file), "There is no council.yaml in this folder.")])
    doc = load_yaml(files.text(COUNCIL_FILE), file)
    if not isinstance(doc, LMap):
        raise SourceError([Problem(getattr(doc, "loc", Loc(file, 1, 1)),
                                   "council.yaml must be a mapping with name, nation and brand.")])
    problems.check_keys(doc, COUNCIL_KEYS, "council.yaml", required=["name", "nation"])
    name = _text_value(doc, "name", problems, "Northshire County Council")
    short_name = _text_value(doc, "short_name", problems, "Northshire", default=name)
    document = _text_value(doc, "document", problems, "guidance-2025.txt")
    missing = document_problem(files, document, doc.value_loc("document")) if document else None
    if missing:
        problems.add(missing.loc, missing.message, missing.field)
    nation = doc.get("nation", "england")
    if not isinstance(nation, str) or nation not in NATIONS:
        problems.add(doc.value_loc("nation"), f"'{nation}' is not a nation I know.{suggest(str(nation), NATIONS)} "
                                              f"Nations: {', '.join(NATIONS)}.", "nation")
    brand = _brand(doc, problems)
    settings = read_settings(doc, problems)
    problems.raise_if_any()
    return Council(files.council_id, name, short_name, nation, document, brand, settings)


def load_version(council: Council, source: PolicySource, relative: str | None = None) -> PolicyVersion:
    """Load and check one version file; raises SourceError listing every problem. ``source``:
    the council's PolicyFiles with ``relative`` the version's path in it (versions/2025-01.yaml),
    or the version file itself."""
    if isinstance(source, PolicyFiles):
        return _version(council, source.text(relative), source.location(relative), PurePosixPath(relative).stem)
    path = Path(source)
    return _version(council, read_policy_file(path), str(path), path.stem)


def _version(council: Council, text: str, file: str, version_name: str) -> PolicyVersion:
    """One version from its text; ``file`` is where mistakes are located."""
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
        council=council, version=version_name, effective_from=effective,
        title=reader.text(doc, "title", "a policy version", required=False) or version_name, file=file,
        vocabulary=vocab, triggers=triggers,
        recommendation=reader.recommendation(doc, [t.id for t in triggers], [d.id for d in deadlines]),
        chair=reader.chair(doc), invitees=reader.invitees(doc), deadlines=deadlines, duties=duties,
        gates=reader.gates(doc), interventions=reader.interventions(doc),
        calendar=calendar_for(council.nation, tuple(closed)), calendars=calendars,
        # council.yaml too: the compiled policy and remembered answers carry the council (its
        # nation's bank holidays, its document's name), so a change there is a new policy
        rules_hash=hashlib.sha256((text + shared_vocabulary_text() + repr(council)).encode()).hexdigest()[:12],
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


def load_policy(source: PolicySource) -> Policy:
    """Load a council's policy, council.yaml and every version, all checked. ``source``: the
    council's PolicyFiles, or its folder (read into one: the same loading). Each version names
    the content hash of the whole set of files it came from (``policy_hash``: what a publication
    of them is known by, and what records made under it keep)."""
    policy_hash = set_hash(source)
    files = policy_files(source, POLICY_PARTS)
    council = load_council(files)
    names = files.glob("versions/*.yaml")
    if not names:
        raise SourceError([_problem(files.location("versions"), "This council has no policy versions yet: "
                                                                "add a file such as versions/2025-01.yaml.")])
    problems, versions = [], []
    for relative in names:
        try:
            versions.append(load_version(council, files, relative))
        except SourceError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SourceError(problems)
    versions = sorted((replace(v, policy_hash=policy_hash) for v in versions), key=lambda v: v.effective_from)
    seen: dict = {}
    for v in versions:
        if v.effective_from in seen:
            raise SourceError([_problem(v.file, f"Versions {seen[v.effective_from]} and {v.version} take effect on "
                                                     f"the same day; give each its own effective_from.")])
        seen[v.effective_from] = v.version
    return Policy(council, versions)


def set_hash(source: PolicySource) -> str:
    """The content hash of a council's whole set of files: a PolicyFiles', or its folder's read
    as one. Empty for a folder that does not read as a set (a mistake in a form or a test file
    never stops the policy loading; lint reports it)."""
    if isinstance(source, PolicyFiles):
        return source.content_hash()
    try:
        return PolicyFiles.from_folder(Path(source)).content_hash()
    except SourceError:
        return ""


def _problem(file: str, message: str) -> Problem:
    return Problem(Loc(file), message)
