"""Demo data of the review domain: the submitted demo proposal is in review with the demo AO
member and expert-team chair assigned, and the round has a review deadline."""

from __future__ import annotations

import datetime as dt

from portal.accounts.tables import Network, User
from portal.demo.proposals import _principal
from portal.lib import clock
from portal.lib.db import required
from portal.lib.settings import Settings
from proposals import queries as proposal_queries
from proposals import services as proposal_services
from proposals.tables import Proposal
from review import services


async def load(settings: Settings) -> None:
    network = required(await Network.select().where(Network.slug == "zuid-west").first())
    coordinator = await _principal("coordinator@example.org")
    submitted = (
        await Proposal.select()
        .where(
            (Proposal.network == network["id"])
            & (Proposal.state == "submitted")
            & (Proposal.title == "Doorlopende lijn na detentie")
        )
        .first()
    )
    if submitted is None:
        return
    await proposal_services.set_review_settings(
        coordinator, network["id"], submitted["round"], clock.now() + dt.timedelta(days=45), 2
    )
    for email in ("ao@example.org", "voorzitter@example.org"):
        reviewer = required(await User.select(User.id).where(User.email == email).first())
        proposal = required(await proposal_queries.proposal_row(network["id"], submitted["id"]))
        proposal["review_deadline"] = clock.now() + dt.timedelta(days=45)
        await services.assign(coordinator, proposal, reviewer["id"], settings)
