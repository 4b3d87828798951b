"""What the proposal pages, and the pages of the domains above that show a proposal, take
from the request: the proposal of the path, if this person may see it, and the proposal list's
filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, NamedTuple, cast

from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter

from portal.accounts.deps import provide_network, provide_principal
from portal.accounts.principal import NetworkRef, Principal
from portal.lib.forms import clean, page_number, query_int
from portal.lib.together import together
from proposals import listing, queries
from proposals.access import actor_queries, actors_from, list_scope, may_view
from proposals.rows import ProposalRow
from proposals.rules import STATE_LABELS, Actor

NOT_FOUND = "Dit voorstel bestaat niet, of u heeft er geen toegang toe."


class SeenProposal(NamedTuple):
    """The proposal of the path and how the person asking relates to it."""

    proposal: ProposalRow
    actors: set[Actor]


async def find_proposal(principal: Principal, network_id: int, proposal_id: int) -> SeenProposal:
    """The proposal, if it is in this network and this person may see it; else 404, the same
    answer as for a proposal that does not exist."""
    # The proposal and how the person relates to it: one statement.
    read = await together(
        proposal=queries.proposal_row_query(network_id, proposal_id),
        **actor_queries(principal, proposal_id),
    )
    if not read["proposal"]:
        raise NotFoundException(NOT_FOUND)
    proposal = cast(ProposalRow, read["proposal"][0])
    actors = await actors_from(principal, proposal, read)
    if not may_view(actors, proposal):
        raise NotFoundException(NOT_FOUND)
    return SeenProposal(proposal, actors)


async def provide_proposal(
    principal: NamedDependency[Principal],
    network_ref: NamedDependency[NetworkRef],
    proposal_id: FromPath[int],
) -> SeenProposal:
    """The dependency `seen` of a handler under /voorstellen/{proposal_id}: the guard has
    already refused an id that is no number in range."""
    return await find_proposal(principal, network_ref.id, proposal_id)


async def load_proposal(request: Request, proposal_id: int) -> SeenProposal:
    """For handlers that have the request only (other domains' pages)."""
    return await find_proposal(provide_principal(request), provide_network(request).id, proposal_id)


@dataclass(frozen=True)
class ProposalList:
    """Which list (mijn / regio / alle) with which filters: the list page and its downloads."""

    scope: str
    filters: listing.ListFilter


def provide_list(
    principal: NamedDependency[Principal],
    network_ref: NamedDependency[NetworkRef],
    list_key: Annotated[str | None, QueryParameter(name="lijst")] = None,
    round_text: Annotated[str | None, QueryParameter(name="ronde")] = None,
    theme_text: Annotated[str | None, QueryParameter(name="thema")] = None,
    region_text: Annotated[str | None, QueryParameter(name="regio")] = None,
    state_text: Annotated[str | None, QueryParameter(name="status")] = None,
    search_text: Annotated[str | None, QueryParameter(name="zoek")] = None,
    page_text: Annotated[str | None, QueryParameter(name="pagina")] = None,
) -> ProposalList:
    # Numbers through the one parser: a mangled or huge value is no filter, never a query.
    return ProposalList(
        scope=list_scope(principal, network_ref.id, list_key),
        filters=listing.ListFilter(
            round_id=query_int(round_text),
            theme_id=query_int(theme_text),
            region_id=query_int(region_text),
            state=state_text if state_text in STATE_LABELS else None,
            search=clean(search_text or "")[:100],
            page=page_number(query_int(page_text)),
        ),
    )
