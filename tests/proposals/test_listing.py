"""The proposal lists' reads (`proposals.listing`, compiled per shape): every scope with every
combination of filters and pages gives the rows a plain Piccolo query gives, newest change
first, and their count. Both databases; the suite also compares each compiled statement with
Piccolo's own (PORTAL_CHECK_COMPILED)."""

from __future__ import annotations

import itertools

from proposals import listing
from proposals.tables import Proposal, ProposalAuthor
from tests.proposals.conftest import Zuidwest


async def expected(zw: Zuidwest, scope: str, user: int, regions: set[int], f) -> list[int]:
    query = Proposal.select(Proposal.id).where(Proposal.network == zw.network)
    if scope == "mine":
        mine = ProposalAuthor.select(ProposalAuthor.proposal).where(ProposalAuthor.user == user)
        query = query.where(Proposal.id.is_in(mine))
    elif scope == "region":
        query = query.where(Proposal.region.is_in(list(regions) or [0]))
        query = query.where(Proposal.ready_at.is_not_null())
    else:
        query = query.where(Proposal.submitted_at.is_not_null())
    for column, value in (
        (Proposal.round, f.round_id),
        (Proposal.theme, f.theme_id),
        (Proposal.region, f.region_id),
        (Proposal.state, f.state),
    ):
        if value:
            query = query.where(column == value)
    rows = await query.order_by(Proposal.updated_at, ascending=False)
    ids = [r["id"] for r in rows]
    if f.search:
        titles = {
            r["id"]: f"{r['title']} {r['summary']}".lower()
            for r in await Proposal.select(Proposal.id, Proposal.title, Proposal.summary)
        }
        ids = [i for i in ids if f.search.lower() in titles[i]]
    return ids


async def test_every_scope_filter_and_page_gives_piccolo_s_rows(zw: Zuidwest) -> None:
    await zw.proposal(state="submitted", title="Forensische lijn")
    await zw.proposal(state="submitted", title="Wachtlijstbrug", region=zw.region_b)
    await zw.proposal(state="ready", title="Klaar voor de regio")
    await zw.proposal(state="draft", title="Nog geheim", author=zw.applicant_y)
    cases = itertools.product(
        (
            ("all", zw.coordinator, set()),
            ("mine", zw.applicant_x, set()),
            ("region", zw.officer_a, {zw.region_a}),
            ("region", zw.officer_b, {zw.region_a, zw.region_b}),
            ("region", zw.officer_b, set()),
        ),
        (None, zw.round),
        (None, zw.region_b),
        (None, "", "submitted"),
        ("", "FORENS", "lijn"),
        ((1, 1), (1, 2), (25, 1)),
    )
    found = 0
    for (scope, user, regions), round_id, region_id, state, search, (per_page, page) in cases:
        f = listing.ListFilter(
            round_id=round_id,
            region_id=region_id,
            state=state,
            search=search,
            per_page=per_page,
            page=page,
        )
        wanted = await expected(zw, scope, user, regions, f)
        listed = await listing.list_proposals(zw.network, scope, user, regions, f)
        case = (scope, regions, round_id, region_id, state, search, per_page, page)
        assert [r["id"] for r in listed.rows] == wanted[(page - 1) * per_page : page * per_page], (
            case
        )
        assert listed.total == len(wanted), case
        found += bool(listed.rows)
    assert found > 100  # most cases list something: the comparison is not of empty lists
