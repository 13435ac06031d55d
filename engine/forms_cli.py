"""`hearth forms`: list a council's forms and draw one, so forms can be checked without the web app.

Bad input (unknown council or form, a broken form file, an unreadable data file)
exits 2 with located messages on stderr; never a traceback. Answers that fail the
form's checks are not bad input: the form is drawn with its errors, and the exit
code is 1 so scripts notice.
"""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from hearth.forms import build_form_class, events_from, formdata_for, render_page, validate_json
from hearth.rules.source import LMap, Loc, SourceError, load_yaml, parse_date, suggest

from . import api
from .forms_catalog import UnknownForm, load_forms


def _fail(lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(2)


def _date(text: str | None, option: str) -> date:
    try:
        return parse_date(text) if text else date.today()
    except ValueError as exc:
        _fail([f"{option}: {exc}"])


def _catalog(council: str, on: date):
    try:
        return load_forms(council, on)
    except api.UnknownCouncil as exc:
        _fail([f"--council: {exc}"])
    except SourceError as exc:
        _fail([str(p) for p in exc.problems])


def _answers(data_file: str, defn_fields: dict) -> tuple[dict, str | None]:
    """The answers in a data file (YAML or JSON): plain answers, or a saved record
    {form, version, answers}. Unknown question ids are mistakes, with did-you-mean."""
    try:
        text = Path(data_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail([f"{data_file}: the data file cannot be read ({getattr(exc, 'strerror', None) or exc})."])
    try:
        doc = load_yaml(text, data_file)
    except SourceError as exc:
        _fail([str(p) for p in exc.problems])
    if doc is None:
        doc = LMap()
        doc.loc, doc.key_locs, doc.value_locs = Loc(data_file), {}, {}
    if not isinstance(doc, dict):
        _fail([f"{getattr(doc, 'loc', data_file)}: the data must be a mapping of question ids to answers."])
    version = None
    if "answers" in doc and isinstance(doc["answers"], dict):
        version = doc.get("version")
        doc = doc["answers"]
    return doc, (None if version is None else str(version))


def _check_keys(doc, fields: dict, data_file: str) -> None:
    bad = []
    for key in doc:
        if key not in fields:
            loc = doc.key_loc(key) if isinstance(doc, LMap) else Loc(data_file)
            bad.append(f"{loc} ({key}): '{key}' is not a question of this form.{suggest(str(key), fields)}")
    if bad:
        _fail(bad)


def _plain(value):
    """Located YAML values as plain JSON-like data."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@click.group("forms")
def forms() -> None:
    """List a council's forms and draw them."""


@forms.command("list")
@click.option("--council", required=True, help="the council's id: its folder name under policies/")
@click.option("--on", "on_text", default=None, help="use the policy in force on this date (YYYY-MM-DD)")
def list_cmd(council: str, on_text: str | None) -> None:
    """Each form's id, title, version and the events it produces (JSON)."""
    catalog = _catalog(council, _date(on_text, "--on"))
    click.echo(json.dumps(catalog.describe(), indent=2, ensure_ascii=False))


def _load(council, form_id, data_file, version, on_text):
    catalog = _catalog(council, _date(on_text, "--on"))
    answers, saved_version = ({}, None)
    try:
        defn = catalog.get(form_id)
        if data_file:
            answers, saved_version = _answers(data_file, defn.fields_by_id)
        defn = catalog.get(form_id, version or saved_version)
    except UnknownForm as exc:
        _fail([f"FORM: {exc}"])
    _check_keys(answers, defn.fields_by_id, data_file or "")
    return defn, _plain(answers)


@forms.command("render")
@click.option("--council", required=True, help="the council's id: its folder name under policies/")
@click.argument("form_id", metavar="FORM")
@click.option("--data", "data_file", default=None, help="answers to fill in (YAML or JSON); they are checked")
@click.option("--version", default=None, help="an older version of the form (default: the current one)")
@click.option("--on", "on_text", default=None, help="'today' for date checks and the policy in force (YYYY-MM-DD)")
def render_cmd(council: str, form_id: str, data_file: str | None, version: str | None, on_text: str | None) -> None:
    """The form as a GOV.UK HTML page; with --data, filled in and checked (exit 1 if the answers need fixing)."""
    today = _date(on_text, "--on")
    defn, answers = _load(council, form_id, data_file, version, on_text)
    form_class = build_form_class(defn)
    if data_file:
        form = form_class(formdata_for(defn, answers), today=today)
        ok = form.validate()
    else:
        form, ok = form_class(today=today), True
    click.echo(render_page(form, today=today))
    if not ok:
        click.echo(f"{len(form.error_map)} answer(s) need fixing: " + "; ".join(
            f"{k}: {e.message}" for k, e in form.error_map.items()), err=True)
        sys.exit(1)


@forms.command("events")
@click.option("--council", required=True, help="the council's id: its folder name under policies/")
@click.argument("form_id", metavar="FORM")
@click.option("--data", "data_file", required=True, help="the answers (YAML or JSON)")
@click.option("--on", "on_text", default=None, help="'today' for date checks (YYYY-MM-DD)")
def events_cmd(council: str, form_id: str, data_file: str, on_text: str | None) -> None:
    """The case events a record produces (JSON), as `hearth evaluate` reads them."""
    today = _date(on_text, "--on")
    defn, answers = _load(council, form_id, data_file, None, on_text)
    kept, errors = validate_json(defn, answers, today)
    if errors:
        _fail([f"{data_file} ({k}): {m}" for k, m in errors.items()])
    click.echo(json.dumps(events_from(defn, kept), indent=2, ensure_ascii=False))
