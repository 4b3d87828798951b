"""A budget year set up with small, round figures, for ledger tests on both databases."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ledger.books import queries, services
from portal.accounts.tables import Role
from tests import factories
from tests.proposals.conftest import principal


@dataclass
class Year:
    network: int
    budget_year: int
    coordinator: int
    accounts: dict[str, int]  # code -> id

    async def actor(self):
        return await principal(self.coordinator)


async def make_year(
    year: int = 2021, network: int | None = None, coordinator: int | None = None, themes: int = 2
) -> Year:
    """SPUK € 100.000: process a € 20.000, themes 2 × € 25.000, themes reserve € 10.000,
    learning € 10.000, unforeseen € 10.000 (both reserves exactly at their 10 % floor? the
    themes reserve floor is 10 % of € 60.000 = € 6.000, the unforeseen floor € 10.000)."""
    network = network or await factories.network(slug=f"net-{year}")
    coordinator = coordinator or await factories.member(network, Role.coordinator)
    actor = await principal(coordinator)
    budget_year, problems = await services.create_budget_year(actor, network, year, 10_000_000)
    assert not problems
    theme_ids = list(range(9000 + year * 10, 9000 + year * 10 + themes))
    problems = await services.set_up_year(
        actor,
        network,
        budget_year,
        services.SetupInput(
            process_cents={"process_a": 2_000_000},
            theme_cents={t: 2_500_000 for t in theme_ids},
            theme_names={t: f"Thema {i + 1}" for i, t in enumerate(theme_ids)},
            themes_reserve_cents=1_000_000,
            learning_cents=1_000_000,
            unforeseen_cents=1_000_000,
            unforeseen_reserve_bp=1000,
            themes_reserve_bp=1000,
        ),
    )
    assert not problems, problems
    accounts = {a["code"]: a["id"] for a in await queries.accounts_of(budget_year)}
    return Year(network, budget_year, coordinator, accounts)


@pytest.fixture
async def year(database) -> Year:
    return await make_year()
