"""A council's policy is loaded from a set of named files, a folder or any other store alike:
the same files give the same policy, the same answers and the same content hashes, and a
mistake is located at <origin>/<file>:line:col wherever the text came from."""
from datetime import date
from pathlib import Path

import pytest

from hearth.engine import policy_files as policy_files_module
from hearth.engine import sources
from hearth.engine.library import Entry
from hearth.engine.demo import read_demo_cases
from hearth.engine.documents import read_document
from hearth.engine.forms_catalog import catalog_of, lint_forms
from hearth.engine.linting import lint_council
from hearth.engine.policy import load_council, load_policy
from hearth.engine.policy_files import PolicyFiles, path_problem
from hearth.engine.policy_tests import run_council_tests
from hearth.engine.scaffold import new_council
from hearth.rules import limits
from hearth.rules.source import SourceError

ROOT = Path(__file__).resolve().parents[1]
COUNCILS = sorted([path for path in (ROOT / "policies").iterdir() if (path / "council.yaml").is_file()]
                  + [path for base in ("tests/fixtures/policies", "tests/fixtures/councils")
                     for path in (ROOT / base).iterdir() if (path / "council.yaml").is_file()])
WITH_TESTS = [folder for folder in COUNCILS if list((folder / "tests").glob("*.yaml"))]
TODAY = date(2026, 3, 2)


def ids(folders):
    return [folder.name for folder in folders]


def in_database(folder: Path) -> PolicyFiles:
    """The folder's files as a store that is not a disk would hand them over."""
    files = PolicyFiles.from_folder(folder)
    return PolicyFiles(files.council_id, f"db:{files.council_id}/draft", dict(reversed(files.texts.items())))


def every_file(folder: Path) -> dict:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def problems_of(call) -> list:
    with pytest.raises(SourceError) as refused:
        call()
    return refused.value.problems


# ------------------------------------------------------------------ round trip
@pytest.mark.parametrize("folder", COUNCILS, ids=ids(COUNCILS))
def test_a_folder_read_and_written_back_is_byte_identical(folder, tmp_path):
    files = PolicyFiles.from_folder(folder)
    assert set(files) == set(every_file(folder)), "every file of a council's folder is part of its policy"
    written = files.write_to(tmp_path / folder.name)
    assert every_file(written) == every_file(folder)
    again = PolicyFiles.from_folder(written)
    assert again.content_hash() == files.content_hash() and dict(again.texts) == dict(files.texts)


def test_a_freshly_scaffolded_council_round_trips_and_loads_the_same(tmp_path):
    folder = new_council(tmp_path / "made", "calderdale", "Calderdale Council", "england",
                         effective_from=date(2025, 1, 1))
    files = PolicyFiles.from_folder(folder)
    assert every_file(files.write_to(tmp_path / "copy")) == every_file(folder)
    assert [v.rules_hash for v in load_policy(in_database(folder)).versions] == \
        [v.rules_hash for v in load_policy(folder).versions]
    assert [r.ok for r in run_council_tests(in_database(folder))] == [r.ok for r in run_council_tests(folder)]


def test_exact_bytes_survive_a_round_trip(tmp_path):
    folder = tmp_path / "northshire"
    PolicyFiles.from_folder(ROOT / "tests/fixtures/policies/northshire").write_to(folder)
    odd = "\ufeffeffective_from: 2025-04-01\r\nsource: \"Caf\u00e9 \u2014 \u00bd\"\r\n"
    (folder / "versions" / "2026-01.yaml").write_bytes(odd.encode("utf-8"))
    PolicyFiles.from_folder(folder).write_to(tmp_path / "copy")
    assert (tmp_path / "copy" / "versions" / "2026-01.yaml").read_bytes() == odd.encode("utf-8")


