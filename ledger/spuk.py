"""The SPUK workbook (DESIGN §2.6): one Excel file per network and budget year that an auditor
can follow from the summary down to every entry, with the SiSa figures and the checks.

`gather` reads everything the workbook shows into plain dataclasses (money in integer cents);
`build_workbook` is pure and turns them into .xlsx bytes. Sheets:

- Samenvatting: per line of the budget (category, theme, process-cost line) the ledger's figures,
  `Beschikbaar` as a formula, totals and a per-category table as SUM/SUMIF formulas;
- Projecten: one row per project with its figures, `Verplicht` and `Nog te betalen` as formulas;
- Mutaties: every entry of the year (and carry-overs into it), amounts signed;
- SiSa: one row per state grant decision, with the indicator wording of the year;
- Begroting: the year's budget in the form of Bijlage 4 (JH-regio, project, budget, total);
- Controles: formulas that recompute the summary from the entries (SUMIFS per kind, the rules of
  `ledger/rules.py` written out in Excel) and from the projects, and test the reserve floors;
  each row shows WAAR or ONWAAR, and the top cell says whether all of them are WAAR.

Numbers are never pasted totals: every total is a formula over the rows. openpyxl makes the
workbook (sheets, styles, tables, print setup); the cells are streamed as XML to temporary files
and put into its sheets on saving (see `_Sheet`), so a year with 50.000 entries takes about a
second or two and little memory.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import tempfile
import warnings
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ledger import queries
from ledger.deadlines import STATUS_LABELS, status_of
from ledger.money import format_euros
from ledger.rules import (
    ACCOUNT_CATEGORY,
    CATEGORY_LABELS,
    ENTRY_KINDS,
    RESERVE_KINDS,
    AccountFigures,
    ProjectFigures,
    floors,
)
from ledger.tables import BudgetYear, Entry, Project, Report
from portal.formatting import AMSTERDAM
from portal.rules import format_basis_points
from portal.tables import Network, Region
from portal.xlsx import clean_text, reads_as_formula

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SpukYearMissing(LookupError):
    """The network has no budget year with this number."""


# --- the SiSa wording, per year -------------------------------------------------------------


@dataclass(frozen=True)
class SisaWording:
    """How the SiSa annex of one year names the regulation and its indicators. `{year}` is
    replaced by the year of the accounts (jaar T)."""

    regulation: str
    decision: str = "Beschikkingsnummer"
    spending: str = "Besteding {year} ten laste van rijksmiddelen"
    cumulative: str = "Cumulatieve besteding ten laste van rijksmiddelen tot en met {year}"
    final: str = "Eindverantwoording Ja/Nee"
    explanation: str = "Toelichting afwijking"


_BEFORE_2023 = SisaWording(
    regulation="Specifieke uitkering bovenregionale expertisenetwerken jeugd (BWBR0044990)"
)
_FROM_2023 = SisaWording(
    regulation="Regeling specifieke uitkering randvoorwaardelijke functies jeugdhulp"
)
# The wording changes from year to year; this table is the setting until it is configurable.
# A year not in it uses the wording of the nearest earlier year (or the first one).
SISA_WORDING: dict[int, SisaWording] = {2020: _BEFORE_2023, 2023: _FROM_2023}


def sisa_wording(year: int) -> SisaWording:
    earlier = [y for y in SISA_WORDING if y <= year]
    return SISA_WORDING[max(earlier) if earlier else min(SISA_WORDING)]


# --- what the workbook shows ----------------------------------------------------------------


@dataclass(frozen=True)
class AccountLine:
    """A line of the year's budget with the ledger's figures."""

    code: str
    name: str
    kind: str
    budget: int
    committed: int
    paid: int
    realised: int
    released: int
    recovered: int
    reserve_released_out: int
    floor: int | None

    @property
    def category(self) -> str:
        return CATEGORY_LABELS[ACCOUNT_CATEGORY[self.kind]]


@dataclass(frozen=True)
class ProjectLine:
    id: int
    region: str
    recipient: str
    title: str
    account_code: str
    account_name: str
    account_kind: str
    functions: tuple[str, ...]
    decision_date: dt.date | None
    decision_reference: str
    granted: int  # every commitment booked: what is committed now plus what was released
    paid: int
    realised: int
    released: int
    recovered: int
    final_amount: int | None
    settled_on: dt.date | None
    report_year: int | None = None
    report_due: dt.date | None = None
    report_state: str = ""  # due / submitted / returned / accepted; "" without a report

    @property
    def committed(self) -> int:
        return self.granted - self.released

    @property
    def youth_region(self) -> str:
        """The first column of Bijlage 4: who carries it out, else the youth region."""
        return self.recipient or self.region


@dataclass(frozen=True)
class EntryLine:
    id: int
    booked_on: dt.date
    kind: str
    account_code: str
    account_name: str
    counter_code: str
    counter_name: str
    project_id: int | None
    project_title: str
    amount: int  # signed: a reversal is negative
    reverses: int | None
    reason: str
    document_reference: str
    created_by: str
    created_at: dt.datetime | None


@dataclass(frozen=True)
class GrantLine:
    """One state grant decision (beschikking) as SiSa asks for it."""

    reference: str
    years: tuple[int, ...]
    granted: int
    spent_in_year: int
    spent_cumulative: int
    multi_year: bool
    final: bool
    explanation: str
    # Only this budget year carries the decision: the Controles can check it against Mutaties.
    this_year_only: bool = False


@dataclass(frozen=True)
class BudgetLine:
    youth_region: str
    project: str
    cents: int


@dataclass(frozen=True)
class SpukData:
    network_name: str
    network_slug: str
    municipality: str
    year: int
    spuk_cents: int
    grant_reference: str
    unforeseen_reserve_bp: int
    themes_reserve_bp: int
    accounts: tuple[AccountLine, ...]
    projects: tuple[ProjectLine, ...]
    entries: Sequence[EntryLine]
    grants: tuple[GrantLine, ...]
    wording: SisaWording = field(default_factory=lambda: _BEFORE_2023)


# --- reading ----------------------------------------------------------------------------------


async def gather(network_id: int, year: int) -> SpukData:
    """Everything the workbook of this network's budget year `year` shows."""
    network = await Network.select().where(Network.id == network_id).first()
    budget_year = (
        await BudgetYear.select()
        .where((BudgetYear.network == network_id) & (BudgetYear.year == year))
        .first()
    )
    if network is None or budget_year is None:
        raise SpukYearMissing(f"Er is geen begrotingsjaar {year} in dit netwerk.")
    year_id = budget_year["id"]
    account_rows = await queries.accounts_of(year_id)
    figures, project_figures = await queries.year_figures(year_id)
    year_floors = floors(await queries.year_info(year_id), figures)
    accounts = tuple(_account_line(a, figures, year_floors) for a in account_rows)
    codes = {a["id"]: a["code"] for a in account_rows}
    kinds = {a["id"]: a["kind"] for a in account_rows}
    projects = await _projects(network_id, year_id, project_figures, codes, kinds)
    entries = await _entries(year_id, year)
    grants = await _grants(network_id, budget_year)
    return SpukData(
        network_name=network["name"],
        network_slug=network["slug"],
        municipality=network["coordinating_municipality"],
        year=year,
        spuk_cents=budget_year["spuk_amount_cents"],
        grant_reference=budget_year["grant_reference"],
        unforeseen_reserve_bp=budget_year["unforeseen_reserve_bp"],
        themes_reserve_bp=budget_year["themes_reserve_bp"],
        accounts=accounts,
        projects=projects,
        entries=entries,
        grants=grants,
        wording=sisa_wording(year),
    )


