"""A what-if made into a policy test: "this is what should happen" for that case on that day.

The test says what the draft answered for the parts a change can break (the version, triggers,
recommendation, chair, invitees, every deadline and duty the version has, gates, interventions)
in the policy tests' format (hearth.engine.policy_tests, docs/policy-language.md), so it passes
on the draft it was made from and fails as soon as a rule changes what that case gets. Tests
made this way are kept together in one file of the draft, ``tests/what-if.yaml``, appended to
and made when needed, so an officer's hand-written test files are never rewritten.
"""
from __future__ import annotations

import io
from datetime import date

from ruamel.yaml import YAML

from hearth.rules.source import LList, LMap, Loc, Problem, SourceError, load_yaml

from .policy_model import PolicyVersion

WHAT_IF_TESTS = "tests/what-if.yaml"
HEADER = ("# Policy tests made from what-ifs in the policy workspace: what the draft answered when each\n"
          "# was made. Change or delete them as any other test.\n")


def policy_test(name: str, case: dict, on: date, answer: dict, version: PolicyVersion) -> dict:
    """A test of ``case`` (a case document without child: no personal details) on ``on``
    expecting ``answer``, the engine's answer under ``version``."""
    return {"name": name, "on": on.isoformat(), "case": case, "expect": expectation(answer, version)}


def expectation(answer: dict, version: PolicyVersion) -> dict:
    """What a test expects of an answer: every part the engine gives, each deadline and duty of
    the version that did not apply written as absent (a change that makes one apply fails)."""
    invitees = answer["invitees"]
    expect = {
        "policy_version": answer["policy"]["version"],
        "triggers": sorted(trigger["rule"] for trigger in answer["triggers"]),
        "recommendation": answer["recommendation"] or "none",
        "chair": list(answer["chair"]["options"]),
        "invitees": {"required": list(invitees["required"]), "consider": list(invitees["consider"]),
                     "required_one_of": [list(entry["roles"]) for entry in invitees.get("required_one_of", [])],
                     "consider_one_of": [list(entry["roles"]) for entry in invitees.get("consider_one_of", [])],
                     "not": []},
        "deadlines": _obligations(answer["deadlines"], version.deadlines),
        "duties": _obligations(answer["duties"], version.duties),
        "gates": {gate["action"]: gate["status"] for gate in answer["gates"]},
        "interventions": {"includes": [item["id"] for item in answer["interventions"]]},
    }
    expect["invitees"]["not"] = [role for role in version.vocabulary.roles
                                 if role not in invitees["required"] and role not in invitees["consider"]]
    return expect


def _obligations(instances: list, declared) -> dict:
    """Each obligation of the version: its instances in order (due and status), or absent."""
    found: dict = {}
    for instance in instances:
        found.setdefault(instance["id"], []).append({"due": instance["due"], "status": instance["status"]})
    return {obligation.id: found.get(obligation.id, "absent") for obligation in declared}


def with_test(text: str | None, test: dict, file: str = WHAT_IF_TESTS) -> str:
    """The test file's text with ``test`` appended (a new file when ``text`` is None). What is
    there is kept as written; SourceError, located, when it is not a list of tests."""
    if text is None or not text.strip():
        return HEADER + "tests:\n" + _item(test)
    document = load_yaml(text, file)
    if not isinstance(document, LMap) or not isinstance(document.get("tests"), LList) or list(document) != ["tests"]:
        raise SourceError([Problem(getattr(document, "loc", Loc(file)), f"{file} is not a list of tests "
                                   "(tests: and nothing else), so a test cannot be added to it. Correct it in "
                                   "the draft first.", "tests")])
    appended = text.rstrip("\n") + "\n" + _item(test)
    read = load_yaml(appended, file)
    if not isinstance(read, LMap) or not isinstance(read.get("tests"), LList) \
            or len(read["tests"]) != len(document["tests"]) + 1:   # tests: [] written on one line
        raise SourceError([Problem(document.value_loc("tests"), f"{file} writes its tests on one line, so a test "
                                   "cannot be added below them. Write them as a list, one '- name:' a test.", "tests")])
    return appended


def _item(test: dict) -> str:
    """One test as an item of the ``tests:`` list, indented as the council's test files are."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = None   # short lists and mappings on one line, as people write them
    yaml.width = 110
    yaml.sort_base_mapping_type_on_output = False
    out = io.StringIO()
    yaml.dump([test], out)
    return "".join(f"  {line.rstrip()}\n" for line in out.getvalue().splitlines())
