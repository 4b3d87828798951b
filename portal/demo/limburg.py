"""Demo data of Expertisecentrum Jeugdhulp Limburg (seeds 002 and 000): its own procedure and a
round of 2022 with proposals in every state, written through the services as its people would.

Limburg's criteria lead with the questions of children and parents (counting twice); its
projectgroep (the chairs of the three regional expert teams, an ervaringsdeskundige and a
municipal representative) assesses, the ambtelijk overleg of the four youth regions prepares,
the bestuurlijk overleg of the four aldermen decides, and Roermond keeps the budget (about
€ 900.000) and carries it out. Every person is fictitious.
"""

from __future__ import annotations

import datetime as dt

from litestar.datastructures import FormMultiDict

from ledger.books import services as ledger
from portal.accounts.panel import PanelKind
from portal.accounts.tables import Network, Region
from portal.demo.proposals import _principal
from portal.lib import clock
from portal.lib.db import required
from portal.lib.settings import Settings
from proposals import queries, services
from proposals.budget_workbook import BudgetLineInput
from proposals.criteria import Criterion, Scale, from_json
from proposals.eligibility import DEFAULT_THRESHOLDS_CENTS, checklist
from proposals.forms import SectionInput
from proposals.rows import ProposalRow
from proposals.rules import Actor
from review import criteria_services
from review import services as review_services
from review.forms import AdviceInput, DecisionInput, parse_review
from review.queries import review_row, route_of
from review.route import with_names
from review.tables import Review

CRITERIA = (
    Criterion(
        "V1",
        "Vragen van kinderen en ouders leiden",
        "De hulp begint bij wat de jeugdige en de ouders vragen, niet bij het aanbod.",
        weight=2,
    ),
    Criterion(
        "V2",
        "Tijdelijke extra hulp",
        "Bovenregionale hulp is een tijdelijke aanvulling; de jeugdige keert terug naar de regio.",
    ),
    Criterion(
        "V3",
        "Bovenregionaal belang",
        "Lokaal en regionaal waar het kan; alleen bovenregionaal als het moet.",
    ),
    Criterion(
        "V4",
        "Kennis wordt gedeeld",
        "Wat het project leert, komt terecht bij de regionale expertteams en de netwerken.",
    ),
    Criterion(
        "B1",
        "Ondersteunt de regionale expertteams",
        "Het voorstel versterkt de regionale expertteams en vervangt ze niet.",
        Scale.pass_fail,
        excluding=True,
    ),
)
# Limburg's own words for its process lines (a–e are Zuid-West's).
PROCESS_NAMES = {
    "process_a": "a. Projectleider expertisecentrum",
    "process_b": "b. Projectgroep (uren expertteams en ervaringsdeskundige)",
    "process_c": "c. Ambtelijk overleg en ondersteuning",
    "process_d": "d. Uren in te zetten experts",
    "process_e": "e. Communicatie en kennisdeling",
}
# The projectgroep as a panel: every proposal is read by a chair of a regional expert team (not
# of its own region) and the ervaringsdeskundige; the municipal representative fills a place.
PANEL = (
    PanelKind("chair", "Voorzitter regionaal expertteam", 1),
    PanelKind("ervaringsdeskundige", "Ervaringsdeskundige", 1),
    PanelKind("gemeente", "Gemeentelijk vertegenwoordiger", 0),
)
ROUTE_STEPS = ["Projectgroep expertisecentrum", "Ambtelijk overleg jeugdzorgregio's"]
DECIDER = "het bestuurlijk overleg van de wethouders van de vier jeugdzorgregio's"
THEMES_2022 = [
    (
        "Wal en schip",
        "Jeugdigen die tussen wal en schip dreigen te raken: vragen die onder meerdere sectoren "
        "of wetten vallen.",
        25_000_000,
    ),
    (
        "Netwerken van ouders en jongeren",
        "Ervaringsnetwerken die meedenken en meedoen bij de inrichting van de hulp.",
        25_000_000,
    ),
]
REVIEW = {
    "v1": "5",
    "v1_motivation": "Ouders en jongeren zitten vanaf het begin aan tafel.",
    "v2": "4",
    "v2_motivation": "Terug naar de regio is het doel van elk traject.",
    "v3": "4",
    "v3_motivation": "Speelt in alle vier de regio's.",
    "v4": "3",
    "v4_motivation": "Delen van kennis kan concreter.",
    "b1": "voldoet",
    "recommendation": "toekennen",
    "advice": "Sterk voorstel vanuit de leefwereld.",
}


