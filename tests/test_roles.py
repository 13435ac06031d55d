"""Roles as councils write them: "one of these roles", and role groups wherever roles are expected.

A small council is written here for each test, so every expected answer follows from the
policy text in the test, not from a shipped council.
"""
from datetime import date
from pathlib import Path

import pytest

from hearth.engine import api
from hearth.engine.forms_catalog import load_forms
from hearth.engine.policy import load_policy
from hearth.forms import load_form
from hearth.rules.source import SourceError

COUNCIL = "name: Westshire Council\nnation: england\n"
VOCABULARY = """\
effective_from: 2025-01-01
vocabulary:
  roles:
    residential_team_manager: {label: Residential team manager}
    adoption_team_manager: {label: Adoption team manager}
    practice_manager: {label: Practice manager}
  role_groups:
    team_managers: [fostering_team_manager, residential_team_manager, adoption_team_manager]
"""
ONE_OF = VOCABULARY + """\
chair:
  - options: [{one_of: [team_managers, practice_manager]}, iro]
    source: "chaired by a Fostering, Residential or Adoption Team Manager or a Practice Manager, or the IRO"
invitees:
  - required: [childs_social_worker, {one_of: [team_managers, practice_manager]}]
    source: "a Fostering, Residential or Adoption Team Manager or a Practice Manager must attend"
  - when: {placement.type: ifa_foster}
    consider: [{one_of: [advocate, family_advocate]}]
    source: "an advocate for the child or the family"
"""


def council(tmp_path: Path, version: str) -> Path:
    folder = tmp_path / "westshire"
    (folder / "versions").mkdir(parents=True)
    (folder / "council.yaml").write_text(COUNCIL)
    (folder / "versions" / "2025-01.yaml").write_text(version)
    return folder


def evaluate(tmp_path: Path, version: str, placement: str = "in_house_foster", events=()) -> dict:
    root = council(tmp_path, version).parent
    case = {"placement": {"type": placement, "started": "2025-02-01"}, "events": list(events)}
    return api.evaluate("westshire", case, date(2025, 6, 1), root=root)


def problems(tmp_path: Path, version: str) -> list[str]:
    with pytest.raises(SourceError) as caught:
        load_policy(council(tmp_path, version))
    return [f"{p.loc.line}: {p.message}" for p in caught.value.problems]


MANAGERS = ["fostering_team_manager", "residential_team_manager", "adoption_team_manager", "practice_manager"]


def test_invitees_one_of_several_roles_is_its_own_requirement(tmp_path):
    invitees = evaluate(tmp_path, ONE_OF)["invitees"]
    # each role in `required` is required on its own: no manager is, one of them is
    assert invitees["required"] == ["childs_social_worker"]
    [one_of] = invitees["required_one_of"]
    assert one_of["roles"] == MANAGERS
    assert one_of["groups"] == ["team_managers"]
    assert "Practice Manager" in one_of["source"]
    assert invitees["consider_one_of"] == []


def test_a_one_of_row_applies_only_when_its_row_does(tmp_path):
    invitees = evaluate(tmp_path, ONE_OF, placement="ifa_foster")["invitees"]
    assert [o["roles"] for o in invitees["consider_one_of"]] == [["advocate", "family_advocate"]]
    assert invitees["consider"] == []
    because = invitees["because"][1]
    assert because["consider_one_of"] == [["advocate", "family_advocate"]]


def test_chair_options_expand_groups_and_say_which(tmp_path):
    chair = evaluate(tmp_path, ONE_OF)["chair"]
    assert chair["options"] == MANAGERS + ["iro"]
    assert chair["groups"] == {"team_managers": MANAGERS[:3]}


def test_a_group_in_required_still_means_every_member(tmp_path):
    version = VOCABULARY + "invitees:\n  - required: [team_managers]\n    source: \"all three managers\"\n"
    invitees = evaluate(tmp_path, version)["invitees"]
    assert invitees["required"] == MANAGERS[:3]
    assert invitees["required_one_of"] == []


@pytest.mark.parametrize("written, message", [
    ("[{one_of: [iro]}]", "'one_of' needs two or more roles"),
    ("[{one_of: [iro, team_manger]}]", "Did you mean 'team_managers'?"),
    ("[{one_of: iro}]", "'one_of' is a list of roles or role groups"),
    ("[{one_off: [iro, advocate]}]", "Did you mean 'one_of'?"),
])
def test_one_of_mistakes_are_located(tmp_path, written, message):
    version = VOCABULARY + f"invitees:\n  - required: {written}\n    source: \"x\"\n"
    found = problems(tmp_path, version)
    assert any(message in p and p.startswith("10:") for p in found), found


def test_a_misspelt_group_is_suggested(tmp_path):
    version = VOCABULARY + "chair:\n  - options: [team_manager]\n    source: \"x\"\n"
    assert any("Did you mean 'team_managers'?" in p for p in problems(tmp_path, version))


# ------------------------------------------------------------------ attendance checks
ATTENDANCE = VOCABULARY + """\
triggers:
  - id: no-manager
    title: A meeting held without a team manager
    when: {event: stability_meeting_held, where: {attendees: {includes_none: team_managers}}}
    source: "a team manager attends"
  - id: with-manager
    title: A meeting a team manager attended
    when: {event: stability_meeting_held, where: {attendees: {includes: team_managers}}}
    source: "a team manager attends"
"""


