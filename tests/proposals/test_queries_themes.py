"""The themes of a network's budget years in a fixed number of queries, the same as round by
round."""

from __future__ import annotations

from proposals import queries
from tests.proposals.conftest import Zuidwest


async def test_themes_by_budget_year_are_the_rounds_themes(zw: Zuidwest) -> None:
    by_year = await queries.themes_by_budget_year(zw.network)
    expected: dict[int, list[dict]] = {}
    for r in await queries.rounds_of(zw.network):
        expected.setdefault(r["budget_year"], []).extend(await queries.themes_of(r["id"]))
    assert by_year == expected
    assert [t["name"] for t in by_year[zw.budget_year]] == ["Wachtlijsten", "Forensisch"]
