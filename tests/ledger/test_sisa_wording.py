"""The SiSa wording as the beheerder's setting: per year from which it applies, the nearest
earlier row for a year without its own, the built-in wording before any row."""

from __future__ import annotations

import pytest
from litestar.datastructures import FormMultiDict

from ledger.books.booking import LedgerRefused
from ledger.books.tables import SisaText
from ledger.projects import spuk
from ledger.projects.spuk import wording
from ledger.projects.spuk.data import SisaWording
from portal.accounts.tables import Role
from tests import factories
from tests.ledger.conftest import Year
from tests.ledger.test_ledger_pages import as_user
from tests.proposals.conftest import principal
from tests.web import post_form

FORM = {
    "from_year": "2025",
    "regulation": "Regeling specifieke uitkering jeugd 2025",
    "decision": "Beschikkingsnummer",
    "spending": "Besteding {year}",
    "cumulative": "Cumulatief tot en met {year}",
    "final": "Eindverantwoording Ja/Nee",
    "explanation": "Toelichting afwijking",
}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"from_year": "1999"}, "from_year"),
        ({"from_year": "٢٠٢٥"}, "from_year"),
        ({"regulation": ""}, "regulation"),
        ({"spending": "Besteding {jaar}"}, "spending"),
        ({"cumulative": "{year.__class__}"}, "cumulative"),
    ],
)
def test_each_wording_problem_on_its_field(changes: dict[str, str], field: str) -> None:
    parsed, errors = wording.parse_wording(FormMultiDict({**FORM, **changes}))
    assert parsed is None and list(errors) == [field]


async def superadmin() -> int:
    return await factories.member(
        None, Role.admin, user_id=await factories.user("alle@example.org", "Bea Beheer")
    )


async def test_the_nearest_earlier_row_or_the_built_in_wording(database) -> None:
    assert await wording.wording_for(2021) == spuk.sisa_wording(2021)
    actor = await principal(await superadmin())
    parsed, _ = wording.parse_wording(FormMultiDict(FORM))
    assert parsed is not None
    await wording.save(actor, *parsed)
    assert await wording.wording_for(2024) == spuk.sisa_wording(2024)
    assert (await wording.wording_for(2027)).regulation == FORM["regulation"]
    # Saving a year again replaces its row.
    await wording.save(actor, 2025, SisaWording(regulation="Nieuwe naam"))
    assert await SisaText.count() == 1
    assert (await wording.wording_for(2025)).regulation == "Nieuwe naam"


async def test_only_the_portals_beheerder(database, client) -> None:
    network = await factories.network(slug="zuid-west")
    network_admin = await factories.member(network, Role.admin)
    with pytest.raises(LedgerRefused, match="beheerder van het portaal"):
        await wording.save(await principal(network_admin), 2025, SisaWording(regulation="X"))
    await as_user(client, network_admin)
    assert (await client.get("/beheer/sisa")).status_code == 403
    await as_user(client, await superadmin())
    page = await client.get("/beheer/sisa")
    assert page.status_code == 200 and "ingebouwde teksten" in page.text
    refused = await post_form(client, "/beheer/sisa", {**FORM, "spending": "Besteding {jaar}"})
    assert refused.status_code == 422 and "Regeling specifieke uitkering jeugd 2025" in refused.text
    saved = await post_form(client, "/beheer/sisa", FORM)
    assert saved.status_code == 303
    page = await client.get("/beheer/sisa")
    assert 'data-from-year="2025"' in page.text


async def test_the_workbook_uses_the_setting(year: Year) -> None:
    await wording.save(await principal(await superadmin()), 2021, SisaWording(regulation="Eigen"))
    data = await spuk.gather(year.network, 2021)
    assert data.wording.regulation == "Eigen"
