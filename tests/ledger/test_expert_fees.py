"""Expert fees (vacatiegeldregeling, line d): claims at the scheme's rate, never beyond what the
scheme was allocated, paid in batches that book the spending and the payment at once."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar.datastructures import FormMultiDict

from ledger.books import services
from ledger.books.booking import LedgerRefused
from ledger.books.queries import figures_of_projects
from ledger.books.tables import Entry, ExpertClaim, Project
from ledger.projects import allocations, expert_fees
from ledger.projects.allocation_forms import AllocationInput
from ledger.projects.expert_fees import ClaimInput
from portal.accounts.tables import Network
from tests.ledger.conftest import Year
from tests.ledger.test_ledger_pages import as_user, granted_project
from tests.web import post_form


@pytest.mark.parametrize(
    ("minutes", "rate", "cents"),
    [(60, 5_000, 5_000), (90, 5_000, 7_500), (1, 5_000, 83), (1, 3_030, 51), (20, 1, 0)],
)
def test_a_fee_is_hours_times_rate_to_the_cent_half_up(minutes: int, rate: int, cents: int) -> None:
    assert expert_fees.fee_cents(minutes, rate) == cents


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("3", 180), ("1,5", 90), ("1.5", 90), ("0,25", 15), ("2,1", 126), (" 24 ", 1440)],
)
def test_hours_in_dutch(text: str, minutes: int) -> None:
    assert expert_fees.parse_minutes(text) == minutes
    assert expert_fees.parse_minutes(expert_fees.format_hours(minutes)) == minutes


@pytest.mark.parametrize("text", ["", "1,333", "1,33", "-1", "٣", "1e2", "100", "1,5 uur"])
def test_hours_that_are_not_whole_minutes_or_not_numbers(text: str) -> None:
    assert expert_fees.parse_minutes(text) is None


CLAIM = {
    "expert_name": "Dr. A. de Vries",
    "work_date": "2021-03-01",
    "hours": "1,5",
    "description": "Consultatie expertteam",
}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"expert_name": ""}, "expert_name"),
        ({"work_date": ""}, "work_date"),
        ({"work_date": "2021-06-02"}, "work_date"),
        ({"hours": "0"}, "hours"),
        ({"hours": "24,5"}, "hours"),
        ({"hours": "-2"}, "hours"),
        ({"description": ""}, "description"),
    ],
)
def test_each_claim_problem_on_its_field(changes: dict[str, str], field: str) -> None:
    claim, errors = expert_fees.parse_claim(
        FormMultiDict({**CLAIM, **changes}), dt.date(2021, 6, 1)
    )
    assert claim is None
    assert list(errors) == [field]


async def scheme(year: Year, cents: int = 100_000, rate: int | None = 5_000) -> int:
    actor = await year.actor()
    await services.move(
        actor,
        year.network,
        year.budget_year,
        "transfer",
        year.accounts["process_a"],
        year.accounts["process_d"],
        cents,
        "Vacatiegeld",
        "",
    )
    project_id = await allocations.allocate(
        actor,
        year.network,
        year.budget_year,
        AllocationInput(
            title="Vacatiegeldregeling 2021",
            account_id=year.accounts["process_d"],
            organisation_id=None,
            region_id=None,
            recipient="Experts van het netwerk",
            recipient_kvk="",
            amount_cents=cents,
            start_date=dt.date(2021, 1, 1),
            end_date=dt.date(2021, 12, 31),
            decision_reference="VAC-2021",
            decision_date=dt.date(2021, 1, 15),
            decided_by="College van B&W Rotterdam",
        ),
    )
    if rate is not None:
        await expert_fees.set_rate(actor, year.network, project_id, rate)
    return project_id


def claim(minutes: int = 90, name: str = "Dr. A. de Vries") -> ClaimInput:
    return ClaimInput(name, dt.date(2021, 3, 1), minutes, "Consultatie expertteam")


async def test_claims_up_to_the_allocation_and_not_a_cent_beyond(year: Year) -> None:
    project_id = await scheme(year, cents=100_000, rate=5_000)  # € 1.000 at € 50 an hour
    actor = await year.actor()
    for _ in range(6):  # 6 × 3 hours = € 900
        await expert_fees.add_claim(actor, year.network, project_id, claim(180))
    with pytest.raises(LedgerRefused, match="ruimte € 100,00"):
        await expert_fees.add_claim(actor, year.network, project_id, claim(121))
    await expert_fees.add_claim(actor, year.network, project_id, claim(120))  # exactly € 100
    assert await ExpertClaim.count() == 7
    with pytest.raises(LedgerRefused, match="ruimte € 0,00"):
        await expert_fees.add_claim(actor, year.network, project_id, claim(1))


async def test_a_claim_keeps_the_rate_it_was_made_at(year: Year) -> None:
    project_id = await scheme(year, rate=5_000)
    actor = await year.actor()
    await expert_fees.add_claim(actor, year.network, project_id, claim(60))
    await expert_fees.set_rate(actor, year.network, project_id, 6_000)
    await expert_fees.add_claim(actor, year.network, project_id, claim(60))
    rows = await ExpertClaim.select(ExpertClaim.rate_cents, ExpertClaim.amount_cents).order_by(
        ExpertClaim.id
    )
    assert [(r["rate_cents"], r["amount_cents"]) for r in rows] == [(5_000, 5_000), (6_000, 6_000)]


async def test_no_claim_without_a_rate_nor_on_another_line(year: Year) -> None:
    project_id = await scheme(year, rate=None)
    actor = await year.actor()
    with pytest.raises(LedgerRefused, match="uurtarief"):
        await expert_fees.add_claim(actor, year.network, project_id, claim())
    grant = await granted_project(
        year, start=dt.date(2021, 1, 1), end=dt.date(2021, 12, 31), region=None
    )
    with pytest.raises(LedgerRefused, match="geen vacatiegeldregeling"):
        await expert_fees.set_rate(actor, year.network, grant["id"], 5_000)
    with pytest.raises(LedgerRefused, match="geen vacatiegeldregeling"):
        await expert_fees.add_claim(actor, year.network + 1, project_id, claim())
    assert await ExpertClaim.count() == 0


async def test_a_batch_books_spent_and_paid_once(year: Year) -> None:
    project_id = await scheme(year)
    actor = await year.actor()
    await expert_fees.add_claim(actor, year.network, project_id, claim(90))  # € 75
    await expert_fees.add_claim(actor, year.network, project_id, claim(60, "Drs. B. Jansen"))
    count, total = await expert_fees.pay_open_claims(actor, year.network, project_id, "BET-7")
    assert (count, total) == (2, 12_500)
    figures = (await figures_of_projects(year.budget_year, [project_id]))[project_id]
    assert (figures.paid, figures.realised) == (12_500, 12_500)
    payment = await Entry.select(Entry.id).where(Entry.kind == "final_payment").first()
    assert payment is not None
    assert {c["paid_by"] for c in await ExpertClaim.select(ExpertClaim.paid_by)} == {payment["id"]}
    with pytest.raises(LedgerRefused, match="geen openstaande"):
        await expert_fees.pay_open_claims(actor, year.network, project_id, "BET-8")
    await expert_fees.add_claim(actor, year.network, project_id, claim(60))
    assert await expert_fees.pay_open_claims(actor, year.network, project_id, "BET-8") == (
        1,
        5_000,
    )


async def test_a_settled_scheme_takes_nothing_more(year: Year) -> None:
    project_id = await scheme(year)
    await Project.update({Project.settled_on: dt.date(2022, 4, 1)}).where(Project.id == project_id)
    with pytest.raises(LedgerRefused, match="vastgesteld"):
        await expert_fees.add_claim(await year.actor(), year.network, project_id, claim())


async def test_the_page(client, year: Year) -> None:
    project_id = await scheme(year)
    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    await as_user(client, year.coordinator)
    base = f"/n/{slug}/begroting/projecten/{project_id}/vacatiegeld"
    page = await client.get(base)
    assert page.status_code == 200
    assert 'data-figure="room">€ 1.000,00' in page.text
    assert 'data-figure="rate">€ 50,00' in page.text
    refused = await post_form(client, f"{base}/declaraties", {**CLAIM, "hours": "1,333"})
    assert refused.status_code == 422
    assert "in hele minuten" in refused.text and 'value="Dr. A. de Vries"' in refused.text
    done = await post_form(client, f"{base}/declaraties", CLAIM)
    assert done.status_code == 303 and done.headers["location"] == base
    page = await client.get(base)
    assert "De declaratie van Dr. A. de Vries is vastgelegd." in page.text
    assert 'data-figure="open">€ 75,00' in page.text and "1,5" in page.text
    paid = await post_form(client, f"{base}/uitbetalen", {"document_reference": "BET-1"})
    assert paid.status_code == 303
    page = await client.get(base)
    assert "1 declaratie(s) betaald: € 75,00." in page.text
    assert 'data-figure="open">€ 0,00' in page.text
    grant = await granted_project(
        year, start=dt.date(2021, 1, 1), end=dt.date(2021, 12, 31), region=None
    )
    other = await client.get(f"/n/{slug}/begroting/projecten/{grant['id']}/vacatiegeld")
    assert other.status_code == 404
