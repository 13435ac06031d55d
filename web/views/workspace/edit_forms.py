"""Editors without YAML for a form's questions (issue 11; see hearth.web.views.workspace.editing),
as GOV.UK Forms has them: the council's forms; a form's questions section by section with
Change, Move up, Move down and Remove; a question's type, label, hint, whether it must be
answered, its options and when it is shown; adding a question; and the draft's form previewed
as workers will see it.

Only ``forms/<form id>.yaml`` is changed (``forms/_versions/`` keeps earlier versions for old
records). The changes are made by hearth.engine.editing.questions and every post ends in
``check_and_save``, so each is shown in words and line by line before it is saved.
"""
from __future__ import annotations

import json
from dataclasses import replace

from flask import Blueprint, abort, render_template, request, url_for

from hearth.engine.editing import questions as editor
from hearth.engine.editing.yaml_text import EditError, YamlText
from hearth.engine.forms_catalog import catalog_of, menus, version_for_forms
from hearth.engine.policy import load_policy
from hearth.engine.policy_files import PolicyFiles
from hearth.forms import build_form_class, render_form
from hearth.forms.model import ID_PATTERN, ROLE_LISTS
from hearth.rules.limits import text_problem
from hearth.rules.source import SourceError

from ... import workflow as wf
from ...audit import audit, refused
from ...auth import role_required
from ...evaluation import today
from ...models import AuditAction, Role
from .access import PREFIX, WORKSPACE_ROLES, workspace_council
from .editing import OBJECT, Editable, check_and_save, editable, without_revision

bp = Blueprint("workspace_edit_forms", __name__, url_prefix=PREFIX + "/change")

EDITOR = "form_questions"
MAX_LABEL_LENGTH = 500
MAX_HINT_LENGTH = 1_000
MAX_OPTION_LENGTH = 200
KIND_WORDS = {"text": "Short answer", "long_text": "Long answer", "number": "Number", "money": "Amount of money",
              "date": "Date", "yes_no": "Yes or no", "radios": "One option (radios)",
              "checkboxes": "Any options (checkboxes)", "select": "One option from a drop-down list",
              "roles": "Roles (checkboxes of roles)", "group": "Rows of questions"}


# ---------------------------------------------------------------- helpers
def _opened(council: str, form_id: str | None = None):
    """(council, editable files, form path, its text as a YamlText or the reason it cannot be
    read); 404 when there is nothing published yet or the form is not in the files."""
    shown = workspace_council(council)
    editing = editable(shown.id)
    if editing is None:
        abort(404)
    if form_id is None:
        return shown, editing, None, None
    path = f"forms/{form_id}.yaml"
    if not ID_PATTERN.match(form_id) or not editing.files.has(path):
        abort(404)
    try:
        document: YamlText | str = editing.document(path)
    except EditError as error:
        document = str(error)
    return shown, editing, path, document


def _policy_lists(files: PolicyFiles) -> dict:
    """The draft's named option lists (its roles with their labels), or the shared vocabulary's
    while the draft's policy cannot be read."""
    try:
        version = version_for_forms(load_policy(files), today())
    except SourceError:
        version = None
    return menus(version)[0]


def _title(document: YamlText, form_id: str) -> str:
    title = document.value(("title",))
    return title if isinstance(title, str) and title.strip() else form_id


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip())


def _show_key(question_id: str, answer) -> str:
    return f"{question_id}:{json.dumps(answer)}"


def _check_options(kind: str, lines: tuple[str, ...], errors: dict) -> None:
    least = 1 if kind == "checkboxes" else 2
    if len(lines) < least:
        errors["options"] = f"Enter at least {least} options, one on each line"
    elif len(lines) > editor.MAX_OPTIONS:
        errors["options"] = f"Enter {editor.MAX_OPTIONS} options or fewer"
    elif any(text_problem(line, MAX_OPTION_LENGTH) for line in lines):
        line = next(line for line in lines if text_problem(line, MAX_OPTION_LENGTH))
        errors["options"] = f"The option ‘{line[:40]}’ cannot be saved: {text_problem(line, MAX_OPTION_LENGTH)}"
    elif len(set(lines)) != len(lines):
        errors["options"] = "Each option must be different: one is written twice"


