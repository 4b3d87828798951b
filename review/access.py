"""How the review domain relates a person to a proposal: an assigned, unconflicted reviewer."""

from __future__ import annotations

from portal.principal import Principal
from proposals.access import register_actor_provider
from proposals.rules import Actor
from review.tables import ConflictDeclaration, Review


async def reviewer_actor(principal: Principal, proposal: dict) -> set[Actor]:
    assigned = await Review.exists().where(
        (Review.proposal == proposal["id"]) & (Review.reviewer == principal.user_id)
    )
    if not assigned:
        return set()
    conflicted = await ConflictDeclaration.exists().where(
        (ConflictDeclaration.proposal == proposal["id"])
        & (ConflictDeclaration.reviewer == principal.user_id)
    )
    return set() if conflicted else {Actor.reviewer}


def register() -> None:
    register_actor_provider(reviewer_actor)
