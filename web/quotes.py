"""Finding the sentence a rule quotes in the council's procedure document, to highlight it.

Every ``source:`` of a policy quotes the document word for word; the document page is
asked for one (``?quote=``) and marks its first place. Emphasis marks (``*``, ``**``) and
runs of spaces are not part of the words, so they are passed over when matching: a source
quoting "within five working days" finds "**within five working days**".
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_QUOTE = 2000   # longer than any sentence a source quotes; a longer ?quote= is not looked for


@dataclass(frozen=True)
class MarkedBlock:
    kind: str      # as hearth.web.views.document.Block: "paragraph" or "list"
    lines: tuple   # of lines, each a tuple of (text, marked) runs


def _plain(text: str) -> tuple[str, list[int]]:
    """The text without emphasis marks and with single spaces, and where each character came from."""
    chars: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        if char == "*":
            continue
        if char.isspace():
            if not chars or chars[-1] == " ":
                continue
            char = " "
        chars.append(char)
        positions.append(index)
    return "".join(chars), positions


def find(line: str, quote: str) -> tuple[int, int] | None:
    """Where ``quote`` is in ``line`` (start, end), emphasis and spacing aside, or None."""
    wanted = _plain(quote)[0].strip()
    if not wanted:
        return None
    plain, positions = _plain(line)
    at = plain.find(wanted)
    if at < 0:
        return None
    return positions[at], positions[at + len(wanted) - 1] + 1


def marked(blocks: list, quote: str | None) -> tuple[list[MarkedBlock], bool]:
    """The blocks with their first line holding the quote split into runs, the quote marked;
    and whether it was found."""
    found = False
    out = []
    for block in blocks:
        lines = []
        for line in block.lines:
            where = None if found or not quote or len(quote) > MAX_QUOTE else find(line, quote)
            if where is None:
                lines.append(((line, False),))
                continue
            found = True
            start, end = where
            lines.append(tuple(run for run in ((line[:start], False), (line[start:end], True), (line[end:], False))
                               if run[0]))
        out.append(MarkedBlock(block.kind, tuple(lines)))
    return out, found
