"""Helpers for the form tests: the shared vocabulary's menus, a form with every kind of
question, and posting boxes the way a browser does."""
from __future__ import annotations

from datetime import date

from bs4 import BeautifulSoup
from werkzeug.datastructures import MultiDict

from hearth.engine.vocabulary import shared_vocabulary
from hearth.forms import build_form_class, load_form

TODAY = date(2026, 1, 20)
VOCAB = shared_vocabulary()
OPTIONS = {**VOCAB.options(), "interventions": [("fgc", "Family Group Conference"), ("mediation", "Mediation")],
           "triggers": []}
SPECS = VOCAB.event_scope()

EVERY_KIND = """\
title: Every kind of question
version: 3
description: A form for testing.
sections:
  - title: The meeting
    guidance: Who came and what happened.
    fields:
      - {id: meeting_date, kind: date, label: Date of the meeting, name: the date of the meeting, not_future: true}
      - {id: chair, kind: select, label: Who chaired it?, name: who chaired the meeting, options: roles}
      - {id: attended, kind: roles, label: Who attended?, name: who attended, max_selected: 5}
      - {id: title_text, kind: text, label: Short title, name: the short title, hint: A few words., max_length: 10, min_length: 2}
      - {id: count, kind: number, label: How many visits?, name: the number of visits, whole: true, min: 0, max: 50}
      - {id: cost, kind: money, label: Cost, name: the cost, required: false, max: 5000}
      - {id: help, kind: checkboxes, label: Support considered, name: the support considered, required: false, options: interventions}
      - {id: help_notes, kind: text, label: Notes on mediation, name: the notes on mediation, show_when: {help: {includes: mediation}}}
      - id: child_attended
        kind: yes_no
        label: Did the child attend?
        name: the child attended
      - id: views_how
        kind: long_text
        label: How were the child's views gathered?
        name: how the child's views were gathered
        show_when: {child_attended: false}
        max_length: 200
      - id: placement
        kind: radios
        label: Where does the child live?
        name: where the child lives
        options: {list: placement_types, only: [in_house_foster, ifa_foster, other]}
      - {id: placement_other, kind: text, label: Describe the home, name: the home, show_when: {placement: other}}
      - id: actions
        kind: group
        label: Actions
        name: the actions
        item_label: Action
        max_rows: 3
        fields:
          - {id: action, kind: text, label: What will be done?, name: what will be done}
          - {id: who, kind: select, label: Who?, name: who will do it, options: roles}
          - {id: by_when, kind: date, label: By when?, name: the date for this action, after: meeting_date}
      - {id: review_date, kind: date, label: Review date, name: the review date, required: {child_attended: false}, after: meeting_date}
checks:
  - when: {child_attended: true}
    then: {attended: {includes: child}}
    field: attended
    message: You said the child attended; select them in who attended
produces:
  - event: stability_meeting_held
    on: meeting_date
    fields: {chair: chair, attendees: attended, review_date: review_date, review: {value: true}}
  - event: funding_requested
    when: {cost: {answered: true}}
    on: meeting_date
    fields: {cost: cost, kind: {value: increased_funding}}
"""

GOOD = {
    "meeting_date": "2026-01-09", "chair": "fostering_manager", "attended": ["iro", "child"], "title_text": "Plan",
    "count": 3, "cost": 250.5, "help": ["fgc"], "child_attended": True, "placement": "ifa_foster",
    "actions": [{"action": "Call", "who": "iro", "by_when": "2026-01-12"}],
}


def every_kind(text: str = EVERY_KIND):
    return load_form(text, "every_kind.yaml", OPTIONS, SPECS, default_id="every_kind")


def post(defn, pairs, today: date = TODAY, base=None):
    data = MultiDict(pairs.items(multi=True) if isinstance(pairs, MultiDict) else pairs)
    cls = build_form_class(defn) if base is None else build_form_class(defn, base)
    form = cls(data, today=today)
    return form


def soup(html) -> BeautifulSoup:
    return BeautifulSoup(str(html), "html.parser")
