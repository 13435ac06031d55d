"""Password hashing (hearth.web.passwords): the dummy hash an unknown email is checked against
costs what a real one does, and no hash is never a right password."""
from __future__ import annotations

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
