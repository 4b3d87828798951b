"""Reads of the ledger: balances are SQL sums over the entries, never stored running totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from piccolo.query import Select
from piccolo.query.functions.aggregate import Count

from ledger.books.rows import AccountRow, EntryRow, ProjectRow
from ledger.books.rules import (
    AccountFigures,
    AccountInfo,
    ProjectFigures,
    Sum,
    YearInfo,
    account_figures,
    project_figures,
)
from ledger.books.tables import Account, BudgetYear, Entry, ExpertClaim, Project, ProjectPart
from portal.lib.compiled import compiled
from portal.lib.db import required
from portal.lib.together import Raw, together

# Entries of a year: booked in it, or moving money into or out of one of its accounts. Three
# placeholders, each the budget year's id. The queries below are built from these constant
# fragments only (hence the noqa); every value is a parameter.
_OF_YEAR = """(e.budget_year = {}
   OR e.account IN (SELECT a.id FROM ledger_account a WHERE a.budget_year = {})
   OR e.counter_account IN (SELECT a.id FROM ledger_account a WHERE a.budget_year = {}))"""

# The same entries as a table `e`, for the sums over a whole year: three index look-ups that
# cannot overlap (an entry is counted in the first branch that holds it). With `_OF_YEAR`'s OR
# in one WHERE, both engines read every entry of every year: 27 ms on SQLite and 12 ms on
# PostgreSQL for the 1.556 entries of a year among 50.000 (bench data set), 2–3 ms this way.
# Six placeholders, each the budget year's id.
_ENTRY_COLUMNS = "x.kind, x.account, x.counter_account, x.project, x.sign, x.amount_cents"
_ENTRIES_OF_YEAR = f"""(
SELECT {_ENTRY_COLUMNS} FROM ledger_entry x WHERE x.budget_year = {{}}
UNION ALL
SELECT {_ENTRY_COLUMNS} FROM ledger_account a JOIN ledger_entry x ON x.account = a.id
 WHERE a.budget_year = {{}} AND x.budget_year <> {{}}
UNION ALL
SELECT {_ENTRY_COLUMNS} FROM ledger_account a JOIN ledger_entry x ON x.counter_account = a.id
 WHERE a.budget_year = {{}} AND x.budget_year <> {{}}
   AND x.account NOT IN (SELECT b.id FROM ledger_account b WHERE b.budget_year = {{}})
) e"""  # noqa: S608
_ENTRIES_OF_YEAR_PLACEHOLDERS = 6

_SUMS = f"""
SELECT e.kind AS kind, e.account AS account, e.counter_account AS counter_account,
       e.project AS project, SUM(e.sign * e.amount_cents) AS total
FROM {_ENTRIES_OF_YEAR}
GROUP BY e.kind, e.account, e.counter_account, e.project
"""  # noqa: S608

# The same sums per account only (the project left out): what the accounts' figures need, a
# row per kind and account pair instead of one per project too (the start page's reserves:
# 12–825 rows a year become a few dozen).
_ACCOUNT_SUMS = f"""
SELECT e.kind AS kind, e.account AS account, e.counter_account AS counter_account,
       NULL AS project, SUM(e.sign * e.amount_cents) AS total
FROM {_ENTRIES_OF_YEAR}
GROUP BY e.kind, e.account, e.counter_account
"""  # noqa: S608

# The same sums for the year page, with the account of the entry's project (if it is one of the
# year's projects) in place of the project: a row per kind, account pair and project account,
# however many projects the year has.
_SUMS_PER_PROJECT_ACCOUNT = f"""
SELECT e.kind AS kind, e.account AS account, e.counter_account AS counter_account,
       p.account AS project_account, SUM(e.sign * e.amount_cents) AS total
