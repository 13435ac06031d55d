"""The council's procedure document: the text every `source` of its policy and forms quotes,
kept in its folder (policies/<council>/document/) and shown to the council's own staff
(social workers, managers and policy officers).

The text is shown as it is written, escaped: paragraphs where the document has blank lines,
line breaks kept, and a run of lines each starting "- " as a list. Another council's
document is a 404, audited like any other cross-council attempt. Where a page quotes the
document ("From <file>"), the name links here (``document_url``, a template global), with
the sentence quoted (``?quote=``) highlighted and scrolled to (hearth.web.quotes).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, request, url_for

from hearth.engine import api
from hearth.engine.documents import read_document

from ..audit import audit
from ..auth import role_required
from ..councils import current_council
from ..evaluation import today
from ..models import AuditAction, Role
from ..quotes import marked
from ..scoping import own_council_or_404

bp = Blueprint("document", __name__, url_prefix="/councils")

DOCUMENT_ROLES = (Role.WORKER, Role.MANAGER, Role.POLICY_OFFICER)  # the council's staff
_BULLET = re.compile(r"^\s*[-*•]\s+")
_MAX_TITLE = 120
QUOTED_ID = "quoted"   # the highlighted sentence's id: a source's link scrolls to it


@dataclass(frozen=True)
class Block:
    kind: str      # "paragraph" (its lines kept) or "list" (its items)
    lines: tuple


def blocks_of(text: str) -> list[Block]:
    """The document's paragraphs (split at blank lines) and bulleted lists, as plain text."""
    out = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = tuple(line.rstrip() for line in chunk.strip("\n").split("\n") if line.strip())
        if not lines:
            continue
        if all(_BULLET.match(line) for line in lines):
            out.append(Block("list", tuple(_BULLET.sub("", line) for line in lines)))
        else:
            out.append(Block("paragraph", lines))
    return out


@bp.app_template_global()
def document_url(name: str | None, quote: str | None = None) -> str | None:
    """The page of the signed-in user's council's document, when ``name`` is that document;
    with ``quote``, the page with that sentence highlighted and scrolled to."""
    council = current_council()
    if not name or council is None or council.document != name:
        return None
    if quote:
        return url_for("document.show", council=council.id, quote=quote, _anchor=QUOTED_ID)
    return url_for("document.show", council=council.id)


@bp.get("/<council>/document")
@role_required(*DOCUMENT_ROLES)
def show(council: str):
    shown = own_council_or_404(council, "council_document")
    try:
        document = read_document(api.council_source(shown.id, today()), shown)
    except api.SourceError as exc:
        current_app.logger.warning("The document of %s cannot be shown: %s", shown.id, exc)
        abort(404)
    if document is None:
        abort(404)
    audit(AuditAction.VIEWED, "council_document", shown.id, {"document": document.name}, council_id=shown.id)
    blocks = blocks_of(document.text)
    heading = None
    if blocks and blocks[0].kind == "paragraph" and len(blocks[0].lines) == 1 and \
            len(blocks[0].lines[0]) <= _MAX_TITLE:
        heading, blocks = blocks[0].lines[0], blocks[1:]
    quote = request.args.get("quote")
    blocks, found = marked(blocks, quote)
    return render_template("document.html", document=document, shown_council=shown, heading=heading, blocks=blocks,
                           quote=quote, found=found, quoted_id=QUOTED_ID)
