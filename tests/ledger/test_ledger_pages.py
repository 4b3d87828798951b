"""The ledger through the web: set-up, balances, corrections, payments, reports, deadlines."""

from __future__ import annotations

import datetime as dt

import httpx

from ledger.books import queries
from ledger.books.tables import Entry, Project, Report
from portal.accounts.reminders import send_due
from portal.accounts.tables import OutboxMessage, Role
from portal.lib import clock
from tests import factories
from tests.ledger.conftest import Year, make_year
from tests.web import log_in, post_form


async def as_user(client: httpx.AsyncClient, user_id: int) -> None:
    client.cookies.clear()
    await log_in(client, await factories.email_of(user_id))


THEME_1, THEME_2 = 9000 + 2021 * 10, 9000 + 2021 * 10 + 1  # the themes of `make_year()`


async def granted_project(
    year: Year,
    *,
    start: dt.date,
    end: dt.date,
    region: int | None,
    cents: int = 1_000_000,
    theme: int = THEME_1,
    title: str = "Wachtlijstbrug",
) -> dict:
    from ledger.books import services

    project_id = await services.commit_grant(
        await year.actor(),
        network_id=year.network,
        budget_year_id=year.budget_year,
        theme_id=theme,
        proposal_id=None,
        title=title,
        region_id=region,
        start_date=start,
        end_date=end,
        amount_cents=cents,
        decision_reference="B-1",
        decision_date=dt.date(2021, 11, 1),
    )
    return await queries.project_row(year.network, project_id)


async def test_set_up_form_refuses_and_keeps_input(client, database) -> None:
    from ledger.books import services
    from tests.proposals.conftest import principal

    network = await factories.network(slug="zuid-west")
    coordinator = await factories.member(network, Role.coordinator)
    year_id, _ = await services.create_budget_year(
        await principal(coordinator), network, 2023, 10_000_000
    )
    await as_user(client, coordinator)
    page = await client.get(f"/n/zuid-west/begroting/{year_id}/indelen")
    assert page.status_code == 200 and "€ 100.000,00" in page.text
    refused = await post_form(
        client,
        f"/n/zuid-west/begroting/{year_id}/indelen",
        {
            "unforeseen_reserve": "10",
            "themes_reserve": "10",
            "process_a": "80.000",
            "learning": "12.000",
            "unforeseen": "5.000",
        },
    )
    assert refused.status_code == 422
    assert "Onvoorzien moet minstens € 10.000,00 zijn" in refused.text
    assert "verschil" in refused.text and 'value="80.000"' in refused.text
    ok = await post_form(
        client,
        f"/n/zuid-west/begroting/{year_id}/indelen",
        {
            "unforeseen_reserve": "10",
            "themes_reserve": "10",
            "process_a": "78.000",
            "learning": "12.000",
            "unforeseen": "10.000",
        },
    )
    assert ok.status_code == 303
    year_page = await client.get(f"/n/zuid-west/begroting/{year_id}")
    assert 'data-account="unforeseen"' in year_page.text and "<svg" in year_page.text


async def test_a_network_names_its_own_process_lines(client, database) -> None:
    """a–e are Zuid-West's words: the division names each line, a name left empty is refused
    with what was typed kept, and the next year's division starts from the names used."""
    from ledger.books import queries, services
    from tests.proposals.conftest import principal

    network = await factories.network(slug="limburg")
    coordinator = await factories.member(network, Role.coordinator)
    actor = await principal(coordinator)
    year_id, _ = await services.create_budget_year(actor, network, 2022, 10_000_000)
    await as_user(client, coordinator)
    page = await client.get(f"/n/limburg/begroting/{year_id}/indelen")
    assert 'name="name_process_a" value="a. Projectleider"' in page.text
    typed = {
        "unforeseen_reserve": "10",
        "themes_reserve": "10",
        "name_process_a": "Projectleider expertisecentrum",
        "name_process_b": "",
        "process_a": "78.000",
        "learning": "12.000",
        "unforeseen": "10.000",
    }
    refused = await post_form(client, f"/n/limburg/begroting/{year_id}/indelen", typed)
    assert refused.status_code == 422 and "Geef deze post een naam." in refused.text
    assert 'value="Projectleider expertisecentrum"' in refused.text
    done = await post_form(
        client,
        f"/n/limburg/begroting/{year_id}/indelen",
        {**typed, "name_process_b": "Projectgroep"},
    )
    assert done.status_code == 303
    assert (await queries.process_names(network))["process_a"] == "Projectleider expertisecentrum"
    next_year, _ = await services.create_budget_year(actor, network, 2023, 10_000_000)
    page = await client.get(f"/n/limburg/begroting/{next_year}/indelen")
    assert 'value="Projectleider expertisecentrum"' in page.text
    assert 'value="Projectgroep"' in page.text


