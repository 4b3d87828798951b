"""Demo data of the ledger: Zuid-West 2020 as allocated in Bijlage 4 of the inrichtingsplan
(0 % reserves, € 1.710.000 in six allocations), and 2021 divided over the four categories with
its reserves, one proposal granted through review and paid its advance, and 2020 reports."""

from __future__ import annotations

import datetime as dt

from litestar.datastructures import FormMultiDict

from ledger.books import queries, services
from ledger.books.rows import ProjectRow
from ledger.projects import allocations, reports
from ledger.projects.allocation_forms import AllocationInput
from portal.accounts.tables import Network, User
from portal.demo.proposals import _principal
from portal.lib import clock
from portal.lib.db import required
from portal.lib.settings import Settings
from proposals import queries as proposal_queries
from proposals import services as proposal_services
from proposals.criteria import from_json
from proposals.tables import Proposal
from review import services as review_services
from review.forms import AdviceInput, DecisionInput, parse_review
from review.tables import Review

# Bijlage 4: begroting middelen 2020 (youth region or recipient, project, budget in cents).
BIJLAGE_4 = [
    (
        "Midden-Holland",
        "PAST, harmonicavoorziening, innovatie verblijfszorg in de regio (VIDEO)",
        44_664_400,
    ),
    (
        "Midden-Holland",
        "Project Mockingbird (innovatie pleegzorg als onderdeel van programma Gewoon Thuis Jeugd)",
        28_500_000,
    ),
    ("Midden-Holland", "Project Jongvolwassenen Midden-Holland", 4_500_000),
    ("Haaglanden", "Ombuigcoördinator", 8_000_000),
    (
        "Timon",
        "Projecten Timon (doorgaande zorglijn 18-/18+, groepsaanpak steekincidenten, "
        "overgang gesloten naar open, forensische pot, LIV-doelgroep)",
        75_105_600,
    ),
]
# Bijlage 4's short names, as the network's organisations are called in the portal.
RECIPIENT_NAMES = {"Gem. Rotterdam": "Gemeente Rotterdam"}
PROCESS_2020 = (
    "Gem. Rotterdam",
    "Coördinatie-/proceskosten (uren voorzitters RET's, projectleiding en projectondersteuning)",
    10_230_000,
)
# A reviewer's answers on Zuid-West's set, as the review form's fields (forms.parse_review).
REVIEW_FORM = {
    "c1": "4",
    "c2": "5",
    "c3": "4",
    "c4": "4",
    "c1_motivation": "Sluit aan op de Jeugdwet.",
    "c2_motivation": "Speelt in alle regio's.",
    "c3_motivation": "Consultatie en advies.",
    "c4_motivation": "Samenhangend.",
    "r1": "voldoet",
    "r3": "voldoet",
    "r4": "voldoet",
    "recommendation": "toekennen",
    "advice": "Sterk, bovenregionaal voorstel.",
}


async def load(settings: Settings) -> None:
    network = required(await Network.select().where(Network.slug == "zuid-west").first())
    coordinator = await _principal("coordinator@example.org")
    await _year_2020(network, coordinator)
    await _year_2021(network, coordinator, settings)


