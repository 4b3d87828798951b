"""Reminders that must go out once: each has a key, and a key is sent at most once.

`portal remind` (run daily from cron) asks every domain for the reminders that are due and
sends those whose key has not been used; the key is stored in the same transaction as the mail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from piccolo.columns import Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from portal.accounts import events
from portal.accounts.events import Mail
from portal.lib.db import write_transaction


class SentReminder(Table):
    id: Serial
    key = Varchar(length=200, unique=True)
    sent_at = Timestamptz(default=TimestamptzNow())


@dataclass(frozen=True)
class Reminder:
    key: str  # e.g. "review-deadline-soon:42" — what makes it unique
    mail: Mail
    network_id: int | None
    object_type: str
    object_id: int
    summary: str


# A source gets the current time and the base URL for links in the mail.
ReminderSource = Callable[[dt.datetime, str], Awaitable[list[Reminder]]]
SOURCES: list[ReminderSource] = []


def register(source: ReminderSource) -> None:
    if source not in SOURCES:
        SOURCES.append(source)


async def send_due(now: dt.datetime, base_url: str) -> int:
    """Queue every due reminder not sent before; returns how many were queued."""
    sent = 0
    for source in SOURCES:
        for reminder in await source(now, base_url):
            async with write_transaction():
                claimed = (
                    await SentReminder.insert(SentReminder(key=reminder.key))
                    .on_conflict(target=SentReminder.key, action="DO NOTHING")
                    .returning(SentReminder.id)
                )
                if not claimed:
                    continue
                await events.record(
                    actor_id=None,
                    network_id=reminder.network_id,
                    action="reminder_sent",
                    object_type=reminder.object_type,
                    object_id=reminder.object_id,
                    summary=reminder.summary,
                    mails=[reminder.mail],
                )
            sent += 1
    return sent
