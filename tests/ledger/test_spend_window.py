"""A budget year's spending window: money of the year may be spent until a date the coordinator
records (not before the year ends, not before a committed project ends); money committed for a
project that runs longer is refused, whether by a grant, an allocation or a change."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger.books.booking import LedgerRefused
from ledger.books.rules import spend_window_problem
from ledger.books.tables import Project
from ledger.projects import changes, sisa
from portal.accounts.tables import Network
from tests.ledger.conftest import Year
from tests.ledger.test_allocations import _allocate
from tests.ledger.test_changes import ask_and_decide
from tests.ledger.test_ledger_pages import as_user, granted_project
from tests.ledger.test_payment_requests import setting
from tests.web import post_form


def test_the_window_rule() -> None:
    until = dt.date(2022, 6, 30)
    assert spend_window_problem(dt.date(2022, 6, 30), until, 2021) is None
    assert spend_window_problem(dt.date(2030, 1, 1), None, 2021) is None
    assert spend_window_problem(None, until, 2021) is None
    assert "tot en met 30 juni 2022" in (
        spend_window_problem(dt.date(2022, 7, 1), until, 2021) or ""
    )


async def test_set_not_before_the_year_nor_before_a_committed_project(year: Year) -> None:
    actor = await year.actor()
    with pytest.raises(LedgerRefused, match="minstens dat hele jaar"):
        await sisa.set_spend_until(actor, year.network, year.budget_year, dt.date(2021, 12, 30))
    await granted_project(
        year, start=dt.date(2021, 1, 1), end=dt.date(2022, 9, 30), region=None, title="Lang"
    )
    with pytest.raises(LedgerRefused, match=r"Lang \(tot"):
        await sisa.set_spend_until(actor, year.network, year.budget_year, dt.date(2022, 6, 30))
    await sisa.set_spend_until(actor, year.network, year.budget_year, dt.date(2022, 12, 31))


async def test_money_for_a_project_beyond_the_window_is_refused(year: Year) -> None:
    project, officer_a, _ = await setting(year)  # ends 31-12-2021
    actor = await year.actor()
    await sisa.set_spend_until(actor, year.network, year.budget_year, dt.date(2022, 6, 30))
    projects = await Project.count()
    with pytest.raises(LedgerRefused, match="mag besteed worden tot en met 30 juni 2022"):
        await granted_project(year, start=dt.date(2021, 1, 1), end=dt.date(2022, 7, 1), region=None)
    with pytest.raises(LedgerRefused, match="mag besteed worden"):
        await _allocate(year, 100, end_date=dt.date(2022, 7, 1))
    assert await Project.count() == projects
    with pytest.raises(LedgerRefused, match="mag besteed worden"):
        await ask_and_decide(
            year,
            officer_a,
            project,
            kind=changes.ChangeKind.period,
            new_end_date=dt.date(2022, 7, 1),
        )
    await ask_and_decide(
        year, officer_a, project, kind=changes.ChangeKind.period, new_end_date=dt.date(2022, 6, 30)
    )


async def test_the_year_page(client, year: Year) -> None:
    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    await as_user(client, year.coordinator)
    base = f"/n/{slug}/begroting/{year.budget_year}"
    assert "niet vastgelegd" in (await client.get(base)).text
    refused = await post_form(client, f"{base}/besteden-tot", {"spend_until": "2021-06-30"})
    assert "minstens dat hele jaar" in (await client.get(refused.headers["location"])).text
    await post_form(client, f"{base}/besteden-tot", {"spend_until": "2022-06-30"})
    assert 'data-spend-until="2022-06-30"' in (await client.get(base)).text
