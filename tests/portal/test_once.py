"""The one-time form keys themselves (portal/lib/once.py); the routes are in
test_every_write_once.py."""

from __future__ import annotations

import datetime as dt

import pytest
from piccolo.engine.base import Engine

from portal.accounts.tables import AuditEvent, FormSubmission
from portal.lib import clock, db, once
from portal.lib.db import write_transaction


async def _effect(key: str | None) -> None:
    once.expect(key)
    try:
        async with write_transaction():
            await AuditEvent.insert(
                AuditEvent(action="probe", object_type="probe", object_id="1", summary="probe")
            )
    finally:
        once.forget()


async def test_a_key_is_consumed_once(database: Engine) -> None:
    key = once.new_key()
    await _effect(key)
    with pytest.raises(once.AlreadyProcessed):
        await _effect(key)
    assert await AuditEvent.count() == 1


async def test_without_a_key_or_with_a_malformed_one_nothing_is_deduplicated(
    database: Engine,
) -> None:
    for key in (None, "", "kort", "x" * 65, "<script>", 12):
        await _effect(key)  # type: ignore[arg-type]
        await _effect(key)  # type: ignore[arg-type]
    assert await AuditEvent.count() == 12
    assert await FormSubmission.count() == 0


async def test_a_refused_write_leaves_the_key_unused(database: Engine) -> None:
    key = once.new_key()
    once.expect(key)
    with pytest.raises(RuntimeError):
        async with write_transaction():
            raise RuntimeError("a rule said no")
    once.forget()
    await _effect(key)
    assert await AuditEvent.count() == 1


async def test_only_the_first_transaction_of_a_request_claims_the_key(database: Engine) -> None:
    key = once.new_key()
    once.expect(key)
    async with write_transaction():
        pass
    async with write_transaction():  # a second transaction of the same request goes on
        pass
    assert once.claimed() == key
    once.forget()


async def test_old_keys_are_forgotten(database: Engine) -> None:
    old, new = once.new_key(), once.new_key()
    await _effect(old)
    await FormSubmission.update(
        {FormSubmission.created_at: clock.now() - dt.timedelta(days=once.KEEP_DAYS + 1)}
    ).where(FormSubmission.key == old)
    await _effect(new)
    await once.forget_old(db.current_engine())
    assert [r["key"] for r in await FormSubmission.select(FormSubmission.key)] == [new]


async def test_a_rolled_back_claim_is_claimed_by_the_next_write_of_the_request(
    database: Engine,
) -> None:
    """A request whose first write was refused and rolled back, and which then writes after
    all (a second try inside the same handler), consumes its key with that write: the
    repeat of its form stops at the key."""
    key = once.new_key()
    once.expect(key)
    with pytest.raises(RuntimeError):
        async with write_transaction():
            raise RuntimeError("a rule said no")
    assert once.claimed() is None and once.unused() == key
    async with write_transaction():
        await AuditEvent.insert(
            AuditEvent(action="probe", object_type="probe", object_id="1", summary="probe")
        )
    assert once.claimed() == key and once.unused() is None
    once.forget()
    assert await once.was_claimed(database, key)
    with pytest.raises(once.AlreadyProcessed):
        await _effect(key)
