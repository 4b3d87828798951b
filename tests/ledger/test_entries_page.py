"""The entries page's reads (`ledger.books.queries.entries_page`, compiled per shape): every
combination of its filters and pages gives the rows a plain Piccolo query gives, the count of
all that match, and which of the shown entries a reversal corrects. Both databases; the suite
also compares each compiled statement with Piccolo's own (PORTAL_CHECK_COMPILED)."""

from __future__ import annotations

import itertools

from ledger.books import queries
from ledger.books.tables import Entry
from tests.ledger.conftest import Year
from tests.ledger.test_allocations import _allocate


def expected(year: Year, kind, project, account) -> list[int]:
    query = Entry.select(Entry.id).where(Entry.budget_year == year.budget_year)
    if kind:
        query = query.where(Entry.kind == kind)
    if project:
        query = query.where(Entry.project == project)
    if account:
        query = query.where((Entry.account == account) | (Entry.counter_account == account))
    return query.order_by(Entry.id, ascending=False)


async def test_every_filter_and_page_gives_piccolo_s_rows(year: Year) -> None:
    first = await _allocate(year, 1_500_000)
    second = await _allocate(year, 300_000)
    some_entry = (await Entry.select(Entry.id).where(Entry.project == first).first())["id"]
    await Entry.update({Entry.reverses: some_entry}).where(
        Entry.id == (await Entry.select(Entry.id).where(Entry.project == second).first())["id"]
    )
    account = year.accounts["unforeseen"]
    for kind, project, account_id, per_page in itertools.product(
        (None, "", "commitment", "budget"), (None, 0, first), (None, account), (2, 50)
    ):
        wanted = [r["id"] for r in await expected(year, kind, project, account_id)]
        for page in (1, 2):
            listed = await queries.entries_page(
                year.network,
                year.budget_year,
                kind=kind,
                project_id=project,
                account_id=account_id,
                page=page,
                per_page=per_page,
            )
            shown = wanted[(page - 1) * per_page : page * per_page]
            assert [r["id"] for r in listed.rows] == shown, (kind, project, account_id, page)
            assert listed.total == len(wanted)
            assert listed.reversed_ids == ({some_entry} & set(shown))
            rows, total = await queries.entries(
                year.budget_year,
                kind=kind,
                project_id=project,
                account_id=account_id,
                page=page,
                per_page=per_page,
            )
            assert [r["id"] for r in rows] == shown and total == len(wanted)
    # Another network's year is not this network's.
    assert (await queries.entries_page(year.network + 1000, year.budget_year)).year is None
