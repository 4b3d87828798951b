"""The ledger through the web: set-up, balances, corrections, payments, reports, deadlines."""

from __future__ import annotations

import datetime as dt

import httpx

from ledger import queries
from ledger.tables import Entry, Project, Report
from portal import clock
from portal.reminders import send_due
from portal.tables import OutboxMessage, Role
from tests import factories
from tests.ledger.conftest import Year
from tests.web import log_in, post_form


async def as_user(client: httpx.AsyncClient, user_id: int) -> None:
    client.cookies.clear()
    await log_in(client, await factories.email_of(user_id))


async def granted_project(
    year: Year, *, start: dt.date, end: dt.date, region: int | None, cents: int = 1_000_000
) -> dict:
    from ledger import services

    project_id = await services.commit_grant(
        await year.actor(),
        network_id=year.network,
        budget_year_id=year.budget_year,
        theme_id=9000 + 2021 * 10,
        proposal_id=None,
        title="Wachtlijstbrug",
        region_id=region,
        start_date=start,
        end_date=end,
        amount_cents=cents,
        decision_reference="B-1",
        decision_date=dt.date(2021, 11, 1),
    )
    return await queries.project_row(year.network, project_id)


async def test_set_up_form_refuses_and_keeps_input(client, database) -> None:
    from ledger import services
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


async def test_year_page_and_move_form(client, year: Year) -> None:
    await Project.count()  # the fixture's year is set up
    network_slug = await factories.network(slug="leeg")  # another network exists
    assert network_slug
    from portal.tables import Network

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


async def test_other_roles_and_networks_cannot_reach_the_ledger(client, year: Year) -> None:
    applicant = await factories.member(
        year.network, Role.applicant, organisation_id=await factories.organisation(year.network)
    )
    other = await factories.network(slug="elders")
    other_coordinator = await factories.member(other, Role.coordinator)
    from portal.tables import Network

    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    await as_user(client, applicant)
    assert (await client.get(f"/n/{slug}/begroting/{year.budget_year}")).status_code == 403
    await as_user(client, other_coordinator)
    assert (await client.get(f"/n/{slug}/begroting/{year.budget_year}")).status_code == 404
    assert (await client.get(f"/n/elders/begroting/{year.budget_year}")).status_code == 404


async def test_report_settles_the_project(client, year: Year) -> None:
    from portal.tables import Network

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
    again = await post_form(
        client, f"/n/{slug}/verantwoording/{report['id']}/beoordelen", {"decision": "accept"}
    )
    assert again.status_code == 422
    assert await Entry.count().where(Entry.kind == "release") == 1


async def test_deadlines_page_per_region(client, year: Year) -> None:
    from portal.tables import Network

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
    other groups' pages. Two rows a page here instead of 50, so that few projects suffice."""
    from ledger import controllers
    from portal.tables import Network

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
    assert 'href="?te_laat=2#groep-overdue">Volgende</a>' in first.text
    assert "vóór 1 maart 2022" in first.text and "vóór 1 maart 2025" not in first.text
    second = await client.get(f"{url}?te_laat=2&goedgekeurd=3")
    assert "Pagina 2 van 2." in second.text
    assert "vóór 1 maart 2025" in second.text and "vóór 1 maart 2022" not in second.text
    # Back to page 1 of this group; the other group's page number stays in the link.
    assert 'href="?goedgekeurd=3#groep-overdue">Vorige</a>' in second.text
    # Groups with a single page have no pager; a page past the end shows the last page.
    assert "Paginering goedgekeurd" not in second.text
    beyond = await client.get(f"{url}?te_laat=99")
    assert "Pagina 2 van 2." in beyond.text


async def test_report_reminders_are_sent_once(database) -> None:
    from ledger.reminders import register_report_reminders
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
    from portal.tables import Network

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
    from ledger.tables import ReportAttachment

    attachment = await ReportAttachment.select().first()
    download = await client.get(f"{url}/{attachment['id']}")
    assert download.status_code == 200 and download.content == pdf
    await as_user(client, outsider)
    assert (await client.get(f"{url}/{attachment['id']}")).status_code == 404
    await as_user(client, year.coordinator)
    assert (await client.get(f"{url}/{attachment['id']}")).status_code == 200


async def test_final_report_waits_for_the_earlier_ones(year: Year) -> None:
    from ledger import reports
    from ledger.booking import LedgerRefused

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
