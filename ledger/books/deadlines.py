"""Accountability report due dates, their status and the reminders they call for (DESIGN §2.5).

A project reports after it ends and at the latest *before* 1 March of the following year;
a multi-year project reports each calendar year it runs in. The report of the last year is the
final one: it leads to the vaststelling (the final amount).

Pure functions: the caller supplies `today` (from `portal.lib.clock`), nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.lib.formatting import datum

# A report must arrive before this day and month of the year after the year it covers.
DUE_MONTH = 3
DUE_DAY = 1

# The SiSa annex of a budget year (T) goes to the state before 15 July of T+1.
SISA_MONTH = 7
SISA_DAY = 15

# A report shows as "due soon" from this many days before its due date.
DUE_SOON_DAYS = 60
# The first reminder goes out this many days before the due date.
AHEAD_DAYS = 30
# After the due date a reminder goes out once per week.
LATE_INTERVAL_DAYS = 7

STATUSES = ("accepted", "received", "overdue", "due_soon", "later")

# Dutch labels for the statuses, for lists and badges.
STATUS_LABELS: dict[str, str] = {
    "accepted": "Goedgekeurd",
    "received": "Ontvangen",
    "overdue": "Te laat",
    "due_soon": "Binnenkort",
    "later": "Later",
}


@dataclass(frozen=True)
class ReportDue:
    year: int  # the project year the report covers
    due_date: dt.date  # 1 March of year + 1: the report must arrive BEFORE this date
    final: bool  # the last report of the project (it sets the final amount)


def due_date_for(year: int) -> dt.date:
    """The day before which the report covering `year` must arrive: 1 March of `year + 1`."""
    return dt.date(year + 1, DUE_MONTH, DUE_DAY)


def report_schedule(start: dt.date, end: dt.date) -> list[ReportDue]:
    """One report per calendar year the project runs in; only the last one is final."""
    if end < start:
        raise ValueError(f"Project end {end.isoformat()} is before its start {start.isoformat()}.")
    return [
        ReportDue(year=year, due_date=due_date_for(year), final=year == end.year)
        for year in range(start.year, end.year + 1)
    ]


def status_of(due: dt.date, today: dt.date, received: bool, accepted: bool) -> str:
    """Where a report stands today; one of `STATUSES`.

    The due date itself is already overdue: the report must arrive *before* it.
    """
    if accepted:
        return "accepted"
    if received:
        return "received"
    if today >= due:
        return "overdue"
    if today >= due - dt.timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "later"


def sisa_due_date(year: int) -> dt.date:
    """When the SiSa accountability of budget year `year` is due with the state."""
    return dt.date(year + 1, SISA_MONTH, SISA_DAY)


def reminder_keys(
    report_id: int, due: dt.date, today: dt.date, prefix: str = "report"
) -> list[tuple[str, str]]:
    """The one reminder that applies today, as `[(key, kind)]`, or `[]` when none does.

    - "ahead" from `due - 30 days` up to the day before the due date;
    - "due" from the due date up to six days after it;
    - "late" from `due + 7 days`, with one key per completed week after the due date
      (week 1 from `due + 7`, week 2 from `due + 14`, ...).

    A daily job sends each key at most once (it records the keys it sent), so the reader gets
    one "ahead", one "due" and then one "late" reminder a week; a key is never reused. Whether
    the report has arrived is the caller's question: it asks only for reports still missing.
    """
    days_after_due = (today - due).days
    if days_after_due < -AHEAD_DAYS:
        return []
    if days_after_due < 0:
        return [(f"{prefix}-ahead:{report_id}", "ahead")]
    if days_after_due < LATE_INTERVAL_DAYS:
        return [(f"{prefix}-due:{report_id}", "due")]
    week = days_after_due // LATE_INTERVAL_DAYS
    return [(f"{prefix}-late:{report_id}:{week}", "late")]


def format_due(due: dt.date) -> str:
    """Dutch deadline text: 'vóór 1 maart 2022'."""
    return f"vóór {datum(due)}"
