"""The one way money moves: `book` inserts entries and checks every invariant of the years they
touch in the same transaction, so a write that would break one is refused and nothing stays.

Concurrency: on PostgreSQL the budget-year rows are locked (SELECT … FOR UPDATE) before the
check, so two coordinators booking at once are serialised per year; on SQLite the write
transaction is IMMEDIATE, which serialises all writers.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from ledger.books import queries
from ledger.books.rules import ENTRY_KINDS, division_violations, violations
from ledger.books.tables import Account, BudgetYear, Entry, Project
from portal.accounts import events
from portal.accounts.principal import Principal
from portal.lib import clock
from portal.lib.db import is_sqlite, write_transaction
from portal.lib.forms import too_long
from portal.lib.money import format_euros
from portal.lib.refusals import Refused


class LedgerRefused(Refused):
    """str() is the Dutch explanation: the rule and the figures."""


REASON_LIMIT = 2000  # an entry's reason
REFERENCE_LIMIT = 200  # an entry's document reference: the column's length


@dataclass(frozen=True)
class EntryDraft:
    kind: str
    account_id: int
    amount_cents: int
    counter_account_id: int | None = None
    project_id: int | None = None
    reason: str = ""
    document_reference: str = ""
    sign: int = 1
    reverses: int | None = None
    period_year: int | None = None  # the year it belongs to; the booking's year when None


def _validate(draft: EntryDraft) -> None:
    if draft.kind not in ENTRY_KINDS:
        raise LedgerRefused(f"Onbekende soort boeking: {draft.kind}.")
    if not isinstance(draft.amount_cents, int) or draft.amount_cents <= 0:
        raise LedgerRefused("Een bedrag moet groter zijn dan nul.")
    if draft.kind == "reserve_release" and not (
        draft.reason.strip() and draft.document_reference.strip()
    ):
        raise LedgerRefused("Een inzet onvoorzien heeft een reden en een besluitkenmerk nodig.")
    if draft.reverses is not None and not draft.reason.strip():
        raise LedgerRefused("Een correctieboeking heeft een reden nodig.", field="reason")
    if draft.kind in ("advance_payment", "final_payment", "recovery", "realised") and (
        draft.project_id is None
    ):
        raise LedgerRefused("Betalingen, terugvorderingen en bestedingen horen bij een project.")
    if draft.kind in ("transfer", "reserve_release", "carry_over") and (
        draft.counter_account_id is None or draft.counter_account_id == draft.account_id
    ):
        raise LedgerRefused(
            "Kies twee verschillende posten: waar het geld vandaan komt en waar het heen gaat."
        )


async def lock_years(year_ids: list[int]) -> None:
    """Inside a write transaction: serialise the writers of these budget years."""
    if is_sqlite():
        return  # the IMMEDIATE transaction already holds the write lock
    for year_id in sorted(set(year_ids)):
        await Entry.raw("SELECT id FROM budget_year WHERE id = {} FOR UPDATE", year_id)


async def book(
    actor: Principal | None,
    budget_year_id: int,
    drafts: list[EntryDraft],
    *,
    network_id: int,
    summary: str,
    object_type: str = "budget_year",
    object_id: int | None = None,
    booked_on: dt.date | None = None,
) -> list[int]:
    for draft in drafts:
        _validate(draft)
    account_ids = {d.account_id for d in drafts} | {
        d.counter_account_id for d in drafts if d.counter_account_id
    }
    async with write_transaction():
        accounts = await Account.select(Account.id, Account.budget_year).where(
            Account.id.is_in(list(account_ids))
        )
        years = {a["budget_year"] for a in accounts}
        if len(accounts) != len(account_ids):
            raise LedgerRefused("Een van de gekozen posten bestaat niet.")
        if budget_year_id not in years:
            raise LedgerRefused("De boeking hoort niet bij dit begrotingsjaar.")
        await lock_years(list(years))
        # Decided with the years locked, so that two corrections of one entry cannot both
        # pass (the unique index on `reverses` says the same to any other writer).
        for draft in drafts:
            if draft.reverses is not None and await Entry.exists().where(
                Entry.reverses == draft.reverses
            ):
                raise LedgerRefused("Deze boeking is al gecorrigeerd.")
        project_ids = {d.project_id for d in drafts if d.project_id is not None}
        if project_ids:
            projects = {
                p["id"]: p
                for p in await Project.select(Project.id, Project.account).where(
                    Project.id.is_in(list(project_ids))
                )
            }
            for draft in drafts:
                if draft.project_id is None:
                    continue
                project = projects.get(draft.project_id)
                if project is None or project["account"] != draft.account_id:
                    # A project's money moves on its own line, or its figures would lie.
                    raise LedgerRefused(
                        "Een boeking voor een project hoort op de post van dat project."
                    )
        for draft in drafts:
            # Never cut: a reason or reference over its limit is refused (the forms say so on
            # the field first; this holds for every other way into the books).
            if problem := too_long(draft.reason.strip(), REASON_LIMIT):
                raise LedgerRefused(f"Reden: {problem}", field="reason")
            if problem := too_long(draft.document_reference.strip(), REFERENCE_LIMIT):
                raise LedgerRefused(f"Kenmerk: {problem}", field="document_reference")
        ids = []
        for draft in drafts:
            row = await Entry.insert(
                Entry(
                    budget_year=budget_year_id,
                    kind=draft.kind,
                    account=draft.account_id,
                    counter_account=draft.counter_account_id,
                    project=draft.project_id,
                    amount_cents=draft.amount_cents,
                    sign=draft.sign,
                    reverses=draft.reverses,
                    reason=draft.reason.strip(),
                    document_reference=draft.document_reference.strip(),
                    booked_on=booked_on or clock.now().date(),
                    period_year=draft.period_year or (booked_on or clock.now().date()).year,
                    created_by=actor.user_id if actor else None,
                    created_at=clock.now(),
                )
            ).returning(Entry.id)
            ids.append(row[0]["id"])
        await BudgetYear.update({BudgetYear.entries_stamp: secrets.randbits(62)}).where(
            BudgetYear.id.is_in(sorted(years))
        )
        for year_id in sorted(years):
            await check_year(year_id)
        await events.record(
            actor_id=actor.user_id if actor else None,
            network_id=network_id,
            action="ledger_booked",
            object_type=object_type,
            object_id=object_id if object_id is not None else budget_year_id,
            summary=summary,
            details={"entries": ids, "total_cents": sum(d.sign * d.amount_cents for d in drafts)},
        )
    return ids


async def check_year(budget_year_id: int) -> None:
    """Raise LedgerRefused when the year's entries break an invariant (inside the transaction)."""
    info = await queries.year_info(budget_year_id)
    accounts, projects = await queries.year_figures(budget_year_id)
    titles = {}
    if projects:
        rows = await Project.select(Project.id, Project.title).where(
            Project.id.is_in(list(projects))
        )
        titles = {r["id"]: r["title"] for r in rows}
    problems = violations(info, accounts, projects, titles)
    parts, claims = await queries.divided_of_year(budget_year_id)
    if parts or claims:
        if not titles:
            titles = {
                r["id"]: r["title"]
                for r in await Project.select(Project.id, Project.title).where(
                    Project.budget_year == budget_year_id
                )
            }
        problems += division_violations(projects, parts, claims, titles)
    if problems:
        raise LedgerRefused(" ".join(problems) + " Er is niets geboekt.")


def money_phrase(cents: int) -> str:
    return format_euros(cents)
