"""The coordinator's start page counts the reviews of each proposal under review in SQL
(`review.worklist.in_review_counts_query`, plain SQL): the same rows as reading the proposals
and their reviews with Piccolo and counting in Python, as the page did before. Both
databases."""

from __future__ import annotations

from collections import Counter

from piccolo.engine.base import Engine

from portal.lib.together import read_alone, together
from proposals.tables import Proposal
from review.tables import Review
from review.worklist import _IN_REVIEW, in_review_counts_query
from tests.proposals.conftest import Zuidwest


async def counted_with_piccolo(network_id: int) -> list[dict]:
    in_review = (Proposal.network == network_id) & Proposal.state.is_in(list(_IN_REVIEW))
    proposals = (
        await Proposal.select(
            Proposal.id, Proposal.title, Proposal.round, Proposal.state, Proposal.version
        )
        .where(in_review)
        .order_by(Proposal.id)
    )
    reviews = await Review.select(Review.proposal, Review.version, Review.state).where(
        Review.proposal.is_in(Proposal.select(Proposal.id).where(in_review))
    )
    version = {p["id"]: p["version"] for p in proposals}
    current = [r for r in reviews if r["version"] == version[r["proposal"]]]
    assigned = Counter(r["proposal"] for r in current)
    done = Counter(r["proposal"] for r in current if r["state"] == "submitted")
    return [
        {
            "id": p["id"],
            "title": p["title"],
            "round": p["round"],
            "state": p["state"],
            "reviews": assigned[p["id"]],
            "done": done[p["id"]],
        }
        for p in proposals
    ]


async def test_the_counts_are_piccolo_s(
    zw: Zuidwest, reviewers: dict[str, int], database: Engine
) -> None:
    none = await zw.proposal(state="submitted", title="Zonder beoordelaars")
    half = await zw.proposal(state="submitted", title="Half binnen")
    again = await zw.proposal(state="submitted", title="Tweede versie")
    draft = await zw.proposal(title="Concept")  # not under review: not listed
    await Proposal.update({Proposal.state: "in_review"}).where(Proposal.id == half)
    await Proposal.update({Proposal.version: 2}).where(Proposal.id == again)
    await Review.insert(
        Review(proposal=half, reviewer=reviewers["ao_b"], state="submitted"),
        Review(proposal=half, reviewer=reviewers["chair_b"], state="draft"),
        Review(proposal=half, reviewer=reviewers["ao_c"], state="assigned"),
        # Of the first version: not counted for the second.
        Review(proposal=again, reviewer=reviewers["ao_b"], version=1, state="submitted"),
        Review(proposal=again, reviewer=reviewers["chair_b"], version=2, state="submitted"),
        Review(proposal=draft, reviewer=reviewers["ao_b"], state="assigned"),
    )
    expected = await counted_with_piccolo(zw.network)
    assert [(r["id"], r["reviews"], r["done"]) for r in expected] == [
        (none, 0, 0),
        (half, 3, 1),
        (again, 1, 1),
    ]
    alone = await read_alone(in_review_counts_query(zw.network))
    assert [{**r, "reviews": int(r["reviews"]), "done": int(r["done"])} for r in alone] == expected
    assert (await together(rows=in_review_counts_query(zw.network)))["rows"] == expected
    assert await read_alone(in_review_counts_query(zw.network + 1000)) == []


async def test_the_rounds_overview_counts_submitted_proposals_and_all_their_reviews(
    zw: Zuidwest, reviewers: dict[str, int], database: Engine
) -> None:
    from review.counts import rounds_with_counts

    half = await zw.proposal(state="submitted", title="Half binnen")
    again = await zw.proposal(state="submitted", title="Tweede versie")
    gone = await zw.proposal(state="submitted", title="Ingetrokken")
    draft = await zw.proposal(title="Concept")  # never submitted: not counted
    await Proposal.update({Proposal.state: "withdrawn"}).where(Proposal.id == gone)
    await Review.insert(
        Review(proposal=half, reviewer=reviewers["ao_b"], state="submitted"),
        Review(proposal=half, reviewer=reviewers["chair_b"], state="draft"),
        # The overview counts every version's reviews (the start page only the current one's).
        Review(proposal=again, reviewer=reviewers["ao_b"], version=1, state="submitted"),
        Review(proposal=again, reviewer=reviewers["chair_b"], version=2, state="assigned"),
        Review(proposal=gone, reviewer=reviewers["ao_c"], state="submitted"),
        Review(proposal=draft, reviewer=reviewers["ao_b"], state="assigned"),
    )
    (only,) = await rounds_with_counts(zw.network)
    assert only["id"] == zw.round
    assert (only["proposal_count"], only["review_count"], only["submitted_count"]) == (2, 4, 2)
    assert await rounds_with_counts(zw.network + 1000) == []
