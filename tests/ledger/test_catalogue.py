"""The projectenbank: Dutch full-text search on both databases, filters, ranking, lessons only
after acceptance, sharing across networks and nothing else crossing."""

from __future__ import annotations

import datetime as dt

from ledger.books import queries, services
from ledger.books.tables import CatalogueEntry, Report
from ledger.projects import catalogue, reports
from ledger.projects.catalogue import Filters
from portal.accounts.tables import Network, Role
from tests import factories
from tests.ledger.conftest import Year, make_year
from tests.proposals.conftest import principal
from tests.proposals.conftest import zw as zw  # the fixture
from tests.web import log_in, post_form


async def project(
    year: Year,
    title: str,
    *,
    theme_offset: int = 0,
    cents: int = 500_000,
    end: dt.date = dt.date(2021, 12, 31),
) -> int:
    return await services.commit_grant(
        await year.actor(),
        network_id=year.network,
        budget_year_id=year.budget_year,
        theme_id=9000 + 2021 * 10 + theme_offset,
        proposal_id=None,
        title=title,
        region_id=None,
        start_date=dt.date(2021, 9, 1),
        end_date=end,
        amount_cents=cents,
        decision_reference="B",
        decision_date=dt.date(2021, 11, 1),
    )


async def settle_with_lessons(year: Year, project_id: int, lessons: str) -> None:
    report = await Report.select().where(Report.project == project_id).first()
    row = await reports.report_row(year.network, report["id"])
    await reports.submit_report(
        await year.actor(),
        row,
        reports.ReportInput(
            results=[{"goal": "Doel", "result": "Kortere wachttijden in drie regio's"}],
            realised_lines=[
                {"description": "Totaal", "budget_cents": 0, "realised_cents": 400_000}
            ],
            lessons_worked=lessons,
            lessons_not_worked="Te weinig tijd",
            lessons_for_others="Begin klein",
            preconditions_met=True,
        ),
    )
    await reports.accept_report(
        await year.actor(), await reports.report_row(year.network, report["id"])
    )


async def titles(network_id: int, query: str = "", filters: Filters | None = None) -> list[str]:
    rows, _ = await catalogue.search(network_id, query, filters or Filters())
    return [r["title"] for r in rows]


async def test_dutch_stemming_finds_plural_and_singular(year: Year) -> None:
    await project(year, "Aanpak van de wachtlijst in de GGZ")
    await project(year, "Kleinschalige woonvormen")
    assert await titles(year.network, "wachtlijsten") == ["Aanpak van de wachtlijst in de GGZ"]
    assert await titles(year.network, "woonvorm") == ["Kleinschalige woonvormen"]
    assert await titles(year.network, "onbekendwoord") == []


async def test_exact_title_match_ranks_first(year: Year) -> None:
    await project(year, "Wachtlijstbrug wachtlijst wachtlijst wachtlijsten aanpak")
    await project(year, "Wachtlijst")
    assert (await titles(year.network, "wachtlijst"))[0] == "Wachtlijst"


async def test_filters(year: Year) -> None:
    await project(year, "Eerste thema", theme_offset=0)
    await project(year, "Tweede thema", theme_offset=1)
    rows, _ = await catalogue.search(year.network, "")
    theme_of_first = next(r["theme_name"] for r in rows if r["title"] == "Eerste thema")
    assert theme_of_first == "" or isinstance(theme_of_first, str)
    assert await titles(year.network, "", Filters(year=2021)) == ["Eerste thema", "Tweede thema"]
    assert await titles(year.network, "", Filters(year=2020)) == []
    assert await titles(year.network, "", Filters(status="finished")) == []
    assert len(await titles(year.network, "", Filters(status="running"))) == 2