async def test_year_page_and_move_form(client, year: Year) -> None:
    await Project.count()  # the fixture's year is set up
    network_slug = await factories.network(slug="leeg")  # another network exists
    assert network_slug
    from portal.accounts.tables import Network

    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    await as_user(client, year.coordinator)
    page = await client.get(f"/n/{slug}/begroting/{year.budget_year}")
    assert page.status_code == 200 and "€ 100.000,00" in page.text
    refused = await post_form(
        client,
        f"/n/{slug}/begroting/{year.budget_year}/herschikken",
        {
            "kind": "transfer",
            "from_account": str(year.accounts["unforeseen"]),
            "to_account": str(year.accounts["learning"]),
            "amount": "1,00",
            "reason": "Lenen",
        },
    )
    assert refused.status_code == 422 and "ondergrens" in refused.text
    no_reference = await post_form(
        client,
        f"/n/{slug}/begroting/{year.budget_year}/herschikken",
        {
            "kind": "reserve_release",
            "from_account": str(year.accounts["unforeseen"]),
            "to_account": str(year.accounts["learning"]),
            "amount": "1.000",
            "reason": "Nood",
        },
    )
    assert no_reference.status_code == 422 and "kenmerk van het besluit" in no_reference.text
    ok = await post_form(
        client,
        f"/n/{slug}/begroting/{year.budget_year}/herschikken",
        {
            "kind": "reserve_release",
            "from_account": str(year.accounts["unforeseen"]),
            "to_account": str(year.accounts["learning"]),
            "amount": "1.000",
            "reason": "Nood",
            "document_reference": "B&W 2021/12",
        },
    )
    assert ok.status_code == 303
    entries = await client.get(
        f"/n/{slug}/begroting/{year.budget_year}/mutaties?soort=reserve_release"
    )
    assert "Inzet onvoorzien" in entries.text and "B&amp;W 2021/12" in entries.text


async def _slug(network_id: int) -> str:
    from portal.accounts.tables import Network

    return (await Network.select(Network.slug).where(Network.id == network_id).first())["slug"]


async def _projects_per_theme(year: Year) -> dict[str, dict]:
    """Three projects on theme 1 (one part paid, one settled), one on theme 2."""
    from ledger.books import services

    period = {"start": dt.date(2021, 9, 1), "end": dt.date(2021, 12, 31), "region": None}
    made = {
        title: await granted_project(year, **period, title=title, cents=cents, theme=theme)
        for title, cents, theme in (
            ("Charlie", 300_000, THEME_1),
            ("Alfa", 1_000_000, THEME_1),
            ("Bravo", 500_000, THEME_1),
            ("Delta", 250_000, THEME_2),
        )
    }
    await services.pay(await year.actor(), made["Alfa"], "advance_payment", 800_000, "V-1")
    await Project.update({Project.final_amount_cents: 450_000}).where(
        Project.id == made["Bravo"]["id"]
    )
    return made


