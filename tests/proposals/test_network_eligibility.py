"""A network's own eligibility settings (issue 16), on the page and in every proposal's
checklist: a blocking procurement-policy rule stops submitting; on both databases."""

from __future__ import annotations

from portal.accounts.tables import Network
from portal.lib.db import required
from proposals import queries
from proposals.eligibility import DEFAULT_THRESHOLDS_CENTS, blocking_failures, checklist
from proposals.tables import Proposal
from tests.proposals.conftest import Zuidwest
from tests.review.test_review_pages import as_user
from tests.web import post_form


async def test_the_coordinator_makes_the_procurement_policy_block(client, zw: Zuidwest) -> None:
    await as_user(client, zw.coordinator)
    page = await client.get("/n/zuid-west/rondes/toetsing")
    assert page.status_code == 200 and "Past in het inkoopbeleid van de regio" in page.text
    refused = await post_form(client, "/n/zuid-west/rondes/toetsing", {"vierkant": "altijd"})
    assert refused.status_code == 422
    saved = await post_form(
        client, "/n/zuid-west/rondes/toetsing", {"procurement_policy": "block", "vierkant": "off"}
    )
    assert saved.status_code == 303
    network = required(
        await Network.select(Network.eligibility)
        .where(Network.id == zw.network)
        .output(load_json=True)
        .first()
    )
    assert network["eligibility"] == {"procurement_policy": "block", "vierkant": "off"}

    proposal_id = await zw.proposal(state="ready")
    await Proposal.update({Proposal.procurement_policy_fit: "no"}).where(Proposal.id == proposal_id)
    row = required(await queries.proposal_row(zw.network, proposal_id))
    checks = checklist(
        await queries.facts_for(row, row["round_opens_at"], DEFAULT_THRESHOLDS_CENTS)
    )
    assert [c.code for c in blocking_failures(checks) if c.code != "round_open"] == [
        "procurement_policy"
    ]
    assert "vierkant" not in {c.code for c in checks}
