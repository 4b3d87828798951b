"""The current time, in one place so that tests can move it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

_offset = dt.timedelta(0)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + _offset


def today() -> dt.date:
    """Today's date in the Netherlands, where the meetings and decisions take place: for an
    hour or two each night the UTC date is still yesterday's."""
    return now().astimezone(ZoneInfo("Europe/Amsterdam")).date()


def travel(delta: dt.timedelta) -> None:
    """Tests only: move the clock forward (e.g. past a session's idle timeout)."""
    global _offset
    _offset += delta


def reset() -> None:
    global _offset
    _offset = dt.timedelta(0)


def as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back without a zone; they were written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
