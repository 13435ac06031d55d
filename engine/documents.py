"""A council's procedure document, kept in its own folder: policies/<council>/document/<file>.

council.yaml's ``document:`` names the file; every ``source:`` of the council's policy and
forms quotes it word for word, and the web app shows it to the council's staff, so a
council folder is complete on its own. Loading a council checks the file is there
(``document_problem``), so a misspelt name is a located mistake, not a missing page. The
document is one of the council's files (hearth.engine.policy_files), read from its folder or
wherever the council's policy is kept, as UTF-8 text of at most ``MAX_DOCUMENT_BYTES``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hearth.rules.limits import MAX_YAML_BYTES
from hearth.rules.source import Loc, Problem, suggest

from .policy_files import DOCUMENT_DIR, PolicyFiles, PolicySource, policy_files
from .policy_model import Council

__all__ = ["DOCUMENT_DIR", "CouncilDocument", "document_path", "document_problem", "read_document"]

# A procedure document is a few pages of text; a file far larger is not one.
MAX_DOCUMENT_BYTES = MAX_YAML_BYTES


@dataclass(frozen=True)
class CouncilDocument:
    name: str      # the file's name, as council.yaml gives it and sources cite it
    text: str


def document_path(folder: Path, name: str) -> Path:
    return folder / DOCUMENT_DIR / name


def document_problem(source: PolicySource, name: str, loc: Loc) -> Problem | None:
    """What is wrong with council.yaml's ``document: name`` for this council's files (or folder), or None."""
    if "/" in name or "\\" in name or name in (".", ".."):
        return Problem(loc, f"'document' is the name of a file in the council's {DOCUMENT_DIR}/ folder, without a "
                            "folder, for example document: guidance-2025.txt.", "document")
    files = _documents(source)
    if files.has(f"{DOCUMENT_DIR}/{name}"):
        return None
    present = [relative.split("/", 1)[1] for relative in files.glob(f"{DOCUMENT_DIR}/*")]
    return Problem(loc, f"There is no {DOCUMENT_DIR}/{name} in this council's folder.{suggest(name, present)} Put the "
                        f"council's procedure document there as plain text (every 'source' quotes it), or correct "
                        "the name.", "document")


def read_document(source: PolicySource, council: Council) -> CouncilDocument | None:
    """The council's document as text (None when council.yaml names none); SourceError,
    located, when it cannot be read as UTF-8 text of a sensible size. ``source``: the
    council's PolicyFiles, or its folder."""
    if not council.document:
        return None
    files = _documents(source)
    text = files.text(f"{DOCUMENT_DIR}/{council.document}")
    return CouncilDocument(council.document, text.replace("\r\n", "\n").replace("\r", "\n"))


def _documents(source: PolicySource) -> PolicyFiles:
    return policy_files(source, (DOCUMENT_DIR,))