def _checked(form, name: str, what: str, most: int, errors: dict, one_line: bool = True) -> str:
    """A posted text, trimmed (a one-line text's line breaks made spaces); its problem (control
    characters, length) under ``name`` in ``errors``."""
    value = form.get(name, "").replace("\r\n", "\n").strip()
    if one_line:
        value = " ".join(line.strip() for line in value.splitlines())
    problem = text_problem(value, most)
    if problem:
        errors[name] = f"{what} cannot be saved: {problem}"
    return value


def _check_words(form, errors: dict) -> tuple[str, str]:
    label = _checked(form, "label", "The question", MAX_LABEL_LENGTH, errors)
    hint = _checked(form, "hint", "The hint text", MAX_HINT_LENGTH, errors, one_line=False)
    if not label:
        errors["label"] = "Enter the question, as workers will read it"
    return label, hint


def _error_list(errors: dict) -> list[dict]:
    return [{"text": message, "href": f"#{field}"} for field, message in errors.items()]


def _back(shown, form_id: str) -> str:
    return url_for(".form", council=shown.id, form_id=form_id)


# ---------------------------------------------------------------- the council's forms
@bp.get("/forms")
@role_required(*WORKSPACE_ROLES)
def forms(council: str):
    """Every form of the draft, each linking to its questions."""
    shown, editing, _path, _document = _opened(council)
    rows = []
    for path in editing.files.glob("forms/*.yaml"):
        form_id = path.removeprefix("forms/").removesuffix(".yaml")
        try:
            document = editing.document(path)
            count = sum(len(section.questions) for section in editor.outline(document))
            rows.append((form_id, _title(document, form_id), count))
        except EditError:
            rows.append((form_id, form_id, None))
    audit(AuditAction.VIEWED, OBJECT, shown.id, {"page": "forms"})
    return render_template("workspace/editing/forms_list.html", title="Forms and their questions",
                           stage="workspace_drafts.index", shown_council=shown, rows=rows)


# ---------------------------------------------------------------- a form's questions
def _form_page(shown, editing: Editable, form_id: str, path: str, document, problem: str = "", status: int = 200):
    sections = editor.outline(document) if isinstance(document, YamlText) else ()
    shown_words = {}
    if any(question.shown_when for section in sections for question in section.questions):
        lists = _policy_lists(editing.files)
        for question in (question for section in sections for question in section.questions if question.shown_when):
            shown_words[question.id] = next((words for qid, answer, words in editor.show_choices(
                document, question.id, lists) if (qid, answer) == question.shown_when), question.shown_when[0])
    heading = _title(document, form_id) if sections else form_id
    return render_template("workspace/editing/forms_form.html", title=("Error: " if problem else "") + heading,
                           heading=heading,
                           stage="workspace_drafts.index", shown_council=shown, form_id=form_id, path=path,
                           sections=sections, broken=document if isinstance(document, str) else "",
                           revision=editing.revision, kind_words=KIND_WORDS, problem=problem,
                           shown_words=shown_words), status


@bp.get("/forms/<form_id>")
@role_required(*WORKSPACE_ROLES)
def form(council: str, form_id: str):
    """The form's questions in order, by section ("Your questions" in GOV.UK Forms)."""
    shown, editing, path, document = _opened(council, form_id)
    audit(AuditAction.VIEWED, OBJECT, shown.id, {"page": "form_questions", "form": form_id})
    return _form_page(shown, editing, form_id, path, document)


def _question_or_404(document, question_id: str, lists: dict | None = None) -> editor.Question:
    if not isinstance(document, YamlText):
        abort(404)
    try:
        return editor.read_question(document, question_id, lists)
    except editor.UnknownQuestion:
        abort(404)