def _account_line(
    account: dict, figures: dict[int, AccountFigures], year_floors: dict[int, int]
) -> AccountLine:
    f = figures.get(account["id"], AccountFigures())
    return AccountLine(
        code=account["code"],
        name=account["name"],
        kind=account["kind"],
        budget=f.budget,
        committed=f.committed,
        paid=f.paid,
        realised=f.realised,
        released=f.released,
        recovered=f.recovered,
        reserve_released_out=f.reserve_released_out,
        floor=year_floors.get(account["id"]),
    )


async def _projects(
    network_id: int,
    year_id: int,
    figures: dict[int, ProjectFigures],
    codes: dict[int, str],
    kinds: dict[int, str],
) -> tuple[ProjectLine, ...]:
    from proposals.rules import FUNCTIONS
    from proposals.tables import Proposal

    rows = await queries.projects_of_year(year_id)
    regions = {
        r["id"]: r["name"]
        for r in await Region.select(Region.id, Region.name).where(Region.network == network_id)
    }
    functions: dict[int, list[str]] = {}
    if any(r["proposal_id"] for r in rows):
        for p in (
            await Proposal.select(Proposal.id, Proposal.functions)
            .where(Proposal.network == network_id)
            .output(load_json=True)
        ):
            functions[p["id"]] = p["functions"] or []
    reports: dict[int, list[dict]] = defaultdict(list)
    for r in (
        await Report.select(
            Report.project, Report.year, Report.due_date, Report.state, Report.final
        )
        .where(Report.project.budget_year == year_id)
        .order_by(Report.year)
    ):
        reports[r["project"]].append(r)
    lines = []
    for row in rows:
        f = figures.get(row["id"], ProjectFigures())
        report = _current_report(reports.get(row["id"], []))
        lines.append(
            ProjectLine(
                id=row["id"],
                region=regions.get(row["region_id"], ""),
                recipient=row["recipient"] or "",
                title=row["title"],
                account_code=codes.get(row["account"], ""),
                account_name=row["account_name"] or "",
                account_kind=kinds.get(row["account"], ""),
                functions=tuple(
                    FUNCTIONS[c] for c in functions.get(row["proposal_id"], []) if c in FUNCTIONS
                ),
                decision_date=row["decision_date"],
                decision_reference=row["decision_reference"] or "",
                granted=f.committed + f.released,
                paid=f.paid,
                realised=f.realised,
                released=f.released,
                recovered=f.recovered,
                final_amount=row["final_amount_cents"],
                settled_on=row["settled_on"],
                report_year=report["year"] if report else None,
                report_due=report["due_date"] if report else None,
                report_state=report["state"] if report else "",
            )
        )
    return tuple(lines)


