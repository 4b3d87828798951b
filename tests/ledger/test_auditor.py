"""The auditor (the coordinating municipality's accountant): reads one network's books,
projects, reports, letters, audit log and exports, with two-factor log-in, and writes nothing."""

from __future__ import annotations

import datetime as dt

from ledger.books.tables import Entry
from portal.accounts import totp
from portal.accounts.tables import Network, Role
from tests import factories
from tests.ledger.conftest import Year
from tests.ledger.test_ledger_pages import as_user, granted_project
from tests.web import post_form


def test_an_auditor_logs_in_with_two_factor() -> None:
    assert totp.required_for([Role.auditor])


async def test_reads_everything_of_the_books_and_changes_nothing(client, year: Year) -> None:
    project = await granted_project(
        year, start=dt.date(2021, 1, 1), end=dt.date(2021, 12, 31), region=None
    )
    auditor = await factories.member(year.network, Role.auditor, email="accountant@example.org")
    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    await as_user(client, auditor)
    home = await client.get(f"/n/{slug}/begroting/{year.budget_year}")
    assert home.status_code == 200
    assert "Herschikken" not in home.text and "rechtstreeks toewijzen" not in home.text
    for label in ("Begroting", "Verantwoording", "Betaalverzoeken", "Wijzigingen", "Logboek"):
        assert f">{label}</a>" in home.text, label
    page = await client.get(f"/n/{slug}/begroting/projecten/{project['id']}")
    assert page.status_code == 200
    assert "Betaling boeken" not in page.text and 'data-figure="committed"' in page.text
    entries = await client.get(f"/n/{slug}/begroting/{year.budget_year}/mutaties")
    assert entries.status_code == 200 and "Correctieboeking maken" not in entries.text
    workbook = await client.get(f"/n/{slug}/begroting/{year.budget_year}/spuk.xlsx")
    assert workbook.status_code == 200
    assert "no-store" in workbook.headers["cache-control"]
    log = await client.get(f"/n/{slug}/logboek")
    assert log.status_code == 200 and "Verplichting" in log.text
    booked = await Entry.count()
    paid = await post_form(
        client,
        f"/n/{slug}/begroting/projecten/{project['id']}/betalen",
        {"kind": "advance_payment", "amount": "100,00", "document_reference": "X"},
    )
    assert paid.status_code == 403
    assert await Entry.count() == booked
    assert (await client.get(f"/n/{slug}/begroting/{year.budget_year}/indelen")).status_code == 403


async def test_only_their_own_network(client, year: Year) -> None:
    elsewhere = await factories.network(slug="elders")
    auditor = await factories.member(elsewhere, Role.auditor, email="accountant@example.org")
    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    await as_user(client, auditor)
    assert (await client.get(f"/n/{slug}/begroting/{year.budget_year}")).status_code == 404
    assert (await client.get(f"/n/{slug}/logboek")).status_code == 404
