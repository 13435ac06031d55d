import os
import shutil
import tempfile
from pathlib import Path

import pytest

from hearth.web import passwords

import councils

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "policies"
_SESSION = pytest.StashKey[tuple]()   # (the folder made for the session, HEARTH_POLICIES before it)


def pytest_configure(config):
    """One policies folder for the whole session: the councils under test, the fixture
    councils and a freshly scaffolded one (tests/councils.py). HEARTH_POLICIES points at
    it until the session ends, so the engine, the web app and every command a test runs
    see the same councils. Passwords are hashed with argon2's least work in this process
    (hearth.web.passwords.use_light_hashing says why)."""
    passwords.use_light_hashing()
    source = councils.source_root()
    if councils.is_session_root(source):  # a pytest run inside a test: the same councils
        os.environ[councils.SESSION_VARIABLE] = str(source)
        return
    made = Path(tempfile.mkdtemp(prefix="hearth-councils-"))
    councils.build_session_root(made / "policies", source)
    config.stash[_SESSION] = (made, os.environ.get("HEARTH_POLICIES"))
    os.environ["HEARTH_POLICIES"] = os.environ[councils.SESSION_VARIABLE] = str(made / "policies")


def pytest_unconfigure(config):
    made, before = config.stash.get(_SESSION, (None, None))
    if made is None:
        return
    os.environ.pop(councils.SESSION_VARIABLE, None)
    if before is None:
        os.environ.pop("HEARTH_POLICIES", None)
    else:
        os.environ["HEARTH_POLICIES"] = before
    shutil.rmtree(made, ignore_errors=True)


@pytest.fixture
def fixture_root() -> Path:
    return FIXTURES


@pytest.fixture
def policy_copy(tmp_path) -> Path:
    """A writable copy of the fixture council, for tests that break it on purpose."""
    target = tmp_path / "policies"
    shutil.copytree(FIXTURES, target)
    return target / "northshire"
