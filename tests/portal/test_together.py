"""`portal.lib.together` returns, part by part, exactly what each Piccolo query returns alone:
every kind of column (text, numbers, dates, times with their zone, booleans, JSON read or not,
joined names, aggregates, nulls), ordered, limited, empty; in one statement. Both databases."""

from __future__ import annotations

import pytest
from piccolo.engine.base import Engine
from piccolo.query.functions.aggregate import Count, Sum

from portal.accounts.tables import AuditEvent, Region
from portal.lib.together import together
from proposals.queries import PROPOSAL_ROW_COLUMNS
from proposals.tables import Attachment, BouwteamMember, BudgetLine, Proposal, Round
from tests.portal.test_query_counts import counting
from tests.proposals.conftest import Zuidwest
from tests.proposals.conftest import zw as zw  # the fixture


def parts(proposal_id: int, network_id: int) -> dict:
    """Fresh queries each time: a Piccolo select is built once and run once."""
    return {
        "proposal": Proposal.select().where(Proposal.id == proposal_id),
        "proposal_json": Proposal.select(
            Proposal.id,
            Proposal.functions,
            Proposal.transformation_goals,
            Proposal.start_date,
            Proposal.submitted_at,
            Proposal.requested_amount_cents,
            Proposal.round.title.as_alias("round_title"),
            Proposal.region.name,
        )
        .where(Proposal.id == proposal_id)
        .output(load_json=True),
        "lines": BudgetLine.select()
        .where(BudgetLine.proposal == proposal_id)
        .order_by(BudgetLine.sort_order),
        "members": BouwteamMember.select(
            BouwteamMember.name, BouwteamMember.is_kartrekker, BouwteamMember.position
        ).where(BouwteamMember.proposal == proposal_id),
        "attachments": Attachment.select().where(Attachment.proposal == proposal_id),
        "regions": Region.select(Region.id, Region.name)
        .where(Region.network == network_id)
        .order_by(Region.name, ascending=False)
        .limit(1),
        "totals": BudgetLine.select(
            BudgetLine.year, Sum(BudgetLine.amount_cents, alias="total"), Count(alias="n")
        )
        .where(BudgetLine.proposal == proposal_id)
        .group_by(BudgetLine.year),
        "round": Round.select(Round.id, Round.opens_at, Round.closes_at, Round.review_deadline)
        .where(Round.network == network_id)
        .output(load_json=True),
        "events": AuditEvent.select(
            AuditEvent.at, AuditEvent.summary, AuditEvent.actor.name.as_alias("actor_name")
        )
        .where(AuditEvent.object_id == str(proposal_id))
        .order_by(AuditEvent.at, ascending=False),
        "nothing": Proposal.select(Proposal.id).where(Proposal.id == -1),
        # Wider than one SQLite json_object takes (50 columns a piece, merged), nulls included.
        "wide": Proposal.select(*PROPOSAL_ROW_COLUMNS)
        .where(Proposal.id == proposal_id)
        .output(load_json=True),
    }


async def test_each_part_is_what_its_query_returns_alone(
    zw: Zuidwest, database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    proposal_id = await zw.proposal(state="submitted")
    await BouwteamMember.insert(
        BouwteamMember(proposal=proposal_id, position="region", name="Ria", is_kartrekker=True),
        BouwteamMember(proposal=proposal_id, position="client", name="Cor", is_kartrekker=False),
    )
    alone = {name: await query for name, query in parts(proposal_id, zw.network).items()}
    with counting(database, monkeypatch) as counter:
        bundled = await together(**parts(proposal_id, zw.network))
    assert counter.count == 1
    assert bundled == alone
    # The comparison means something: each kind of value is there.
    assert alone["members"] and {m["is_kartrekker"] for m in alone["members"]} == {True, False}
    assert alone["proposal_json"][0]["transformation_goals"] == {"earlier_help": "Sneller"}
    assert isinstance(alone["proposal"][0]["transformation_goals"], str)
    assert alone["proposal"][0]["submitted_at"] is not None and alone["events"]
    assert alone["totals"] == [{"year": 2021, "total": 1_000_000, "n": 1}]
    assert alone["nothing"] == [] and len(alone["regions"]) == 1
    assert len(alone["wide"][0]) > 50 and None in alone["wide"][0].values()


async def test_nothing_asked_is_no_statement(
    database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with counting(database, monkeypatch) as counter:
        assert await together() == {}
    assert counter.count == 0


async def test_a_batch_shares_its_rounds_and_never_hangs(
    zw: Zuidwest, database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three readers, one of them reading twice and one gathering two more of its own: two
    statements in all, each reader getting its own rows; a failing reader fails the batch
    instead of leaving the others waiting."""
    import asyncio

    from portal.lib.together import Batch

    batch = Batch()

    async def regions() -> list:
        return await batch.read(Region.select(Region.name).where(Region.network == zw.network))

    async def two_steps() -> list:
        rounds = await batch.read(Round.select(Round.id).where(Round.network == zw.network))
        return await batch.read(
            Proposal.select(Proposal.id).where(Proposal.round.is_in([r["id"] for r in rounds]))
        )

    async def nested() -> list:
        first, second = await batch.gather(
            batch.read(Region.select(Region.id).where(Region.network == zw.network)),
            two_steps(),
        )
        return [first, second]

    proposal_id = await zw.proposal()
    with counting(database, monkeypatch) as counter:
        names, steps, inner = await asyncio.wait_for(
            batch.gather(regions(), two_steps(), nested()), timeout=30
        )
    assert counter.count == batch.rounds == 2
    assert sorted(r["name"] for r in names) == sorted(
        r["name"] for r in await Region.select(Region.name).where(Region.network == zw.network)
    )
    assert steps == [{"id": proposal_id}] and inner[1] == [{"id": proposal_id}]
    assert len(inner[0]) == len(names)

    failing = Batch()

    async def broken() -> list:
        raise RuntimeError("kapot")

    async def reader() -> list:
        return await failing.read(Region.select(Region.id))

    with pytest.raises(RuntimeError, match="kapot"):
        await asyncio.wait_for(failing.gather(reader(), broken()), timeout=30)
