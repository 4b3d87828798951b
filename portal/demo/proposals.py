"""Demo data of the proposals domain: Zuid-West 2021 with the four themes of seed 004 §6.5 and
proposals in several states. Written through the services, as a person would have made them.

The round's deadline lies in the future relative to the moment the demo is loaded, so that a
visitor can still draft and submit; everything else follows the 2021 plan.
"""

from __future__ import annotations

import datetime as dt

from ledger.books import services as ledger
from portal.accounts.principal import Principal
from portal.accounts.sessions import memberships_of
from portal.accounts.tables import Network, Region, User
from portal.lib import clock
from portal.lib.db import required
from portal.lib.settings import Settings
from proposals import queries, services
from proposals.budget_workbook import BudgetLineInput, personnel_amount_cents
from proposals.eligibility import DEFAULT_THRESHOLDS_CENTS, checklist
from proposals.forms import SectionInput
from proposals.rows import ProposalRow
from proposals.rules import Actor

THEMES_2021 = [
    (
        "Nabijheid en kleinschaligheid in de hulpverlening",
        "Mag ik meer tijd en onverdeelde aandacht voor mijn ingewikkelde problemen?",
        72_000_000,
    ),
    (
        "Wachtlijstproblematiek",
        "Mijn problemen zijn ingewikkeld, waarom moet ik zo lang wachten?",
        72_000_000,
    ),
    (
        "Doorlopende lijn voor de forensische doelgroep",
        "Een doorlopende lijn van detentie naar jeugdhulp.",
        72_000_000,
    ),
    (
        "Hoogspecialistische zorgvragen",
        "Passende hulp voor jongeren met zeer complexe, zeldzame zorgvragen.",
        72_000_000,
    ),
]


async def _principal(email: str) -> Principal:
    user = required(await User.select().where(User.email == email).first())
    return Principal(
        user_id=user["id"],
        email=user["email"],
        name=user["name"],
        memberships=await memberships_of(user["id"]),
    )


def _personnel(year: int, description: str, hours: int, rate_cents: int) -> BudgetLineInput:
    return BudgetLineInput(
        kind="personnel",
        year=year,
        description=description,
        hours_hundredths=hours * 100,
        hourly_rate_cents=rate_cents,
        amount_cents=personnel_amount_cents(hours * 100, rate_cents),
    )


