"""hearth.forms: the form language. A council's YAML form becomes a checked definition,
a WTForms class, a marshmallow schema, GOV.UK markup and, once submitted, the events
the rules evaluate. It knows nothing of councils or files: the engine hands it the
option lists and event specs (see hearth.engine.forms_catalog) and docs/form-language.md.

    defn = load_form(text, file, options, event_specs)
    form = build_form_class(defn)(formdata, data=saved_answers)   # base=FlaskForm for CSRF
    if not form.row_action() and form.validate(): save(defn.id, defn.version, form.answers)
    html = render_form(form)
    answers = schema_for(defn)(today=...).load(json)                  # the JSON API
    events = events_from(defn, answers)
"""
from .answers import check, validate_json
from .api_schema import flatten_errors, schema_for
from .events import events_from
from .file_schema import form_schema
from .language import load_form, parse_form
from .model import FIELD_KINDS, FormDefinition, FormField
from .render import environment, render_answers, render_form, render_page
from .wtf import ROW_BUTTON, build_form_class, formdata_for

__all__ = ["FIELD_KINDS", "FormDefinition", "FormField", "ROW_BUTTON", "build_form_class", "check",
           "environment", "events_from", "flatten_errors", "form_schema", "formdata_for", "load_form",
           "parse_form", "render_answers", "render_form", "render_page", "schema_for", "validate_json"]
