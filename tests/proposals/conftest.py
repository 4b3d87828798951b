"""A small Zuid-West with an open round, and builders for proposals in any state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from ledger.books import services as ledger
from portal.accounts.principal import Principal
from portal.accounts.sessions import memberships_of
from portal.accounts.tables import Role, User
from portal.lib import clock
from proposals import queries, services
from proposals.budget_workbook import BudgetLineInput
from proposals.eligibility import DEFAULT_THRESHOLDS_CENTS, checklist
from proposals.forms import SectionInput
from proposals.rules import Actor
from tests import factories


async def principal(user_id: int) -> Principal:
    user = await User.select().where(User.id == user_id).first()
    return Principal(user["id"], user["email"], user["name"], await memberships_of(user_id))


@dataclass
class Zuidwest:
    network: int
    region_a: int
    region_b: int
    org_x: int
    org_y: int
    applicant_x: int
    applicant_y: int
    officer_a: int
    officer_b: int
    coordinator: int
    budget_year: int
    round: int
    themes: list[int]

    async def proposal(
        self,
        *,
        author: int | None = None,
        region: int | None = None,
        complete: bool = True,
        state: str = "draft",
        title: str = "Wachtlijstbrug",
        requested_cents: int = 1_000_000,
    ) -> int:
        """A proposal by an applicant, filled in completely (or not), moved to `state`."""
        author_principal = await principal(author or self.applicant_x)
        proposal_id, problems = await services.create_proposal(
            author_principal, self.network, self.round, title
        )
        assert not problems
        row = await queries.proposal_row(self.network, proposal_id)
        authors = {Actor.author}
        general = {
            "summary": "Samenvatting",
            "theme": self.themes[0],
            "region": region or self.region_a,
        }
        await services.save_section(
            author_principal, row, authors, "algemeen", SectionInput(general)
        )
        if complete:
            await services.save_section(
                author_principal,
                row,
                authors,
                "inhoud",
                SectionInput(
                    {
                        "goals": "Doelen",
                        "results": "Resultaten",
                        "activities": "Activiteiten",
                        "start_date": dt.date(2021, 9, 1),
                        "end_date": dt.date(2022, 6, 30),
                    }
                ),
            )
            await services.save_section(
                author_principal,
                row,
                authors,
                "criteria",
                SectionInput(
                    {
                        "functions": ["consultation"],
                        "transformation_goals": {"earlier_help": "Sneller"},
                        "participating_region_ids": [self.region_a, self.region_b],
                        "supra_regional_reason": "Overal",
                        "innovation": "Nieuw",
                        "extends_offer": "no",
                    }
                ),
            )
            await services.save_section(
                author_principal,
                row,
                authors,
                "inkoop",
                SectionInput({"procurement_expert_name": "Ingrid Inkoop"}),
            )
            lines = [BudgetLineInput("material", 2021, "Materiaal", requested_cents)]
            await services.save_budget(author_principal, row, authors, requested_cents, lines)
        if state in ("ready", "submitted"):
            await self.step(proposal_id, "mark_ready", author or self.applicant_x, Actor.author)
        if state == "submitted":
            await self.step(
                proposal_id,
                "submit",
                self.officer_a if (region or self.region_a) == self.region_a else self.officer_b,
                Actor.region_officer,
            )
        return proposal_id

    async def step(self, proposal_id: int, action: str, user_id: int, actor: Actor) -> str:
        row = await queries.proposal_row(self.network, proposal_id)
        checks = checklist(await queries.facts_for(row, clock.now(), DEFAULT_THRESHOLDS_CENTS))
        from tests.conftest import test_settings

        return await services.transition(
            await principal(user_id),
            row,
            {actor},
            action,
            checks,
            test_settings("sqlite:///unused"),
        )


@pytest.fixture
async def zw(database) -> Zuidwest:
    return await make_zuidwest()


async def make_zuidwest() -> Zuidwest:
    """Zuid-West in an empty database: for tests that need it more than once per test."""
    network = await factories.network(slug="zuid-west", name="Zuid-West")
    region_a = await factories.region(network, "Midden-Holland")
    region_b = await factories.region(network, "Haaglanden")
    org_x = await factories.organisation(network, name="Stichting X", region_id=region_a)
    org_y = await factories.organisation(network, name="Stichting Y", region_id=region_b)
    coordinator = await factories.member(network, Role.coordinator, email="coord@example.org")
    budget_year, _ = await ledger.create_budget_year(
        await principal(coordinator), network, 2021, 468_038_000
    )
    now = clock.now()
    round_id, problems = await services.save_round(
        await principal(coordinator),
        network,
        services.RoundInput(
            budget_year_id=budget_year,
            title="Ronde 2021",
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=30),
            attachment_limit_mb=1,
            themes=[
                services.ThemeInput(None, "Wachtlijsten", "", 5_000_000),
                services.ThemeInput(None, "Forensisch", "", 5_000_000),
            ],
        ),
    )
    assert not problems, problems
    themes = await queries.themes_of(round_id)
    setup = await ledger.set_up_year(
        await principal(coordinator),
        network,
        budget_year,
        ledger.SetupInput(
            process_cents={"process_a": 393_334_200},
            theme_cents={t["id"]: 5_000_000 for t in themes},
            theme_names={t["id"]: t["name"] for t in themes},
            themes_reserve_cents=2_000_000,
            learning_cents=15_900_000,
            unforeseen_cents=46_803_800,
            unforeseen_reserve_bp=1000,
            themes_reserve_bp=1000,
        ),
    )
    assert not setup, setup
    return Zuidwest(
        network=network,
        region_a=region_a,
        region_b=region_b,
        org_x=org_x,
        org_y=org_y,
        applicant_x=await factories.member(
            network, Role.applicant, email="x@example.org", organisation_id=org_x
        ),
        applicant_y=await factories.member(
            network, Role.applicant, email="y@example.org", organisation_id=org_y
        ),
        officer_a=await factories.member(
            network, Role.region_officer, email="regio-a@example.org", region_id=region_a
        ),
        officer_b=await factories.member(
            network, Role.region_officer, email="regio-b@example.org", region_id=region_b
        ),
        coordinator=coordinator,
        budget_year=budget_year,
        round=round_id,
        themes=[t["id"] for t in await queries.themes_of(round_id)],
    )
