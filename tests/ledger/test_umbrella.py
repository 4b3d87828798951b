"""Umbrella allocations: parts decided later, never more than the whole (Bijlage 4: Timon's
five sub-projects "nader te bepalen")."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar.datastructures import FormMultiDict

from ledger.books.booking import LedgerRefused
from ledger.books.tables import Project, ProjectPart
from ledger.projects import umbrella
from ledger.projects.umbrella import PartInput
from portal.accounts.tables import Network
from tests.ledger.conftest import Year
from tests.ledger.test_allocations import _allocate
from tests.ledger.test_ledger_pages import as_user, granted_project
from tests.web import post_form

PART = {
    "title": "Groepsaanpak steekincidenten",
    "amount": "4.000,00",
    "decision_reference": "BW-2021-40",
    "decision_date": "2021-04-01",
}


def part(cents: int, title: str = "Deel") -> PartInput:
    return PartInput(title, cents, "BW-2021-40", dt.date(2021, 4, 1))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"amount": "0"}, "amount"),
        ({"amount": "veel"}, "amount"),
        ({"decision_reference": ""}, "decision_reference"),
        ({"decision_date": ""}, "decision_date"),
        ({"decision_date": "2021-06-02"}, "decision_date"),
    ],
)
def test_each_part_problem_on_its_field(changes: dict[str, str], field: str) -> None:
    parsed, errors = umbrella.parse_part(FormMultiDict({**PART, **changes}), dt.date(2021, 6, 1))
    assert parsed is None
    assert list(errors) == [field]


async def test_parts_up_to_the_whole_and_not_a_cent_beyond(year: Year) -> None:
    project_id = await _allocate(year, 1_000_000)  # € 10.000
    actor = await year.actor()
    await umbrella.add_part(actor, year.network, project_id, part(400_000))
    await umbrella.add_part(actor, year.network, project_id, part(500_000))
    with pytest.raises(LedgerRefused, match=r"nog te bepalen € 1\.000,00"):
        await umbrella.add_part(actor, year.network, project_id, part(100_001))
    await umbrella.add_part(actor, year.network, project_id, part(100_000))
    assert sum(p["amount_cents"] for p in await umbrella.parts_of(project_id)) == 1_000_000
    by_project = await umbrella.parts_of_projects([project_id, project_id + 1])
    assert len(by_project[project_id]) == 3 and by_project[project_id + 1] == []


async def test_only_an_unsettled_allocation_of_the_network_has_parts(year: Year) -> None:
    actor = await year.actor()
    grant = await granted_project(
        year, start=dt.date(2021, 1, 1), end=dt.date(2021, 12, 31), region=None
    )
    await Project.update({Project.proposal_id: 4242}).where(Project.id == grant["id"])
    with pytest.raises(LedgerRefused, match="rechtstreekse toewijzing"):
        await umbrella.add_part(actor, year.network, grant["id"], part(100))
    project_id = await _allocate(year, 1_000_000)
    with pytest.raises(LedgerRefused, match="rechtstreekse toewijzing"):
        await umbrella.add_part(actor, year.network + 1, project_id, part(100))
    await Project.update({Project.settled_on: dt.date(2022, 4, 1)}).where(Project.id == project_id)
    with pytest.raises(LedgerRefused, match="vastgesteld"):
        await umbrella.add_part(actor, year.network, project_id, part(100))
    assert await ProjectPart.count() == 0


async def test_the_page(client, year: Year) -> None:
    project_id = await _allocate(year, 1_000_000)
    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    await as_user(client, year.coordinator)
    base = f"/n/{slug}/begroting/projecten/{project_id}/delen"
    page = await client.get(base)
    assert page.status_code == 200 and 'data-figure="undecided">€ 10.000,00' in page.text
    refused = await post_form(client, base, {**PART, "amount": "10.000,01"})
    assert refused.status_code == 422
    assert "past niet in de toewijzing" in refused.text
    assert 'value="Groepsaanpak steekincidenten"' in refused.text
    done = await post_form(client, base, PART)
    assert done.status_code == 303 and done.headers["location"] == base
    page = await client.get(base)
    assert "Deel Groepsaanpak steekincidenten (€ 4.000,00) is vastgelegd." in page.text
    assert 'data-figure="undecided">€ 6.000,00' in page.text


def test_division_violations_are_named_with_their_figures() -> None:
    from ledger.books.rules import ProjectFigures, division_violations

    figures = {1: ProjectFigures(committed=1_000), 2: ProjectFigures(committed=500)}
    assert division_violations(figures, {1: 1_000}, {2: 500}, {}) == []
    assert division_violations(figures, {1: 1_001}, {2: 501, 3: 1}, {1: "Timon"}) == [
        "Timon: de deelprojecten (€ 10,01) zijn samen meer dan de verplichting (€ 10,00).",
        "Project 2: de declaraties vacatiegeld (€ 5,01) zijn samen meer dan de verplichting "
        "(€ 5,00).",
        "Project 3: de declaraties vacatiegeld (€ 0,01) zijn samen meer dan de verplichting "
        "(€ 0,00).",
    ]


async def test_no_release_or_reversal_below_what_the_parts_divided(year: Year) -> None:
    from ledger.books import services
    from ledger.books.booking import EntryDraft, book
    from ledger.books.tables import Entry

    project_id = await _allocate(year, 1_000_000)
    actor = await year.actor()
    await umbrella.add_part(actor, year.network, project_id, part(900_000))
    account = year.accounts["process_a"]
    with pytest.raises(LedgerRefused, match=r"de deelprojecten \(€ 9\.000,00\) zijn samen meer"):
        await book(
            actor,
            year.budget_year,
            [EntryDraft("release", account, 100_001, project_id=project_id, reason="Vrijval")],
            network_id=year.network,
            summary="Vrijval",
        )
    commitment = await Entry.select(Entry.id).where(Entry.project == project_id).first()
    with pytest.raises(LedgerRefused, match="de deelprojecten"):
        await services.reverse(actor, year.network, commitment["id"], "Vergissing")
    await book(
        actor,
        year.budget_year,
        [EntryDraft("release", account, 100_000, project_id=project_id, reason="Vrijval")],
        network_id=year.network,
        summary="Vrijval",
    )
