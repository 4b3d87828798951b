"""Reads of the ledger: balances are SQL sums over the entries, never stored running totals."""

from __future__ import annotations

from ledger.rules import AccountInfo, Sum, YearInfo, account_figures, project_figures
from ledger.tables import Account, BudgetYear, Entry, Project

# Entries of a year: booked in it, or moving money into or out of one of its accounts.
_SUMS = """
SELECT e.kind AS kind, e.account AS account, e.counter_account AS counter_account,
       e.project AS project, SUM(e.sign * e.amount_cents) AS total
FROM ledger_entry e
WHERE e.budget_year = {}
   OR e.account IN (SELECT a.id FROM ledger_account a WHERE a.budget_year = {})
   OR e.counter_account IN (SELECT a.id FROM ledger_account a WHERE a.budget_year = {})
GROUP BY e.kind, e.account, e.counter_account, e.project
"""


async def sums_of_year(budget_year_id: int) -> list[Sum]:
    rows = await Entry.raw(_SUMS, budget_year_id, budget_year_id, budget_year_id)
    return [
        Sum(r["kind"], r["account"], r["counter_account"], r["project"], int(r["total"] or 0))
        for r in rows
    ]


async def year_info(budget_year_id: int) -> YearInfo:
    year = await BudgetYear.select().where(BudgetYear.id == budget_year_id).first()
    accounts = await accounts_of(budget_year_id)
    return YearInfo(
        spuk_cents=year["spuk_amount_cents"],
        unforeseen_reserve_bp=year["unforeseen_reserve_bp"],
        themes_reserve_bp=year["themes_reserve_bp"],
        accounts=tuple(AccountInfo(a["id"], a["kind"], a["name"]) for a in accounts),
    )


async def accounts_of(budget_year_id: int) -> list[dict]:
    return (
        await Account.select()
        .where(Account.budget_year == budget_year_id)
        .order_by(Account.position)
    )


async def account_row(account_id: int) -> dict | None:
    return (
        await Account.select(
            Account.all_columns(),
            Account.budget_year.network.as_alias("network"),
            Account.budget_year.year.as_alias("year"),
        )
        .where(Account.id == account_id)
        .first()
    )


async def year_figures(budget_year_id: int):
    sums = await sums_of_year(budget_year_id)
    return account_figures(sums), project_figures(sums)


async def projects_of_year(budget_year_id: int) -> list[dict]:
    return (
        await Project.select(
            Project.all_columns(),
            Project.account.name.as_alias("account_name"),
        )
        .where(Project.budget_year == budget_year_id)
        .order_by(Project.id)
    )


async def project_row(network_id: int, project_id: int) -> dict | None:
    return (
        await Project.select(
            Project.all_columns(),
            Project.account.name.as_alias("account_name"),
            Project.budget_year.year.as_alias("year"),
        )
        .where((Project.id == project_id) & (Project.network == network_id))
        .first()
    )


async def project_by_proposal(proposal_id: int) -> dict | None:
    return await Project.select().where(Project.proposal_id == proposal_id).first()


ENTRY_COLUMNS = (
    Entry.all_columns(),
    Entry.account.name.as_alias("account_name"),
    Entry.counter_account.name.as_alias("counter_account_name"),
    Entry.project.title.as_alias("project_title"),
    Entry.created_by.name.as_alias("created_by_name"),
)


async def entries(
    budget_year_id: int,
    *,
    kind: str | None = None,
    project_id: int | None = None,
    account_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[dict], int]:
    def scoped(query):
        query = query.where(Entry.budget_year == budget_year_id)
        if kind:
            query = query.where(Entry.kind == kind)
        if project_id:
            query = query.where(Entry.project == project_id)
        if account_id:
            query = query.where(
                (Entry.account == account_id) | (Entry.counter_account == account_id)
            )
        return query

    rows = (
        await scoped(Entry.select(*ENTRY_COLUMNS))
        .order_by(Entry.id, ascending=False)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return rows, await scoped(Entry.count())


async def entry_row(entry_id: int) -> dict | None:
    return (
        await Entry.select(*ENTRY_COLUMNS, Entry.budget_year.network.as_alias("network"))
        .where(Entry.id == entry_id)
        .first()
    )


async def is_reversed(entry_id: int) -> bool:
    return await Entry.exists().where(Entry.reverses == entry_id)


async def reversed_entry_ids(entry_ids: list[int]) -> set[int]:
    """Which of these entries a later reversal corrects (one query for a page of entries)."""
    if not entry_ids:
        return set()
    rows = await Entry.select(Entry.reverses).where(Entry.reverses.is_in(entry_ids))
    return {r["reverses"] for r in rows}
