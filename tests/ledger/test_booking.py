"""The ledger's invariants, refused with nothing booked; reversals; concurrency."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import astuple

import pytest

from ledger.books import queries, services
from ledger.books.booking import EntryDraft, LedgerRefused, book
from ledger.books.rules import account_figures
from ledger.books.tables import Entry
from portal.accounts.tables import AuditEvent, Role
from tests.ledger.conftest import Year, make_year


async def figures(year: Year):
    accounts, projects = await queries.year_figures(year.budget_year)
    return accounts, projects


async def commit(year: Year, code: str, cents: int, project: int | None = None) -> list[int]:
    return await book(
        await year.actor(),
        year.budget_year,
        [EntryDraft("commitment", year.accounts[code], cents, project_id=project)],
        network_id=year.network,
        summary="test",
    )


async def test_set_up_books_the_division(year: Year) -> None:
    accounts, _ = await figures(year)
    total = sum(f.budget for f in accounts.values())
    assert total == 10_000_000
    assert accounts[year.accounts["unforeseen"]].budget == 1_000_000


async def test_set_up_refuses_a_division_that_does_not_add_up(database) -> None:
    from tests import factories

    network = await factories.network()
    coordinator = await factories.member(network, Role.coordinator)
    from tests.proposals.conftest import principal

    actor = await principal(coordinator)
    budget_year, _ = await services.create_budget_year(actor, network, 2022, 10_000_000)
    problems = await services.set_up_year(
        actor,
        network,
        budget_year,
        services.SetupInput(
            process_cents={"process_a": 2_000_000},
            theme_cents={1: 6_000_000},
            theme_names={1: "T"},
            themes_reserve_cents=100_000,
            learning_cents=0,
            unforeseen_cents=900_000,
            unforeseen_reserve_bp=1000,
            themes_reserve_bp=1000,
        ),
    )
    assert "€ 10.000,00" in problems["unforeseen"]  # 10 % of the year
    assert "verschil" in problems["total"]
    assert "Onvoorzien binnen de thema's moet minstens" in problems["themes_reserve_amount"]
    assert await Entry.count() == 0


async def test_no_theme_goes_below_zero(year: Year) -> None:
    await commit(year, f"theme_{9000 + 2021 * 10}", 2_500_000)
    with pytest.raises(LedgerRefused, match="niet genoeg beschikbaar.*tekort € 0,01"):
        await commit(year, f"theme_{9000 + 2021 * 10}", 1)
    assert await Entry.count().where(Entry.kind == "commitment") == 1


async def test_transfer_cannot_eat_into_a_reserve(year: Year) -> None:
    actor = await year.actor()
    with pytest.raises(LedgerRefused, match="ondergrens van € 10.000,00"):
        await services.move(
            actor,
            year.network,
            year.budget_year,
            "transfer",
            year.accounts["unforeseen"],
            year.accounts["learning"],
            1,
            "Even lenen",
            "",
        )
    with pytest.raises(LedgerRefused, match="ondergrens"):
        await services.move(
            actor,
            year.network,
            year.budget_year,
            "transfer",
            year.accounts["themes_reserve"],
            year.accounts["learning"],
            444_445,
            "Te veel",
            "",
        )
    # The floor is 10 % of the themes pot, which shrinks with the reserve: of the € 10.000,
    # € 4.444,44 may move (leaving € 5.555,56 of a € 55.555,56 pot), not a cent more.
    await services.move(
        actor,
        year.network,
        year.budget_year,
        "transfer",
        year.accounts["themes_reserve"],
        year.accounts["learning"],
        444_444,
        "Herschikking naar onderzoek",
        "AO-2021-3",
    )
    assert await Entry.count().where(Entry.kind == "transfer") == 1


async def test_reserve_release_needs_reason_and_reference_and_may_go_below_the_floor(year) -> None:
    actor = await year.actor()
    theme = year.accounts[f"theme_{9000 + 2021 * 10}"]
    with pytest.raises(LedgerRefused, match="reden en een besluitkenmerk"):
        await book(
            actor,
            year.budget_year,
            [
                EntryDraft(
                    "reserve_release",
                    theme,
                    500_000,
                    counter_account_id=year.accounts["unforeseen"],
                    reason="Nood",
                )
            ],
            network_id=year.network,
            summary="x",
        )
    await services.move(
        actor,
        year.network,
        year.budget_year,
        "reserve_release",
        year.accounts["unforeseen"],
        theme,
        500_000,
        "Crisisopvang",
        "Besluit B&W 2021/77",
    )
    accounts, _ = await figures(year)
    assert accounts[year.accounts["unforeseen"]].budget == 500_000
    assert accounts[theme].available == 3_000_000


async def test_payments_never_exceed_the_commitment(year: Year) -> None:
    project = await services.commit_grant(
        await year.actor(),
        network_id=year.network,
        budget_year_id=year.budget_year,
        theme_id=9000 + 2021 * 10,
        proposal_id=1,
        title="Wachtlijstbrug",
        region_id=None,
        start_date=None,
        end_date=None,
        amount_cents=1_000_000,
        decision_reference="B-1",
        decision_date=dt.date(2021, 11, 1),
    )
    row = await queries.project_row(year.network, project)
    await services.pay(await year.actor(), row, "advance_payment", 800_000, "F-1")
    with pytest.raises(LedgerRefused, match="betalingen .* niet overschrijden"):
        await services.pay(await year.actor(), row, "final_payment", 200_001, "F-2")
    _, projects = await figures(year)
    assert projects[project].paid == 800_000
    with pytest.raises(LedgerRefused, match="gerealiseerde besteding"):
        await book(
            await year.actor(),
            year.budget_year,
            [EntryDraft("realised", row["account"], 1_000_001, project_id=project)],
            network_id=year.network,
            summary="x",
        )
    with pytest.raises(LedgerRefused, match="meer teruggevorderd"):
        await book(
            await year.actor(),
            year.budget_year,
            [EntryDraft("recovery", row["account"], 800_001, project_id=project)],
            network_id=year.network,
            summary="x",
        )


async def test_a_refused_write_leaves_nothing_behind(year: Year) -> None:
    entries, events = await Entry.count(), await AuditEvent.count()
    with pytest.raises(LedgerRefused):
        await book(
            await year.actor(),
            year.budget_year,
            [
                EntryDraft("commitment", year.accounts["learning"], 500_000),
                EntryDraft("commitment", year.accounts["learning"], 600_000),
            ],
            network_id=year.network,
            summary="twee in één",
        )
    assert (await Entry.count(), await AuditEvent.count()) == (entries, events)


async def test_reversal_restores_the_balances(year: Year) -> None:
    before, _ = await figures(year)
    (entry_id,) = await commit(year, "learning", 300_000)
    actor = await year.actor()
    with pytest.raises(LedgerRefused, match="reden"):
        await services.reverse(actor, year.network, entry_id, "  ")
    await services.reverse(actor, year.network, entry_id, "Dubbel geboekt")
    after, _ = await figures(year)
    assert after[year.accounts["learning"]].available == before[year.accounts["learning"]].available
    with pytest.raises(LedgerRefused, match="al gecorrigeerd"):
        await services.reverse(actor, year.network, entry_id, "Nog eens")
    reversal = await Entry.select().where(Entry.reverses == entry_id).first()
    with pytest.raises(LedgerRefused, match="kan niet zelf"):
        await services.reverse(actor, year.network, reversal["id"], "En terug")
    assert await Entry.count().where(Entry.id == entry_id) == 1  # the original is still there


async def test_carry_over_moves_budget_into_the_next_year(year: Year) -> None:
    next_year = await make_year(2022, network=year.network, coordinator=year.coordinator)
    actor = await year.actor()
    await services.move(
        actor,
        year.network,
        year.budget_year,
        "carry_over",
        year.accounts["learning"],
        next_year.accounts["learning"],
        250_000,
        "Onderzoek loopt door",
        "AO-2021-9",
    )
    this, _ = await figures(year)
    that, _ = await figures(next_year)
    assert this[year.accounts["learning"]].budget == 750_000
    assert that[next_year.accounts["learning"]].budget == 1_250_000


async def test_year_sums_take_every_entry_of_the_year_exactly_once(year: Year) -> None:
    """The sums read a year's entries as three index look-ups (queries._ENTRIES_OF_YEAR); they
    must add up exactly the entries of the plain definition: booked in the year, or moving money
    into or out of one of its accounts, each once."""
    next_year = await make_year(2022, network=year.network, coordinator=year.coordinator)
    actor = await year.actor()
    for source, target in (
        (year.accounts["learning"], next_year.accounts["learning"]),
        (year.accounts["process_a"], next_year.accounts["process_a"]),
    ):
        await services.move(
            actor,
            year.network,
            year.budget_year,
            "carry_over",
            source,
            target,
            100_000,
            "Loopt door",
            "AO-2021-10",
        )
    await commit(next_year, "learning", 300_000)
    await commit(year, "learning", 200_000)
    # No service books this shape today (booked in the next year, taking from this year's
    # account as its counter account), but the definition counts it for both years.
    await Entry.insert(
        Entry(
            budget_year=next_year.budget_year,
            kind="carry_over",
            account=next_year.accounts["learning"],
            counter_account=year.accounts["learning"],
            amount_cents=50_000,
            booked_on=dt.date(2022, 1, 3),
        )
    )
    plain = (
        "SELECT e.kind AS kind, e.account AS account, e.counter_account AS counter_account, "
        "e.project AS project, SUM(e.sign * e.amount_cents) AS total FROM ledger_entry e "
        f"WHERE {queries._OF_YEAR} GROUP BY e.kind, e.account, e.counter_account, e.project"
    )
    for y in (year.budget_year, next_year.budget_year):
        expected = sorted(
            (r["kind"], r["account"], r["counter_account"], r["project"], int(r["total"]))
            for r in await Entry.raw(plain, y, y, y)
        )
        assert sorted(astuple(s) for s in await queries.sums_of_year(y)) == expected
        assert any(s.kind == "carry_over" for s in await queries.sums_of_year(y))
        # Per account only (the start page's reserves): the same account figures.
        by_account = queries.sums_from_rows(await queries.account_sums_of_year_query(y).run())
        assert account_figures(by_account) == account_figures(await queries.sums_of_year(y))
        assert {s.project for s in by_account} == {None}


async def test_no_code_path_edits_or_deletes_entries() -> None:
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for path in [
            *root.glob("ledger/**/*.py"),
            *root.glob("portal/**/*.py"),
            *root.glob("review/**/*.py"),
            *root.glob("proposals/**/*.py"),
        ]
        if re.search(r"\bEntry\.(update|delete)\(", path.read_text())
    ]
    assert offenders == []


@pytest.mark.parametrize("attempts", [50])
async def test_concurrent_commitments_never_overbook(year: Year, attempts: int) -> None:
    """50 coordinators book € 5.000 at once at a theme with room for exactly 10 of them."""
    theme = f"theme_{9000 + 2021 * 10}"
    actor = await year.actor()

    async def one() -> bool:
        try:
            await book(
                actor,
                year.budget_year,
                [EntryDraft("commitment", year.accounts[theme], 250_000)],
                network_id=year.network,
                summary="gelijktijdig",
            )
        except LedgerRefused:
            return False
        return True

    results = await asyncio.gather(*(one() for _ in range(attempts)))
    assert results.count(True) == 10
    accounts, _ = await figures(year)
    assert accounts[year.accounts[theme]].available == 0
    assert await Entry.count().where(Entry.kind == "commitment") == 10


async def test_a_line_cannot_release_more_than_it_committed(year: Year) -> None:
    with pytest.raises(LedgerRefused, match="meer vrijgegeven"):
        await book(
            await year.actor(),
            year.budget_year,
            [EntryDraft("release", year.accounts["learning"], 500_000)],
            network_id=year.network,
            summary="x",
        )


async def test_money_for_projects_needs_the_project_and_its_line(year: Year) -> None:
    actor = await year.actor()
    with pytest.raises(LedgerRefused, match="horen bij een project"):
        await book(
            actor,
            year.budget_year,
            [EntryDraft("advance_payment", year.accounts["process_a"], 1)],
            network_id=year.network,
            summary="x",
        )
    project = await services.commit_grant(
        actor,
        network_id=year.network,
        budget_year_id=year.budget_year,
        theme_id=9000 + 2021 * 10,
        proposal_id=None,
        title="P",
        region_id=None,
        start_date=None,
        end_date=None,
        amount_cents=100_000,
        decision_reference="B",
        decision_date=dt.date(2021, 11, 1),
    )
    with pytest.raises(LedgerRefused, match="post van dat project"):
        await book(
            actor,
            year.budget_year,
            [EntryDraft("release", year.accounts["process_a"], 100_000, project_id=project)],
            network_id=year.network,
            summary="x",
        )


async def test_money_returned_to_a_reserve_cannot_leave_by_an_ordinary_transfer(year) -> None:
    actor = await year.actor()
    unforeseen, process = year.accounts["unforeseen"], year.accounts["process_a"]
    await services.move(
        actor,
        year.network,
        year.budget_year,
        "reserve_release",
        unforeseen,
        process,
        500_000,
        "Nood",
        "B-1",
    )
    await services.move(
        actor, year.network, year.budget_year, "transfer", process, unforeseen, 500_000, "Terug", ""
    )
    with pytest.raises(LedgerRefused, match="ondergrens"):
        await services.move(
            actor,
            year.network,
            year.budget_year,
            "transfer",
            unforeseen,
            year.accounts["learning"],
            500_000,
            "Gewoon weg",
            "",
        )


async def test_a_years_opening_stays_its_spuk_amount(year: Year) -> None:
    """Money comes into a divided year only from the SPUK decision: an extra opening entry, or
    a reversal of one, is refused and nothing is booked."""
    actor = await year.actor()
    before = await Entry.count()
    with pytest.raises(LedgerRefused, match="opening van het jaar"):
        await book(
            actor,
            year.budget_year,
            [EntryDraft("budget", year.accounts["learning"], 100, reason="Extra")],
            network_id=year.network,
            summary="Extra budget",
        )
    opening = await Entry.select(Entry.id).where(Entry.kind == "budget").first()
    with pytest.raises(LedgerRefused, match="opening van het jaar"):
        await services.reverse(actor, year.network, opening["id"], "Verkeerde indeling")
    assert await Entry.count() == before


async def test_a_year_is_divided_once(year: Year) -> None:
    before = await Entry.count()
    problems = await services.set_up_year(
        await year.actor(),
        year.network,
        year.budget_year,
        services.SetupInput(
            process_cents={"process_a": 2_000_000},
            theme_cents={},
            theme_names={},
            themes_reserve_cents=6_000_000,
            learning_cents=1_000_000,
            unforeseen_cents=1_000_000,
            unforeseen_reserve_bp=1000,
            themes_reserve_bp=1000,
        ),
    )
    assert "al ingedeeld" in problems["total"]
    assert await Entry.count() == before


async def test_an_entry_is_reversed_once_even_when_asked_at_once(year: Year) -> None:
    """Two reversals of one entry racing: the check runs with the year locked."""
    [entry_id] = await commit(year, "process_a", 10_000)
    actor = await year.actor()
    results = await asyncio.gather(
        *(services.reverse(actor, year.network, entry_id, "Dubbel") for _ in range(5)),
        return_exceptions=True,
    )
    assert sum(r is None for r in results) == 1
    assert all(isinstance(r, LedgerRefused) for r in results if r is not None)
    assert await Entry.count().where(Entry.reverses == entry_id) == 1


async def test_every_booking_renews_the_stamp_of_each_year_it_touches(year: Year) -> None:
    """`budget_year.entries_stamp` says the year's sums may have changed (a process keeps them
    while it stays): each booking renews it on every year of its accounts, in its transaction;
    a refused booking changes nothing."""
    from ledger.books.tables import BudgetYear

    next_year = await make_year(2022, network=year.network, coordinator=year.coordinator)

    async def stamps() -> tuple[int, int]:
        rows = {
            r["id"]: r["entries_stamp"]
            for r in await BudgetYear.select(BudgetYear.id, BudgetYear.entries_stamp)
        }
        return rows[year.budget_year], rows[next_year.budget_year]

    before = await stamps()
    await commit(year, "learning", 100_000)
    after_commit = await stamps()
    assert after_commit[0] != before[0] and after_commit[1] == before[1]
    await services.move(
        await year.actor(),
        year.network,
        year.budget_year,
        "carry_over",
        year.accounts["learning"],
        next_year.accounts["learning"],
        100_000,
        "Loopt door",
        "AO-2021-10",
    )
    after_move = await stamps()
    assert after_move[0] != after_commit[0] and after_move[1] != after_commit[1]
    with pytest.raises(LedgerRefused):
        await commit(year, "learning", 100_000_000)  # more than the line holds
    assert await stamps() == after_move
