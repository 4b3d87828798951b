"""Object-level access to proposals: who relates to a proposal how, and who may see it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from portal.accounts.principal import Principal
from portal.accounts.tables import Role
from proposals.rows import ProposalRow
from proposals.rules import Actor
from proposals.tables import ProposalAuthor

# States a region officer sees: once the authors hand the proposal to the region.
REGION_VISIBLE = frozenset(
    {"ready", "submitted", "in_review", "advised", "granted", "rejected", "withdrawn"}
)

# Other domains say how else a person relates to a proposal (the review domain: an assigned
# reviewer), without this domain importing theirs.
ActorProvider = Callable[[Principal, ProposalRow], Awaitable[set[Actor]]]
ACTOR_PROVIDERS: list[ActorProvider] = []


def register_actor_provider(provider: ActorProvider) -> None:
    if provider not in ACTOR_PROVIDERS:
        ACTOR_PROVIDERS.append(provider)


async def actors_for(principal: Principal, proposal: ProposalRow) -> set[Actor]:
    actors: set[Actor] = set()
    if await ProposalAuthor.exists().where(
        (ProposalAuthor.proposal == proposal["id"]) & (ProposalAuthor.user == principal.user_id)
    ):
        actors.add(Actor.author)
    network_id = proposal["network"]
    if proposal["region"] in principal.region_ids(network_id, Role.region_officer):
        actors.add(Actor.region_officer)
    if principal.has_role(network_id, Role.coordinator):
        actors.add(Actor.coordinator)
    for provider in ACTOR_PROVIDERS:
        actors |= await provider(principal, proposal)
    return actors


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