async def test_year_page_folds_the_projects_per_account(client, year: Year) -> None:
    """First load: every account's figures, and the projects as one folded group per account
    with the count and totals of all its projects, but no project rows."""
    made = await _projects_per_theme(year)
    slug = await _slug(year.network)
    theme_1, theme_2 = year.accounts[f"theme_{THEME_1}"], year.accounts[f"theme_{THEME_2}"]
    await as_user(client, year.coordinator)
    page = await client.get(f"/n/{slug}/begroting/{year.budget_year}")
    assert page.status_code == 200
    # The figures per account are all there: theme 1 has € 25.000 minus € 18.000 committed.
    for code in year.accounts:
        assert f'data-account="{code}"' in page.text
    assert 'data-available="700000"' in page.text and "Ondergrens" in page.text
    # Folded groups with their totals; the rows come on demand or through the plain link.
    assert (
        "<strong>Thema 1</strong>: 3 projecten · verplicht € 18.000,00 · betaald € 8.000,00 · "
        "gerealiseerd € 0,00 · vastgesteld € 4.500,00 (1 van 3)"
    ) in page.text
    assert "<strong>Thema 2</strong>: 1 project · verplicht € 2.500,00" in page.text
    assert "4 projecten, per post." in page.text
    assert (
        f'hx-get="/n/{slug}/begroting/{year.budget_year}/projecten?rekening={theme_1}" '
        'hx-trigger="toggle once"'
    ) in page.text
    assert (
        f'href="/n/{slug}/begroting/{year.budget_year}?rekening={theme_2}#post-{theme_2}"'
    ) in page.text
    assert "De 1 project van Thema 2 tonen" in page.text
    assert " open>" not in page.text
    for project in made.values():
        assert f"/begroting/projecten/{project['id']}" not in page.text


async def test_project_rows_of_an_account_on_demand_and_without_javascript(
    client, year: Year, monkeypatch
) -> None:
    """The htmx partial and the plain-link fallback show one account's projects, a page at a
    time, with the totals of all of them; two rows a page here instead of 50."""
    from ledger.projects import controllers

    monkeypatch.setattr(controllers, "PROJECTS_PER_PAGE", 2)
    made = await _projects_per_theme(year)
    slug = await _slug(year.network)
    theme_1 = year.accounts[f"theme_{THEME_1}"]
    base = f"/n/{slug}/begroting/{year.budget_year}"
    await as_user(client, year.coordinator)
    htmx = {"HX-Request": "true"}

    first = await client.get(f"{base}/projecten?rekening={theme_1}", headers=htmx)
    assert first.status_code == 200 and "<html" not in first.text
    assert "Projecten van Thema 1, pagina 1 van 2" in first.text
    # By title: Alfa and Bravo on page 1, with their own figures and links.
    alfa, bravo = made["Alfa"]["id"], made["Bravo"]["id"]
    assert f'href="/n/{slug}/begroting/projecten/{alfa}">Alfa</a>' in first.text
    assert f'href="/n/{slug}/begroting/projecten/{bravo}">Bravo</a>' in first.text
    assert "Charlie" not in first.text and "Delta" not in first.text
    alfa_row = first.text.split(">Alfa</a>")[1].split("</tr>")[0]
    assert [c.split("</td>")[0] for c in alfa_row.split('fp-money">')[1:]] == [
        "€ 10.000,00",
        "€ 8.000,00",
        "€ 0,00",
        "—",
    ]
    assert "€ 4.500,00" in first.text.split(">Bravo</a>")[1].split("</tr>")[0]
    # The footer adds up all three projects, not only this page.
    footer = first.text.split("<tfoot")[1]
    assert "Totaal 3 projecten" in footer
    assert "€ 18.000,00" in footer and "€ 8.000,00" in footer and "€ 4.500,00" in footer
    assert f'hx-get="{base}/projecten?rekening={theme_1}&amp;pagina=2"' in first.text
    assert f'href="{base}?rekening={theme_1}&amp;pagina=2#post-{theme_1}"' in first.text

    second = await client.get(f"{base}/projecten?rekening={theme_1}&pagina=2", headers=htmx)
    assert "Charlie" in second.text and "Alfa" not in second.text
    assert "pagina 2 van 2" in second.text and "Totaal 3 projecten" in second.text
    assert "€ 18.000,00" in second.text.split("<tfoot")[1]

    # Without JavaScript: the year page with this group open at that page.
    fallback = await client.get(f"{base}?rekening={theme_1}&pagina=2")
    assert fallback.status_code == 200
    assert f'id="post-{theme_1}" data-group="theme_{THEME_1}" open>' in fallback.text
    assert ">Charlie</a>" in fallback.text and ">Alfa</a>" not in fallback.text
    assert 'data-account="unforeseen"' in fallback.text  # the figures stay
    # The partial's address without htmx leads there too.
    plain = await client.get(f"{base}/projecten?rekening={theme_1}&pagina=2")
    assert plain.status_code == 303
    assert plain.headers["location"] == f"{base}?rekening={theme_1}&pagina=2#post-{theme_1}"


