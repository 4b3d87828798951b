"""The sheets of the SPUK workbook and `build_workbook`, which makes the file of a `SpukData`:

- Samenvatting: per line of the budget (category, theme, process-cost line) the ledger's figures,
  `Beschikbaar` as a formula, totals and a per-category table as SUM/SUMIF formulas;
- Projecten: one row per project with its figures, `Verplicht` and `Nog te betalen` as formulas;
- Mutaties: every entry of the year (and carry-overs into it), amounts signed;
- SiSa: one row per state grant decision, with the indicator wording of the year;
- Begroting: the year's budget in the form of Bijlage 4 (JH-regio, project, budget, total);
- Controles (ledger/projects/spuk/checks.py): formulas that recompute the summary from the
  other sheets.

Numbers are never pasted totals: every total is a formula over the rows. The cells are streamed
by portal/lib/xlsx_stream.py.
"""

from __future__ import annotations

import datetime as dt

from openpyxl.utils import get_column_letter

from ledger.books.deadlines import STATUS_LABELS, status_of
from ledger.books.rules import CATEGORY_LABELS, ENTRY_KIND_SHORT, ENTRY_KINDS, RESERVE_KINDS
from ledger.projects.spuk.book import PERCENT, SPUK_CELL, TITLE, WRAP, _Book, _Rows, _Sisa, _Summary
from ledger.projects.spuk.checks import _checks
from ledger.projects.spuk.data import SisaWording, SpukData
from ledger.projects.spuk.derive import budget_lines
from portal.accounts.rules import format_basis_points
from portal.lib.formatting import AMSTERDAM
from portal.lib.xlsx import clean_text
from portal.lib.xlsx_stream import BOLD, DATETIME, Column, header_height

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build_workbook(data: SpukData, *, exported_at: dt.datetime) -> bytes:
    """The SPUK workbook of `data` as .xlsx bytes. Pure: no database, no clock."""
    book = _Book(data, exported_at)
    props = book.wb.properties
    # Cleaned like the cells: a control character here made the whole file unreadable.
    props.title = clean_text(f"SPUK-verantwoording {data.year} {data.network_name}")
    props.subject = f"Verantwoording specifieke uitkering {data.year}"
    props.creator = clean_text(f"Fondsportaal – gemeente {data.municipality}")
    props.lastModifiedBy = "Fondsportaal"
    props.description = (
        "Samenvatting, projecten, mutaties, SiSa, begroting en controles; totalen zijn "
        "formules over de regels."
    )
    props.keywords = "SPUK; SiSa; verantwoording"
    stamp = (exported_at.astimezone(dt.UTC) if exported_at.tzinfo else exported_at).replace(
        tzinfo=None
    )
    props.created = props.modified = stamp

    try:
        summary = _summary(book)
        projects = _projects_sheet(book)
        entries = _entries_sheet(book)
        sisa = _sisa(book)
        budget = _budget(book)
        _checks(book, summary, projects, entries, sisa, budget)
        return book.save()
    finally:
        book.close()


# Samenvatting ---------------------------------------------------------------------------------

# Widths that print readably on A4 landscape (tests/ledger/test_spuk.py asks at least 60 % of
# full size of every sheet); long texts wrap within their column instead.
SUMMARY_COLUMNS = (
    Column("Categorie", 22),
    Column("Post", 34),
    Column("Nr post", 8),
    Column("Begroot", 14),
    Column("Verplicht", 14),
    Column("Betaald", 14),
    Column("Gerealiseerd", 14),
    Column("Vrijgevallen", 14),
    Column("Teruggevorderd", 14),
    Column("Beschikbaar", 14),
    Column("Ondergrens reserve", 14),
    Column("Inzet uit reserve", 14),
)
CATEGORY_COLUMNS = (
    Column("Categorie", 22),
    Column("Aantal posten", 34),
    Column("Aandeel van de SPUK", 8),
    *SUMMARY_COLUMNS[3:],
)


