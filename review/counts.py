"""What the coordinator's rounds overview counts: per round, the proposals under review and
their reviews assigned and submitted, counted in the database (a year of rounds holds thousands
of reviews) and read in one statement with the rounds."""

from __future__ import annotations

from piccolo.query import Select
from piccolo.query.functions.aggregate import Count

from portal.lib.compiled import compiled
from portal.lib.together import together
from proposals.queries import rounds_query
from proposals.tables import Proposal, ProposalState, Round
from review.tables import Review, ReviewState


@compiled()
def round_proposal_counts_query(network_id: int) -> Select:
    return (
        Proposal.select(Proposal.round, Count(alias="n"))
        .where(
            Proposal.round.is_in(Round.select(Round.id).where(Round.network == network_id))
            & Proposal.submitted_at.is_not_null()
            & (Proposal.state != ProposalState.withdrawn)
        )
        .group_by(Proposal.round)
    )


@compiled()
def round_review_counts_query(network_id: int) -> Select:
    return (
        Review.select(Review.proposal.round.as_alias("round"), Review.state, Count(alias="n"))
        .where(
            Review.proposal.round.is_in(Round.select(Round.id).where(Round.network == network_id))
            & Review.proposal.submitted_at.is_not_null()
            & (Review.proposal.state != ProposalState.withdrawn)
        )
        .group_by(Review.proposal.round, Review.state)
    )


async def rounds_with_counts(network_id: int) -> list[dict]:
    """The network's rounds, newest first, each with proposal_count, review_count and
    submitted_count."""
    read = await together(
        rounds=rounds_query(network_id),
        proposals=round_proposal_counts_query(network_id),
        reviews=round_review_counts_query(network_id),
    )
    rounds = read["rounds"]
    zero = {"proposal_count": 0, "review_count": 0, "submitted_count": 0}
    counts = {r["id"]: r | zero for r in rounds}
    for row in read["proposals"]:
        counts[row["round"]]["proposal_count"] = row["n"]
    for row in read["reviews"]:
        counts[row["round"]]["review_count"] += row["n"]
        if row["state"] == ReviewState.submitted:
            counts[row["round"]]["submitted_count"] += row["n"]
    return [counts[r["id"]] for r in rounds]
