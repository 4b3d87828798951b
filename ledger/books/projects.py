"""Opening a project in the books, and the later years of a multi-year grant (DESIGN §2.10).

A grant whose budget runs over several years commits each year's part in that year's budget
(unless its network books everything in the grant year: `Network.grant_booking`). The grant
year's project carries the proposal, the letter and the projectenbank entry; each later year
gets a project of its own in that year's books, on the year's line for continuing grants, with
its own report and settlement, pointing back with `grant_of`. A later year that is not divided
yet keeps its part as a `LaterYearPart` until it is: dividing the year books it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from ledger.books.booking import EntryDraft, LedgerRefused, book
from ledger.books.deadlines import report_schedule
from ledger.books.rules import CONTINUING_LINE, spend_window_problem
from ledger.books.tables import (
    Account,
    AccountKind,
    BudgetYear,
    EntryKind,
    LaterYearPart,
    Project,
    Report,
)
from portal.accounts.principal import Principal
from portal.lib import clock
from portal.lib.money import format_euros

# The projects layer keeps rows derived from a project (its projectenbank entry) in step. It
# sits above this module, so it registers here at start-up (portal/app.register_domain_hooks)
# instead of being imported; each hook runs inside the transaction that changed the project.
PROJECT_CHANGED: list[Callable[[int], Awaitable[None]]] = []


def on_project_changed(hook: Callable[[int], Awaitable[None]]) -> None:
    if hook not in PROJECT_CHANGED:
        PROJECT_CHANGED.append(hook)


async def project_changed(project_id: int) -> None:
    for hook in PROJECT_CHANGED:
        await hook(project_id)


async def refuse_outside_spend_window(budget_year_id: int, end_date: dt.date | None) -> None:
    """Inside the transaction that commits money of a year: a project must end within the
    year's spending window."""
    year = (
        await BudgetYear.select(BudgetYear.year, BudgetYear.spend_until)
        .where(BudgetYear.id == budget_year_id)
        .first()
    )
    if year is not None:
        problem = spend_window_problem(end_date, year["spend_until"], year["year"])
        if problem:
            raise LedgerRefused(problem)


async def open_project(project: Project, report_from: dt.date, report_to: dt.date) -> int:
    """Insert the project with a report due for each calendar year of its period (inside the
    caller's transaction)."""
    row = await Project.insert(project).returning(Project.id)
    project_id: int = row[0]["id"]
    for due in report_schedule(report_from, report_to):
        await Report.insert(
            Report(project=project_id, year=due.year, due_date=due.due_date, final=due.final)
        )
    return project_id


async def continuing_account(network_id: int, year: int) -> tuple[int, int] | None:
    """(budget year id, account id) of the line for continuing grants of the network's budget
    year `year`, when that year exists and is divided."""
    row = (
        await Account.select(Account.id, Account.budget_year)
        .where(
            (Account.budget_year.network == network_id)
            & (Account.budget_year.year == year)
            & (Account.kind == AccountKind.continuing)
        )
        .first()
    )
    return (row["budget_year"], row["id"]) if row else None


async def plan_later_part(
    actor: Principal,
    first_project_id: int,
    network_id: int,
    year: int,
    amount_cents: int,
    period: tuple[dt.date | None, dt.date | None],
) -> None:
    """Record a later year's part of a new grant and book it if that year is divided."""
    row = await LaterYearPart.insert(
        LaterYearPart(
            project=first_project_id,
            year=year,
            amount_cents=amount_cents,
            start_date=period[0],
            end_date=period[1],
        )
    ).returning(LaterYearPart.id)
    target = await continuing_account(network_id, year)
    if target is not None:
        try:
            await book_later_part(actor, row[0]["id"], *target, booked_on=None)
        except LedgerRefused as error:
            raise LedgerRefused(
                f"Het deel {year} van deze toekenning ({format_euros(amount_cents)}) past niet in "
                f"de begroting {year}: {error} Herschik in {year} geld naar "
                f"'{CONTINUING_LINE[1]}', of ken minder toe."
            ) from error


async def book_later_part(
    actor: Principal | None,
    part_id: int,
    budget_year_id: int,
    account_id: int,
    booked_on: dt.date | None,
) -> int:
    """Open the later year's project of the grant and commit its part on the year's line for
    continuing grants; the books refuse it when that line has no room."""
    part = await LaterYearPart.select().where(LaterYearPart.id == part_id).first()
    assert part is not None  # just written, or read by the caller in this transaction
    first = await Project.select().where(Project.id == part["project"]).first()
    assert first is not None  # on_delete restrict
    await refuse_outside_spend_window(budget_year_id, part["end_date"])
    fallback = dt.date(part["year"], 1, 1)
    project_id = await open_project(
        Project(
            budget_year=budget_year_id,
            account=account_id,
            proposal_id=None,
            grant_of=first["id"],
            network=first["network"],
            title=first["title"],
            region_id=first["region_id"],
            recipient=first["recipient"],
            recipient_organisation=first["recipient_organisation"],
            recipient_kvk=first["recipient_kvk"],
            decided_by=first["decided_by"],
            start_date=part["start_date"],
            end_date=part["end_date"],
            advance_bp=first["advance_bp"],
            decision_reference=first["decision_reference"],
            decision_date=first["decision_date"],
        ),
        part["start_date"] or fallback,
        part["end_date"] or fallback,
    )
    await book(
        actor,
        budget_year_id,
        [
            EntryDraft(
                EntryKind.commitment,
                account_id,
                part["amount_cents"],
                project_id=project_id,
                reason=f"Verleningsbeschikking {first['title']}, deel {part['year']}",
                document_reference=first["decision_reference"],
            )
        ],
        network_id=first["network"],
        summary=f"Verplichting {format_euros(part['amount_cents'])} voor {first['title']} "
        f"(deel {part['year']} van een meerjarige toekenning)",
        object_type="project",
        object_id=project_id,
        booked_on=booked_on or first["decision_date"] or clock.now().date(),
    )
    await LaterYearPart.update({LaterYearPart.booked_project: project_id}).where(
        LaterYearPart.id == part_id
    )
    await project_changed(first["id"])
    return project_id


async def waiting_parts(network_id: int, year: int) -> list[dict]:
    """The later years' parts for budget year `year` of the network that wait for its
    division, oldest first."""
    return await (
        LaterYearPart.select(
            LaterYearPart.id,
            LaterYearPart.amount_cents,
            LaterYearPart.project.title.as_alias("title"),
        )
        .where(
            (LaterYearPart.project.network == network_id)
            & (LaterYearPart.year == year)
            & LaterYearPart.booked_project.is_null()
        )
        .order_by(LaterYearPart.id)
    )


def waiting_problem(waiting: list[dict], continuing_cents: int) -> str | None:
    """Why a division cannot hold the parts waiting for it, in Dutch; None when it can."""
    needed = sum(p["amount_cents"] for p in waiting)
    if continuing_cents >= needed:
        return None
    return (
        f"Uit eerdere jaren wachten {len(waiting)} meerjarige toekenning(en) op dit jaar: deel "
        f"voor '{CONTINUING_LINE[1]}' minstens {format_euros(needed)} in."
    )


async def later_parts_of(project_id: int) -> list[dict]:
    """The later years of a grant, by year, with the project each one was booked as."""
    return await (
        LaterYearPart.select()
        .where(LaterYearPart.project == project_id)
        .order_by(LaterYearPart.year)
    )
