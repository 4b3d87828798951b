"""Object-level access to proposals: who relates to a proposal how, and who may see it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from piccolo.query import Select

from portal.accounts.principal import Principal
from portal.accounts.tables import Role
from portal.lib.compiled import compiled
from portal.lib.together import Part, together
from proposals.rows import ProposalRow
from proposals.rules import Actor
from proposals.tables import ProposalAuthor

# States a region officer sees: once the authors hand the proposal to the region.
REGION_VISIBLE = frozenset(
    {"ready", "submitted", "in_review", "advised", "granted", "rejected", "withdrawn"}
)


@dataclass(frozen=True)
class ActorProvider:
    """How another domain relates a person to a proposal (the review domain: an assigned
    reviewer), without this domain importing theirs. `query` reads what it needs to know, in
    the same statement as the proposal itself; `decide` turns its rows into actors (and may
    read more, only when the rows say there is something to decide)."""

    query: Callable[[Principal, int], Part]
    decide: Callable[[Principal, ProposalRow, list[dict]], Awaitable[set[Actor]]]


ACTOR_PROVIDERS: list[ActorProvider] = []


def register_actor_provider(provider: ActorProvider) -> None:
    if provider not in ACTOR_PROVIDERS:
        ACTOR_PROVIDERS.append(provider)


@compiled()
def author_query(user_id: int, proposal_id: int) -> Select:
    return (
        ProposalAuthor.select(ProposalAuthor.id)
        .where((ProposalAuthor.proposal == proposal_id) & (ProposalAuthor.user == user_id))
        .limit(1)
    )


def actor_queries(principal: Principal, proposal_id: int) -> dict[str, Part]:
    """What says how `principal` relates to the proposal beyond their roles, for `together`."""
    return {
        "is_author": author_query(principal.user_id, proposal_id),
        **{
            f"provider_{i}": provider.query(principal, proposal_id)
            for i, provider in enumerate(ACTOR_PROVIDERS)
        },
    }


async def actors_from(
    principal: Principal, proposal: ProposalRow, read: dict[str, list[dict]]
) -> set[Actor]:
    """The actors, from the rows `actor_queries` read and the person's roles."""
    actors: set[Actor] = set()
    if read["is_author"]:
        actors.add(Actor.author)
    network_id = proposal["network"]
    if proposal["region"] in principal.region_ids(network_id, Role.region_officer):
        actors.add(Actor.region_officer)
    if principal.has_role(network_id, Role.coordinator):
        actors.add(Actor.coordinator)
    for i, provider in enumerate(ACTOR_PROVIDERS):
        actors |= await provider.decide(principal, proposal, read[f"provider_{i}"])
    return actors


async def actors_for(principal: Principal, proposal: ProposalRow) -> set[Actor]:
    read = await together(**actor_queries(principal, proposal["id"]))
    return await actors_from(principal, proposal, read)


def may_view(actors: set[Actor], proposal: ProposalRow) -> bool:
    if Actor.author in actors:
        return True
    if Actor.region_officer in actors and (
        proposal["state"] in REGION_VISIBLE and proposal["ready_at"] is not None
    ):
        return True
    # Coordinators and assigned reviewers see what a region has submitted; drafts belong to
    # their authors.
    return bool(actors & {Actor.coordinator, Actor.reviewer}) and (
        proposal["submitted_at"] is not None
    )


# The proposal lists (mijn / regio / alle): what each selects and its title.
SCOPES = {
    "mijn": ("mine", "Mijn voorstellen"),
    "regio": ("region", "Voorstellen van mijn regio"),
    "alle": ("all", "Alle voorstellen"),
}

# The role that opens each list.
LISTS = (("mijn", Role.applicant), ("regio", Role.region_officer), ("alle", Role.coordinator))


def available_lists(principal: Principal, network_id: int) -> list[str]:
    roles = principal.roles_in(network_id)
    return [key for key, role in LISTS if role in roles]


def list_scope(principal: Principal, network_id: int, requested: str | None) -> str:
    """The list a person gets for `?lijst=`: the one asked for if their roles open it, else
    their natural one (a coordinator all, a region officer their region's, else their own)."""
    available = available_lists(principal, network_id)
    if requested in available:
        return requested
    roles = principal.roles_in(network_id)
    if Role.coordinator in roles:
        natural = "alle"
    elif Role.region_officer in roles and Role.applicant not in roles:
        natural = "regio"
    else:
        natural = "mijn"
    return natural if natural in available else available[0]