async def _year_2020(network: dict, coordinator) -> None:
    year_id, problems = await services.create_budget_year(
        coordinator, network["id"], 2020, 171_000_000, "SPUK 2020 Zuid-West"
    )
    assert year_id is not None, problems
    round_id, problems = await proposal_services.save_round(
        coordinator,
        network["id"],
        proposal_services.RoundInput(
            budget_year_id=year_id,
            title="Toewijzingen 2020 (Bijlage 4, vóór het portaal)",
            opens_at=dt.datetime(2020, 9, 1, tzinfo=dt.UTC),
            closes_at=dt.datetime(2020, 11, 1, tzinfo=dt.UTC),
            attachment_limit_mb=10,
            themes=[
                proposal_services.ThemeInput(None, "Bovenregionale projecten 2020", "", 160_770_000)
            ],
        ),
    )
    assert not problems, problems
    assert round_id is not None
    (theme,) = await proposal_queries.themes_of(round_id)
    problems = await services.set_up_year(
        coordinator,
        network["id"],
        year_id,
        services.SetupInput(
            process_cents={"process_a": PROCESS_2020[2]},
            theme_cents={theme["id"]: 160_770_000},
            theme_names={theme["id"]: theme["name"]},
            themes_reserve_cents=0,
            learning_cents=0,
            unforeseen_cents=0,
            unforeseen_reserve_bp=0,
            themes_reserve_bp=0,
        ),
    )
    assert not problems, problems
    accounts = {a["code"]: a["id"] for a in await queries.accounts_of(year_id)}
    decided = dt.date(2020, 12, 1)
    recipients = await allocations.recipients_of(network["id"])
    project_ids = []
    for recipient, title, cents in [*BIJLAGE_4, PROCESS_2020]:
        account = (
            accounts["process_a"]
            if recipient == "Gem. Rotterdam"
            else (accounts[f"theme_{theme['id']}"])
        )
        (recipient_choice,) = [
            r for r in recipients.values() if r.name == RECIPIENT_NAMES.get(recipient, recipient)
        ]
        project_ids.append(
            await allocations.allocate(
                coordinator,
                network["id"],
                year_id,
                AllocationInput(
                    title=title,
                    account_id=account,
                    organisation_id=recipient_choice.organisation_id,
                    region_id=recipient_choice.region_id,
                    recipient=recipient_choice.name,
                    recipient_kvk="",
                    amount_cents=cents,
                    start_date=decided,
                    end_date=dt.date(2020, 12, 31),
                    decision_reference="Inrichtingsplan Bijlage 4",
                    decision_date=decided,
                    decided_by="College van B&W Rotterdam",
                ),
            )
        )
    for project_id in project_ids:
        project = required(await queries.project_row(network["id"], project_id))
        _, figures = await queries.year_figures(year_id)
        advance = figures[project_id].committed * 8 // 10
        await services.pay(coordinator, project, "advance_payment", advance, "Voorschot 2020")
    # The Ombuigcoördinator reported and was settled: spent € 76.500 of € 80.000.
    ombuig = project_ids[3]
    (listed,) = [
        r for r in await reports.reports_of_network(network["id"]) if r["project"] == ombuig
    ]
    report = required(await reports.report_row(network["id"], listed["id"]))
    # By the region officer of Haaglanden, whose project it is (reports.may_hand_in).
    problems = await reports.submit_report(
        await _principal("regio-haaglanden@example.org"),
        report,
        reports.ReportInput(
            results=[
                {
                    "goal": "Ombuigen van zware zorg naar passende hulp",
                    "result": "Twaalf trajecten omgebogen; vaste werkwijze met de regio.",
                }
            ],
            realised_lines=[
                {
                    "description": "Ombuigcoördinator",
                    "budget_cents": 8_000_000,
                    "realised_cents": 7_650_000,
                }
            ],
            lessons_worked="Eén vast aanspreekpunt voor alle partijen.",
            lessons_not_worked="Te laat betrekken van het onderwijs.",
            lessons_for_others="Begin met een gedeelde casusbespreking.",
            preconditions_met=True,
        ),
    )
    assert not problems, problems
    report = required(await reports.report_row(network["id"], report["id"]))
    await reports.accept_report(coordinator, report)