def _summary(book: _Book) -> _Summary:
    data = book.data
    header_row = 7
    first = header_row + 1
    accounts = data.accounts or (None,)
    last = first + len(accounts) - 1
    total = last + 1
    ws, w = book.sheet("Samenvatting", SUMMARY_COLUMNS, f"{header_row}:{header_row}", f"C{first}")
    reserves = (
        f"onvoorzien {format_basis_points(data.unforeseen_reserve_bp)} % van het SPUK-bedrag; "
        f"onvoorzien binnen de thema's {format_basis_points(data.themes_reserve_bp)} % van de "
        "themapot"
    )
    ws.append([w.cell(f"SPUK-verantwoording {data.year}", font=TITLE), w.text(data.network_name)])
    ws.append(["SPUK-bedrag", w.euro(data.spuk_cents)])
    ws.append(["Beschikking (kenmerk)", w.text(data.grant_reference or "niet ingevuld")])
    ws.append(["Ondergrenzen reserves", reserves])
    ws.append(["Geëxporteerd op", w.date(book.exported_local, DATETIME)])
    ws.append([])
    ws.append(w.header(SUMMARY_COLUMNS), header_height(SUMMARY_COLUMNS))
    rows = {}
    for i, a in enumerate(accounts):
        row = first + i
        if a is None:
            ws.append(["(nog niet ingedeeld)"])
            continue
        rows[a.code] = row
        ws.append(
            [
                a.category,
                w.text(a.name),
                a.code,
                w.euro(a.budget),
                w.euro(a.committed),
                w.euro(a.paid),
                w.euro(a.realised),
                w.euro(a.released),
                w.euro(a.recovered),
                w.formula(f"=D{row}-E{row}"),
                w.euro(a.floor),
                w.euro(a.reserve_released_out) if a.kind in RESERVE_KINDS else None,
            ]
        )
    ws.append(
        [w.cell("Totaal", font=BOLD), None, None]
        + [
            w.formula(f"=SUM({c}{first}:{c}{last})", font=BOLD)
            for c in (get_column_letter(i) for i in range(4, len(SUMMARY_COLUMNS) + 1))
        ]
    )
    book.table(ws, "Posten", SUMMARY_COLUMNS, header_row, last)

    ws.append([])
    ws.append([w.cell("Per categorie", font=BOLD)])
    category_header = total + 3
    ws.append(w.header(CATEGORY_COLUMNS), header_height(CATEGORY_COLUMNS))
    category_first = category_header + 1
    for i, label in enumerate(CATEGORY_LABELS.values()):
        row = category_first + i
        ws.append(
            [
                label,
                w.formula(f"=COUNTIF($A${first}:$A${last},$A{row})", None),
                w.formula(f"=IF({SPUK_CELL}=0,0,D{row}/{SPUK_CELL})", PERCENT),
            ]
            + [
                w.formula(f"=SUMIF($A${first}:$A${last},$A{row},{c}${first}:{c}${last})")
                for c in "DEFGHI"
            ]
            + [
                w.formula(f"=D{row}-E{row}"),
                w.formula(f"=SUMIF($A${first}:$A${last},$A{row},K${first}:K${last})"),
                w.formula(f"=SUMIF($A${first}:$A${last},$A{row},L${first}:L${last})"),
            ]
        )
    category_last = category_first + len(CATEGORY_LABELS) - 1
    ws.append(
        [w.cell("Totaal", font=BOLD), None, None]
        + [
            w.formula(f"=SUM({c}{category_first}:{c}{category_last})", font=BOLD)
            for c in "DEFGHIJKL"
        ]
    )
    book.table(ws, "Categorieen", CATEGORY_COLUMNS, category_header, category_last)
    return _Summary(rows, first, last, total)


# Projecten ------------------------------------------------------------------------------------

PROJECT_COLUMNS = (
    Column("Nr", 6),
    Column("JH-regio", 14),
    Column("Uitvoerder", 16),
    Column("Project", 28),
    Column("Nr post", 7),
    Column("Post", 18),
    Column("Functies", 20),
    Column("Besluitdatum", 11),
    Column("Kenmerk besluit", 14),
    Column("Toegekend", 13),
    Column("Vrijgevallen", 13),
    Column("Verplicht", 13),
    Column("Betaald", 13),
    Column("Nog te betalen", 13),
    Column("Gerealiseerd", 13),
    Column("Teruggevorderd", 13),
    Column("Vastgesteld bedrag", 13),
    Column("Vastgesteld op", 11),
    Column("Verslag over", 8),
    Column("Verslag vóór", 11),
    Column("Status verslag", 14),
)
# Printed two pages wide, each with the project's number, region, executor and title.
PROJECT_PRINT = {"pages_wide": 2, "title_columns": 4}


