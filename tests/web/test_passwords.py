"""Password hashing (hearth.web.passwords): the dummy hash an unknown email is checked against
costs what a real one does, and no hash is never a right password."""
from __future__ import annotations

import subprocess
import sys

from argon2 import extract_parameters

from hearth.web.passwords import DUMMY_HASH, _hasher, hash_password, needs_rehash, verify_password


def test_the_dummy_hash_has_the_hashers_own_parameters():
    """Else an unknown email would answer faster (or slower) than a known one."""
    assert not needs_rehash(DUMMY_HASH)
    assert extract_parameters(DUMMY_HASH) == extract_parameters(hash_password("anything"))
    assert extract_parameters(DUMMY_HASH) == _hasher._parameters


def test_no_hash_is_never_the_right_password():
    assert not verify_password(None, "not a real password")
    assert not verify_password("", "not a real password")
    made = hash_password("correct horse battery staple")
    assert verify_password(made, "correct horse battery staple") and not verify_password(made, "wrong")


def test_a_process_that_asks_for_no_light_hashing_uses_argon2s_standard_parameters():
    """The suite hashes lightly (tests/conftest.py); the app, its commands and its workers never
    ask to, so they get argon2-cffi's standard parameters, and the dummy hash has them too."""
    code = ("from argon2 import PasswordHasher, extract_parameters\n"
            "from hearth.web import passwords\n"
            "standard = PasswordHasher()._parameters\n"
            "assert passwords._hasher._parameters == standard, passwords._hasher._parameters\n"
            "assert extract_parameters(passwords.DUMMY_HASH) == standard\n"
            "assert extract_parameters(passwords.hash_password('x')).memory_cost >= 65536\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert _hasher._parameters.memory_cost == 8  # and this process hashes lightly, as asked