def _current_report(reports: list[dict]) -> dict | None:
    """The report that matters now: the first one not yet accepted, else the last one."""
    for report in reports:
        if report["state"] != "accepted":
            return report
    return reports[-1] if reports else None


async def _entries(year_id: int, year: int) -> list[EntryLine]:
    """The entries `year_figures` sums: booked in the year, or moving money into or out of one
    of its accounts (a carry-over from or to another year)."""
    rows = (
        await Entry.select(
            Entry.id,
            Entry.booked_on,
            Entry.kind,
            Entry.project,
            Entry.amount_cents,
            Entry.sign,
            Entry.reverses,
            Entry.reason,
            Entry.document_reference,
            Entry.created_at,
            Entry.account.code.as_alias("account_code"),
            Entry.account.name.as_alias("account_name"),
            Entry.account.budget_year.year.as_alias("account_year"),
            Entry.counter_account.code.as_alias("counter_code"),
            Entry.counter_account.name.as_alias("counter_name"),
            Entry.counter_account.budget_year.year.as_alias("counter_year"),
            Entry.project.title.as_alias("project_title"),
            Entry.created_by.name.as_alias("created_by_name"),
        )
        .where(
            (Entry.budget_year == year_id)
            | (Entry.account.budget_year == year_id)
            | (Entry.counter_account.budget_year == year_id)
        )
        .order_by(Entry.id)
    )
    return [
        EntryLine(
            id=r["id"],
            booked_on=r["booked_on"],
            kind=r["kind"],
            account_code=account_key(r["account_code"], r["account_year"], year),
            account_name=_with_year(r["account_name"], r["account_year"], year),
            counter_code=account_key(r["counter_code"], r["counter_year"], year),
            counter_name=_with_year(r["counter_name"], r["counter_year"], year),
            project_id=r["project"],
            project_title=r["project_title"] or "",
            amount=r["sign"] * r["amount_cents"],
            reverses=r["reverses"],
            reason=r["reason"] or "",
            document_reference=r["document_reference"] or "",
            created_by=r["created_by_name"] or "",
            created_at=r["created_at"],
        )
        for r in rows
    ]


def account_key(code: str | None, account_year: int | None, year: int) -> str:
    """The code the sheets use for an account: its own code in this year, `2022/learning` for
    an account of another year (the other end of a carry-over)."""
    if not code:
        return ""
    return code if account_year == year else f"{account_year}/{code}"


def _with_year(name: str | None, account_year: int | None, year: int) -> str:
    if not name:
        return ""
    return name if account_year == year else f"{name} ({account_year})"


async def _grants(network_id: int, this_year: dict) -> tuple[GrantLine, ...]:
    """One line per state grant decision with spending in year T, and always the decision of
    this budget year. Budget years that share a decision reference form one multi-year grant."""
    year = this_year["year"]
    years = await (
        BudgetYear.select()
        .where((BudgetYear.network == network_id) & (BudgetYear.year <= year))
        .order_by(BudgetYear.year)
    )
    groups: dict[str, list[dict]] = defaultdict(list)
    for y in years:
        groups[_grant_key(y)].append(y)
    ids = [y["id"] for y in years]
    realised = await Entry.select(
        Entry.budget_year, Entry.booked_on, Entry.sign, Entry.amount_cents
    ).where((Entry.kind == "realised") & Entry.budget_year.is_in(ids))
    projects = await Project.select(
        Project.budget_year, Project.end_date, Project.settled_on
    ).where(Project.budget_year.is_in(ids))
    this_key = _grant_key(this_year)
    lines = []
    for key, members in groups.items():
        member_ids = {m["id"] for m in members}
        in_year = cumulative = 0
        for r in realised:
            if r["budget_year"] in member_ids and r["booked_on"].year <= year:
                cumulative += r["sign"] * r["amount_cents"]
                if r["booked_on"].year == year:
                    in_year += r["sign"] * r["amount_cents"]
        if key != this_key and not in_year:
            continue
        year_of = {m["id"]: m["year"] for m in members}
        own_projects = [p for p in projects if p["budget_year"] in member_ids]
        multi_year = len(members) > 1 or any(
            p["end_date"] and p["end_date"].year > year_of[p["budget_year"]] for p in own_projects
        )
        final = bool(own_projects) and all(p["settled_on"] for p in own_projects)
        granted = sum(m["spuk_amount_cents"] for m in members)
        budget = committed = released = 0
        for m in members:
            account_figures, _ = await queries.year_figures(m["id"])
            for a in await queries.accounts_of(m["id"]):
                f = account_figures.get(a["id"], AccountFigures())
                budget += f.budget
                committed += f.committed
                released += f.released
        lines.append(
            GrantLine(
                reference=key,
                years=tuple(m["year"] for m in members),
                granted=granted,
                spent_in_year=in_year,
                spent_cumulative=cumulative,
                multi_year=multi_year,
                final=final,
                explanation=deviation_text(
                    year,
                    granted=granted,
                    spent=cumulative,
                    open_commitments=committed - cumulative,
                    unspent=budget - committed,
                    released=released,
                    carried_over=granted - budget,
                ),
                this_year_only=key == this_key and len(members) == 1,
            )
        )
    return tuple(lines)


