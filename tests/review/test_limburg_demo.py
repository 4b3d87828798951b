"""Limburg in the demo runs its own procedure (issue 16): its criteria set and decision route,
a round that keeps that set, proposals in every state, and a grant decided through its route
and booked in its own budget. On both databases."""

from __future__ import annotations

from ledger.books.tables import Entry, Project
from portal.accounts.tables import Network
from portal.lib.db import required
from proposals.criteria import from_json
from proposals.tables import Proposal, Round
from review.queries import route_of
from review.tables import Advice, Decision, Review


async def test_limburg_runs_its_own_procedure(database, settings) -> None:
    from portal.demo import load_demo_data

    await load_demo_data(settings)
    limburg = required(await Network.select().where(Network.slug == "limburg").first())
    assert [c.code for c in from_json(limburg["criteria"])] == ["V1", "V2", "V3", "V4", "B1"]
    route = await route_of(limburg["id"])
    assert [s.name for s in route.advice] == [
        "Projectgroep expertisecentrum",
        "Ambtelijk overleg jeugdzorgregio's",
    ]
    assert "bestuurlijk overleg" in route.decider
    (round_row,) = await Round.select().where(Round.network == limburg["id"])
    assert [c.code for c in from_json(round_row["criteria"])] == ["V1", "V2", "V3", "V4", "B1"]

    proposals = await Proposal.select(Proposal.id, Proposal.state, Proposal.title).where(
        Proposal.network == limburg["id"]
    )
    assert {p["state"] for p in proposals} == {
        "draft",
        "ready",
        "submitted",
        "in_review",
        "granted",
    }
    (granted,) = [p for p in proposals if p["state"] == "granted"]
    # Scored on Limburg's set, advised by its bodies, decided and booked in Limburg's 2022.
    review = required(
        await Review.select(Review.scores)
        .where(Review.proposal == granted["id"])
        .output(load_json=True)
        .first()
    )
    assert set(review["scores"]) == {"V1", "V2", "V3", "V4", "B1"}
    bodies = [
        a["body"] for a in await Advice.select(Advice.body).where(Advice.proposal == granted["id"])
    ]
    assert [route.names()[b] for b in bodies] == [s.name for s in route.advice]
    assert await Decision.exists().where(Decision.proposal == granted["id"])
    project = required(
        await Project.select(Project.id, Project.network)
        .where(Project.proposal_id == granted["id"])
        .first()
    )
    assert project["network"] == limburg["id"]
    commitment = required(
        await Entry.select(Entry.amount_cents)
        .where((Entry.project == project["id"]) & (Entry.kind == "commitment"))
        .first()
    )
    assert commitment["amount_cents"] == 9_500_000
