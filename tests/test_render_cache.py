"""Remembered GOV.UK components (hearth.forms.drawn) draw byte for byte what the macros draw.

Every form of every council of the session, drawn three ways -- empty, filled with hostile
answers (markup, quotes, ampersands, right-to-left and astral characters, a long text, a
value no option has), and with every question in error -- first with the memory off, then
with it on, cold and warm, one after the other in one memory so that no state's markup can
answer for another's. The saved-record summary the same way.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from hearth.forms import build_form_class, render_answers, render_form
from hearth.forms.answers import DATE_PARTS, Err
from hearth.forms.drawn import BUDGET_CHARACTERS, components

from council_checks import form_catalog
from councils import generic_councils

TODAY = date(2026, 1, 20)
HOSTILE = ('<script>alert("x")</script> \'single\' "double" & &amp; {{ 7*7 }} {% raw %} '
           "Zoë \u202eevil\u202c \U0001F984 \u00a0 </textarea>")
LONG = HOSTILE + " " + "long text " * 400


@contextmanager
def memory(budget: int):
    previous = components.budget
    components.budget = budget
    try:
        yield
    finally:
        components.budget = previous


def hostile_formdata(defn) -> MultiDict:
    """What a hostile browser could post: every box filled, choices with one real option and one
    that is no option, two rows of every group."""
    data = MultiDict()

    def put(field, name: str) -> None:
        if field.kind == "date":
            for part, value in zip(DATE_PARTS, ("<b>1</b>", '2"', "20&26")):
                data.add(f"{name}-{part}", value)
        elif field.kind == "yes_no":
            data.add(name, "yes")
        elif field.options:
            data.add(name, str(field.options[-1].value))
            data.add(name, HOSTILE)
        elif field.kind == "long_text":
            data.add(name, LONG)
        else:
            data.add(name, HOSTILE)

    for field in defn.all_fields():
        if field.kind == "group":
            for row in range(2):
                for child in field.fields:
                    put(child, f"{field.id}-{row}-{child.id}")
        else:
            put(field, field.id)
    return data


def every_error(form) -> dict[str, Err]:
    """An error on every question of the form as drawn (each row's too), with markup in it."""
    errors = {}
    for field in form.definition.all_fields():
        if field.kind == "group":
            errors[field.id] = Err(f'<i>{field.id}</i> "needs" & more')
            for row in range(len(form[field.id].entries)):
                for child in field.fields:
                    errors[f"{field.id}.{row}.{child.id}"] = Err(f"{child.label} <b>row {row}</b>")
        elif field.kind == "date":
            errors[field.id] = Err(f"{field.label} must include a month", part="month")
        else:
            errors[field.id] = Err(f"Enter {field.label} & <em>{HOSTILE}</em>")
    return errors


def drawings(defn) -> list[tuple[str, str]]:
    """(state, markup) for each state of one form, drawn with the memory as it is now."""
    cls = build_form_class(defn)
    hostile = cls(hostile_formdata(defn), today=TODAY)
    hostile.validate()
    errored = cls(hostile_formdata(defn), today=TODAY)
    return [("empty", str(render_form(cls(today=TODAY), today=TODAY))),
            ("hostile, its own errors", str(render_form(hostile, today=TODAY))),
            ("hostile, no errors", str(render_form(hostile, errors={}, action="/x?a=1&b=<2>", today=TODAY))),
            ("every question in error", str(render_form(errored, errors=every_error(errored), today=TODAY))),
            ("preview", str(render_form(cls(today=TODAY), method="get", submit_label=None, today=TODAY)))]


def answers_of(defn) -> dict:
    hostile = {}
    for field in defn.all_fields():
        if field.kind == "group":
            hostile[field.id] = [{child.id: HOSTILE for child in field.fields if child.kind not in ("date", "money")}]
        elif field.kind not in ("date", "money", "yes_no") and not field.is_list:
            hostile[field.id] = LONG
    return hostile


@pytest.mark.parametrize("council", generic_councils())
def test_remembered_components_draw_the_same_bytes(council):
    forms = list(form_catalog(council, TODAY).forms.values())
    assert forms, f"{council} has no forms to draw"
    with memory(0):
        uncached = [drawings(defn) for defn in forms]
        uncached_answers = [str(render_answers(defn, answers_of(defn))) for defn in forms]
    with memory(BUDGET_CHARACTERS):
        components.clear()
        cold = [drawings(defn) for defn in forms]
        cold_answers = [str(render_answers(defn, answers_of(defn))) for defn in forms]
        misses = components.misses
        warm = [drawings(defn) for defn in forms]
        warm_answers = [str(render_answers(defn, answers_of(defn))) for defn in forms]
        assert components.misses == misses, "a second drawing of the same forms drew a component again"
        assert components.hits > 0
    for defn, expected, first, second in zip(forms, uncached, cold, warm):
        for (state, markup), (_, cold_markup), (_, warm_markup) in zip(expected, first, second):
            assert cold_markup == markup, f"{council}/{defn.id}, {state}: first remembered drawing differs"
            assert warm_markup == markup, f"{council}/{defn.id}, {state}: drawing from memory differs"
    assert cold_answers == uncached_answers and warm_answers == uncached_answers


def test_hostile_values_are_escaped_once_and_states_stay_apart():
    """The memory holds each state's own markup: an empty form drawn after a hostile one is empty,
    and the hostile answer appears escaped exactly as the macro escapes it."""
    defn = next(iter(form_catalog(generic_councils()[0], TODAY).forms.values()))
    cls = build_form_class(defn)
    with memory(BUDGET_CHARACTERS):
        components.clear()
        hostile = str(render_form(cls(hostile_formdata(defn), today=TODAY), errors={}, today=TODAY))
        empty = str(render_form(cls(today=TODAY), today=TODAY))
    assert "<script>" not in hostile
    if any(field.kind in ("text", "long_text") for field in defn.all_fields()):
        assert "&lt;script&gt;" in hostile
    assert "&lt;script&gt;" not in empty and "<script>" not in empty


def test_the_memory_is_bounded():
    """A long answer costs its length once; past the budget, the least recently used go."""
    defn = next(iter(form_catalog(generic_councils()[0], TODAY).forms.values()))
    cls = build_form_class(defn)
    with memory(200_000):
        for round_ in range(30):
            data = MultiDict((key, f"{value} {round_}") for key, value in hostile_formdata(defn).items(multi=True))
            render_form(cls(data, today=TODAY), errors={}, today=TODAY)
        assert 0 < components.characters <= 200_000
    with memory(0):
        render_form(cls(today=TODAY), today=TODAY)
        assert len(components) == 0
