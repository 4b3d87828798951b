"""A streaming .xlsx writer, for a workbook too big for openpyxl's cells (the SPUK workbook of a
year with 50.000 entries): openpyxl makes the workbook without cells (sheets and their settings,
tables, styles, properties), the cells are written as XML, row by row, to a temporary file per
sheet, and `Book.save` puts those rows into the empty sheets of openpyxl's file.

It owns the cell XML (`Cell`, `Writer`, `text_xml`), the styles (`Styles`), the sheets
(`Sheet`, `Book`) and the number formats and fonts its cells use. Text follows the rule of
every other export (portal/lib/xlsx.py `clean_text` and `reads_as_formula`): what a worksheet
cannot hold is left out, and typed text that reads as a formula or an error value stays text.
What a workbook holds (its sheets, columns, page headers) is for the domain that uses it; this
module imports none.

It depends on openpyxl's internals: the XML it writes for a cell, its style ids (`Styles`), and
the empty `<sheetData>` of a write-only sheet (`Sheet.write_into`).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import Cell as _OpenpyxlCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from portal.lib.xlsx import clean_text, reads_as_formula

EURO = '"€" #,##0.00;[Red]"€" -#,##0.00'
DATE = "dd-mm-yyyy"
DATETIME = "dd-mm-yyyy hh:mm"
BOLD = Font(bold=True)
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")

# openpyxl's limit: Excel cells hold at most 32.767 characters.
MAX_TEXT = 32_767


@dataclass(frozen=True)
class Column:
    header: str
    width: float


# What one A4 page in landscape holds at full size, in column-width units (characters of the
# default font): 29,7 cm less openpyxl's default margins of 0,75 inch, about 7 pixels a unit.
PRINTABLE_WIDTH = 140
POINTS_PER_LINE = 15  # a row of the default font


def print_scale(columns: Sequence[Column], pages_wide: int = 1, title_columns: int = 0) -> float:
    """How large a sheet prints when fitted `pages_wide` pages wide, with its first
    `title_columns` columns repeated on every page: 1.0 is full size."""
    total = sum(c.width for c in columns)
    repeated = sum(c.width for c in columns[:title_columns])
    per_page = (total + repeated * (pages_wide - 1)) / pages_wide
    return min(1.0, PRINTABLE_WIDTH / per_page)


def header_height(columns: Sequence[Column]) -> float:
    """The height of a header row whose texts wrap within their columns, so that a long
    header does not run over the first rows (bold text takes a little more than its width)."""
    lines = max((math.ceil(len(c.header) * 1.1 / max(c.width - 1, 1)) for c in columns), default=1)
    return POINTS_PER_LINE * max(lines, 1)


# How the cells are written. openpyxl spent some 10 µs on every cell (a Cell object, type
# inference, style look-ups, an XML element): most of the export of a year with 50.000 entries
# (~660.000 cells). So openpyxl writes the workbook without cells (sheets and their settings,
# tables, styles, properties), `Sheet.append` writes each row's XML to a temporary file as it
# comes, and `Book.save` puts those rows into the empty sheets of openpyxl's file. The rows are
# byte for byte the XML openpyxl wrote for the same cells (its rules for which text is what
# included); tests/ledger/test_spuk.py test_every_cell_of_the_workbook pins what every cell of
# the SPUK workbook holds and looks like, tests/portal/test_xlsx_stream.py the writer itself.

_LETTERS = tuple(get_column_letter(i) for i in range(1, 703))  # A to ZZ
_EMPTY_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData>\s*</sheetData>")


class Cell:
    """A cell made by `Writer`: the XML of the cell after its coordinate."""

    __slots__ = ("xml",)

    def __init__(self, xml: str):
        self.xml = xml


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inline_string(text: str) -> str:
    """`<is>` of a text cell; openpyxl keeps leading or trailing spaces of a text that has
    more than spaces."""
    stripped = text.strip()
    if stripped and stripped != text:
        return f'<is><t xml:space="preserve">{escape(text)}</t></is></c>'
    return f"<is><t>{escape(text)}</t></is></c>"


def number(value: float) -> str:
    return "%.16g" % value  # noqa: UP031 - openpyxl's format for numbers


class Styles:
    """The cell styles of the workbook, each registered once, as the `s` attribute of a cell."""

    def __init__(self, ws):
        self._ws = ws
        self._attributes: dict[tuple, str] = {}

    def attribute(
        self,
        number_format: str | None = None,
        font: Font | None = None,
        alignment: Alignment | None = None,
    ) -> str:
        key = (number_format, font, alignment)
        found = self._attributes.get(key)
        if found is None:
            found = ""
            if number_format or font or alignment:
                # Any place will do: only the style of this cell is read.
                template = _OpenpyxlCell(self._ws, row=1, column=1)
                if number_format:
                    template.number_format = number_format
                if font:
                    template.font = font
                if alignment:
                    template.alignment = alignment
                found = f' s="{template.style_id}"'
            self._attributes[key] = found
        return found


class Writer:
    """Cells for one sheet: styled only where a style is needed, user text never read as a
    formula."""

    def __init__(self, styles: Styles):
        self.styles = styles
        self._serials: dict[dt.date, str] = {}  # a year's entries share a few hundred days
        # Styled texts by (style, text): a year's entries repeat their lines' and projects'
        # names, wrapped, tens of thousands of times.
        self._styled: dict[tuple[str, str], Cell] = {}

    def cell(self, value, number_format: str | None = None, font=None, alignment=None) -> Cell:
        style = self.styles.attribute(number_format, font, alignment)
        if isinstance(value, str):
            return Cell(style + text_xml(value))
        if isinstance(value, dt.date):
            return Cell(f'{style} t="n"><v>{self._serial(value)}</v></c>')
        return Cell(f'{style} t="n"><v>{number(value)}</v></c>')

    def text(self, value: str | None, alignment=None):
        """Text as text: a reason typed as '=HYPERLINK(…)' stays a reason."""
        if not value:
            return None
        value = clean_text(value)
        # Marked as text whenever it reads as a formula: '=…' would be one in openpyxl's reading
        # (`text_xml`), and '#N/A' typed as a reason is a reason, not Excel's error value (which
        # a check that looks at the column would then carry along). '+1', '-2', '@x' are written
        # the same either way: as an inline string.
        if reads_as_formula(value) or alignment:
            style = self.styles.attribute(alignment=alignment)
            cell = self._styled.get((style, value))
            if cell is None:
                cell = Cell(f'{style} t="inlineStr">{inline_string(value[:MAX_TEXT])}')
                if len(self._styled) < 100_000:  # bounded: reasons can all differ
                    self._styled[(style, value)] = cell
            return cell
        return value

    def euro(self, cents: int | None) -> Cell | None:
        if cents is None:
            return None
        return Cell(f'{self.styles.attribute(EURO)} t="n"><v>{number(cents / 100)}</v></c>')

    def formula(self, formula: str, number_format: str | None = EURO, font=None) -> Cell:
        assert formula.startswith("="), formula
        style = self.styles.attribute(number_format, font)
        return Cell(f"{style}><f>{escape(formula[1:])}</f><v /></c>")

    def date(self, value: dt.date | None, number_format: str | None = DATE) -> Cell | None:
        if value is None:
            return None
        style = self.styles.attribute(number_format)
        return Cell(f'{style} t="n"><v>{self._serial(value)}</v></c>')

    def _serial(self, value: dt.date) -> str:
        serial = self._serials.get(value)
        if serial is None:
            serial = self._serials[value] = number(to_excel(value))
        return serial

    def header(self, columns: Sequence[Column]) -> list:
        return [self.cell(c.header, font=BOLD, alignment=HEADER_ALIGNMENT) for c in columns]


def text_xml(value: str) -> str:
    """The XML of a plain text after the coordinate (and style), read as openpyxl reads it:
    '=…' is a formula, an error code such as '#N/A' is that error."""
    if clean_text(value) != value:
        raise ValueError(f"{value!r} holds characters a worksheet cannot hold")
    value = value[:MAX_TEXT]
    if not value:
        return ' t="inlineStr" />'
    if len(value) > 1 and value.startswith("="):
        return f"><f>{escape(value[1:])}</f><v /></c>"
    if value in ERROR_CODES:
        return f' t="e"><v>{escape(value)}</v></c>'
    return ' t="inlineStr">' + inline_string(value)


class Sheet:
    """One sheet: `worksheet` is openpyxl's (settings and tables), `append` writes a row of
    cells."""

    def __init__(self, worksheet, texts: dict[str, str]):
        self.worksheet = worksheet
        self._rows = 0
        self._texts = texts  # plain text -> its XML, shared by the sheets
        # Closed by Book.close, once the workbook is saved.
        self._file = tempfile.SpooledTemporaryFile(max_size=2**20)  # noqa: SIM115
        self._pending: list[str] = []

    def append(self, values: Sequence, height: float | None = None) -> None:
        """The next row: a value per column from A, None for an empty cell; `height` in points
        for a row whose wrapped texts need more than one line."""
        self._rows += 1
        row = str(self._rows)
        xml = [
            f'<row r="{row}" ht="{number(height)}" customHeight="1">'
            if height
            else f'<row r="{row}">'
        ]
        for i, value in enumerate(values):
            if value is None:
                continue
            kind = type(value)
            if kind is Cell:
                tail = value.xml
            elif kind is str:
                tail = self._texts.get(value)
                if tail is None:
                    tail = self._texts[value] = text_xml(value)
            elif kind is int or kind is float:
                tail = f' t="n"><v>{number(value)}</v></c>'
            else:
                raise TypeError(f"{value!r} in column {_LETTERS[i]}: use the sheet's Writer")
            xml.append(f'<c r="{_LETTERS[i]}{row}"{tail}')
        xml.append("</row>")
        self._pending.append("".join(xml))
        if len(self._pending) >= 1000:
            self._flush()

    def _flush(self) -> None:
        self._file.write("".join(self._pending).encode())
        self._pending.clear()

    def write_into(self, sheet_xml: bytes, target: IO[bytes]) -> None:
        """openpyxl's XML of the sheet, with these rows in its empty `<sheetData>`."""
        self._flush()
        (empty,) = _EMPTY_SHEET_DATA.finditer(sheet_xml)
        target.write(sheet_xml[: empty.start()] + b"<sheetData>")
        self._file.seek(0)
        shutil.copyfileobj(self._file, target, 2**20)
        target.write(b"</sheetData>" + sheet_xml[empty.end() :])

    def close(self) -> None:
        self._file.close()


