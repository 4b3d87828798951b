from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.books.deadlines import (
    STATUS_LABELS,
    STATUSES,
    ReportDue,
    due_date_for,
    format_due,
    reminder_keys,
    report_schedule,
    status_of,
)

D = dt.date
DUE = D(2022, 3, 1)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# --- the schedule ---------------------------------------------------------------------------


def test_project_ending_on_new_years_eve_reports_before_1_march() -> None:
    assert report_schedule(D(2021, 9, 1), D(2021, 12, 31)) == [
        ReportDue(year=2021, due_date=D(2022, 3, 1), final=True)
    ]


def test_project_ending_on_new_years_day_reports_for_that_year() -> None:
    schedule = report_schedule(D(2021, 9, 1), D(2022, 1, 1))
    assert schedule == [
        ReportDue(year=2021, due_date=D(2022, 3, 1), final=False),
        ReportDue(year=2022, due_date=D(2023, 3, 1), final=True),
    ]


def test_one_day_project() -> None:
    assert report_schedule(D(2023, 5, 5), D(2023, 5, 5)) == [
        ReportDue(year=2023, due_date=D(2024, 3, 1), final=True)
    ]


def test_multi_year_project_reports_each_year_and_only_the_last_is_final() -> None:
    assert report_schedule(D(2021, 9, 1), D(2023, 6, 30)) == [
        ReportDue(year=2021, due_date=D(2022, 3, 1), final=False),
        ReportDue(year=2022, due_date=D(2023, 3, 1), final=False),
        ReportDue(year=2023, due_date=D(2024, 3, 1), final=True),
    ]


def test_refuse_end_before_start() -> None:
    with pytest.raises(ValueError):
        report_schedule(D(2022, 1, 1), D(2021, 12, 31))


def test_due_date_is_1_march_also_in_leap_years() -> None:
    assert due_date_for(2023) == D(2024, 3, 1)
    # 29 February 2024 is the last day to hand in the 2023 report: it is before the due date.
    assert status_of(D(2024, 3, 1), D(2024, 2, 29), received=False, accepted=False) == "due_soon"
    assert status_of(D(2024, 3, 1), D(2024, 3, 1), received=False, accepted=False) == "overdue"
    # 60 days before 1 March 2024 is 1 January 2024 (February has 29 days).
    assert status_of(D(2024, 3, 1), D(2024, 1, 1), received=False, accepted=False) == "due_soon"
    assert status_of(D(2024, 3, 1), D(2023, 12, 31), received=False, accepted=False) == "later"


@given(
    st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31)),
    st.integers(min_value=0, max_value=3000),
)
def test_schedule_has_one_report_per_calendar_year(start: dt.date, length: int) -> None:
    end = start + days(length)
    schedule = report_schedule(start, end)
    assert len(schedule) == end.year - start.year + 1
    assert [due.year for due in schedule] == list(range(start.year, end.year + 1))
    assert all(a.due_date < b.due_date for a, b in itertools.pairwise(schedule))
    assert [due.final for due in schedule].count(True) == 1
    assert schedule[-1].final
    assert all(due.due_date == D(due.year + 1, 3, 1) for due in schedule)
    # The final report is due after the project has ended.
    assert schedule[-1].due_date > end


# --- status ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (DUE - days(61), "later"),
        (DUE - days(60), "due_soon"),
        (DUE - days(1), "due_soon"),
        (DUE, "overdue"),  # it must arrive BEFORE 1 March
        (DUE + days(400), "overdue"),
    ],
)
def test_status_boundaries(today: dt.date, status: str) -> None:
    assert status_of(DUE, today, received=False, accepted=False) == status


@pytest.mark.parametrize("today", [DUE - days(100), DUE - days(10), DUE, DUE + days(30)])
def test_received_and_accepted_win_over_dates(today: dt.date) -> None:
    assert status_of(DUE, today, received=True, accepted=False) == "received"
    assert status_of(DUE, today, received=True, accepted=True) == "accepted"


def test_every_status_has_a_dutch_label() -> None:
    assert set(STATUS_LABELS) == set(STATUSES)


# --- reminders ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (DUE - days(31), []),
        (DUE - days(30), [("report-ahead:7", "ahead")]),
        (DUE - days(1), [("report-ahead:7", "ahead")]),
        (DUE, [("report-due:7", "due")]),
        (DUE + days(6), [("report-due:7", "due")]),
        (DUE + days(7), [("report-late:7:1", "late")]),
        (DUE + days(13), [("report-late:7:1", "late")]),
        (DUE + days(14), [("report-late:7:2", "late")]),
        (DUE + days(70), [("report-late:7:10", "late")]),
    ],
)
def test_reminder_on_each_boundary_day(today: dt.date, expected: list[tuple[str, str]]) -> None:
    assert reminder_keys(7, DUE, today) == expected


def test_daily_job_sends_one_late_reminder_a_week_and_never_reuses_a_key() -> None:
    sent: list[str] = []
    for offset in range(-60, 60):
        for key, _kind in reminder_keys(3, DUE, DUE + days(offset)):
            if key not in sent:
                sent.append(key)
    assert sent == [
        "report-ahead:3",
        "report-due:3",
        *[f"report-late:3:{week}" for week in range(1, 9)],
    ]


def test_keys_are_per_report() -> None:
    assert reminder_keys(1, DUE, DUE) != reminder_keys(2, DUE, DUE)


# --- Dutch text -----------------------------------------------------------------------------


def test_format_due() -> None:
    assert format_due(D(2022, 3, 1)) == "vóór 1 maart 2022"
    assert format_due(D(2024, 3, 1)) == "vóór 1 maart 2024"
