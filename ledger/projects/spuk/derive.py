"""What the SPUK workbook derives without the database: the SiSa wording of a year, the code
and name the sheets give an account, the SiSa explanation of a deviation, the budget in the
form of Bijlage 4, and the file's name. Pure functions of their arguments."""

from __future__ import annotations

from collections import defaultdict

from ledger.projects.spuk.data import SISA_WORDING, BudgetLine, SisaWording, SpukData
from portal.lib.money import format_euros


def sisa_wording(year: int) -> SisaWording:
    earlier = [y for y in SISA_WORDING if y <= year]
    return SISA_WORDING[max(earlier) if earlier else min(SISA_WORDING)]


# --- accounts of another year -----------------------------------------------------------------


def account_key(code: str | None, account_year: int | None, year: int) -> str:
    """The code the sheets use for an account: its own code in this year, `2022/learning` for
    an account of another year (the other end of a carry-over)."""
    if not code:
        return ""
    return code if account_year == year else f"{account_year}/{code}"


def with_year(name: str | None, account_year: int | None, year: int) -> str:
    """The name the sheets use for an account: `Leren (2022)` for an account of another year."""
    if not name:
        return ""
    return name if account_year == year else f"{name} ({account_year})"


# --- SiSa -------------------------------------------------------------------------------------


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


# --- the budget (Bijlage 4) and the file ------------------------------------------------------


def budget_lines(data: SpukData) -> list[BudgetLine]:
    """The budget in the form of Bijlage 4: one line per project as decided (process costs
    last), then per budget line what is not (or no longer) allocated; the lines add up to the
    year's budget."""
    lines = []
    allocated: dict[str, int] = defaultdict(int)
    for p in sorted(data.projects, key=lambda p: (p.account_kind == "process", p.id)):
        settled = p.final_amount if p.settled_on is not None else None
        lines.append(BudgetLine(p.youth_region, p.title, p.granted, settled))
        allocated[p.account_code] += p.granted
    for a in data.accounts:
        rest = a.budget - allocated[a.code]
        if rest:
            lines.append(BudgetLine("", f"{a.name}: nog niet toegewezen", rest))
    return lines


def file_name(data: SpukData) -> str:
    return f"SPUK-{data.network_slug}-{data.year}.xlsx"