class Book:
    """A workbook of streamed sheets: `wb` is openpyxl's (properties, sheets' settings),
    `sheet` adds a sheet, `save` makes the file; `close` when done, saved or not."""

    def __init__(self):
        self.wb = Workbook(write_only=True)
        self.sheets: list[Sheet] = []
        self._styles: Styles | None = None
        self._texts: dict[str, str] = {}

    def sheet(
        self,
        title: str,
        columns: Sequence[Column],
        print_rows: str,
        freeze: str,
        pages_wide: int = 1,
        title_columns: int = 0,
    ) -> tuple[Sheet, Writer]:
        """A sheet with these column widths, frozen at `freeze`, printed landscape on A4,
        `pages_wide` pages wide with the first `title_columns` columns on each, `print_rows` on
        every page, page numbers in the footer."""
        ws = self.wb.create_sheet(title)
        for i, c in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = c.width
        ws.freeze_panes = freeze
        ws.print_title_rows = print_rows
        if title_columns:
            ws.print_title_cols = f"A:{get_column_letter(title_columns)}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = pages_wide
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.gridLines = False
        ws.HeaderFooter.oddFooter.center.text = "Pagina &P van &N"
        if self._styles is None:
            self._styles = Styles(ws)
        sheet = Sheet(ws, self._texts)
        self.sheets.append(sheet)
        return sheet, Writer(self._styles)

    def table(
        self, ws: Sheet, name: str, columns: Sequence[Column], header_row: int, last_row: int
    ):
        """A table with a filter on every column (an Excel table, so a sheet can hold two)."""
        ref = f"A{header_row}:{get_column_letter(len(columns))}{last_row}"
        table = Table(
            displayName=name,
            ref=ref,
            tableStyleInfo=TableStyleInfo(name="TableStyleLight1", showRowStripes=True),
        )
        # Write-only sheets cannot be read back, so the columns are named here.
        table.tableColumns = [TableColumn(id=i, name=c.header) for i, c in enumerate(columns, 1)]
        table.autoFilter = AutoFilter(ref=ref)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "In write-only mode", UserWarning)
            ws.worksheet.add_table(table)

    def save(self) -> bytes:
        """openpyxl's file, each sheet's rows put into it."""
        without_cells = io.BytesIO()
        self.wb.save(without_cells)
        rows = {sheet.worksheet.path.lstrip("/"): sheet for sheet in self.sheets}
        out = io.BytesIO()
        with (
            zipfile.ZipFile(without_cells) as source,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as target,
        ):
            for item in source.infolist():
                content = source.read(item)
                sheet = rows.pop(item.filename, None)
                if sheet is None:
                    target.writestr(item, content)
                else:
                    with target.open(item, "w") as member:
                        sheet.write_into(content, member)
        assert not rows, f"sheets not in openpyxl's file: {list(rows)}"
        return out.getvalue()

    def close(self) -> None:
        for sheet in self.sheets:
            sheet.close()


def header_text(text: str) -> str:
    """User text for a page header: cleaned, cut short, its '&' not read as a code."""
    # '&' starts a code in page headers, which hold 255 characters in all.
    return clean_text(text)[:80].replace("&", "&&")
