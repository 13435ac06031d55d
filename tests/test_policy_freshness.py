"""policy_on, which every evaluation calls, looks at a council's folder at most once a second
(hearth.engine.api.FRESHNESS), not on every call; look_again() makes it look at once, and what
anything else in the api has found on disk since, it sees at its next call."""
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from hearth.engine import api
from hearth.engine.library import Entry

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "policies"
ON = date(2026, 3, 2)


@pytest.fixture
def root(tmp_path):
    target = tmp_path / "policies"
    shutil.copytree(FIXTURES, target)
    api.look_again()
    return target


def retitle(root: Path, title: str) -> None:
    """Save the version in force with a new title, as an editor would (a later modification time)."""
    path = root / "northshire" / "versions" / "2026-01.yaml"
    before = path.stat().st_mtime_ns
    path.write_text(path.read_text().replace("title: ", f"title: {title} ", 1))
    os.utime(path, ns=(before + 10_000_000, before + 10_000_000))


def test_the_folder_is_looked_at_once_for_many_calls(root, monkeypatch):
    looked = []
    stamp = Entry.stamp
    monkeypatch.setattr(Entry, "stamp", lambda entry, *args: looked.append(entry.council_id) or stamp(entry, *args))
    first = api.policy_on("northshire", ON, root)
    assert all(api.policy_on("northshire", ON, root) is first for _ in range(100))
    assert looked == ["northshire"]
    api.look_again()
    assert api.policy_on("northshire", ON, root) is first  # looked again: nothing changed
    assert looked == ["northshire", "northshire"]


def test_a_change_on_disk_is_seen_after_look_again(root):
    before = api.policy_on("northshire", ON, root)
    retitle(root, "Changed")
    assert api.policy_on("northshire", ON, root) is before  # within the second: not looked at yet
    api.look_again()
    assert api.policy_on("northshire", ON, root).title.startswith("Changed ")


def test_what_the_api_found_on_disk_is_seen_at_once(root):
    api.policy_on("northshire", ON, root)
    retitle(root, "Seen")
    assert api.get_policy("northshire", root, ON).version_on(ON).title.startswith("Seen ")  # looks every time
    assert api.policy_on("northshire", ON, root).title.startswith("Seen ")
