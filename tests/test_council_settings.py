"""council.yaml's people-and-records settings (hearth.engine.council_settings): defaults when
absent, what a council may set, and every mistake located with a suggestion."""
from __future__ import annotations

import pytest

from hearth.engine.council_settings import APP_ROLES, DEFAULT_KEEP_UNTIL_AGE, SingleSignOn
from hearth.engine.policy import load_council
from hearth.rules.source import SourceError
from hearth.web.models import Role

SSO = """sign_in:
  two_factor: [admin]
  single_sign_on:
    issuer: https://login.microsoftonline.com/tenant-id/v2.0
    client_id: 6731de76-14a6-49ae-97bc-6eba6914391e
    client_secret_from: HEARTH_SSO_NORTHSHIRE_SECRET
    roles:
      hearth-managers: manager
      hearth-workers: worker
records:
  keep_until_age: 80
  source: "Records are kept until the child's 80th birthday."
"""


def with_settings(folder, text: str):
    council = folder / "council.yaml"
    council.write_text(council.read_text() + text)
    return council


def problems(folder) -> str:
    with pytest.raises(SourceError) as refused:
        load_council(folder)
    return str(refused.value)


def test_the_web_roles_are_the_roles_council_yaml_may_name():
    assert set(APP_ROLES) == {role.value for role in Role}


def test_a_council_that_says_nothing_gets_the_defaults(policy_copy):
    settings = load_council(policy_copy).settings
    assert settings.sign_in.two_factor == ("admin", "policy_officer")
    assert settings.sign_in.single_sign_on is None
    assert settings.records.keep_until_age == DEFAULT_KEEP_UNTIL_AGE == 75


def test_a_council_sets_its_own(policy_copy):
    with_settings(policy_copy, SSO)
    settings = load_council(policy_copy).settings
    assert settings.sign_in.two_factor == ("admin",)
    sso = settings.sign_in.single_sign_on
    assert sso.issuer == "https://login.microsoftonline.com/tenant-id/v2.0"
    assert sso.client_secret_from == "HEARTH_SSO_NORTHSHIRE_SECRET" and sso.roles_claim == "groups"
    assert sso.roles == (("hearth-managers", "manager"), ("hearth-workers", "worker"))
    assert settings.records.keep_until_age == 80 and "80th birthday" in settings.records.source


def test_the_first_mapped_value_in_the_file_gives_the_role():
    sso = SingleSignOn("https://issuer.example", "client", "SECRET",
                       roles=(("managers", "manager"), ("workers", "worker")))
    assert sso.role_for(["workers", "managers"]) == "manager"
    assert sso.role_for("workers") == "worker"
    assert sso.role_for(["someone-else"]) is None and sso.role_for(None) is None


@pytest.mark.parametrize("old, new, expected", [
    ("two_factor: [admin]", "two_factor: [admn]", "'admn' is not a Hearth role. Did you mean 'admin'?"),
    ("client_secret_from: HEARTH_SSO_NORTHSHIRE_SECRET", "client_secret_from: s3cr3t-value",
     "names an environment variable in capitals"),
    ("issuer: https://login", "issuer: ftp://login", "'issuer' is the provider's https address"),
    ("hearth-workers: worker", "hearth-workers: wroker", "'wroker' is not a Hearth role. Did you mean 'worker'?"),
    ("keep_until_age: 80", "keep_until_age: 7", "'keep_until_age' is the child's age"),
    ("  client_id: 6731", "  clientid: 6731", "Did you mean 'client_id'?"),
])
def test_a_mistake_is_located_and_explained(policy_copy, old, new, expected):
    council = with_settings(policy_copy, SSO.replace(old, new))
    said = problems(policy_copy)
    assert expected in said
    line = next(number for number, text in enumerate(council.read_text().splitlines(), start=1)
                if new.strip().split(":")[0] in text)
    assert f"{council}:{line}:" in said
