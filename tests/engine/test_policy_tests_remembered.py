"""hearth.engine.policy_tests.run_council_tests remembers a set of files' results by where it is
kept and its content, never a folder's (which may change on disk)."""
from __future__ import annotations

from hearth.engine import policy_tests
from hearth.engine.policy_files import PolicyFiles

from councils import session_root, shipped_councils


def test_a_set_is_run_once_and_a_changed_set_or_a_folder_again(monkeypatch):
    folder = session_root() / shipped_councils()[0]
    runs = []
    real = policy_tests.run_test_file
    monkeypatch.setattr(policy_tests, "run_test_file", lambda *args: runs.append(args[2]) or real(*args))
    monkeypatch.setattr(policy_tests, "RESULTS", policy_tests.LRU(4))
    files = PolicyFiles.from_folder(folder)
    first = policy_tests.run_council_tests(files)
    ran = len(runs)
    assert ran and policy_tests.run_council_tests(PolicyFiles.from_folder(folder)) == first and len(runs) == ran
    test_file = files.glob("tests/*.yaml")[0]
    changed = files.replace({test_file: files.text(test_file) + "\n# a comment\n"})
    policy_tests.run_council_tests(changed)
    assert len(runs) == 2 * ran
    policy_tests.run_council_tests(folder)
    assert len(runs) == 3 * ran