def _grant_key(budget_year: dict) -> str:
    reference = (budget_year["grant_reference"] or "").strip()
    return reference or f"SPUK {budget_year['year']} (kenmerk niet ingevuld)"


def deviation_text(
    year: int,
    *,
    granted: int,
    spent: int,
    open_commitments: int,
    unspent: int,
    released: int,
    carried_over: int,
) -> str:
    """The SiSa explanation of the difference between the grant and what was spent up to `year`;
    the parts add up to the difference."""
    difference = granted - spent
    if difference == 0:
        return "Geen afwijking: de uitkering is volledig besteed."
    parts = []
    if open_commitments:
        parts.append(
            f"{format_euros(open_commitments)} verplicht aan projecten die nog niet zijn "
            "verantwoord of vastgesteld"
        )
    if unspent:
        detail = f" (waarvan {format_euros(released)} vrijval)" if released else ""
        parts.append(f"{format_euros(unspent)} niet toegekend{detail}")
    if carried_over:
        parts.append(f"{format_euros(carried_over)} overgeheveld naar een ander jaar")
    return (
        f"Besteed tot en met {year} {format_euros(spent)} van {format_euros(granted)}; "
        f"verschil {format_euros(difference)}: " + "; ".join(parts) + "."
    )


# --- pure derivations -------------------------------------------------------------------------


def budget_lines(data: SpukData) -> list[BudgetLine]:
    """The budget in the form of Bijlage 4: one line per project as decided (process costs
    last), then per budget line what is not (or no longer) allocated; the lines add up to the
    year's budget."""
    lines = []
    allocated: dict[str, int] = defaultdict(int)
    for p in sorted(data.projects, key=lambda p: (p.account_kind == "process", p.id)):
        lines.append(BudgetLine(p.youth_region, p.title, p.granted))
        allocated[p.account_code] += p.granted
    for a in data.accounts:
        rest = a.budget - allocated[a.code]
        if rest:
            lines.append(BudgetLine("", f"{a.name}: nog niet toegewezen", rest))
    return lines


def file_name(data: SpukData) -> str:
    return f"SPUK-{data.network_slug}-{data.year}.xlsx"


# --- writing ----------------------------------------------------------------------------------

EURO = '"€" #,##0.00;[Red]"€" -#,##0.00'
DATE = "dd-mm-yyyy"
DATETIME = "dd-mm-yyyy hh:mm"
PERCENT = "0.0%"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
WRAP = Alignment(wrap_text=True, vertical="top")
TRUE, FALSE = "WAAR", "ONWAAR"

FIGURES = (
    ("budget", "Begroot"),
    ("committed", "Verplicht"),
    ("paid", "Betaald"),
    ("realised", "Gerealiseerd"),
    ("released", "Vrijgevallen"),
    ("recovered", "Teruggevorderd"),
)


@dataclass(frozen=True)
class Column:
    header: str
    width: float


def _range(sheet: str, column: str, first: int, last: int) -> str:
    return f"{sheet}!${column}${first}:${column}${last}"


# The same rules as every other export (portal/xlsx.py): what a worksheet cannot hold, and
# which typed text a spreadsheet would take for a formula or an error value.
_clean = clean_text


# How the cells are written. openpyxl spent some 10 µs on every cell (a Cell object, type
# inference, style look-ups, an XML element): most of the export of a year with 50.000 entries
# (~660.000 cells). So openpyxl writes the workbook without cells (sheets and their settings,
# tables, styles, properties), `_Sheet.append` writes each row's XML to a temporary file as it
# comes, and `_Book.save` puts those rows into the empty sheets of openpyxl's file. The rows are
# byte for byte the XML openpyxl wrote for the same cells (its rules for which text is what
# included); test_every_cell_of_the_workbook pins what every cell holds and looks like.

# openpyxl's limit: Excel cells hold at most 32.767 characters.
_MAX_TEXT = 32_767
_LETTERS = tuple(get_column_letter(i) for i in range(1, 703))  # A to ZZ
_EMPTY_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData>\s*</sheetData>")


class _Cell:
    """A cell made by `_Writer`: the XML of the cell after its coordinate."""

    __slots__ = ("xml",)

    def __init__(self, xml: str):
        self.xml = xml


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline_string(text: str) -> str:
    """`<is>` of a text cell; openpyxl keeps leading or trailing spaces of a text that has
    more than spaces."""
    stripped = text.strip()
    if stripped and stripped != text:
        return f'<is><t xml:space="preserve">{_escape(text)}</t></is></c>'
    return f"<is><t>{_escape(text)}</t></is></c>"


def _number(value: float) -> str:
    return "%.16g" % value  # noqa: UP031 - openpyxl's format for numbers


class _Styles:
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
                template = Cell(self._ws)
                if number_format:
                    template.number_format = number_format
                if font:
                    template.font = font
                if alignment:
                    template.alignment = alignment
                found = f' s="{template.style_id}"'
            self._attributes[key] = found
        return found


