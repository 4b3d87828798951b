"""The SiSa deadline of a budget year (15 July of T+1): on the deadlines page of the coordinator
and the auditor, recorded once when handed in, and reminded to the coordinators until then."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger.books.booking import LedgerRefused
from ledger.books.deadlines import reminder_keys, sisa_due_date
from ledger.projects import sisa
from portal.accounts.reminders import send_due
from portal.accounts.tables import Network, OutboxMessage, Role
from tests import factories
from tests.ledger.conftest import Year
from tests.ledger.test_ledger_pages import as_user
from tests.web import post_form


def test_due_date_and_reminder_keys_of_their_own() -> None:
    assert sisa_due_date(2021) == dt.date(2022, 7, 15)
    due = sisa_due_date(2021)
    assert reminder_keys(7, due, dt.date(2022, 6, 20), prefix="sisa") == [("sisa-ahead:7", "ahead")]
    assert reminder_keys(7, due, dt.date(2022, 7, 29), prefix="sisa") == [("sisa-late:7:2", "late")]


async def test_recorded_once_after_the_year(year: Year) -> None:
    actor = await year.actor()
    with pytest.raises(LedgerRefused, match="na afloop van het jaar"):
        await sisa.mark_submitted(actor, year.network, year.budget_year, dt.date(2021, 12, 1), "")
    with pytest.raises(LedgerRefused, match="bestaat niet"):
        await sisa.mark_submitted(
            actor, year.network + 1, year.budget_year, dt.date(2022, 7, 1), ""
        )
    await sisa.mark_submitted(actor, year.network, year.budget_year, dt.date(2022, 7, 1), "S-1")
    with pytest.raises(LedgerRefused, match="al vastgelegd"):
        await sisa.mark_submitted(actor, year.network, year.budget_year, dt.date(2022, 7, 2), "")
    (row,) = await sisa.deadlines_of(year.network, dt.date(2022, 8, 1))
    assert (row["sisa_submitted_on"], row["status"]) == (dt.date(2022, 7, 1), "received")


async def test_coordinators_are_reminded_until_it_is_recorded(year: Year) -> None:
    sisa.register_sisa_reminders()
    before = await OutboxMessage.count()
    assert await send_due(dt.datetime(2022, 6, 20, 9, tzinfo=dt.UTC), "http://testserver") >= 1
    mails = await OutboxMessage.select(OutboxMessage.subject).where(
        OutboxMessage.subject.like("%SiSa%")
    )
    assert [m["subject"] for m in mails] == ["Herinnering: SiSa-verantwoording binnenkort (2021)"]
    assert await send_due(dt.datetime(2022, 6, 21, 9, tzinfo=dt.UTC), "http://testserver") == 0
    await sisa.mark_submitted(
        await year.actor(), year.network, year.budget_year, dt.date(2022, 7, 1), ""
    )
    await send_due(dt.datetime(2022, 7, 29, 9, tzinfo=dt.UTC), "http://testserver")
    assert await OutboxMessage.count() == before + 1


async def test_the_deadlines_page(client, year: Year) -> None:
    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    region = await factories.region(year.network)
    officer = await factories.member(year.network, Role.region_officer, region_id=region)
    await as_user(client, officer)
    assert 'data-group="sisa"' not in (await client.get(f"/n/{slug}/verantwoording")).text
    await as_user(client, year.coordinator)
    page = await client.get(f"/n/{slug}/verantwoording")
    assert 'data-sisa-year="2021"' in page.text and "vóór 15 juli 2022" in page.text
    future = await post_form(
        client, f"/n/{slug}/begroting/{year.budget_year}/sisa", {"submitted_on": "2099-01-01"}
    )
    assert "niet in de toekomst" in (await client.get(future.headers["location"])).text
    done = await post_form(
        client,
        f"/n/{slug}/begroting/{year.budget_year}/sisa",
        {"submitted_on": "2022-07-01", "reference": "S-1"},
    )
    assert done.status_code == 303
    page = await client.get(f"/n/{slug}/verantwoording")
    assert "ingediend op 1 juli 2022 (S-1)" in page.text
