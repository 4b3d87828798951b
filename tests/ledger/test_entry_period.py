"""An entry's period: the year the money belongs to, apart from the day it was booked. Spending
of 2021 accepted in 2026 counts for 2021's SiSa, and a reversal keeps its entry's period."""

from __future__ import annotations

import datetime as dt

from ledger.books import services
from ledger.books.tables import Entry, Report
from ledger.projects import reports, spuk
from portal.lib import clock
from tests.ledger.conftest import Year
from tests.ledger.test_ledger_pages import granted_project

REPORT = reports.ReportInput(
    results=[{"goal": "Doel", "result": "Gehaald"}],
    realised_lines=[{"description": "Totaal", "budget_cents": 0, "realised_cents": 100_000}],
    lessons_worked="a",
    lessons_not_worked="b",
    lessons_for_others="c",
    preconditions_met=True,
)


async def test_spending_counts_for_its_year_whenever_it_is_accepted(year: Year) -> None:
    project = await granted_project(
        year, start=dt.date(2021, 9, 1), end=dt.date(2022, 6, 30), region=None
    )
    first, final = (
        await Report.select().where(Report.project == project["id"]).order_by(Report.year)
    )
    actor = await year.actor()
    clock.travel(dt.date(2026, 5, 1) - clock.now().date())  # years late, as happens
    try:
        for report in (first, final):
            row = await reports.report_row(year.network, report["id"])
            assert await reports.submit_report(actor, row, REPORT) == {}
            await reports.accept_report(actor, await reports.report_row(year.network, report["id"]))
    finally:
        clock.reset()
    realised = (
        await Entry.select(Entry.booked_on, Entry.period_year, Entry.amount_cents)
        .where(Entry.kind == "realised")
        .order_by(Entry.id)
    )
    assert [(r["booked_on"].year, r["period_year"]) for r in realised] == [
        (2026, 2021),
        (2026, 2022),
    ]
    (grant,) = [g for g in (await spuk.gather(year.network, 2021)).grants if g.this_year_only]
    assert (grant.spent_in_year, grant.spent_cumulative) == (100_000, 100_000)


async def test_a_reversal_keeps_the_period_and_a_plain_entry_takes_its_booking_year(
    year: Year,
) -> None:
    project = await granted_project(
        year, start=dt.date(2021, 1, 1), end=dt.date(2021, 12, 31), region=None
    )
    actor = await year.actor()
    await services.pay(actor, project, "advance_payment", 1_000, "BET-1")
    payment = await Entry.select().where(Entry.kind == "advance_payment").first()
    assert payment["period_year"] == clock.now().year
    realised = await Entry.insert(
        Entry(
            budget_year=year.budget_year,
            kind="realised",
            account=project["account"],
            project=project["id"],
            amount_cents=500,
            booked_on=dt.date(2026, 1, 5),
            period_year=2021,
        )
    ).returning(Entry.id)
    await services.reverse(actor, year.network, realised[0]["id"], "Dubbel geboekt")
    reversal = await Entry.select().where(Entry.reverses == realised[0]["id"]).first()
    assert reversal["period_year"] == 2021
