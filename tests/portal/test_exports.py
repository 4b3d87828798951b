"""Downloads on both databases: the proposal list (CSV and .xlsx) as filtered on screen and
within the person's own scope, review scores per round and ledger entries (CSV), in the form
Dutch Excel opens: UTF-8 with a byte order mark, `;` between fields, Dutch amounts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import httpx
import openpyxl
import pytest

from ledger.books import queries as ledger_queries
from ledger.books import services as ledger
from portal.accounts.tables import Role
from portal.lib.xlsx import csv_cell, dutch_csv
from review.tables import Review
from tests import factories
from tests.ledger.conftest import make_year
from tests.portal.test_api import grant
from tests.proposals.conftest import Zuidwest, principal
from tests.proposals.conftest import zw as zw  # the fixture
from tests.web import log_in

BOM = b"\xef\xbb\xbf"


def parse(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.content.startswith(BOM)
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].count(";") >= 5  # Dutch Excel's separator
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def column(rows: list[list[str]], header: str) -> list[str]:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


async def as_user(client: httpx.AsyncClient, user_id: int) -> None:
    client.cookies.clear()
    await log_in(client, await factories.email_of(user_id))


@dataclass
class Lists:
    zw: Zuidwest
    x_submitted: int
    x_draft: int
    y_submitted: int


@pytest.fixture
async def lists(zw: Zuidwest) -> Lists:
    return Lists(
        zw,
        x_submitted=await zw.proposal(state="submitted", title="Wachtlijstbrug"),
        x_draft=await zw.proposal(title='=HYPERLINK("http://example.org","klik")', complete=False),
        y_submitted=await zw.proposal(
            author=zw.applicant_y,
            state="submitted",
            title="Project van Y",
            region=zw.region_b,
            requested_cents=1_234_567,
        ),
    )


# --- the encoder ------------------------------------------------------------------------------


def test_cells_in_dutch_notation() -> None:
    assert csv_cell(123_456_78, "money") == "123.456,78"
    assert csv_cell(-5, "money") == "-0,05"
    assert csv_cell(None, "money") == ""
    assert csv_cell(dt.date(2021, 3, 1), "date") == "01-03-2021"
    # Stored in UTC, written in Dutch time.
    assert (
        csv_cell(dt.datetime(2021, 7, 1, 22, 30, tzinfo=dt.UTC), "datetime") == "02-07-2021 00:30"
    )
    assert csv_cell("=1+1", "text") == "'=1+1" and csv_cell("@SUM(A1)", "text") == "'@SUM(A1)"
    assert csv_cell("Gewoon", "text") == "Gewoon"
    content = dutch_csv([("Naam", "text"), ("Bedrag", "money")], [["a;b", 100]])
    assert content == BOM + b'Naam;Bedrag\r\n"a;b";1,00\r\n'


# --- proposals --------------------------------------------------------------------------------


async def test_coordinator_exports_the_list_as_filtered(client, lists: Lists) -> None:
    await as_user(client, lists.zw.coordinator)
    page = await client.get("/n/zuid-west/voorstellen")
    assert "/n/zuid-west/voorstellen/export.csv?lijst=alle" in page.text
    rows = parse(await client.get("/n/zuid-west/voorstellen/export.csv"))
    assert rows[0][:3] == ["Nr.", "Titel", "Ronde"]
    # All submitted proposals; a draft stays with its authors.
    assert sorted(column(rows, "Titel")) == ["Project van Y", "Wachtlijstbrug"]
    amounts = dict(zip(column(rows, "Titel"), column(rows, "Gevraagd bedrag"), strict=True))
    assert amounts == {"Project van Y": "12.345,67", "Wachtlijstbrug": "10.000,00"}
    assert set(column(rows, "Status")) == {"Ingediend"}
    assert all(len(value) == 16 for value in column(rows, "Ingediend op"))  # 23-11-2026 14:05
    # The filters of the list page.
    region_b = parse(
        await client.get(
            "/n/zuid-west/voorstellen/export.csv",
            params={"lijst": "alle", "regio": lists.zw.region_b, "ronde": "", "thema": ""},
        )
    )
    assert column(region_b, "Titel") == ["Project van Y"]
    search = parse(await client.get("/n/zuid-west/voorstellen/export.csv?zoek=wachtlijst"))
    assert column(search, "Titel") == ["Wachtlijstbrug"]
    granted = parse(await client.get("/n/zuid-west/voorstellen/export.csv?status=granted"))
    assert granted == [rows[0]]


async def test_an_applicant_exports_only_their_own(client, lists: Lists) -> None:
    await as_user(client, lists.zw.applicant_x)
    for query in ("", "?lijst=alle", "?lijst=regio"):
        rows = parse(await client.get(f"/n/zuid-west/voorstellen/export.csv{query}"))
        titles = column(rows, "Titel")
        assert "Project van Y" not in titles and "Wachtlijstbrug" in titles, query
        # Their own draft is theirs to export, and a formula in a title stays text.
        assert '\'=HYPERLINK("http://example.org","klik")' in titles
    await as_user(client, lists.zw.applicant_y)
    rows = parse(await client.get("/n/zuid-west/voorstellen/export.csv?lijst=alle"))
    assert column(rows, "Titel") == ["Project van Y"]


async def test_a_region_officer_exports_their_region(client, lists: Lists) -> None:
    await as_user(client, lists.zw.officer_a)
    rows = parse(await client.get("/n/zuid-west/voorstellen/export.csv?lijst=alle"))
    assert column(rows, "Titel") == ["Wachtlijstbrug"]
    assert column(rows, "Regio") == ["Midden-Holland"]


async def test_who_may_not_export_the_list(client, lists: Lists) -> None:
    anonymous = await client.get("/n/zuid-west/voorstellen/export.csv")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    reviewer = await factories.member(lists.zw.network, Role.reviewer, reviewer_kind="ao")
    await as_user(client, reviewer)
    assert (await client.get("/n/zuid-west/voorstellen/export.csv")).status_code == 403
    assert (await client.get("/n/zuid-west/voorstellen/export.xlsx")).status_code == 403
    limburg = await factories.network(slug="limburg")
    outsider = await factories.member(limburg, Role.coordinator)
    await as_user(client, outsider)
    assert (await client.get("/n/zuid-west/voorstellen/export.csv")).status_code == 404


async def test_the_list_as_a_workbook(client, lists: Lists) -> None:
    await as_user(client, lists.zw.applicant_x)
    response = await client.get("/n/zuid-west/voorstellen/export.xlsx?lijst=mijn")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert ".xlsx" in response.headers["content-disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["Voorstellen"]
    header = [cell.value for cell in sheet[1]]
    assert header[:2] == ["Nr.", "Titel"] and "Gevraagd bedrag" in header
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == {"Wachtlijstbrug", '=HYPERLINK("http://example.org","klik")'}
    assert rows['=HYPERLINK("http://example.org","klik")'][1].data_type == "s"
    amount = rows["Wachtlijstbrug"][header.index("Gevraagd bedrag")]
    assert amount.value == 10_000 and "€" in amount.number_format
    submitted = rows["Wachtlijstbrug"][header.index("Ingediend op")]
    assert isinstance(submitted.value, dt.datetime) and submitted.value.tzinfo is None
    assert workbook.properties.title.startswith("Mijn voorstellen")


# --- review scores ----------------------------------------------------------------------------


async def test_review_scores_per_round(client, lists: Lists) -> None:
    zw = lists.zw
    chair = await factories.member(zw.network, Role.reviewer, reviewer_kind="chair")
    ao = await factories.member(zw.network, Role.reviewer, reviewer_kind="ao")
    await Review.insert(
        Review(
            proposal=lists.x_submitted,
            reviewer=chair,
            version=1,
            state="submitted",
            scores={
                "C1": 4,
                "C2": 2,
                "C3": 5,
                "C4": 3,
                "R1": "voldoet",
                "R3": "voldoet",
                "R4": "voldoet_niet",
            },
            recommendation="toekennen_onder_voorwaarden",
            advice="Toekennen als de inkoop is geregeld.",
            submitted_at=dt.datetime(2021, 10, 1, 9, tzinfo=dt.UTC),
        ),
        Review(
            proposal=lists.x_submitted,
            reviewer=ao,
            version=1,
            state="draft",
            scores={"C1": 1, "C2": 1},
        ),
    )
    await as_user(client, zw.coordinator)
    page = await client.get(f"/n/zuid-west/beoordeling/rondes/{zw.round}")
    assert f"/n/zuid-west/beoordeling/rondes/{zw.round}/scores.csv" in page.text
    rows = parse(await client.get(f"/n/zuid-west/beoordeling/rondes/{zw.round}/scores.csv"))
    header = rows[0]
    assert header[:2] == ["Nr.", "Voorstel"] and "C1 Duurzame transformatie" in header
    by_state = {row[header.index("Beoordeling")]: row for row in rows[1:]}
    submitted = by_state["ingediend"]
    assert [submitted[header.index(h)] for h in header if h[:2] in ("C1", "C2", "C3", "C4")] == [
        "4",
        "2",
        "5",
        "3",
    ]
    assert submitted[header.index("Gemiddelde")] == "3,5"
    assert submitted[header.index("R4 Rechtmatig (aanbestedingsrecht)")] == "Voldoet niet"
    assert submitted[header.index("Advies")] == "Toekennen onder voorwaarden"
    assert submitted[header.index("Gevraagd bedrag")] == "10.000,00"
    assert submitted[header.index("Ingediend op")] == "01-10-2021 11:00"
    # A draft's scores are the reviewer's own until submitted.
    draft = by_state["concept"]
    assert draft[header.index("C1 Duurzame transformatie")] == ""
    assert draft[header.index("Gemiddelde")] == ""
    # A proposal without reviewers still has its row.
    unreviewed = by_state[""]
    assert unreviewed[header.index("Voorstel")] == "Project van Y"
    assert len(rows) == 4


async def test_review_scores_only_for_the_coordinator_of_the_round(client, lists: Lists) -> None:
    zw = lists.zw
    url = f"/n/zuid-west/beoordeling/rondes/{zw.round}/scores.csv"
    await as_user(client, zw.applicant_x)
    assert (await client.get(url)).status_code == 403
    await as_user(client, zw.coordinator)
    assert (
        await client.get(f"/n/zuid-west/beoordeling/rondes/{zw.round + 99}/scores.csv")
    ).status_code == 404
    limburg = await factories.network(slug="limburg")
    outsider = await factories.member(limburg, Role.coordinator)
    await as_user(client, outsider)
    assert (await client.get(url)).status_code == 404
    assert (
        await client.get(f"/n/limburg/beoordeling/rondes/{zw.round}/scores.csv")
    ).status_code == 404


# --- ledger entries ---------------------------------------------------------------------------


async def test_ledger_entries_of_a_year(client, lists: Lists) -> None:
    zw = lists.zw
    project_id = await grant(zw, lists.y_submitted, 1_000_000)
    project = await ledger_queries.project_row(zw.network, project_id)
    actor = await principal(zw.coordinator)
    await ledger.pay(actor, project, "advance_payment", 640_000, "BETAAL-1")
    (payment,), _ = await ledger_queries.entries(zw.budget_year, kind="advance_payment")
    await ledger.reverse(actor, zw.network, payment["id"], "Dubbel betaald")
    await as_user(client, zw.coordinator)
    url = f"/n/zuid-west/begroting/{zw.budget_year}/mutaties"
    # The download link takes the page's filters along (none here, so no query string).
    assert f'href="{url}/export.csv"' in (await client.get(url)).text
    filtered = (await client.get(f"{url}?soort=advance_payment&pagina=1")).text
    assert f'href="{url}/export.csv?soort=advance_payment"' in filtered
    rows = parse(await client.get(f"{url}/export.csv"))
    assert rows[0] == [
        "Nr.",
        "Boekdatum",
        "Soort",
        "Post",
        "Van post",
        "Project",
        "Bedrag",
        "Correctie op nr.",
        "Reden",
        "Kenmerk",
        "Geboekt door",
        "Vastgelegd op",
    ]
    numbers = [int(n) for n in column(rows, "Nr.")]
    assert numbers == sorted(numbers) and len(numbers) == len(
        (await ledger_queries.entries(zw.budget_year, per_page=1000))[0]
    )
    amounts = column(rows, "Bedrag")
    assert "3.933.342,00" in amounts  # process line a, opened from the SPUK
    assert "10.000,00" in amounts and "6.400,00" in amounts and "-6.400,00" in amounts
    correction = rows[[row[6] for row in rows].index("-6.400,00")]
    assert correction[7] == str(payment["id"]) and correction[8] == "Dubbel betaald"
    # The filters of the entries page.
    commitments = parse(await client.get(f"{url}/export.csv?soort=commitment&post_id=&project="))
    assert column(commitments, "Bedrag") == ["10.000,00"]
    assert column(commitments, "Project") == ["Project van Y"]
    assert column(commitments, "Boekdatum") == ["01-11-2021"]


async def test_ledger_entries_only_for_the_networks_coordinator(client, lists: Lists) -> None:
    zw = lists.zw
    url = f"/n/zuid-west/begroting/{zw.budget_year}/mutaties/export.csv"
    await as_user(client, zw.officer_a)
    assert (await client.get(url)).status_code == 403
    limburg = await factories.network(slug="limburg")
    limburg_coordinator = await factories.member(limburg, Role.coordinator)
    limburg_year = await make_year(2021, network=limburg, coordinator=limburg_coordinator)
    await as_user(client, limburg_coordinator)
    assert (await client.get(url)).status_code == 404
    assert (
        await client.get(f"/n/limburg/begroting/{zw.budget_year}/mutaties/export.csv")
    ).status_code == 404
    own = parse(
        await client.get(f"/n/limburg/begroting/{limburg_year.budget_year}/mutaties/export.csv")
    )
    assert "20.000,00" in column(own, "Bedrag")
    assert "3.933.342,00" not in column(own, "Bedrag")
