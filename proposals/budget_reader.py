"""Reading an uploaded budget workbook: all or nothing, every problem with its sheet, row and
column (module docstring of `budget_workbook` says why)."""

from __future__ import annotations

import datetime
import logging
import zipfile
from collections.abc import Callable, Collection
from decimal import Decimal
from io import BytesIO
from typing import Any

import openpyxl

from portal.lib.files import FileRefused, refuse_xml_declarations
from portal.lib.money import MoneyError, decimal_to_cents, parse_euros
from proposals.budget_workbook import (
    _HOURS_NOT_PERSONNEL,
    _MISSING_AMOUNT,
    _MISSING_HOURS,
    _MISSING_RATE,
    _RATE_NOT_PERSONNEL,
    _TOO_PRECISE_AMOUNT,
    _TOO_PRECISE_HOURS,
    AMOUNT_COLUMN,
    BUDGET_LINE_KINDS,
    COLUMNS,
    DESCRIPTION_COLUMN,
    HEADERS,
    HOURS_COLUMN,
    KIND_COLUMN,
    MAX_COMPRESSION_RATIO,
    MAX_FILE_BYTES,
    MAX_LINES,
    MAX_UNCOMPRESSED_BYTES,
    MAX_ZIP_MEMBERS,
    PERSONNEL,
    RATE_COLUMN,
    SHEET,
    YEAR_COLUMN,
    BudgetLineInput,
    WorkbookProblem,
    _amount_mismatch,
    _description_problem,
    _hours_problem,
    _is_example_text,
    _kind_problem,
    _money_problem,
    _year_problem,
    line_problems,
    personnel_amount_cents,
)

logger = logging.getLogger(__name__)


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
