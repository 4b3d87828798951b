"""The one writer of spreadsheets (.xlsx and CSV) for every export, and its rules for cells.

Text that people typed is written as text, whatever it looks like: a title such as
`=HYPERLINK("http://…")`, `+31 6…`, `-2`, `@SUM(A1)` or `#N/A` must not become a formula or an
error value in the municipality's Excel ("formula injection"). Characters that a worksheet
cannot hold (control characters, U+FFFE/U+FFFF, lone surrogates) are left out, or Excel refuses
the whole file. One rule for both, `clean_text` and `reads_as_formula`, serves every writer:

- an .xlsx cell holding text gets the type "text" (`write_cell`), so it shows exactly as typed;
  only `write_formula` writes a formula, and only one the portal composed itself;
- a CSV field that `reads_as_formula` gets Excel's own text mark, an apostrophe (`csv_cell`);
- the SPUK workbook (ledger/projects/spuk/) writes its cells' XML itself, with the same two
  functions.

Each domain says what a list holds: columns as (header, kind) and rows of plain values, money in
integer cents; kind is text, number, money, decimal, date or datetime. `xlsx_workbook` writes
such a list as a sheet; a workbook of another shape (the budget template) builds on the same
pieces: `write_header`, `write_cell`, `write_formula`, `finish_list`, `workbook_bytes`. CSV is
UTF-8 with a byte order mark, `;` between fields, amounts and dates in Dutch notation (1.234,56
and 31-12-2021), so Dutch Excel opens it as it should.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import cast

import openpyxl
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from portal.lib import clock
from portal.lib.formatting import AMSTERDAM
from portal.lib.money import format_euros

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"

# What a worksheet cannot hold: the control characters XML 1.0 forbids (tab, line feed and
# carriage return are allowed), lone surrogates and the non-characters U+FFFE and U+FFFF. openpyxl
# refuses the first kind and writes the others into a file that neither Excel nor openpyxl reads.
_NOT_IN_A_WORKSHEET = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A cell starting with one of these is a formula to a spreadsheet (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Typed text that a spreadsheet takes for one of its error values.
ERROR_VALUES = frozenset(ERROR_CODES)

EURO_FORMAT = "€ #,##0.00"
DATE_FORMAT = "dd-mm-yyyy"
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill(fill_type="solid", start_color="DDEBF7", end_color="DDEBF7")

Columns = Sequence[tuple[str, str]]
# What a cell holds: text, a number, a date or time, or nothing.
CellValue = str | int | float | Decimal | bool | dt.date | dt.datetime | dt.time | None


# --- The rule for a cell ----------------------------------------------------------------------


def clean_text(text: str) -> str:
    """Text without the characters a worksheet cannot hold."""
    return _NOT_IN_A_WORKSHEET.sub("", text)


def reads_as_formula(text: str) -> bool:
    """Would a spreadsheet take this typed text for a formula or an error value?"""
    return text.startswith(FORMULA_STARTS) or text in ERROR_VALUES


# --- CSV --------------------------------------------------------------------------------------


def _local(value: dt.datetime) -> dt.datetime:
    return clock.as_utc(value).astimezone(AMSTERDAM)


def _cents(value: CellValue) -> int:
    # A money column holds integer cents (a sum may come from the database as a Decimal).
    return int(cast("int | Decimal", value))


def csv_cell(value: CellValue, kind: str) -> str:
    """One value in Dutch notation; typed text as text."""
    if value is None or value == "":
        return ""
    if kind == "money":
        return format_euros(_cents(value), symbol=False)
    if kind == "decimal":
        return str(value).replace(".", ",")
    if kind == "datetime" and isinstance(value, dt.datetime):
        return f"{_local(value):%d-%m-%Y %H:%M}"
    if kind in ("date", "datetime") and isinstance(value, dt.date):
        return f"{value:%d-%m-%Y}"
    if not isinstance(value, str):
        return str(value)  # a number: "-5" is minus five, not a formula
    text = clean_text(value)
    if reads_as_formula(text):
        return "'" + text  # the apostrophe that Excel itself uses to say "this is text"
    return text


def dutch_csv(columns: Columns, rows: Sequence[Sequence[CellValue]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(header, "text") for header, _ in columns])
    for row in rows:
        writer.writerow(
            [csv_cell(value, kind) for value, (_, kind) in zip(row, columns, strict=True)]
        )
    return (BOM + buffer.getvalue()).encode("utf-8")


# --- .xlsx: the pieces ------------------------------------------------------------------------


def write_cell(
    sheet: Worksheet, row: int, column: int, value: CellValue, number_format: str | None = None
) -> Cell:
    """The one way a value goes into a cell: text cleaned and always of type text, so that
    '=x', '+1', '#N/A' show as typed (openpyxl would make a formula or an error of them)."""
    if isinstance(value, str):
        cell = sheet.cell(row=row, column=column, value=clean_text(value))
        cell.data_type = "s"
    else:
        cell = sheet.cell(row=row, column=column, value=value)
    if number_format:
        cell.number_format = number_format
    return cell


def write_formula(
    sheet: Worksheet, row: int, column: int, formula: str, number_format: str | None = None
) -> Cell:
    """A formula the portal composed itself (never typed text: that goes to `write_cell`)."""
    assert formula.startswith("="), formula
    cell = sheet.cell(row=row, column=column, value=formula)
    if number_format:
        cell.number_format = number_format
    return cell


def write_header(sheet: Worksheet, headers: Sequence[str], row: int = 1) -> None:
    """The header row: bold on light blue."""
    for index, header in enumerate(headers, start=1):
        cell = write_cell(sheet, row, index, header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL


def finish_list(
    sheet: Worksheet, widths: Sequence[float], last_row: int, header_row: int = 1
) -> None:
    """A list under its header: column widths, the header frozen, a filter on every column."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{header_row + 1}"
    last_column = get_column_letter(len(widths))
    sheet.auto_filter.ref = f"A{header_row}:{last_column}{max(header_row, last_row)}"


