"""Every form has its effect once, however often and however concurrently it is posted.

Each rendered form carries a one-time key (`form_guard()` in the templates). A request that
posts one sets it aside (`expect`); the first write transaction of that request inserts the key
into `form_submission` before anything else (`claim`, called by `db.write_transaction`). The
key's unique index decides between two posts of the same form: on SQLite the IMMEDIATE
transactions queue, on PostgreSQL the second insert waits for the first transaction and then
finds the key. The loser raises `AlreadyProcessed` and its transaction writes nothing; the app
answers it like the first post (the same page, "Dit was al verwerkt"), never with an error.

A refused write (a rule said no, the transaction rolled back) leaves the key unused, so a
repeat is judged afresh and gets the same refusal. A post that wrote nothing while another post
of its form had its effect (a check outside the transaction saw that effect: "already
assigned", or the poster's access ended with it) is answered as a repeat too (portal/app.py).
A form re-rendered with errors carries a new key. Forms without a key (the JSON API,
scripts) are not deduplicated here; the rules and the database's constraints still hold for
them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import secrets
from contextvars import ContextVar

from piccolo.engine.base import Engine
from piccolo.querystring import QueryString

from portal.lib import clock

FIELD = "_formulier"
_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEEP_DAYS = 7  # a browser retry or a back-button repost comes within minutes; keys older go

_pending: ContextVar[str | None] = ContextVar("pending_form_key", default=None)
_claimed: ContextVar[str | None] = ContextVar("claimed_form_key", default=None)


class AlreadyProcessed(Exception):
    """This form was posted before and had its effect; this post has none."""

    def __init__(self, key: str) -> None:
        super().__init__("Dit formulier was al verwerkt.")
        self.key = key


def new_key() -> str:
    return secrets.token_urlsafe(24)


def expect(key: object) -> str | None:
    """The request posts this form key; its first write transaction will claim it. Returns the
    key, or None when the form carries none that is well-formed."""
    _claimed.set(None)
    pending = key if isinstance(key, str) and _KEY.fullmatch(key) else None
    _pending.set(pending)
    return pending


async def was_claimed(engine: Engine, key: str) -> bool:
    """Whether a post of this form has had its effect (its transaction committed)."""
    rows = await engine.run_querystring(
        QueryString("SELECT 1 AS found FROM form_submission WHERE key = {}", key)
    )
    return bool(rows)


def forget() -> None:
    _pending.set(None)
    _claimed.set(None)


def claimed() -> str | None:
    """The key this request consumed, if its effect happened."""
    return _claimed.get()


def unused() -> str | None:
    """The key this request carries and has not consumed: it wrote nothing (yet)."""
    return _pending.get()


def unclaim() -> None:
    """The transaction that claimed the key rolled back: the key is unused again."""
    key = _claimed.get()
    if key is not None:
        _claimed.set(None)
        _pending.set(key)


async def claim(engine: Engine) -> bool:
    """Inside the request's first write transaction: consume the pending key or refuse.
    Whether this transaction claimed one (the others of the request have nothing to claim)."""
    key = _pending.get()
    if key is None:
        return False
    _pending.set(None)
    rows = await engine.run_querystring(
        QueryString(
            "INSERT INTO form_submission (key, location) VALUES ({}, '') "
            "ON CONFLICT (key) DO NOTHING RETURNING id",
            key,
        )
    )
    if not rows:
        raise AlreadyProcessed(key)
    _claimed.set(key)
    return True


async def remember_location(engine: Engine, key: str, location: str) -> None:
    """Where the first post of this form sent the browser (after its transaction committed)."""
    await engine.run_querystring(
        QueryString("UPDATE form_submission SET location = {} WHERE key = {}", location[:2000], key)
    )


async def location_of(engine: Engine, key: str, wait_seconds: float = 2.0) -> str:
    """Where the first post went; a repeat that raced it may have to wait for it to answer."""
    deadline = asyncio.get_running_loop().time() + wait_seconds
    while True:
        rows = await engine.run_querystring(
            QueryString("SELECT location FROM form_submission WHERE key = {}", key)
        )
        location = rows[0]["location"] if rows else ""
        if location or asyncio.get_running_loop().time() >= deadline:
            return location
        await asyncio.sleep(0.05)


async def forget_old(engine: Engine) -> None:
    """Drop keys older than KEEP_DAYS (run daily by `portal remind`)."""
    await engine.run_querystring(
        QueryString(
            "DELETE FROM form_submission WHERE created_at < {}",
            clock.now() - dt.timedelta(days=KEEP_DAYS),
        )
    )
