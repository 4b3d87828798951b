"""Payment requests: the region officer of the project's region asks for an advance or an
instalment, never beyond what is committed and neither paid nor asked for; the coordinator
approves (booking the payment) or refuses with a reason; each request is decided once."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar.datastructures import FormMultiDict

from ledger.books.booking import LedgerRefused
from ledger.books.queries import figures_of_projects
from ledger.books.tables import Entry, PaymentRequest, Project
from ledger.projects import payment_requests as requests
from ledger.projects.payment_requests import RequestInput
from portal.accounts.tables import Network, OutboxMessage, Role
from tests import factories
from tests.ledger.conftest import Year
from tests.ledger.test_ledger_pages import as_user, granted_project
from tests.proposals.conftest import principal
from tests.web import post_form

FORM = {"project": "5", "kind": "advance", "amount": "800,00", "statement": "Start"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"project": "6"}, "project"),
        ({"project": "٥"}, "project"),
        ({"kind": "final"}, "kind"),
        ({"amount": "0"}, "amount"),
        ({"amount": "1,001"}, "amount"),
        ({"statement": ""}, "statement"),
    ],
)
def test_each_request_problem_on_its_field(changes: dict[str, str], field: str) -> None:
    data, errors = requests.parse_request(FormMultiDict({**FORM, **changes}), {5})
    assert data is None
    assert list(errors) == [field]


async def setting(year: Year) -> tuple[dict, int, int]:
    """A € 10.000 project of region A, its region officer and one of region B."""
    region_a = await factories.region(year.network)
    region_b = await factories.region(year.network)
    project = await granted_project(
        year,
        start=dt.date(2021, 1, 1),
        end=dt.date(2021, 12, 31),
        region=region_a,
        cents=1_000_000,
    )
    officer_a = await factories.member(
        year.network, Role.region_officer, email="regio-a@example.org", region_id=region_a
    )
    officer_b = await factories.member(year.network, Role.region_officer, region_id=region_b)
    return project, officer_a, officer_b


def ask(project: dict, cents: int) -> RequestInput:
    return RequestInput(project["id"], requests.PaymentRequestKind.advance, cents, "Start")


async def test_only_the_region_asks_and_never_beyond_the_room(year: Year) -> None:
    project, officer_a, officer_b = await setting(year)
    with pytest.raises(LedgerRefused, match="regio-indiener van de regio"):
        await requests.request_payment(await principal(officer_b), year.network, ask(project, 1))
    with pytest.raises(LedgerRefused, match="regio-indiener van de regio"):
        await requests.request_payment(await year.actor(), year.network, ask(project, 1))
    officer = await principal(officer_a)
    await requests.request_payment(officer, year.network, ask(project, 600_000))
    with pytest.raises(LedgerRefused, match=r"hoogstens € 4\.000,00.*al gevraagd € 6\.000,00"):
        await requests.request_payment(officer, year.network, ask(project, 400_001))
    await requests.request_payment(officer, year.network, ask(project, 400_000))
    assert await PaymentRequest.count() == 2
    await Project.update({Project.settled_on: dt.date(2022, 4, 1)}).where(
        Project.id == project["id"]
    )
    with pytest.raises(LedgerRefused, match="vastgesteld"):
        await requests.request_payment(officer, year.network, ask(project, 1))


async def test_approval_books_the_payment_once_and_tells_the_region(year: Year) -> None:
    project, officer_a, _ = await setting(year)
    request_id = await requests.request_payment(
        await principal(officer_a), year.network, ask(project, 800_000)
    )
    coordinator = await year.actor()
    with pytest.raises(LedgerRefused, match="kenmerk"):
        await requests.decide(coordinator, year.network, request_id, requests.APPROVE, "", "")
    state = await requests.decide(
        coordinator, year.network, request_id, requests.APPROVE, "BET-1", ""
    )
    assert state == "approved"
    figures = (await figures_of_projects(year.budget_year, [project["id"]]))[project["id"]]
    assert figures.paid == 800_000
    (row,) = await PaymentRequest.select(PaymentRequest.state, PaymentRequest.payment)
    payment = await Entry.select(Entry.kind).where(Entry.id == row["payment"]).first()
    assert payment == {"kind": "advance_payment"}
    with pytest.raises(LedgerRefused, match="al goedgekeurd"):
        await requests.decide(coordinator, year.network, request_id, requests.REFUSE, "", "Nee")
    mails = await OutboxMessage.select(OutboxMessage.subject).where(
        OutboxMessage.recipient == "regio-a@example.org"
    )
    assert [m["subject"] for m in mails] == [f"Uw betaalverzoek: {project['title']}"]


async def test_a_refusal_gives_its_reason_and_books_nothing(year: Year) -> None:
    project, officer_a, _ = await setting(year)
    request_id = await requests.request_payment(
        await principal(officer_a), year.network, ask(project, 800_000)
    )
    coordinator = await year.actor()
    with pytest.raises(LedgerRefused, match="reden"):
        await requests.decide(coordinator, year.network, request_id, requests.REFUSE, "", "")
    with pytest.raises(LedgerRefused, match="bestaat niet"):
        await requests.decide(coordinator, year.network + 1, request_id, requests.REFUSE, "", "Nee")
    await requests.decide(coordinator, year.network, request_id, requests.REFUSE, "", "Te vroeg")
    assert await Entry.count().where(Entry.kind == "advance_payment") == 0
    (row,) = await PaymentRequest.select(PaymentRequest.state, PaymentRequest.decision_note)
    assert row == {"state": "refused", "decision_note": "Te vroeg"}


async def test_the_pages(client, year: Year) -> None:
    project, officer_a, officer_b = await setting(year)
    other = await granted_project(
        year,
        start=dt.date(2021, 1, 1),
        end=dt.date(2021, 12, 31),
        region=(await Project.select(Project.region_id).where(Project.id == project["id"]))[0][
            "region_id"
        ]
        + 1,
        title="Ander project",
    )
    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    base = f"/n/{slug}/betaalverzoeken"
    await as_user(client, officer_a)
    form = await client.get(f"{base}/nieuw")
    assert project["title"] in form.text and other["title"] not in form.text
    typed = {**FORM, "project": str(project["id"]), "amount": "20.000,00"}
    refused = await post_form(client, f"{base}/nieuw", typed)
    assert refused.status_code == 422
    assert "hoogstens € 10.000,00" in refused.text and 'value="20.000,00"' in refused.text
    sent = await post_form(client, f"{base}/nieuw", {**typed, "amount": "800,00"})
    assert sent.status_code == 303
    # Another region's officer does not see it.
    await as_user(client, officer_b)
    assert project["title"] not in (await client.get(base)).text
    await as_user(client, year.coordinator)
    listed = await client.get(base)
    assert 'data-state="requested"' in listed.text and "Start" in listed.text
    (row,) = await PaymentRequest.select(PaymentRequest.id)
    decided = await post_form(
        client,
        f"{base}/{row['id']}/beoordelen",
        {"decision": "goedkeuren", "document_reference": "BET-1", "note": ""},
    )
    assert decided.status_code == 303
    listed = await client.get(base)
    assert "Het verzoek is goedgekeurd en de betaling is geboekt." in listed.text
    assert 'data-state="approved"' in listed.text
