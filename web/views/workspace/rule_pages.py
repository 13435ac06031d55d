"""What the rule editors' pages share (hearth.web.views.workspace.edit_rules for triggers,
edit_obligations for deadlines and duties, edit_gates for gates): the workspace opened on the
version file the editors change with its vocabulary, the reading of posted values with a located
message for each mistake, and the one course every rule page takes from a post to
hearth.web.views.workspace.editing.check_and_save, so the three pages cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, request, url_for

from hearth.engine.editing.rule_parts import UNITS, event_choices, version_vocabulary
from hearth.engine.editing.yaml_text import EditError, YamlText
from hearth.engine.vocabulary import Vocabulary
from hearth.rules.durations import Duration, Unit
from hearth.rules.limits import text_problem

from ...audit import audit
from ...models import AuditAction
from .access import workspace_council
from .editing import OBJECT, Editable, check_and_save, editable, version_path, without_revision

MAX_SOURCE_LENGTH = 2_000   # a source is one sentence of the document; the longest shipped is under 300


@dataclass(frozen=True)
class Rules:
    """What every page of these editors works on: the council, its workspace files, the version
    file the editors change, that file's text and its vocabulary."""

    shown: object
    editing: Editable
    path: str
    document: YamlText
    vocabulary: Vocabulary

    @property
    def events(self) -> tuple:
        return event_choices(self.vocabulary)

    @property
    def event_order(self) -> tuple:
        return tuple(event_id for event_id, _ in self.events)

    def label(self, event_id: str) -> str:
        event = self.vocabulary.event_types.get(event_id)
        return event.label if event is not None else event_id

    def labels(self, event_ids, joiner: str = " or ") -> str:
        return joiner.join(self.label(event_id) for event_id in event_ids)

    def action_label(self, action: str) -> str:
        return self.vocabulary.actions.get(action, {}).get("label", action)


def open_rules(council: str, page: str, required: bool = True, **detail) -> tuple[object, Rules | None]:
    """The signed-in officer's council and its rules (404 for another council's; ``required``
    pages are a 404 too when nothing is published yet, and go to the YAML editor when the
    version file is not YAML), the page view audited."""
    shown = workspace_council(council)
    editing = editable(shown.id)
    path = version_path(editing.files) if editing is not None else None
    if request.method == "GET":
        audit(AuditAction.VIEWED, OBJECT, shown.id, {"page": page, **detail})
    if path is None:
        if required:
            abort(404)
        return shown, None
    try:
        document = editing.document(path)
    except EditError:
        if required:   # a version file that is not YAML: only the YAML editor can mend it
            flash(f"{path} is not YAML these pages can read: correct it in the YAML editor first.")
            abort(redirect(url_for("workspace_drafts.edit", council=shown.id, path=path)))
        return shown, None
    return shown, Rules(shown, editing, path, document, version_vocabulary(document))


def yaml_link(rules: Rules) -> str:
    return url_for("workspace_drafts.edit", council=rules.shown.id, path=rules.path)


def common(rules: Rules | None, shown, **extra) -> dict:
    return dict(shown_council=shown, stage="workspace_drafts.index", rules=rules,
                yaml_link=yaml_link(rules) if rules else None,
                index_link=url_for("workspace_editing.index", council=shown.id), **extra)


# ---------------------------------------------------------------- reading the form
def whole(name: str, errors: dict, message: str, least: int, most: int) -> int | None:
    """A whole number from ``least`` to ``most`` (six digits at most), else ``message`` on the field."""
    raw = request.form.get(name, "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 6 and least <= int(raw) <= most:
        return int(raw)
    errors[name] = message
    return None


def chosen(name: str, allowed, errors: dict, message: str, required: bool = True) -> tuple[str, ...]:
    """The ticked values, each once, in the order posted; one the page never offered is refused."""
    picked = tuple(dict.fromkeys(request.form.getlist(name)))
    allowed = set(allowed)
    if any(value not in allowed for value in picked):
        errors[name] = "Choose from the list shown."
        return ()
    if required and not picked:
        errors[name] = message
    return picked


def text(name: str, errors: dict, what: str, most: int, required: bool) -> str:
    """One line of text (a title, a source sentence): typed line breaks become spaces, bounded."""
    value = " ".join(line.strip() for line in request.form.get(name, "").strip().splitlines())
    problem = text_problem(value, most)
    if required and not value:
        errors[name] = f"Enter {what}."
    elif problem:
        errors[name] = f"{what[0].upper()}{what[1:]} cannot be saved: {problem}."
    return value


def unit(name: str, errors: dict, offered) -> Unit | None:
    """The chosen unit, only from those ``offered``."""
    value = request.form.get(name, "")
    for choice in offered:
        if choice.value == value:
            return choice
    errors[name] = "Choose working days, days, weeks or months."
    return None


def units(current: Duration | None) -> tuple:
    """The units offered: the four a procedure uses, and the rule's own if it is another (hours)."""
    return UNITS + ((current.unit,) if current is not None and current.unit not in UNITS else ())


def titled(errors: dict, title: str) -> str:
    """A page's title, "Error: " first when it shows mistakes (so a screen reader hears it first)."""
    return f"Error: {title}" if errors else title


def error_list(errors: dict, order) -> list[dict]:
    """The error summary's links, field by field; "form" is a change the file could not take."""
    return [{"text": errors[name], "href": f"#{name}" if name != "form" else "#rule-form"}
            for name in ("form", *order) if name in errors]



# ---------------------------------------------------------------- the course of every rule page
def located(position: int | None) -> int:
    """A rule's place in its list; a rule the file does not have is a 404."""
    if position is None:
        abort(404)
    return position


def rows(rules: Rules | None, ids_of, read, words) -> list[tuple]:
    """A listing's rows: each rule ``read(document, position)`` from the file, with what it does in
    words; none before anything is published."""
    if rules is None:
        return []
    return [(item, words(rules, item)) for item in (read(rules.document, position)
                                                     for position, _ in enumerate(ids_of(rules.document)))]


def save(rules: Rules, write, page, *, back: str, editor: str, what: str):
    """Write the posted values into this request's document and show the change before saving;
    a change the file cannot take is shown on the page (400), nothing written."""
    document = rules.document   # read for this request alone: written in place
    try:
        write(document)
    except EditError as error:
        return page(errors={"form": str(error)}, status=400)
    return check_and_save(rules.shown, rules.editing, path=rules.path, new_text=document.text,
                          back=back, editor=editor, what=what)


def edit(rules: Rules, current, page, posted, write, *, back: str, editor: str, what: str):
    """One rule's page: shown on a GET; a post of a rule the page cannot express is refused (the
    page again, 400) and never rewritten; posted values with mistakes are shown with them (400);
    else ``posted(errors)``'s values go to ``write(document, values)`` and on to the check."""
    if request.method == "POST" and (unposted := without_revision(request.path)):
        return unposted
    if request.method == "GET" or not current.expressible:
        return page(status=200 if request.method == "GET" else 400)
    errors: dict = {}
    values = posted(errors)
    if errors:
        return page(errors=errors, status=400)
    return save(rules, lambda document: write(document, values), page, back=back, editor=editor, what=what)


def remove(rules: Rules, position: int | None, remove_from, *, back: str, editor: str, what: str):
    """Remove a rule (shown first, like every change; lint names any rule that still mentions it)."""
    position = located(position)
    if unposted := without_revision(back):
        return unposted
    document = rules.document   # read for this request alone: written in place
    remove_from(document, position)
    return check_and_save(rules.shown, rules.editing, path=rules.path, new_text=document.text,
                          back=back, editor=editor, what=what)
