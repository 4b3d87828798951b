"""The budget template to download: the proposal's years, an example row, the lines so far, with
formulas and validations that follow the rules of `budget_workbook`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from portal.lib.xlsx import (
    EURO_FORMAT,
    finish_list,
    new_workbook,
    workbook_bytes,
    write_cell,
    write_formula,
    write_header,
)
from proposals.budget_workbook import (
    AMOUNT_COLUMN,
    BUDGET_LINE_KINDS,
    EXAMPLE_MARKER,
    EXAMPLE_ROW,
    FIRST_LINE_ROW,
    GUIDE_SHEET,
    HEADERS,
    HOURS_COLUMN,
    HOURS_FORMAT,
    KIND_COLUMN,
    MAX_DESCRIPTION_LENGTH,
    MAX_LINES,
    PERSONNEL,
    RATE_COLUMN,
    SHEET,
    YEAR_COLUMN,
    BudgetLineInput,
    _describe_years,
)

# --- The template ----------------------------------------------------------------------------

# The shared pieces (header, text cells, widths, frozen header, filter, euro format) are those of
# every export (portal/lib/xlsx.py): a description typed as '=HYPERLINK(…)' stays a description.
_EXAMPLE_FONT = Font(italic=True, color="808080")
_COLUMN_WIDTHS = (30, 9, 60, 11, 15, 17)  # A to F
_LAST_VALIDATED_ROW = FIRST_LINE_ROW + MAX_LINES  # room for a full budget below the example


class _Formula(str):
    """A formula the template writes itself; any other text is written as text."""


def build_template(
    years: Iterable[int], proposal_title: str = "", lines: Sequence[BudgetLineInput] = ()
) -> bytes:
    """An .xlsx to fill in: sheet Begroting (an example row, then `lines`) and sheet Uitleg."""
    years = sorted(set(years))
    workbook, sheet = new_workbook(SHEET)
    write_header(sheet, HEADERS)
    # Column styles, so that rows the applicant adds get the same number formats.
    sheet.column_dimensions[YEAR_COLUMN].number_format = "0"
    sheet.column_dimensions[HOURS_COLUMN].number_format = HOURS_FORMAT
    sheet.column_dimensions[RATE_COLUMN].number_format = EURO_FORMAT
    sheet.column_dimensions[AMOUNT_COLUMN].number_format = EURO_FORMAT
    _write_example(sheet, years)
    for row, line in enumerate(lines, start=FIRST_LINE_ROW):
        _write_line(sheet, row, line)
    finish_list(sheet, _COLUMN_WIDTHS, last_row=max(FIRST_LINE_ROW - 1 + len(lines), EXAMPLE_ROW))
    _add_validations(sheet, years)
    _write_guide(workbook.create_sheet(GUIDE_SHEET), years, proposal_title)

    title = f"Begroting – {proposal_title}" if proposal_title else "Begroting"
    return workbook_bytes(workbook, title)


def _write_example(sheet: Worksheet, years: list[int]) -> None:
    example = (
        BUDGET_LINE_KINDS[PERSONNEL],
        years[0] if years else None,
        f"{EXAMPLE_MARKER} projectleider, 120 uur à € 95,00 (deze regel wordt niet ingelezen)",
        Decimal(120),
        Decimal(95),
        _personnel_formula(EXAMPLE_ROW),
    )
    _write_row(sheet, EXAMPLE_ROW, example)
    for index in range(1, len(HEADERS) + 1):
        sheet.cell(row=EXAMPLE_ROW, column=index).font = _EXAMPLE_FONT


def _write_line(sheet: Worksheet, row: int, line: BudgetLineInput) -> None:
    personnel = line.kind == PERSONNEL
    _write_row(
        sheet,
        row,
        (
            BUDGET_LINE_KINDS.get(line.kind, line.kind),
            line.year,
            line.description,
            _hundredths_to_decimal(line.hours_hundredths),
            _hundredths_to_decimal(line.hourly_rate_cents),
            _personnel_formula(row) if personnel else _hundredths_to_decimal(line.amount_cents),
        ),
    )


def _personnel_formula(row: int) -> _Formula:
    # Without a cached value (openpyxl computes nothing) the reader sees an empty cell and
    # computes the amount itself; after Excel saved the file it sees Excel's result.
    return _Formula(f"=ROUND({HOURS_COLUMN}{row}*{RATE_COLUMN}{row},2)")


def _write_row(sheet: Worksheet, row: int, values: Sequence[Any]) -> None:
    number_formats = ("General", "0", "General", HOURS_FORMAT, EURO_FORMAT, EURO_FORMAT)
    for index, (value, number_format) in enumerate(zip(values, number_formats, strict=True), 1):
        if isinstance(value, _Formula):
            write_formula(sheet, row, index, str(value), number_format)
        else:
            write_cell(sheet, row, index, value, number_format)


def _hundredths_to_decimal(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value) / 100


def _add_validations(sheet: Worksheet, years: list[int]) -> None:
    kinds = DataValidation(
        type="list",
        formula1='"' + ",".join(BUDGET_LINE_KINDS.values()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Onbekende soort",
        error="Kies een soort uit de lijst.",
    )
    kinds.add(_column_range(KIND_COLUMN))
    sheet.add_data_validation(kinds)
    if years:
        year_list = DataValidation(
            type="list",
            formula1='"' + ",".join(str(year) for year in years) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Jaar buiten de looptijd",
            error=f"Kies een jaar binnen de looptijd van het project ({_describe_years(years)}).",
        )
        year_list.add(_column_range(YEAR_COLUMN))
        sheet.add_data_validation(year_list)
    numbers = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Geen geldig getal",
        error="Vul een getal van 0 of meer in, met hoogstens twee cijfers achter de komma.",
    )
    for column in (HOURS_COLUMN, RATE_COLUMN, AMOUNT_COLUMN):
        numbers.add(_column_range(column))
    sheet.add_data_validation(numbers)


def _column_range(column: str) -> str:
    return f"{column}{EXAMPLE_ROW}:{column}{_LAST_VALIDATED_ROW}"


def _write_guide(sheet: Worksheet, years: list[int], proposal_title: str) -> None:
    kinds = ", ".join(BUDGET_LINE_KINDS.values())
    year_text = _describe_years(years) if years else "nog niet bekend"
    paragraphs: list[tuple[str, str]] = [
        ("Begroting invullen", "title"),
        (f"Project: {proposal_title}" if proposal_title else "", "bold"),
        (
            "Vul op het blad Begroting één regel per kostenpost per jaar in. Het portaal leest "
            "alle regels in één keer in: staat er ergens een fout, dan wordt niets overgenomen "
            "en ziet u per rij en kolom wat er mis is.",
            "",
        ),
        ("De kolommen", "bold"),
        (f"Soort: kies uit de lijst: {kinds}.", ""),
        (f"Jaar: het jaar waarin de kosten vallen, binnen de looptijd ({year_text}).", ""),
        (
            "Omschrijving: wat de kosten zijn, bijvoorbeeld de functie of het soort materiaal. "
            f"Verplicht, hoogstens {MAX_DESCRIPTION_LENGTH} tekens, één regel tekst.",
            "",
        ),
        ("Uren: alleen bij personeel: het aantal uren, bijvoorbeeld 12,5.", ""),
        ("Uurtarief (€): alleen bij personeel: het tarief per uur in euro's.", ""),
        (
            "Bedrag (€): het bedrag in euro's. Bij personeel is Bedrag Uren × Uurtarief, "
            "afgerond op hele centen; u mag de cel dan leeg laten, het portaal rekent het uit. "
            "In het voorbeeld en in regels die al in het portaal stonden, rekent een formule het "
            "bedrag uit. Vult u het zelf in, dan moet het gelijk zijn aan Uren × Uurtarief. "
            "Bij de andere "
            "soorten is Bedrag verplicht en blijven Uren en Uurtarief leeg.",
            "",
        ),
        ("Let op", "bold"),
        (
            "Bedragen en uren zijn getallen van 0 of meer met hoogstens twee cijfers achter de "
            "komma. Typt u een getal als tekst, schrijf het dan zo: 1.234,56.",
            "",
        ),
        (
            f"De grijze regel die begint met '{EXAMPLE_MARKER}' wordt niet ingelezen; u mag "
            "hem laten staan of verwijderen.",
            "",
        ),
        (
            "Verander de kopregel (" + ", ".join(HEADERS) + ") en de naam van het blad "
            "Begroting niet, en voeg geen kolommen in.",
            "",
        ),
        (f"Hoogstens {MAX_LINES} regels.", ""),
        (
            "Sla het bestand op als Excel-werkmap (.xlsx). Bestanden met macro's (.xlsm) "
            "worden geweigerd, net als .xls en .csv.",
            "",
        ),
    ]
    sheet.column_dimensions["A"].width = 100
    row = 1
    for text, style in paragraphs:
        if not text:
            continue
        cell = write_cell(sheet, row, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if style == "title":
            cell.font = Font(bold=True, size=14)
        elif style == "bold":
            cell.font = Font(bold=True)
        row += 1
