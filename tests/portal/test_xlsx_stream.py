"""The streaming .xlsx writer (portal/lib/xlsx_stream.py): a workbook it writes opens in openpyxl with
the values, types, styles and formulas written; text is cleaned and typed text that reads as a
formula stays text; an empty sheet; a text longer than a cell holds is cut; the writer imports
no domain. The SPUK workbook's own cells are pinned in tests/ledger/test_spuk.py."""

from __future__ import annotations

import ast
import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Alignment

from portal.lib.xlsx_stream import (
    BOLD,
    DATE,
    DATETIME,
    EURO,
    MAX_TEXT,
    Book,
    Cell,
    Column,
    Styles,
    header_text,
    text_xml,
)

ROOT = Path(__file__).resolve().parents[2]
WRAP = Alignment(wrap_text=True, vertical="top")
COLUMNS = (Column("Naam", 20), Column("Bedrag", 12), Column("Datum", 12), Column("Som", 12))


def written(build) -> openpyxl.Workbook:
    """The workbook `build(book)` fills, saved and opened again by openpyxl."""
    book = Book()
    try:
        build(book)
        content = book.save()
    finally:
        book.close()
    return openpyxl.load_workbook(io.BytesIO(content))


def test_values_types_styles_and_formulas() -> None:
    def build(book: Book) -> None:
        ws, w = book.sheet("Lijst", COLUMNS, "1:1", "A2")
        ws.append(w.header(COLUMNS))
        ws.append(["Plain", w.euro(123_456), w.date(dt.date(2021, 12, 31)), 7])
        ws.append(
            [
                w.text("  met spaties "),
                w.euro(-5),
                w.date(dt.datetime(2022, 1, 10, 9, 30), DATETIME),
                2.5,
            ]
        )
        ws.append([None, w.euro(None), w.date(None), w.formula("=SUM(D2:D3)", font=BOLD)])
        ws.append(["<a & b>", None, None, w.formula('=IF(D2<8,"a&b","")', None)])
        ws.append([w.cell("Totaal", font=BOLD), w.cell(3), w.cell(dt.date(2020, 1, 1), DATE)])
        book.table(ws, "Regels", COLUMNS, 1, 5)

    ws = written(build)["Lijst"]
    header = ws[1]
    assert [c.value for c in header] == ["Naam", "Bedrag", "Datum", "Som"]
    assert all(c.font.b and c.alignment.wrap_text and c.alignment.vertical == "top" for c in header)

    a2, b2, c2, d2 = ws[2]
    assert (a2.value, a2.data_type, a2.style_id) == ("Plain", "s", 0)
    assert (b2.value, b2.number_format) == (1234.56, EURO)
    assert (c2.value, c2.number_format) == (dt.datetime(2021, 12, 31), DATE)
    assert (d2.value, d2.data_type, d2.number_format) == (7, "n", "General")

    a3, b3, c3, d3 = ws[3]
    assert a3.value == "  met spaties "  # leading and trailing spaces are kept
    assert (b3.value, b3.number_format) == (-0.05, EURO)
    assert (c3.value, c3.number_format) == (dt.datetime(2022, 1, 10, 9, 30), DATETIME)
    assert d3.value == 2.5

    assert [c.value for c in ws[4][:3]] == [None, None, None]  # None is no cell
    assert (ws["D4"].value, ws["D4"].data_type) == ("=SUM(D2:D3)", "f")
    assert ws["D4"].number_format == EURO and ws["D4"].font.b  # a formula is in euros by default
    assert ws["A5"].value == "<a & b>"
    assert (ws["D5"].value, ws["D5"].number_format) == ('=IF(D2<8,"a&b","")', "General")
    assert ws["A6"].font.b and ws["B6"].value == 3
    assert (ws["C6"].value, ws["C6"].number_format) == (dt.datetime(2020, 1, 1), DATE)

    assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1"
    assert [ws.column_dimensions[letter].width for letter in "ABCD"] == [20, 12, 12, 12]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.oddFooter.center.text == "Pagina &P van &N"
    table = ws.tables["Regels"]
    assert table.ref == "A1:D5" and table.autoFilter.ref == "A1:D5"
    assert [c.name for c in table.tableColumns] == ["Naam", "Bedrag", "Datum", "Som"]


def test_a_style_is_registered_once() -> None:
    book = Book()
    try:
        _, w = book.sheet("Blad", COLUMNS, "1:1", "A2")
        styles: Styles = w.styles
        assert styles.attribute() == ""
        euro = styles.attribute(EURO)
        assert euro.startswith(' s="') and styles.attribute(EURO) == euro
        assert styles.attribute(EURO, BOLD) not in ("", euro)
        # Every sheet's writer shares the book's styles.
        _, other = book.sheet("Ander", COLUMNS, "1:1", "A2")
        assert other.styles is styles
    finally:
        book.close()