async def test_filters_on_functions_goals_and_regions(year: Year) -> None:
    """The list filters look into the entries' JSON lists, with and without a search word (the
    search reads those lists only when such a filter is set)."""
    first = await project(year, "Wachtlijst eerste")
    await project(year, "Wachtlijst tweede")
    await CatalogueEntry.update(
        {
            CatalogueEntry.functions: ["Ambassadeur"],
            CatalogueEntry.goals: ["Kennis delen"],
            CatalogueEntry.region_ids: [7],
        }
    ).where(CatalogueEntry.project == first)
    for query in ("", "wachtlijst"):
        only_first = ["Wachtlijst eerste"]
        assert await titles(year.network, query, Filters(function="Ambassadeur")) == only_first
        assert await titles(year.network, query, Filters(goal="Kennis delen")) == only_first
        assert await titles(year.network, query, Filters(region=7)) == only_first
        assert await titles(year.network, query, Filters(region=8)) == []
        assert await titles(year.network, query, Filters(function="Ambassadeur", region=8)) == []
        assert sorted(await titles(year.network, query)) == [
            "Wachtlijst eerste",
            "Wachtlijst tweede",
        ]


async def test_lessons_appear_only_after_acceptance(year: Year) -> None:
    project_id = await project(year, "Ombuigcoördinator")
    assert await titles(year.network, "vertrouwenspersoon") == []
    report = await Report.select().where(Report.project == project_id).first()
    row = await reports.report_row(year.network, report["id"])
    await reports.submit_report(
        await year.actor(),
        row,
        reports.ReportInput(
            results=[{"goal": "Doel", "result": "Resultaat"}],
            realised_lines=[{"description": "Totaal", "budget_cents": 0, "realised_cents": 1}],
            lessons_worked="Een vaste vertrouwenspersoon",
            lessons_not_worked="x",
            lessons_for_others="y",
            preconditions_met=True,
        ),
    )
    entry = await CatalogueEntry.select().where(CatalogueEntry.project == project_id).first()
    assert "vertrouwenspersoon" not in entry["lessons_text"]
    assert await titles(year.network, "vertrouwenspersonen") == []  # submitted, not accepted
    await reports.accept_report(
        await year.actor(), await reports.report_row(year.network, report["id"])
    )
    assert await titles(year.network, "vertrouwenspersonen") == ["Ombuigcoördinator"]
    rows, _ = await catalogue.search(year.network, "vertrouwenspersoon")
    assert "<mark>vertrouwenspersoon</mark>" in str(rows[0]["results_html"])


async def test_sharing_crosses_networks_and_nothing_else(client, year: Year) -> None:
    other = await make_year(2022)
    finished = await project(year, "Gedeelde aanpak jongvolwassenen")
    await project(year, "Geheim lopend project")
    await settle_with_lessons(year, finished, "Samenwerken met het onderwijs")
    entry = await CatalogueEntry.select().where(CatalogueEntry.project == finished).first()
    assert await titles(other.network) == []
    running = (
        await CatalogueEntry.select().where(CatalogueEntry.title == "Geheim lopend project").first()
    )
    assert await catalogue.set_shared(await year.actor(), year.network, running["id"], True)
    assert await catalogue.set_shared(await other.actor(), other.network, entry["id"], True)
    assert await catalogue.set_shared(await year.actor(), year.network, entry["id"], True) is None
    assert await titles(other.network) == ["Gedeelde aanpak jongvolwassenen"]
    assert await titles(other.network, "onderwijs") == ["Gedeelde aanpak jongvolwassenen"]
    # The search's index follows sharing both ways, and a rebuilt entry stays shared.
    assert await catalogue.set_shared(await year.actor(), year.network, entry["id"], False) is None
    assert await titles(other.network, "onderwijs") == []
    assert await titles(year.network, "onderwijs") == ["Gedeelde aanpak jongvolwassenen"]
    assert await catalogue.set_shared(await year.actor(), year.network, entry["id"], True) is None
    await catalogue.refresh(finished)
    assert await titles(other.network, "onderwijs") == ["Gedeelde aanpak jongvolwassenen"]
    # Through the web: the other network's coordinator reads the shared page, nothing else.
    slug = (await Network.select(Network.slug).where(Network.id == other.network).first())["slug"]
    await log_in(client, await factories.email_of(other.coordinator))
    page = await client.get(f"/n/{slug}/projectenbank")
    assert "Gedeelde aanpak jongvolwassenen" in page.text and "gedeeld door" in page.text
    assert "Geheim lopend project" not in page.text
    assert (await client.get(f"/n/{slug}/projectenbank/{entry['id']}")).status_code == 200
    assert (await client.get(f"/n/{slug}/projectenbank/{running['id']}")).status_code == 404
    own_slug = (await Network.select(Network.slug).where(Network.id == year.network).first())[
        "slug"
    ]
    assert (await client.get(f"/n/{own_slug}/projectenbank")).status_code == 404
    _, figures = await queries.year_figures(other.budget_year)
    assert all(f.committed == 0 for f in figures.values())


