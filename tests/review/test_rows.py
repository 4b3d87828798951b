"""The proposal's and the review's queries return rows of the types they declare."""

from __future__ import annotations

from portal.lib.db import required
from proposals import queries as proposal_queries
from proposals.rows import ProposalRow
from review import queries
from review.rows import ReviewRow
from review.tables import Review
from tests.proposals.conftest import Zuidwest
from tests.test_rows import fits


async def test_the_proposal_and_review_rows_have_their_declared_keys(
    zw: Zuidwest, reviewers: dict[str, int]
) -> None:
    proposal_id = await zw.proposal(state="submitted")
    proposal = required(await proposal_queries.proposal_row(zw.network, proposal_id))
    fits(proposal, ProposalRow)
    review = await Review.insert(Review(proposal=proposal_id, reviewer=reviewers["ao_b"]))
    fits(required(await queries.review_row(review[0]["id"])), ReviewRow)
    (listed,) = await queries.reviews_of(proposal_id, proposal["version"])
    fits(listed, ReviewRow)
    fits(
        (await queries.reviews_by_proposal([proposal_id]))[proposal_id][0],
        ReviewRow,
    )
