"""The SPUK workbook: its proof in LibreOffice, Bijlage 4, the download and the CLI command.

The proof does not trust openpyxl: the exported file has formulas without cached values, and
LibreOffice (headless, its own profile set to recalculate every formula on load) opens it,
recalculates, and saves a copy whose values are read back and compared with the ledger's own
figures, to the cent.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import io
import os
import shutil
import zipfile
from pathlib import Path

import httpx
import openpyxl
import pytest
from openpyxl.utils import column_index_from_string, get_column_letter

from ledger.books import queries, services
from ledger.books.rules import AccountFigures, floors, line_number
from ledger.books.tables import BudgetYear, Entry, Report
from ledger.projects import reports, spuk
from portal.accounts.tables import Network, Role
from portal.lib import clock
from portal.lib.xlsx_stream import Column, header_height, print_scale
from tests import factories
from tests.ledger.conftest import Year, make_year
from tests.proposals.conftest import principal
from tests.web import log_in

EXPORTED_AT = dt.datetime(2022, 1, 10, 9, 30, tzinfo=dt.UTC)
FIGURE_ATTRIBUTES = {label: attribute for attribute, label in spuk.FIGURES}

# --- LibreOffice ------------------------------------------------------------------------------

# Recalculate every formula when a file is loaded, never trust a cached value (LibreOffice's
# default for .xlsx is "never recalculate").
RECALCULATE_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        message = (
            "LibreOffice Calc is not installed, so the SPUK workbook cannot be recalculated; "
            "`bash scripts/test-services.sh` installs it (libreoffice-calc-nogui)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message + " and CI=true requires it.")
        pytest.skip(message + ".")
    return found


async def recalculated(tmp_path: Path, files: dict[str, bytes]) -> dict[str, openpyxl.Workbook]:
    """Open each workbook in LibreOffice, recalculate, save as .xlsx; the values it computed."""
    program = soffice()
    profile = tmp_path / "libreoffice-profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE_ALWAYS)
    source, target = tmp_path / "exported", tmp_path / "recalculated"
    source.mkdir()
    for name, content in files.items():
        (source / name).write_bytes(content)
    process = await asyncio.create_subprocess_exec(
        program,
        "--headless",
        "--norestore",
        "--nolockcheck",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(target),
        *(str(source / name) for name in files),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=300)
    books = {}
    for name in files:
        converted = target / name
        assert converted.exists(), (process.returncode, stdout.decode(), stderr.decode())
        books[name] = openpyxl.load_workbook(converted, data_only=True)
    return books


def cents(value) -> int:
    assert isinstance(value, int | float), value
    return round(value * 100)


async def test_libreoffice_recalculates_instead_of_trusting_cached_values(tmp_path) -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "=1+1"
    plain = io.BytesIO()
    book.save(plain)
    stale = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(stale, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<f>1+1</f><v />" in content
                content = content.replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>999</v>")
            target.writestr(item, content)
    books = await recalculated(tmp_path, {"stale.xlsx": stale.getvalue()})
    assert books["stale.xlsx"].active["A1"].value == 2


# --- a year with every kind of movement -------------------------------------------------------


def _at(day: dt.date) -> None:
    """Move the clock to noon (UTC) of `day`."""
    clock.reset()
    clock.travel(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC) - clock.now())


async def busy_year() -> tuple[Year, Year, dict[str, int]]:
    """2021 with three projects (one settled, one with a reversed advance, one direct process-
    cost allocation), a transfer, a reserve release and a carry-over into 2022."""
    network = await factories.network(slug="zuid-west-test", name="Netwerk Zuid-West & Co")
    coordinator = await factories.member(network, Role.coordinator)
    year = await make_year(2021, network=network, coordinator=coordinator)
    next_year = await make_year(2022, network=network, coordinator=coordinator)
    await BudgetYear.update({BudgetYear.grant_reference: "VWS-2021-0815"}).where(
        BudgetYear.id == year.budget_year
    )
    actor = await year.actor()
    region = await factories.region(network, "Midden-Holland")
    theme_1, theme_2 = 9000 + 2021 * 10, 9000 + 2021 * 10 + 1
    _at(dt.date(2021, 11, 1))

    async def grant(theme: int, title: str, cents_: int, end: dt.date) -> int:
        return await services.commit_grant(
            actor,
            network_id=network,
            budget_year_id=year.budget_year,
            theme_id=theme,
            proposal_id=None,
            title=title,
            region_id=region,
            start_date=dt.date(2021, 9, 1),
            end_date=end,
            amount_cents=cents_,
            decision_reference=f"B-{title[:4]}",
            decision_date=dt.date(2021, 11, 1),
        )

    settled = await grant(theme_1, "Wachtlijstbrug", 1_000_000, dt.date(2021, 12, 31))
    running = await grant(theme_2, "Meerjarige expertpool", 500_000, dt.date(2022, 6, 30))
    from ledger.projects import allocations
    from ledger.projects.allocation_forms import AllocationInput

    process = await allocations.allocate(
        actor,
        network,
        year.budget_year,
        AllocationInput(
            title="Projectleiding",
            account_id=year.accounts["process_a"],
            organisation_id=None,
            region_id=None,
            recipient="Gem. Voorbeeld",
            recipient_kvk="",
            amount_cents=200_000,
            start_date=dt.date(2021, 11, 2),
            end_date=dt.date(2021, 12, 31),
            decision_reference="Collegebesluit 12",
            decision_date=dt.date(2021, 11, 2),
            decided_by="College van B&W",
        ),
    )
    for project_id, amount in ((settled, 800_000), (running, 400_000), (process, 150_000)):
        project = await queries.project_row(network, project_id)
        await services.pay(actor, project, "advance_payment", amount, f"V-{project_id}")
    wrong = (
        await Entry.select(Entry.id)
        .where((Entry.project == running) & (Entry.kind == "advance_payment"))
        .first()
    )
    await services.reverse(actor, network, wrong["id"], "Verkeerd bedrag")
    await services.pay(
        actor, await queries.project_row(network, running), "advance_payment", 300_000, "V-2b"
    )
    await services.move(
        actor,
        network,
        year.budget_year,
        "transfer",
        year.accounts[f"theme_{theme_2}"],
        year.accounts["process_a"],
        50_000,
        '=HYPERLINK("http://example.org","klik")',
        "AO-2021-3",
    )
    await services.move(
        actor,
        network,
        year.budget_year,
        "reserve_release",
        year.accounts["unforeseen"],
        year.accounts["learning"],
        100_000,
        "Crisisopvang",
        "B&W 2021/12",
    )
    await services.move(
        actor,
        network,
        year.budget_year,
        "carry_over",
        year.accounts["learning"],
        next_year.accounts["learning"],
        30_000,
        "Onderzoek loopt door",
        "AO-2021-9",
    )
    # The settled project reports € 7.000 and is settled at € 6.000 on 15 December 2021.
    _at(dt.date(2021, 12, 15))
    (report,) = await Report.select().where(Report.project == settled)
    report = await reports.report_row(network, report["id"])
    officer = await factories.member(network, Role.region_officer, region_id=region)
    problems = await reports.submit_report(
        await principal(officer),
        report,
        reports.ReportInput(
            results=[{"goal": "Wachtlijst korter", "result": "Gehaald"}],
            realised_lines=[
                {"description": "Uren", "budget_cents": 1_000_000, "realised_cents": 700_000}
            ],
            lessons_worked="Samen",
            lessons_not_worked="Te laat",
            lessons_for_others="Begin vroeg",
            preconditions_met=True,
        ),
    )
    assert not problems
    await reports.accept_report(actor, await reports.report_row(network, report["id"]), 600_000)
    clock.reset()
    return year, next_year, {"settled": settled, "running": running, "process": process}


def rows_of(ws, header_first: str, start: int = 1) -> tuple[list[str], list[tuple]]:
    """The header and the rows of the table whose header starts with `header_first`, then its
    total row (None for a table without one)."""
    rows = list(ws.iter_rows(min_row=start, values_only=True))
    for i, row in enumerate(rows):
        if row[0] == header_first:
            header = list(row)
            body, total = [], None
            for r in rows[i + 1 :]:
                if "Totaal" in r or all(v is None for v in r):
                    total = r
                    break
                body.append(r)
            return header, [*body, total]
    raise AssertionError(f"no table starting with {header_first} in {ws.title}")


async def test_the_recalculated_workbook_reconciles_with_the_ledger(tmp_path, database) -> None:
    soffice()  # before building the year, to skip early without it
    year, next_year, projects = await busy_year()
    figures, project_figures = await queries.year_figures(year.budget_year)
    # The scenario did what it says: settlement, reversal, reserve release and carry-over.
    settled = project_figures[projects["settled"]]
    assert (settled.realised, settled.released, settled.recovered, settled.paid) == (
        600_000,
        400_000,
        200_000,
        600_000,
    )
    assert project_figures[projects["running"]].paid == 300_000
    assert figures[year.accounts["learning"]].budget == 1_000_000 + 100_000 - 30_000
    assert figures[year.accounts["unforeseen"]].reserve_released_out == 100_000

    data = await spuk.gather(year.network, 2021)
    data_next = await spuk.gather(year.network, 2022)
    books = await recalculated(
        tmp_path,
        {
            "2021.xlsx": spuk.build_workbook(data, exported_at=EXPORTED_AT),
            "2022.xlsx": spuk.build_workbook(data_next, exported_at=EXPORTED_AT),
        },
    )
    await _check_year(books["2021.xlsx"], year.budget_year, 2021)
    await _check_year(books["2022.xlsx"], next_year.budget_year, 2022)

    book = books["2021.xlsx"]
    # SiSa: spending in 2021 is the settled € 6.000; the grant runs into 2022.
    header, (grant, total) = rows_of(book["SiSa"], "Beschikkingsnummer")
    assert header[3] == "Besteding 2021 ten laste van rijksmiddelen"
    assert grant[:2] == ("VWS-2021-0815", "2021")
    assert [cents(v) for v in grant[2:5]] == [10_000_000, 600_000, 600_000]
    assert grant[5:7] == ("ja", "Nee")
    assert "verschil € 94.000,00" in grant[7]
    assert [cents(v) for v in total[2:5]] == [10_000_000, 600_000, 600_000]
    # The entries: every one, with the reversal, the carry-over's other end and user text as
    # text (a reason typed as a formula is not run).
    header, rows = rows_of(book["Mutaties"], "Nr")
    body = rows[:-1]
    assert len(body) == await Entry.count().where(
        (Entry.budget_year == year.budget_year)
        | (Entry.counter_account.budget_year == year.budget_year)
    )
    reversal = next(r for r in body if r[header.index("Correctie van")])
    assert cents(reversal[header.index("Bedrag")]) == -400_000
    # Dutch words and the plan's line numbers, not the code's names (carry_over, learning).
    carry = next(r for r in body if r[header.index("Soort (kort)")] == "overheveling")
    assert carry[header.index("Nr tegenpost")] == "3"
    assert carry[header.index("Nr post")] == "2022/3"
    assert carry[header.index("Post")] == "Leren en ontwikkelen (2022)"
    assert '=HYPERLINK("http://example.org","klik")' in [r[header.index("Reden")] for r in body]
    # The budget in the form of Bijlage 4: projects as decided, process costs last.
    _, lines = rows_of(book["Begroting"], "JH-regio", start=4)
    assert [(r[0], r[1], cents(r[2])) for r in lines[:3]] == [
        ("Midden-Holland", "Wachtlijstbrug", 1_000_000),
        ("Midden-Holland", "Meerjarige expertpool", 500_000),
        ("Gem. Voorbeeld", "Projectleiding", 200_000),
    ]

    next_book = books["2022.xlsx"]
    _, rows = rows_of(next_book["Mutaties"], "Nr")
    carry = next(r for r in rows[:-1] if r[3] == "overheveling")
    assert (carry[4], carry[6]) == ("3", "2021/3")


async def _check_year(book: openpyxl.Workbook, budget_year_id: int, year: int) -> None:
    """Every total and every check of a recalculated workbook against the ledger."""
    figures, project_figures = await queries.year_figures(budget_year_id)
    info = await queries.year_info(budget_year_id)
    year_floors = floors(info, figures)
    accounts = {
        line_number(a["kind"], a["code"], a["position"]): a
        for a in await queries.accounts_of(budget_year_id)
    }

    def of(code: str) -> AccountFigures:
        return figures.get(accounts[code]["id"], AccountFigures())

    # Samenvatting: every line and the totals (formulas) to the cent.
    header, rows = rows_of(book["Samenvatting"], "Categorie")
    *lines, total = rows
    assert {r[2] for r in lines} == set(accounts)
    columns = {label: header.index(label) for _, label in spuk.FIGURES}
    for r in lines:
        f = of(r[2])
        for label, index in columns.items():
            assert cents(r[index]) == getattr(f, FIGURE_ATTRIBUTES[label]), (r[2], label)
        assert cents(r[header.index("Beschikbaar")]) == f.available
        floor = year_floors.get(accounts[r[2]]["id"])
        if floor is not None:
            assert cents(r[header.index("Ondergrens reserve")]) == floor
            assert cents(r[header.index("Inzet uit reserve")]) == f.reserve_released_out
    assert total[0] == "Totaal"
    for label, index in columns.items():
        attribute = FIGURE_ATTRIBUTES[label]
        assert cents(total[index]) == sum(getattr(of(c), attribute) for c in accounts), label
    assert cents(total[header.index("Beschikbaar")]) == sum(of(c).available for c in accounts)
    budget_total = sum(of(c).budget for c in accounts)
    # The per-category table (SUMIF) adds up to the same.
    _, category_rows = rows_of(book["Samenvatting"], "Categorie", start=len(rows) + 8)
    assert cents(category_rows[-1][3]) == budget_total
    assert sum(r[1] for r in category_rows[:-1]) == len(accounts)

    # Projecten: every project and the totals.
    header, rows = rows_of(book["Projecten"], "Nr")
    *lines, total = rows
    project_ids = [p["id"] for p in await queries.projects_of_year(budget_year_id)]
    assert [r[0] for r in lines if r[0] is not None] == project_ids
    project_columns = {
        "Verplicht": "committed",
        "Betaald": "paid",
        "Gerealiseerd": "realised",
        "Vrijgevallen": "released",
        "Teruggevorderd": "recovered",
    }
    for r in lines:
        if r[0] is None:
            continue
        p = project_figures[r[0]]
        for label, attribute in project_columns.items():
            assert cents(r[header.index(label)]) == getattr(p, attribute), (r[0], label)
        assert cents(r[header.index("Toegekend")]) == p.committed + p.released
        assert cents(r[header.index("Nog te betalen")]) == p.open_commitment
    for label, attribute in project_columns.items():
        assert cents(total[header.index(label)]) == sum(
            getattr(p, attribute) for p in project_figures.values()
        )

    # Mutaties: the signed total of the year's entries.
    header, rows = rows_of(book["Mutaties"], "Nr")
    signed = sum(r[header.index("Bedrag")] and cents(r[header.index("Bedrag")]) for r in rows[:-1])
    assert cents(rows[-1][header.index("Bedrag")]) == signed

    # Begroting (Bijlage 4): its lines add up to the year's budget.
    _, rows = rows_of(book["Begroting"], "JH-regio", start=4)
    assert rows[-1][0] == "Totaal" and cents(rows[-1][2]) == budget_total
    assert sum(cents(r[2]) for r in rows[:-1]) == budget_total

    # Controles: WAAR everywhere, and both sides of every check are the ledger's figure.
    sheet = book["Controles"]
    assert sheet["C1"].value == "WAAR"
    header, rows = rows_of(sheet, "Nr", start=4)
    checks = [r for r in rows if r is not None]
    assert checks and len(checks) >= 11 * len(accounts)
    for r in checks:
        _number, title, _name, code, figure, a, b, difference, outcome = r
        assert outcome == "WAAR", r
        if title.startswith("Reserve"):
            f = of(code)
            floor = year_floors[accounts[code]["id"]]
            assert (cents(a), cents(b)) == (f.budget, floor - f.reserve_released_out), r
            assert cents(a) >= cents(b)
            continue
        if code:
            expected = getattr(of(code), FIGURE_ATTRIBUTES[figure])
        elif title.startswith("Begrotingsboekingen"):
            expected = info.spuk_cents
        elif title.startswith("SiSa"):
            expected = sum(
                e["sign"] * e["amount_cents"]
                for e in await Entry.select(Entry.sign, Entry.amount_cents, Entry.booked_on).where(
                    (Entry.budget_year == budget_year_id) & (Entry.kind == "realised")
                )
                if e["booked_on"].year <= year
                and (e["booked_on"].year == year or "cumulatief" in title)
            )
        else:
            expected = sum(getattr(of(c), FIGURE_ATTRIBUTES[figure]) for c in accounts)
        assert (cents(a), cents(b), cents(difference)) == (expected, expected, 0), r


# --- Bijlage 4 --------------------------------------------------------------------------------


async def test_zuid_west_2020_reproduces_bijlage_4(tmp_path, database, settings) -> None:
    """And 2021, with the money outside the round allocated through the portal (process costs,
    learning and development, expert fees paid, a change, a payment request): every check
    holds and the whole SPUK amount is in the budget."""
    from portal.demo import load_demo_data
    from portal.demo.ledger import ALLOCATIONS_2021, BIJLAGE_4, PROCESS_2020, RECIPIENT_NAMES

    soffice()
    await load_demo_data(settings)
    network = await Network.select().where(Network.slug == "zuid-west").first()
    files = {
        f"{year}.xlsx": spuk.build_workbook(
            await spuk.gather(network["id"], year), exported_at=EXPORTED_AT
        )
        for year in (2020, 2021)
    }
    books = await recalculated(tmp_path, files)
    book_2021 = books["2021.xlsx"]
    _, checks = rows_of(book_2021["Controles"], "Nr", start=4)
    assert book_2021["Controles"]["C1"].value == "WAAR"
    assert all(r[-1] == "WAAR" for r in checks if r is not None)
    *_, total = rows_of(book_2021["Begroting"], "JH-regio", start=4)[1]
    assert cents(total[2]) == 468_038_000  # € 4.680.380,00
    _, projects = rows_of(book_2021["Projecten"], "Nr")
    titles = {r[3]: r[2] for r in projects if r and isinstance(r[0], int)}
    for _code, title, recipient in ALLOCATIONS_2021:
        assert titles[title] == recipient.removeprefix("organisatie:"), title
    assert all(titles.values()), "every project has its Uitvoerder"
    book = books["2020.xlsx"]
    _, rows = rows_of(book["Begroting"], "JH-regio", start=4)
    *lines, total = rows
    # As Bijlage 4 has them, the recipients by the names the network gave them in the portal.
    assert [(r[0], r[1], cents(r[2])) for r in lines] == [
        (RECIPIENT_NAMES.get(who, who), what, amount)
        for who, what, amount in [*BIJLAGE_4, PROCESS_2020]
    ]
    assert total[0] == "Totaal" and cents(total[2]) == 171_000_000  # € 1.710.000,00
    # Beside the budget, the final amount of the one settled allocation (Ombuigcoördinator).
    settled = {r[1]: cents(r[3]) for r in lines if r[3] is not None}
    assert settled == {"Ombuigcoördinator": 7_650_000}
    assert book["Begroting"]["A1"].value == "Begroting middelen 2020"
    assert book["Controles"]["C1"].value == "WAAR"


# --- the download -----------------------------------------------------------------------------


async def as_user(client: httpx.AsyncClient, user_id: int) -> None:
    client.cookies.clear()
    await log_in(client, await factories.email_of(user_id))


async def test_only_the_networks_coordinators_download_it(client, database) -> None:
    year = await make_year(2021)
    slug = (await Network.select(Network.slug).where(Network.id == year.network).first())["slug"]
    url = f"/n/{slug}/begroting/{year.budget_year}/spuk.xlsx"
    await as_user(client, year.coordinator)
    response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(spuk.MEDIA_TYPE)
    assert response.headers["content-disposition"].startswith(
        f'attachment; filename="SPUK-{slug}-2021.xlsx"'
    )
    assert response.headers["cache-control"] == "private, no-store"
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Samenvatting",
        "Projecten",
        "Mutaties",
        "SiSa",
        "Begroting",
        "Controles",
    ]

    applicant = await factories.member(
        year.network, Role.applicant, organisation_id=await factories.organisation(year.network)
    )
    other = await make_year(2021, network=await factories.network(slug="elders"))
    await as_user(client, applicant)
    assert (await client.get(url)).status_code == 403
    await as_user(client, other.coordinator)
    assert (await client.get(url)).status_code == 404
    await as_user(client, year.coordinator)
    # A year of another network under this network's address does not exist here.
    other_year = f"/n/{slug}/begroting/{other.budget_year}/spuk.xlsx"
    assert (await client.get(other_year)).status_code == 404
    assert (await client.get(f"/n/{slug}/begroting/999999/spuk.xlsx")).status_code == 404


# --- the command -----------------------------------------------------------------------------


def test_portal_export_spuk_writes_the_workbook(tmp_path, monkeypatch) -> None:
    from portal.cli import main
    from portal.lib import db

    previous = db.current_engine()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path))
    output = tmp_path / "zuid-west-2020.xlsx"
    try:
        assert main(["migrate"]) == 0
        assert main(["demo"]) == 0
        command = ["export", "spuk", "--network", "zuid-west", "--output", str(output)]
        assert main([*command, "--year", "2020"]) == 0
        assert main([*command, "--year", "2019"]) == 1
        assert (
            main(
                [
                    "export",
                    "spuk",
                    "--network",
                    "nergens",
                    "--year",
                    "2020",
                    "--output",
                    str(tmp_path / "x.xlsx"),
                ]
            )
            == 1
        )
    finally:
        db.use_engine(previous)
    book = openpyxl.load_workbook(output)
    assert book.properties.title == "SPUK-verantwoording 2020 Expertisenetwerk Zuid-West"
    sheet = book["Begroting"]
    assert sheet["B5"].value.startswith("PAST, harmonicavoorziening")
    assert sheet["C11"].value == "=SUM(C5:C10)"
    assert not (tmp_path / "x.xlsx").exists()


# --- pure parts --------------------------------------------------------------------------------


def _data(**changes) -> spuk.SpukData:
    accounts = (
        spuk.AccountLine(
            "process_a", "a. Projectleider", "process", 300_000, 200_000, 100_000, 0, 0, 0, 0, None
        ),
        spuk.AccountLine(
            "theme_1", "Thema 1", "theme", 600_000, 500_000, 300_000, 100_000, 50_000, 0, 0, None
        ),
        spuk.AccountLine(
            "unforeseen", "Onvoorzien", "unforeseen", 100_000, 0, 0, 0, 0, 0, 0, 100_000
        ),
    )
    project = dict(
        region="Haaglanden",
        recipient="",
        account_name="Thema 1",
        account_kind="theme",
        functions=(),
        decision_date=dt.date(2021, 3, 1),
        decision_reference="B-1",
        paid=300_000,
        realised=100_000,
        recovered=0,
        final_amount=None,
        settled_on=None,
        report_year=2021,
        report_due=dt.date(2022, 3, 1),
        report_state="due",
    )
    values = dict(
        network_name="Netwerk & Co",
        network_slug="netwerk",
        municipality="Rotterdam",
        year=2021,
        spuk_cents=1_000_000,
        grant_reference="VWS-1",
        unforeseen_reserve_bp=1000,
        themes_reserve_bp=1000,
        accounts=accounts,
        projects=(
            spuk.ProjectLine(
                id=2,
                title="Pilot",
                account_code="theme_1",
                granted=550_000,
                released=50_000,
                **project,
            ),
            spuk.ProjectLine(
                id=1,
                title="Proceskosten",
                account_code="process_a",
                granted=200_000,
                released=0,
                **{**project, "account_kind": "process", "recipient": "Gem. X"},
            ),
        ),
        entries=[],
        grants=(),
    )
    values.update(changes)
    return spuk.SpukData(**values)


def test_budget_lines_put_process_costs_last_and_add_up_to_the_budget() -> None:
    lines = spuk.budget_lines(_data())
    assert [(line.youth_region, line.project, line.cents) for line in lines] == [
        ("Haaglanden", "Pilot", 550_000),
        ("Gem. X", "Proceskosten", 200_000),
        ("", "a. Projectleider: nog niet toegewezen", 100_000),
        ("", "Thema 1: nog niet toegewezen", 50_000),
        ("", "Onvoorzien: nog niet toegewezen", 100_000),
    ]
    assert sum(line.cents for line in lines) == 1_000_000


def test_deviation_text_adds_up() -> None:
    assert spuk.deviation_text(
        2021, granted=100, spent=100, open_commitments=0, unspent=0, released=0, carried_over=0
    ).startswith("Geen afwijking")
    text = spuk.deviation_text(
        2021,
        granted=1_000_000,
        spent=100_000,
        open_commitments=600_000,
        unspent=250_000,
        released=50_000,
        carried_over=50_000,
    )
    assert text == (
        "Besteed tot en met 2021 € 1.000,00 van € 10.000,00; verschil € 9.000,00: € 6.000,00 "
        "verplicht aan projecten die nog niet zijn verantwoord of vastgesteld; € 2.500,00 niet "
        "toegekend (waarvan € 500,00 vrijval); € 500,00 overgeheveld naar een ander jaar."
    )


def test_sisa_wording_per_year() -> None:
    assert spuk.sisa_wording(2019) == spuk.SISA_WORDING[2020]
    assert spuk.sisa_wording(2022) == spuk.SISA_WORDING[2020]
    assert "randvoorwaardelijke functies" in spuk.sisa_wording(2024).regulation
    assert spuk.account_key("learning", 2022, 2021) == "2022/learning"
    assert spuk.account_key("learning", 2021, 2021) == "learning"


def test_workbook_layout() -> None:
    """What an auditor sees before any number: frozen headers, filters, euros, print setup."""
    content = spuk.build_workbook(
        _data(), exported_at=dt.datetime(2022, 1, 10, 9, 30, tzinfo=dt.UTC)
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.properties.title == "SPUK-verantwoording 2021 Netwerk & Co"
    assert book.properties.creator == "Fondsportaal – gemeente Rotterdam"
    expected_tables = {
        "Samenvatting": {"Posten", "Categorieen"},
        "Projecten": {"Projectregels"},
        "Mutaties": {"Boekingen"},
        "SiSa": {"Beschikkingen"},
        "Begroting": {"Begrotingsregels"},
        "Controles": {"Controleregels"},
    }
    for ws in book:
        assert set(ws.tables) == expected_tables[ws.title]
        for table in ws.tables.values():
            assert table.autoFilter.ref == table.ref
            header_row = ws[table.ref.split(":")[0]].row
            assert [c.value for c in ws[header_row][: len(table.tableColumns)]] == [
                c.name for c in table.tableColumns
            ]
        assert ws.freeze_panes
        assert ws.page_setup.orientation == "landscape"
        # Readable on A4 landscape: the wide sheets print two pages wide with their first
        # columns on each page, and no sheet prints smaller than 60 % of full size.
        pages, titles = {"Projecten": (2, "$A:$D"), "Mutaties": (2, "$A:$C")}.get(
            ws.title, (1, None)
        )
        assert ws.page_setup.fitToWidth == pages and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_cols == titles
        widths = [
            Column("", ws.column_dimensions[get_column_letter(i)].width)
            for i in range(1, ws.max_column + 1)
        ]
        title_columns = 0 if titles is None else column_index_from_string(titles[-1])
        assert print_scale(widths, pages, title_columns) >= 0.6, ws.title
        assert ws.oddHeader.left.text == "Netwerk && Co"
        assert ws.oddHeader.right.text == "Geëxporteerd 10-01-2022 10:30"
        assert ws.column_dimensions["A"].width
    # Header rows tall enough for their wrapped texts, so that they do not run over row 2.
    for title, header_row, columns in (
        ("Projecten", 1, spuk.PROJECT_COLUMNS),
        ("Mutaties", 1, spuk.ENTRY_COLUMNS),
        ("Samenvatting", 7, spuk.SUMMARY_COLUMNS),
    ):
        height = book[title].row_dimensions[header_row].height
        assert height == header_height(columns) and height >= 30, title
    summary = book["Samenvatting"]
    assert summary.freeze_panes == "C8"
    assert summary["D8"].number_format == spuk.EURO and summary["D8"].value == 3000
    assert summary["J8"].value == "=D8-E8"
    assert summary["D11"].value == "=SUM(D8:D10)"
    projects = book["Projecten"]
    assert projects["J4"].value == "=SUM(J2:J3)"
    assert projects["U2"].value == "Binnenkort"
    checks = book["Controles"]
    assert checks["C1"].value.startswith("=IF(COUNTIF(I5:I")
    assert all(
        checks.cell(row, 9).value.startswith("=IF(ROUND(H") for row in range(5, checks.max_row + 1)
    )


# --- what every cell looks like -----------------------------------------------------------------
# Pins the content cell by cell (values, formulas, number formats, fonts, wrapping), so that a
# change to how the workbook is written cannot change what the auditor sees without a test
# failing.

LOOKS = {"General": "", spuk.EURO: "€", spuk.DATE: "d", spuk.DATETIME: "dt", spuk.PERCENT: "%"}


def look(cell) -> str:
    """A cell's appearance in a few characters: '=' for a formula, its number format, then 'b'
    for bold, 't' for a title (bold, 14 pt), 'w' for wrapped at the top; '-' for a plain value,
    '.' for an empty cell."""
    if cell.value is None:
        assert not cell.has_style, cell.coordinate
        return "."
    code = ("=" if cell.data_type == "f" else "") + LOOKS[cell.number_format]
    if cell.font.b:
        code += "t" if cell.font.sz == 14 else "b"
    else:
        assert cell.font.sz in (None, 11), cell.coordinate
    if cell.alignment.wrap_text:
        assert cell.alignment.vertical == "top", cell.coordinate
        code += "w"
    else:
        assert cell.alignment.vertical is None, cell.coordinate
    return code or "-"


def looks(ws, row: int) -> list[str]:
    return [look(c) for c in ws[row]]


def values(ws, row: int) -> list:
    return [c.value for c in ws[row]]


def test_user_text_that_reads_as_an_excel_error_stays_text() -> None:
    data = _busy_data()
    *entries, last = data.entries
    last = dataclasses.replace(last, reason="#N/A", document_reference="#DIV/0!")
    data = dataclasses.replace(data, entries=type(data.entries)([*entries, last]))
    book = openpyxl.load_workbook(io.BytesIO(spuk.build_workbook(data, exported_at=EXPORTED_AT)))
    cells = [
        cell
        for row in book["Mutaties"].iter_rows()
        for cell in row
        if cell.value in ("#N/A", "#DIV/0!")
    ]
    assert sorted(c.value for c in cells) == ["#DIV/0!", "#N/A"]
    assert all(c.data_type == "s" for c in cells)


def test_a_control_character_in_the_network_name_leaves_the_file_readable() -> None:
    data = dataclasses.replace(
        _busy_data(), network_name="Netwerk\x07 Zuid", municipality="Gouda\x0b"
    )
    book = openpyxl.load_workbook(io.BytesIO(spuk.build_workbook(data, exported_at=EXPORTED_AT)))
    assert book.properties.title == "SPUK-verantwoording 2021 Netwerk Zuid"
    assert book.properties.creator == "Fondsportaal – gemeente Gouda"


def _busy_data() -> spuk.SpukData:
    """`_data()` with entries and grants: every kind of cell each sheet can hold."""
    naive = dt.datetime(2021, 3, 1, 9, 15)  # UTC, as SQLite gives it back
    summer = dt.datetime(2021, 7, 1, 12, 0, tzinfo=dt.UTC)
    entry = dict(
        account_code="theme_1",
        account_name="Thema 1",
        counter_code="",
        counter_name="",
        project_id=2,
        project_title="Pilot",
        reverses=None,
        document_reference="",
        created_by="Bea Bench",
        created_at=naive,
    )
    entries = [
        spuk.EntryLine(
            **{**entry, "project_id": None, "project_title": ""},
            id=1,
            booked_on=dt.date(2021, 1, 4),
            kind="budget",
            amount=600_000,
            reason="Opening",
        ),
        spuk.EntryLine(
            **entry,
            id=2,
            booked_on=dt.date(2021, 3, 1),
            kind="advance_payment",
            amount=300_000,
            reason='=HYPERLINK("http://example.org","klik")',
        ),
        spuk.EntryLine(
            **{
                **entry,
                "reverses": 2,
                "document_reference": " V-2 ",
                "created_by": "",
                "created_at": None,
            },
            id=3,
            booked_on=dt.date(2021, 3, 2),
            kind="advance_payment",
            amount=-300_000,
            reason="Fout\x07bedrag",
        ),
        spuk.EntryLine(
            **{
                **entry,
                "account_code": "process_a",
                "account_name": "a. Projectleider",
                "counter_code": "2022/theme_1",
                "counter_name": "Thema 1 (2022)",
                "project_id": None,
                "project_title": "",
                "created_at": summer,
            },
            id=4,
            booked_on=dt.date(2021, 12, 31),
            kind="carry_over",
            amount=50_000,
            reason="Loopt door & meer",
        ),
    ]
    grants = (
        spuk.GrantLine("VWS-1", (2021,), 1_000_000, 100_000, 100_000, False, False, "Uitleg", True),
        spuk.GrantLine("VWS-0", (2020, 2021), 2_000_000, 0, 900_000, True, True, "=1+1"),
    )
    data = _data(entries=entries, grants=grants)
    first, second = data.projects
    settled = spuk.ProjectLine(
        **{
            **second.__dict__,
            "functions": ("Consultatie", "Scholing"),
            "final_amount": 150_000,
            "settled_on": dt.date(2021, 12, 20),
            "report_state": "returned",
            "report_due": dt.date(2021, 12, 1),
        }
    )
    return spuk.SpukData(**{**data.__dict__, "projects": (first, settled)})


def test_every_cell_of_the_workbook() -> None:
    content = spuk.build_workbook(_busy_data(), exported_at=EXPORTED_AT)
    book = openpyxl.load_workbook(io.BytesIO(content))
    header = lambda n: ["bw"] * n  # noqa: E731

    ws = book["Samenvatting"]
    assert ws.max_row == 19 and ws.max_column == 12
    assert values(ws, 1)[:2] == ["SPUK-verantwoording 2021", "Netwerk & Co"]
    assert looks(ws, 1) == ["t", "-", *"." * 10]
    assert values(ws, 2)[:2] == ["SPUK-bedrag", 10_000]
    assert looks(ws, 2) == ["-", "€", *"." * 10]
    assert values(ws, 3)[:2] == ["Beschikking (kenmerk)", "VWS-1"]
    assert values(ws, 4)[1].startswith("onvoorzien 10 % van het SPUK-bedrag")
    assert values(ws, 5)[:2] == ["Geëxporteerd op", dt.datetime(2022, 1, 10, 10, 30)]
    assert looks(ws, 5) == ["-", "dt", *"." * 10]
    assert looks(ws, 6) == ["."] * 12
    assert values(ws, 7) == [c.header for c in spuk.SUMMARY_COLUMNS]
    assert looks(ws, 7) == header(12)
    assert values(ws, 8) == [
        "1. Proceskosten",
        "a. Projectleider",
        "process_a",
        3000,
        2000,
        1000,
        0,
        0,
        0,
        "=D8-E8",
        None,
        None,
    ]
    assert looks(ws, 8) == ["-", "-", "-", *["€"] * 6, "=€", ".", "."]
    assert values(ws, 10)[9:] == ["=D10-E10", 1000, 0]
    assert looks(ws, 10) == ["-", "-", "-", *["€"] * 6, "=€", "€", "€"]
    assert values(ws, 11) == ["Totaal", None, None, *(f"=SUM({c}8:{c}10)" for c in "DEFGHIJKL")]
    assert looks(ws, 11) == ["b", ".", ".", *["=€b"] * 9]
    assert looks(ws, 12) == ["."] * 12
    assert values(ws, 13)[0] == "Per categorie" and looks(ws, 13)[0] == "b"
    assert values(ws, 14) == [c.header for c in spuk.CATEGORY_COLUMNS]
    assert looks(ws, 14) == header(12)
    assert values(ws, 15) == [
        "1. Proceskosten",
        "=COUNTIF($A$8:$A$10,$A15)",
        "=IF(Samenvatting!$B$2=0,0,D15/Samenvatting!$B$2)",
        *(f"=SUMIF($A$8:$A$10,$A15,{c}$8:{c}$10)" for c in "DEFGHI"),
        "=D15-E15",
        "=SUMIF($A$8:$A$10,$A15,K$8:K$10)",
        "=SUMIF($A$8:$A$10,$A15,L$8:L$10)",
    ]
    for row in (15, 16, 17, 18):
        assert looks(ws, row) == ["-", "=", "=%", *["=€"] * 9]
    assert values(ws, 19) == ["Totaal", None, None, *(f"=SUM({c}15:{c}18)" for c in "DEFGHIJKL")]
    assert looks(ws, 19) == ["b", ".", ".", *["=€b"] * 9]

    ws = book["Projecten"]
    assert ws.max_row == 4 and ws.max_column == 21
    assert values(ws, 1) == [c.header for c in spuk.PROJECT_COLUMNS]
    assert looks(ws, 1) == header(21)
    assert values(ws, 2) == [
        2,
        "Haaglanden",
        None,
        "Pilot",
        "theme_1",
        "Thema 1",
        None,
        dt.datetime(2021, 3, 1),
        "B-1",
        5500,
        500,
        "=J2-K2",
        3000,
        "=L2-M2",
        1000,
        0,
        None,
        None,
        2021,
        dt.datetime(2022, 3, 1),
        "Binnenkort",
    ]
    # Long texts wrap within their columns (region, executor, title, line, functions, reference).
    assert looks(ws, 2) == [
        "-",
        "w",
        ".",
        "w",
        "-",
        "w",
        ".",
        "d",
        "w",
        "€",
        "€",
        "=€",
        "€",
        "=€",
        "€",
        "€",
        ".",
        ".",
        "-",
        "d",
        "-",
    ]
    assert values(ws, 3)[2] == "Gem. X" and values(ws, 3)[6] == "Consultatie; Scholing"
    assert values(ws, 3)[16:] == [
        1500,
        dt.datetime(2021, 12, 20),
        2021,
        dt.datetime(2021, 12, 1),
        "Te laat (teruggestuurd)",
    ]
    assert looks(ws, 3)[16:] == ["€", "d", "-", "d", "-"]
    assert (
        values(ws, 4)
        == [None] * 3
        + ["Totaal"]
        + [None] * 5
        + [f"=SUM({c}2:{c}3)" for c in "JKLMNOPQ"]
        + [None] * 4
    )
    assert looks(ws, 4) == [".", ".", ".", "b", *"." * 5, *["=€b"] * 8, *"." * 4]

    ws = book["Mutaties"]
    assert ws.max_row == 6 and ws.max_column == 18
    assert values(ws, 1) == [c.header for c in spuk.ENTRY_COLUMNS]
    assert looks(ws, 1) == header(18)
    assert values(ws, 2) == [
        1,
        dt.datetime(2021, 1, 4),
        "Begroting (opening uit de SPUK)",
        "begroting",
        "theme_1",
        "Thema 1",
        None,
        None,
        None,
        None,
        6000,
        None,
        None,
        "Opening",
        None,
        "Bea Bench",
        dt.datetime(2021, 3, 1, 10, 15),
        2021,
    ]
    assert looks(ws, 2) == [
        "-",
        "d",
        *"---",
        "w",
        ".",
        ".",
        ".",
        ".",
        "€",
        ".",
        ".",
        "w",
        ".",
        "-",
        "dt",
        "-",
    ]
    assert values(ws, 3)[8:] == [
        2,
        "Pilot",
        3000,
        None,
        3,
        '=HYPERLINK("http://example.org","klik")',
        None,
        "Bea Bench",
        dt.datetime(2021, 3, 1, 10, 15),
        2021,
    ]
    # A reason typed as a formula stays text.
    assert ws["N3"].data_type == "s"
    assert looks(ws, 3) == [
        "-",
        "d",
        *"---",
        "w",
        ".",
        ".",
        "-",
        "w",
        "€",
        ".",
        "-",
        "w",
        ".",
        "-",
        "dt",
        "-",
    ]
    assert values(ws, 4)[10:] == [-3000, 2, None, "Foutbedrag", " V-2 ", None, None, 2021]
    # openpyxl reads the spaces back either way; the file marks them for other readers.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert b'<t xml:space="preserve"> V-2 </t>' in archive.read("xl/worksheets/sheet3.xml")
    assert looks(ws, 4) == [
        "-",
        "d",
        *"---",
        "w",
        ".",
        ".",
        "-",
        "w",
        "€",
        "-",
        ".",
        "w",
        "-",
        ".",
        ".",
        "-",
    ]
    assert values(ws, 5)[2:8] == [
        "Overheveling naar ander jaar",
        "overheveling",
        "process_a",
        "a. Projectleider",
        "2022/theme_1",
        "Thema 1 (2022)",
    ]
    assert values(ws, 5)[13:] == [
        "Loopt door & meer",
        None,
        "Bea Bench",
        dt.datetime(2021, 7, 1, 14, 0),
        2021,
    ]
    assert looks(ws, 5) == [
        *["-", "d", "-", "-", "-", "w", "-", "w"],
        *[".", ".", "€", ".", ".", "w", ".", "-", "dt", "-"],
    ]
    assert values(ws, 6) == [None, None, "Totaal", *[None] * 7, "=SUM(K2:K5)", *[None] * 7]
    assert looks(ws, 6) == [".", ".", "b", *"." * 7, "=€b", *"." * 7]

    ws = book["SiSa"]
    assert ws.max_row == 9 and ws.max_column == 8
    assert values(ws, 1)[0] == "SiSa-gegevens 2021" and looks(ws, 1) == ["t", *"." * 7]
    assert values(ws, 2)[:2] == ["Regeling", spuk.SISA_WORDING[2020].regulation]
    assert values(ws, 3)[:2] == ["Verantwoordingsjaar (T)", 2021]
    assert values(ws, 4)[:2] == ["Indienen bij het Rijk", "uiterlijk 15 juli 2022"]
    assert [looks(ws, row)[:2] for row in (2, 3, 4)] == [["-", "-"]] * 3
    assert looks(ws, 5) == ["."] * 8
    assert values(ws, 6) == [c.header for c in spuk._sisa_columns(spuk.SISA_WORDING[2020], 2021)]
    assert looks(ws, 6) == header(8)
    assert values(ws, 7) == ["VWS-1", "2021", 10_000, 1000, 1000, "nee", "Nee", "Uitleg"]
    assert looks(ws, 7) == ["-", "-", "€", "€", "€", "-", "-", "w"]
    assert values(ws, 8) == ["VWS-0", "2020, 2021", 20_000, 0, 9000, "ja", "Ja", "=1+1"]
    assert ws["H8"].data_type == "s"
    assert looks(ws, 8) == ["-", "-", "€", "€", "€", "-", "-", "w"]
    assert (
        values(ws, 9) == ["Totaal", None, "=SUM(C7:C8)", "=SUM(D7:D8)", "=SUM(E7:E8)"] + [None] * 3
    )
    assert looks(ws, 9) == ["b", ".", "=€b", "=€b", "=€b", ".", ".", "."]

    ws = book["Begroting"]
    assert ws.max_row == 10 and ws.max_column == 4
    assert values(ws, 1)[0] == "Begroting middelen 2021" and looks(ws, 1) == ["t", ".", ".", "."]
    assert values(ws, 2)[0] == "Netwerk & Co" and looks(ws, 2) == ["-", ".", ".", "."]
    assert values(ws, 4) == ["JH-regio", "Project", "Budget", "Vastgesteld"]
    assert looks(ws, 4) == header(4)
    assert values(ws, 5)[:3] == ["Haaglanden", "Pilot", 5500]
    assert looks(ws, 5)[:3] == ["-", "w", "€"]
    assert values(ws, 7) == [None, "a. Projectleider: nog niet toegewezen", 1000, None]
    assert looks(ws, 7) == [".", "w", "€", "."]
    assert values(ws, 10) == ["Totaal", None, "=SUM(C5:C9)", "=SUM(D5:D9)"]
    assert looks(ws, 10) == ["b", ".", "=€b", "=€b"]

    ws = book["Controles"]
    assert ws.max_column == 9
    assert values(ws, 1)[:3] == [
        None,
        "Uitkomst van alle controles",
        f'=IF(COUNTIF(I5:I{ws.max_row},"WAAR")={ws.max_row - 4},"WAAR","ONWAAR")',
    ]
    assert looks(ws, 1) == [".", "t", "=t", *"." * 6]
    assert looks(ws, 2) == [".", "-", *"." * 7]
    assert looks(ws, 3) == ["."] * 9
    assert values(ws, 4) == [c.header for c in spuk.CHECK_COLUMNS] and looks(ws, 4) == header(9)
    assert values(ws, 5) == [
        1,
        "Samenvatting (A) tegen Mutaties (B)",
        "a. Projectleider",
        "process_a",
        "Begroot",
        "=Samenvatting!D8",
        '=SUMIFS(Mutaties!$K$2:$K$5,Mutaties!$D$2:$D$5,"begroting",Mutaties!$E$2:$E$5,'
        "Samenvatting!$C$8)"
        + "".join(
            f'+SUMIFS(Mutaties!$K$2:$K$5,Mutaties!$D$2:$D$5,"{kind}",Mutaties!$E$2:$E$5,'
            "Samenvatting!$C$8)"
            for kind in ("herschikking", "inzet onvoorzien", "overheveling")
        )
        + "".join(
            f'-SUMIFS(Mutaties!$K$2:$K$5,Mutaties!$D$2:$D$5,"{kind}",Mutaties!$G$2:$G$5,'
            "Samenvatting!$C$8)"
            for kind in ("herschikking", "inzet onvoorzien", "overheveling")
        ),
        "=F5-G5",
        '=IF(ROUND(H5,2)=0,"WAAR","ONWAAR")',
    ]
    for row in range(5, ws.max_row + 1):
        assert looks(ws, row) == ["-", "-", "-", "-" if ws.cell(row, 4).value else ".", "-"] + [
            "=€"
        ] * 3 + ["="], row
    last = values(ws, ws.max_row)
    assert last[1].startswith("Reserve (A) niet onder de ondergrens") and last[3] == "unforeseen"
    assert last[5:] == [
        "=Samenvatting!D10",
        "=Samenvatting!K10-Samenvatting!L10",
        f"=F{ws.max_row}-G{ws.max_row}",
        f'=IF(ROUND(H{ws.max_row},2)>=0,"WAAR","ONWAAR")',
    ]