class _Writer:
    """Cells for one sheet: styled only where a style is needed, user text never read as a
    formula."""

    def __init__(self, styles: _Styles):
        self.styles = styles
        self._serials: dict[dt.date, str] = {}  # a year's entries share a few hundred days

    def cell(self, value, number_format: str | None = None, font=None, alignment=None) -> _Cell:
        style = self.styles.attribute(number_format, font, alignment)
        if isinstance(value, str):
            return _Cell(style + _text(value))
        if isinstance(value, dt.date):
            return _Cell(f'{style} t="n"><v>{self._serial(value)}</v></c>')
        return _Cell(f'{style} t="n"><v>{_number(value)}</v></c>')

    def text(self, value: str | None, alignment=None):
        """Text as text: a reason typed as '=HYPERLINK(…)' stays a reason."""
        if not value:
            return None
        value = _clean(value)
        # Marked as text whenever it reads as a formula: '=…' would be one in openpyxl's reading
        # (`_text`), and '#N/A' typed as a reason is a reason, not Excel's error value (which a
        # check that looks at the column would then carry along). '+1', '-2', '@x' are written
        # the same either way: as an inline string.
        if reads_as_formula(value) or alignment:
            style = self.styles.attribute(alignment=alignment)
            return _Cell(f'{style} t="inlineStr">{_inline_string(value[:_MAX_TEXT])}')
        return value

    def euro(self, cents: int | None) -> _Cell | None:
        if cents is None:
            return None
        return _Cell(f'{self.styles.attribute(EURO)} t="n"><v>{_number(cents / 100)}</v></c>')

    def formula(self, formula: str, number_format: str | None = EURO, font=None) -> _Cell:
        assert formula.startswith("="), formula
        style = self.styles.attribute(number_format, font)
        return _Cell(f"{style}><f>{_escape(formula[1:])}</f><v /></c>")

    def date(self, value: dt.date | None, number_format: str | None = DATE) -> _Cell | None:
        if value is None:
            return None
        style = self.styles.attribute(number_format)
        return _Cell(f'{style} t="n"><v>{self._serial(value)}</v></c>')

    def _serial(self, value: dt.date) -> str:
        serial = self._serials.get(value)
        if serial is None:
            serial = self._serials[value] = _number(to_excel(value))
        return serial

    def header(self, columns: Sequence[Column]) -> list:
        return [self.cell(c.header, font=BOLD, alignment=HEADER_ALIGNMENT) for c in columns]


def _text(value: str) -> str:
    """The XML of a plain text after the coordinate (and style), read as openpyxl reads it:
    '=…' is a formula, an error code such as '#N/A' is that error."""
    if _clean(value) != value:
        raise ValueError(f"{value!r} holds characters a worksheet cannot hold")
    value = value[:_MAX_TEXT]
    if not value:
        return ' t="inlineStr" />'
    if len(value) > 1 and value.startswith("="):
        return f"><f>{_escape(value[1:])}</f><v /></c>"
    if value in ERROR_CODES:
        return f' t="e"><v>{_escape(value)}</v></c>'
    return ' t="inlineStr">' + _inline_string(value)


class _Sheet:
    """One sheet: `worksheet` is openpyxl's (settings and tables), `append` writes a row of
    cells."""

    def __init__(self, worksheet, texts: dict[str, str]):
        self.worksheet = worksheet
        self._rows = 0
        self._texts = texts  # plain text -> its XML, shared by the sheets
        # Closed by _Book.close, once the workbook is saved.
        self._file = tempfile.SpooledTemporaryFile(max_size=2**20)  # noqa: SIM115
        self._pending: list[str] = []

    def append(self, values: Sequence) -> None:
        """The next row: a value per column from A, None for an empty cell."""
        self._rows += 1
        row = str(self._rows)
        xml = [f'<row r="{row}">']
        for i, value in enumerate(values):
            if value is None:
                continue
            kind = type(value)
            if kind is _Cell:
                tail = value.xml
            elif kind is str:
                tail = self._texts.get(value)
                if tail is None:
                    tail = self._texts[value] = _text(value)
            elif kind is int or kind is float:
                tail = f' t="n"><v>{_number(value)}</v></c>'
            else:
                raise TypeError(f"{value!r} in column {_LETTERS[i]}: use the sheet's _Writer")
            xml.append(f'<c r="{_LETTERS[i]}{row}"{tail}')
        xml.append("</row>")
        self._pending.append("".join(xml))
        if len(self._pending) >= 1000:
            self._flush()

    def _flush(self) -> None:
        self._file.write("".join(self._pending).encode())
        self._pending.clear()

    def write_into(self, sheet_xml: bytes, target: BinaryIO) -> None:
        """openpyxl's XML of the sheet, with these rows in its empty `<sheetData>`."""
        self._flush()
        (empty,) = _EMPTY_SHEET_DATA.finditer(sheet_xml)
        target.write(sheet_xml[: empty.start()] + b"<sheetData>")
        self._file.seek(0)
        shutil.copyfileobj(self._file, target, 2**20)
        target.write(b"</sheetData>" + sheet_xml[empty.end() :])

    def close(self) -> None:
        self._file.close()


