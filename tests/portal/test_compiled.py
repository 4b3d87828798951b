"""`portal.lib.compiled`: a query function's SQL is built once per shape, and a later call of
the same shape with other values reads exactly what Piccolo's own SQL reads. A function that
breaks the rule (computes with an argument, or filters on something not passed in) is caught.
Both databases."""

from __future__ import annotations

import logging
from enum import Enum

import pytest
from piccolo.engine.base import Engine
from piccolo.query import Select

from portal.accounts.tables import Region
from portal.lib.compiled import Unshaped, compiled
from portal.lib.together import read_alone, together
from proposals.tables import Proposal
from tests.portal.test_query_counts import counting
from tests.proposals.conftest import Zuidwest
from tests.proposals.conftest import zw as zw  # the fixture


class Kind(Enum):
    draft = "draft"
    submitted = "submitted"


@compiled()
def of_network(network_id: int, state: Kind | None = None, ids: list[int] | None = None) -> Select:
    query = Proposal.select(Proposal.id, Proposal.state, Proposal.round.title.as_alias("round"))
    query = query.where(Proposal.network == network_id)
    if state is not None:
        query = query.where(Proposal.state == state)
    if ids is not None:
        query = query.where(Proposal.id.is_in(ids))
    return query.order_by(Proposal.id)


@compiled("limit")
def regions(network_id: int, limit: int) -> Select:
    return (
        Region.select(Region.id, Region.name)
        .where(Region.network == network_id)
        .order_by(Region.name)
        .limit(limit)
    )


async def test_one_build_per_shape_and_the_same_rows_as_piccolo(
    zw: Zuidwest, database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    drafts = [await zw.proposal() for _ in range(2)]
    submitted = [await zw.proposal(state="submitted") for _ in range(3)]
    of_network.cache.clear()  # type: ignore[attr-defined]
    calls = [
        (zw.network,),
        (zw.network, Kind.draft),
        (zw.network, Kind.submitted),
        (zw.network + 1000,),
        (zw.network, None, [submitted[0]]),
        (zw.network, None, [drafts[1], submitted[2]]),
        (zw.network, Kind.draft, [drafts[0], submitted[1]]),
        (zw.network, None, [drafts[0], submitted[1]]),
    ]
    for args in calls:
        expected = await of_network(*args).select
        assert expected == (await together(rows=of_network(*args)))["rows"]
        assert expected == await read_alone(of_network(*args))
    assert (await read_alone(of_network(zw.network, Kind.submitted))) == [
        {"id": i, "state": "submitted", "round": await _round_title(i)} for i in submitted
    ]
    # Shapes: no state; each state; a list of one; of two (twice: one shape); a state and two.
    assert len(of_network.cache) == 6  # type: ignore[attr-defined]
    # Several at once stay one statement.
    with counting(database, monkeypatch) as counter:
        read = await together(a=of_network(zw.network), b=regions(zw.network, 1))
    assert counter.count == 1
    assert read["a"] == await of_network(zw.network).select
    assert read["b"] == await regions(zw.network, 1).select


async def _round_title(proposal_id: int) -> str:
    row = await Proposal.select(Proposal.round.title).where(Proposal.id == proposal_id).first()
    assert row is not None
    return row["round.title"]


async def test_fixed_values_are_part_of_the_shape(zw: Zuidwest, database: Engine) -> None:
    regions.cache.clear()  # type: ignore[attr-defined]
    one = await read_alone(regions(zw.network, 1))
    two = await read_alone(regions(zw.network, 2))
    assert (len(one), len(two)) == (1, 2)
    assert two == await regions(zw.network, 2).select
    assert len(regions.cache) == 2  # type: ignore[attr-defined]


@compiled()
def computed(network_id: int) -> Select:
    return Region.select(Region.id).where(Region.network == network_id + 0)


@compiled()
def formatted(name: str) -> Select:
    return Region.select(Region.id).where(Region.name.ilike(f"%{name}%"))


async def test_computing_with_an_argument_is_refused(zw: Zuidwest, database: Engine) -> None:
    with pytest.raises(Unshaped):
        await read_alone(computed(zw.network))
    with pytest.raises(Unshaped):
        await read_alone(formatted("Zuid"))


async def test_without_the_check_such_a_function_runs_uncached(
    zw: Zuidwest,
    database: Engine,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("PORTAL_CHECK_COMPILED", "0")
    computed.cache.clear()  # type: ignore[attr-defined]
    with caplog.at_level(logging.WARNING, logger="portal.lib.compiled"):
        rows = await read_alone(computed(zw.network))
    assert rows == await Region.select(Region.id).where(Region.network == zw.network)
    assert rows
    assert "not compiled once" in caplog.text
    assert list(computed.cache.values()) == [None]  # type: ignore[attr-defined]


OUTSIDE = {"network": 0}


@compiled()
def reads_a_global(round_id: int) -> Select:
    # Breaks the rule: filters on a value that is not an argument.
    return Proposal.select(Proposal.id).where(
        (Proposal.round == round_id) & (Proposal.network == OUTSIDE["network"])
    )


async def test_a_value_not_passed_in_is_caught_when_checked(zw: Zuidwest, database: Engine) -> None:
    proposal_id = await zw.proposal()
    round_id = (await Proposal.select(Proposal.round).where(Proposal.id == proposal_id))[0]["round"]
    reads_a_global.cache.clear()  # type: ignore[attr-defined]
    OUTSIDE["network"] = zw.network + 1000
    assert await read_alone(reads_a_global(round_id)) == []
    OUTSIDE["network"] = zw.network
    # The cache still holds the first network; the check compares with Piccolo's own SQL.
    with pytest.raises(AssertionError, match="cached SQL differs"):
        await read_alone(reads_a_global(round_id))


async def test_other_arguments_are_not_cached(zw: Zuidwest, database: Engine) -> None:
    @compiled()
    def by_object(network: dict) -> Select:
        return Region.select(Region.id).where(Region.network == network["id"])

    rows = await read_alone(by_object({"id": zw.network}))
    assert rows == await Region.select(Region.id).where(Region.network == zw.network)
    assert by_object.cache == {}  # type: ignore[attr-defined]


async def test_a_shape_seen_before_is_not_built_again(
    zw: Zuidwest, database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_CHECK_COMPILED", "0")  # the check builds each one to compare
    built: list[int] = []

    @compiled()
    def counted(network_id: int) -> Select:
        built.append(network_id)
        return Region.select(Region.id).where(Region.network == network_id)

    first = await read_alone(counted(zw.network))
    learned = len(built)  # Piccolo's select and the one with slots
    assert learned == 2
    assert await read_alone(counted(zw.network + 1000)) == []
    assert await read_alone(counted(zw.network)) == first
    assert first
    assert len(built) == learned


async def test_the_cache_of_shapes_is_bounded(
    zw: Zuidwest, database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Page numbers come from requests: a `fixed` argument must not grow the cache forever."""
    monkeypatch.setattr("portal.lib.compiled.MAX_SHAPES", 3)
    regions.cache.clear()  # type: ignore[attr-defined]
    for limit in range(1, 8):
        rows = await read_alone(regions(zw.network, limit))
        assert rows == await regions(zw.network, limit).select
    assert len(regions.cache) == 3  # type: ignore[attr-defined]