def _projects_sheet(book: _Book) -> _Rows:
    data = book.data
    ws, w = book.sheet("Projecten", PROJECT_COLUMNS, "1:1", "E2", **PROJECT_PRINT)
    ws.append(w.header(PROJECT_COLUMNS), header_height(PROJECT_COLUMNS))
    today = book.exported_local.date()
    first = 2
    for row, p in enumerate(data.projects, start=first):
        status = ""
        if p.report_due is not None:
            status = STATUS_LABELS[
                status_of(
                    p.report_due,
                    today,
                    received=p.report_state == "submitted",
                    accepted=p.report_state == "accepted",
                )
            ]
            if p.report_state == "returned":
                status += " (teruggestuurd)"
        ws.append(
            [
                p.id,
                w.text(p.region, WRAP),
                w.text(p.recipient, WRAP),
                w.text(p.title, WRAP),
                p.account_code,
                w.text(p.account_name, WRAP),
                w.text("; ".join(p.functions), WRAP),
                w.date(p.decision_date),
                w.text(p.decision_reference, WRAP),
                w.euro(p.granted),
                w.euro(p.released),
                w.formula(f"=J{row}-K{row}"),
                w.euro(p.paid),
                w.formula(f"=L{row}-M{row}"),
                w.euro(p.realised),
                w.euro(p.recovered),
                w.euro(p.final_amount),
                w.date(p.settled_on),
                p.report_year,
                w.date(p.report_due),
                status,
            ]
        )
    if not data.projects:
        ws.append([None, None, None, "(geen projecten)"])
    last = first + max(len(data.projects), 1) - 1
    ws.append(
        [None, None, None, w.cell("Totaal", font=BOLD)]
        + [None] * 5
        + [w.formula(f"=SUM({c}{first}:{c}{last})", font=BOLD) for c in "JKLMNOPQ"]
    )
    book.table(ws, "Projectregels", PROJECT_COLUMNS, 1, last)
    return _Rows(first, last, last + 1)


# Mutaties -------------------------------------------------------------------------------------

ENTRY_COLUMNS = (
    Column("Nr", 8),
    Column("Datum", 11),
    Column("Soort", 24),
    Column("Soort (kort)", 14),
    Column("Nr post", 7),
    Column("Post", 22),
    Column("Nr tegenpost", 9),
    Column("Tegenpost", 22),
    Column("Projectnr", 9),
    Column("Project", 26),
    Column("Bedrag", 14),
    Column("Correctie van", 10),
    Column("Gecorrigeerd door", 11),
    Column("Reden", 30),
    Column("Kenmerk", 16),
    Column("Geboekt door", 16),
    Column("Vastgelegd op", 16),
    # The year the money belongs to: spending of 2021 accepted in 2026 is 2021's.
    Column("Periode", 8),
)
# Printed two pages wide, each with the entry's number, date and kind.
ENTRY_PRINT = {"pages_wide": 2, "title_columns": 3}


def _entries_sheet(book: _Book) -> _Rows:
    data = book.data
    ws, w = book.sheet("Mutaties", ENTRY_COLUMNS, "1:1", "C2", **ENTRY_PRINT)
    ws.append(w.header(ENTRY_COLUMNS), header_height(ENTRY_COLUMNS))
    reversed_by = {e.reverses: e.id for e in data.entries if e.reverses}
    for e in data.entries:
        created = e.created_at
        if created is not None:
            created = (
                created.replace(tzinfo=dt.UTC) if created.tzinfo is None else created
            ).astimezone(AMSTERDAM)
            created = created.replace(tzinfo=None)
        ws.append(
            [
                e.id,
                w.date(e.booked_on),
                ENTRY_KINDS.get(e.kind, e.kind),
                ENTRY_KIND_SHORT.get(e.kind, e.kind),
                e.account_code,
                w.text(e.account_name, WRAP),
                e.counter_code or None,
                w.text(e.counter_name, WRAP),
                e.project_id,
                w.text(e.project_title, WRAP),
                w.euro(e.amount),
                e.reverses,
                reversed_by.get(e.id),
                w.text(e.reason, WRAP),
                w.text(e.document_reference),
                w.text(e.created_by),
                w.date(created, DATETIME),
                e.period_year or e.booked_on.year,
            ]
        )
    if not data.entries:
        ws.append([None, None, "(geen boekingen)"])
    first = 2
    last = first + max(len(data.entries), 1) - 1
    ws.append(
        [None, None, w.cell("Totaal", font=BOLD)]
        + [None] * 7
        + [w.formula(f"=SUM(K{first}:K{last})", font=BOLD)]
    )
    book.table(ws, "Boekingen", ENTRY_COLUMNS, 1, last)
    return _Rows(first, last, last + 1)


