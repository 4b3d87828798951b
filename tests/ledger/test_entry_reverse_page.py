"""Correcting an entry on a page of its own: the entry, what a correction does, and the form;
a refused correction comes back with the reason as typed; once corrected, no second form.
The entries page links each row there instead of carrying fifty forms."""

from __future__ import annotations

import datetime as dt

import httpx

from ledger.books.booking import REASON_LIMIT
from ledger.books.tables import Entry
from portal.accounts.tables import Network, Role
from tests import factories
from tests.ledger.conftest import Year, make_year
from tests.ledger.test_ledger_pages import as_user, granted_project
from tests.web import post_form


async def _commitment(year: Year) -> tuple[str, int, str]:
    """A granted project's commitment: the network's slug, the entry and its correction page."""
    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    region = await factories.region(year.network, "Midden-Holland")
    project = await granted_project(
        year, start=dt.date(2021, 9, 1), end=dt.date(2021, 12, 31), region=region
    )
    entry = (
        await Entry.select(Entry.id)
        .where((Entry.project == project["id"]) & (Entry.kind == "commitment"))
        .first()
    )
    page_url = f"/n/{slug}/begroting/{year.budget_year}/mutaties/{entry['id']}/corrigeren"
    return slug, entry["id"], page_url


async def test_the_entries_page_links_each_row_to_its_correction_page(
    client: httpx.AsyncClient, year: Year
) -> None:
    slug, entry_id, page_url = await _commitment(year)
    await as_user(client, year.coordinator)
    entries = await client.get(f"/n/{slug}/begroting/{year.budget_year}/mutaties")
    assert entries.status_code == 200
    assert f'href="{page_url}"' in entries.text
    assert '<form method="post"' not in entries.text  # no form per row any more
    page = await client.get(page_url)
    assert page.status_code == 200
    assert f"Boeking {entry_id} corrigeren" in page.text
    assert "Correctieboeking maken" in page.text and "€ 10.000,00" in page.text


async def test_a_refused_correction_keeps_the_reason_and_books_nothing(
    client: httpx.AsyncClient, year: Year
) -> None:
    _, entry_id, page_url = await _commitment(year)
    await as_user(client, year.coordinator)
    empty = await post_form(client, page_url, {"reason": "   "})
    assert empty.status_code == 422
    assert "Een correctieboeking heeft een reden nodig." in empty.text
    assert 'id="veld-reason-fout"' in empty.text
    long_reason = "Dubbel geboekt " + "x" * REASON_LIMIT
    too_long = await post_form(client, page_url, {"reason": long_reason})
    assert too_long.status_code == 422
    assert long_reason in too_long.text  # all of it, not cut
    assert await Entry.count().where(Entry.reverses == entry_id) == 0


async def test_a_correction_books_once_and_then_the_form_is_gone(
    client: httpx.AsyncClient, year: Year
) -> None:
    slug, entry_id, page_url = await _commitment(year)
    await as_user(client, year.coordinator)
    done = await post_form(client, page_url, {"reason": "Dubbel geboekt"})
    assert done.status_code == 303
    assert done.headers["location"].endswith(f"/begroting/{year.budget_year}/mutaties")
    assert await Entry.count().where(Entry.reverses == entry_id) == 1
    again = await client.get(page_url)
    assert "Deze boeking is al gecorrigeerd." in again.text
    assert "Correctieboeking maken" not in again.text
    reversal = await Entry.select(Entry.id).where(Entry.reverses == entry_id).first()
    of_reversal = await client.get(
        f"/n/{slug}/begroting/{year.budget_year}/mutaties/{reversal['id']}/corrigeren"
    )
    assert "kan niet worden gecorrigeerd" in of_reversal.text
    assert "Correctieboeking maken" not in of_reversal.text


async def test_only_the_coordinator_of_the_entry_s_network(
    client: httpx.AsyncClient, year: Year
) -> None:
    _, entry_id, page_url = await _commitment(year)
    auditor = await factories.member(year.network, Role.auditor)
    await as_user(client, auditor)
    assert (await client.get(page_url)).status_code == 403
    # Another network's coordinator, on their own year's address with this entry's number.
    other = await make_year(2021, network=await factories.network(slug="elders"))
    await as_user(client, other.coordinator)
    foreign = f"/n/elders/begroting/{other.budget_year}/mutaties/{entry_id}/corrigeren"
    assert (await client.get(foreign)).status_code == 404
    refused = await post_form(client, foreign, {"reason": "Niet van mij"})
    assert refused.status_code in (404, 422)
    assert await Entry.count().where(Entry.reverses == entry_id) == 0


async def test_only_through_the_address_of_the_entry_s_own_year(
    client: httpx.AsyncClient, year: Year
) -> None:
    slug, entry_id, _ = await _commitment(year)
    later = await make_year(2022, network=year.network, coordinator=year.coordinator)
    await as_user(client, year.coordinator)
    elsewhere = f"/n/{slug}/begroting/{later.budget_year}/mutaties/{entry_id}/corrigeren"
    assert (await client.get(elsewhere)).status_code == 404
    assert (await post_form(client, elsewhere, {"reason": "Via een ander jaar"})).status_code == 404
    assert await Entry.count().where(Entry.reverses == entry_id) == 0