async def load(settings: Settings) -> None:
    network = required(await Network.select().where(Network.slug == "limburg").first())
    network_id = network["id"]
    regions = {
        r["name"]: r["id"] for r in await Region.select().where(Region.network == network_id)
    }
    coordinator = await _principal("coordinator-limburg@example.org")
    applicant = await _principal("aanvrager-limburg@example.org")
    officer = await _principal("regio-limburg@example.org")

    # Limburg's procedure, as its coordinator sets it up in the portal.
    await criteria_services.save_set(coordinator, network_id, CRITERIA)
    assert not await criteria_services.save_panel(coordinator, network_id, PANEL)
    route = with_names(await route_of(network_id), ROUTE_STEPS, DECIDER)
    await criteria_services.save_route(coordinator, network_id, route)

    year_id, problems = await ledger.create_budget_year(
        coordinator, network_id, 2022, 90_000_000, "SPUK 2022 Limburg"
    )
    assert year_id is not None, problems
    now = clock.now()
    round_id, problems = await services.save_round(
        coordinator,
        network_id,
        services.RoundInput(
            budget_year_id=year_id,
            title="Ronde 2022: speerpunten",
            opens_at=now - dt.timedelta(days=30),
            closes_at=now + dt.timedelta(days=60),
            attachment_limit_mb=10,
            themes=[services.ThemeInput(None, name, text, c) for name, text, c in THEMES_2022],
        ),
    )
    assert round_id is not None, problems
    themes = await queries.themes_of(round_id)
    problems = await ledger.set_up_year(
        coordinator,
        network_id,
        year_id,
        ledger.SetupInput(
            process_cents={"process_a": 12_000_000},
            theme_cents={t["id"]: t["guide_budget_cents"] for t in themes},
            theme_names={t["id"]: t["name"] for t in themes},
            themes_reserve_cents=6_000_000,
            learning_cents=10_000_000,
            unforeseen_cents=9_000_000,
            unforeseen_reserve_bp=1000,
            themes_reserve_bp=1000,
            continuing_cents=3_000_000,
            process_names=PROCESS_NAMES,
        ),
    )
    assert not problems, problems

    async def proposal(title: str, theme: int, complete: bool = True) -> ProposalRow:
        proposal_id, problems = await services.create_proposal(
            applicant, network_id, round_id, title
        )
        assert proposal_id is not None, problems
        row = required(await queries.proposal_row(network_id, proposal_id))
        authors = {Actor.author}

        async def section(name: str, values: dict, *rest) -> None:
            await services.save_section(applicant, row, authors, name, SectionInput(values, *rest))

        await section(
            "algemeen",
            {
                "summary": f"{title}: samen met ouders en jongeren uitgewerkt.",
                "theme": themes[theme]["id"],
                "region": regions["Noord-Limburg"],
                "contact_phone": "077 123 45 67",
            },
        )
        if not complete:
            return required(await queries.proposal_row(network_id, proposal_id))
        await section(
            "bouwteam",
            {},
            {},
            [
                {
                    "position": "region",
                    "name": "Rik Regio",
                    "organisation_name": "Jeugdzorgregio Noord-Limburg",
                    "is_kartrekker": False,
                    "sort_order": 0,
                },
                {
                    "position": "expert_team",
                    "name": "Eva Expert",
                    "organisation_name": "Regionaal Expertteam Noord-Limburg",
                    "is_kartrekker": True,
                    "sort_order": 1,
                },
                {
                    "position": "client",
                    "name": "Jade Jongerenraad",
                    "organisation_name": "Jongerenraad Limburg",
                    "is_kartrekker": False,
                    "sort_order": 2,
                },
                {
                    "position": "research",
                    "name": "Koen Kennis",
                    "organisation_name": "Kennisplaats Jeugd Limburg",
                    "is_kartrekker": False,
                    "sort_order": 3,
                },
            ],
        )
        await section(
            "inhoud",
            {
                "goals": "Jeugdigen krijgen hulp die past bij hun vraag, dicht bij huis.",
                "results": "Een werkwijze die de regionale expertteams overnemen.",
                "activities": "Casussen samen met ouders evalueren; lessen delen in de regio's.",
                "target_group": "Jeugdigen en ouders met complexe vragen in Limburg.",
                "start_date": dt.date(2022, 4, 1),
                "end_date": dt.date(2022, 12, 31),
            },
        )
        await section(
            "criteria",
            {
                "functions": ["consultation", "knowledge"],
                "transformation_goals": {"earlier_help": "Eerder de juiste hulp."},
                "participating_region_ids": [
                    regions["Noord-Limburg"],
                    regions["Midden-Limburg"],
                ],
                "benefiting_region_ids": list(regions.values()),
                "supra_regional_reason": "Geen regio heeft alleen genoeg casussen.",
                "innovation": "Ervaringsdeskundigen sturen mee.",
                "extends_offer": "no",
            },
        )
        await section(
            "inkoop",
            {
                "procurement_expert_name": "Ilse Inkoop",
                "procurement_expert_organisation": "Inkoop Jeugd Limburg (fictief)",
                "procurement_route": "subsidy",
                "procurement_service_kind": "social",
                "estimated_contract_value_cents": 9_500_000,
                "procurement_policy_fit": "yes",
            },
        )
        lines = [
            BudgetLineInput(
                kind="material",
                year=2022,
                description="Ervaringsdeskundigen",
                amount_cents=4_500_000,
            ),
            BudgetLineInput(
                kind="material", year=2022, description="Evaluatie en delen", amount_cents=5_000_000
            ),
        ]
        await services.save_budget(applicant, row, authors, 9_500_000, lines)
        return required(await queries.proposal_row(network_id, proposal_id))

    async def step(row: ProposalRow, *actions: str) -> ProposalRow:
        for action in actions:
            current = required(await queries.proposal_row(network_id, row["id"]))
            by_author = action == "mark_ready"
            checks = checklist(
                await queries.facts_for(current, clock.now(), DEFAULT_THRESHOLDS_CENTS)
            )
            await services.transition(
                applicant if by_author else officer,
                current,
                {Actor.author} if by_author else {Actor.region_officer},
                action,
                checks,
                settings,
            )
        return required(await queries.proposal_row(network_id, row["id"]))

    await proposal("Gezinsgericht werken bij complexe scheidingen", 0, complete=False)
    await step(await proposal("Eén plan over de wetten heen", 0), "mark_ready")
    await step(await proposal("Jongerenpanel als vaste gesprekspartner", 1), "mark_ready", "submit")
    reviewed = await step(await proposal("Ervaringsnetwerk pleegouders", 1), "mark_ready", "submit")
    granted = await step(
        await proposal("Casusevaluaties met ouders en jongeren", 0), "mark_ready", "submit"
    )

    # The projectgroep's ervaringsdeskundige assesses; the projectgroep and the ambtelijk
    # overleg advise; the bestuurlijk overleg decides one of them.
    reviewer = await _principal("projectgroep@example.org")
    for row in (reviewed, granted):
        row["review_deadline"] = clock.now() + dt.timedelta(days=30)
        await review_services.assign(coordinator, row, reviewer.user_id, settings)
        review = required(
            await Review.select(Review.id)
            .where((Review.proposal == row["id"]) & (Review.reviewer == reviewer.user_id))
            .first()
        )
        full = required(await review_row(review["id"]))
        values, problems = parse_review(
            FormMultiDict(REVIEW), from_json(full.get("round_criteria")), True
        )
        assert not problems, problems
        await review_services.save_review(reviewer, full, values, True)
    current = required(await queries.proposal_row(network_id, granted["id"]))
    await review_services.record_advice(
        coordinator,
        current,
        AdviceInput(route.first.code, dt.date(2022, 5, 10), "PG-2022-05", "Positief advies."),
    )
    current = required(await queries.proposal_row(network_id, granted["id"]))
    await review_services.decide(
        coordinator,
        current,
        DecisionInput(
            outcome="granted",
            amount_cents=current["requested_amount_cents"],
            conditions="",
            reasons="",
            decision_date=dt.date(2022, 6, 2),
            reference="BO-2022-06",
            advice_date=dt.date(2022, 5, 24),
            advice_reference="AO-2022-05",
            shared_advice="De projectgroep was positief over de rol van ouders en jongeren.",
        ),
        settings,
    )
