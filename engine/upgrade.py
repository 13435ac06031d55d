"""`hearth policy upgrade`: a council's version files moved to the current policy language.

A later language changes only defaults (docs/policy-language.md, "Language versions"), so a file
keeps its meaning when the old default is written out wherever the new one could give another
answer, and then says `language: 2`. Only those keys are added: the file is edited in place with
ruamel's round trip, so its comments, `source` lines, quotes and order stay as they were, and a
file whose layout the round trip would change is refused rather than reformatted. Upgrading a
file already in the current language changes nothing.

The upgrade is of a council's files (a PolicyFiles, wherever they came from): ``upgrade_versions``
says what each version file becomes and ``upgraded`` gives the changed set, writing nothing. The
folder command (hearth.engine.upgrade_cli) reads a folder into a set and writes back the files
that changed.
"""
from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from hearth.rules.source import Loc, Problem, SourceError

from .policy import POLICY_PARTS, load_council, load_version
from .policy_files import PolicyFiles, PolicySource, policy_files
from .policy_model import CURRENT_LANGUAGE, Obligation, PolicyVersion

_HISTORY_KEYS = ("event", "count", "triggered")
_KEY_LINE = re.compile(r"^( *)[A-Za-z_][\w.-]*:\s*(#.*)?$")
_ITEM_LINE = re.compile(r"^( *)- ")


@dataclass
class Upgrade:
    """One version file: where it is, its text before and after, and the old meanings written out."""

    file: str  # as located mistakes name it: <origin>/versions/2025-01.yaml
    before: str
    after: str
    kept: list = field(default_factory=list)  # "deadlines.review_meeting.unless: judged_on: today", ...
    relative: str = ""  # its path among the council's files: versions/2025-01.yaml

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        return "".join(difflib.unified_diff(self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
                                            f"{self.file} (language {_language_of(self.before)})",
                                            f"{self.file} (language {CURRENT_LANGUAGE})"))


def upgrade_versions(source: PolicySource) -> list[Upgrade]:
    """Every version file of a council's files (a PolicyFiles, or its folder), upgraded in
    memory. SourceError when a file has mistakes: they are fixed first (`hearth policy lint`)."""
    files = policy_files(source, POLICY_PARTS)
    council = load_council(files)
    out, problems = [], []
    for relative in files.glob("versions/*.yaml"):
        try:
            version = load_version(council, files, relative)
            out.append(replace(upgrade_text(files.text(relative), version, files.location(relative)), relative=relative))
        except SourceError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SourceError(problems)
    return out


def upgraded(files: PolicyFiles) -> PolicyFiles:
    """The council's files with every version file in the current language (the same set when
    all already are); SourceError as upgrade_versions."""
    return files.replace({upgrade.relative: upgrade.after for upgrade in upgrade_versions(files) if upgrade.changed})


def upgrade_council(folder: Path) -> list[Upgrade]:
    """Every version file of a council folder, upgraded in memory (nothing is written)."""
    return upgrade_versions(Path(folder))


def write(folder: Path, upgrades: list[Upgrade]) -> None:
    """Put the files that changed back in the council's folder, byte for byte."""
    for upgrade in upgrades:
        if upgrade.changed:
            Path(folder).joinpath(*upgrade.relative.split("/")).write_bytes(upgrade.after.encode("utf-8"))


