"""A council's own words for shared ones (`labels:`) and the roles its forms offer
(`offers_roles:`), docs/policy-language.md "A council's own words": Gateshead calls its meeting a
stable homes meeting, and Swindon's forms never offer a role of another council's process."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from hearth.engine import api
from hearth.engine.forms_catalog import load_forms
from hearth.engine.linting import lint_council
from hearth.engine.vocabulary import EMPTY, merge_vocabulary, shared_vocabulary
from hearth.rules.source import Problems, load_yaml

ON = date(2026, 6, 1)
ROOT = Path(__file__).resolve().parents[1]


def _merged(text: str) -> tuple[object, list[str]]:
    problems = Problems()
    vocabulary = merge_vocabulary(shared_vocabulary(), load_yaml(text, "version.yaml"), problems)
    return vocabulary, [f"{p.loc.line}: {p.message}" for p in problems.items]


def test_a_council_renames_shared_words_and_the_shared_vocabulary_keeps_its_own():
    vocabulary, problems = _merged("""
labels:
  recommendations: {hold_stability_meeting: Hold a stable homes meeting}
  event_types: {stability_meeting_held: Stable homes meeting held}
  actions: {increased_funding: More money for the home}
""")
    assert problems == []
    assert vocabulary.recommendations["hold_stability_meeting"] == "Hold a stable homes meeting"
    assert vocabulary.event_types["stability_meeting_held"].label == "Stable homes meeting held"
    assert vocabulary.actions["increased_funding"] == {"label": "More money for the home", "costed": True}
    shared = shared_vocabulary()
    assert shared.recommendations["hold_stability_meeting"] != vocabulary.recommendations["hold_stability_meeting"]
    assert shared.event_types["stability_meeting_held"].label != "Stable homes meeting held"


def test_mistakes_in_labels_and_offered_roles_are_located_with_a_suggestion():
    _, problems = _merged("""
labels:
  recommendations:
    hold_stabilty_meeting: Hold a stable homes meeting
  event_types: [stability_meeting_held]
  colours: {red: Red}
offers_roles: [child, childs_socal_worker]
""")
    assert any(line.startswith("4: ") and "'hold_stabilty_meeting'" in line and "hold_stability_meeting" in line
               for line in problems), problems
    assert any(line.startswith("5: ") and "labels.event_types" in line for line in problems), problems
    assert any(line.startswith("6: ") and "colours" in line for line in problems), problems
    assert any(line.startswith("7: ") and "'childs_socal_worker' is not a role" in line
               and "childs_social_worker" in line for line in problems), problems


def test_the_shared_vocabulary_itself_cannot_rename_or_restrict():
    problems = Problems()
    merge_vocabulary(EMPTY, load_yaml("offers_roles: [child]\n", "shared.yaml"), problems)
    assert [p for p in problems.items if "offers_roles" in p.message]


def _roles_offered_by_forms(council: str) -> set[str]:
    """Every role any question of a council's forms offers (groups' questions included)."""
    def questions(fields):
        for question in fields:
            yield question
            yield from questions(question.fields or ())
    catalog = load_forms(council, ON)
    return {option.value for form in catalog.forms.values() for question in questions(form.all_fields())
            if question.options_from in ("roles", "parties") for option in question.options}


def test_swindons_forms_offer_its_own_roles_and_gatesheads_offer_theirs():
    swindon = api.policy_on("swindon", ON).vocabulary
    gateshead = api.policy_on("gateshead", ON).vocabulary
    assert "play_service" not in swindon.offered_roles and "social_care_manager" in swindon.offered_roles
    assert {role for role, _ in swindon.options()["roles"]} == set(swindon.offered_roles)
    # Gateshead says nothing, so its forms offer every role, its own included.
    assert {role for role, _ in gateshead.options()["roles"]} == set(gateshead.roles)
    assert "play_service" in gateshead.roles and "kinship_team_worker" in gateshead.roles
    offered_by_forms = _roles_offered_by_forms("swindon")
    assert "play_service" not in offered_by_forms and "social_care_manager" in offered_by_forms
    assert "play_service" in _roles_offered_by_forms("gateshead")
    # A stored record naming a role not offered is still read: the role stays in the vocabulary.
    assert "play_service" in swindon.roles


def test_gatesheads_answer_and_labels_say_stable_homes_meeting():
    gateshead = api.policy_on("gateshead", ON).vocabulary
    assert gateshead.recommendations["hold_stability_meeting"] == "Hold a stable homes meeting"
    case = {"child": {"ref": "G-1"}, "placement": {"type": "in_house_foster", "started": "2026-01-05"},
            "events": [{"type": "stability_concern_raised", "on": "2026-05-20", "by": "foster_carer"}]}
    answer = api.evaluate("gateshead", case, ON)
    assert answer["recommendation"] == "hold_stability_meeting"
    assert answer["recommendation_reason"].get("label", "Hold a stable homes meeting") == "Hold a stable homes meeting"


def test_forms_are_listed_in_the_councils_process_order():
    for council in ("gateshead", "swindon"):
        catalog = load_forms(council, ON)
        order = api.get_council(council).settings.form_order.ids
        assert [form["id"] for form in catalog.describe()] == catalog.in_order()
        assert catalog.in_order()[:len(order)] == [form_id for form_id in order if form_id in catalog.forms]
    assert load_forms("swindon", ON).in_order()[0] == "stability_concern"  # the process starts with a worry


def test_a_form_order_naming_no_form_is_located(tmp_path):
    folder = tmp_path / "swindon"
    shutil.copytree(ROOT / "policies" / "swindon", folder)
    council = folder / "council.yaml"
    text = council.read_text(encoding="utf-8")
    line = 1 + text.splitlines().index(next(row for row in text.splitlines() if row.startswith("form_order:")))

    def lint(order_start: str) -> list[str]:
        council.write_text(text.replace("form_order: [stability_concern,", order_start), encoding="utf-8")
        return [f"{Path(p.loc.file).name}:{p.loc.line}: {p.message}" for p in lint_council(folder)[0]]

    messages = lint("form_order: [stabilty_concern,")
    assert any(m.startswith(f"council.yaml:{line}: 'stabilty_concern' in form_order is not one of the council's forms")
               and "Did you mean 'stability_concern'" in m for m in messages), messages
    messages = lint("form_order: [stability_concern, record_event,")
    assert any(m.startswith(f"council.yaml:{line}: 'record_event' is listed twice") for m in messages), messages
