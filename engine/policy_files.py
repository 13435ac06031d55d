"""A council's policy as a set of named files, wherever the text came from.

Every loader of a council's policy (council.yaml and versions in hearth.engine.policy, the
forms catalog, policy tests, the procedure document, the demo cases) reads a PolicyFiles:
the council's files by relative POSIX path (``council.yaml``, ``versions/2025-01.yaml``,
``forms/_versions/funding_request/1.yaml``, ``document/guidance.txt``) and an ``origin``
every located mistake starts with. A folder is read into one (``from_folder``; its origin is
the folder's path, so messages read as they always have), and a store that is not a disk
builds one from its texts with an origin of its own (``db:<council>/draft``), so a mistake is
``<origin>/versions/2025-01.yaml:12:7`` wherever the policy lives. The set is immutable;
``replace`` gives a changed copy, ``content_hash`` names the set whatever its origin, and
``write_to`` puts the exact bytes back in a folder.

Only a council's own kinds of file may be in a set, at safe relative paths; every file is
UTF-8 text (YAML files without the control characters YAML forbids) within the bounds of
hearth.rules.limits, so whatever a set holds can be written to a folder and read back.
"""
from __future__ import annotations

import hashlib
import re
from fnmatch import fnmatchcase
from pathlib import Path
from types import MappingProxyType
from typing import Iterator, Mapping, Union

from hearth.rules.limits import MAX_NAME_LENGTH, MAX_POLICY_BYTES, MAX_POLICY_FILES, MAX_YAML_BYTES
from hearth.rules.source import Loc, Problem, SourceError, suggest

__all__ = ["COUNCIL_FILE", "DOCUMENT_DIR", "FORM_VERSIONS_DIR", "PARTS", "PolicyFiles", "PolicySource",
           "policy_files", "read_policy_file"]

COUNCIL_FILE = "council.yaml"
DOCUMENT_DIR = "document"
FORM_VERSIONS_DIR = "_versions"
DEMO_PATH = "demo/cases.yaml"
# What a council's files are made of: council.yaml and its folders. A loader reading a folder
# reads only the parts it needs, so a mistake in a test file never stops the policy loading.
PARTS = (COUNCIL_FILE, "versions", "forms", "tests", "demo", DOCUMENT_DIR)
# Where each part's files are, as patterns of whole path segments.
_PATTERNS = {
    COUNCIL_FILE: (COUNCIL_FILE,),
    "versions": ("versions/*.yaml",),
    "forms": ("forms/*.yaml", f"forms/{FORM_VERSIONS_DIR}/*/*.yaml"),
    "tests": ("tests/*.yaml",),
    "demo": (DEMO_PATH,),
    DOCUMENT_DIR: (f"{DOCUMENT_DIR}/*",),
}
_SHAPES = {
    "versions": "versions/<name>.yaml",
    "forms": f"forms/<form id>.yaml or forms/{FORM_VERSIONS_DIR}/<form id>/<version>.yaml",
    "tests": "tests/<name>.yaml",
    "demo": DEMO_PATH,
    DOCUMENT_DIR: f"{DOCUMENT_DIR}/<file name>",
}
# Characters YAML 1.2 does not allow in a file (tab, line ends and printable text are fine).
_NOT_YAML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_NOT_IN_NAME = re.compile("[\x00-\x1f\x7f]")


# ---------------------------------------------------------------- reading text
def read_policy_file(path: Path) -> str:
    """A policy file's text. Bytes that are not UTF-8 are refused at their line and column
    (an editor saving in another encoding is the usual cause), and a file that cannot be
    opened is a located problem, never an OSError."""
    return _policy_text(str(path), _read_bytes(path, str(path)))


def _read_bytes(path: Path, file: str, what: str = "This file") -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError([Problem(Loc(file), f"{what} is missing.")]) from None
    except OSError as exc:
        raise SourceError([Problem(Loc(file), f"{what} cannot be read ({exc.strerror or exc}).")]) from None


