"""The one writer of spreadsheets (.xlsx and CSV) for every export, and its rules for cells.

Text that people typed is written as text, whatever it looks like: a title such as
`=HYPERLINK("http://…")`, `+31 6…`, `-2`, `@SUM(A1)` or `#N/A` must not become a formula or an
error value in the municipality's Excel ("formula injection"). Characters that a worksheet
cannot hold (control characters) are left out, or Excel refuses the whole file.

Each domain says what a list holds: columns as (header, kind) and rows of plain values, money in
integer cents; kind is text, number, money, decimal, date or datetime. CSV is UTF-8 with a byte
order mark, `;` between fields, amounts and dates in Dutch notation (1.234,56 and 31-12-2021),
so Dutch Excel opens it as it should.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal

import openpyxl
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from portal import clock
from portal.formatting import AMSTERDAM
from portal.money import format_euros

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
# A cell starting with one of these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EURO_FORMAT = '"€" #,##0.00'
DATE_FORMAT = "dd-mm-yyyy"
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"

Columns = Sequence[tuple[str, str]]


def clean_text(text: str) -> str:
    """Text without the characters a worksheet cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def reads_as_formula(text: str) -> bool:
    """Would a spreadsheet take this typed text for a formula or an error value?"""
    return text.startswith(FORMULA_STARTS) or text in ERROR_CODES


def _local(value: dt.datetime) -> dt.datetime:
    return clock.as_utc(value).astimezone(AMSTERDAM)


def csv_cell(value: object, kind: str) -> str:
    """One value in Dutch notation."""
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
    if kind == "text" and reads_as_formula(text):
        return "'" + text  # the apostrophe that Excel itself uses to say "this is text"
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
        return clean_text(value)
    return value


def xlsx_workbook(
    title: str,
    sheet_name: str,
    columns: Columns,
    rows: Sequence[Sequence[object]],
    widths: Sequence[int] | None = None,
) -> bytes:
    """One sheet: a bold, frozen header with a filter, euro and date formats, wide columns;
    every text a text."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = clean_text(sheet_name)[:31]
    sheet.append([header for header, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    fitted = [max(10, len(header) + 2) for header, _ in columns]
    for row_number, row in enumerate(rows, start=2):
        for index, (value, (_, kind)) in enumerate(zip(row, columns, strict=True)):
            cell = sheet.cell(row=row_number, column=index + 1, value=xlsx_value(value, kind))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a title such as "=x" or "#N/A" stays text
                fitted[index] = min(60, max(fitted[index], len(cell.value) + 2))
            elif kind == "money":
                cell.number_format = EURO_FORMAT
                fitted[index] = max(fitted[index], 16)
            elif kind == "date":
                cell.number_format = DATE_FORMAT
            elif kind == "datetime":
                cell.number_format = DATETIME_FORMAT
                fitted[index] = max(fitted[index], 17)
    for index, width in enumerate(widths or fitted, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows) + 1)}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.properties.title = clean_text(title)
    workbook.properties.creator = "Fondsportaal"
    workbook.properties.language = "nl-NL"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