def _question_changed(council: str, form_id: str, question_id: str, change, what):
    """Move or remove a question: ``change(document, question)`` in this request's document, then
    the check page (``what(document)`` names the change); a change the form cannot take is the
    form's page again with the reason (400), nothing written."""
    shown, editing, path, document = _opened(council, form_id)
    question = _question_or_404(document, question_id)
    if unposted := without_revision(_back(shown, form_id)):
        return unposted
    try:
        change(document, question)
    except EditError as error:
        refused("bad_input", 400, OBJECT, shown.id)
        return _form_page(shown, editing, form_id, path, editing.document(path), str(error), 400)
    return check_and_save(shown, editing, path=path, new_text=document.text, back=_back(shown, form_id),
                          editor=EDITOR, what=what(document))


def _move_question(document, question, direction) -> None:
    if direction not in ("up", "down"):
        raise EditError("Choose to move the question up or down.")
    editor.move_question(document, question, -1 if direction == "up" else 1)


@bp.post("/forms/<form_id>/questions/<question_id>/move")
@role_required(*WORKSPACE_ROLES)
def move(council: str, form_id: str, question_id: str):
    """Move a question up or down its section (shown before it is saved)."""
    direction = request.form.get("direction")
    return _question_changed(council, form_id, question_id,
                             lambda document, question: _move_question(document, question, direction),
                             lambda document: f"the order of the questions of {_title(document, form_id)}")


@bp.post("/forms/<form_id>/questions/<question_id>/remove")
@role_required(*WORKSPACE_ROLES)
def remove(council: str, form_id: str, question_id: str):
    """Remove a question (shown before it is saved); refused while the form uses its answer."""
    return _question_changed(council, form_id, question_id, editor.remove_question,
                             lambda document: f"the questions of {_title(document, form_id)}")


# ---------------------------------------------------------------- one question
def _question_page(shown, editing, form_id, path, document, question, values: dict, errors: dict, status=200):
    lists = _policy_lists(editing.files)
    roles = lists.get(question.option_list, []) if question.chosen is not None else []
    shows = [("", "Always")] + [(_show_key(qid, answer), f"When {words}") for qid, answer, words in
                                editor.show_choices(document, question.id, lists)]
    return render_template("workspace/editing/forms_question.html",
                           title=("Error: " if errors else "") + f"Change the question: {question.label}",
                           stage="workspace_drafts.index", shown_council=shown, form_id=form_id, path=path,
                           form_title=_title(document, form_id), question=question, values=values, errors=errors,
                           error_list=_error_list(errors), kind_items=_kind_items(question.kinds, values["kind"]),
                           kind_words=KIND_WORDS,
                           role_items=_role_items(roles, values["roles"]),
                           show_items=[{"value": key, "text": words, "selected": key == values["show_when"]}
                                       for key, words in shows],
                           revision=editing.revision), status


def _kind_items(kinds, chosen: str) -> list[dict]:
    return [{"value": kind, "text": KIND_WORDS.get(kind, kind), "checked": kind == chosen} for kind in kinds]


def _role_items(roles, ticked) -> list[dict]:
    return [{"value": role, "text": label, "checked": role in ticked} for role, label in roles]


def _question_values(question: editor.Question, lists: dict) -> dict:
    """The page's fields as the file has them (what the officer sees first)."""
    return {"kind": question.kind, "label": question.label, "hint": question.hint,
            "required": {True: "yes", False: "no"}.get(question.required, ""),
            "options": "\n".join(question.options or ()),
            "roles": list(editor.chosen_roles(question, lists)) if question.chosen is not None else [],
            "show_when": _show_key(*question.shown_when) if question.shown_when else ""}