async def test_project_groups_add_up_as_the_year_figures(year: Year) -> None:
    """The grouped queries give what the per-project figures of `year_figures` add up to."""
    from ledger.books import services

    made = await _projects_per_theme(year)
    await services.move(
        await year.actor(),
        year.network,
        year.budget_year,
        "reserve_release",
        year.accounts["unforeseen"],
        year.accounts["learning"],
        100_000,
        "Nood",
        "B&W 1",
    )
    accounts, projects = await queries.year_figures(year.budget_year)
    totals = await queries.year_totals(year.budget_year)
    assert totals.accounts == accounts
    groups = totals.project_groups
    assert set(groups) == {year.accounts[f"theme_{THEME_1}"], year.accounts[f"theme_{THEME_2}"]}
    for account_id, group in groups.items():
        members = [p for p in made.values() if p["account"] == account_id]
        assert group.projects == len(members)
        for field in ("committed", "paid", "realised", "released", "recovered"):
            assert getattr(group.figures, field) == sum(
                getattr(projects[p["id"]], field) for p in members
            )
    ids = [p["id"] for p in made.values()]
    assert await queries.figures_of_projects(year.budget_year, ids) == {i: projects[i] for i in ids}
    assert groups[year.accounts[f"theme_{THEME_1}"]].final_cents == 450_000


async def test_project_rows_are_refused_outside_the_year(client, year: Year) -> None:
    applicant = await factories.member(
        year.network, Role.applicant, organisation_id=await factories.organisation(year.network)
    )
    other = await factories.network(slug="elders")
    other_coordinator = await factories.member(other, Role.coordinator)
    await _projects_per_theme(year)
    slug = await _slug(year.network)
    theme_1 = year.accounts[f"theme_{THEME_1}"]
    url = f"/n/{slug}/begroting/{year.budget_year}/projecten?rekening={theme_1}"
    htmx = {"HX-Request": "true"}
    await as_user(client, applicant)
    assert (await client.get(url, headers=htmx)).status_code == 403
    await as_user(client, other_coordinator)
    refused = await client.get(url, headers=htmx)
    assert refused.status_code in (403, 404) and "Charlie" not in refused.text
    elsewhere = await client.get(
        f"/n/elders/begroting/{year.budget_year}/projecten?rekening={theme_1}", headers=htmx
    )
    assert elsewhere.status_code == 404 and "Charlie" not in elsewhere.text
    # An account of another year of the same network is not one of this year's.
    later = await make_year(2022, network=year.network, coordinator=year.coordinator)
    await as_user(client, year.coordinator)
    other_year = await client.get(
        f"/n/{slug}/begroting/{later.budget_year}/projecten?rekening={theme_1}", headers=htmx
    )
    assert other_year.status_code == 404 and "Charlie" not in other_year.text
    unknown = await client.get(
        f"/n/{slug}/begroting/{year.budget_year}/projecten?rekening=987654", headers=htmx
    )
    assert unknown.status_code == 404