# ------------------------------------------------------------------ the same policy wherever it is kept
@pytest.mark.parametrize("folder", COUNCILS, ids=ids(COUNCILS))
def test_the_same_files_load_the_same_policy_from_a_folder_or_elsewhere(folder):
    from_folder, from_files = load_policy(folder), load_policy(in_database(folder))
    assert from_files.council == from_folder.council == load_council(in_database(folder))
    assert [(v.version, v.effective_from, v.rules_hash) for v in from_files.versions] == \
        [(v.version, v.effective_from, v.rules_hash) for v in from_folder.versions]
    assert [v.file for v in from_files.versions] == \
        [f"db:{folder.name}/draft/versions/{v.version}.yaml" for v in from_folder.versions]
    assert [v.file for v in load_policy(PolicyFiles.from_folder(folder)).versions] == \
        [v.file for v in from_folder.versions], "a folder's files are located as they always were"


@pytest.mark.parametrize("folder", WITH_TESTS, ids=ids(WITH_TESTS))
def test_the_same_tests_give_the_same_answers(folder):
    from_folder, from_files = run_council_tests(folder), run_council_tests(in_database(folder))
    assert from_folder and all(result.ok for result in from_folder)
    assert [(r.name, r.ok, r.answer, r.form_errors) for r in from_files] == \
        [(r.name, r.ok, r.answer, r.form_errors) for r in from_folder]
    assert {r.loc.file for r in from_files} == {f"db:{folder.name}/draft/{Path(r.loc.file).relative_to(folder)}"
                                                for r in from_folder}


@pytest.mark.parametrize("folder", COUNCILS, ids=ids(COUNCILS))
def test_forms_demo_cases_and_document_read_the_same_from_files(folder):
    files, policy = in_database(folder), load_policy(folder)
    council = policy.council
    assert read_document(files, council) == read_document(folder, council)
    if (folder / "forms").is_dir():
        assert catalog_of(files, TODAY).describe() == catalog_of(PolicyFiles.from_folder(folder), TODAY).describe()
    assert read_demo_cases(files, policy, TODAY) == read_demo_cases(folder, policy, TODAY)
    assert lint_council(files)[0] == []


# ------------------------------------------------------------------ located mistakes
def test_a_mistake_in_files_held_in_memory_is_located_at_origin_path_line_column():
    files = in_database(ROOT / "policies" / "swindon")
    text = files.text("versions/2025-01.yaml")
    line = next(number for number, row in enumerate(text.splitlines(), 1) if row.startswith("effective_from:"))
    broken = files.replace({"versions/2025-01.yaml": text.replace("effective_from: ", "effective_from: 2025-13-45 #",
                                                                  1)})
    [problem] = problems_of(lambda: load_policy(broken))
    assert str(problem).startswith(f"db:swindon/draft/versions/2025-01.yaml:{line}:17 (effective_from): ")
    assert "Traceback" not in str(problem)


def test_a_form_or_test_mistake_in_memory_is_located_too():
    files = in_database(ROOT / "policies" / "swindon")
    form = files.text("forms/record_event.yaml")
    test = files.text("tests/deadlines.yaml")
    line = next(number for number, row in enumerate(test.splitlines(), 1) if "status: pending" in row)
    broken = files.replace({"forms/record_event.yaml": form + "colour: blue\n",
                            "tests/deadlines.yaml": test.replace("status: pending", "status: pnding", 1)})
    said = [str(problem) for problem in lint_council(broken)[0]]
    assert f"db:swindon/draft/forms/record_event.yaml:{len(form.splitlines()) + 1}:1 (colour): " in said[0]
    column = test.splitlines()[line - 1].index("status: pending") + len("status: ") + 1
    assert any(text.startswith(f"db:swindon/draft/tests/deadlines.yaml:{line}:{column} ") and "'pending'" in text
               for text in said), said
    assert lint_forms(broken)[0] and not lint_forms(files)[0]


def test_a_missing_council_file_and_a_missing_document_are_located():
    files = in_database(ROOT / "policies" / "gateshead")
    [problem] = problems_of(lambda: load_policy(files.replace({"council.yaml": None})))
    assert str(problem).startswith("db:gateshead/draft/council.yaml: There is no council.yaml")
    [document] = files.glob("document/*")
    [problem] = problems_of(lambda: load_council(files.replace({document: None})))
    assert str(problem).startswith("db:gateshead/draft/council.yaml:") and "There is no document/" in str(problem)


