"""Pure rules of two-factor log-in: who needs it, codes from the authenticator app, recovery codes.

Time-based one-time passwords (RFC 6238) as every authenticator app makes them: six digits,
a new one every 30 seconds. pyotp computes the codes; accepting them (which steps, no reuse) is
decided here, so that a test can check it without a clock or a database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable

import pyotp
import segno

from portal.accounts.tables import Role

ISSUER = "Fondsportaal"
STEP_SECONDS = 30
# One step either side: a phone clock half a minute off, or a code typed just as it changed.
WINDOW = 1
# Wrong codes allowed in one pending log-in before the user must start again with the password.
MAX_CODE_FAILURES = 5
# A password accepted but no code given: the pending log-in lapses after this.
PENDING_MINUTES = 10
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: the codes are copied by hand from paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"

# Coordinators move public money, administrators hand out roles and auditors read all of a
# network's books: for them it is not optional.
REQUIRED_FOR: frozenset[Role] = frozenset({Role.coordinator, Role.admin, Role.auditor})

CODE_INVALID = "Deze code klopt niet. Neem de code die uw app nu toont, of een herstelcode."
CODE_REUSED = "Deze code is al gebruikt. Wacht op de volgende code in uw app."
CODE_MISSING = "Vul de code uit uw authenticator-app in."


def required_for(roles: Iterable[Role]) -> bool:
    return any(role in REQUIRED_FOR for role in roles)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG: no image request, nothing for the CSP to allow."""
    # A viewBox and no fixed size, so CSS scales it whole; four modules of quiet zone, as the
    # QR standard asks, or some phone scanners fail.
    return segno.make(uri, error="m").svg_inline(
        scale=5, border=4, omitsize=True, dark="#000", light="#fff"
    )


def group_secret(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def clean_code(typed: str) -> str:
    return "".join(ch for ch in typed.lower() if ch.isalnum())


def looks_like_app_code(typed: str) -> bool:
    code = clean_code(typed)
    return len(code) == 6 and code.isascii() and code.isdigit()


def time_step(now: dt.datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def accepted_step(secret: str, typed: str, last_step: int, now: dt.datetime) -> int | None:
    """The time step whose code was typed, if it is valid now and newer than the last one used;
    None otherwise. A code equal to an earlier accepted one (replay) gives None as well."""
    if not secret or not looks_like_app_code(typed):
        return None
    code = clean_code(typed)
    totp = pyotp.TOTP(secret)
    current = time_step(now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if step > last_step and hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def was_replayed(secret: str, typed: str, last_step: int, now: dt.datetime) -> bool:
    """Whether the code is right but was already used: worth its own message."""
    if not secret or not looks_like_app_code(typed):
        return False
    totp = pyotp.TOTP(secret)
    current = time_step(now)
    return any(
        step <= last_step and hmac.compare_digest(totp.at(step * STEP_SECONDS), clean_code(typed))
        for step in range(current - WINDOW, current + WINDOW + 1)
    )


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Codes like "k7mq-2xpa": 40 bits each, plenty behind the log-in throttle."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(8))
        codes.append(f"{raw[:4]}-{raw[4:]}")
    return codes


def recovery_hash(typed: str) -> str:
    return hashlib.sha256(clean_code(typed).encode()).hexdigest()