class _Book:
    def __init__(self, data: SpukData, exported_at: dt.datetime):
        self.data = data
        local = exported_at if exported_at.tzinfo is None else exported_at.astimezone(AMSTERDAM)
        self.exported_local = local.replace(tzinfo=None)
        self.wb = Workbook(write_only=True)
        self.sheets: list[_Sheet] = []
        self._styles: _Styles | None = None
        self._texts: dict[str, str] = {}

    def sheet(
        self, title: str, columns: Sequence[Column], print_rows: str, freeze: str
    ) -> tuple[_Sheet, _Writer]:
        ws = self.wb.create_sheet(title)
        for i, c in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = c.width
        ws.freeze_panes = freeze
        ws.print_title_rows = print_rows
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.gridLines = False
        header = ws.HeaderFooter.oddHeader
        header.left.text = _header_text(self.data.network_name)
        header.center.text = f"SPUK-verantwoording {self.data.year} – &A"
        header.right.text = f"Geëxporteerd {self.exported_local:%d-%m-%Y %H:%M}"
        ws.HeaderFooter.oddFooter.center.text = "Pagina &P van &N"
        if self._styles is None:
            self._styles = _Styles(ws)
        sheet = _Sheet(ws, self._texts)
        self.sheets.append(sheet)
        return sheet, _Writer(self._styles)

    def table(
        self, ws: _Sheet, name: str, columns: Sequence[Column], header_row: int, last_row: int
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


def _header_text(text: str) -> str:
    # '&' starts a code in page headers, which hold 255 characters in all.
    return _clean(text)[:80].replace("&", "&&")


def build_workbook(data: SpukData, *, exported_at: dt.datetime) -> bytes:
    """The SPUK workbook of `data` as .xlsx bytes. Pure: no database, no clock."""
    book = _Book(data, exported_at)
    props = book.wb.properties
    # Cleaned like the cells: a control character here made the whole file unreadable.
    props.title = _clean(f"SPUK-verantwoording {data.year} {data.network_name}")
    props.subject = f"Verantwoording specifieke uitkering {data.year}"
    props.creator = _clean(f"Fondsportaal – gemeente {data.municipality}")
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

SUMMARY_COLUMNS = (
    Column("Categorie", 24),
    Column("Post", 44),
    Column("Code", 16),
    Column("Begroot", 16),
    Column("Verplicht", 16),
    Column("Betaald", 16),
    Column("Gerealiseerd", 16),
    Column("Vrijgevallen", 16),
    Column("Teruggevorderd", 16),
    Column("Beschikbaar", 16),
    Column("Ondergrens reserve", 16),
    Column("Inzet uit reserve", 16),
)
CATEGORY_COLUMNS = (
    Column("Categorie", 24),
    Column("Aantal posten", 44),
    Column("Aandeel van de SPUK", 16),
    *SUMMARY_COLUMNS[3:],
)
SPUK_CELL = "Samenvatting!$B$2"


@dataclass(frozen=True)
class _Summary:
    rows: dict[str, int]  # account code -> row
    first: int
    last: int
    total: int


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
    ws.append(w.header(SUMMARY_COLUMNS))
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
    ws.append(w.header(CATEGORY_COLUMNS))
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
    Column("Nr", 7),
    Column("JH-regio", 20),
    Column("Uitvoerder", 20),
    Column("Project", 48),
    Column("Code post", 14),
    Column("Post", 28),
    Column("Functies", 40),
    Column("Besluitdatum", 13),
    Column("Kenmerk besluit", 20),
    Column("Toegekend", 15),
    Column("Vrijgevallen", 15),
    Column("Verplicht", 15),
    Column("Betaald", 15),
    Column("Nog te betalen", 15),
    Column("Gerealiseerd", 15),
    Column("Teruggevorderd", 15),
    Column("Vastgesteld bedrag", 15),
    Column("Vastgesteld op", 13),
    Column("Verslag over", 10),
    Column("Verslag vóór", 13),
    Column("Status verslag", 16),
)


@dataclass(frozen=True)
class _Rows:
    first: int
    last: int
    total: int


def _projects_sheet(book: _Book) -> _Rows:
    data = book.data
    ws, w = book.sheet("Projecten", PROJECT_COLUMNS, "1:1", "E2")
    ws.append(w.header(PROJECT_COLUMNS))
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
                w.text(p.region),
                w.text(p.recipient),
                w.text(p.title),
                p.account_code,
                w.text(p.account_name),
                w.text("; ".join(p.functions)),
                w.date(p.decision_date),
                w.text(p.decision_reference),
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
    Column("Datum", 12),
    Column("Soort", 30),
    Column("Code soort", 16),
    Column("Code post", 16),
    Column("Post", 28),
    Column("Code tegenpost", 16),
    Column("Tegenpost", 28),
    Column("Projectnr", 10),
    Column("Project", 36),
    Column("Bedrag", 16),
    Column("Correctie van", 11),
    Column("Gecorrigeerd door", 11),
    Column("Reden", 40),
    Column("Kenmerk", 20),
    Column("Geboekt door", 20),
    Column("Vastgelegd op", 17),
)


def _entries_sheet(book: _Book) -> _Rows:
    data = book.data
    ws, w = book.sheet("Mutaties", ENTRY_COLUMNS, "1:1", "C2")
    ws.append(w.header(ENTRY_COLUMNS))
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
                e.kind,
                e.account_code,
                w.text(e.account_name),
                e.counter_code or None,
                w.text(e.counter_name),
                e.project_id,
                w.text(e.project_title),
                w.euro(e.amount),
                e.reverses,
                reversed_by.get(e.id),
                w.text(e.reason),
                w.text(e.document_reference),
                w.text(e.created_by),
                w.date(created, DATETIME),
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