# SiSa -----------------------------------------------------------------------------------------


def _sisa_columns(wording: SisaWording, year: int) -> tuple[Column, ...]:
    return (
        Column(wording.decision, 30),
        Column("Begrotingsjaren", 14),
        Column("Toegekend bedrag", 16),
        Column(wording.spending.format(year=year), 20),
        Column(wording.cumulative.format(year=year), 22),
        Column("Meerjarig", 10),
        Column(wording.final.format(year=year), 14),
        Column(wording.explanation.format(year=year), 50),
    )


def _sisa(book: _Book) -> _Sisa:
    data = book.data
    columns = _sisa_columns(data.wording, data.year)
    header_row = 6
    ws, w = book.sheet("SiSa", columns, f"{header_row}:{header_row}", f"B{header_row + 1}")
    ws.append([w.cell(f"SiSa-gegevens {data.year}", font=TITLE)])
    ws.append(["Regeling", w.text(data.wording.regulation)])
    ws.append(["Verantwoordingsjaar (T)", data.year])
    ws.append(["Indienen bij het Rijk", f"uiterlijk 15 juli {data.year + 1}"])
    ws.append([])
    ws.append(w.header(columns), header_height(columns))
    first = header_row + 1
    this_year_row = None
    for row, g in enumerate(data.grants, start=first):
        if g.this_year_only:
            this_year_row = row
        ws.append(
            [
                w.text(g.reference),
                ", ".join(str(y) for y in g.years),
                w.euro(g.granted),
                w.euro(g.spent_in_year),
                w.euro(g.spent_cumulative),
                "ja" if g.multi_year else "nee",
                "Ja" if g.final else "Nee",
                w.text(g.explanation, WRAP),
            ]
        )
    if not data.grants:
        ws.append(["(geen beschikking)"])
    last = first + max(len(data.grants), 1) - 1
    ws.append(
        [w.cell("Totaal", font=BOLD), None]
        + [w.formula(f"=SUM({c}{first}:{c}{last})", font=BOLD) for c in "CDE"]
    )
    book.table(ws, "Beschikkingen", columns, header_row, last)
    return _Sisa(_Rows(first, last, last + 1), this_year_row)


# Begroting (Bijlage 4) ------------------------------------------------------------------------

# Bijlage 4's columns, and beside the budget the final amount of a settled project.
BUDGET_COLUMNS = (
    Column("JH-regio", 24),
    Column("Project", 80),
    Column("Budget", 18),
    Column("Vastgesteld", 18),
)


def _budget(book: _Book) -> _Rows:
    data = book.data
    header_row = 4
    ws, w = book.sheet("Begroting", BUDGET_COLUMNS, f"{header_row}:{header_row}", "A5")
    ws.append([w.cell(f"Begroting middelen {data.year}", font=TITLE)])
    ws.append([w.text(data.network_name)])
    ws.append([])
    ws.append(w.header(BUDGET_COLUMNS), header_height(BUDGET_COLUMNS))
    lines = budget_lines(data)
    for line in lines:
        ws.append(
            [
                w.text(line.youth_region),
                w.text(line.project, WRAP),
                w.euro(line.cents),
                w.euro(line.settled_cents) if line.settled_cents is not None else None,
            ]
        )
    if not lines:
        ws.append([None, "(geen begroting)"])
    first = header_row + 1
    last = first + max(len(lines), 1) - 1
    ws.append(
        [
            w.cell("Totaal", font=BOLD),
            None,
            w.formula(f"=SUM(C{first}:C{last})", font=BOLD),
            w.formula(f"=SUM(D{first}:D{last})", font=BOLD),
        ]
    )
    book.table(ws, "Begrotingsregels", BUDGET_COLUMNS, header_row, last)
    return _Rows(first, last, last + 1)
