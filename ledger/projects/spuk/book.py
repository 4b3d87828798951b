"""The SPUK workbook as the sheets build it: `_Book` (portal/lib/xlsx_stream.py's streamed book with
the data, the export's local time and the SPUK page header on every sheet), the formats and
fonts the sheets share, and what one sheet tells the ones after it (its rows) so that their
formulas can point at them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.styles import Alignment, Font

from ledger.projects.spuk.data import SpukData
from portal.lib.formatting import AMSTERDAM
from portal.lib.xlsx_stream import Book, Column, Sheet, Writer, header_text

PERCENT = "0.0%"
TITLE = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")

# The SPUK amount on the Samenvatting, which the category shares and a check divide by.
SPUK_CELL = "Samenvatting!$B$2"


class _Book(Book):
    def __init__(self, data: SpukData, exported_at: dt.datetime):
        super().__init__()
        self.data = data
        local = exported_at if exported_at.tzinfo is None else exported_at.astimezone(AMSTERDAM)
        self.exported_local = local.replace(tzinfo=None)

    def sheet(
        self,
        title: str,
        columns: Sequence[Column],
        print_rows: str,
        freeze: str,
        pages_wide: int = 1,
        title_columns: int = 0,
    ) -> tuple[Sheet, Writer]:
        """A sheet whose printed pages name the network, the year and the sheet, and when the
        workbook was exported."""
        sheet, writer = super().sheet(title, columns, print_rows, freeze, pages_wide, title_columns)
        header = sheet.worksheet.HeaderFooter.oddHeader
        header.left.text = header_text(self.data.network_name)
        header.center.text = f"SPUK-verantwoording {self.data.year} – &A"
        header.right.text = f"Geëxporteerd {self.exported_local:%d-%m-%Y %H:%M}"
        return sheet, writer


@dataclass(frozen=True)
class _Summary:
    rows: dict[str, int]  # account code -> row
    first: int
    last: int
    total: int


@dataclass(frozen=True)
class _Rows:
    first: int
    last: int
    total: int


@dataclass(frozen=True)
class _Sisa:
    rows: _Rows
    this_year_row: int | None  # the row of a decision that only this budget year carries
