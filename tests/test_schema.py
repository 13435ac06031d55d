"""The JSON Schema editors use agrees with the real loader, on real files and broken ones."""
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from hearth.engine.policy import load_policy
from hearth.engine.schema import schemas
from hearth.rules.source import SourceError

from conftest import FIXTURES, ROOT

# The shipped councils, the fixture councils and the every-construct council (which says
# 'triggered: [carer-endings]': a trigger id with a hyphen the schema once refused).
FOLDERS = (FIXTURES, ROOT / "tests" / "fixtures" / "councils", ROOT / "policies")
VERSION_FILES = sorted(path for folder in FOLDERS for path in folder.glob("*/versions/*.yaml"))
COUNCIL_FILES = sorted(path for folder in FOLDERS for path in folder.glob("*/council.yaml"))
TEST_FILES = sorted(path for folder in FOLDERS for path in folder.glob("*/tests/*.yaml"))


def data(path: Path):
    yaml = YAML(typ="safe")
    yaml.constructor.yaml_constructors["tag:yaml.org,2002:timestamp"] = \
        yaml.constructor.yaml_constructors["tag:yaml.org,2002:str"]
    return yaml.load(path.read_text())


def validator(kind):
    schema = schemas()[kind]
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", VERSION_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_real_version_file_matches_the_schema(path):
    errors = [e.message for e in validator("version").iter_errors(data(path))]
    assert not errors, errors


@pytest.mark.parametrize("path", COUNCIL_FILES, ids=lambda p: p.parent.name)
def test_every_council_file_matches_the_schema(path):
    assert not list(validator("council").iter_errors(data(path)))


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_policy_test_file_matches_the_schema(path):
    errors = [e.message for e in validator("tests").iter_errors(data(path))]
    assert not errors, errors


@pytest.mark.parametrize("old,new", [
    ("    met_by: return_interview_held\n", "    met_by: return_interview_held\n    metby: x\n"),  # unknown key
    ("within: 12 months", "within: 12 monthz"),                          # not a duration
    ('    source: "Any missing episode"\n', ""),                           # no source
    ("due: 72 hours after missing_episode", "due: 72 hours"),            # due without an event
    ("effective_from: 2025-04-01", "effective_from: April 2025"),        # not a date
    ("at_least: 2, within: 12 months", "at_least: 0, within: 12 months"),  # a count of nothing
    ("costed: true", "costed: yes"),                                     # YAML 1.2: yes is a word
])
def test_a_broken_file_is_rejected_by_both(policy_copy, old, new):
    path = policy_copy / "versions" / "2025-04.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    assert list(validator("version").iter_errors(data(path))), "the schema accepted it"
    with pytest.raises(SourceError):
        load_policy(policy_copy)