async def _year_2021(network: dict, coordinator, settings: Settings) -> None:
    years = {y["year"]: y for y in await services.budget_years_of(network["id"])}
    year = years[2021]
    rounds = [
        r for r in await proposal_queries.rounds_of(network["id"]) if r["budget_year"] == year["id"]
    ]
    themes = await proposal_queries.themes_of(rounds[0]["id"])
    problems = await services.set_up_year(
        coordinator,
        network["id"],
        year["id"],
        services.SetupInput(
            process_cents={
                "process_a": 30_000_000,
                "process_b": 25_000_000,
                "process_c": 15_000_000,
                "process_d": 10_334_200,
                "process_e": 5_000_000,
            },
            theme_cents={t["id"]: 72_000_000 for t in themes},
            theme_names={t["id"]: t["name"] for t in themes},
            themes_reserve_cents=32_000_000,
            learning_cents=15_900_000,
            unforeseen_cents=46_803_800,
            unforeseen_reserve_bp=1000,
            themes_reserve_bp=1000,
        ),
    )
    assert not problems, problems
    # One proposal through the whole review: two reviews, advice, a grant, an advance.
    row = required(
        await Proposal.select(Proposal.id)
        .where(Proposal.title == "Expertpool hoogspecialistische zorgvragen")
        .first()
    )
    proposal = required(await proposal_queries.proposal_row(network["id"], row["id"]))
    proposal["review_deadline"] = clock.now() + dt.timedelta(days=45)
    for email in ("ao@example.org", "voorzitter@example.org"):
        reviewer = required(await User.select(User.id).where(User.email == email).first())
        proposal = required(await proposal_queries.proposal_row(network["id"], row["id"]))
        proposal["review_deadline"] = clock.now() + dt.timedelta(days=45)
        await review_services.assign(coordinator, proposal, reviewer["id"], settings)
        review = required(
            await Review.select(Review.id)
            .where((Review.proposal == row["id"]) & (Review.reviewer == reviewer["id"]))
            .first()
        )
        from review.queries import review_row

        full = required(await review_row(review["id"]))
        values, problems = parse_review(
            FormMultiDict(REVIEW_FORM), from_json(full.get("round_criteria")), True
        )
        assert not problems, problems
        await review_services.save_review(await _principal(email), full, values, True)
    proposal = required(await proposal_queries.proposal_row(network["id"], row["id"]))
    await review_services.record_advice(
        coordinator,
        proposal,
        AdviceInput("ao_chairs", dt.date(2021, 10, 14), "AO-2021-10", "Positief advies."),
    )
    proposal = required(await proposal_queries.proposal_row(network["id"], row["id"]))
    await review_services.decide(
        coordinator,
        proposal,
        DecisionInput(
            outcome="granted",
            amount_cents=proposal["requested_amount_cents"],
            conditions="",
            reasons="",
            decision_date=dt.date(2021, 11, 1),
            reference="RTD-2021-11-07",
            advice_date=dt.date(2021, 10, 21),
            advice_reference="BA-2021-4",
            shared_advice="De beoordelaars waren positief over de bovenregionale aanpak.",
        ),
        settings,
    )
    project = required(await queries.project_by_proposal(row["id"]))
    project = required(await queries.project_row(network["id"], project["id"]))
    _, figures = await queries.year_figures(year["id"])
    committed = figures[project["id"]].committed
    # Its schedule of instalments: 80 % at the grant, paid; the rest from December.
    from ledger.books.tables import InstalmentCondition
    from ledger.projects import instalments

    advance = await instalments.add_instalment(
        coordinator,
        network["id"],
        project["id"],
        instalments.InstalmentInput(
            "Voorschot bij verlening (80 %)", committed * 8 // 10, InstalmentCondition.none, None
        ),
    )
    await instalments.add_instalment(
        coordinator,
        network["id"],
        project["id"],
        instalments.InstalmentInput(
            "Restant 2021",
            committed - committed * 8 // 10,
            InstalmentCondition.none,
            dt.date(2021, 12, 1),
        ),
    )
    await instalments.pay_instalment(
        coordinator, network["id"], advance, "Voorschot 2021-07", dt.date(2021, 11, 8)
    )
    await _money_outside_rounds_2021(network, coordinator, year, project)
    # The Expertpool's budget runs into 2022 and Zuid-West commits each year's part in that
    # year's budget: € 26.600 in 2021, € 249.500 waiting for 2022. The SPUK for 2022 is
    # reserved (H7: € 4.850.000), the year is not divided yet: its division page asks for at
    # least that much for continuing grants, and dividing books it.
    _, problems = await services.create_budget_year(
        coordinator, network["id"], 2022, 485_000_000, "SPUK 2022 Zuid-West (gereserveerd)"
    )
    assert not problems, problems


