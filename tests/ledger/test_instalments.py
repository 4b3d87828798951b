"""A grant's schedule of instalments (betaalschema): never more than the commitment, an
instalment paid once and only when its condition is met, by the coordinator or on the region's
payment request for it. The rules without a database; the services and pages on both."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from litestar.datastructures import FormMultiDict

from ledger.books.booking import LedgerRefused
from ledger.books.tables import (
    Entry,
    Instalment,
    InstalmentCondition,
    PaymentRequest,
    PaymentRequestKind,
    PaymentRequestState,
    Report,
)
from ledger.projects import instalments
from ledger.projects import payment_requests as requests
from ledger.projects.instalments import InstalmentInput, condition_problem, parse_instalment
from portal.accounts.tables import AuditEvent, Network
from portal.lib.db import required
from tests.ledger.conftest import Year
from tests.ledger.test_ledger_pages import as_user
from tests.ledger.test_payment_requests import setting
from tests.proposals.conftest import principal
from tests.web import post_form

TODAY = dt.date(2021, 9, 1)


# --- rules, pure --------------------------------------------------------------------------------


def test_an_instalment_without_condition_is_payable_at_once() -> None:
    assert condition_problem("none", None, [], TODAY) is None


def test_an_instalment_waits_for_its_date() -> None:
    later = dt.date(2021, 10, 1)
    assert condition_problem("none", later, [], TODAY) == (
        "Deze termijn wordt niet vóór 1 oktober 2021 betaald."
    )
    assert condition_problem("none", later, [], later) is None


@pytest.mark.parametrize(
    ("condition", "states", "payable"),
    [
        ("report_submitted", [], False),
        ("report_submitted", ["due"], False),
        ("report_submitted", ["returned"], False),
        ("report_submitted", ["due", "submitted"], True),
        ("report_submitted", ["accepted"], True),
        ("report_accepted", ["submitted"], False),
        ("report_accepted", ["due", "accepted"], True),
    ],
)
def test_an_instalment_waits_for_its_report(
    condition: str, states: list[str], payable: bool
) -> None:
    assert (condition_problem(condition, None, states, TODAY) is None) == payable


def test_the_instalment_form_says_each_problem_on_its_field() -> None:
    data, errors = parse_instalment(
        FormMultiDict({"description": "", "amount": "-5", "condition": "x", "not_before": "31-2"})
    )
    assert data is None
    assert set(errors) == {"description", "amount", "condition", "not_before"}
    data, errors = parse_instalment(
        FormMultiDict(
            {
                "description": "Tweede termijn",
                "amount": "2.000,00",
                "condition": "report_submitted",
                "not_before": "1-7-2021",
            }
        )
    )
    assert errors == {}
    assert data == InstalmentInput(
        "Tweede termijn", 200_000, InstalmentCondition.report_submitted, dt.date(2021, 7, 1)
    )


# --- services, on both databases ----------------------------------------------------------------


def termijn(cents: int, condition: str = "none", description: str = "Termijn") -> InstalmentInput:
    return InstalmentInput(description, cents, InstalmentCondition(condition), None)


async def _paid(project_id: int) -> int:
    rows = await Entry.select(Entry.amount_cents, Entry.sign).where(
        (Entry.project == project_id) & (Entry.kind == "advance_payment")
    )
    return sum(r["amount_cents"] * r["sign"] for r in rows)


async def test_the_schedule_never_promises_more_than_the_commitment(year: Year) -> None:
    project, _, _ = await setting(year)
    actor = await year.actor()
    first = await instalments.add_instalment(actor, year.network, project["id"], termijn(800_000))
    with pytest.raises(LedgerRefused, match=r"er past nog € 2\.000,00 in"):
        await instalments.add_instalment(actor, year.network, project["id"], termijn(200_001))
    second = await instalments.add_instalment(
        actor, year.network, project["id"], termijn(200_000, "report_submitted")
    )
    schedule = await instalments.schedule_of(project["id"])
    assert [(i["id"], i["number"]) for i in schedule] == [(first, 1), (second, 2)]
    assert await AuditEvent.count().where(AuditEvent.action == "instalment_added") == 2


async def test_an_instalment_is_paid_once_and_only_when_its_condition_is_met(year: Year) -> None:
    project, _, _ = await setting(year)
    actor = await year.actor()
    tied = await instalments.add_instalment(
        actor, year.network, project["id"], termijn(200_000, "report_submitted", "Na verslag")
    )
    with pytest.raises(LedgerRefused, match="nadat de regio een verslag heeft ingediend"):
        await instalments.pay_instalment(actor, year.network, tied, "F-1", TODAY)
    assert await _paid(project["id"]) == 0
    with pytest.raises(LedgerRefused, match="kenmerk"):
        await instalments.pay_instalment(actor, year.network, tied, "", TODAY)
    await Report.update({Report.state: "submitted"}).where(Report.project == project["id"])
    await instalments.pay_instalment(actor, year.network, tied, "F-1", TODAY)
    assert await _paid(project["id"]) == 200_000
    row = required(await Instalment.select().where(Instalment.id == tied).first())
    entry = required(await Entry.select().where(Entry.id == row["payment"]).first())
    assert entry["reason"] == "Termijn 1: Na verslag" and entry["document_reference"] == "F-1"
    with pytest.raises(LedgerRefused, match="al betaald"):
        await instalments.pay_instalment(actor, year.network, tied, "F-2", TODAY)
    with pytest.raises(LedgerRefused, match="al betaald"):
        await instalments.remove_instalment(actor, year.network, tied)
    assert await _paid(project["id"]) == 200_000


async def test_an_instalment_paid_twice_at_once_is_paid_once(year: Year) -> None:
    project, _, _ = await setting(year)
    actor = await year.actor()
    tied = await instalments.add_instalment(actor, year.network, project["id"], termijn(300_000))
    results = await asyncio.gather(
        *(instalments.pay_instalment(actor, year.network, tied, f"F-{i}", TODAY) for i in range(5)),
        return_exceptions=True,
    )
    assert sum(r is None for r in results) == 1
    assert all(isinstance(r, LedgerRefused) for r in results if r is not None)
    assert await _paid(project["id"]) == 300_000


async def test_an_open_instalment_can_be_removed_and_not_from_another_network(
    year: Year,
) -> None:
    project, _, _ = await setting(year)
    actor = await year.actor()
    tied = await instalments.add_instalment(actor, year.network, project["id"], termijn(100_000))
    other = await Network.insert(Network(name="Ander", slug="ander", coordinating_municipality="X"))
    with pytest.raises(LedgerRefused, match="bestaat niet in dit netwerk"):
        await instalments.remove_instalment(actor, other[0]["id"], tied)
    await instalments.remove_instalment(actor, year.network, tied)
    assert await Instalment.count() == 0


async def test_the_region_asks_for_a_termijn_and_approval_pays_it(year: Year) -> None:
    project, officer_a, _ = await setting(year)
    actor = await year.actor()
    tied = await instalments.add_instalment(
        actor, year.network, project["id"], termijn(250_000, "report_submitted", "Tweede")
    )
    officer = await principal(officer_a)
    wish = requests.RequestInput(
        project["id"], PaymentRequestKind.instalment, 250_000, "Verslag is in", tied
    )
    with pytest.raises(LedgerRefused, match="nadat de regio een verslag heeft ingediend"):
        await requests.request_payment(officer, year.network, wish)
    await Report.update({Report.state: "submitted"}).where(Report.project == project["id"])
    request_id = await requests.request_payment(officer, year.network, wish)
    with pytest.raises(LedgerRefused, match="al gevraagd"):
        await requests.request_payment(officer, year.network, wish)
    with pytest.raises(LedgerRefused, match="keur het betaalverzoek goed"):
        await instalments.pay_instalment(actor, year.network, tied, "F-1", TODAY)
    state = await requests.decide(actor, year.network, request_id, requests.APPROVE, "F-9", "")
    assert state == PaymentRequestState.approved
    row = required(await Instalment.select().where(Instalment.id == tied).first())
    request = required(await PaymentRequest.select().where(PaymentRequest.id == request_id).first())
    assert row["payment"] is not None and request["payment"] == row["payment"]
    assert await _paid(project["id"]) == 250_000


async def test_the_request_form_offers_the_open_termijnen(year: Year) -> None:
    project, _, _ = await setting(year)
    tied = await instalments.add_instalment(
        await year.actor(), year.network, project["id"], termijn(250_000)
    )
    open_ones = {i["id"]: i for i in await instalments.open_instalments([project["id"]])}
    data, errors = requests.parse_request(
        FormMultiDict({"instalment": str(tied), "statement": "Graag"}), {project["id"]}, open_ones
    )
    assert errors == {}
    assert data is not None
    assert (data.project_id, data.kind, data.amount_cents, data.instalment_id) == (
        project["id"],
        PaymentRequestKind.instalment,
        250_000,
        tied,
    )
    _, errors = requests.parse_request(
        FormMultiDict({"instalment": "999", "statement": "Graag"}), {project["id"]}, open_ones
    )
    assert "instalment" in errors


# --- the page -----------------------------------------------------------------------------------


async def test_the_project_page_keeps_the_schedule(client, year: Year) -> None:
    project, _, _ = await setting(year)
    slug = required(await Network.select(Network.slug).where(Network.id == year.network).first())[
        "slug"
    ]
    await as_user(client, year.coordinator)
    address = f"/n/{slug}/begroting/projecten/{project['id']}"
    typed = {
        "description": "Tweede termijn",
        "amount": "20.000,00",
        "condition": "report_submitted",
        "not_before": "",
    }
    refused = await post_form(client, f"{address}/termijnen", typed)
    assert refused.status_code == 422
    assert "er past nog € 10.000,00 in" in refused.text
    assert 'value="Tweede termijn"' in refused.text and 'value="20.000,00"' in refused.text
    added = await post_form(client, f"{address}/termijnen", {**typed, "amount": "2.000,00"})
    assert added.status_code == 303
    page = await client.get(address)
    assert "Betaalschema" in page.text and "1. Tweede termijn" in page.text
    assert "nadat de regio een verslag heeft ingediend" in page.text
    (row,) = await instalments.schedule_of(project["id"])
    not_yet = await post_form(
        client,
        f"{address}/termijnen/{row['id']}/betalen",
        {"document_reference": "F-1"},
    )
    assert not_yet.status_code == 422
    assert "nadat de regio een verslag heeft ingediend" in not_yet.text
    await Report.update({Report.state: "submitted"}).where(Report.project == project["id"])
    paid = await post_form(
        client, f"{address}/termijnen/{row['id']}/betalen", {"document_reference": "F-1"}
    )
    assert paid.status_code == 303
    page = await client.get(address)
    assert "betaald op" in page.text


async def test_the_page_sends_a_requested_termijn_to_its_request(client, year: Year) -> None:
    project, officer_a, _ = await setting(year)
    tied = await instalments.add_instalment(
        await year.actor(), year.network, project["id"], termijn(250_000)
    )
    wish = requests.RequestInput(
        project["id"], PaymentRequestKind.instalment, 250_000, "Graag", tied
    )
    await requests.request_payment(await principal(officer_a), year.network, wish)
    (row,) = await instalments.schedule_of(project["id"])
    assert row["requested"]
    slug = required(await Network.select(Network.slug).where(Network.id == year.network).first())[
        "slug"
    ]
    await as_user(client, year.coordinator)
    page = await client.get(f"/n/{slug}/begroting/projecten/{project['id']}")
    assert "beoordeel het betaalverzoek" in page.text
    assert f"/termijnen/{tied}/betalen" not in page.text
