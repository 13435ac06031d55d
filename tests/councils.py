"""The councils the suite runs against.

The suite's generic part (engine, forms, web pages, API, browser and axe) runs against
every council of one policies folder, made once per test session in a temporary
directory (``HEARTH_POLICIES`` points there for the whole session):

- every council of the policies folder under test: ``HEARTH_POLICIES`` as the session
  found it, else the repository's ``policies/`` -- so a council dropped in there is tested
  with no Python written for it;
- every fixture council under ``tests/fixtures/councils/`` (``every_construct`` uses
  every construct of the policy and form languages), its id the folder's name with
  hyphens for underscores (a council's id is the domain of its demo log-ins,
  ``worker@<id>.demo``, and a domain has no underscores);
- a council freshly scaffolded by ``hearth council new`` (hearth.engine.scaffold).

A generic test takes its councils from ``generic_councils()`` and assumes only what each
council declares: its forms, triggers, event types, roles, placement types, demo cases,
read from the loaded policy. Only a council-specific test names a council, and it names
it explicitly (``needs_council("swindon")`` skips it when that council is not there).
"""
from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from hearth.engine import api
from hearth.engine.scaffold import new_council

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_COUNCILS = ROOT / "tests" / "fixtures" / "councils"
# The scaffolded council: made as `hearth council new` makes one, with its first version in
# force before every day the tests pin (the earliest is in 2025), so every page has a policy.
SCAFFOLDED = {"council_id": "newly-scaffolded", "name": "Newly Scaffolded Borough Council", "nation": "england",
              "effective_from": date(2024, 1, 1)}
SESSION_VARIABLE = "HEARTH_TEST_COUNCILS"   # where tests/conftest.py made the session's folder
MARK = ".hearth-test-councils"   # in a folder this module made (a pytest run inside a test reuses it)


def source_root() -> Path:
    """The policies folder under test, as the session found it."""
    return Path(os.environ.get("HEARTH_POLICIES") or ROOT / "policies").resolve()


def is_session_root(folder: Path) -> bool:
    return (folder / MARK).is_file()


def fixture_id(folder: Path) -> str:
    return folder.name.replace("_", "-")


def build_session_root(target: Path, source: Path) -> Path:
    """Copy every council of `source`, every fixture council, and a freshly scaffolded
    council into `target` (a new folder); returns it."""
    target.mkdir(parents=True)
    for folder in sorted(source.iterdir()):
        if (folder / "council.yaml").is_file():
            shutil.copytree(folder, target / folder.name)
    for folder in sorted(FIXTURE_COUNCILS.iterdir()):
        if (folder / "council.yaml").is_file():
            shutil.copytree(folder, target / fixture_id(folder))
    new_council(target, **SCAFFOLDED)
    (target / MARK).write_text("Made by tests/councils.py for one test session; removed when it ends.\n")
    return target


def session_root() -> Path:
    """The session's policies folder (tests/conftest.py makes it), whatever a test has
    pointed HEARTH_POLICIES at since."""
    return Path(os.environ.get(SESSION_VARIABLE) or api.policies_root())


def generic_councils() -> list[str]:
    """Every council of the session's policies folder: what the generic tests run against."""
    return [council.id for council in api.list_councils(session_root())]


def shipped_councils() -> list[str]:
    """The councils of the policies folder under test, without the extra ones the session
    adds (for what is about them alone, such as the README's screenshots)."""
    extra = {fixture_id(f) for f in FIXTURE_COUNCILS.iterdir()} | {SCAFFOLDED["council_id"]}
    return [council for council in generic_councils() if council not in extra]


def needs_council(council_id: str):
    """Mark a council-specific test: it runs only when that council is in the policies folder."""
    return pytest.mark.skipif(council_id not in generic_councils(),
                              reason=f"a test of {council_id}'s own policy; {council_id} is not in the policies folder")
