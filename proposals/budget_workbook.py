"""A proposal's budget as an Excel workbook: a template to download and a strict reader for uploads.

Pure: bytes in, bytes (or lines and problems) out; no database, no web. The web form shares
`line_problems`, so a line typed in the form and a line read from Excel obey the same rules.

Reading is all-or-nothing: if anything in the workbook is wrong, `parse_budget_workbook` returns
no lines and every problem it found, each with sheet, row and column, so the caller changes
nothing and the applicant can fix the file in one go.

Money is integer cents. Numbers from Excel cells arrive as floats; they are read as the decimal
Excel shows (15 significant digits) and never used in float arithmetic.
"""

from __future__ import annotations

import datetime
import logging
import unicodedata
import zipfile
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from portal.lib.files import FileRefused, refuse_xml_declarations
from portal.lib.money import MoneyError, decimal_to_cents, format_euros, parse_euros
from portal.lib.xlsx import (
    EURO_FORMAT,
    finish_list,
    new_workbook,
    workbook_bytes,
    write_cell,
    write_formula,
    write_header,
)

logger = logging.getLogger(__name__)

BUDGET_LINE_KINDS: dict[str, str] = {
    "personnel": "Personeel (uren × uurtarief)",
    "vacation_fees": "Vacatiegelden",
    "material": "Materiële kosten",
    "other": "Overige kosten",
}
PERSONNEL = "personnel"

SHEET = "Begroting"
GUIDE_SHEET = "Uitleg"
HEADERS = ("Soort", "Jaar", "Omschrijving", "Uren", "Uurtarief (€)", "Bedrag (€)")
COLUMNS = "ABCDEF"
KIND_COLUMN, YEAR_COLUMN, DESCRIPTION_COLUMN, HOURS_COLUMN, RATE_COLUMN, AMOUNT_COLUMN = [*COLUMNS]
EXAMPLE_MARKER = "Voorbeeld:"
EXAMPLE_ROW = 2
FIRST_LINE_ROW = 3

MAX_LINES = 500
MAX_DESCRIPTION_LENGTH = 500
MAX_HOURS_HUNDREDTHS = 100_000_000  # 1.000.000 hours
# € 1.000.000.000,00: a generous cap that keeps every number well within Excel's 15 digits.
MAX_AMOUNT_CENTS = 100_000_000_000

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 1000

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HOURS_FORMAT = "#,##0.00"


@dataclass(frozen=True)
class BudgetLineInput:
    kind: str  # a key of BUDGET_LINE_KINDS
    year: int
    description: str
    amount_cents: int  # for personnel: hours × rate, rounded half up to the cent
    hours_hundredths: int | None = None  # 12,5 hours -> 1250; personnel only
    hourly_rate_cents: int | None = None  # personnel only