async def load(settings: Settings) -> None:
    network = required(await Network.select().where(Network.slug == "zuid-west").first())
    regions = {
        r["name"]: r["id"] for r in await Region.select().where(Region.network == network["id"])
    }
    coordinator = await _principal("coordinator@example.org")
    applicant = await _principal("aanvrager@example.org")
    officer = await _principal("regio@example.org")

    year_id, problems = await ledger.create_budget_year(
        coordinator, network["id"], 2021, 468_038_000, "SPUK 2021 Zuid-West"
    )
    assert year_id is not None, problems
    now = clock.now()
    round_id, problems = await services.save_round(
        coordinator,
        network["id"],
        services.RoundInput(
            budget_year_id=year_id,
            title="Ronde 2021: bovenregionale thema's",
            opens_at=now - dt.timedelta(days=30),
            closes_at=now + dt.timedelta(days=60),
            attachment_limit_mb=10,
            themes=[
                services.ThemeInput(None, name, text, cents) for name, text, cents in THEMES_2021
            ],
        ),
    )
    assert not problems, problems
    assert round_id is not None
    themes = await queries.themes_of(round_id)

    async def proposal(title: str, theme: int, complete: bool) -> ProposalRow:
        proposal_id, problems = await services.create_proposal(
            applicant, network["id"], round_id, title
        )
        assert proposal_id is not None, problems
        row = required(await queries.proposal_row(network["id"], proposal_id))
        actors = {Actor.author}
        await services.save_section(
            applicant,
            row,
            actors,
            "algemeen",
            SectionInput(
                {
                    "summary": f"{title}: een bovenregionale aanpak, uitgewerkt door het bouwteam.",
                    "theme": themes[theme]["id"],
                    "region": regions["Midden-Holland"],
                    "contact_phone": "010 123 45 67",
                }
            ),
        )
        if complete:
            await services.save_section(
                applicant,
                row,
                actors,
                "bouwteam",
                SectionInput(
                    {},
                    {},
                    [
                        {
                            "position": "region",
                            "name": "Ruben Regio",
                            "organisation_name": "Regio Midden-Holland",
                            "is_kartrekker": False,
                            "sort_order": 0,
                        },
                        {
                            "position": "expert_team",
                            "name": "Esra Expert",
                            "organisation_name": "Regionaal Expertteam Haaglanden",
                            "is_kartrekker": True,
                            "sort_order": 1,
                        },
                        {
                            "position": "client",
                            "name": "Chris Cliënt",
                            "organisation_name": "Ouderplatform Jeugd Zuid-West",
                            "is_kartrekker": False,
                            "sort_order": 2,
                        },
                        {
                            "position": "research",
                            "name": "Wendy Wetenschap",
                            "organisation_name": "Kenniswerkplaats Jeugd Zuid-West",
                            "is_kartrekker": False,
                            "sort_order": 3,
                        },
                    ],
                ),
            )
            await services.save_section(
                applicant,
                row,
                actors,
                "inhoud",
                SectionInput(
                    {
                        "goals": "Jongeren krijgen binnen vier weken passende hulp dicht bij huis.",
                        "results": "Een werkende aanpak in drie regio's en een "
                        "evaluatie met lessen.",
                        "activities": "Kwartaal 1: bouwteam en werkwijze. "
                        "Kwartaal 2-4: uitvoering in "
                        "drie regio's. Daarna: evaluatie door de kenniswerkplaats.",
                        "target_group": "Jongeren tot 23 jaar met complexe, "
                        "meervoudige zorgvragen.",
                        "start_date": dt.date(2021, 9, 1),
                        "end_date": dt.date(2022, 12, 31),
                    }
                ),
            )
            await services.save_section(
                applicant,
                row,
                actors,
                "criteria",
                SectionInput(
                    {
                        "functions": ["consultation", "organising_help"],
                        "transformation_goals": {
                            "earlier_help": "Overbrugging voorkomt dat problemen escaleren.",
                            "one_family_one_plan": "Eén regisseur over regiogrenzen heen.",
                        },
                        "participating_region_ids": [
                            regions["Midden-Holland"],
                            regions["Haaglanden"],
                            regions["Zuid-Holland Zuid"],
                        ],
                        "benefiting_region_ids": list(regions.values()),
                        "supra_regional_reason": "Alle vijf regio's zien dezelfde knelpunten; "
                        "geen regio "
                        "heeft genoeg casussen om dit alleen op te lossen.",
                        "innovation": "Expertise komt naar de jongere toe in plaats van andersom.",
                        "extends_offer": "no",
                    }
                ),
            )
            await services.save_section(
                applicant,
                row,
                actors,
                "inkoop",
                SectionInput(
                    {
                        "procurement_expert_name": "Ingrid Inkoop",
                        "procurement_expert_organisation": "Inkoopbureau Jeugd (fictief)",
                        "procurement_route": "existing_contract",
                        "procurement_service_kind": "social",
                        "estimated_contract_value_cents": 28_500_000,
                        "procurement_policy_fit": "yes",
                    }
                ),
            )
            lines = [
                _personnel(2021, "Projectleider, 0,4 fte", 280, 9_500),
                _personnel(2022, "Projectleider, 0,4 fte", 700, 9_500),
                _personnel(2022, "Inzet expertteam", 1_200, 11_000),
                BudgetLineInput(
                    kind="vacation_fees",
                    year=2022,
                    description="Vacatiegelden experts",
                    amount_cents=3_600_000,
                ),
                BudgetLineInput(
                    kind="material",
                    year=2022,
                    description="Evaluatie en communicatie",
                    amount_cents=1_500_000,
                ),
            ]
            await services.save_budget(
                applicant, row, actors, sum(line.amount_cents for line in lines), lines
            )
        return required(await queries.proposal_row(network["id"], proposal_id))

    await proposal("Kleinschalige woonplekken met een vaste mentor", 0, complete=False)
    ready = await proposal("Wachtlijstbrug: overbruggingszorg met het expertteam", 1, True)
    submitted = await proposal("Doorlopende lijn na detentie", 2, True)
    # Granted in the ledger demo, after review.
    expert_pool = await proposal("Expertpool hoogspecialistische zorgvragen", 3, True)
    for row, steps in (
        (ready, ["mark_ready"]),
        (submitted, ["mark_ready", "submit"]),
        (expert_pool, ["mark_ready", "submit"]),
    ):
        for action in steps:
            current = required(await queries.proposal_row(network["id"], row["id"]))
            actor = applicant if action == "mark_ready" else officer
            actors = {Actor.author} if action == "mark_ready" else {Actor.region_officer}
            checks = checklist(
                await queries.facts_for(current, clock.now(), DEFAULT_THRESHOLDS_CENTS)
            )
            await services.transition(actor, current, actors, action, checks, settings)