def test_a_file_that_is_not_utf8_is_located_at_the_byte(tmp_path):
    folder = PolicyFiles.from_folder(ROOT / "policies" / "swindon").write_to(tmp_path / "swindon")
    (folder / "tests" / "extra.yaml").write_bytes(b"tests:\n  - name: caf\xe9\n")
    [problem] = problems_of(lambda: PolicyFiles.from_folder(folder))
    assert str(problem).startswith(f"{folder}/tests/extra.yaml:2:14: The file is not UTF-8 text here (byte 0xe9)")
    assert load_policy(folder).council.id == "swindon", "a broken test file never stops the policy loading"


def test_a_control_character_held_in_memory_is_refused_where_it_is():
    files = in_database(ROOT / "policies" / "swindon")
    [problem] = problems_of(lambda: files.replace({"versions/2025-01.yaml": "title: a\n  b\x07c\n"}))
    assert str(problem).startswith("db:swindon/draft/versions/2025-01.yaml:2:4: The file has a control character")


def test_a_service_keeps_the_last_good_policy_of_files_as_of_a_folder():
    files, store = in_database(ROOT / "policies" / "swindon"), {}

    def kept(source: PolicyFiles):
        entry = Entry("swindon", "swindon", source.origin, lambda: source, content_hash=source.content_hash())
        return sources.kept(store, entry.key, entry.stamp(), lambda: load_policy(source), "policy", entry)

    good = kept(files)
    broken = files.replace({"versions/2025-01.yaml": files.text("versions/2025-01.yaml") + "colour: blue\n"})
    assert kept(broken) is good
    entry = store["swindon"]
    assert entry.state == "stale" and str(entry.problems[0]).startswith("db:swindon/draft/versions/2025-01.yaml:")


# ------------------------------------------------------------------ safe paths only
@pytest.mark.parametrize("path, says", [
    ("../council.yaml", "'..'"), ("versions/../council.yaml", "'..'"), ("versions//2025.yaml", "empty"),
    ("/etc/passwd", "absolute"), ("C:/policy/council.yaml", "absolute"), ("versions\\2025.yaml", "'\\'"),
    ("scripts/run.yaml", "'scripts/' is not one of a council's folders"),
    ("verisons/2025.yaml", "Did you mean 'versions'?"), ("README.md", "'README.md' is not one of a council's files"),
    ("versions/2025.txt", "versions/<name>.yaml"), ("versions/old/2025.yaml", "versions/<name>.yaml"),
    ("forms/_versions/funding_request.yaml", "forms/_versions/<form id>/<version>.yaml"),
    ("demo/other.yaml", "demo/cases.yaml"), ("document/sub/guide.txt", "document/<file name>"),
    ("versions/a\x00.yaml", "control characters"), ("", "needs a name"),
])
def test_a_file_outside_a_council_s_places_is_refused_plainly(path, says):
    [problem] = problems_of(lambda: PolicyFiles("swindon", "db:swindon/draft", {path: "x: 1\n"}))
    assert says in problem.message
    assert problem.loc.file == (f"db:swindon/draft/{path}" if path else "db:swindon/draft")
    assert path_problem(path) == problem.message


@pytest.mark.parametrize("path", ["council.yaml", "versions/2025-01.yaml", "forms/record_event.yaml",
                                  "forms/_versions/funding_request/1.yaml", "tests/gates.yaml", "demo/cases.yaml",
                                  "document/guidance 2025.txt"])
def test_every_place_a_council_keeps_a_file_is_accepted(path):
    assert path_problem(path) is None


