"""Changes after award: asked by the project's region, decided once by the coordinator, booked
in the same transaction (an extra commitment within the line's room, a release never below
what is paid, the reports of added years), with a change letter; the original amount stays."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar.datastructures import FormMultiDict

from ledger.books.booking import LedgerRefused
from ledger.books.queries import figures_of_projects
from ledger.books.services import pay
from ledger.books.tables import ChangeRequest, Entry, Project, Report
from ledger.projects import changes
from ledger.projects.changes import ChangeInput
from portal.accounts.tables import Network
from tests.ledger.conftest import Year
from tests.ledger.test_ledger_pages import as_user
from tests.ledger.test_payment_requests import setting
from tests.proposals.conftest import principal
from tests.web import post_form

PROJECTS = {5: {"end_date": dt.date(2021, 12, 31)}}
FORM = {"project": "5", "kind": "period", "new_end_date": "2022-06-30", "reason": "Vertraging"}


@pytest.mark.parametrize(
    ("changes_", "field"),
    [
        ({"project": "6"}, "project"),
        ({"kind": "anders"}, "kind"),
        ({"new_end_date": ""}, "new_end_date"),
        ({"new_end_date": "2021-12-31"}, "new_end_date"),
        ({"new_end_date": "30-02-2022"}, "new_end_date"),
        ({"kind": "amount", "new_amount": ""}, "new_amount"),
        ({"kind": "amount", "new_amount": "-1"}, "new_amount"),
        ({"reason": ""}, "reason"),
    ],
)
def test_each_change_problem_on_its_field(changes_: dict[str, str], field: str) -> None:
    data, errors = changes.parse_change(FormMultiDict({**FORM, **changes_}), PROJECTS)
    assert data is None
    assert list(errors) == [field]


def change(project: dict, **fields: object) -> ChangeInput:
    values: dict[str, object] = {
        "project_id": project["id"],
        "kind": changes.ChangeKind.amount,
        "new_end_date": None,
        "new_amount_cents": None,
        "reason": "Meer jongeren",
        **fields,
    }
    return ChangeInput(**values)  # type: ignore[arg-type]


async def ask_and_decide(year: Year, officer: int, project: dict, **fields: object) -> int:
    change_id = await changes.request_change(
        await principal(officer), year.network, change(project, **fields)
    )
    await changes.decide(await year.actor(), year.network, change_id, changes.APPROVE, "WB-1", "")
    return change_id


async def figures(year: Year, project: dict):
    return (await figures_of_projects(year.budget_year, [project["id"]]))[project["id"]]


async def test_more_money_within_the_line_and_the_original_amount_stays(year: Year) -> None:
    project, officer_a, _ = await setting(year)  # € 10.000 on theme 1 (€ 25.000)
    await ask_and_decide(year, officer_a, project, new_amount_cents=1_200_000)
    assert (await figures(year, project)).committed == 1_200_000
    assert await changes.original_amount(project) == 1_000_000
    (row,) = await ChangeRequest.select(
        ChangeRequest.state, ChangeRequest.old_amount_cents, ChangeRequest.entry
    )
    assert row["state"] == "approved" and row["old_amount_cents"] == 1_000_000
    assert row["entry"] is not None
    # Beyond the line's room (€ 25.000 minus € 12.000): the ledger refuses, nothing changes.
    change_id = await changes.request_change(
        await principal(officer_a), year.network, change(project, new_amount_cents=3_000_000)
    )
    with pytest.raises(LedgerRefused):
        await changes.decide(
            await year.actor(), year.network, change_id, changes.APPROVE, "WB-2", ""
        )
    assert (await figures(year, project)).committed == 1_200_000
    assert (await ChangeRequest.select(ChangeRequest.state).where(ChangeRequest.id == change_id))[
        0
    ]["state"] == "requested"


async def test_less_money_is_released_but_never_below_what_is_paid(year: Year) -> None:
    project, officer_a, _ = await setting(year)
    await pay(await year.actor(), project, "advance_payment", 800_000, "BET-1")
    change_id = await changes.request_change(
        await principal(officer_a), year.network, change(project, new_amount_cents=700_000)
    )
    with pytest.raises(LedgerRefused, match="onder wat al is betaald"):
        await changes.decide(
            await year.actor(), year.network, change_id, changes.APPROVE, "WB-1", ""
        )
    await ask_and_decide(year, officer_a, project, new_amount_cents=900_000)
    f = await figures(year, project)
    assert (f.committed, f.released) == (900_000, 100_000)
    assert await Entry.count().where(Entry.kind == "release") == 1


async def test_a_later_end_adds_the_reports_of_its_years(year: Year) -> None:
    project, officer_a, _ = await setting(year)  # 2021, one final report
    await ask_and_decide(
        year, officer_a, project, kind=changes.ChangeKind.period, new_end_date=dt.date(2022, 6, 30)
    )
    reports = await Report.select(Report.year, Report.final).where(Report.project == project["id"])
    assert sorted((r["year"], r["final"]) for r in reports) == [(2021, False), (2022, True)]
    assert (await Project.select(Project.end_date).where(Project.id == project["id"]))[0][
        "end_date"
    ] == dt.date(2022, 6, 30)


async def test_decided_once_by_the_network_with_a_reference(year: Year) -> None:
    project, officer_a, officer_b = await setting(year)
    with pytest.raises(LedgerRefused, match="regio-indiener van de regio"):
        await changes.request_change(await principal(officer_b), year.network, change(project))
    change_id = await changes.request_change(
        await principal(officer_a), year.network, change(project, new_amount_cents=900_000)
    )
    coordinator = await year.actor()
    with pytest.raises(LedgerRefused, match="kenmerk"):
        await changes.decide(coordinator, year.network, change_id, changes.REFUSE, "", "Nee")
    with pytest.raises(LedgerRefused, match="toelichting: die is verplicht bij afwijzen"):
        await changes.decide(coordinator, year.network, change_id, changes.REFUSE, "WB-1", "")
    with pytest.raises(LedgerRefused, match="bestaat niet"):
        await changes.decide(coordinator, year.network + 1, change_id, changes.REFUSE, "W", "N")
    await changes.decide(coordinator, year.network, change_id, changes.REFUSE, "WB-1", "Nee")
    with pytest.raises(LedgerRefused, match="al afgewezen"):
        await changes.decide(coordinator, year.network, change_id, changes.APPROVE, "WB-1", "")
    assert await Entry.count().where(Entry.kind == "release") == 0


async def test_the_pages_and_the_letter(client, year: Year) -> None:
    project, officer_a, officer_b = await setting(year)
    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    base = f"/n/{slug}/wijzigingen"
    await as_user(client, officer_a)
    typed = {**FORM, "project": str(project["id"]), "new_end_date": "2021-06-30"}
    refused = await post_form(client, f"{base}/nieuw", typed)
    assert refused.status_code == 422 and "niet na de huidige" in refused.text
    assert "Vertraging" in refused.text
    sent = await post_form(client, f"{base}/nieuw", {**typed, "new_end_date": "2022-06-30"})
    assert sent.status_code == 303
    await as_user(client, year.coordinator)
    (row,) = await ChangeRequest.select(ChangeRequest.id)
    decided = await post_form(
        client,
        f"{base}/{row['id']}/beslissen",
        {"decision": "goedkeuren", "decision_reference": "WB-7", "note": ""},
    )
    letter_url = f"{base}/{row['id']}/beschikking"
    assert decided.status_code == 303 and decided.headers["location"] == letter_url
    letter = await client.get(letter_url)
    assert "Wijzigingsbeschikking" in letter.text and "WB-7" in letter.text
    assert "30 juni 2022" in letter.text and "31 december 2021" in letter.text
    pdf = await client.get(f"{letter_url}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    await as_user(client, officer_a)
    assert (await client.get(letter_url)).status_code == 200
    await as_user(client, officer_b)
    assert (await client.get(letter_url)).status_code == 404