@dataclass(frozen=True)
class WorkbookProblem:
    sheet: str  # "" when the problem is the file as a whole
    row: int | None  # Excel's 1-based row number
    column: str | None  # Excel letter, e.g. "C"
    message: str  # Dutch

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"Blad {self.sheet}")
        if self.row is not None:
            where.append(f"rij {self.row}")
        if self.column:
            where.append(f"kolom {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


def personnel_amount_cents(hours_hundredths: int, hourly_rate_cents: int) -> int:
    """Hours × rate in cents, rounded half up: 12,5 h × € 95,33 = € 1.191,625 -> 119163."""
    exact = Decimal(hours_hundredths) * Decimal(hourly_rate_cents) / 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- Rules for one line, shared by the web form and the workbook reader ----------------------


def line_problems(line: BudgetLineInput, allowed_years: Collection[int]) -> list[str]:
    """Everything wrong with one budget line, in Dutch; empty when the line is fine."""
    problems = [
        _kind_problem(line.kind),
        _year_problem(line.year, allowed_years),
        _description_problem(line.description),
        _money_problem(line.amount_cents, "Het bedrag"),
    ]
    hours, rate = line.hours_hundredths, line.hourly_rate_cents
    if line.kind == PERSONNEL:
        hours_problem = _MISSING_HOURS if hours is None else _hours_problem(hours)
        rate_problem = _MISSING_RATE if rate is None else _money_problem(rate, "Het uurtarief")
        problems += [hours_problem, rate_problem]
        if hours is not None and rate is not None and not hours_problem and not rate_problem:
            expected = personnel_amount_cents(hours, rate)
            if line.amount_cents != expected:
                problems.append(_amount_mismatch(line.amount_cents, expected))
    elif line.kind in BUDGET_LINE_KINDS:
        if hours is not None:
            problems.append(_HOURS_NOT_PERSONNEL)
        if rate is not None:
            problems.append(_RATE_NOT_PERSONNEL)
    return [problem for problem in problems if problem]


_MISSING_HOURS = "Vul bij personeel het aantal uren in."
_MISSING_RATE = "Vul bij personeel het uurtarief in."
_MISSING_AMOUNT = "Vul het bedrag in."
_HOURS_NOT_PERSONNEL = "Laat Uren leeg: uren horen alleen bij personeel."
_RATE_NOT_PERSONNEL = "Laat Uurtarief leeg: een uurtarief hoort alleen bij personeel."
_TOO_PRECISE_HOURS = "Uren hebben hoogstens twee cijfers achter de komma."
_TOO_PRECISE_AMOUNT = "Een bedrag heeft hoogstens twee cijfers achter de komma."


def _kind_problem(kind: str) -> str | None:
    if kind in BUDGET_LINE_KINDS:
        return None
    return "Kies een soort: " + ", ".join(BUDGET_LINE_KINDS.values()) + "."


def _year_problem(year: int, allowed_years: Collection[int]) -> str | None:
    if year in allowed_years:
        return None
    if not allowed_years:
        return "Het project heeft nog geen looptijd: vul eerst de start- en einddatum in."
    return (
        f"Jaar {year} valt buiten de looptijd van het project ({_describe_years(allowed_years)})."
    )


def _describe_years(years: Collection[int]) -> str:
    ordered = sorted(set(years))
    if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 1:
        return f"{ordered[0]}–{ordered[-1]}"
    return ", ".join(str(year) for year in ordered)


def _description_problem(description: str) -> str | None:
    text = description.strip()
    if not text:
        return "Vul een omschrijving in."
    if len(text) > MAX_DESCRIPTION_LENGTH:
        return (
            f"Een omschrijving is hoogstens {MAX_DESCRIPTION_LENGTH} tekens"
            f" (deze heeft er {len(text)})."
        )
    if any(_is_forbidden_character(character) for character in text):
        return (
            "De omschrijving bevat een regeleinde, tab of ander onzichtbaar teken; "
            "gebruik één regel tekst."
        )
    if _is_example_text(text):
        return (
            f"Een omschrijving mag niet met '{EXAMPLE_MARKER}' beginnen: zo herkent het sjabloon "
            "de voorbeeldregel."
        )
    return None


def _is_example_text(text: str) -> bool:
    return text.strip().casefold().startswith(EXAMPLE_MARKER.casefold())


def _is_forbidden_character(character: str) -> bool:
    return unicodedata.category(character) in {"Cc", "Cs"} or character in "\ufffe\uffff"


def _hours_problem(hours_hundredths: int) -> str | None:
    if hours_hundredths < 0:
        return "Het aantal uren mag niet negatief zijn."
    if hours_hundredths > MAX_HOURS_HUNDREDTHS:
        return f"Het aantal uren is hoogstens {MAX_HOURS_HUNDREDTHS // 100:,}.".replace(",", ".")
    return None


def _money_problem(cents: int, what: str) -> str | None:
    if cents < 0:
        return f"{what} mag niet negatief zijn."
    if cents > MAX_AMOUNT_CENTS:
        return f"{what} is hoogstens {format_euros(MAX_AMOUNT_CENTS)}."
    return None


def _amount_mismatch(amount_cents: int, expected_cents: int) -> str:
    return (
        f"Het bedrag ({format_euros(amount_cents)}) is niet gelijk aan uren × uurtarief"
        f" ({format_euros(expected_cents)})."
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


# --- Reading an upload -----------------------------------------------------------------------

_NOT_XLSX = "Dit is geen Excel-bestand (.xlsx)."
_UNREADABLE = (
    "Dit bestand kon niet als Excel-werkmap worden gelezen. Open het in Excel, sla het op als "
    "Excel-werkmap (.xlsx) en probeer het opnieuw."
)
_MACROS = (
    "Bestanden met macro's (.xlsm) worden om veiligheidsredenen geweigerd. Sla het bestand op "
    "als Excel-werkmap (.xlsx) zonder macro's."
)


def parse_budget_workbook(
    data: bytes, allowed_years: Collection[int], filename: str = ""
) -> tuple[list[BudgetLineInput], list[WorkbookProblem]]:
    """The budget lines of an uploaded workbook, or no lines and every problem found."""
    refusal = _refuse_file(data, filename)
    if refusal:
        return [], [_file_problem(refusal)]
    try:
        sheet_name, header, rows = _read_rows(data)
    except _FileProblem as problem:
        return [], [_file_problem(str(problem))]
    except Exception:  # openpyxl raises many kinds; the applicant gets one Dutch sentence
        logger.info("Budget workbook %r could not be read", filename, exc_info=True)
        return [], [_file_problem(_UNREADABLE)]

    problems = _header_problems(sheet_name, header)
    if problems:
        return [], problems
    lines: list[BudgetLineInput] = []
    for row_number, values in rows[:MAX_LINES]:
        line, row_problems = _read_line(sheet_name, row_number, values, allowed_years)
        problems.extend(row_problems)
        if line is not None:
            lines.append(line)
    if len(rows) > MAX_LINES:
        message = f"Een begroting heeft hoogstens {MAX_LINES} regels; deze heeft er meer."
        problems.append(WorkbookProblem(sheet_name, rows[MAX_LINES][0], None, message))
    if not problems and not lines:
        message = "Er staan geen begrotingsregels in (de voorbeeldregel telt niet mee)."
        problems.append(WorkbookProblem(sheet_name, None, None, message))
    if problems:
        return [], problems
    return lines, []


def _file_problem(message: str) -> WorkbookProblem:
    return WorkbookProblem(sheet="", row=None, column=None, message=message)


class _FileProblem(Exception):
    """A Dutch reason the whole file is refused."""


class _CellProblem(Exception):
    """A Dutch reason one cell cannot be read."""


def _refuse_file(data: bytes, filename: str) -> str | None:
    """Check the container before openpyxl sees it: size, ZIP, zip bomb, macros. Sizes come from
    the central directory; nothing is extracted but [Content_Types].xml (and an ODF mimetype),
    and that only after the sizes were found harmless. zipfile never inflates a member beyond
    the size the directory declares, so a lying directory cannot get past these limits either."""
    if len(data) > MAX_FILE_BYTES:
        return f"Het bestand is groter dan {MAX_FILE_BYTES // (1024 * 1024)} MB."
    if filename.strip().lower().endswith((".xlsm", ".xltm")):
        return _MACROS
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except Exception:
        if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: an old .xls or a password-protected file
            return (
                f"{_NOT_XLSX} Het lijkt een oud .xls-bestand of een bestand met een wachtwoord; "
                "sla het op als Excel-werkmap (.xlsx) zonder wachtwoord."
            )
        return _NOT_XLSX
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            return f"{_NOT_XLSX} Het bevat meer dan {MAX_ZIP_MEMBERS} onderdelen."
        too_big = (
            "Het bestand wordt uitgepakt te groot "
            f"(meer dan {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB) en wordt daarom geweigerd."
        )
        if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
            return too_big
        if any(m.file_size > MAX_COMPRESSION_RATIO * max(m.compress_size, 1) for m in members):
            return too_big
        by_name = {member.filename.lower(): member for member in members}
        if "xl/vbaproject.bin" in by_name or any(n.startswith("xl/macrosheets/") for n in by_name):
            return _MACROS
        try:
            if "[content_types].xml" in by_name:
                content_types = archive.read(by_name["[content_types].xml"])
                if b"macroenabled" in content_types.lower():
                    return _MACROS
            if "mimetype" in by_name and b"opendocument" in archive.read(by_name["mimetype"]):
                return (
                    "Dit is een OpenDocument-bestand (.ods). Sla het op als Excel-werkmap (.xlsx) "
                    "en probeer het opnieuw."
                )
            # openpyxl parses every part next: none may declare a DOCTYPE or entities.
            refuse_xml_declarations(archive)
        except FileRefused as refusal:
            # A damaged part gets openpyxl's own message below; a declaration gets this one.
            return str(refusal) if refusal.reason == "xml_dtd" else None
        except Exception:
            return _UNREADABLE
    return None


_Row = tuple[int, tuple[Any, ...]]


def _read_rows(data: bytes) -> tuple[str, tuple[Any, ...], list[_Row]]:
    """Through openpyxl: the sheet's name, its header row, and its rows with content (without
    the example row), at most MAX_LINES + 1 of them."""
    workbook = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    try:
        sheet_name = next(
            (name for name in workbook.sheetnames if name.strip().casefold() == SHEET.casefold()),
            None,
        )
        if sheet_name is None:
            raise _FileProblem(
                f"Het blad '{SHEET}' ontbreekt. Gebruik het sjabloon van het portaal en verander "
                "de namen van de bladen niet."
            )
        sheet = workbook[sheet_name]
        sheet.reset_dimensions()  # some programs write a wrong size; read what is there
        header: tuple[Any, ...] = (None,) * len(COLUMNS)
        rows: list[_Row] = []
        cells = sheet.iter_rows(min_row=1, max_col=len(COLUMNS), values_only=True)
        for row_number, found in enumerate(cells, start=1):
            values = (tuple(found) + header)[: len(COLUMNS)]
            if row_number == 1:
                header = values
            elif not _is_empty(values) and not _is_example(values):
                rows.append((row_number, values))
                if len(rows) > MAX_LINES:  # one more than allowed, to report it
                    break
        return sheet_name, header, rows
    finally:
        workbook.close()


def _is_empty(values: tuple[Any, ...]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _is_example(values: tuple[Any, ...]) -> bool:
    description = values[COLUMNS.index(DESCRIPTION_COLUMN)]
    return isinstance(description, str) and _is_example_text(description)


def _header_problems(sheet_name: str, header: tuple[Any, ...]) -> list[WorkbookProblem]:
    problems = []
    for column, expected, value in zip(COLUMNS, HEADERS, header, strict=True):
        found = "" if value is None else str(value).strip()
        if _normalise(found) == _normalise(expected):
            continue
        seen = f"er staat '{found}'" if found else "de cel is leeg"
        message = (
            f"Hier hoort de kop '{expected}' te staan, maar {seen}. Verander de kopregel niet; "
            "download zo nodig een nieuw sjabloon."
        )
        problems.append(WorkbookProblem(sheet_name, 1, column, message))
    return problems


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


_KIND_BY_NAME = {
    name: code
    for code, label in BUDGET_LINE_KINDS.items()
    for name in (_normalise(code), _normalise(label), _normalise(label.split(" (")[0]))
}
_MONEY_NAMES = {RATE_COLUMN: "Het uurtarief", AMOUNT_COLUMN: "Het bedrag"}
_HALF_CENT = Decimal("0.005")


def _read_line(
    sheet_name: str, row: int, values: tuple[Any, ...], allowed_years: Collection[int]
) -> tuple[BudgetLineInput | None, list[WorkbookProblem]]:
    """One row into a line, or the problems of its cells in column order."""
    cells = dict(zip(COLUMNS, values, strict=True))
    problems: dict[str, str] = {}

    def read(column: str, reader: Callable[..., Any], *args: Any) -> Any:
        try:
            return reader(cells[column], *args)
        except _CellProblem as problem:
            problems[column] = str(problem)
            return None

    kind = read(KIND_COLUMN, _read_kind)
    year = read(YEAR_COLUMN, _read_year, allowed_years)
    description = read(DESCRIPTION_COLUMN, _read_description)
    numbers: dict[str, Decimal | None] = {
        column: read(column, _read_number, column)
        for column in (HOURS_COLUMN, RATE_COLUMN, AMOUNT_COLUMN)
    }

    def hundredths(column: str, missing: str | None = None) -> int | None:
        """The column's number in hundredths (cents for money), or None with the reason why."""
        number = numbers[column]
        if column in problems:
            return None
        if number is None:
            if missing:
                problems[column] = missing
            return None
        try:
            result = decimal_to_cents(number)
        except MoneyError:
            problems[column] = _TOO_PRECISE_HOURS if column == HOURS_COLUMN else _TOO_PRECISE_AMOUNT
            return None
        if column == HOURS_COLUMN:
            problem = _hours_problem(result)
        else:
            problem = _money_problem(result, _MONEY_NAMES[column])
        if problem:
            problems[column] = problem
            return None
        return result

    hours = rate = amount = None
    if kind == PERSONNEL:
        hours = hundredths(HOURS_COLUMN, _MISSING_HOURS)
        rate = hundredths(RATE_COLUMN, _MISSING_RATE)
        typed = numbers[AMOUNT_COLUMN]
        if hours is None or rate is None:
            hundredths(AMOUNT_COLUMN)  # still report an amount that cannot be read
        else:
            amount = personnel_amount_cents(hours, rate)
            # Bedrag may be empty, or agree with the exact product to the cent: =D*E gives
            # 1191,625 and a spreadsheet's ROUND may give 1191,62 or 1191,63. The portal stores
            # the product rounded half up either way.
            exact = Decimal(hours) * Decimal(rate) / 10_000
            if typed is not None and abs(typed - exact) > _HALF_CENT:
                typed_cents = hundredths(AMOUNT_COLUMN)
                if typed_cents is not None:
                    mismatch = _amount_mismatch(typed_cents, amount)
                    problems[AMOUNT_COLUMN] = f"{mismatch} Pas het bedrag aan of maak de cel leeg."
    elif kind is not None:
        for column, message in (
            (HOURS_COLUMN, _HOURS_NOT_PERSONNEL),
            (RATE_COLUMN, _RATE_NOT_PERSONNEL),
        ):
            if not _is_empty((cells[column],)):
                problems[column] = message
        amount = hundredths(AMOUNT_COLUMN, _MISSING_AMOUNT)
    else:  # unknown kind: still report the numbers that cannot be read
        for column in (HOURS_COLUMN, RATE_COLUMN, AMOUNT_COLUMN):
            hundredths(column)

    if problems:
        ordered = [column for column in COLUMNS if column in problems]
        return None, [WorkbookProblem(sheet_name, row, c, problems[c]) for c in ordered]
    assert amount is not None
    line = BudgetLineInput(kind, year, description, amount, hours, rate)
    # The cells were checked with the same rules; this only guards against the two drifting.
    leftovers = line_problems(line, allowed_years)
    if leftovers:
        return None, [WorkbookProblem(sheet_name, row, None, problem) for problem in leftovers]
    return line, []


def _read_kind(value: Any) -> str:
    text = _cell_text(value)
    if not text:
        raise _CellProblem("Vul de soort in.")
    code = _KIND_BY_NAME.get(_normalise(text))
    if code is None:
        raise _CellProblem(f"Onbekende soort '{text}'. {_kind_problem('')}")
    return code


def _read_year(value: Any, allowed_years: Collection[int]) -> int:
    not_a_year = "Vul het jaar in als jaartal, bijvoorbeeld 2022."
    text = value.strip() if isinstance(value, str) else None
    if value is None or text == "":
        raise _CellProblem("Vul het jaar in.")
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    elif isinstance(value, float) and value.is_integer():
        year = int(value)
    elif text and text.isascii() and text.isdigit():
        year = int(text)
    else:
        raise _CellProblem(not_a_year)
    problem = _year_problem(year, allowed_years)
    if problem:
        raise _CellProblem(problem)
    return year


def _read_description(value: Any) -> str:
    text = _cell_text(value)
    problem = _description_problem(text)
    if problem:
        raise _CellProblem(problem)
    return text


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(value, ".15g")
    return str(value).strip()


_EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")
_NOT_A_NUMBER = "Vul hier een getal in."


def _read_number(value: Any, column: str) -> Decimal | None:
    """A number from a numeric cell or from Dutch text, None for an empty cell. Decimals, sign
    and size are checked later, once the kind says whether the cell should be filled at all."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _CellProblem(_NOT_A_NUMBER)
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # Excel shows and computes with 15 significant digits: 0.30000000000000004 is 0,3.
        number = Decimal(format(value, ".15g"))
    elif isinstance(value, str):
        number = _parse_text_number(value.strip(), column)
    elif isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        raise _CellProblem(
            "Hier staat een datum of tijd in plaats van een getal. Geef de cel de opmaak Getal "
            "en typ het getal opnieuw."
        )
    else:
        raise _CellProblem(_NOT_A_NUMBER)
    if not number.is_finite():
        raise _CellProblem(_NOT_A_NUMBER)
    return number


def _parse_text_number(text: str, column: str) -> Decimal:
    if text.upper() in _EXCEL_ERRORS:
        raise _CellProblem(f"Deze cel bevat een Excel-foutwaarde ({text}).")
    try:
        hundredths = parse_euros(text)
    except MoneyError as error:
        if column == HOURS_COLUMN:
            raise _CellProblem(
                "Schrijf het aantal uren als getal met hoogstens twee cijfers achter de komma, "
                "bijvoorbeeld 12,5."
            ) from error
        raise _CellProblem(str(error)) from error
    return Decimal(hundredths) / 100