def test_a_folder_s_other_files_are_not_part_of_its_policy(tmp_path):
    folder = PolicyFiles.from_folder(ROOT / "policies" / "swindon").write_to(tmp_path / "swindon")
    (folder / "README.md").write_text("notes\n")
    (folder / "versions" / "notes.txt").write_text("notes\n")
    (folder / "document" / ".DS_Store").write_bytes(b"\x00\xff")
    assert PolicyFiles.from_folder(folder).content_hash() == \
        PolicyFiles.from_folder(ROOT / "policies" / "swindon").content_hash()


# ------------------------------------------------------------------ one immutable set, one hash
def test_the_content_hash_names_the_files_not_their_order_or_origin():
    files = PolicyFiles.from_folder(ROOT / "policies" / "swindon")
    assert in_database(ROOT / "policies" / "swindon").content_hash() == files.content_hash()
    assert len(files.content_hash()) == 64
    changed = files.replace({"tests/gates.yaml": files.text("tests/gates.yaml") + "\n"})
    assert changed.content_hash() != files.content_hash()
    moved = files.replace({"tests/gates.yaml": None, "tests/gates2.yaml": files.text("tests/gates.yaml")})
    assert moved.content_hash() != files.content_hash()
    assert files.replace({}).content_hash() == files.content_hash()


def test_a_set_cannot_be_changed_in_place():
    files = PolicyFiles.from_folder(ROOT / "policies" / "swindon")
    with pytest.raises(AttributeError):
        files.origin = "elsewhere"
    with pytest.raises(TypeError):
        files.texts["council.yaml"] = "name: x\n"
    assert files.replace({"council.yaml": "name: x\n"}).text("council.yaml") == "name: x\n"
    assert files.text("council.yaml") != "name: x\n"


# ------------------------------------------------------------------ limits
def test_the_bounds_leave_every_council_room_to_grow():
    for folder in COUNCILS:
        files = PolicyFiles.from_folder(folder)
        assert 10 * len(files) < limits.MAX_POLICY_FILES
        assert 10 * sum(len(text.encode()) for text in files.texts.values()) < limits.MAX_POLICY_BYTES


def test_too_many_files_are_refused_by_name(monkeypatch):
    files = PolicyFiles.from_folder(ROOT / "policies" / "swindon")
    monkeypatch.setattr(policy_files_module, "MAX_POLICY_FILES", len(files) - 1)
    [problem] = problems_of(lambda: PolicyFiles.from_folder(ROOT / "policies" / "swindon"))
    assert f"has {len(files)} files; a council's policy may have at most {len(files) - 1}" in problem.message
    [problem] = problems_of(lambda: files.replace({}))
    assert problem.loc.file == str(ROOT / "policies" / "swindon") and "at most" in problem.message


def test_too_many_bytes_are_refused_by_name(monkeypatch):
    files = PolicyFiles.from_folder(ROOT / "policies" / "gateshead")
    total = sum(len(text.encode()) for text in files.texts.values())
    monkeypatch.setattr(policy_files_module, "MAX_POLICY_BYTES", total - 1)
    [problem] = problems_of(lambda: PolicyFiles.from_folder(ROOT / "policies" / "gateshead"))
    assert f"come to {total:,} bytes" in problem.message and f"at most {total - 1:,} bytes" in problem.message
    assert problems_of(lambda: files.replace({}, origin="db:gateshead/draft"))[0].loc.file == "db:gateshead/draft"


def test_a_file_too_big_is_refused_before_it_is_read(monkeypatch, tmp_path):
    folder = tmp_path / "gateshead"
    (folder / "tests").mkdir(parents=True)
    (folder / "tests" / "huge.yaml").write_text("tests: []\n" + "#" * 5000 + "\n")
    (folder / "tests" / "small.yaml").write_text("tests: []\n")
    monkeypatch.setattr(policy_files_module, "MAX_YAML_BYTES", 4000)
    read = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: pytest.fail(f"{path} was read") if path.name == "huge.yaml"
                        else read(path))
    problems = problems_of(lambda: PolicyFiles.from_folder(folder))
    assert [str(problem) for problem in problems] == \
        [f"{folder}/tests/huge.yaml: This file is 5,011 bytes; a policy file may be at most 4,000 "
         "(see docs/limits.md)."]
