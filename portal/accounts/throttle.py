"""The log-in throttle: wrong passwords and wrong two-factor codes count against an e-mail
address; after `login_max_failures` of them in a window the address is locked for
`login_lockout_minutes`, whatever the concurrency (each attempt is counted before it is
checked)."""

from __future__ import annotations

import datetime as dt

from portal.accounts import events
from portal.accounts.tables import LoginThrottle
from portal.lib import clock
from portal.lib.db import required, write_transaction
from portal.lib.settings import Settings


async def claim_attempt(email: str, settings: Settings) -> dt.datetime | None:
    """Count this attempt before its password is looked at, in one conditional update, so that
    guesses sent all at once cannot each be evaluated before the first failure is counted: of
    any number of parallel attempts at most `login_max_failures` get a password checked in a
    lockout window. Returns the end of the lock when this attempt may not be evaluated."""
    now = clock.now()
    async with write_transaction():
        await LoginThrottle.insert(LoginThrottle(email=email, failures=0)).on_conflict(
            target=LoginThrottle.email, action="DO NOTHING"
        )
        claimed = (
            await LoginThrottle.update({LoginThrottle.failures: LoginThrottle.failures + 1})
            .where(
                (LoginThrottle.email == email)
                & (LoginThrottle.locked_until.is_null() | (LoginThrottle.locked_until <= now))
            )
            .returning(LoginThrottle.failures)
        )
        if claimed and claimed[0]["failures"] <= settings.login_max_failures:
            return None
        if claimed:
            # One attempt too many while the others were still being checked: lock now.
            await lock(email, settings)
        row = required(
            await LoginThrottle.select(LoginThrottle.locked_until)
            .where(LoginThrottle.email == email)
            .first()
        )
        return clock.as_utc(row["locked_until"])


async def lock(email: str, settings: Settings) -> None:
    await LoginThrottle.update(
        {
            LoginThrottle.failures: 0,
            LoginThrottle.locked_until: clock.now()
            + dt.timedelta(minutes=settings.login_lockout_minutes),
        }
    ).where(LoginThrottle.email == email)


async def failed_attempt(email: str, settings: Settings, user_id: int | None) -> None:
    """A claimed attempt whose password was wrong: it was counted when claimed; the last one
    of the window locks the e-mail."""
    async with write_transaction():
        row = (
            await LoginThrottle.select(LoginThrottle.failures)
            .where(LoginThrottle.email == email)
            .first()
        )
        locked = row is not None and row["failures"] >= settings.login_max_failures
        if locked:
            await lock(email, settings)
        if user_id is not None:
            await events.record(
                actor_id=None,
                action="login_locked" if locked else "login_failed",
                object_type="user",
                object_id=user_id,
                summary="Account tijdelijk geblokkeerd na mislukte inlogpogingen"
                if locked
                else FAILURE_SUMMARIES["login_failed"],
            )


async def count_failure(
    email: str, settings: Settings, user_id: int | None, action: str = "login_failed"
) -> None:
    async with write_transaction():
        await LoginThrottle.insert(LoginThrottle(email=email, failures=0)).on_conflict(
            target=LoginThrottle.email, action="DO NOTHING"
        )
        await LoginThrottle.update({LoginThrottle.failures: LoginThrottle.failures + 1}).where(
            LoginThrottle.email == email
        )
        row = required(await LoginThrottle.select().where(LoginThrottle.email == email).first())
        locked = row["failures"] >= settings.login_max_failures
        if locked:
            await lock(email, settings)
        if user_id is not None:
            await events.record(
                actor_id=None,
                action="login_locked" if locked else action,
                object_type="user",
                object_id=user_id,
                summary="Account tijdelijk geblokkeerd na mislukte inlogpogingen"
                if locked
                else FAILURE_SUMMARIES.get(action, "Mislukte inlogpoging"),
            )


FAILURE_SUMMARIES = {
    "login_failed": "Mislukte inlogpoging",
    "two_factor_failed": "Verkeerde code bij tweestapsverificatie",
}
