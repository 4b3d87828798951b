"""Downloads of lists: CSV that Dutch Excel opens as it should, and the proposal list as .xlsx.

Each domain says what a list holds (`*/exports.py`: columns as (header, kind) and rows of plain
values, money in integer cents); this module writes those rows to a file. CSV: UTF-8 with a byte
order mark, `;` between fields, amounts and dates in Dutch notation (1.234,56 and 31-12-2021).
Every download checks access as the page it comes from does.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal

import openpyxl
from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ledger import exports as ledger_exports
from ledger.money import format_euros
from ledger.services import budget_year
from portal import clock
from portal.formatting import AMSTERDAM
from portal.forms import clean, query_int
from portal.guards import allow
from portal.tables import Role
from proposals import exports as proposal_exports
from proposals import queries as proposal_queries
from proposals.controllers import SCOPES
from proposals.files import content_disposition
from proposals.rules import STATE_LABELS
from review import exports as review_exports

COORDINATOR = allow(Role.coordinator)
# Who sees the proposal list; the list itself narrows it to their own scope.
LIST_READERS = allow(Role.applicant, Role.region_officer, Role.coordinator)

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
# A cell starting with one of these is a formula to a spreadsheet ("CSV injection"): text
# typed by applicants gets a leading apostrophe, so it stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EURO_FORMAT = '"€" #,##0.00'
DATE_FORMAT = "dd-mm-yyyy"
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"

Columns = Sequence[tuple[str, str]]


def _local(value: dt.datetime) -> dt.datetime:
    return clock.as_utc(value).astimezone(AMSTERDAM)


def csv_cell(value: object, kind: str) -> str:
    """One value in Dutch notation; kind is text, number, money, decimal, date or datetime."""
    if value is None or value == "":
        return ""
    if kind == "money":
        return format_euros(int(value), symbol=False)  # type: ignore[call-overload]
    if kind == "decimal":
        return str(value).replace(".", ",")
    if kind == "datetime" and isinstance(value, dt.datetime):
        return f"{_local(value):%d-%m-%Y %H:%M}"
    if kind in ("date", "datetime") and isinstance(value, dt.date):
        return f"{value:%d-%m-%Y}"
    text = str(value)
    if kind == "text" and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def dutch_csv(columns: Columns, rows: Sequence[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([header for header, _ in columns])
    for row in rows:
        writer.writerow(
            [csv_cell(value, kind) for value, (_, kind) in zip(row, columns, strict=True)]
        )
    return (BOM + buffer.getvalue()).encode("utf-8")


def xlsx_value(value: object, kind: str) -> object:
    if value is None or value == "":
        return None
    if kind == "money":
        return Decimal(int(value)) / 100  # type: ignore[call-overload]
    if kind == "datetime" and isinstance(value, dt.datetime):
        return _local(value).replace(tzinfo=None)  # a spreadsheet knows no time zones
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def xlsx_workbook(
    title: str, sheet_name: str, columns: Columns, rows: Sequence[Sequence[object]]
) -> bytes:
    """One sheet: a bold, frozen header with a filter, euro and date formats, wide columns."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    sheet.append([header for header, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [max(10, len(header) + 2) for header, _ in columns]
    for row_number, row in enumerate(rows, start=2):
        for index, (value, (_, kind)) in enumerate(zip(row, columns, strict=True)):
            cell = sheet.cell(row=row_number, column=index + 1, value=xlsx_value(value, kind))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a title such as "=x" stays text, never a formula
                widths[index] = min(60, max(widths[index], len(cell.value) + 2))
            elif kind == "money":
                cell.number_format = EURO_FORMAT
                widths[index] = max(widths[index], 16)
            elif kind == "date":
                cell.number_format = DATE_FORMAT
            elif kind == "datetime":
                cell.number_format = DATETIME_FORMAT
                widths[index] = max(widths[index], 17)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows) + 1)}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.properties.title = title
    workbook.properties.creator = "Fondsportaal"
    workbook.properties.language = "nl-NL"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def download(content: bytes, filename: str, media_type: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(filename),
            # Personal data: not for shared caches, not kept by the browser.
            "Cache-Control": "private, no-store",
        },
    )


