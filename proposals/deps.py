"""What the proposal pages, and the pages of the domains above that show a proposal, take
from the request: the proposal of the path, if this person may see it."""

from __future__ import annotations

from litestar import Request
from litestar.exceptions import NotFoundException

from proposals import queries
from proposals.access import actors_for, may_view
from proposals.rules import Actor

NOT_FOUND = "Dit voorstel bestaat niet, of u heeft er geen toegang toe."


async def load_proposal(request: Request, proposal_id: int) -> tuple[dict, set[Actor]]:
    proposal = await queries.proposal_row(request.state.network.id, proposal_id)
    if proposal is None:
        raise NotFoundException(NOT_FOUND)
    actors = await actors_for(request.user, proposal)
    if not may_view(actors, proposal):
        raise NotFoundException(NOT_FOUND)
    return proposal, actors
