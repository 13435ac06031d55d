"""hearth.engine.whatif, whatif_tests and whatif_changes: a what-if's two answers part by part, a
what-if written as a policy test that passes on the files it was made from (every council's demo
cases, so nothing here assumes a council's rules) and fails once a rule changes, appended to a
test file without rewriting it; a draft's change paired version by name and said in words."""
from __future__ import annotations

import copy
from datetime import date

import pytest

from hearth.engine.case import parse_case_data
from hearth.engine.demo import read_demo_cases
from hearth.engine.evaluate import evaluate
from hearth.engine.policy import load_policy
from hearth.engine.policy_files import PolicyFiles
from hearth.engine.policy_tests import run_council_tests
from hearth.engine.whatif import part_rows
from hearth.engine.whatif_changes import file_changes, version_changes, version_pairs
from hearth.engine.whatif_tests import WHAT_IF_TESTS, policy_test, with_test
from hearth.rules.source import SourceError, load_yaml

from councils import generic_councils, needs_council, session_root

DAY = date(2026, 3, 2)
SWINDON_MINUTES = ("due: 5 working days after stability_meeting_held or review_meeting_held\n"
                   "    met_by: minutes_circulated")


def council_files(council: str) -> PolicyFiles:
    return PolicyFiles.from_folder(session_root() / council)


def demo_documents(files: PolicyFiles, policy) -> list[dict]:
    """Each demo case as a what-if's case document: placement and events, no child."""
    return [{"placement": {"type": case.placement_type, "started": case.placement_started.isoformat()},
             "events": [{"type": event.type, "on": event.on.isoformat(), **event.fields} for event in case.events]}
            for case in read_demo_cases(files, policy, DAY)]


def answered(policy, document: dict, on: date = DAY) -> dict:
    version = policy.version_on(on)
    return evaluate(version, parse_case_data(document, version.vocabulary, "case"), on)


@pytest.mark.parametrize("council", generic_councils())
def test_a_what_if_made_a_test_passes_on_its_own_files(council):
    files = council_files(council)
    policy = load_policy(files)
    documents = demo_documents(files, policy)[:3]
    if not documents:
        pytest.skip(f"{council} has no demo cases to make what-ifs of")
    text = None
    for index, document in enumerate(documents):
        test = policy_test(f"What-if {index}", document, DAY, answered(policy, document), policy.version_on(DAY))
        text = with_test(text, test)
    results = {result.name: result.failures for result in run_council_tests(files.replace({WHAT_IF_TESTS: text}))}
    assert [results[f"What-if {index}"] for index in range(len(documents))] == [[]] * len(documents)


@pytest.mark.parametrize("council", generic_councils()[:1])
def test_a_test_expecting_another_answer_fails(council):
    files = council_files(council)
    policy = load_policy(files)
    documents = demo_documents(files, policy)
    if not documents:
        pytest.skip(f"{council} has no demo cases")
    answer = copy.deepcopy(answered(policy, documents[0]))
    answer["recommendation"] = "not_what_came"
    text = with_test(None, policy_test("Wrong", documents[0], DAY, answer, policy.version_on(DAY)))
    failures = [result.failures for result in run_council_tests(files.replace({WHAT_IF_TESTS: text}))
                if result.name == "Wrong"][0]
    assert any("recommendation" in failure for failure in failures)


def test_appending_keeps_what_is_written_and_refuses_what_is_not_a_test_list():
    test = {"name": "Second", "on": "2026-01-05", "case": {"placement": {"type": "x", "started": "2025-01-01"}},
            "expect": {"recommendation": "none"}}
    written = "# my own words\ntests:\n  - name: First   # kept\n    on: 2026-01-01\n    case: {}\n    expect: {}\n"
    appended = with_test(written, test)
    assert appended.startswith(written)
    assert [str(item["name"]) for item in load_yaml(appended, "t")["tests"]] == ["First", "Second"]
    for wrong in ("tests: []\n", "name: not a list\n", "tests:\n  - a\nother: 1\n"):
        with pytest.raises(SourceError):
            with_test(wrong, test)


def test_the_two_answers_differ_only_in_the_part_that_changed():
    council = generic_councils()[0]
    files = council_files(council)
    policy = load_policy(files)
    documents = [document for document in demo_documents(files, policy) if answered(policy, document)["deadlines"]]
    if not documents:
        pytest.skip(f"{council} has no demo case with a deadline")
    answer = answered(policy, documents[0])
    moved = copy.deepcopy(answer)
    moved["deadlines"][0]["due"] = "2099-01-01"
    rows = {row.part: row for row in part_rows(moved, policy.version_on(DAY), answer, policy.version_on(DAY))}
    assert [part for part, row in rows.items() if row.differs] == ["deadlines"]
    assert any("1 January 2099" in line for line in rows["deadlines"].draft)
    assert not any(row.differs for row in part_rows(answer, policy.version_on(DAY), None, None))


@needs_council("swindon")
def test_a_changed_version_is_said_against_itself_and_a_new_one_against_what_it_follows():
    files = council_files("swindon")
    path = next(path for path in files.glob("versions/*.yaml") if SWINDON_MINUTES in files.text(path))
    changed = files.replace({path: files.text(path).replace(SWINDON_MINUTES, SWINDON_MINUTES.replace("5", "3"), 1)})
    published, draft = load_policy(files), load_policy(changed)
    found = version_changes(published, draft)
    assert len(found) == 1 and found[0].same_name
    assert ["Within 5 working days → Within 3 working days"] == [line for change in found[0].changes
                                                                for line in change.lines]
    assert [change.path for change in file_changes(files, changed)] == [path]
    assert version_changes(published, published) == []
    assert version_pairs(published, published) == [(version, version) for version in published.versions]
    later = changed.text(path).replace("effective_from: 2025-01-01", "effective_from: 2027-01-04", 1)
    with_new = files.replace({"versions/2027-01.yaml": later})
    pairs = version_pairs(published, load_policy(with_new))
    assert [(old.version, new.version) for old, new in pairs] == [("2025-01", "2025-01"), ("2025-01", "2027-01")]
    said = [line for change in version_changes(published, load_policy(with_new))[0].changes for line in change.lines]
    assert "Within 5 working days → Within 3 working days" in said
