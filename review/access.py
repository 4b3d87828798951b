"""How the review domain relates a person to a proposal: an assigned reviewer without a
conflict of interest with it (own region, own organisation, or one they declared)."""

from __future__ import annotations

from piccolo.query import Select

from portal.accounts.principal import Principal
from portal.lib.compiled import Shaped, compiled
from proposals.access import ActorProvider, register_actor_provider
from proposals.rows import ProposalRow
from proposals.rules import Actor
from review import queries
from review.tables import Review


@compiled()
def _assigned_query(user_id: int, proposal_id: int) -> Select:
    return (
        Review.select(Review.id)
        .where((Review.proposal == proposal_id) & (Review.reviewer == user_id))
        .limit(1)
    )


def assigned_query(principal: Principal, proposal_id: int) -> Shaped:
    return _assigned_query(principal.user_id, proposal_id)


async def reviewer_actor(
    principal: Principal, proposal: ProposalRow, assigned: list[dict]
) -> set[Actor]:
    """{Actor.reviewer} for an assigned reviewer without a conflict, else nothing: a conflict
    closes the proposal page, its attachments, versions and print view, and its questions
    for that reviewer, whatever they did before it arose."""
    if not assigned:
        return set()
    conflicts = await queries.conflicts_of_reviewer(
        principal.user_id, proposal["network"], [proposal]
    )
    return set() if conflicts else {Actor.reviewer}


def register() -> None:
    register_actor_provider(ActorProvider(assigned_query, reviewer_actor))