def new_workbook(sheet_name: str) -> tuple[Workbook, Worksheet]:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = clean_text(sheet_name)[:31]
    return workbook, sheet


def workbook_bytes(workbook: Workbook, title: str) -> bytes:
    """The file, with the properties every export carries."""
    workbook.properties.title = clean_text(title)
    workbook.properties.creator = "Fondsportaal"
    workbook.properties.lastModifiedBy = "Fondsportaal"
    workbook.properties.language = "nl-NL"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- .xlsx: a list ----------------------------------------------------------------------------


def xlsx_value(value: CellValue, kind: str) -> CellValue:
    if value is None or value == "":
        return None
    if kind == "money":
        return Decimal(_cents(value)) / 100
    if kind == "datetime" and isinstance(value, dt.datetime):
        return _local(value).replace(tzinfo=None)  # a spreadsheet knows no time zones
    return value


_NUMBER_FORMATS = {"money": EURO_FORMAT, "date": DATE_FORMAT, "datetime": DATETIME_FORMAT}
_MIN_WIDTHS = {"money": 16, "datetime": 17}


def xlsx_workbook(
    title: str,
    sheet_name: str,
    columns: Columns,
    rows: Sequence[Sequence[CellValue]],
    widths: Sequence[float] | None = None,
) -> bytes:
    """One sheet: a bold, frozen header with a filter, euro and date formats, wide columns;
    every text a text."""
    workbook, sheet = new_workbook(sheet_name)
    write_header(sheet, [header for header, _ in columns])
    fitted = [max(10, len(header) + 2) for header, _ in columns]
    for row_number, row in enumerate(rows, start=2):
        for index, (value, (_, kind)) in enumerate(zip(row, columns, strict=True)):
            cell_value = xlsx_value(value, kind)
            if cell_value is None:
                continue
            number_format = None if isinstance(cell_value, str) else _NUMBER_FORMATS.get(kind)
            cell = write_cell(sheet, row_number, index + 1, cell_value, number_format)
            if isinstance(cell.value, str):
                fitted[index] = min(60, max(fitted[index], len(cell.value) + 2))
            else:
                fitted[index] = max(fitted[index], _MIN_WIDTHS.get(kind, 0))
    finish_list(sheet, widths or fitted, last_row=len(rows) + 1)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    page_setup = sheet.sheet_properties.pageSetUpPr
    assert page_setup is not None  # openpyxl gives every new sheet one
    page_setup.fitToPage = True
    return workbook_bytes(workbook, title)
