"""Direct allocations (DESIGN §2.10): money on a budget line by a decision, without a proposal,
that from then on is a project like a grant. The form's rules without a database, the service
and the page on both."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar.datastructures import FormMultiDict

from ledger.books import queries
from ledger.books.booking import LedgerRefused
from ledger.books.tables import Entry, Project, Report
from ledger.projects import allocations
from ledger.projects.allocation_forms import OUTSIDE, AllocationInput, Recipient, parse_allocation
from portal.accounts.tables import Network
from tests import factories
from tests.ledger.conftest import Year, make_year
from tests.ledger.test_ledger_pages import as_user
from tests.web import post_form

TODAY = dt.date(2021, 6, 1)
ACCOUNTS = {11: "a. Projectleider", 12: "Leren en ontwikkelen"}
RECIPIENTS = {
    "regio-3": Recipient("Midden-Holland", region_id=3),
    "organisatie-7": Recipient("Timon", organisation_id=7, region_id=3),
}
VALID = {
    "title": "Projectleider 2021",
    "account": "11",
    "recipient_choice": OUTSIDE,
    "recipient_name": "Gemeente Rotterdam",
    "recipient_kvk": "2437 0565",
    "amount": "80.000,00",
    "start_date": "2021-01-01",
    "end_date": "31-12-2022",
    "decision_reference": "BW-2021-17",
    "decision_date": "2021-01-15",
    "decided_by": "College van B&W Rotterdam",
}


def parse(**changes: str) -> tuple[AllocationInput | None, dict[str, str]]:
    return parse_allocation(
        FormMultiDict({**VALID, **changes}),
        accounts=ACCOUNTS,
        recipients=RECIPIENTS,
        today=TODAY,
    )


def test_a_valid_allocation_to_an_outside_party() -> None:
    allocation, errors = parse()
    assert errors == {}
    assert allocation == AllocationInput(
        title="Projectleider 2021",
        account_id=11,
        organisation_id=None,
        region_id=None,
        recipient="Gemeente Rotterdam",
        recipient_kvk="24370565",
        amount_cents=8_000_000,
        start_date=dt.date(2021, 1, 1),
        end_date=dt.date(2022, 12, 31),
        decision_reference="BW-2021-17",
        decision_date=dt.date(2021, 1, 15),
        decided_by="College van B&W Rotterdam",
    )


@pytest.mark.parametrize(
    ("choice", "expected"),
    [("organisatie-7", (7, 3, "Timon")), ("regio-3", (None, 3, "Midden-Holland"))],
)
def test_a_recipient_of_the_network_is_named_by_the_network(
    choice: str, expected: tuple[int | None, int, str]
) -> None:
    allocation, errors = parse(recipient_choice=choice, recipient_name="ignored", recipient_kvk="")
    assert errors == {}
    assert allocation is not None
    assert (allocation.organisation_id, allocation.region_id, allocation.recipient) == expected


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Geef de toewijzing een naam"),
        ({"account": "99"}, "account", "Kies de begrotingspost"),
        ({"account": "٣"}, "account", "Kies de begrotingspost"),
        ({"recipient_choice": "7"}, "recipient_choice", "Kies een organisatie of regio"),
        ({"recipient_choice": "organisatie-8"}, "recipient_choice", "Kies een organisatie"),
        ({"recipient_name": ""}, "recipient_name", "Vul de naam van de ontvanger in"),
        ({"recipient_kvk": ""}, "recipient_kvk", "Vul het KvK-nummer"),
        ({"recipient_kvk": "1234567"}, "recipient_kvk", "Een KvK-nummer heeft 8 cijfers"),
        ({"recipient_kvk": "１２３４５６７８"}, "recipient_kvk", "Een KvK-nummer heeft 8 cijfers"),
        ({"amount": "0"}, "amount", "groter zijn dan € 0,00"),
        ({"amount": "-5"}, "amount", "groter zijn dan € 0,00"),
        ({"amount": "1,234"}, "amount", "twee cijfers achter de komma"),
        ({"start_date": ""}, "start_date", "Vul de begindatum"),
        ({"end_date": "2020-12-31"}, "end_date", "De einddatum ligt voor de begindatum"),
        ({"end_date": "31-02-2022"}, "end_date", "Vul een geldige datum in"),
        ({"decision_reference": ""}, "decision_reference", "Vul het kenmerk"),
        ({"decision_date": "2021-06-02"}, "decision_date", "ligt in de toekomst"),
        ({"decided_by": ""}, "decided_by", "Vul in wie besloot"),
    ],
)
def test_each_problem_on_its_own_field(changes: dict[str, str], field: str, message: str) -> None:
    allocation, errors = parse(**changes)
    assert allocation is None
    assert list(errors) == [field]
    assert message in errors[field]


def test_all_problems_at_once() -> None:
    allocation, errors = parse(title="", amount="", decided_by="", recipient_kvk="12")
    assert allocation is None
    assert set(errors) == {"title", "amount", "decided_by", "recipient_kvk"}


async def _allocate(year: Year, cents: int, **changes: object) -> int:
    fields: dict[str, object] = {
        "title": "Projectleider 2021",
        "account_id": year.accounts["process_a"],
        "organisation_id": None,
        "region_id": None,
        "recipient": "Gemeente Rotterdam",
        "recipient_kvk": "24370565",
        "amount_cents": cents,
        "start_date": dt.date(2021, 1, 1),
        "end_date": dt.date(2022, 12, 31),
        "decision_reference": "BW-2021-17",
        "decision_date": dt.date(2021, 1, 15),
        "decided_by": "College van B&W Rotterdam",
        **changes,
    }
    allocation = AllocationInput(**fields)  # type: ignore[arg-type]
    return await allocations.allocate(
        await year.actor(), year.network, year.budget_year, allocation
    )


async def test_an_allocation_commits_and_opens_a_project_with_its_reports(year: Year) -> None:
    project_id = await _allocate(year, 1_500_000)
    project = await queries.project_row(year.network, project_id)
    assert project is not None
    assert project["proposal_id"] is None
    assert (project["recipient"], project["recipient_kvk"], project["decided_by"]) == (
        "Gemeente Rotterdam",
        "24370565",
        "College van B&W Rotterdam",
    )
    entries = await Entry.select(Entry.kind, Entry.amount_cents, Entry.account).where(
        Entry.project == project_id
    )
    assert entries == [
        {"kind": "commitment", "amount_cents": 1_500_000, "account": year.accounts["process_a"]}
    ]
    reports = await Report.select(Report.year, Report.due_date, Report.final).where(
        Report.project == project_id
    )
    assert sorted((r["year"], r["due_date"], r["final"]) for r in reports) == [
        (2021, dt.date(2022, 3, 1), False),
        (2022, dt.date(2023, 3, 1), True),
    ]


async def test_an_organisation_of_the_network_brings_its_region(year: Year) -> None:
    region = await factories.region(year.network)
    organisation = await factories.organisation(year.network, region_id=region)
    project_id = await _allocate(
        year,
        100_000,
        organisation_id=organisation,
        region_id=region,
        recipient="Timon",
        recipient_kvk="",
    )
    project = await queries.project_row(year.network, project_id)
    assert project is not None
    assert (project["recipient_organisation"], project["region_id"]) == (organisation, region)


async def test_more_than_the_line_holds_is_refused_and_nothing_is_left(year: Year) -> None:
    # process a holds € 20.000
    with pytest.raises(LedgerRefused):
        await _allocate(year, 2_000_001)
    assert await Project.count() == 0
    assert await Report.count() == 0
    assert await Entry.count().where(Entry.kind == "commitment") == 0


async def test_a_line_or_organisation_of_elsewhere_is_refused(year: Year) -> None:
    other = await make_year(2022, network=year.network, coordinator=year.coordinator)
    with pytest.raises(LedgerRefused, match="hoort niet bij dit jaar"):
        await _allocate(year, 100, account_id=other.accounts["process_a"])
    with pytest.raises(LedgerRefused, match="neemt geen toewijzing aan"):
        await _allocate(year, 100, account_id=year.accounts["unforeseen"])
    elsewhere = await factories.network(slug="elders")
    stranger = await factories.organisation(elsewhere)
    with pytest.raises(LedgerRefused, match="hoort niet bij dit netwerk"):
        await _allocate(year, 100, organisation_id=stranger)
    with pytest.raises(LedgerRefused, match="hoort niet bij dit netwerk"):
        await _allocate(year, 100, region_id=await factories.region(elsewhere))
    own_region = await factories.region(year.network)
    with pytest.raises(LedgerRefused, match="hoort niet bij dit netwerk"):  # not its region
        await _allocate(year, 100, organisation_id=stranger, region_id=own_region)
    assert await Project.count() == 0


async def test_the_page_refuses_keeping_input_and_allocates(client, year: Year) -> None:
    await factories.region(year.network, "Midden-Holland")
    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    await as_user(client, year.coordinator)
    address = f"/n/{slug}/begroting/{year.budget_year}/toewijzingen/nieuw"
    page = await client.get(address)
    assert page.status_code == 200
    assert "a. Projectleider" in page.text and "Een andere partij" in page.text
    assert "Midden-Holland (jeugdhulpregio)" in page.text
    typed = {**VALID, "account": str(year.accounts["process_a"]), "recipient_kvk": "12"}
    refused = await post_form(client, address, typed)
    assert refused.status_code == 422
    assert "Een KvK-nummer heeft 8 cijfers" in refused.text
    assert 'value="Gemeente Rotterdam"' in refused.text and 'value="80.000,00"' in refused.text
    # € 80.000 is more than process a holds: the ledger's rule, with nothing booked.
    refused = await post_form(client, address, {**typed, "recipient_kvk": "24370565"})
    assert refused.status_code == 422
    assert await Project.count() == 0
    done = await post_form(
        client, address, {**typed, "recipient_kvk": "24370565", "amount": "12.500,00"}
    )
    assert done.status_code == 303
    (project,) = await Project.select(Project.id, Project.recipient_kvk)
    assert done.headers["location"] == f"/n/{slug}/begroting/projecten/{project['id']}"
    assert project["recipient_kvk"] == "24370565"
    shown = await client.get(done.headers["location"])
    assert "€ 12.500,00 is toegewezen aan Gemeente Rotterdam." in shown.text
    # Its report answers to what was allocated: one line with the amount, not an empty total.
    (report,) = await Report.select(Report.id).where(
        (Report.project == project["id"]) & (Report.year == 2021)
    )
    form = await client.get(f"/n/{slug}/verantwoording/{report['id']}")
    assert form.status_code == 200
    assert "Toewijzing: Projectleider 2021 (begroot € 12.500,00)" in form.text
    assert "u legt het verslag vast dat de ontvanger (Gemeente Rotterdam)" in form.text


async def test_the_coordinator_hands_in_the_report_of_a_project_of_no_region(year: Year) -> None:
    from ledger.projects import reports
    from tests.ledger.test_ledger_pages import granted_project

    project_id = await _allocate(year, 1_500_000)
    (listed, *_) = [
        r for r in await reports.reports_of_network(year.network) if r["project"] == project_id
    ]
    report = await reports.report_row(year.network, listed["id"])
    assert report is not None
    data = reports.ReportInput(
        results=[{"goal": "Doelen van het project", "result": "Gedaan"}],
        realised_lines=[{"description": "Toewijzing", "budget_cents": 0, "realised_cents": 100}],
        lessons_worked="Vast aanspreekpunt",
        lessons_not_worked="Laat begonnen",
        lessons_for_others="Begin vroeg",
        preconditions_met=True,
    )
    assert await reports.submit_report(await year.actor(), report, data) == {}
    # A project of a region is that region's to report on, not the coordinator's.
    region = await factories.region(year.network, "Haaglanden")
    other = await granted_project(
        year, start=dt.date(2021, 1, 1), end=dt.date(2021, 12, 31), region=region
    )
    (listed,) = [
        r for r in await reports.reports_of_network(year.network) if r["project"] == other["id"]
    ]
    report = await reports.report_row(year.network, listed["id"])
    assert report is not None
    assert await reports.submit_report(await year.actor(), report, data) == {
        "form": reports.HAND_IN_REFUSED
    }