def _policy_text(file: str, data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError([Problem(_loc_at(file, data[:exc.start].decode("utf-8", "replace")),
                                   f"The file is not UTF-8 text here (byte 0x{data[exc.start]:02x}). Save it as "
                                   "UTF-8 from your editor, or retype the character.")]) from None
    _check_yaml_characters(file, text)
    return text


def _check_yaml_characters(file: str, text: str) -> None:
    control = _NOT_YAML.search(text)
    if control:
        raise SourceError([Problem(_loc_at(file, text[:control.start()]),
                                   f"The file has a control character here (U+{ord(control.group()):04X}), which "
                                   "YAML does not allow; delete it (it is often invisible in an editor).")])


def _document_text(file: str, data: bytes) -> str:
    """A procedure document: UTF-8 text (the YAML rules about control characters are not for it)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError([Problem(Loc(file), f"The council's document is not UTF-8 text (byte {exc.start + 1}); "
                                              "save it as UTF-8 plain text.")]) from None


def _loc_at(file: str, before: str) -> Loc:
    """Where the text that follows ``before`` starts, as an editor counts lines and columns."""
    return Loc(file, before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1)


def _is_document(relative: str) -> bool:
    return relative.startswith(DOCUMENT_DIR + "/")


# ---------------------------------------------------------------- the set
class PolicyFiles:
    """One council's files: relative POSIX path -> text, immutable. Building one checks every
    path and text (SourceError listing every problem, located at ``origin/path``)."""

    __slots__ = ("council_id", "origin", "_texts")

    def __init__(self, council_id: str, origin: str, texts: Mapping[str, str]):
        problems = _problems_of(origin, texts)
        if problems:
            raise SourceError(problems)
        object.__setattr__(self, "council_id", str(council_id))
        object.__setattr__(self, "origin", str(origin))
        object.__setattr__(self, "_texts", MappingProxyType(dict(sorted(texts.items()))))

    def __setattr__(self, name, value):
        raise AttributeError("PolicyFiles cannot be changed; replace() gives a changed copy.")

    def __repr__(self) -> str:
        return f"PolicyFiles({self.council_id!r}, {self.origin!r}, {len(self._texts)} files)"

    def __eq__(self, other) -> bool:
        return (isinstance(other, PolicyFiles) and (self.council_id, self.origin) == (other.council_id, other.origin)
                and dict(self._texts) == dict(other._texts))

    def __hash__(self) -> int:
        return hash((self.council_id, self.origin, self.content_hash()))

    def __len__(self) -> int:
        return len(self._texts)

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __contains__(self, relative: object) -> bool:
        return relative in self._texts

    # --- building
    @classmethod
    def from_folder(cls, folder: Path | str, parts: tuple = PARTS) -> PolicyFiles:
        """The council's files in ``folder`` (only those of ``parts``), each read as a policy file
        is (UTF-8, no control characters, within the limits); SourceError listing every file
        that cannot be. Other files in the folder (a README, an editor's backup) are not part of
        the policy and are left out."""
        folder = Path(folder)
        origin = str(folder)
        found = [relative for part in parts for pattern in _PATTERNS[part]
                 for relative in _glob_folder(folder, pattern)]
        if len(found) > MAX_POLICY_FILES:
            raise SourceError([Problem(Loc(origin), f"This council has {len(found):,} files; a council's policy may "
                                                    f"have at most {MAX_POLICY_FILES:,} (see docs/limits.md).")])
        texts, problems, total = {}, [], 0
        for relative in found:
            path, file = folder / relative, _location(origin, relative)
            try:
                size = path.stat().st_size
                if size > MAX_YAML_BYTES:  # refused before it is read into memory
                    raise SourceError([_too_big(file, size)])
                data = _read_bytes(path, file)
                total += len(data)
                texts[relative] = _document_text(file, data) if _is_document(relative) else _policy_text(file, data)
            except OSError as exc:
                problems.append(Problem(Loc(file), f"This file cannot be read ({exc.strerror or exc})."))
            except SourceError as exc:
                problems.extend(exc.problems)
        if total > MAX_POLICY_BYTES:
            problems.append(_too_much(origin, total))
        if problems:
            raise SourceError(problems)
        return cls(folder.name or folder.resolve().name, origin, texts)

    def replace(self, changes: Mapping[str, str | None], origin: str | None = None) -> PolicyFiles:
        """A copy with these files changed (None: removed), checked as any set is."""
        texts = dict(self._texts)
        for relative, text in changes.items():
            if text is None:
                texts.pop(relative, None)
            else:
                texts[relative] = text
        return PolicyFiles(self.council_id, self.origin if origin is None else origin, texts)

    # --- reading
    @property
    def texts(self) -> Mapping[str, str]:
        return self._texts

    def has(self, relative: str) -> bool:
        return relative in self._texts

    def text(self, relative: str) -> str:
        """A file's text; SourceError at its location when the set has no such file."""
        if relative not in self._texts:
            raise SourceError([Problem(Loc(self.location(relative)), "This file is missing.")])
        return self._texts[relative]

    def glob(self, pattern: str) -> list[str]:
        """The relative paths matching a pattern of whole segments (``versions/*.yaml``), sorted."""
        wanted = pattern.split("/")
        return [relative for relative in self._texts
                if len(parts := relative.split("/")) == len(wanted) and all(map(fnmatchcase, parts, wanted))]

    def location(self, relative: str = "") -> str:
        """Where a file is, as located mistakes name it: ``<origin>/<relative>``."""
        return _location(self.origin, relative)

    def content_hash(self) -> str:
        """SHA-256 (hex) of the files, their paths and exact text: the same set gives the same hash
        whatever its origin and whatever order it was built in."""
        digest = hashlib.sha256()
        for relative, text in sorted(self._texts.items()):
            name, data = relative.encode(), text.encode("utf-8")
            digest.update(b"%d:%s\0%d:" % (len(name), name, len(data)))
            digest.update(data)
        return digest.hexdigest()

    # --- writing
    def write_to(self, folder: Path | str) -> Path:
        """Write every file under ``folder`` (created if need be), byte for byte as it was read.
        Files already there and not in the set are left alone."""
        folder = Path(folder)
        for relative, text in self._texts.items():
            path = folder.joinpath(*relative.split("/"))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        return folder


PolicySource = Union[Path, str, PolicyFiles]


def policy_files(source: PolicySource, parts: tuple = PARTS) -> PolicyFiles:
    """The loaders' one way in: a PolicyFiles as it is, a folder read into one (only ``parts``)."""
    return source if isinstance(source, PolicyFiles) else PolicyFiles.from_folder(Path(source), parts)


def _location(origin: str, relative: str) -> str:
    if not relative:
        return origin
    return relative if origin in ("", ".") else f"{origin.rstrip('/')}/{relative}"


def _glob_folder(folder: Path, pattern: str) -> list[str]:
    """The files under ``folder`` matching a pattern of whole segments, as relative POSIX paths."""
    if "*" not in pattern:
        return [pattern] if (folder / pattern).is_file() else []
    hidden = pattern.startswith(DOCUMENT_DIR + "/")  # an editor's or a file manager's (.DS_Store) is no document
    return sorted(path.relative_to(folder).as_posix() for path in folder.glob(pattern)
                  if not path.is_dir() and not (hidden and path.name.startswith(".")))


def _too_big(file: str, size: int) -> Problem:
    return Problem(Loc(file), f"This file is {size:,} bytes; a policy file may be at most {MAX_YAML_BYTES:,} "
                              "(see docs/limits.md).")


def _too_much(origin: str, total: int) -> Problem:
    return Problem(Loc(origin), f"This council's files come to {total:,} bytes; a council's policy may be at most "
                                f"{MAX_POLICY_BYTES:,} bytes (see docs/limits.md).")


# ---------------------------------------------------------------- checking a set
def _problems_of(origin: str, texts: Mapping[str, str]) -> list[Problem]:
    if len(texts) > MAX_POLICY_FILES:
        return [Problem(Loc(origin), f"This council has {len(texts):,} files; a council's policy may have at most "
                                     f"{MAX_POLICY_FILES:,} (see docs/limits.md).")]
    problems, total = [], 0
    for relative, text in texts.items():
        file = _location(origin, str(relative))
        wrong = path_problem(relative)
        if wrong:
            problems.append(Problem(Loc(file), wrong))
            continue
        if not isinstance(text, str):
            problems.append(Problem(Loc(file), f"A file's content is text, not {type(text).__name__}."))
            continue
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError as exc:
            problems.append(Problem(_loc_at(file, text[:exc.start]), "The file is not UTF-8 text here (an unpaired "
                                                                     "surrogate); retype the character."))
            continue
        total += size
        if size > MAX_YAML_BYTES:
            problems.append(_too_big(file, size))
        elif not _is_document(relative):
            try:
                _check_yaml_characters(file, text)
            except SourceError as exc:
                problems.extend(exc.problems)
    if total > MAX_POLICY_BYTES:
        problems.append(_too_much(origin, total))
    return problems


def path_problem(relative: object) -> str | None:
    """What is wrong with a file's place in a council's files, in a plain sentence, or None."""
    if not isinstance(relative, str) or not relative:
        return "A file needs a name: a path such as versions/2025-01.yaml."
    if "\\" in relative:
        return f"'{relative}' uses '\\'; a file's path joins its folders with '/', for example versions/2025-01.yaml."
    if relative.startswith("/") or re.match(r"^[A-Za-z]:", relative):
        return f"'{relative}' is an absolute path; a council's files are named from its folder, for example " \
               "versions/2025-01.yaml."
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return f"'{relative}' has an empty, '.' or '..' part; a council's files stay inside its folder, named like " \
               "versions/2025-01.yaml."
    if _NOT_IN_NAME.search(relative) or any(len(part) > MAX_NAME_LENGTH for part in parts):
        return f"'{relative[:80]}' is not a file name: names are at most {MAX_NAME_LENGTH} characters, without " \
               "control characters."
    top = parts[0]
    if len(parts) == 1:
        if top == COUNCIL_FILE:
            return None
        return f"'{top}' is not one of a council's files.{suggest(top, PARTS)} A council has council.yaml and the " \
               f"folders {', '.join(part + '/' for part in PARTS[1:])}."
    if top not in _SHAPES:
        return f"'{top}/' is not one of a council's folders.{suggest(top, PARTS[1:])} A council has council.yaml " \
               f"and the folders {', '.join(part + '/' for part in PARTS[1:])}."
    if not any(len(parts) == len(pattern.split("/")) and all(map(fnmatchcase, parts, pattern.split("/")))
               for pattern in _PATTERNS[top]):
        return f"'{relative}' is not where a council keeps such a file: in {top}/, files are {_SHAPES[top]}."
    return None
