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