def upgrade_text(text: str, version: PolicyVersion, file: Path | str) -> Upgrade:
    """The file's text in the current language, keeping its meaning under the one it was written for.
    ``file``: where the text is, for located mistakes."""
    file = str(file)
    if version.language >= CURRENT_LANGUAGE:
        return Upgrade(file, text, text)
    yaml = _round_trip(text)
    try:
        doc = yaml.load(text)
    except YAMLError as exc:  # the loader read it, so this is ruamel's limit, not the officer's mistake
        raise SourceError([Problem(Loc(file), f"This file cannot be rewritten keeping its layout ({exc}).")]) from None
    if _dump(yaml, doc) != text:
        raise SourceError([Problem(Loc(file), "This file's layout (its indentation or line breaks) would not "
                                              "survive being rewritten, so it is left as it is: set 'language' "
                                              "and the keys that keep its old meaning by hand "
                                              "(docs/policy-language.md, 'Language versions').")])
    kept: list[str] = []
    models = {ob.id: ob for ob in version.deadlines + version.duties}
    for section in ("deadlines", "duties"):
        for entry in _entries(doc, section):
            oid = str(entry.get("id"))
            where = f"{section}.{oid}"
            due = entry.get("due")
            if isinstance(due, CommentedSeq):
                for index, row in enumerate(due):
                    if isinstance(row, CommentedMap) and "when" in row:
                        _judged_today(row["when"], f"{where}.due[{index}].when", kept)
            if "unless" in entry:
                _judged_today(entry["unless"], f"{where}.unless", kept)
            ob = models.get(oid)
            if ob is not None and "one_event_meets" not in entry and not _one_open_at_a_time(ob):
                _insert_after(entry, "met_by", "one_event_meets", "oldest_open")
                kept.append(f"{where}: one_event_meets: oldest_open")
    for entry in _entries(doc, "gates"):
        if "after_the_fact" in entry and "after_the_fact_overdue" not in entry:
            _insert_after(entry, "after_the_fact", "after_the_fact_overdue", False)
            kept.append(f"gates.{entry.get('id')}: after_the_fact_overdue: false")
    if "language" in doc:
        doc["language"] = CURRENT_LANGUAGE
    else:
        doc.insert(list(doc).index("effective_from") if "effective_from" in doc else 0, "language", CURRENT_LANGUAGE)
    return Upgrade(file, text, _dump(yaml, doc), kept)


def _one_open_at_a_time(ob: Obligation) -> bool:
    """Whether two instances can never be open at once, so which of them a met_by event meets
    cannot matter: every event that starts one is itself a met_by event (any fields), so it
    meets the instance before it as it starts the next."""
    return not ob.met_by.where and set(ob.starts.types) <= set(ob.met_by.types)


def _judged_today(node, where: str, kept: list) -> None:
    """`judged_on: today` on every history condition (event, count, triggered) that says nothing."""
    if isinstance(node, CommentedSeq):
        for item in node:
            _judged_today(item, where, kept)
    elif isinstance(node, CommentedMap):
        if any(key in node for key in _HISTORY_KEYS):
            if "judged_on" not in node:
                node["judged_on"] = "today"
                kept.append(f"{where}: judged_on: today")
            return
        for key in ("all", "any", "not"):
            if key in node:
                _judged_today(node[key], where, kept)


def _insert_after(entry: CommentedMap, after: str, key: str, value) -> None:
    keys = list(entry)
    entry.insert(keys.index(after) + 1 if after in keys else len(keys), key, value)


def _entries(doc, section: str) -> list:
    value = doc.get(section) if isinstance(doc, CommentedMap) else None
    return [entry for entry in value if isinstance(entry, CommentedMap)] if isinstance(value, CommentedSeq) else []


def _round_trip(text: str) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 100_000  # never fold a long `source` line
    yaml.brace_single_entry_mapping_in_flow_sequence = True  # [{one_of: [...]}] keeps its braces
    offset = _sequence_offset(text)
    yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
    return yaml


def _sequence_offset(text: str) -> int:
    """How far a file indents a list's dashes under its key (0 or 2, as people write them)."""
    lines = text.splitlines()
    for line, following in zip(lines, lines[1:]):
        key, item = _KEY_LINE.match(line), _ITEM_LINE.match(following)
        if key and item:
            return max(0, len(item.group(1)) - len(key.group(1)))
    return 2


def _dump(yaml: YAML, doc) -> str:
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def _language_of(text: str) -> int:
    found = re.search(r"^language:\s*(\d+)", text, re.M)
    return int(found.group(1)) if found else 1
