"""Drawing a form with GOV.UK Frontend markup, through govuk-frontend-jinja's macros.

Python works out each component's parameters (label, hint, error, the three
date boxes, reveals); the macros in ``templates/hearth_forms/components.html``
draw them. A question revealed by an answer is drawn inside that answer's
conditional block, so it is in the page without JavaScript.

Each component is drawn once per set of parameters and then remembered
(``hearth.forms.drawn``): only the values and errors a request brings are drawn anew.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any, Mapping

from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape
from markupsafe import Markup

from .answers import DATE_PARTS, Err
from .drawn import components
from .model import FormDefinition, FormField
from .wtf import ROW_BUTTON

_WIDTHS = (2, 3, 4, 5, 10, 20, 30)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The forms' own Jinja environment: our templates plus govuk-frontend-jinja's."""
    env = Environment(
        loader=ChoiceLoader([PackageLoader("hearth.forms", "templates"),
                             PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True, lstrip_blocks=True,
        auto_reload=False)  # package files: checking them on disk for every macro import costs each page
    return env


def _macros():
    return environment().get_template("hearth_forms/components.html").module


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").split("\n\n") if p.strip()]


class _Drawing:
    def __init__(self, form, errors: Mapping[str, Err], today: date):
        self.form = form
        self.errors = errors
        self.today = today
        self.m = _macros()

    def draw(self, name: str, params: dict) -> Markup:
        """One GOV.UK component, drawn once per set of parameters (hearth.forms.drawn)."""
        return components.draw(name, getattr(self.m, name), params)

    # --- containers
    def fields(self, defs, bound_of, path_of) -> Markup:
        html = []
        for f in defs:
            if f.reveal is not None:
                continue  # drawn inside its parent's answer
            html.append(self.field(f, defs, bound_of, path_of))
        return Markup("\n").join(html)

    def field(self, f: FormField, siblings, bound_of, path_of) -> Markup:
        if f.kind == "group":
            return self.group(f)
        bound = bound_of(f.id)
        err = self.errors.get(path_of(f.id))
        reveals = {}
        for child in siblings:
            if child.reveal and child.reveal[0] == f.id:
                reveals.setdefault(child.reveal[1], []).append(self.field(child, siblings, bound_of, path_of))
        return getattr(self, f"_{f.kind}", self._choice)(f, bound, err, reveals)

    # --- common parameters
    @staticmethod
    def _hint(text: str) -> dict | None:
        return {"text": text} if text else None

    @staticmethod
    def _error(err: Err | None) -> dict | None:
        return {"text": err.message} if err else None

    def _label(self, f):
        return {"text": f.label, "classes": "govuk-label--s"}

    def _legend(self, f):
        return {"legend": {"text": f.label, "classes": "govuk-fieldset__legend--s"}}

    # --- each kind
    def _text(self, f, bound, err, reveals):
        width = f.width if f.width in _WIDTHS else None
        return self.draw("input", {"id": bound.id, "name": bound.name, "value": bound.raw, "label": self._label(f),
                                   "hint": self._hint(f.hint), "errorMessage": self._error(err),
                                   "classes": f"govuk-input--width-{width}" if width else None})

    def _long_text(self, f, bound, err, reveals):
        params = {"id": bound.id, "name": bound.name, "value": bound.raw, "label": self._label(f),
                  "hint": self._hint(f.hint), "errorMessage": self._error(err), "rows": f.rows or 5}
        if f.max_length:
            return self.draw("character_count", {**params, "maxlength": f.max_length})
        return self.draw("textarea", params)

    def _number(self, f, bound, err, reveals):
        return self.draw("input", {"id": bound.id, "name": bound.name, "value": bound.raw, "label": self._label(f),
                                   "hint": self._hint(f.hint), "errorMessage": self._error(err),
                                   "inputmode": "numeric" if f.whole else "decimal", "spellcheck": False,
                                   "classes": "govuk-input--width-5",
                                   "suffix": {"text": f.suffix} if f.suffix else None})

    def _money(self, f, bound, err, reveals):
        return self.draw("input", {"id": bound.id, "name": bound.name, "value": bound.raw, "label": self._label(f),
                                   "hint": self._hint(f.hint), "errorMessage": self._error(err),
                                   "inputmode": "decimal", "spellcheck": False, "classes": "govuk-input--width-10",
                                   "prefix": {"text": "£"}})

    def _date(self, f, bound, err, reveals):
        raw = bound.raw or {}
        if err and "must include" in err.message:
            wrong = [p for p in DATE_PARTS if not str(raw.get(p) or "").strip()]
        else:
            wrong = list(DATE_PARTS) if err else []
        items = [{"name": p, "label": p.capitalize(), "value": raw.get(p, ""),
                  "classes": f"govuk-input--width-{4 if p == 'year' else 2}"
                             + (" govuk-input--error" if p in wrong else "")} for p in DATE_PARTS]
        hint = f.hint or f"For example, 27 3 {self.today.year}"
        return self.draw("date", {"id": bound.id, "namePrefix": bound.name, "fieldset": self._legend(f),
                                  "hint": self._hint(hint), "errorMessage": self._error(err), "items": items})

    def _items(self, f, bound, reveals, raw_values):
        items = []
        for o in f.options:
            value = {True: "yes", False: "no"}.get(o.value, o.value) if f.kind == "yes_no" else o.value
            item = {"value": value, "text": o.label, "hint": self._hint(o.hint), "checked": value in raw_values}
            if o.value in reveals:
                item["conditional"] = {"html": Markup("\n").join(reveals[o.value])}
            items.append(item)
        return items

    def _yes_no(self, f, bound, err, reveals):
        return self._radios(f, bound, err, reveals)

    def _radios(self, f, bound, err, reveals):
        inline = f.kind == "yes_no" and not reveals
        return self.draw("radios", {"name": bound.name, "idPrefix": bound.id, "fieldset": self._legend(f),
                                    "hint": self._hint(f.hint), "errorMessage": self._error(err),
                                    "classes": "govuk-radios--inline" if inline else None,
                                    "items": self._items(f, bound, reveals, [bound.raw])})

    def _checkboxes(self, f, bound, err, reveals):
        return self.draw("checkboxes", {"name": bound.name, "idPrefix": bound.id, "fieldset": self._legend(f),
                                        "hint": self._hint(f.hint or "Select all that apply."),
                                        "errorMessage": self._error(err),
                                        "items": self._items(f, bound, reveals, list(bound.raw or []))})

    _roles = _checkboxes

    def _select(self, f, bound, err, reveals):
        items = [{"value": "", "text": "Select an option"}] + [
            {"value": o.value, "text": o.label, "selected": o.value == bound.raw} for o in f.options]
        return self.draw("select", {"id": bound.id, "name": bound.name, "label": self._label(f),
                                    "hint": self._hint(f.hint), "errorMessage": self._error(err), "items": items})

    _choice = _radios

    def group(self, g: FormField) -> Markup:
        field_list = self.form[g.id]
        rows = []
        for i, entry in enumerate(field_list.entries):
            html = self.fields(g.fields, lambda cid, e=entry: e.form[cid], lambda cid, i=i: f"{g.id}.{i}.{cid}")
            rows.append({"id": entry.id, "legend": f"{g.item_label} {i + 1}", "html": html})
        err = self.errors.get(g.id)
        described = " ".join(x for x in (f"{g.id}-hint" if g.hint else "", f"{g.id}-error" if err else "") if x)
        return self.draw("group", {"id": field_list.id, "name": field_list.name, "label": g.label, "hint": g.hint,
                                   "error": err.message if err else "", "describedBy": described, "rows": rows,
                                   "can_remove": len(rows) > max(1, g.min_rows),
                                   "can_add": not g.max_rows or len(rows) < g.max_rows,
                                   "add_label": g.add_label, "button": ROW_BUTTON})


def error_list(form, errors: Mapping[str, Err]) -> list[dict]:
    """The error summary: each message links to its question (a date to the box to fix, e.g. #date-day).
    The CSRF token's error is never here: it is not something the user can fix on the page."""
    out = []
    defn = form.definition
    for path, err in errors.items():
        parts = path.split(".")
        if len(parts) == 3:
            bound = form[parts[0]].entries[int(parts[1])].form[parts[2]]
            fdef = next(c for c in defn.field(parts[0]).fields if c.id == parts[2])
        else:
            bound = form[path]
            fdef = defn.field(path)
        target = bound.id
        if fdef.kind == "date":
            target = f"{bound.id}-{err.part or 'day'}"
        out.append({"text": err.message, "href": f"#{target}"})
    return out


def render_form(form, *, errors: Mapping[str, Err] | None = None, action: str = "", method: str = "post",
                submit_label: str | None = "Save", today: date | None = None) -> Markup:
    """The form as GOV.UK markup: error summary, sections, questions, buttons (a Markup <form>).
    ``submit_label`` None draws no submit button: a preview, which nothing saves.

    ``form`` is an instance of :func:`build_form_class`; errors default to those of its
    last ``validate()``. A CSRF field, if the form has one, is drawn hidden.
    """
    defn: FormDefinition = form.definition
    errors = form.error_map if errors is None else errors
    drawing = _Drawing(form, errors, today or form.today or date.today())
    sections = []
    for s in defn.sections:
        html = drawing.fields(s.fields, lambda fid: form[fid], lambda fid: fid)
        sections.append({"title": s.title, "guidance": _paragraphs(s.guidance), "html": html})
    hidden = Markup("")
    if "csrf_token" in form:
        hidden = Markup(form["csrf_token"]())
    return drawing.m.form({"id": defn.id, "version": defn.version, "errors": error_list(form, errors),
                           "method": method, "action": action, "submit_label": submit_label,
                           "description": _paragraphs(defn.description), "sections": sections, "hidden": hidden,
                           "has_groups": any(f.kind == "group" for f in defn.all_fields())})


def render_page(form, **kwargs) -> str:
    """A whole HTML page holding the form: for `hearth forms render` and for looking at a form."""
    body = render_form(form, **kwargs)
    errors = form.error_map if kwargs.get("errors") is None else kwargs["errors"]
    return environment().get_template("hearth_forms/page.html").render(
        title=form.definition.title, body=body, has_errors=bool(errors))


def _display(f: FormField, value: Any) -> str:
    if value is None or value == [] or value == "":
        return "Not answered"
    if f.kind == "yes_no":
        return "Yes" if value else "No"
    if f.kind == "date":
        try:
            return date.fromisoformat(str(value)).strftime("%-d %B %Y")
        except ValueError:
            return str(value)
    if f.kind == "money":
        return f"£{float(value):,.2f}"
    if f.is_list:
        return ", ".join(f.option_label(v) for v in value)
    if f.kind in ("radios", "select"):
        return f.option_label(value)
    return str(value)


def render_answers(defn: FormDefinition, answers: Mapping[str, Any]) -> Markup:
    """A saved record, read-only, as a GOV.UK summary list: shown with the version it was filled against."""
    m = _macros()
    rows = []
    for f in defn.all_fields():
        if f.id not in answers and f.show_when is not None:
            continue  # a question not shown to the worker
        value = answers.get(f.id)
        if f.kind == "group":
            parts = []
            for i, row in enumerate(value or []):
                inner = [{"key": {"text": c.label}, "value": {"text": _display(c, row.get(c.id))}} for c in f.fields
                         if c.id in row or c.show_when is None]
                parts.append(Markup('<h3 class="govuk-heading-s">{}</h3>').format(f"{f.item_label} {i + 1}")
                             + components.draw("summary_list", m.summary_list,
                                               {"rows": inner, "classes": "govuk-summary-list--no-border"}))
            rows.append({"key": {"text": f.label}, "value": {"html": Markup("").join(parts) or "Not answered"}})
        else:
            rows.append({"key": {"text": f.label}, "value": {"text": _display(f, value)}})
    return components.draw("summary_list", m.summary_list, {"rows": rows})
