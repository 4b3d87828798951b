"""Password hashing (argon2id) and the rules for a new password."""

from __future__ import annotations

from functools import cache
from importlib import resources

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY

MIN_LENGTH = 12
_hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)


def use_fast_hashing() -> None:
    """Tests log in hundreds of times; the cheapest profile keeps that quick."""
    global _hasher
    _hasher = PasswordHasher.from_parameters(CHEAPEST)


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("portal").joinpath("data/common-passwords.txt").read_text()
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """The Dutch reason a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Kies een wachtwoord van minstens {MIN_LENGTH} tekens."
    if len(password) > 1024:
        return "Kies een wachtwoord van hoogstens 1024 tekens."
    lowered = password.lower()
    if lowered in common_passwords():
        return (
            "Dit wachtwoord komt voor in een lijst van veelgebruikte wachtwoorden; kies een ander."
        )
    if len(set(password)) < 4:
        return "Dit wachtwoord is te eenvoudig; gebruik meer verschillende tekens."
    local_part = email.split("@")[0].lower()
    if (len(local_part) >= 4 and local_part in lowered) or (
        name and name.lower().replace(" ", "") in lowered.replace(" ", "")
    ):
        return "Uw wachtwoord mag niet uw naam of e-mailadres bevatten."
    return None


def hash_password_sync(password: str) -> str:
    return _hasher.hash(password)


async def hash_password(password: str) -> str:
    # argon2 is deliberately slow; keep it off the event loop.
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    if not password_hash:
        return False

    def check() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(check)


# A real hash to verify against when the e-mail is unknown, so that timing does not tell
# whether an account exists.
DUMMY_HASH = _hasher.hash("no-such-account-placeholder")