@dataclass(frozen=True)
class _Sisa:
    rows: _Rows
    this_year_row: int | None  # the row of a decision that only this budget year carries


def _sisa_columns(wording: SisaWording, year: int) -> tuple[Column, ...]:
    return (
        Column(wording.decision, 30),
        Column("Begrotingsjaren", 14),
        Column("Toegekend bedrag", 16),
        Column(wording.spending.format(year=year), 20),
        Column(wording.cumulative.format(year=year), 22),
        Column("Meerjarig", 10),
        Column(wording.final.format(year=year), 14),
        Column(wording.explanation.format(year=year), 70),
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
    ws.append(w.header(columns))
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

BUDGET_COLUMNS = (Column("JH-regio", 24), Column("Project", 80), Column("Budget", 18))


def _budget(book: _Book) -> _Rows:
    data = book.data
    header_row = 4
    ws, w = book.sheet("Begroting", BUDGET_COLUMNS, f"{header_row}:{header_row}", "A5")
    ws.append([w.cell(f"Begroting middelen {data.year}", font=TITLE)])
    ws.append([w.text(data.network_name)])
    ws.append([])
    ws.append(w.header(BUDGET_COLUMNS))
    lines = budget_lines(data)
    for line in lines:
        ws.append([w.text(line.youth_region), w.text(line.project, WRAP), w.euro(line.cents)])
    if not lines:
        ws.append([None, "(geen begroting)"])
    first = header_row + 1
    last = first + max(len(lines), 1) - 1
    ws.append([w.cell("Totaal", font=BOLD), None, w.formula(f"=SUM(C{first}:C{last})", font=BOLD)])
    book.table(ws, "Begrotingsregels", BUDGET_COLUMNS, header_row, last)
    return _Rows(first, last, last + 1)


# Controles ------------------------------------------------------------------------------------

CHECK_COLUMNS = (
    Column("Nr", 6),
    Column("Controle", 44),
    Column("Post", 36),
    Column("Code", 16),
    Column("Grootheid", 15),
    Column("Waarde A", 16),
    Column("Waarde B", 16),
    Column("Verschil (A − B)", 16),
    Column("Uitkomst", 11),
)
CHECK_HEADER_ROW = 4

# The rules of ledger/rules.py `account_figures`, as (kind, sign) per figure of an account.
_KIND_TERMS: dict[str, tuple[tuple[str, int], ...]] = {
    "budget": (("budget", 1), ("transfer", 1), ("reserve_release", 1), ("carry_over", 1)),
    "committed": (("commitment", 1), ("release", -1)),
    "paid": (("advance_payment", 1), ("final_payment", 1), ("recovery", -1)),
    "realised": (("realised", 1),),
    "released": (("release", 1),),
    "recovered": (("recovery", 1),),
}
# The same figures from the Projecten sheet: the column that holds each.
_PROJECT_COLUMN = {
    "committed": "L",
    "paid": "M",
    "realised": "O",
    "released": "K",
    "recovered": "P",
}
_SUMMARY_COLUMN = {
    "budget": "D",
    "committed": "E",
    "paid": "F",
    "realised": "G",
    "released": "H",
    "recovered": "I",
}


@dataclass(frozen=True)
class _Check:
    title: str
    account: str
    code: str
    figure: str
    a: str  # formula
    b: str  # formula
    at_least: bool = False  # A ≥ B instead of A = B


def _entries_formula(figure: str, code_cell: str | None, entries: _Rows) -> str:
    """A figure recomputed from Mutaties with SUMIFS over the kind (and the account)."""

    def rng(column: str) -> str:
        return _range("Mutaties", column, entries.first, entries.last)

    terms = []
    for kind, sign in _KIND_TERMS[figure]:
        if code_cell is None:
            term = f'SUMIFS({rng("K")},{rng("D")},"{kind}")'
        else:
            term = f'SUMIFS({rng("K")},{rng("D")},"{kind}",{rng("E")},{code_cell})'
        terms.append(("+" if sign > 0 else "-") + term)
    if figure == "budget" and code_cell is not None:
        # What a transfer, reserve release or carry-over gives, its counter account loses.
        for kind in ("transfer", "reserve_release", "carry_over"):
            terms.append(f'-SUMIFS({rng("K")},{rng("D")},"{kind}",{rng("G")},{code_cell})')
    return "=" + "".join(terms).lstrip("+")


def _checks(
    book: _Book,
    summary: _Summary,
    projects: _Rows,
    entries: _Rows,
    sisa: _Sisa,
    budget: _Rows,
) -> None:
    data = book.data
    checks: list[_Check] = []
    names = {a.code: a.name for a in data.accounts}

    def project_sum(figure: str, code_cell: str) -> str:
        column = _PROJECT_COLUMN[figure]
        return (
            f"=SUMIF({_range('Projecten', 'E', projects.first, projects.last)},{code_cell},"
            f"{_range('Projecten', column, projects.first, projects.last)})"
        )

    for code, row in summary.rows.items():
        code_cell = f"Samenvatting!$C${row}"
        for figure, label in FIGURES:
            checks.append(
                _Check(
                    "Samenvatting (A) tegen Mutaties (B)",
                    names[code],
                    code,
                    label,
                    f"=Samenvatting!{_SUMMARY_COLUMN[figure]}{row}",
                    _entries_formula(figure, code_cell, entries),
                )
            )
    for code, row in summary.rows.items():
        code_cell = f"Samenvatting!$C${row}"
        for figure, label in FIGURES[1:]:
            checks.append(
                _Check(
                    "Samenvatting (A) tegen Projecten (B)",
                    names[code],
                    code,
                    label,
                    f"=Samenvatting!{_SUMMARY_COLUMN[figure]}{row}",
                    project_sum(figure, code_cell),
                )
            )
    for figure, label in FIGURES[1:]:
        total = f"=Samenvatting!{_SUMMARY_COLUMN[figure]}{summary.total}"
        checks.append(
            _Check(
                "Totaal Samenvatting (A) tegen totaal Projecten (B)",
                "Alle posten",
                "",
                label,
                total,
                f"=Projecten!{_PROJECT_COLUMN[figure]}{projects.total}",
            )
        )
        checks.append(
            _Check(
                "Totaal Samenvatting (A) tegen alle Mutaties (B)",
                "Alle posten",
                "",
                label,
                total,
                _entries_formula(figure, None, entries),
            )
        )
    checks.append(
        _Check(
            "Begrotingsboekingen in Mutaties (A) tegen het SPUK-bedrag (B)",
            "Alle posten",
            "",
            "Begroot",
            f"=SUMIFS({_range('Mutaties', 'K', entries.first, entries.last)},"
            f'{_range("Mutaties", "D", entries.first, entries.last)},"budget")',
            f"={SPUK_CELL}",
        )
    )
    checks.append(
        _Check(
            "Totaal Samenvatting (A) tegen totaal Begroting, Bijlage 4 (B)",
            "Alle posten",
            "",
            "Begroot",
            f"=Samenvatting!D{summary.total}",
            f"=Begroting!C{budget.total}",
        )
    )
    if sisa.this_year_row is not None:
        dates = _range("Mutaties", "B", entries.first, entries.last)
        amounts = _range("Mutaties", "K", entries.first, entries.last)
        kinds = _range("Mutaties", "D", entries.first, entries.last)
        start, end = f"DATE({data.year},1,1)", f"DATE({data.year},12,31)"
        checks.append(
            _Check(
                f"SiSa besteding {data.year} (A) tegen gerealiseerd in Mutaties, geboekt in "
                f"{data.year} (B)",
                "Alle posten",
                "",
                "Gerealiseerd",
                f"=SiSa!D{sisa.this_year_row}",
                f'=SUMIFS({amounts},{kinds},"realised",{dates},">="&{start},{dates},"<="&{end})',
            )
        )
        checks.append(
            _Check(
                f"SiSa cumulatief t/m {data.year} (A) tegen gerealiseerd in Mutaties tot en met "
                f"{data.year} (B)",
                "Alle posten",
                "",
                "Gerealiseerd",
                f"=SiSa!E{sisa.this_year_row}",
                f'=SUMIFS({amounts},{kinds},"realised",{dates},"<="&{end})',
            )
        )
    for a in data.accounts:
        if a.floor is None:
            continue
        row = summary.rows[a.code]
        checks.append(
            _Check(
                "Reserve (A) niet onder de ondergrens min de inzet uit de reserve (B)",
                a.name,
                a.code,
                "Begroot",
                f"=Samenvatting!D{row}",
                f"=Samenvatting!K{row}-Samenvatting!L{row}",
                at_least=True,
            )
        )

    ws, w = book.sheet(
        "Controles",
        CHECK_COLUMNS,
        f"{CHECK_HEADER_ROW}:{CHECK_HEADER_ROW}",
        f"C{CHECK_HEADER_ROW + 1}",
    )
    first = CHECK_HEADER_ROW + 1
    last = first + len(checks) - 1
    ws.append(
        [
            None,
            w.cell("Uitkomst van alle controles", font=TITLE),
            w.formula(
                f'=IF(COUNTIF(I{first}:I{last},"{TRUE}")={len(checks)},"{TRUE}","{FALSE}")',
                None,
                TITLE,
            ),
        ]
    )
    ws.append(
        [
            None,
            "Elke regel zet twee bladen naast elkaar; het verschil moet op de cent nul zijn "
            "(bij een reserve: niet negatief).",
        ]
    )
    ws.append([])
    ws.append(w.header(CHECK_COLUMNS))
    for row, check in enumerate(checks, start=first):
        test = f"ROUND(H{row},2)>=0" if check.at_least else f"ROUND(H{row},2)=0"
        ws.append(
            [
                row - first + 1,
                check.title,
                w.text(check.account),
                check.code or None,
                check.figure,
                w.formula(check.a),
                w.formula(check.b),
                w.formula(f"=F{row}-G{row}"),
                w.formula(f'=IF({test},"{TRUE}","{FALSE}")', None),
            ]
        )
    book.table(ws, "Controleregels", CHECK_COLUMNS, CHECK_HEADER_ROW, max(last, first))
