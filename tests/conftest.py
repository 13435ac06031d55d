import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "policies"


@pytest.fixture
def fixture_root() -> Path:
    return FIXTURES


@pytest.fixture
def policy_copy(tmp_path) -> Path:
    """A writable copy of the fixture council, for tests that break it on purpose."""
    target = tmp_path / "policies"
    shutil.copytree(FIXTURES, target)
    return target / "northshire"
