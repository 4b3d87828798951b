"""Multi-year grants (DESIGN §2.10): each year's part committed in that year's budget, or, where
the network says so, the whole grant in the grant year. The split without a database; the
booking on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.books import queries, services
from ledger.books.booking import LedgerRefused
from ledger.books.projects import later_parts_of, waiting_parts
from ledger.books.rules import split_by_year, year_period
from ledger.books.tables import Account, BudgetYear, Entry, LaterYearPart, Project, Report
from portal.accounts.tables import AuditEvent, GrantBooking, Network, Role
from portal.lib.db import required
from tests import factories
from tests.ledger.conftest import Year, make_year
from tests.ledger.test_ledger_pages import as_user
from tests.web import post_form

THEME_2021 = 9000 + 2021 * 10
ASKED = {2021: 1_000_000, 2022: 3_000_000}  # € 10.000 this year, € 30.000 next


# --- the split, pure -------------------------------------------------------------------------


def test_the_granted_amount_follows_the_budget_over_the_years() -> None:
    assert split_by_year(4_000_000, ASKED, 2021) == {2021: 1_000_000, 2022: 3_000_000}
    # Granted less than asked: shared in the same proportion.
    assert split_by_year(2_000_000, ASKED, 2021) == {2021: 500_000, 2022: 1_500_000}


def test_lines_of_the_grant_year_or_before_count_for_the_grant_year() -> None:
    assert split_by_year(300, {2020: 100, 2021: 100, 2022: 100}, 2021) == {2021: 200, 2022: 100}


def test_a_budget_with_nothing_in_the_grant_year_is_committed_whole_in_it() -> None:
    assert split_by_year(500, {2022: 300, 2023: 200}, 2021) == {2021: 500}
    assert split_by_year(500, {}, 2021) == {2021: 500}


def test_the_leftover_cents_go_to_the_largest_remainders() -> None:
    # 100 over three equal years: 33,33 each; the first year gets the cent.
    assert split_by_year(100, {2021: 1, 2022: 1, 2023: 1}, 2021) == {
        2021: 34,
        2022: 33,
        2023: 33,
    }


@given(
    amount=st.integers(0, 10**11),
    asked=st.dictionaries(st.integers(2018, 2026), st.integers(0, 10**10), max_size=6),
    grant_year=st.integers(2019, 2024),
)
def test_the_parts_add_up_to_the_grant_to_the_cent(
    amount: int, asked: dict[int, int], grant_year: int
) -> None:
    parts = split_by_year(amount, asked, grant_year)
    assert sum(parts.values()) == amount
    assert min(parts) == grant_year
    assert all(cents > 0 for year, cents in parts.items() if year != grant_year)
    total = sum(c for c in asked.values() if c > 0)
    if len(parts) > 1:
        for year, cents in parts.items():
            share = sum(c for y, c in asked.items() if c > 0 and max(y, grant_year) == year)
            # Within one cent of the exact proportional share.
            assert abs(cents * total - amount * share) < total


def test_each_years_project_runs_within_its_year() -> None:
    start, end = dt.date(2021, 9, 1), dt.date(2023, 3, 31)
    assert year_period(start, end, 2021, 2021, 2023) == (start, dt.date(2021, 12, 31))
    assert year_period(start, end, 2022, 2021, 2023) == (dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert year_period(start, end, 2023, 2021, 2023) == (dt.date(2023, 1, 1), end)
    # A single year keeps the grant's own period.
    assert year_period(start, end, 2021, 2021, 2021) == (start, end)
    # Money in a year the period does not reach: that year whole.
    assert year_period(start, dt.date(2021, 12, 1), 2022, 2021, 2022) == (
        dt.date(2022, 1, 1),
        dt.date(2022, 12, 31),
    )


# --- booking, on both databases ----------------------------------------------------------------


async def _grant(year: Year, amount_cents: int = 2_000_000, proposal_id: int = 1) -> int:
    return await services.commit_grant(
        await year.actor(),
        network_id=year.network,
        budget_year_id=year.budget_year,
        theme_id=THEME_2021,
        proposal_id=proposal_id,
        title="Expertpool",
        region_id=None,
        start_date=dt.date(2021, 9, 1),
        end_date=dt.date(2022, 12, 31),
        amount_cents=amount_cents,
        decision_reference="RTD-2021-11",
        decision_date=dt.date(2021, 11, 1),
        requested_by_year=ASKED,
    )


async def _committed(project_id: int) -> int:
    project = required(await Project.select().where(Project.id == project_id).first())
    figures = await queries.figures_of_projects(project["budget_year"], [project_id])
    return figures[project_id].committed


async def _divide_2022(year: Year, continuing_cents: int) -> tuple[int, dict[str, str]]:
    """Budget year 2022 of the same network (€ 120.000), divided with `continuing_cents` for
    continuing grants and what is left of € 38.000 for process a."""
    actor = await year.actor()
    year_id, problems = await services.create_budget_year(actor, year.network, 2022, 12_000_000)
    assert year_id is not None, problems
    problems = await services.set_up_year(
        actor,
        year.network,
        year_id,
        services.SetupInput(
            process_cents={"process_a": 3_800_000 - continuing_cents},
            theme_cents={1: 5_000_000},
            theme_names={1: "Thema 2022"},
            themes_reserve_cents=1_000_000,
            learning_cents=1_000_000,
            unforeseen_cents=1_200_000,
            unforeseen_reserve_bp=1000,
            themes_reserve_bp=1000,
            continuing_cents=continuing_cents,
        ),
    )
    return year_id, problems


async def test_a_grant_over_two_years_commits_this_years_part_and_waits_for_the_next(
    year: Year,
) -> None:
    project_id = await _grant(year)
    project = required(await Project.select().where(Project.id == project_id).first())
    assert await _committed(project_id) == 500_000
    # The grant year's project runs to the end of its year and reports once, finally.
    assert (project["start_date"], project["end_date"]) == (
        dt.date(2021, 9, 1),
        dt.date(2021, 12, 31),
    )
    reports = await Report.select(Report.year, Report.final).where(Report.project == project_id)
    assert reports == [{"year": 2021, "final": True}]
    (part,) = await later_parts_of(project_id)
    assert (part["year"], part["amount_cents"], part["booked_project"]) == (2022, 1_500_000, None)
    assert (part["start_date"], part["end_date"]) == (dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert [p["amount_cents"] for p in await waiting_parts(year.network, 2022)] == [1_500_000]


async def test_dividing_the_next_year_books_the_waiting_part_on_its_continuing_line(
    year: Year,
) -> None:
    first = await _grant(year)
    year_id, problems = await _divide_2022(year, 1_000_000)
    assert set(problems) == {"continuing"}
    assert "minstens € 15.000,00" in problems["continuing"]
    assert not await Account.exists().where(Account.budget_year == year_id)
    await BudgetYear.delete().where(BudgetYear.id == year_id)

    year_id, problems = await _divide_2022(year, 2_000_000)
    assert problems == {}
    (part,) = await later_parts_of(first)
    later = required(await Project.select().where(Project.id == part["booked_project"]).first())
    assert (later["budget_year"], later["grant_of"], later["proposal_id"]) == (year_id, first, None)
    assert later["title"] == "Expertpool"
    continuing = required(
        await Account.select()
        .where((Account.budget_year == year_id) & (Account.kind == "continuing"))
        .first()
    )
    assert later["account"] == continuing["id"]
    assert await _committed(later["id"]) == 1_500_000
    reports = await Report.select(Report.year, Report.final).where(Report.project == later["id"])
    assert reports == [{"year": 2022, "final": True}]
    accounts, _ = await queries.year_figures(year_id)
    assert accounts[continuing["id"]].available == 2_000_000 - 1_500_000
    assert await waiting_parts(year.network, 2022) == []


async def test_a_divided_next_year_takes_its_part_at_the_decision(year: Year) -> None:
    year_id, problems = await _divide_2022(year, 2_000_000)
    assert problems == {}
    first = await _grant(year)
    (part,) = await later_parts_of(first)
    assert part["booked_project"] is not None
    assert await _committed(part["booked_project"]) == 1_500_000
    entry = required(
        await Entry.select(Entry.budget_year, Entry.booked_on, Entry.period_year)
        .where(Entry.project == part["booked_project"])
        .first()
    )
    assert entry["budget_year"] == year_id
    assert entry["booked_on"] == dt.date(2021, 11, 1)


async def test_a_next_year_without_room_refuses_the_whole_decision(year: Year) -> None:
    _, problems = await _divide_2022(year, 1_000_000)
    assert problems == {}
    events = await AuditEvent.count()
    with pytest.raises(LedgerRefused, match="Het deel 2022 van deze toekenning"):
        await _grant(year)
    assert await Project.count() == 0
    assert await LaterYearPart.count() == 0
    assert await Entry.count().where(Entry.kind == "commitment") == 0
    assert await AuditEvent.count() == events


async def test_a_network_that_books_in_the_grant_year_commits_the_whole_grant_there(
    year: Year,
) -> None:
    await Network.update({Network.grant_booking: GrantBooking.grant_year}).where(
        Network.id == year.network
    )
    project_id = await _grant(year)
    assert await _committed(project_id) == 2_000_000
    assert await later_parts_of(project_id) == []
    project = required(await Project.select().where(Project.id == project_id).first())
    assert project["end_date"] == dt.date(2022, 12, 31)
    reports = await Report.select(Report.year, Report.final).where(Report.project == project_id)
    assert reports == [{"year": 2021, "final": False}, {"year": 2022, "final": True}]


async def test_the_spending_window_is_asked_of_each_years_part(year: Year) -> None:
    # 2021's money may be spent until the end of 2021: the grant's 2021 part ends then, so the
    # two-year grant is accepted where it would be refused whole.
    await BudgetYear.update({BudgetYear.spend_until: dt.date(2021, 12, 31)}).where(
        BudgetYear.id == year.budget_year
    )
    project_id = await _grant(year)
    assert await _committed(project_id) == 500_000
    await Network.update({Network.grant_booking: GrantBooking.grant_year}).where(
        Network.id == year.network
    )
    with pytest.raises(LedgerRefused, match="besteed worden tot en met"):
        await _grant(year, proposal_id=2)


async def test_another_network_can_not_take_the_waiting_part(year: Year) -> None:
    await _grant(year)
    other = await make_year(2022)
    assert other.network != year.network
    assert await waiting_parts(other.network, 2022) == []


# --- the pages ---------------------------------------------------------------------------------


async def _slug(network_id: int) -> str:
    row = required(await Network.select(Network.slug).where(Network.id == network_id).first())
    return row["slug"]


async def test_the_pages_show_the_years_of_a_grant_and_what_waits_for_a_division(
    client, year: Year
) -> None:
    first = await _grant(year)
    slug = await _slug(year.network)
    await as_user(client, year.coordinator)
    page = await client.get(f"/n/{slug}/begroting/projecten/{first}")
    assert page.status_code == 200
    assert "Meerjarige toekenning" in page.text
    assert "wacht op de indeling van de begroting 2022" in page.text
    assert "€ 15.000,00" in page.text
    assert "Deelprojecten" not in page.text

    year_id, problems = await services.create_budget_year(
        await year.actor(), year.network, 2022, 12_000_000
    )
    assert year_id is not None, problems
    division = await client.get(f"/n/{slug}/begroting/{year_id}/indelen")
    assert division.status_code == 200
    assert "Expertpool: € 15.000,00" in division.text
    assert 'name="continuing"' in division.text and 'value="15.000,00"' in division.text
    await BudgetYear.delete().where(BudgetYear.id == year_id)

    await _divide_2022(year, 2_000_000)
    (part,) = await later_parts_of(first)
    page = await client.get(f"/n/{slug}/begroting/projecten/{first}")
    assert f"/begroting/projecten/{part['booked_project']}" in page.text
    assert "verplicht in de begroting 2022" in page.text
    later = await client.get(f"/n/{slug}/begroting/projecten/{part['booked_project']}")
    assert later.status_code == 200
    assert "Deel 2022 van de meerjarige toekenning" in later.text
    assert f"/begroting/projecten/{first}" in later.text
    assert "Deelprojecten" not in later.text


async def test_the_beheerder_sets_how_a_network_books_multi_year_grants(client, year: Year) -> None:
    admin = await factories.member(year.network, Role.admin)
    slug = await _slug(year.network)
    await as_user(client, admin)
    address = f"/beheer/{slug}/instellingen"
    form = await client.get(address)
    assert form.status_code == 200 and "Meerjarige toekenningen" in form.text
    fields = {
        "name": "Netwerk",
        "slug": slug,
        "coordinating_municipality": "Rotterdam",
        "unforeseen_reserve": "10",
        "themes_reserve": "10",
    }
    refused = await post_form(client, address, {**fields, "grant_booking": "elk_kwartaal"})
    assert refused.status_code == 422
    assert "Kies hoe meerjarige toekenningen worden geboekt." in refused.text
    saved = await post_form(client, address, {**fields, "grant_booking": "grant_year"})
    assert saved.status_code in (302, 303)
    row = required(
        await Network.select(Network.grant_booking).where(Network.id == year.network).first()
    )
    assert row["grant_booking"] == GrantBooking.grant_year
    project_id = await _grant(year)
    assert await later_parts_of(project_id) == []