# The process costs and learning and development of 2021, allocated as the coordinator does it
# on the allocation page (every line whole), the expert-fee scheme with its claims, a change
# between budget lines and a payment request of Midden-Holland for the granted project.
ALLOCATIONS_2021 = [
    ("process_a", "Projectleider 2021", "organisatie:Gemeente Rotterdam"),
    ("process_b", "Uren voorzitters expertteams 2021", "organisatie:Gemeente Rotterdam"),
    ("process_c", "Uren deelnemers bouwteams 2021", "organisatie:Gemeente Rotterdam"),
    ("process_d", "Vacatiegeldregeling 2021", "organisatie:Gemeente Rotterdam"),
    ("process_e", "Communicatie 2021", "organisatie:Gemeente Rotterdam"),
    ("learning", "Onderzoek casusregister 2021", "organisatie:Kenniswerkplaats Jeugd Zuid-West"),
]
FEE_CLAIMS = [
    ("Dr. A. de Vries", dt.date(2021, 3, 4), 180, "Consultatie expertteam Haaglanden"),
    ("Drs. B. Jansen", dt.date(2021, 5, 12), 90, "Meedenken in bouwteam Midden-Holland"),
    ("Dr. A. de Vries", dt.date(2021, 11, 18), 120, "Leerbijeenkomst expertteams"),
]


async def _money_outside_rounds_2021(
    network: dict, coordinator, year: dict, granted: ProjectRow
) -> None:
    from ledger.projects import changes, expert_fees, payment_requests
    from ledger.projects.changes import ChangeInput
    from ledger.projects.expert_fees import ClaimInput

    recipients = {
        f"organisatie:{r.name}": r
        for r in (await allocations.recipients_of(network["id"])).values()
        if r.organisation_id
    }
    accounts = {a["code"]: a for a in await queries.accounts_of(year["id"])}
    figures, _ = await queries.year_figures(year["id"])
    made: dict[str, int] = {}
    for code, title, recipient in ALLOCATIONS_2021:
        who = recipients[recipient]
        account = accounts[code]
        made[code] = await allocations.allocate(
            coordinator,
            network["id"],
            year["id"],
            AllocationInput(
                title=title,
                account_id=account["id"],
                organisation_id=who.organisation_id,
                region_id=who.region_id,
                recipient=who.name,
                recipient_kvk="",
                amount_cents=figures[account["id"]].available,
                start_date=dt.date(2021, 1, 1),
                end_date=dt.date(2021, 12, 31),
                decision_reference=f"BW-2021-{len(made) + 1:02d}",
                decision_date=dt.date(2021, 1, 26),
                decided_by="College van B&W Rotterdam",
            ),
        )
    scheme = made["process_d"]
    await expert_fees.set_rate(coordinator, network["id"], scheme, 7_500)
    for name, day, minutes, what in FEE_CLAIMS:
        await expert_fees.add_claim(
            coordinator, network["id"], scheme, ClaimInput(name, day, minutes, what)
        )
        if day.month == 5:  # the first two paid in June, the last one still open
            await expert_fees.pay_open_claims(coordinator, network["id"], scheme, "VAC-2021-06")
    officer = await _principal("regio@example.org")
    change_id = await changes.request_change(
        officer,
        network["id"],
        ChangeInput(
            granted["id"],
            changes.ChangeKind.budget_shift,
            None,
            None,
            "Minder inzet van het expertteam, meer vacatiegeld: € 20.000 van 'Inzet "
            "expertteam' naar 'Vacatiegelden experts' in 2022; het totaal blijft gelijk.",
        ),
    )
    await changes.decide(coordinator, network["id"], change_id, changes.APPROVE, "WB-2022-03", "")
    from ledger.projects.instalments import open_instalments

    (rest,) = await open_instalments([granted["id"]])
    await payment_requests.request_payment(
        officer,
        network["id"],
        payment_requests.RequestInput(
            granted["id"],
            payment_requests.PaymentRequestKind.instalment,
            rest["amount_cents"],
            "Restant van het deel 2021: de expertpool draait sinds september in drie regio's; "
            "de bestede uren staan in de bijgevoegde urenstaat.",
            rest["id"],
        ),
    )