async def test_other_roles_and_networks_cannot_reach_the_ledger(client, year: Year) -> None:
    applicant = await factories.member(
        year.network, Role.applicant, organisation_id=await factories.organisation(year.network)
    )
    other = await factories.network(slug="elders")
    other_coordinator = await factories.member(other, Role.coordinator)
    from portal.accounts.tables import Network

    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    await as_user(client, applicant)
    assert (await client.get(f"/n/{slug}/begroting/{year.budget_year}")).status_code == 403
    await as_user(client, other_coordinator)
    assert (await client.get(f"/n/{slug}/begroting/{year.budget_year}")).status_code == 404
    assert (await client.get(f"/n/elders/begroting/{year.budget_year}")).status_code == 404


async def test_report_settles_the_project(client, year: Year) -> None:
    from portal.accounts.tables import Network

    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    region = await factories.region(year.network, "Midden-Holland")
    officer = await factories.member(year.network, Role.region_officer, region_id=region)
    project = await granted_project(
        year, start=dt.date(2021, 9, 1), end=dt.date(2021, 12, 31), region=region
    )
    await as_user(client, year.coordinator)
    paid = await post_form(
        client,
        f"/n/{slug}/begroting/projecten/{project['id']}/betalen",
        {"kind": "advance_payment", "amount": "8.000,00", "document_reference": "V-1"},
    )
    assert paid.status_code == 303
    too_much = await post_form(
        client,
        f"/n/{slug}/begroting/projecten/{project['id']}/betalen",
        {"kind": "final_payment", "amount": "2.000,01", "document_reference": "V-2"},
    )
    assert too_much.status_code == 422 and "niet overschrijden" in too_much.text

    (report,) = await Report.select().where(Report.project == project["id"])
    assert report["due_date"] == dt.date(2022, 3, 1) and report["final"]
    await as_user(client, officer)
    form = await client.get(f"/n/{slug}/verantwoording/{report['id']}")
    assert form.status_code == 200
    incomplete = await post_form(
        client, f"/n/{slug}/verantwoording/{report['id']}", {"result1": "", "realised1": "7.000,00"}
    )
    assert incomplete.status_code == 422 and "Verklaar dat aan de voorwaarden" in incomplete.text
    submitted = await post_form(
        client,
        f"/n/{slug}/verantwoording/{report['id']}",
        {
            "result1": "Doel gehaald",
            "realised1": "7.000,00",
            "lessons_worked": "Samen",
            "lessons_not_worked": "Te laat",
            "lessons_for_others": "Begin vroeg",
            "preconditions_met": "1",
        },
    )
    assert submitted.status_code == 303
    await as_user(client, year.coordinator)
    above = await post_form(
        client,
        f"/n/{slug}/verantwoording/{report['id']}/beoordelen",
        {"decision": "accept", "final_amount": "7.500,00"},
    )
    assert above.status_code == 422 and "verantwoorde uitgaven" in above.text
    accepted = await post_form(
        client,
        f"/n/{slug}/verantwoording/{report['id']}/beoordelen",
        {"decision": "accept", "final_amount": "6.000,00"},
    )
    assert accepted.status_code == 303
    _, figures = await queries.year_figures(year.budget_year)
    f = figures[project["id"]]
    # Committed € 10.000, paid € 8.000, final € 6.000: release € 4.000, recovery € 2.000.
    assert (f.committed, f.realised, f.released, f.recovered, f.paid) == (
        600_000,
        600_000,
        400_000,
        200_000,
        600_000,
    )
    letter = await client.get(f"/n/{slug}/begroting/projecten/{project['id']}/vaststelling")
    assert letter.status_code == 200 and "€ 6.000,00" in letter.text
    # The letter as sent: the recovery, in the recipient's words, never the books' ("vrijval").
    assert "Terug te betalen: € 2.000,00" in letter.text
    assert "Niet besteed (vervalt): € 4.000,00" in letter.text
    assert "betalingsverzoek" in letter.text and "vrijval" not in letter.text.lower()
    pdf = await client.get(f"/n/{slug}/begroting/projecten/{project['id']}/vaststelling.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    again = await post_form(
        client, f"/n/{slug}/verantwoording/{report['id']}/beoordelen", {"decision": "accept"}
    )
    assert again.status_code == 422
    assert await Entry.count().where(Entry.kind == "release") == 1


