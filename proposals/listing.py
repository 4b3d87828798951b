"""The proposal lists (mine, my region's, all submitted): one page with its filters' choices
in one statement, the rows and the count compiled once per shape (portal/lib/compiled.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.query import Select
from piccolo.query.functions.aggregate import Count

from portal.lib.compiled import compiled
from portal.lib.db import like_pattern, substring_pattern
from portal.lib.together import together
from proposals.queries import network_themes_query, region_names_query, rounds_query
from proposals.tables import Proposal, ProposalAuthor


@dataclass(frozen=True)
class ListFilter:
    round_id: int | None = None
    theme_id: int | None = None
    region_id: int | None = None
    state: str | None = None
    search: str = ""
    page: int = 1
    per_page: int = 25


LIST_COLUMNS = (
    Proposal.id,
    Proposal.title,
    Proposal.state,
    Proposal.version,
    Proposal.updated_at,
    Proposal.submitted_at,
    Proposal.requested_amount_cents,
    Proposal.theme.name.as_alias("theme_name"),
    Proposal.region.name.as_alias("region_name"),
    Proposal.round.title.as_alias("round_title"),
    Proposal.round.closes_at.as_alias("closes_at"),
    Proposal.lead_organisation.name.as_alias("lead_organisation_name"),
)


@dataclass(frozen=True)
class ProposalPage:
    """One page of a proposal list and the choices of its filters."""

    rows: list[dict]
    total: int
    rounds: list[dict]
    themes: list[dict]  # of all the rounds, each round's in their order
    regions: dict[int, str]


async def list_proposals(
    network_id: int, scope: str, user_id: int, region_ids: set[int], f: ListFilter
) -> ProposalPage:
    """One page of proposals for a list page (scope is mine / region / all) and its filters'
    choices, in one statement."""
    # An empty filter is no filter; the search goes in as its LIKE pattern, made here: a
    # compiled query function only hands its arguments to Piccolo.
    listed: dict[str, Any] = {
        "network_id": network_id,
        "mine": scope == "mine",
        "region": scope == "region",
        "user_id": user_id,
        "region_ids": sorted(region_ids) or [0],
        "round_id": f.round_id or None,
        "theme_id": f.theme_id or None,
        "region_id": f.region_id or None,
        "state": f.state or None,
        "pattern": substring_pattern(f.search) if f.search else None,
    }
    read = await together(
        rows=list_rows_query(**listed, per_page=f.per_page, offset=(f.page - 1) * f.per_page),
        total=list_count_query(**listed),
        # The filters' choices, in the same statement: the network's rounds (newest first),
        # their themes, its regions.
        rounds=rounds_query(network_id),
        themes=network_themes_query(network_id),
        regions=region_names_query(network_id),
    )
    return ProposalPage(
        rows=read["rows"],
        total=int(read["total"][0]["n"]),
        rounds=read["rounds"],
        themes=read["themes"],
        regions={r["id"]: r["name"] for r in read["regions"]},
    )


def _listed(
    query: Select,
    network_id: int,
    mine: bool,  # the person's own (as an author)
    region: bool,  # of the person's regions, made ready for them
    user_id: int,
    region_ids: list[int],
    round_id: int | None,
    theme_id: int | None,
    region_id: int | None,
    state: str | None,
    pattern: str | None,  # substring_pattern of the search words
) -> Select:
    query = query.where(Proposal.network == network_id)
    if mine:
        authored = ProposalAuthor.select(ProposalAuthor.proposal).where(
            ProposalAuthor.user == user_id
        )
        query = query.where(Proposal.id.is_in(authored))
    elif region:
        query = query.where(Proposal.region.is_in(region_ids))
        query = query.where(Proposal.ready_at.is_not_null())
    else:
        query = query.where(Proposal.submitted_at.is_not_null())
    if round_id is not None:
        query = query.where(Proposal.round == round_id)
    if theme_id is not None:
        query = query.where(Proposal.theme == theme_id)
    if region_id is not None:
        query = query.where(Proposal.region == region_id)
    if state is not None:
        query = query.where(Proposal.state == state)
    if pattern is not None:
        query = query.where(
            like_pattern(Proposal.title, pattern) | like_pattern(Proposal.summary, pattern)
        )
    return query


@compiled("per_page", "offset")
def list_rows_query(
    network_id: int,
    mine: bool,
    region: bool,
    user_id: int,
    region_ids: list[int],
    round_id: int | None,
    theme_id: int | None,
    region_id: int | None,
    state: str | None,
    pattern: str | None,
    per_page: int,
    offset: int,
) -> Select:
    query = _listed(
        Proposal.select(*LIST_COLUMNS),
        network_id,
        mine,
        region,
        user_id,
        region_ids,
        round_id,
        theme_id,
        region_id,
        state,
        pattern,
    )
    return query.order_by(Proposal.updated_at, ascending=False).limit(per_page).offset(offset)


@compiled()
def list_count_query(
    network_id: int,
    mine: bool,
    region: bool,
    user_id: int,
    region_ids: list[int],
    round_id: int | None,
    theme_id: int | None,
    region_id: int | None,
    state: str | None,
    pattern: str | None,
) -> Select:
    return _listed(
        Proposal.select(Count(alias="n")),
        network_id,
        mine,
        region,
        user_id,
        region_ids,
        round_id,
        theme_id,
        region_id,
        state,
        pattern,
    )