FROM {_ENTRIES_OF_YEAR}
LEFT JOIN ledger_project p ON p.id = e.project AND p.budget_year = {{}}
GROUP BY e.kind, e.account, e.counter_account, p.account
"""  # noqa: S608

_PROJECTS_PER_ACCOUNT = """
SELECT p.account AS account, COUNT(*) AS projects, COUNT(p.final_amount_cents) AS settled,
       SUM(p.final_amount_cents) AS final_cents
FROM ledger_project p
WHERE p.budget_year = {}
GROUP BY p.account
"""


def _of_year(sql: str, budget_year_id: int) -> Raw:
    """One of the sums over `_ENTRIES_OF_YEAR`, as a read `together` can join."""
    return Raw(
        sql,
        (budget_year_id,) * _ENTRIES_OF_YEAR_PLACEHOLDERS,
        ("kind", "account", "counter_account", "project", "total"),
        Entry._meta.db,
    )


def sums_of_year_query(budget_year_id: int) -> Raw:
    return _of_year(_SUMS, budget_year_id)


def account_sums_of_year_query(budget_year_id: int) -> Raw:
    """`sums_of_year_query` without the projects: for `account_figures` only."""
    return _of_year(_ACCOUNT_SUMS, budget_year_id)


class KeptByStamp:
    """A year's sums as this process last read them, with the year's `entries_stamp` then.

    Every booking gives the years it touches a new stamp in its transaction, so rows kept
    under the stamp a reader sees now are the year's sums now (read after the stamp, they can
    only be newer). A few dozen rows a year; kept for at most `KEPT_YEARS` years. Only sums
    of entries may be kept this way: nothing else changes the stamp."""

    def __init__(self) -> None:
        self._kept: dict[int, tuple[int, list[dict]]] = {}

    def get(self, budget_year_id: int, stamp: int) -> list[dict] | None:
        kept = self._kept.get(budget_year_id)
        return kept[1] if kept is not None and kept[0] == stamp else None

    def keep(self, budget_year_id: int, stamp: int, rows: list[dict]) -> None:
        if len(self._kept) >= KEPT_YEARS and budget_year_id not in self._kept:
            self._kept.clear()
        self._kept[budget_year_id] = (stamp, rows)


KEPT_YEARS = 256
# The sums per account (the start page's reserves) and per project account (the year page).
KEPT_ACCOUNT_SUMS = KeptByStamp()
KEPT_PROJECT_ACCOUNT_SUMS = KeptByStamp()


async def sums_of_year(budget_year_id: int) -> list[Sum]:
    return sums_from_rows(await sums_of_year_query(budget_year_id).run())


def sums_from_rows(rows: list[dict]) -> list[Sum]:
    return [
        Sum(r["kind"], r["account"], r["counter_account"], r["project"], int(r["total"] or 0))
        for r in rows
    ]


async def year_info(budget_year_id: int) -> YearInfo:
    year = required(await BudgetYear.select().where(BudgetYear.id == budget_year_id).first())
    return year_info_of(year, await accounts_of(budget_year_id))


@compiled()
def accounts_query(budget_year_id: int) -> Select:
    return Account.select().where(Account.budget_year == budget_year_id).order_by(Account.position)


async def accounts_of(budget_year_id: int) -> list[AccountRow]:
    return cast("list[AccountRow]", await accounts_query(budget_year_id))


async def process_names(network_id: int) -> dict[str, str]:
    """The names the network gave its process lines in its latest divided year (a new year's
    division starts from them); empty when it has none yet."""
    rows = (
        await Account.select(Account.code, Account.name, Account.budget_year.year.as_alias("year"))
        .where((Account.budget_year.network == network_id) & (Account.kind == "process"))
        .order_by(Account.budget_year.year, ascending=False)
    )
    latest = rows[0]["year"] if rows else None
    return {r["code"]: r["name"] for r in rows if r["year"] == latest}


async def account_row(account_id: int) -> AccountRow | None:
    row = (
        await Account.select(
            *Account.all_columns(),
            Account.budget_year.network.as_alias("network"),
            Account.budget_year.year.as_alias("year"),
        )
        .where(Account.id == account_id)
        .first()
    )
    return cast("AccountRow | None", row)


async def year_figures(
    budget_year_id: int,
) -> tuple[dict[int, AccountFigures], dict[int, ProjectFigures]]:
    sums = await sums_of_year(budget_year_id)
    return account_figures(sums), project_figures(sums)


def year_info_of(year: dict, accounts: list[AccountRow]) -> YearInfo:
    """`year_info` from a budget year row and its accounts that the caller already has."""
    return YearInfo(
        spuk_cents=year["spuk_amount_cents"],
        unforeseen_reserve_bp=year["unforeseen_reserve_bp"],
        themes_reserve_bp=year["themes_reserve_bp"],
        accounts=tuple(AccountInfo(a["id"], a["kind"], a["name"]) for a in accounts),
    )


@dataclass
class ProjectGroup:
    """The projects of a year on one account, added up: how many, how many are settled, the sum
    of their final amounts, and their figures together."""

    account: int
    projects: int = 0
    settled: int = 0
    final_cents: int = 0
    figures: ProjectFigures = field(default_factory=ProjectFigures)


@dataclass
class YearTotals:
    """What the budget year page shows of a whole year: the figures per account (as
    `year_figures` gives them) and the year's projects added up per account."""

    accounts: dict[int, AccountFigures]
    project_groups: dict[int, ProjectGroup]


