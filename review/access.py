"""How the review domain relates a person to a proposal: an assigned reviewer without a
conflict of interest with it (own region, own organisation, or one they declared)."""

from __future__ import annotations

from portal.accounts.principal import Principal
from proposals.access import register_actor_provider
from proposals.rows import ProposalRow
from proposals.rules import Actor
from review import queries
from review.tables import Review


async def reviewer_actor(principal: Principal, proposal: ProposalRow) -> set[Actor]:
    """{Actor.reviewer} for an assigned reviewer without a conflict, else nothing: a conflict
    closes the proposal page, its attachments, versions and print view, and its questions
    for that reviewer, whatever they did before it arose."""
    assigned = await Review.exists().where(
        (Review.proposal == proposal["id"]) & (Review.reviewer == principal.user_id)
    )
    if not assigned:
        return set()
    conflicts = await queries.conflicts_of_reviewer(
        principal.user_id, proposal["network"], [proposal]
    )
    return set() if conflicts else {Actor.reviewer}


def register() -> None:
    register_actor_provider(reviewer_actor)