def test_typed_text_stays_text_and_is_cleaned() -> None:
    typed = ['=HYPERLINK("http://x","Klik")', "+1+1", "-2", "@SUM(A1)", "#N/A", "\t=1"]

    def build(book: Book) -> None:
        ws, w = book.sheet("Tekst", COLUMNS, "1:1", "A2")
        for text in typed:
            ws.append([w.text(text)])
        ws.append([w.text("bel\x07 en niet-teken\uffff")])
        ws.append([w.text(""), w.text(None)])

    ws = written(build)["Tekst"]
    values = [ws.cell(row=row, column=1) for row in range(1, len(typed) + 1)]
    assert [(c.value, c.data_type) for c in values] == [(t, "s") for t in typed]
    assert ws.cell(row=len(typed) + 1, column=1).value == "bel en niet-teken"
    assert ws.max_row == len(typed) + 1  # an empty text is no cell


def test_the_writer_marks_what_reads_as_a_formula() -> None:
    book = Book()
    try:
        _, w = book.sheet("Blad", COLUMNS, "1:1", "A2")
        assert w.text("Gewoon") == "Gewoon"  # plain text goes as it is, shared between sheets
        marked = w.text("=1+1")
        assert isinstance(marked, Cell) and ' t="inlineStr">' in marked.xml
        aligned = w.text("Gewoon", WRAP)  # a text with an alignment needs its style: a cell
        assert isinstance(aligned, Cell) and aligned.xml.startswith(' s="')
    finally:
        book.close()


def test_plain_text_is_read_as_openpyxl_reads_it() -> None:
    """A str put into a row as it is (not through `Writer.text`) is what openpyxl made of it:
    '=…' a formula, an error code that error; text a worksheet cannot hold is refused."""

    def build(book: Book) -> None:
        ws, _ = book.sheet("Blad", COLUMNS, "1:1", "A2")
        ws.append(["=1+1", "#N/A", "=", "tekst"])

    ws = written(build)["Blad"]
    assert [(c.value, c.data_type) for c in ws[1]] == [
        ("=1+1", "f"),
        ("#N/A", "e"),
        ("=", "s"),
        ("tekst", "s"),
    ]
    with pytest.raises(ValueError, match="cannot hold"):
        text_xml("bel\x07")
    assert text_xml("") == ' t="inlineStr" />'


def test_a_value_not_made_by_the_writer_is_refused() -> None:
    book = Book()
    try:
        ws, _ = book.sheet("Blad", COLUMNS, "1:1", "A2")
        with pytest.raises(TypeError, match="in column B"):
            ws.append([1, dt.date(2021, 1, 1)])
        with pytest.raises(TypeError):
            ws.append([True])
    finally:
        book.close()


def test_an_empty_sheet() -> None:
    def build(book: Book) -> None:
        book.sheet("Leeg", COLUMNS, "1:1", "A2")
        ws, _ = book.sheet("Vol", COLUMNS, "1:1", "A2")
        ws.append(["iets"])

    book = written(build)
    assert book.sheetnames == ["Leeg", "Vol"]
    assert book["Leeg"]._cells == {}
    assert book["Vol"]["A1"].value == "iets"


def test_an_empty_sheet_has_empty_sheet_data() -> None:
    book = Book()
    try:
        book.sheet("Leeg", COLUMNS, "1:1", "A2")
        content = book.save()
    finally:
        book.close()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert b"<sheetData></sheetData>" in archive.read("xl/worksheets/sheet1.xml")


def test_a_long_text_is_cut_to_what_a_cell_holds() -> None:
    assert MAX_TEXT == 32_767
    long = "x" * (MAX_TEXT + 100)

    def build(book: Book) -> None:
        ws, w = book.sheet("Lang", COLUMNS, "1:1", "A2")
        ws.append([w.text(long), w.text("=" + long), w.cell(long), w.text(long, WRAP)])

    ws = written(build)["Lang"]
    assert ws["A1"].value == long[:MAX_TEXT]
    assert ws["B1"].value == ("=" + long)[:MAX_TEXT] and ws["B1"].data_type == "s"
    assert ws["C1"].value == long[:MAX_TEXT]
    assert ws["D1"].value == long[:MAX_TEXT] and ws["D1"].alignment.wrap_text


def test_many_rows_in_order() -> None:
    """Rows are written to a temporary file in batches (and past 1 MB to disk): all of them
    come back, in order."""
    count = 5_000
    filler = "y" * 300  # some 1.5 MB of rows

    def build(book: Book) -> None:
        ws, w = book.sheet("Veel", COLUMNS, "1:1", "A2")
        for i in range(count):
            ws.append([w.text(f"regel {i} {filler}"), i, w.euro(i)])

    ws = written(build)["Veel"]
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == count
    assert rows[0][:3] == (f"regel 0 {filler}", 0, 0)
    assert rows[-1][:3] == (f"regel {count - 1} {filler}", count - 1, (count - 1) / 100)


def test_page_header_text() -> None:
    assert header_text("Netwerk Zuid-West & Co") == "Netwerk Zuid-West && Co"
    assert header_text("bel\x07") == "bel"
    assert header_text("z" * 200) == "z" * 80


def test_the_stream_writer_imports_no_domain() -> None:
    tree = ast.parse((ROOT / "portal" / "lib" / "xlsx_stream.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"proposals", "review", "ledger"}, imported
