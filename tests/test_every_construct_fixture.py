"""The every-construct fixture council (tests/fixtures/councils/every_construct) uses every
construct of the languages: every key the policy, council and form schemas know, every
kind of question and event field, every named option list, every kind of duration. When
the language gains a construct, this fails until the fixture uses it -- and so the suite's
generic part (which runs against the fixture, tests/councils.py) covers it."""
from __future__ import annotations

import re

from hearth.engine.schema import council_schema, version_schema
from hearth.forms import form_schema
from hearth.forms.model import FIELD_KINDS
from hearth.rules.source import LList, LMap, load_yaml

from councils import FIXTURE_COUNCILS

FIXTURE = FIXTURE_COUNCILS / "every_construct"
EVENT_FIELD_KINDS = {"text", "number", "boolean", "date", "role", "roles", "action", "choice"}
OPTION_LISTS = {"roles", "parties", "placement_types", "event_types", "actions", "recommendations", "interventions",
                "triggers"}
DURATIONS = {"working days": r"\d+ working days?", "days": r"\d+ days", "weeks": r"\d+ weeks?",
             "months": r"\d+ months?", "hours": r"\d+ hours", "immediately": r"\bimmediately\b"}


def schema_keys(node, found: set) -> set:
    """Every property name a JSON Schema allows, anywhere in it."""
    if isinstance(node, dict):
        found.update(node.get("properties", {}))
        for value in node.values():
            schema_keys(value, found)
    elif isinstance(node, list):
        for value in node:
            schema_keys(value, found)
    return found


def used(node, keys: set, values: set) -> None:
    """Every key, and every scalar value, written in a YAML document."""
    if isinstance(node, (dict, LMap)):
        for key, value in node.items():
            keys.add(str(key))
            used(value, keys, values)
    elif isinstance(node, (list, LList)):
        for value in node:
            used(value, keys, values)
    else:
        values.add(str(node))


def written(folder: str) -> tuple[set, set, str]:
    keys, values, text = set(), set(), ""
    for path in sorted((FIXTURE / folder).rglob("*.yaml")) if folder else [FIXTURE / "council.yaml"]:
        source = path.read_text(encoding="utf-8")
        used(load_yaml(source, str(path)), keys, values)
        text += source
    return keys, values, text


def test_every_key_of_the_policy_language_is_used():
    keys, _, _ = written("versions")
    assert schema_keys(version_schema(), set()) - keys == set()


def test_every_key_of_council_yaml_is_used():
    """Except single sign-on's: a council with it shows its provider's button on the sign-in page
    and sends people there, so only a council whose provider answers may have it. The suite
    gives one such a provider (tests/web/sso_support.py publishes the block, every key of it,
    for tests/web/test_sso.py) and reads each key in tests/test_council_settings.py."""
    keys, _, _ = written("")
    single_sign_on = schema_keys(council_schema()["properties"]["sign_in"]["properties"]["single_sign_on"],
                                 {"single_sign_on"})
    assert schema_keys(council_schema(), set()) - keys == single_sign_on


def test_every_key_of_the_form_language_is_used():
    keys, _, _ = written("forms")
    assert schema_keys(form_schema(), set()) - keys == set()


def test_every_kind_of_question_event_field_option_list_and_duration_is_used():
    _, form_values, _ = written("forms")
    assert set(FIELD_KINDS) - form_values == set(), "kinds of question"
    assert OPTION_LISTS - form_values == set(), "named option lists"
    _, policy_values, policy_text = written("versions")
    assert EVENT_FIELD_KINDS - policy_values == set(), "kinds of event field"
    assert {name for name, pattern in DURATIONS.items() if not re.search(pattern, policy_text)} == set(), "durations"


def test_the_fixture_has_every_part_of_a_council_folder():
    parts = {p.name for p in FIXTURE.iterdir()}
    assert {"council.yaml", "versions", "forms", "tests", "demo", "document"} <= parts
    assert len(list((FIXTURE / "versions").glob("*.yaml"))) >= 2, "versions by effective date"
    assert list((FIXTURE / "forms" / "_versions").rglob("*.yaml")), "an older form version"
