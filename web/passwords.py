"""Argon2id password hashing, with a dummy check so unknown emails take as long as known ones."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# What an unknown email's password is checked against: a hash made with the hasher's own
# parameters, written here rather than made at import (argon2 is slow on purpose: a quarter
# of a second in every process that imports the web app, its CLI and every job worker).
# tests/web/test_passwords.py checks it still matches the hasher's parameters.
DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$pM60/MbnB4zEFPJE3oSybQ$OH8rUZ2kkjar99jZiOfPBy5QBUTVBPeznUtvnAaAwyM"


def use_light_hashing() -> None:
    """For a test suite only, never set by configuration: hash new passwords with argon2id's
    least work (one pass over 8 KiB). Nearly every test of the web app signs in, and with the
    standard parameters a sign-in took a fifth of a second on the suite's 2-core machine
    (measured on 29 November 2026); what the suite tests is who may sign in, not argon2's
    cost. A hash records its own parameters, so either kind verifies whatever made it; the
    dummy follows the hasher, so an unknown email still costs what a known one does.
    tests/conftest.py calls it; tests/web/test_passwords.py checks that a process that does
    not gets the standard parameters."""
    global _hasher, DUMMY_HASH
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    DUMMY_HASH = _hasher.hash("no one's password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` is the one ``stored_hash`` was made from. No hash (an unknown email,
    or a user with no password: invited, or signing in by single sign-on) is checked against
    the dummy, taking as long, and is never right."""
    try:
        return _hasher.verify(stored_hash or DUMMY_HASH, password) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
