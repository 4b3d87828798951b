"""A proposal's budget as an Excel workbook: what the template (`budget_template`) and the strict
reader of uploads (`budget_reader`) share: the layout, the limits and the rules of one line.

Pure: bytes in, bytes (or lines and problems) out; no database, no web. The web form shares
`line_problems`, so a line typed in the form and a line read from Excel obey the same rules.

Reading is all-or-nothing: if anything in the workbook is wrong, `parse_budget_workbook` returns
no lines and every problem it found, each with sheet, row and column, so the caller changes
nothing and the applicant can fix the file in one go.

Money is integer cents. Numbers from Excel cells arrive as floats; they are read as the decimal
Excel shows (15 significant digits) and never used in float arithmetic.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from portal.lib.money import format_euros

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
    return [problem for _, problem in line_problems_by_field(line, allowed_years)]


def line_problems_by_field(
    line: BudgetLineInput, allowed_years: Collection[int]
) -> list[tuple[str, str]]:
    """The same, each with the column it is about (kind, year, description, amount, hours,
    rate), so that a form shows it on that field."""
    found: list[tuple[str, str | None]] = [
        ("kind", _kind_problem(line.kind)),
        ("year", _year_problem(line.year, allowed_years)),
        ("description", _description_problem(line.description)),
        ("amount", _money_problem(line.amount_cents, "Het bedrag")),
    ]
    hours, rate = line.hours_hundredths, line.hourly_rate_cents
    if line.kind == PERSONNEL:
        hours_problem = _MISSING_HOURS if hours is None else _hours_problem(hours)
        rate_problem = _MISSING_RATE if rate is None else _money_problem(rate, "Het uurtarief")
        found += [("hours", hours_problem), ("rate", rate_problem)]
        if hours is not None and rate is not None and not hours_problem and not rate_problem:
            expected = personnel_amount_cents(hours, rate)
            if line.amount_cents != expected:
                found.append(("amount", _amount_mismatch(line.amount_cents, expected)))
    elif line.kind in BUDGET_LINE_KINDS:
        if hours is not None:
            found.append(("hours", _HOURS_NOT_PERSONNEL))
        if rate is not None:
            found.append(("rate", _RATE_NOT_PERSONNEL))
    return [(field, problem) for field, problem in found if problem]


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
