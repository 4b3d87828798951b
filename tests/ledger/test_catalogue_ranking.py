"""The projectenbank's search with words and no list filter is counted, sorted and paged in the
database (`catalogue._ranked_page`): the same page and count as sorting every match in Python
(`catalogue._page_in_python`, still the way for the list filters and for no words). Both
databases."""

from __future__ import annotations

import pytest

from ledger.books.tables import CatalogueEntry
from ledger.projects import catalogue
from ledger.projects.catalogue import Filters
from tests import factories
from tests.ledger.conftest import Year, make_year
from tests.ledger.test_catalogue import project

TITLES = [
    "Wachtlijst",  # the exact title: first, whatever its rank
    "Wachtlijstbrug wachtlijst wachtlijsten aanpak",  # many matches: the highest rank
    "Aanpak van de wachtlijst in de GGZ",
    "Aanpak van de wachtlijst in de GGZ",  # the same title: the same rank, by year
    "Kortere wachtlijsten jeugd-GGZ",
    "Zorg zonder wachtlijst",
    "aanpak wachtlijst",  # lower case sorts after capitals, as in Python
    "Kleinschalige woonvormen",  # no match
]


@pytest.fixture
async def entries(year: Year) -> Year:
    for i, title in enumerate(TITLES):
        await project(year, title, theme_offset=i % 2)
    # Years and a status apart, so that the newest year and the filters have something to do.
    ids = [
        r["id"] for r in await CatalogueEntry.select(CatalogueEntry.id).order_by(CatalogueEntry.id)
    ]
    for i, entry_id in enumerate(ids):
        await CatalogueEntry.update(
            {
                CatalogueEntry.year: 2021 - i % 3,
                CatalogueEntry.status: "afgerond" if i % 4 else "lopend",
            }
        ).where(CatalogueEntry.id == entry_id)
    return year


async def _both(network_id: int, query: str, filters: Filters, page: int, per_page: int):
    in_db = await catalogue._ranked_page(network_id, query, filters, page, per_page)
    in_python = await catalogue._page_in_python(network_id, query, filters, page, per_page)
    return in_db, in_python


@pytest.mark.parametrize(
    "query", ["wachtlijst", "wachtlijsten aanpak", "GGZ", "onbekendwoord", "de"]
)
async def test_pages_and_counts_are_python_s(entries: Year, query: str) -> None:
    for per_page in (2, 3, 20):
        for page in (1, 2, 3, 7):
            in_db, in_python = await _both(entries.network, query, Filters(), page, per_page)
            assert in_db == in_python, (query, per_page, page)


async def test_the_scalar_filters_are_applied_in_the_database(entries: Year) -> None:
    themes = sorted(
        {r["theme_name"] for r in await CatalogueEntry.select(CatalogueEntry.theme_name)}
    )
    assert len(themes) == 2
    for filters in [
        Filters(theme=themes[0]),
        Filters(year=2020),
        Filters(status="lopend"),
        Filters(theme=themes[1], year=2019, status="afgerond"),
        Filters(year=1999),
    ]:
        in_db, in_python = await _both(entries.network, "wachtlijst", filters, 1, 20)
        assert in_db == in_python, filters
    everything, _ = await _both(entries.network, "wachtlijst", Filters(), 1, 20)
    filtered, _ = await _both(entries.network, "wachtlijst", Filters(year=2020), 1, 20)
    assert 0 < filtered[1] < everything[1]


async def test_exact_title_first_and_another_network_s_entries_unseen(entries: Year) -> None:
    other = await make_year(2021, network=await factories.network(slug="elders"))
    await project(other, "Wachtlijst elders")
    (ids, total), _ = await _both(entries.network, "wachtlijst", Filters(), 1, 20)
    found = {
        r["id"]: r["title"]
        for r in await CatalogueEntry.select(CatalogueEntry.id, CatalogueEntry.title)
    }
    assert found[ids[0]] == "Wachtlijst"
    assert total == len(TITLES) - 1 and "Wachtlijst elders" not in {found[i] for i in ids}
    # Once shared (through the service, which keeps the search's scope), it is found too.
    elsewhere = (
        await CatalogueEntry.select(CatalogueEntry.id)
        .where(CatalogueEntry.network == other.network)
        .first()
    )
    await CatalogueEntry.update({CatalogueEntry.status: "finished"}).where(
        CatalogueEntry.id == elsewhere["id"]
    )
    assert (
        await catalogue.set_shared(await other.actor(), other.network, elsewhere["id"], True)
        is None
    )
    (ids, total), in_python = await _both(entries.network, "wachtlijst", Filters(), 1, 20)
    assert (ids, total) == in_python
    assert total == len(TITLES) and elsewhere["id"] in ids
