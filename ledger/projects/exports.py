"""What the ledger hands to the outside world: its entries as a table to download, and the
figures, entries and reports that the read-only API publishes.

Reads only. Money stays integer cents here; a table column says it holds money and the file
encoder formats it (portal/controllers/exports.py), the API sends the cents as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ledger.books import queries
from ledger.books.deadlines import status_of
from ledger.books.rules import (
    ACCOUNT_CATEGORY,
    CATEGORY_LABELS,
    ENTRY_KINDS,
    AccountFigures,
    floors,
)
from ledger.books.tables import BudgetYear, Entry, Project
from ledger.projects import reports
from portal.accounts.tables import Region

# A download holds the whole selection; far above a real year (a few thousand entries).
MAX_EXPORT_ROWS = 1_000_000

# (header, kind): kind tells the encoder how to write the cells (see portal/controllers/exports).
ENTRY_COLUMNS: list[tuple[str, str]] = [
    ("Nr.", "number"),
    ("Boekdatum", "date"),
    ("Soort", "text"),
    ("Post", "text"),
    ("Van post", "text"),
    ("Project", "text"),
    ("Bedrag", "money"),
    ("Correctie op nr.", "number"),
    ("Reden", "text"),
    ("Kenmerk", "text"),
    ("Geboekt door", "text"),
    ("Vastgelegd op", "datetime"),
]


async def entry_rows(
    budget_year_id: int,
    *,
    kind: str | None = None,
    project_id: int | None = None,
    account_id: int | None = None,
) -> list[list]:
    """The entries of a year as the entries page filters them, oldest first."""
    rows, _ = await queries.entries(
        budget_year_id,
        kind=kind if kind in ENTRY_KINDS else None,
        project_id=project_id,
        account_id=account_id,
        per_page=MAX_EXPORT_ROWS,
    )
    return [
        [
            e["id"],
            e["booked_on"],
            ENTRY_KINDS.get(e["kind"], e["kind"]),
            e["account_name"],
            e["counter_account_name"] or "",
            e["project_title"] or "",
            e["sign"] * e["amount_cents"],
            e["reverses"],
            e["reason"],
            e["document_reference"],
            e["created_by_name"] or "systeem",
            e["created_at"],
        ]
        for e in reversed(rows)
    ]


# --- the API's reads ------------------------------------------------------------------------


async def budget_year_of(network_id: int, year: int) -> dict | None:
    return (
        await BudgetYear.select()
        .where((BudgetYear.network == network_id) & (BudgetYear.year == year))
        .first()
    )


async def years_by_network(network_ids: list[int]) -> dict[int, list[int]]:
    rows = (
        await BudgetYear.select(BudgetYear.network, BudgetYear.year)
        .where(BudgetYear.network.is_in(network_ids or [0]))
        .order_by(BudgetYear.year)
    )
    result: dict[int, list[int]] = {n: [] for n in network_ids}
    for r in rows:
        result[r["network"]].append(r["year"])
    return result


@dataclass(frozen=True)
class Line:
    """One line of a year's budget with its figures: a process-cost line, a theme, the themes'
    reserve, learning and development, or the unforeseen reserve."""

    code: str
    kind: str
    name: str
    theme_id: int | None
    figures: AccountFigures
    floor_cents: int | None  # only the two reserves have a floor


@dataclass(frozen=True)
class Category:
    key: str  # process / themes / learning / unforeseen
    label: str
    lines: list[Line]
    figures: AccountFigures = field(default_factory=AccountFigures)
    floor_cents: int | None = None


async def year_categories(budget_year_id: int) -> list[Category]:
    """The year's lines grouped by category, each category with the sums of its lines (as the
    year page shows them). Empty while the year has not been divided."""
    accounts = await queries.accounts_of(budget_year_id)
    if not accounts:
        return []
    figures, _ = await queries.year_figures(budget_year_id)
    year_floors = floors(await queries.year_info(budget_year_id), figures)
    lines: dict[str, list[Line]] = {key: [] for key in CATEGORY_LABELS}
    for a in accounts:
        lines[ACCOUNT_CATEGORY[a["kind"]]].append(
            Line(
                code=a["code"],
                kind=a["kind"],
                name=a["name"],
                theme_id=a["theme_id"],
                figures=figures.get(a["id"], AccountFigures()),
                floor_cents=year_floors.get(a["id"]),
            )
        )
    categories = []
    for key, label in CATEGORY_LABELS.items():
        total = AccountFigures()
        for line in lines[key]:
            for name in ("budget", "committed", "released", "paid", "realised", "recovered"):
                setattr(total, name, getattr(total, name) + getattr(line.figures, name))
        line_floors = [line.floor_cents for line in lines[key] if line.floor_cents is not None]
        categories.append(
            Category(key, label, lines[key], total, sum(line_floors) if line_floors else None)
        )
    return categories


async def entries_of_network(
    network_id: int,
    *,
    year: int | None = None,
    kind: str | None = None,
    project_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[dict], int]:
    """One page of a network's entries, oldest first, and how many there are in all."""

    def scoped(query):
        query = query.where(Entry.budget_year.network == network_id)
        if year is not None:
            query = query.where(Entry.budget_year.year == year)
        if kind:
            query = query.where(Entry.kind == kind)
        if project_id is not None:
            query = query.where(Entry.project == project_id)
        return query

    rows = (
        await scoped(
            Entry.select(
                *queries.ENTRY_COLUMNS,
                Entry.budget_year.year.as_alias("year"),
                Entry.account.code.as_alias("account_code"),
                Entry.counter_account.code.as_alias("counter_account_code"),
            )
        )
        .order_by(Entry.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return rows, await scoped(Entry.count())


async def project_ids_by_proposal(proposal_ids: list[int]) -> dict[int, int]:
    """proposal id -> the ledger project of its grant."""
    if not proposal_ids:
        return {}
    rows = await Project.select(Project.id, Project.proposal_id).where(
        Project.proposal_id.is_in(proposal_ids)
    )
    return {r["proposal_id"]: r["id"] for r in rows}


# The API reports four statuses: "due" covers both "due soon" and "later" of the deadlines page.
API_REPORT_STATUS = {
    "accepted": "accepted",
    "received": "received",
    "overdue": "overdue",
    "due_soon": "due",
    "later": "due",
}


async def report_rows(network_id: int, today: dt.date) -> list[dict]:
    """Every accountability report of the network with its status today and its region."""
    regions = {
        r["id"]: r["name"]
        for r in await Region.select(Region.id, Region.name).where(Region.network == network_id)
    }
    rows = await reports.reports_of_network(network_id)
    for r in rows:
        status = status_of(
            r["due_date"], today, r["state"] == "submitted", r["state"] == "accepted"
        )
        r["status"] = API_REPORT_STATUS[status]
        r["region_name"] = regions.get(r["region_id"]) or r["recipient"] or None
    return rows