async def test_every_member_reads_and_outsiders_do_not(client, year: Year) -> None:
    await project(year, "Leesbaar voor iedereen")
    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    reviewer = await factories.member(
        year.network,
        Role.reviewer,
        region_id=await factories.region(year.network),
        reviewer_kind="ao",
    )
    await log_in(client, await factories.email_of(reviewer))
    page = await client.get(f"/n/{slug}/projectenbank?zoek=leesbaar")
    assert page.status_code == 200 and "<mark>Leesbaar</mark> voor iedereen" in page.text
    themes = await client.get(f"/n/{slug}/projectenbank/themas.xlsx")
    assert themes.status_code == 200 and themes.content[:2] == b"PK"
    client.cookies.clear()
    assert (await client.get(f"/n/{slug}/projectenbank")).status_code == 303


async def test_similar_projects_while_drafting(client, zw) -> None:
    from ledger.books.tables import Project

    proposal_id = await zw.proposal(state="draft", title="Wachtlijstbrug voor jongeren")
    await services.commit_grant(
        await principal(zw.coordinator),
        network_id=zw.network,
        budget_year_id=zw.budget_year,
        theme_id=zw.themes[0],
        proposal_id=None,
        title="Eerdere wachtlijstbrug in Haaglanden",
        region_id=None,
        start_date=dt.date(2021, 9, 1),
        end_date=dt.date(2021, 12, 31),
        amount_cents=100_000,
        decision_reference="B",
        decision_date=dt.date(2021, 11, 1),
    )
    assert await Project.count() == 1
    await log_in(client, "x@example.org")
    page = await client.get(f"/n/zuid-west/voorstellen/{proposal_id}")
    assert "Vergelijkbare gefinancierde projecten" in page.text
    assert "Eerdere wachtlijstbrug in Haaglanden" in page.text
    edit = await client.get(f"/n/zuid-west/voorstellen/{proposal_id}/bewerken/algemeen")
    assert "Eerdere wachtlijstbrug in Haaglanden" in edit.text
    # The coordinator toggles sharing only for finished projects, through the form.
    client.cookies.clear()
    await log_in(client, "coord@example.org")
    entry = await CatalogueEntry.select().first()
    refused = await post_form(
        client, f"/n/zuid-west/projectenbank/{entry['id']}/delen", {"shared": "1"}
    )
    page = await client.get(refused.headers["location"])
    assert "Alleen een afgerond" in page.text


async def test_the_pager_keeps_the_search_and_the_filters(client, year: Year) -> None:
    """The next page of a filtered search is the next page of that search (the pager's link
    kept only the search words once, so page 2 was page 2 of everything with those words)."""
    for n in range(21):  # 20 a page
        await project(year, f"Wachtlijst {n:02}", cents=100_000)
    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    await log_in(client, await factories.email_of(year.coordinator))
    first = await client.get(f"/n/{slug}/projectenbank?zoek=wachtlijst&jaar=2021&regio=")
    assert first.status_code == 200 and "21 projecten" in first.text
    assert (
        f'href="/n/{slug}/projectenbank?zoek=wachtlijst&amp;jaar=2021&amp;pagina=2">Volgende</a>'
    ) in first.text
    second = await client.get(f"/n/{slug}/projectenbank?zoek=wachtlijst&jaar=2021&pagina=2")
    assert second.text.count('class="fp-result" data-entry=') == 1
    assert (
        f'href="/n/{slug}/projectenbank?zoek=wachtlijst&amp;jaar=2021&amp;pagina=1">Vorige</a>'
    ) in second.text