async def test_deadlines_page_per_region(client, year: Year) -> None:
    from portal.accounts.tables import Network

    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    region_a = await factories.region(year.network, "Midden-Holland")
    region_b = await factories.region(year.network, "Haaglanden")
    officer_a = await factories.member(year.network, Role.region_officer, region_id=region_a)
    await granted_project(
        year, start=dt.date(2021, 9, 1), end=dt.date(2023, 6, 30), region=region_a
    )
    other = await granted_project(
        year, start=dt.date(2021, 9, 1), end=dt.date(2021, 12, 31), region=region_b, cents=500_000
    )
    await Project.update({Project.title: "Project van Haaglanden"}).where(Project.id == other["id"])
    await as_user(client, officer_a)
    page = await client.get(f"/n/{slug}/verantwoording")
    assert "Wachtlijstbrug" in page.text and "Project van Haaglanden" not in page.text
    assert "vóór 1 maart 2022" in page.text and "vóór 1 maart 2024" in page.text
    b_report = await Report.select().where(Report.project == other["id"]).first()
    assert (await client.get(f"/n/{slug}/verantwoording/{b_report['id']}")).status_code == 404
    await as_user(client, year.coordinator)
    page = await client.get(f"/n/{slug}/verantwoording")
    assert "Project van Haaglanden" in page.text


async def test_deadlines_page_pages_each_group(client, year: Year, monkeypatch) -> None:
    """Every group of reports is paged on its own, with complete counts; a pager link keeps the
    other groups' pages. Two rows a page here instead of 25, so that few projects suffice."""
    from ledger.projects import report_controllers as controllers
    from portal.accounts.tables import Network

    monkeypatch.setattr(controllers, "REPORTS_PER_PAGE", 2)
    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    region = await factories.region(year.network, "Midden-Holland")
    project = await granted_project(
        year, start=dt.date(2021, 9, 1), end=dt.date(2024, 6, 30), region=region
    )
    reports = await Report.select().where(Report.project == project["id"]).order_by(Report.year)
    assert len(reports) == 4  # 2021 … 2024, all past their 1 March today
    await as_user(client, year.coordinator)
    url = f"/n/{slug}/verantwoording"
    first = await client.get(url)
    assert first.status_code == 200
    assert 'id="groep-overdue">Te laat <span class="fp-muted">(4)</span>' in first.text
    assert "Pagina 1 van 2." in first.text
    assert '<nav aria-label="Paginering te laat" class="fp-pagination">' in first.text
    assert f'href="{url}?te_laat=2#groep-overdue">Volgende</a>' in first.text
    assert "vóór 1 maart 2022" in first.text and "vóór 1 maart 2025" not in first.text
    second = await client.get(f"{url}?te_laat=2&goedgekeurd=3")
    assert "Pagina 2 van 2." in second.text
    assert "vóór 1 maart 2025" in second.text and "vóór 1 maart 2022" not in second.text
    # Back to page 1 of this group; the other group's page number stays in the link.
    assert f'href="{url}?goedgekeurd=3#groep-overdue">Vorige</a>' in second.text
    # Groups with a single page have no pager; a page past the end shows the last page.
    assert "Paginering goedgekeurd" not in second.text
    beyond = await client.get(f"{url}?te_laat=99")
    assert "Pagina 2 van 2." in beyond.text


