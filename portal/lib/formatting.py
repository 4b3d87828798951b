"""Dutch display of dates and times for the templates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


def datum(value: dt.date | dt.datetime | None) -> str:
    """'1 maart 2022'."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def datumtijd(value: dt.datetime | None) -> str:
    """'1 maart 2022, 14:05' in Dutch local time."""
    if value is None:
        return ""
    local = _local(value)
    return f"{datum(local.date())}, {local:%H:%M}"


def _local(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(AMSTERDAM)


def to_local_input(value: dt.datetime | None) -> str:
    """A moment as a datetime-local field shows it: Dutch local time."""
    if value is None:
        return ""
    return _local(value).strftime("%Y-%m-%dT%H:%M")


def from_local_input(raw: str) -> dt.datetime | None:
    """A datetime-local field is Dutch local time; stored in UTC."""
    try:
        local = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return local.replace(tzinfo=AMSTERDAM).astimezone(dt.UTC)


def joined(names: Sequence[str], word: str = "en") -> str:
    """'A', 'A en B', 'A, B en C' (or with "of")."""
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {word} " + names[-1]
