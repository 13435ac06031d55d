"""A council's procedure document, kept in its own folder: policies/<council>/document/<file>.

council.yaml's ``document:`` names the file; every ``source:`` of the council's policy and
forms quotes it word for word, and the web app shows it to the council's staff, so a
council folder is complete on its own. Loading a council checks the file is there
(``document_problem``), so a misspelt name is a located mistake, not a missing page.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hearth.rules.limits import MAX_YAML_BYTES
from hearth.rules.source import Loc, Problem, SourceError, suggest

from .policy_model import Council

__all__ = ["DOCUMENT_DIR", "CouncilDocument", "document_path", "document_problem", "read_document"]

DOCUMENT_DIR = "document"
# A procedure document is a few pages of text; a file far larger is not one.
MAX_DOCUMENT_BYTES = MAX_YAML_BYTES


@dataclass(frozen=True)
class CouncilDocument:
    name: str      # the file's name, as council.yaml gives it and sources cite it
    text: str


def document_path(folder: Path, name: str) -> Path:
    return folder / DOCUMENT_DIR / name


def document_problem(folder: Path, name: str, loc: Loc) -> Problem | None:
    """What is wrong with council.yaml's ``document: name`` for this council folder, or None."""
    if "/" in name or "\\" in name or name in (".", ".."):
        return Problem(loc, f"'document' is the name of a file in the council's {DOCUMENT_DIR}/ folder, without a "
                            "folder, for example document: guidance-2025.txt.", "document")
    if document_path(folder, name).is_file():
        return None
    present = sorted(p.name for p in (folder / DOCUMENT_DIR).glob("*") if p.is_file()) \
        if (folder / DOCUMENT_DIR).is_dir() else []
    return Problem(loc, f"There is no {DOCUMENT_DIR}/{name} in this council's folder.{suggest(name, present)} Put the "
                        f"council's procedure document there as plain text (every 'source' quotes it), or correct "
                        "the name.", "document")


def read_document(folder: Path, council: Council) -> CouncilDocument | None:
    """The council's document as text (None when council.yaml names none); SourceError,
    located, when it cannot be read as UTF-8 text of a sensible size."""
    if not council.document:
        return None
    path = document_path(folder, council.document)
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError([Problem(Loc(file), f"The council's document cannot be read ({exc.strerror or exc}).")]) \
            from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise SourceError([Problem(Loc(file), f"The council's document is {len(data):,} bytes; at most "
                                              f"{MAX_DOCUMENT_BYTES:,} (a procedure, as plain text).")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError([Problem(Loc(file), f"The council's document is not UTF-8 text (byte {exc.start + 1}); "
                                              "save it as UTF-8 plain text.")]) from None
    return CouncilDocument(council.document, text.replace("\r\n", "\n").replace("\r", "\n"))