def _stamp() -> str:
    return f"{_local(clock.now()):%Y-%m-%d}"


class ExportController(Controller):
    path = "/n/{network:str}"

    async def _proposal_rows(
        self,
        request: Request,
        lijst: str | None,
        ronde: str | None,
        thema: str | None,
        regio: str | None,
        status: str | None,
        zoek: str | None,
    ) -> tuple[str, list[list]]:
        scope = proposal_exports.list_scope(request, lijst)
        filters = proposal_queries.ListFilter(
            round_id=query_int(ronde),
            theme_id=query_int(thema),
            region_id=query_int(regio),
            state=status if status in STATE_LABELS else None,
            search=clean(zoek or "")[:100],
        )
        return scope, await proposal_exports.list_rows(request, scope, filters)

    @get("/voorstellen/export.csv", opt=LIST_READERS)
    async def proposals_csv(
        self,
        request: Request,
        lijst: FromQuery[str | None] = None,
        ronde: FromQuery[str | None] = None,
        thema: FromQuery[str | None] = None,
        regio: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        zoek: FromQuery[str | None] = None,
    ) -> Response:
        """The proposal list as filtered on screen (the list page's query parameters)."""
        scope, rows = await self._proposal_rows(request, lijst, ronde, thema, regio, status, zoek)
        name = f"voorstellen-{request.state.network.slug}-{scope}-{_stamp()}.csv"
        return download(dutch_csv(proposal_exports.LIST_COLUMNS, rows), name, CSV_MEDIA_TYPE)

    @get("/voorstellen/export.xlsx", opt=LIST_READERS)
    async def proposals_xlsx(
        self,
        request: Request,
        lijst: FromQuery[str | None] = None,
        ronde: FromQuery[str | None] = None,
        thema: FromQuery[str | None] = None,
        regio: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        zoek: FromQuery[str | None] = None,
    ) -> Response:
        scope, rows = await self._proposal_rows(request, lijst, ronde, thema, regio, status, zoek)
        network = request.state.network
        content = xlsx_workbook(
            f"{SCOPES[scope][1]} – {network.name}",
            "Voorstellen",
            proposal_exports.LIST_COLUMNS,
            rows,
        )
        name = f"voorstellen-{network.slug}-{scope}-{_stamp()}.xlsx"
        return download(content, name, XLSX_MEDIA_TYPE)

    @get("/beoordeling/rondes/{round_id:int}/scores.csv", opt=COORDINATOR)
    async def review_scores_csv(self, request: Request, round_id: FromPath[int]) -> Response:
        """The scores of every review in a round, one row per reviewer and proposal."""
        if await proposal_queries.round_of(request.state.network.id, round_id) is None:
            raise NotFoundException("Deze ronde bestaat niet in dit netwerk.")
        rows = await review_exports.score_rows(round_id)
        name = f"scores-{request.state.network.slug}-ronde-{round_id}-{_stamp()}.csv"
        return download(dutch_csv(review_exports.SCORE_COLUMNS, rows), name, CSV_MEDIA_TYPE)

    @get("/begroting/{year_id:int}/mutaties/export.csv", opt=COORDINATOR)
    async def ledger_entries_csv(
        self,
        request: Request,
        year_id: FromPath[int],
        soort: FromQuery[str | None] = None,
        project: FromQuery[str | None] = None,
        post_id: FromQuery[str | None] = None,
    ) -> Response:
        """The entries of a budget year, filtered as on the entries page."""
        year = await budget_year(request.state.network.id, year_id)
        if year is None:
            raise NotFoundException("Dit begrotingsjaar bestaat niet in dit netwerk.")
        rows = await ledger_exports.entry_rows(
            year_id, kind=soort, project_id=query_int(project), account_id=query_int(post_id)
        )
        name = f"mutaties-{request.state.network.slug}-{year['year']}-{_stamp()}.csv"
        return download(dutch_csv(ledger_exports.ENTRY_COLUMNS, rows), name, CSV_MEDIA_TYPE)