async def test_report_reminders_are_sent_once(database) -> None:
    from ledger.projects.reminders import register_report_reminders
    from tests.ledger.conftest import make_year

    register_report_reminders()
    year = await make_year()
    region = await factories.region(year.network, "Midden-Holland")
    officer = await factories.member(
        year.network, Role.region_officer, region_id=region, email="regio@example.org"
    )
    assert officer
    await granted_project(year, start=dt.date(2021, 9, 1), end=dt.date(2021, 12, 31), region=region)
    at = dt.datetime(2022, 1, 15, 9, tzinfo=dt.UTC)
    assert await send_due(at, "http://testserver") == 0
    for day, expected in (
        (dt.datetime(2022, 1, 30, 9, tzinfo=dt.UTC), 1),
        (dt.datetime(2022, 2, 5, 9, tzinfo=dt.UTC), 0),
        (dt.datetime(2022, 3, 1, 9, tzinfo=dt.UTC), 1),
        (dt.datetime(2022, 3, 2, 9, tzinfo=dt.UTC), 0),
        (dt.datetime(2022, 3, 8, 9, tzinfo=dt.UTC), 1),
        (dt.datetime(2022, 3, 9, 9, tzinfo=dt.UTC), 0),
        (dt.datetime(2022, 3, 15, 9, tzinfo=dt.UTC), 1),
    ):
        assert await send_due(day, "http://testserver") == expected, day
    subjects = [
        m["subject"]
        for m in await OutboxMessage.select().where(OutboxMessage.recipient == "regio@example.org")
    ]
    assert len(subjects) == 4 and sum("te laat" in s for s in subjects) == 3
    assert clock.now()  # the real clock was never needed


async def test_report_attachments_are_checked_and_scoped(client, year: Year) -> None:
    from portal.accounts.tables import Network

    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    region = await factories.region(year.network, "Midden-Holland")
    other_region = await factories.region(year.network, "Haaglanden")
    officer = await factories.member(year.network, Role.region_officer, region_id=region)
    outsider = await factories.member(year.network, Role.region_officer, region_id=other_region)
    project = await granted_project(
        year, start=dt.date(2021, 9, 1), end=dt.date(2021, 12, 31), region=region
    )
    (report,) = await Report.select().where(Report.project == project["id"])
    await as_user(client, officer)
    pdf = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
    url = f"/n/{slug}/verantwoording/{report['id']}/bijlagen"
    refused = await client.post(
        url,
        files={"file": ("factuur.pdf", b"MZ\x90\x00", "application/pdf")},
        data={"_csrf_token": client.cookies["csrftoken"]},
    )
    assert "niet toegestaan" in (await client.get(refused.headers["location"])).text
    ok = await client.post(
        url,
        files={"file": ("factuur.pdf", pdf, "application/pdf")},
        data={"_csrf_token": client.cookies["csrftoken"]},
    )
    assert ok.status_code == 303
    from ledger.books.tables import ReportAttachment

    attachment = await ReportAttachment.select().first()
    download = await client.get(f"{url}/{attachment['id']}")
    assert download.status_code == 200 and download.content == pdf
    await as_user(client, outsider)
    assert (await client.get(f"{url}/{attachment['id']}")).status_code == 404
    await as_user(client, year.coordinator)
    assert (await client.get(f"{url}/{attachment['id']}")).status_code == 200


async def test_final_report_waits_for_the_earlier_ones(year: Year) -> None:
    from ledger.books.booking import LedgerRefused
    from ledger.projects import reports

    project = await granted_project(
        year, start=dt.date(2021, 9, 1), end=dt.date(2022, 6, 30), region=None
    )
    first, final = (
        await Report.select().where(Report.project == project["id"]).order_by(Report.year)
    )
    data = reports.ReportInput(
        results=[{"goal": "Doel", "result": "Gehaald"}],
        realised_lines=[{"description": "Totaal", "budget_cents": 0, "realised_cents": 100_000}],
        lessons_worked="a",
        lessons_not_worked="b",
        lessons_for_others="c",
        preconditions_met=True,
    )
    actor = await year.actor()
    for report in (first, final):
        assert (
            await reports.submit_report(
                actor, await reports.report_row(year.network, report["id"]), data
            )
            == {}
        )
    import pytest

    with pytest.raises(LedgerRefused, match="Keur eerst het verslag van 2021 goed"):
        await reports.accept_report(actor, await reports.report_row(year.network, final["id"]))
    await reports.accept_report(actor, await reports.report_row(year.network, first["id"]))
    await reports.accept_report(actor, await reports.report_row(year.network, final["id"]))
    _, figures = await queries.year_figures(year.budget_year)
    assert figures[project["id"]].realised == 200_000
