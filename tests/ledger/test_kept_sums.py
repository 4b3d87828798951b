"""A year's sums kept under its `entries_stamp` (`queries.KeptByStamp`): the year page and the
start page's reserves take them as they were only while no booking touched the year since."""

from __future__ import annotations

from ledger.books import queries
from ledger.books.queries import KEPT_YEARS, KeptByStamp
from ledger.books.tables import BudgetYear
from tests.ledger.conftest import Year
from tests.ledger.test_catalogue import project


async def _stamp(year: Year) -> int:
    row = (
        await BudgetYear.select(BudgetYear.entries_stamp)
        .where(BudgetYear.id == year.budget_year)
        .first()
    )
    return row["entries_stamp"]


def _figures(totals: queries.YearTotals) -> tuple:
    return (
        totals.accounts,
        {
            a: (g.projects, g.settled, g.final_cents, g.figures)
            for a, g in totals.project_groups.items()
        },
    )


async def test_a_booking_gives_the_year_a_new_stamp_and_the_page_new_sums(year: Year) -> None:
    await project(year, "Eerste project", cents=500_000)
    first_stamp = await _stamp(year)
    first = await queries.year_totals(year.budget_year, first_stamp)
    assert _figures(first) == _figures(await queries.year_totals(year.budget_year))
    # Read again under the same stamp: the kept sums, the same figures.
    assert _figures(await queries.year_totals(year.budget_year, first_stamp)) == _figures(first)

    await project(year, "Tweede project", cents=300_000)
    second_stamp = await _stamp(year)
    assert second_stamp != first_stamp
    second = await queries.year_totals(year.budget_year, second_stamp)
    assert _figures(second) == _figures(await queries.year_totals(year.budget_year))
    assert _figures(second) != _figures(first)
    committed = sum(f.committed for f in second.accounts.values())
    assert committed - sum(f.committed for f in first.accounts.values()) == 300_000


async def test_the_year_page_shows_a_new_booking_at_once(client, year: Year) -> None:
    from portal.accounts.tables import Network
    from tests.ledger.test_ledger_pages import as_user

    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    await as_user(client, year.coordinator)
    await project(year, "Eerste project", cents=500_000)
    before = await client.get(f"/n/{slug}/begroting/{year.budget_year}")
    assert before.status_code == 200 and "€ 5.000,00" in before.text
    await project(year, "Tweede project", cents=300_000)
    after = await client.get(f"/n/{slug}/begroting/{year.budget_year}")
    assert "€ 8.000,00" in after.text


def test_kept_rows_only_under_their_stamp_and_for_a_bounded_number_of_years() -> None:
    kept = KeptByStamp()
    kept.keep(1, 111, [{"total": 5}])
    assert kept.get(1, 111) == [{"total": 5}]
    assert kept.get(1, 112) is None and kept.get(2, 111) is None
    for year_id in range(2, KEPT_YEARS + 1):
        kept.keep(year_id, 0, [])
    assert kept.get(1, 111) == [{"total": 5}]  # KEPT_YEARS years fit
    kept.keep(KEPT_YEARS + 1, 0, [])
    assert kept.get(1, 111) is None and kept.get(KEPT_YEARS + 1, 0) == []
