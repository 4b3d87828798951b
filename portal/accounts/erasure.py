"""Erasing a person: the beheerder's "Persoon wissen", and the end of a deactivated account's
retention period (the `account` kind of portal/accounts/retention.py), which do the same.

Erasing anonymises, it does not delete: the reviews a person wrote, the decisions they took,
the entries they booked and the audit events keep pointing at the same row, so the books stay
whole. The row loses the name, the e-mail address and every way in (password, second factor,
sessions, tokens, roles); the e-mails to them go, and the audit log's lines that spell out
their full name name the erased account instead. Higher domains blank what they hold of the
person by their name or e-mail address (a proposal's contact) through `register_person_hook`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from portal.accounts import events, sessions
from portal.accounts.api_tokens import ApiToken
from portal.accounts.principal import Principal
from portal.accounts.retention import Due, Keeper, Removed, RetentionKind
from portal.accounts.retention import register as register_keeper
from portal.accounts.services import check_account_in_scope
from portal.accounts.tables import (
    AccountToken,
    AuditEvent,
    LoginThrottle,
    Membership,
    OutboxMessage,
    RecoveryCode,
    User,
)
from portal.lib import clock
from portal.lib.db import lock_row, write_transaction
from portal.lib.refusals import Refused

REASON_MAX_LENGTH = 1000

# (user id, their name, their e-mail address) -> what it blanked; in the erasing transaction.
PersonHook = Callable[[int, str, str], Awaitable[Removed]]
PERSON_HOOKS: list[PersonHook] = []


def register_person_hook(hook: PersonHook) -> None:
    if hook not in PERSON_HOOKS:
        PERSON_HOOKS.append(hook)


class ErasureRefused(Refused):
    """str() is the Dutch reason."""


def erased_name(user_id: int) -> str:
    return f"Gewiste gebruiker {user_id}"


def erased_email(user_id: int) -> str:
    # .invalid is reserved (RFC 2606): no mail to it can be delivered, and the id keeps it unique.
    return f"gewist-{user_id}@invalid"


async def erase_in_transaction(user_id: int, now: dt.datetime) -> Removed | None:
    """Inside the caller's write transaction: erase the person; None when already erased."""
    await lock_row(User, user_id)
    row = (
        await User.select(User.id, User.name, User.email, User.erased_at)
        .where(User.id == user_id)
        .first()
    )
    if row is None or row["erased_at"] is not None:
        return None
    removed = Removed()
    removed.add("name")
    removed.add("email")
    await User.update(
        {
            User.name: erased_name(user_id),
            User.email: erased_email(user_id),
            User.password_hash: "",
            User.totp_secret: "",
            User.totp_enabled_at: None,
            User.totp_last_step: 0,
            User.active: False,
            User.erased_at: now,
        }
    ).where(User.id == user_id)
    removed.add("memberships", await _delete(Membership, Membership.user == user_id))
    removed.add("recovery_codes", await _delete(RecoveryCode, RecoveryCode.user == user_id))
    removed.add("account_tokens", await _delete(AccountToken, AccountToken.user == user_id))
    removed.add("api_tokens", await _delete(ApiToken, ApiToken.user == user_id))
    await LoginThrottle.delete().where(LoginThrottle.email == row["email"])
    await sessions.end_all_sessions(user_id)
    # The e-mails to them, sent or waiting: their address and their name in the greeting.
    removed.add("mails", await _delete(OutboxMessage, OutboxMessage.recipient == row["email"]))
    removed.add("audit_summaries", await _scrub_summaries(row["name"], erased_name(user_id)))
    for hook in PERSON_HOOKS:
        removed.merge(await hook(user_id, row["name"], row["email"]))
    return removed


async def _scrub_summaries(name: str, replacement: str) -> int:
    """The audit events stay (who did what, when, by their row); the lines that spell out the
    person's full name ("Jan Jansen toegewezen als beoordelaar") name the erased account."""
    name = name.strip()
    if len(name) < 4:  # too short to tell apart from other words
        return 0
    rows = await AuditEvent.select(AuditEvent.id, AuditEvent.summary).where(
        AuditEvent.summary.like(f"%{name}%")
    )
    changed = 0
    for event in rows:
        if name in event["summary"]:  # LIKE treats "_" and "%" in the name as wildcards
            await AuditEvent.update(
                {AuditEvent.summary: event["summary"].replace(name, replacement)}
            ).where(AuditEvent.id == event["id"])
            changed += 1
    return changed


async def _delete(table, condition) -> int:
    rows = await table.delete().where(condition).returning(table._meta.primary_key)
    return len(rows)


async def erase_person(actor: Principal, network_id: int, user_id: int, reason: str) -> None:
    """The beheerder's erasure of a person, with the reason in the audit log."""
    if user_id == actor.user_id:
        raise ErasureRefused("U kunt uzelf niet wissen.", field="reason")
    if not reason.strip():
        raise ErasureRefused("Vul de reden in waarom deze persoon wordt gewist.", field="reason")
    async with write_transaction():
        await check_account_in_scope(actor, network_id, user_id)
        removed = await erase_in_transaction(user_id, clock.now())
        if removed is None:
            raise ErasureRefused("Deze persoon is al gewist.")
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="person_erased",
            object_type="user",
            object_id=user_id,
            summary="Persoon gewist",
            details={"reason": reason, **removed.details()},
        )


# --- the account kind of the retention periods ----------------------------------------------


def _anchor(row: dict) -> dt.date:
    moment = row["last_login_at"] or row["created_at"]
    return moment.date()


async def _deactivated() -> list[dict]:
    return await User.select(User.id, User.last_login_at, User.created_at).where(
        (User.active == False)  # noqa: E712
        & User.erased_at.is_null()
    )


async def due_accounts(day: dt.date) -> list[Due]:
    """Deactivated accounts whose last log-in (or creation) is on or before `day`."""
    return [
        Due(RetentionKind.account, "user", row["id"], None, f"Account {row['id']}")
        for row in await _deactivated()
        if _anchor(row) <= day
    ]


async def anonymise_account(user_id: int, day: dt.date, now: dt.datetime) -> Removed | None:
    await lock_row(User, user_id)
    row = (
        await User.select(User.id, User.last_login_at, User.created_at, User.active)
        .where((User.id == user_id) & User.erased_at.is_null())
        .first()
    )
    if row is None or row["active"] or _anchor(row) > day:
        return None  # erased meanwhile, reactivated, or logged in since
    return await erase_in_transaction(user_id, now)


ACCOUNTS = Keeper(RetentionKind.account, due_accounts, anonymise_account)


def register() -> None:
    """A deactivated account past its period is erased as the beheerder would."""
    register_keeper(ACCOUNTS)