@bp.route("/forms/<form_id>/questions/<question_id>", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def question(council: str, form_id: str, question_id: str):
    """Change a question's type, label, hint, whether it must be answered, its options and when
    it is shown; what it has beyond those is named and kept."""
    shown, editing, path, document = _opened(council, form_id)
    lists = _policy_lists(editing.files)
    was = _question_or_404(document, question_id, lists)
    if request.method == "GET":
        audit(AuditAction.VIEWED, OBJECT, shown.id, {"page": "form_question", "form": form_id, "question": was.id})
        return _question_page(shown, editing, form_id, path, document, was, _question_values(was, lists), {})
    if unposted := without_revision(request.path):
        return unposted
    posted = request.form
    values = {"kind": posted.get("kind", was.kind), "label": posted.get("label", ""), "hint": posted.get("hint", ""),
              "required": posted.get("required", ""), "options": posted.get("options", ""),
              "roles": posted.getlist("roles"), "show_when": posted.get("show_when", "")}
    errors: dict = {}
    label, hint = _check_words(posted, errors)
    if values["kind"] not in was.kinds:
        errors["kind"] = "Choose one of the types offered: the answers already saved must still fit"
    required = was.required
    if was.required is not None:
        if values["required"] not in ("yes", "no"):
            errors["required"] = "Select yes if the question must be answered"
        required = values["required"] == "yes"
    options = was.options
    if was.options is not None:
        options = _lines(values["options"])
        _check_options(values["kind"] if values["kind"] in was.kinds else was.kind, options, errors)
    chosen = was.chosen
    if was.chosen is not None:
        offered = [role for role, _label in lists.get(was.option_list, [])]
        ticked = tuple(role for role in offered if role in values["roles"])
        if not ticked or len(ticked) != len(set(values["roles"])):
            errors["roles"] = "Select at least one role, from those listed"
        chosen = editor.roles_ticked(was, ticked, lists)
    shown_when = was.shown_when
    if was.show_expressed:
        choices = {_show_key(qid, answer): (qid, answer) for qid, answer, _words in
                   editor.show_choices(document, was.id, lists)}
        if values["show_when"] and values["show_when"] not in choices:
            errors["show_when"] = "Choose when the question is shown from the list"
        shown_when = choices.get(values["show_when"])
    if errors:
        refused("bad_input", 400, OBJECT, shown.id)
        return _question_page(shown, editing, form_id, path, document, was, values, errors, 400)
    now = replace(was, kind=values["kind"], label=label, hint=hint, required=required, options=options,
                  chosen=chosen, shown_when=shown_when)
    editor.write_question(document, was, now)
    return check_and_save(shown, editing, path=path, new_text=document.text, back=_back(shown, form_id),
                          editor=EDITOR, what=f"the question ‘{label}’ of {_title(document, form_id)}")


# ---------------------------------------------------------------- a new question
def _add_page(shown, editing, form_id, path, document, values: dict, errors: dict, status=200):
    lists = _policy_lists(editing.files)
    return render_template("workspace/editing/forms_add.html",
                           title=("Error: " if errors else "") + f"Add a question to {_title(document, form_id)}",
                           stage="workspace_drafts.index", shown_council=shown, form_id=form_id, path=path,
                           form_title=_title(document, form_id), sections=editor.outline(document), values=values,
                           errors=errors, error_list=_error_list(errors),
                           role_items=_role_items(lists.get("roles", []), values.get("roles", [])),
                           kind_items=_kind_items(editor.NEW_KINDS, values.get("kind", "")),
                           section_items=[{"value": str(index), "text": section.title or f"Section {index + 1}",
                                           "checked": str(index) == values.get("section")}
                                          for index, section in enumerate(editor.outline(document))],
                           revision=editing.revision), status


@bp.route("/forms/<form_id>/add", methods=["GET", "POST"])
@role_required(*WORKSPACE_ROLES)
def add_question(council: str, form_id: str):
    """Add a question at the end of a section; its id is made from the label (unique, never
    changed afterwards: saved records keep answers by it)."""
    shown, editing, path, document = _opened(council, form_id)
    if not isinstance(document, YamlText):
        abort(404)
    sections = editor.outline(document)
    if request.method == "GET":
        audit(AuditAction.VIEWED, OBJECT, shown.id, {"page": "form_add_question", "form": form_id})
        chosen = request.args.get("section", "")
        return _add_page(shown, editing, form_id, path, document,
                         {"section": chosen if chosen.isdigit() else "", "required": "yes", "roles": []}, {})
    if unposted := without_revision(request.path):
        return unposted
    posted = request.form
    values = {key: posted.get(key, "") for key in ("section", "kind", "label", "hint", "name", "required",
                                                   "options", "source")}
    values["roles"] = posted.getlist("roles")
    errors: dict = {}
    section = int(values["section"]) if values["section"].isdigit() else -1
    if not 0 <= section < len(sections):
        errors["section"] = "Select the section the question goes in"
    if values["kind"] not in editor.NEW_KINDS:
        errors["kind"] = "Select the type of answer"
    label, hint = _check_words(posted, errors)
    name = _checked(posted, "name", "How messages name the answer", MAX_LABEL_LENGTH, errors)
    source = _checked(posted, "source", "The source sentence", MAX_HINT_LENGTH, errors)
    if values["required"] not in ("yes", "no"):
        errors["required"] = "Select yes if the question must be answered"
    options = _lines(values["options"])
    if values["kind"] in editor.WRITTEN_KINDS:
        _check_options(values["kind"], options, errors)
    elif options:
        errors["options"] = "Options are only for radios, checkboxes and drop-down lists: clear them or change the type"
    offered = [role for role, _label in _policy_lists(editing.files).get("roles", [])]
    ticked = tuple(role for role in offered if role in values["roles"])
    if values["kind"] == "roles" and (not ticked or len(ticked) != len(set(values["roles"]))):
        errors["roles"] = "Select at least one role, from those listed"
    elif values["kind"] != "roles" and values["roles"]:
        errors["roles"] = "Roles are only for a roles question: untick them or change the type"
    if errors:
        refused("bad_input", 400, OBJECT, shown.id)
        return _add_page(shown, editing, form_id, path, document, values, errors, 400)
    new = editor.NewQuestion(section=section, kind=values["kind"], label=label, hint=hint, name=name,
                             required=values["required"] == "yes", options=options,
                             option_list=ROLE_LISTS[0] if ticked else "", chosen=ticked, source=source)
    editor.add_question(document, new)
    return check_and_save(shown, editing, path=path, new_text=document.text, back=_back(shown, form_id),
                          editor=EDITOR, what=f"the questions of {_title(document, form_id)}")


# ---------------------------------------------------------------- the preview
@bp.get("/forms/<form_id>/preview")
@role_required(*WORKSPACE_ROLES)
def preview(council: str, form_id: str):
    """The draft's form as workers will see it on a case (nothing here is saved: "Add another"
    draws the preview again with a row more)."""
    shown, editing, path, _document = _opened(council, form_id)
    body, problems, definition = None, [], None
    try:
        policy = load_policy(editing.files)
        definition = catalog_of(editing.files, today(), policy).get(form_id)
    except SourceError as error:
        problems = [problem.message for problem in error.problems][:20]
    else:
        version = version_for_forms(policy, today())
        definition = wf.for_role(definition, version, Role.WORKER)
        filled = build_form_class(definition)(request.args or None, today=today())
        filled.row_action()
        body = render_form(filled, action=request.path, method="get", submit_label=None, today=today())
    audit(AuditAction.VIEWED, OBJECT, shown.id, {"page": "form_preview", "form": form_id})
    return render_template("workspace/editing/forms_preview.html", title=f"Preview: {form_id}",
                           stage="workspace_drafts.index", shown_council=shown, form_id=form_id, path=path,
                           definition=definition, body=body, problems=problems)
