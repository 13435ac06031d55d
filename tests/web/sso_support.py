"""Single sign-on for a test council, the way a council sets it up: a publication of its
policy whose council.yaml has ``sign_in.single_sign_on`` naming a local provider
(tests/web/oidc_provider.py), and the client secret in the environment variable it names.

The app reads council.yaml from the publication in force, exactly as in production
(hearth.web.policy_library): the test publishes the council's files again with only
council.yaml changed, so nothing about how councils are read is changed for tests. The
`demo` fixture (and the browser suite's reseed) empties the database, taking the publication
with it."""
from __future__ import annotations

import json

from hearth.engine.policy_files import PolicyFiles
from hearth.web import db, policy_store

from oidc_provider import OidcProvider
from web_support import POLICIES_FROM

WORKERS, MANAGERS = "hearth-workers", "hearth-managers"
LABEL = "Test council account"


def secret_variable(council_id: str) -> str:
    return "HEARTH_TEST_SSO_" + council_id.upper().replace("-", "_")


def council_yaml_sign_in(provider: OidcProvider, council_id: str) -> str:
    """The sign_in block a council's IT would add, for this provider (managers listed first:
    the first group that matches gives the role)."""
    return "\n".join([
        "sign_in:",
        "  single_sign_on:",
        f"    issuer: {json.dumps(provider.issuer)}",
        f"    client_id: {json.dumps(provider.client.client_id)}",
        f"    client_secret_from: {secret_variable(council_id)}",
        "    roles_claim: groups",
        "    roles:",
        f"      {MANAGERS}: manager",
        f"      {WORKERS}: worker",
        f"    label: {LABEL}",
        ""])


def with_single_sign_on(council_yaml: str, sign_in: str) -> str:
    """council.yaml with the sign_in block added, or its single_sign_on put under the
    council's own ``sign_in:`` (its two-factor roles kept)."""
    lines = council_yaml.rstrip("\n").split("\n")
    if "sign_in:" not in lines:
        return "\n".join(lines) + "\n" + sign_in
    at = lines.index("sign_in:") + 1
    return "\n".join(lines[:at] + sign_in.rstrip("\n").split("\n")[1:] + lines[at:]) + "\n"


def publish_single_sign_on(app, council_id: str, provider: OidcProvider) -> None:
    """Publish the council's policy in force again, its council.yaml with single sign-on."""
    with app.app_context():
        session = db.session()
        files = policy_store.set_files(policy_store.published_set(session, council_id))
        texts = dict(files.texts)
        texts["council.yaml"] = with_single_sign_on(texts["council.yaml"], council_yaml_sign_in(provider, council_id))
        policy_store.publish(session, PolicyFiles(council_id, files.origin, texts), published_by="tests",
                             approved_by="tests", effective_from=POLICIES_FROM,
                             change_note="Single sign-on for the tests")
        session.commit()
