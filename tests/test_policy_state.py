"""A running service keeps each council's last good policy in force when its files go bad,
and says so (hearth.engine.api.policy_states), so one bad save never takes a council offline."""
import logging
import os
import shutil
from pathlib import Path

import pytest

from hearth.engine import api
from hearth.engine.forms_catalog import load_forms
from hearth.rules.source import SourceError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "policies"


@pytest.fixture
def root(tmp_path):
    """A private policies root (the engine remembers councils by folder, so each test has its own)."""
    target = tmp_path / "policies"
    shutil.copytree(FIXTURES, target)
    return target


def save(path, data: bytes) -> None:
    """Write a file as an editor would, with a later modification time than the one read."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_bytes(data)
    os.utime(path, ns=(before + 10_000_000, before + 10_000_000))


def test_a_good_policy_is_ok(root):
    state = api.policy_states(root)["northshire"]
    assert state["state"] == "ok" and state["problems"] == [] and state["since"]
    assert state["version"] == "2026-01"


def test_a_version_saved_with_bytes_that_are_not_utf8_keeps_the_last_good_policy(root):
    good = api.get_policy("northshire", root)
    version = root / "northshire" / "versions" / "2025-04.yaml"
    save(version, version.read_bytes().replace(b"title:", b"ti\xe9tle:", 1))

    assert api.get_policy("northshire", root) is good  # still in force: pages keep their policy check
    state = api.policy_states(root)["northshire"]
    assert state["state"] == "stale" and state["version"] == "2026-01" and state["since"]
    [problem] = state["problems"]
    assert problem["file"] == str(version) and problem["line"] > 0 and problem["column"] == 3
    assert "not UTF-8" in problem["message"]


def test_fixing_the_files_brings_the_new_policy_in(root):
    api.get_policy("northshire", root)
    version = root / "northshire" / "versions" / "2026-01.yaml"
    text = version.read_bytes()
    save(version, b"- a list\n- where a mapping goes\n")
    assert api.policy_states(root)["northshire"]["state"] == "stale"
    save(version, text.replace(b"title: ", b"title: Fixed ", 1))
    assert api.policy_states(root)["northshire"] == {**api.policy_states(root)["northshire"], "state": "ok",
                                                      "problems": []}
    assert api.get_policy("northshire", root).current.title.startswith("Fixed ")


def test_a_broken_council_yaml_keeps_the_last_good_council(root):
    council = api.get_council("northshire", root)
    api.get_policy("northshire", root)
    save(root / "northshire" / "council.yaml", b"name: {a: mapping}\nnation: [england]\n")
    assert api.get_council("northshire", root) == council
    assert [c.name for c in api.list_councils(root)] == ["Northshire County Council"]
    state = api.policy_states(root)["northshire"]
    assert state["state"] == "stale"
    assert {p["field"] for p in state["problems"]} == {"name", "nation"}


def test_a_council_that_never_loaded_is_broken_but_still_listed(root):
    save(root / "northshire" / "council.yaml", b"\xff\xfename: Northshire\n")
    with pytest.raises(SourceError):
        api.get_policy("northshire", root)
    council = api.get_council("northshire", root)  # pages still draw, unbranded
    assert council.id == "northshire" and council.brand == {}
    state = api.policy_states(root)["northshire"]
    assert state["state"] == "broken" and state["version"] is None
    assert state["problems"][0]["line"] == 1 and state["problems"][0]["column"] == 1


def test_the_change_is_logged_once(root, caplog):
    api.get_policy("northshire", root)
    version = root / "northshire" / "versions" / "2025-04.yaml"
    save(version, b"effective_from: [2025-04-01]\n")
    with caplog.at_level(logging.WARNING, logger="hearth.engine.policy"):
        for _ in range(3):
            api.get_policy("northshire", root)
            api.policy_states(root)
    warnings = [r for r in caplog.records if r.name == "hearth.engine.policy"]
    assert len(warnings) == 1
    assert "northshire" in warnings[0].getMessage() and "last good one stays in force" in warnings[0].getMessage()


def test_a_fault_in_the_reader_keeps_the_last_good_policy(root, monkeypatch):
    good = api.get_policy("northshire", root)

    def fails(folder):
        raise TypeError("a fault")

    monkeypatch.setattr(api, "load_policy", fails)
    save(root / "northshire" / "versions" / "2025-04.yaml",
         (root / "northshire" / "versions" / "2025-04.yaml").read_bytes() + b"\n")
    assert api.get_policy("northshire", root) is good
    [problem] = api.policy_states(root)["northshire"]["problems"]
    assert "fault in Hearth" in problem["message"]


@pytest.mark.parametrize("council_id", ["a" * 5000, "../northshire", "North Shire", "", "northshire/versions"])
def test_a_council_id_that_is_not_an_id_is_no_council(root, council_id):
    with pytest.raises(api.UnknownCouncil) as info:
        api.get_policy(council_id, root)
    assert "There is no council" in str(info.value) and len(str(info.value)) < 200


def test_a_form_saved_with_mistakes_keeps_the_last_good_forms_and_says_so(tmp_path):
    """A council's forms are kept like its policy: a bad save while the app runs left every form
    page of that council a 500 (the forms were read again and raised)."""
    shipped = Path(__file__).resolve().parents[1] / "policies"
    council = next(p.name for p in sorted(shipped.iterdir()) if (p / "forms").is_dir())
    root = tmp_path / "policies"
    shutil.copytree(shipped / council, root / council)
    good = load_forms(council, root=root)
    assert api.policy_states(root)[council]["state"] == "ok"
    form = sorted((root / council / "forms").glob("*.yaml"))[0]
    save(form, b"title: [a list where the title goes\n")

    assert load_forms(council, root=root) is good
    state = api.policy_states(root)[council]
    assert state["state"] == "stale" and state["since"]
    assert [problem["file"] for problem in state["problems"]] == [str(form)]

    save(form, (shipped / council / "forms" / form.name).read_bytes())
    assert load_forms(council, root=root).describe() == good.describe()
    assert api.policy_states(root)[council]["state"] == "ok"