async def year_totals(budget_year_id: int, stamp: int | None = None) -> YearTotals:
    """Two statements, however many projects and entries the year has: the entries summed per
    kind, account pair and project account, and the projects counted per account. Given the
    year's `entries_stamp` as the caller read it, the sums read under that stamp before are
    taken as they were (a year's page of 1.500 entries summed them on every view, issue 19);
    the projects are counted each time (settling one books nothing when it ends even)."""
    rows = KEPT_PROJECT_ACCOUNT_SUMS.get(budget_year_id, stamp) if stamp is not None else None
    if rows is None:
        rows = await Entry.raw(
            _SUMS_PER_PROJECT_ACCOUNT, *[budget_year_id] * (_ENTRIES_OF_YEAR_PLACEHOLDERS + 1)
        )
        if stamp is not None:
            KEPT_PROJECT_ACCOUNT_SUMS.keep(budget_year_id, stamp, rows)
    sums = [
        Sum(
            r["kind"],
            r["account"],
            r["counter_account"],
            r["project_account"],
            int(r["total"] or 0),
        )
        for r in rows
    ]
    groups = {
        r["account"]: ProjectGroup(
            r["account"], int(r["projects"]), int(r["settled"]), int(r["final_cents"] or 0)
        )
        for r in await Project.raw(_PROJECTS_PER_ACCOUNT, budget_year_id)
    }
    # `project_figures` adds the sums up per project key; keyed by the project's account here,
    # it gives the figures of all that account's projects together, by the same rules.
    for account_id, figures in project_figures(sums).items():
        if account_id in groups:
            groups[account_id].figures = figures
    return YearTotals(account_figures(sums), groups)