@pytest.mark.parametrize("attendees, fired", [
    (["iro", "residential_team_manager"], ["with-manager"]),
    (["iro", "adoption_team_manager", "fostering_team_manager"], ["with-manager"]),
    (["iro", "practice_manager"], ["no-manager"]),
    ([], ["no-manager"]),
])
def test_includes_a_group_means_includes_one_of_its_members(tmp_path, attendees, fired):
    meeting = {"type": "stability_meeting_held", "on": "2025-05-01", "attendees": attendees}
    answer = evaluate(tmp_path, ATTENDANCE, events=[meeting])
    assert [t["rule"] for t in answer["triggers"]] == fired


# ------------------------------------------------------------------ forms
FORM = """\
title: Who came
version: 1
sections:
  - title: The meeting
    fields:
      - {id: came, kind: roles, label: Who came?, options: %s}
"""


def load(tmp_path: Path, options: str):
    version = load_policy(council(tmp_path, VOCABULARY)).current
    return load_form(FORM % options, "came.yaml", version.options(), version.vocabulary.event_scope(),
                     groups=version.vocabulary.role_groups)


def test_a_form_may_offer_a_role_group(tmp_path):
    form = load(tmp_path, "{list: roles, only: [team_managers, practice_manager]}")
    assert [o.value for o in form.field("came").options] == MANAGERS


def test_a_form_may_leave_out_a_role_group(tmp_path):
    form = load(tmp_path, "{list: roles, except: [team_managers]}")
    values = [o.value for o in form.field("came").options]
    assert "iro" in values and not set(values) & set(MANAGERS[:3])


def test_a_form_may_name_one_group_alone(tmp_path):
    form = load(tmp_path, "{list: roles, only: team_managers}")
    assert [o.value for o in form.field("came").options] == MANAGERS[:3]


@pytest.mark.parametrize("options, message", [
    ("{list: roles, only: [team_manager]}", "'team_manager' is not a role or role group in the list 'roles'. "
                                            "Did you mean 'team_managers'?"),
    ("{list: roles, only: {a: b}}", "'only' is a list of roles or role groups from 'roles', for example "),
])
def test_a_form_role_mistake_is_clear(tmp_path, options, message):
    with pytest.raises(SourceError) as caught:
        load(tmp_path, options)
    assert any(message in p.message for p in caught.value.problems), caught.value.problems


def test_a_form_condition_may_name_a_group(tmp_path):
    text = FORM % "roles" + ("      - {id: why, kind: text, label: Why no manager?,\n"
                             "         show_when: {came: {includes_none: team_managers}}}\n")
    version = load_policy(council(tmp_path, VOCABULARY)).current
    form = load_form(text, "came.yaml", version.options(), groups=version.vocabulary.role_groups)
    assert form.field("why").show_when.tests[0].value == tuple(MANAGERS[:3])


def test_a_council_form_naming_a_group_loads(tmp_path):
    # the finding: `only: managers` was refused with "'only' is a list of values from 'roles'."
    folder = council(tmp_path, VOCABULARY)
    (folder / "forms").mkdir()
    (folder / "forms" / "came.yaml").write_text(FORM % "{list: roles, only: team_managers}")
    form = load_forms("westshire", date(2025, 6, 1), root=tmp_path).get("came")
    assert [o.value for o in form.field("came").options] == MANAGERS[:3]


@pytest.mark.parametrize("attendees, holds", [
    (["iro", "practice_manager"], True), (["adoption_team_manager"], True), (["iro"], False)])
def test_includes_any_takes_groups_and_roles_together(tmp_path, attendees, holds):
    version = VOCABULARY + """\
triggers:
  - id: a-manager-came
    title: A team manager or the practice manager attended
    when: {event: stability_meeting_held, where: {attendees: {includes_any: [team_managers, practice_manager]}}}
    source: "a manager attends"
"""
    meeting = {"type": "stability_meeting_held", "on": "2025-05-01", "attendees": attendees}
    assert bool(evaluate(tmp_path, version, events=[meeting])["triggers"]) == holds


def test_is_a_group_means_one_of_its_members(tmp_path):
    version = VOCABULARY + """\
triggers:
  - id: chaired-by-a-team-manager
    title: A team manager chaired
    when: {event: stability_meeting_held, where: {chair: team_managers}}
    source: "a team manager chairs"
"""
    for chair, holds in (("residential_team_manager", True), ("iro", False)):
        meeting = {"type": "stability_meeting_held", "on": "2025-05-01", "chair": chair}
        assert bool(evaluate(tmp_path / chair, version, events=[meeting])["triggers"]) == holds


def test_a_one_of_already_met_is_left_out(tmp_path):
    version = VOCABULARY + """\
invitees:
  - required: [iro]
    consider: [advocate]
    source: "the IRO; consider the advocate"
  - required: [{one_of: [iro, practice_manager]}]
    consider: [{one_of: [advocate, family_advocate]}, {one_of: [practice_manager, child]}]
    source: "the IRO or the practice manager; an advocate; the practice manager or the child"
"""
    invitees = evaluate(tmp_path, version)["invitees"]
    assert invitees["required_one_of"] == []   # the IRO is required on their own
    assert [o["roles"] for o in invitees["consider_one_of"]] == [["practice_manager", "child"]]
