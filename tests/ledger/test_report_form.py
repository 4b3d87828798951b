"""The accountability report's form (issue 17): amounts per budget line that name their line and
are never negative, a warning for a line that spent more than its budget, every problem at
once, a draft that is kept without being handed in, a returned report that opens as it was
handed in, and the proposal's authors who read (and only read) their own project's reports.
On both databases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import httpx
import pytest

from ledger.books import services as ledger
from ledger.books.booking import LedgerRefused
from ledger.books.tables import Entry, Report, ReportAttachment, ReportState
from ledger.projects import report_forms, reports
from portal.lib.db import required
from proposals import queries as proposal_queries
from proposals import services as proposal_services
from proposals.budget_workbook import BudgetLineInput
from proposals.rules import Actor
from tests import factories
from tests.portal.test_access_matrix import PDF
from tests.proposals.conftest import Zuidwest, principal
from tests.proposals.conftest import zw as zw  # the fixture
from tests.web import log_in, post_form

# The proposal's two lines of 2021: € 6.000 for the project leader, € 4.000 material.
STAFF, MATERIAL = 600_000, 400_000

COMPLETE = {
    "result1": "Wachtlijst gehalveerd",
    "realised1": "6.000,00",
    "realised2": "3.500,00",
    "lessons_worked": "Korte lijnen",
    "lessons_not_worked": "Te veel overleg",
    "lessons_for_others": "Begin klein",
    "preconditions_met": "1",
}


@dataclass
class Granted:
    proposal_id: int
    project_id: int
    report_id: int
    url: str


@pytest.fixture
async def granted(zw: Zuidwest) -> Granted:
    """A proposal of Stichting X (applicant x) for Midden-Holland with two budget lines,
    granted: its project and its one (final) report of 2021."""
    proposal_id = await zw.proposal(requested_cents=STAFF + MATERIAL)
    author = await principal(zw.applicant_x)
    await proposal_services.save_budget(
        author,
        required(await proposal_queries.proposal_row(zw.network, proposal_id)),
        {Actor.author},
        STAFF + MATERIAL,
        [
            BudgetLineInput("other", 2021, "Projectleider", STAFF),
            BudgetLineInput("material", 2021, "Materiële kosten", MATERIAL),
        ],
    )
    project_id = await ledger.commit_grant(
        await principal(zw.coordinator),
        network_id=zw.network,
        budget_year_id=zw.budget_year,
        theme_id=zw.themes[0],
        proposal_id=proposal_id,
        title="Wachtlijstbrug",
        region_id=zw.region_a,
        start_date=dt.date(2021, 9, 1),
        end_date=dt.date(2021, 12, 31),
        amount_cents=STAFF + MATERIAL,
        decision_reference="B-1",
        decision_date=dt.date(2021, 11, 1),
    )
    (report,) = await Report.select(Report.id).where(Report.project == project_id)
    return Granted(
        proposal_id, project_id, report["id"], f"/n/zuid-west/verantwoording/{report['id']}"
    )


async def as_user(client: httpx.AsyncClient, user_id: int) -> None:
    client.cookies.clear()
    await log_in(client, await factories.email_of(user_id))


async def _report(granted: Granted) -> dict:
    return required(
        await Report.select().where(Report.id == granted.report_id).output(load_json=True).first()
    )


# --- the rules, without a database ------------------------------------------------------------


def _input(*realised: int) -> reports.ReportInput:
    return reports.ReportInput(
        results=[{"goal": "Doel", "result": "Gehaald"}],
        realised_lines=[
            {"description": f"2021 · {name}", "budget_cents": budget, "realised_cents": cents}
            for (name, budget), cents in zip(
                [("Projectleider", STAFF), ("Materiële kosten", MATERIAL)], realised, strict=False
            )
        ],
        lessons_worked="a",
        lessons_not_worked="b",
        lessons_for_others="c",
        preconditions_met=True,
    )


def test_negative_spending_is_refused_on_its_line() -> None:
    assert reports.report_problems(_input(0, -50_000), 2021) == {
        "realised2": "Regel 2, Materiële kosten: het bestede bedrag kan niet negatief zijn."
    }
    assert reports.report_problems(_input(0, 0), 2021) == {}


def test_a_line_that_spent_more_than_its_budget_is_warned_about_not_refused() -> None:
    data = _input(STAFF, MATERIAL + 1)
    assert reports.report_problems(data, 2021) == {}
    assert reports.overspent(data.realised_lines, 2021) == [
        "Regel 2, Materiële kosten: besteed € 4.000,01, begroot € 4.000,00"
    ]
    assert reports.overspent(_input(STAFF, MATERIAL).realised_lines, 2021) == []
    # A line without a budget (an allocation's one line before its amount is known) warns not.
    assert (
        reports.overspent([{"description": "Totaal", "budget_cents": 0, "realised_cents": 1}], 2021)
        == []
    )


def test_every_problem_of_the_form_at_once_each_naming_its_line() -> None:
    from litestar.datastructures import FormMultiDict

    lines = [
        {"description": "2021 · Projectleider", "budget_cents": STAFF, "realised_cents": 0},
        {"description": "2021 · Materiële kosten", "budget_cents": MATERIAL, "realised_cents": 0},
    ]
    form = FormMultiDict({"result1": "Gehaald", "realised1": "-5", "realised2": ""})
    _, errors = report_forms.parse_report(form, ["Doel"], lines, 2021)
    assert list(errors) == [
        "realised1",
        "realised2",
        "lessons_worked",
        "lessons_not_worked",
        "lessons_for_others",
        "preconditions_met",
    ]
    assert errors["realised1"] == (
        "Regel 1, Projectleider: het bestede bedrag kan niet negatief zijn."
    )
    assert errors["realised2"] == "Regel 2, Materiële kosten: vul een bedrag in."


# --- through the web, on both databases -------------------------------------------------------


async def test_negative_spending_is_refused_and_overspending_warned(
    client: httpx.AsyncClient, zw: Zuidwest, granted: Granted
) -> None:
    await as_user(client, zw.officer_a)
    refused = await post_form(client, granted.url, {**COMPLETE, "realised2": "-500"})
    assert refused.status_code == 422
    assert "Regel 2, Materiële kosten: het bestede bedrag kan niet negatief zijn." in refused.text
    assert 'value="-500"' in refused.text  # what was typed stays
    assert (await _report(granted))["state"] == ReportState.due

    handed_in = await post_form(client, granted.url, {**COMPLETE, "realised2": "4.250,00"})
    assert handed_in.status_code == 303
    assert (await _report(granted))["realised_cents"] == STAFF + 425_000
    await as_user(client, zw.coordinator)
    page = await client.get(granted.url)
    assert "Regel 2, Materiële kosten: besteed € 4.250,00, begroot € 4.000,00" in page.text
    assert "Regel 1, Projectleider: besteed" not in page.text


async def test_every_problem_is_shown_at_once_naming_the_line(
    client: httpx.AsyncClient, zw: Zuidwest, granted: Granted
) -> None:
    await as_user(client, zw.officer_a)
    page = await client.get(granted.url)
    assert "2021 · Materiële kosten" in page.text
    refused = await post_form(
        client, granted.url, {**COMPLETE, "realised2": "", "preconditions_met": ""}
    )
    assert refused.status_code == 422
    # The amount and the statement together: the statement no longer waits for the amounts.
    assert "Regel 2, Materiële kosten: vul een bedrag in." in refused.text
    assert "Verklaar dat aan de voorwaarden is voldaan" in refused.text
    assert "Er zijn 2 problemen met het formulier" in refused.text


async def test_a_returned_report_opens_as_it_was_handed_in(
    client: httpx.AsyncClient, zw: Zuidwest, granted: Granted
) -> None:
    await as_user(client, zw.officer_a)
    assert (await post_form(client, granted.url, COMPLETE)).status_code == 303
    await as_user(client, zw.coordinator)
    returned = await post_form(
        client, f"{granted.url}/beoordelen", {"decision": "return", "reason": "Facturen missen"}
    )
    assert returned.status_code == 303
    await as_user(client, zw.officer_a)
    page = await client.get(granted.url)
    assert "Teruggestuurd door de coördinator: Facturen missen" in page.text
    for value in ("Wachtlijst gehalveerd", "6.000,00", "3.500,00", "Korte lijnen", "Begin klein"):
        assert value in page.text, value
    assert 'name="preconditions_met" value="1" checked' in " ".join(page.text.split())
    again = await post_form(client, granted.url, {**COMPLETE, "realised2": "3.600,00"})
    assert again.status_code == 303
    assert (await _report(granted))["realised_cents"] == STAFF + 360_000


async def test_a_draft_is_kept_without_being_handed_in(
    client: httpx.AsyncClient, zw: Zuidwest, granted: Granted
) -> None:
    entries = await Entry.count()
    await as_user(client, zw.officer_a)
    page = await client.get(granted.url)
    assert "Concept opslaan" in page.text and f"{granted.url}/concept" in page.text
    saved = await post_form(
        client, f"{granted.url}/concept", {"result1": "Halverwege", "realised2": "4.500"}
    )
    assert saved.status_code == 303 and saved.headers["location"] == granted.url
    report = await _report(granted)
    assert report["state"] == ReportState.due and report["submitted_at"] is None
    assert report["results"] == [] and report["realised_cents"] == 0
    assert await Entry.count() == entries  # a draft books nothing
    page = await client.get(granted.url)
    assert "U ziet het opgeslagen concept" in page.text
    assert "Halverwege" in page.text and 'value="4.500"' in page.text
    # Already warned while drafting: € 4.500 of a € 4.000 line.
    assert "Regel 2, Materiële kosten: besteed € 4.500,00, begroot € 4.000,00" in page.text

    # The coordinator sees a report that is due, not one handed in, and not the draft.
    await as_user(client, zw.coordinator)
    page = await client.get(granted.url)
    assert "Halverwege" not in page.text and "Nog niet ingediend" in page.text
    deadlines = await client.get("/n/zuid-west/verantwoording")
    received = deadlines.text.split('id="groep-received"')[1].split("</section>")[0]
    assert "Wachtlijstbrug" not in received

    await as_user(client, zw.officer_a)
    handed_in = await post_form(client, granted.url, COMPLETE)
    assert handed_in.status_code == 303
    report = await _report(granted)
    assert report["state"] == ReportState.submitted and report["draft"] == {}
    # Handed in, the report takes no draft any more.
    row = required(await reports.report_row(zw.network, granted.report_id))
    with pytest.raises(LedgerRefused, match="al ingediend"):
        await reports.save_draft(await principal(zw.officer_a), row, {"result1": "Later"})


async def test_only_the_region_officer_saves_a_draft(
    client: httpx.AsyncClient, zw: Zuidwest, granted: Granted
) -> None:
    row = required(await reports.report_row(zw.network, granted.report_id))
    with pytest.raises(LedgerRefused, match="regio-indiener"):
        await reports.save_draft(await principal(zw.officer_b), row, {"result1": "Niet van mij"})
    await as_user(client, zw.applicant_x)
    refused = await post_form(client, f"{granted.url}/concept", {"result1": "Van de auteur"})
    assert refused.status_code == 403
    assert (await _report(granted))["draft"] == {}


async def test_the_authors_read_their_own_report_and_no_other(
    client: httpx.AsyncClient, zw: Zuidwest, granted: Granted
) -> None:
    await as_user(client, zw.officer_a)
    proof = await post_form(
        client,
        f"{granted.url}/bijlagen",
        files={"file": ("factuur.pdf", PDF, "application/pdf")},
    )
    assert proof.status_code == 303
    assert (await post_form(client, granted.url, COMPLETE)).status_code == 303
    (attachment,) = await ReportAttachment.select(ReportAttachment.id)
    download = f"{granted.url}/bijlagen/{attachment['id']}"

    await as_user(client, zw.applicant_x)
    assert (await client.get(download)).status_code == 200
    deadlines = await client.get("/n/zuid-west/verantwoording")
    assert deadlines.status_code == 200 and "Wachtlijstbrug" in deadlines.text
    page = await client.get(granted.url)
    assert page.status_code == 200
    assert "Wachtlijst gehalveerd" in page.text and "Korte lijnen" in page.text
    # Reading, not writing: no form, and a post is refused.
    assert "Verslag indienen" not in page.text and "Concept opslaan" not in page.text
    assert (await post_form(client, granted.url, COMPLETE)).status_code == 403

    # An applicant of another organisation, not an author: as if the report did not exist.
    await as_user(client, zw.applicant_y)
    assert (await client.get(granted.url)).status_code == 404
    assert (await client.get(download)).status_code == 404
    deadlines = await client.get("/n/zuid-west/verantwoording")
    assert deadlines.status_code == 200 and "Wachtlijstbrug" not in deadlines.text


async def test_an_author_reads_every_year_of_a_multi_year_grant(zw: Zuidwest) -> None:
    from ledger.books.tables import Project

    proposal_id = await zw.proposal()
    grant_year = await ledger.commit_grant(
        await principal(zw.coordinator),
        network_id=zw.network,
        budget_year_id=zw.budget_year,
        theme_id=zw.themes[0],
        proposal_id=proposal_id,
        title="Meerjarig",
        region_id=zw.region_a,
        start_date=dt.date(2021, 9, 1),
        end_date=dt.date(2021, 12, 31),
        amount_cents=100_000,
        decision_reference="B-2",
        decision_date=dt.date(2021, 11, 1),
    )
    # A later year's project answers to the grant year's proposal through `grant_of`.
    later = await Project.insert(
        Project(
            network=zw.network,
            budget_year=zw.budget_year,
            account=(await Project.select(Project.account).where(Project.id == grant_year))[0][
                "account"
            ],
            title="Meerjarig 2022",
            region_id=zw.region_a,
            grant_of=grant_year,
        )
    ).returning(Project.id)
    scope = await reports.scope_of(await principal(zw.applicant_x), zw.network)
    assert scope is not None and {grant_year, later[0]["id"]} <= scope.project_ids
    other = await reports.scope_of(await principal(zw.applicant_y), zw.network)
    assert other is not None and not other.project_ids
    assert await reports.scope_of(await principal(zw.coordinator), zw.network) is None
