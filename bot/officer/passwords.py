"""Password hashing with argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so both cases take the same time.

    Made on first use, not at import: importing the console costs no argon2 hash.
    """
    return _hasher.hash("not-a-real-password-only-for-timing")


class WeakPassword(ValueError):
    """The password does not meet the policy (message in Indonesian)."""


def check_policy(password: str, username: str = "") -> None:
    """Raise WeakPassword unless the password is long enough and not the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter.")
    if username and password.lower() == username.lower():
        raise WeakPassword("Kata sandi tidak boleh sama dengan nama pengguna.")


def hash_password(password: str) -> str:
    """An argon2id hash string (salt and parameters included)."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing hash still costs one verification."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)
