"""A policy with a mistake is rejected with file, line, column and a fix a policy officer can act on."""
import re
from pathlib import Path

import pytest

from hearth.engine.policy import load_policy
from hearth.rules.source import SourceError


def break_file(folder: Path, old: str, new: str, name: str = "2025-04.yaml") -> Path:
    path = folder / "versions" / name
    text = path.read_text()
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1))
    return path


def problems_of(folder: Path) -> list:
    with pytest.raises(SourceError) as info:
        load_policy(folder)
    return info.value.problems


def line_of(path: Path, needle: str) -> int:
    """The last line containing needle (a duplicate is reported where it is repeated)."""
    lines = [i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    assert lines, needle
    return lines[-1]


def test_the_fixture_loads(fixture_root):
    policy = load_policy(fixture_root / "northshire")
    assert [v.version for v in policy.versions] == ["2025-04", "2026-01"]


@pytest.mark.parametrize("old,new,needle,message", [
    ("when: {event: missing_episode}", "when: {event: mising_episode}", "mising_episode",
     "'mising_episode' is not an event type this policy knows. Did you mean 'missing_episode'?"),
    ("    met_by: return_interview_held\n", "    met_by: return_interview_held\n    metby: x\n", "metby",
     "'metby' is not something a deadline can have. Did you mean 'met_by'?"),
    ("options: [childs_team_manager]", "options: [childs_team_manger]", "childs_team_manger",
     "'childs_team_manger' is not a role. Did you mean 'childs_team_manager'?"),
    ("within: 12 months", "within: 12 monthz", "12 monthz", "Did you mean '12 months'?"),
    ("closed_days: [2025-12-24]", "closed_days: [2025-02-30]", "2025-02-30", "is not a real date"),
    ("  - id: cross_border_review", "  - id: return_interview", "id: return_interview\n",
     "The id 'return_interview' is used twice in deadlines and duties"),
    ("met_by: stability_meeting_held", "met_by: stability_meeting", "met_by: stability_meeting\n",
     "'stability_meeting' is not an event type this policy knows. Did you mean 'stability_meeting_held'?"),
    ("calendar: scottish", "calendar: scotish", "scotish", "There is no calendar 'scotish'. Did you mean 'scottish'?"),
    ("due: 72 hours after missing_episode", "due: 72 hours from missing_episode", "72 hours from",
     "does not say when it is due"),
    ("recommend: hold_stability_meeting", "recommend: hold_stabilty_meeting", "hold_stabilty_meeting",
     "Did you mean 'hold_stability_meeting'?"),
    ("where: {significant: true}", "where: {signifcant: true}", "signifcant",
     "'signifcant' is not a field of a safeguarding_concern event. Did you mean 'significant'?"),
    ("actions: [increased_funding]", "actions: [increased_fundng]", "increased_fundng",
     "'increased_fundng' is not an action. Did you mean 'increased_funding'?"),
    ("{triggered: any, since: stability_meeting_held}", "{triggerd: any, since: stability_meeting_held}",
     "triggerd", "'triggerd' is not a field of the record. Did you mean 'triggered'?"),
])
def test_a_mistake_is_located_and_explained(policy_copy, old, new, needle, message):
    path = break_file(policy_copy, old, new)
    problems = problems_of(policy_copy)
    assert any(message in p.message for p in problems), [str(p) for p in problems]
    hit = next(p for p in problems if message in p.message)
    assert hit.loc.file == str(path)
    assert hit.loc.line == line_of(path, needle.strip())
    assert hit.loc.column >= 1


def test_every_mistake_in_a_file_is_reported_at_once(policy_copy):
    break_file(policy_copy, "when: {event: missing_episode}", "when: {event: mising_episode}")
    break_file(policy_copy, "options: [childs_team_manager]", "options: [childs_team_manger]")
    assert len(problems_of(policy_copy)) == 2


def test_yaml_1_2_words_are_words(policy_copy):
    # `on`, `yes`, `no` are words in YAML 1.2; as a trigger id they are just text
    break_file(policy_copy, "  - id: missing\n", "  - id: on\n")
    policy = load_policy(policy_copy)
    assert policy.versions[0].triggers[0].id == "on"


def test_a_syntax_error_is_located(policy_copy):
    path = break_file(policy_copy, "title: Placement stability procedure, April 2025",
                      "title: [Placement stability procedure")
    problems = problems_of(policy_copy)
    assert len(problems) == 1 and problems[0].loc.file == str(path)
    assert problems[0].message.startswith("The file is not valid YAML here")


def test_a_duplicated_key_is_reported(policy_copy):
    break_file(policy_copy, "title: Placement stability procedure, April 2025",
               "title: One\ntitle: Two")
    problems = problems_of(policy_copy)
    assert "'title' is written twice" in problems[0].message  # the key is named, not only its line


def test_missing_source_is_required(policy_copy):
    break_file(policy_copy, '    source: "Any missing episode"\n', "")
    problems = problems_of(policy_copy)
    assert any("needs 'source'" in p.message for p in problems)


def test_two_versions_on_the_same_day_are_refused(policy_copy):
    break_file(policy_copy, "effective_from: 2026-01-01", "effective_from: 2025-04-01", "2026-01.yaml")
    problems = problems_of(policy_copy)
    assert "same day" in problems[0].message


def test_version_in_force_is_chosen_by_date(fixture_root):
    from datetime import date
    from hearth.engine.policy import NoPolicyInForce
    policy = load_policy(fixture_root / "northshire")
    assert policy.version_on(date(2025, 12, 31)).version == "2025-04"
    assert policy.version_on(date(2026, 1, 1)).version == "2026-01"
    with pytest.raises(NoPolicyInForce, match="first"):
        policy.version_on(date(2025, 3, 31))


def test_a_trigger_must_say_which_events_it_is_about(policy_copy):
    break_file(policy_copy, "when: {event: missing_episode}", "when: {not: {event: missing_episode}}")
    problems = problems_of(policy_copy)
    assert any("A trigger must say which events it is about" in p.message for p in problems)


def test_a_changed_council_file_is_read_again(policy_copy):
    """get_council remembers council.yaml until the file changes; a change with a mistake keeps
    the last good council in force and the mistake is reported by policy_states."""
    from hearth.engine import api
    root = policy_copy.parent
    first = api.get_council("northshire", root)
    assert api.get_council("northshire", root) is first
    path = policy_copy / "council.yaml"
    path.write_text(path.read_text().replace(first.name, first.name + " (renamed)", 1))
    assert api.get_council("northshire", root).name == first.name + " (renamed)"
    assert [c.name for c in api.list_councils(root)] == [first.name + " (renamed)"]
    api.get_policy("northshire", root)
    path.write_text(re.sub(r"nation: \w+", "nation: atlantis", path.read_text()))
    assert api.get_council("northshire", root).name == first.name + " (renamed)"
    [problem] = api.policy_states(root)["northshire"]["problems"]
    assert "'atlantis' is not a nation" in problem["message"] and problem["field"] == "nation"


def test_a_move_extends_by_a_number_field_only(policy_copy):
    """'extend_by: significant' (a yes/no field) was accepted and moved nothing, silently."""
    path = break_file(policy_copy, "    met_by: return_interview_held\n",
                      "    met_by: return_interview_held\n"
                      "    moved_by: [{event: safeguarding_concern, extend_by: significant}]\n")
    problems = problems_of(policy_copy)
    hit = next(p for p in problems if "'extend_by' names the field 'significant'" in p.message)
    assert "which is a boolean field" in hit.message
    assert hit.loc.file == str(path) and hit.loc.line == line_of(path, "extend_by: significant")
