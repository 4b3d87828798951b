"""The books' queries return rows of the types they declare (tests/test_rows.py)."""

from __future__ import annotations

from ledger.books import queries
from ledger.books.rows import AccountRow, EntryRow, ProjectRow, ReportRow
from ledger.books.tables import Entry
from ledger.projects import reports
from portal.lib.db import required
from tests.ledger.conftest import Year
from tests.ledger.test_allocations import _allocate
from tests.test_rows import fits


async def test_the_books_rows_have_their_declared_keys(year: Year) -> None:
    project_id = await _allocate(year, 1_500_000)
    for row in await queries.projects_of_year(year.budget_year):
        fits(row, ProjectRow)
    fits(required(await queries.project_row(year.network, project_id)), ProjectRow)
    accounts = await queries.accounts_of(year.budget_year)
    for account in accounts:
        fits(account, AccountRow)
    fits(required(await queries.account_row(accounts[0]["id"])), AccountRow)
    entry = required(await Entry.select(Entry.id).where(Entry.project == project_id).first())
    fits(required(await queries.entry_row(entry["id"])), EntryRow)
    listed, _ = await queries.entries(year.budget_year)
    for row in listed:
        fits(row, EntryRow)
    (report, *_) = await reports.reports_of_network(year.network)
    fits(required(await reports.report_row(year.network, report["id"])), ReportRow)