async def projects_of_account(
    budget_year_id: int, account_id: int, *, page: int = 1, per_page: int = 50
) -> list[dict]:
    """One page of the year's projects on one account, by title."""
    return (
        await Project.select(
            *Project.all_columns(),
            Project.account.name.as_alias("account_name"),
        )
        .where((Project.budget_year == budget_year_id) & (Project.account == account_id))
        .order_by(Project.title, Project.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )


async def figures_of_projects(
    budget_year_id: int, project_ids: list[int]
) -> dict[int, ProjectFigures]:
    """The figures of these projects, as `year_figures` gives them, from one grouped query over
    their entries only."""
    if not project_ids:
        return {}
    one_per_project = ", ".join("{}" for _ in project_ids)  # placeholders, not values
    sql = f"""
SELECT e.kind AS kind, e.project AS project, SUM(e.sign * e.amount_cents) AS total
FROM ledger_entry e
WHERE e.project IN ({one_per_project}) AND {_OF_YEAR}
GROUP BY e.project, e.kind
"""  # noqa: S608
    rows = await Entry.raw(sql, *project_ids, *[budget_year_id] * 3)
    return project_figures(
        Sum(r["kind"], 0, None, r["project"], int(r["total"] or 0)) for r in rows
    )


@compiled()
def projects_of_year_query(budget_year_id: int) -> Select:
    return (
        Project.select(*Project.all_columns(), Project.account.name.as_alias("account_name"))
        .where(Project.budget_year == budget_year_id)
        .order_by(Project.id)
    )


async def projects_of_year(budget_year_id: int) -> list[ProjectRow]:
    return cast("list[ProjectRow]", await projects_of_year_query(budget_year_id))


async def project_row(network_id: int, project_id: int) -> ProjectRow | None:
    row = (
        await Project.select(
            *Project.all_columns(),
            Project.account.name.as_alias("account_name"),
            Project.account.code.as_alias("account_code"),
            Project.budget_year.year.as_alias("year"),
        )
        .where((Project.id == project_id) & (Project.network == network_id))
        .first()
    )
    return cast("ProjectRow | None", row)


async def project_by_proposal(proposal_id: int) -> ProjectRow | None:
    row = await Project.select().where(Project.proposal_id == proposal_id).first()
    return cast("ProjectRow | None", row)


ENTRY_COLUMNS = (
    *Entry.all_columns(),
    Entry.account.name.as_alias("account_name"),
    Entry.counter_account.name.as_alias("counter_account_name"),
    Entry.project.title.as_alias("project_title"),
    Entry.created_by.name.as_alias("created_by_name"),
)


@dataclass(frozen=True)
class EntriesPage:
    """One page of a year's entries with what its filters and marks need."""

    year: dict | None  # None: not a year of this network
    rows: list[EntryRow]
    total: int
    reversed_ids: set[int]  # of the page's entries, those a later reversal corrects
    accounts: list[AccountRow]
    projects: list[ProjectRow]


async def entries_page(
    network_id: int,
    budget_year_id: int,
    *,
    kind: str | None = None,
    project_id: int | None = None,
    account_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> EntriesPage:
    """The entries page of a budget year, in one statement."""
    kind, project_id, account_id = _filters(kind, project_id, account_id)
    offset = (page - 1) * per_page
    read = await together(
        year=year_of_network_query(network_id, budget_year_id),
        rows=entry_rows_query(budget_year_id, kind, project_id, account_id, per_page, offset),
        total=entry_count_query(budget_year_id, kind, project_id, account_id),
        reversed=reversed_of_page_query(
            budget_year_id, kind, project_id, account_id, per_page, offset
        ),
        accounts=accounts_query(budget_year_id),
        projects=projects_of_year_query(budget_year_id),
    )
    return EntriesPage(
        year=read["year"][0] if read["year"] else None,
        rows=cast("list[EntryRow]", read["rows"]),
        total=int(read["total"][0]["n"]),
        reversed_ids={r["reverses"] for r in read["reversed"]},
        accounts=cast("list[AccountRow]", read["accounts"]),
        projects=cast("list[ProjectRow]", read["projects"]),
    )


@compiled()
def year_of_network_query(network_id: int, budget_year_id: int) -> Select:
    return BudgetYear.select().where(
        (BudgetYear.id == budget_year_id) & (BudgetYear.network == network_id)
    )


def _filters(
    kind: str | None, project_id: int | None, account_id: int | None
) -> tuple[str | None, int | None, int | None]:
    """An empty filter (no kind, project 0) is no filter."""
    return kind or None, project_id or None, account_id or None


def _entries_of(
    query: Select,
    budget_year_id: int,
    kind: str | None,
    project_id: int | None,
    account_id: int | None,
) -> Select:
    """The year's entries, filtered (a filter that is None is left out: part of the compiled
    shape, so no truth test on the values)."""
    query = query.where(Entry.budget_year == budget_year_id)
    if kind is not None:
        query = query.where(Entry.kind == kind)
    if project_id is not None:
        query = query.where(Entry.project == project_id)
    if account_id is not None:
        query = query.where((Entry.account == account_id) | (Entry.counter_account == account_id))
    return query


def _newest_first(query: Select, per_page: int, offset: int) -> Select:
    return query.order_by(Entry.id, ascending=False).limit(per_page).offset(offset)


@compiled("per_page", "offset")
def entry_rows_query(
    budget_year_id: int,
    kind: str | None,
    project_id: int | None,
    account_id: int | None,
    per_page: int,
    offset: int,
) -> Select:
    """One page of the year's entries, newest first."""
    query = _entries_of(Entry.select(*ENTRY_COLUMNS), budget_year_id, kind, project_id, account_id)
    return _newest_first(query, per_page, offset)


@compiled()
def entry_count_query(
    budget_year_id: int, kind: str | None, project_id: int | None, account_id: int | None
) -> Select:
    return _entries_of(Entry.select(Count(alias="n")), budget_year_id, kind, project_id, account_id)


@compiled("per_page", "offset")
def reversed_of_page_query(
    budget_year_id: int,
    kind: str | None,
    project_id: int | None,
    account_id: int | None,
    per_page: int,
    offset: int,
) -> Select:
    """Of one page of entries, those a later reversal corrects (their ids)."""
    shown = _entries_of(Entry.select(Entry.id), budget_year_id, kind, project_id, account_id)
    return Entry.select(Entry.reverses).where(
        Entry.reverses.is_in(_newest_first(shown, per_page, offset))
    )


async def entries(
    budget_year_id: int,
    *,
    kind: str | None = None,
    project_id: int | None = None,
    account_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[EntryRow], int]:
    kind, project_id, account_id = _filters(kind, project_id, account_id)
    offset = (page - 1) * per_page
    # Two statements, not one: an export asks for every entry of a year at once.
    rows = await entry_rows_query(budget_year_id, kind, project_id, account_id, per_page, offset)
    count = await entry_count_query(budget_year_id, kind, project_id, account_id)
    return cast("list[EntryRow]", rows), int(count[0]["n"])


async def entry_row(entry_id: int) -> EntryRow | None:
    row = (
        await Entry.select(*ENTRY_COLUMNS, Entry.budget_year.network.as_alias("network"))
        .where(Entry.id == entry_id)
        .first()
    )
    return cast("EntryRow | None", row)


async def is_reversed(entry_id: int) -> bool:
    return await Entry.exists().where(Entry.reverses == entry_id)


async def reversed_entry_ids(entry_ids: list[int]) -> set[int]:
    """Which of these entries a later reversal corrects (one query for a page of entries)."""
    if not entry_ids:
        return set()
    rows = await Entry.select(Entry.reverses).where(Entry.reverses.is_in(entry_ids))
    return {r["reverses"] for r in rows}


async def divided_of_year(budget_year_id: int) -> tuple[dict[int, int], dict[int, int]]:
    """Per project of the year: the total of its parts and of its expert-fee claims."""
    parts = await ProjectPart.raw(
        "SELECT p.project AS project, SUM(p.amount_cents) AS total FROM ledger_project_part p "
        "JOIN ledger_project j ON j.id = p.project WHERE j.budget_year = {} GROUP BY p.project",
        budget_year_id,
    )
    claims = await ExpertClaim.raw(
        "SELECT c.project AS project, SUM(c.amount_cents) AS total FROM ledger_expert_claim c "
        "JOIN ledger_project j ON j.id = c.project WHERE j.budget_year = {} GROUP BY c.project",
        budget_year_id,
    )
    return (
        {r["project"]: int(r["total"]) for r in parts},
        {r["project"]: int(r["total"]) for r in claims},
    )
