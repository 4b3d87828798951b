"""The SPUK workbook names the Uitvoerder of every project: the recipient of an allocation,
the lead organisation of a grant's proposal, or else the project's youth region."""

from __future__ import annotations

import datetime as dt

from ledger.projects import spuk
from tests import factories
from tests.ledger.conftest import Year
from tests.ledger.test_allocations import _allocate
from tests.ledger.test_ledger_pages import granted_project
from tests.proposals.conftest import zw  # noqa: F401 (a fixture)


async def test_every_project_has_its_uitvoerder(year: Year) -> None:
    region = await factories.region(year.network, "Haaglanden")
    grant = await granted_project(
        year, start=dt.date(2021, 1, 1), end=dt.date(2021, 12, 31), region=region
    )
    allocation = await _allocate(year, 100_000)
    lines = {p.id: p for p in (await spuk.gather(year.network, 2021)).projects}
    assert lines[grant["id"]].recipient == "Haaglanden"
    assert lines[allocation].recipient == "Gemeente Rotterdam"
    assert all(p.recipient for p in lines.values())


async def test_a_grant_is_carried_out_by_its_lead_organisation(zw) -> None:  # noqa: F811
    from ledger.books import services
    from portal.accounts.tables import Organisation
    from proposals.tables import Proposal
    from tests.proposals.conftest import principal

    proposal_id = await zw.proposal()
    await Proposal.update({Proposal.lead_organisation: zw.org_x}).where(Proposal.id == proposal_id)
    project_id = await services.commit_grant(
        await principal(zw.coordinator),
        network_id=zw.network,
        budget_year_id=zw.budget_year,
        theme_id=zw.themes[0],
        proposal_id=proposal_id,
        title="Wachtlijstbrug",
        region_id=zw.region_a,
        start_date=dt.date(2021, 9, 1),
        end_date=dt.date(2021, 12, 31),
        amount_cents=100_000,
        decision_reference="B-1",
        decision_date=dt.date(2021, 11, 1),
    )
    (organisation,) = await Organisation.select(Organisation.name).where(
        Organisation.id == zw.org_x
    )
    (line,) = [p for p in (await spuk.gather(zw.network, 2021)).projects if p.id == project_id]
    assert line.recipient == organisation["name"]
