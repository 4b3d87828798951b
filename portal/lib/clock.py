"""The current time, in one place so that tests can move it."""

from __future__ import annotations

import datetime as dt

_offset = dt.timedelta(0)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + _offset


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
