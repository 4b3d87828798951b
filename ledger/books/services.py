"""Services of the ledger domain (the only writers), and the reads other domains may use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ledger.books import queries
from ledger.books.booking import EntryDraft, LedgerRefused, book, lock_years
from ledger.books.projects import (
    book_later_part,
    open_project,
    plan_later_part,
    project_changed,
    refuse_outside_spend_window,
    waiting_parts,
    waiting_problem,
)
from ledger.books.rows import ProjectRow
from ledger.books.rules import (
    CONTINUING_LINE,
    ENTRY_KINDS,
    PROCESS_LINES,
    RESERVE_KINDS,
    floor_cents,
    split_by_year,
    year_period,
)
from ledger.books.tables import Account, BudgetYear, Project
from portal.accounts import events
from portal.accounts.principal import Principal
from portal.accounts.rules import format_basis_points
from portal.accounts.tables import GrantBooking, Network
from portal.lib import clock
from portal.lib.db import required, write_transaction
from portal.lib.forms import too_long
from portal.lib.money import format_euros

DEFAULT_ADVANCE_BP = 8000  # 80 % at the grant, the rest after the final amount
__all__ = ["EntryDraft", "LedgerRefused"]

Problems = dict[str, str]
ALREADY_DIVIDED = "Dit jaar is al ingedeeld; wijzig de verdeling met een herschikking."
FIRST_YEAR, LAST_YEAR = 2015, 2100
GRANT_REFERENCE_LIMIT = 200  # the column's length


async def create_budget_year(
    actor: Principal,
    network_id: int,
    year: int | None,
    spuk_amount_cents: int | None,
    grant_reference: str = "",
) -> tuple[int | None, Problems]:
    problems: Problems = {}
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        problems["year"] = f"Vul een jaartal in tussen {FIRST_YEAR} en {LAST_YEAR}."
    if spuk_amount_cents is None or spuk_amount_cents <= 0:
        problems.setdefault("spuk_amount", "Vul het SPUK-bedrag in; het moet groter zijn dan nul.")
    if problem := too_long(grant_reference.strip(), GRANT_REFERENCE_LIMIT):
        problems["grant_reference"] = problem
    if problems:
        return None, problems
    network = required(await Network.select().where(Network.id == network_id).first())
    async with write_transaction():
        if await BudgetYear.exists().where(
            (BudgetYear.network == network_id) & (BudgetYear.year == year)
        ):
            return None, {"year": f"Het begrotingsjaar {year} bestaat al."}
        row = await BudgetYear.insert(
            BudgetYear(
                network=network_id,
                year=year,
                spuk_amount_cents=spuk_amount_cents,
                unforeseen_reserve_bp=network["unforeseen_reserve_bp"],
                themes_reserve_bp=network["themes_reserve_bp"],
                grant_reference=grant_reference.strip(),
            )
        ).returning(BudgetYear.id)
        budget_year_id = row[0]["id"]
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="budget_year_created",
            object_type="budget_year",
            object_id=budget_year_id,
            summary=f"Begrotingsjaar {year} aangemaakt met SPUK-bedrag "
            f"{format_euros(spuk_amount_cents)}",
            details={"year": year, "spuk_amount_cents": spuk_amount_cents},
        )
    return budget_year_id, {}


async def budget_years_of(network_id: int) -> list[dict]:
    return (
        await BudgetYear.select()
        .where(BudgetYear.network == network_id)
        .order_by(BudgetYear.year, ascending=False)
    )


async def budget_year(network_id: int, budget_year_id: int) -> dict | None:
    return (
        await BudgetYear.select()
        .where((BudgetYear.id == budget_year_id) & (BudgetYear.network == network_id))
        .first()
    )


# --- the year's division (set-up) -----------------------------------------------------------


@dataclass(frozen=True)
class SetupInput:
    process_cents: dict[str, int]  # process_a … process_e
    theme_cents: dict[int, int]  # theme id -> guide budget
    theme_names: dict[int, str]
    themes_reserve_cents: int
    learning_cents: int
    unforeseen_cents: int
    unforeseen_reserve_bp: int
    themes_reserve_bp: int
    # For the later years' parts of grants decided in earlier years (ledger/books/projects.py).
    continuing_cents: int = 0
    # The network's names for its process lines a–e this year; missing: Zuid-West's.
    process_names: dict[str, str] = field(default_factory=dict)


def setup_problems(spuk_cents: int, data: SetupInput) -> dict[str, str]:
    """The division must add up to the SPUK amount and leave both reserves at their floors."""
    problems: dict[str, str] = {}
    themes_pot = sum(data.theme_cents.values()) + data.themes_reserve_cents
    total = (
        sum(data.process_cents.values())
        + themes_pot
        + data.learning_cents
        + data.unforeseen_cents
        + data.continuing_cents
    )
    if total != spuk_cents:
        problems["total"] = (
            f"De indeling telt op tot {format_euros(total)}, maar het SPUK-bedrag is "
            f"{format_euros(spuk_cents)} (verschil {format_euros(spuk_cents - total)})."
        )
    unforeseen_floor = floor_cents(spuk_cents, data.unforeseen_reserve_bp)
    if data.unforeseen_cents < unforeseen_floor:
        problems["unforeseen"] = (
            f"Onvoorzien moet minstens {format_euros(unforeseen_floor)} zijn "
            f"({format_basis_points(data.unforeseen_reserve_bp)} % van het jaarbudget)."
        )
    themes_floor = floor_cents(themes_pot, data.themes_reserve_bp)
    if data.themes_reserve_cents < themes_floor:
        problems["themes_reserve_amount"] = (
            f"Onvoorzien binnen de thema's moet minstens {format_euros(themes_floor)} zijn "
            f"({format_basis_points(data.themes_reserve_bp)} % van de thema's samen)."
        )
    return problems


async def set_up_year(
    actor: Principal, network_id: int, budget_year_id: int, data: SetupInput
) -> dict[str, str]:
    year = await budget_year(network_id, budget_year_id)
    if year is None:
        return {"total": "Dit begrotingsjaar bestaat niet in dit netwerk."}
    # Whether the year is divided already is asked inside the transaction below only: a repeat
    # of the same form stops there at its key, and is not told the year "is already divided".
    problems = setup_problems(year["spuk_amount_cents"], data)
    if problems:
        return problems
    plan: list[tuple[str, str, str, int | None, int]] = [
        (
            "process",
            code,
            data.process_names.get(code) or label,
            None,
            data.process_cents.get(code, 0),
        )
        for code, label in PROCESS_LINES.items()
    ]
    plan += [
        ("theme", f"theme_{tid}", data.theme_names[tid], tid, cents)
        for tid, cents in data.theme_cents.items()
    ]
    plan += [
        (
            "themes_reserve",
            "themes_reserve",
            "Onvoorzien binnen de thema's",
            None,
            data.themes_reserve_cents,
        ),
        ("learning", "learning", "Leren en ontwikkelen", None, data.learning_cents),
        ("unforeseen", "unforeseen", "Onvoorzien", None, data.unforeseen_cents),
        (*CONTINUING_LINE[:1], *CONTINUING_LINE, None, data.continuing_cents),
    ]
    async with write_transaction():
        # Asked again with the year locked: of two divisions posted at once only one divides
        # (the unique index on an account's year and code says the same to any other writer).
        await lock_years([budget_year_id])
        if await Account.exists().where(Account.budget_year == budget_year_id):
            return {"total": ALREADY_DIVIDED}
        waiting = await waiting_parts(network_id, year["year"])
        if problem := waiting_problem(waiting, data.continuing_cents):
            return {"continuing": problem}
        await BudgetYear.update(
            {
                BudgetYear.unforeseen_reserve_bp: data.unforeseen_reserve_bp,
                BudgetYear.themes_reserve_bp: data.themes_reserve_bp,
            }
        ).where(BudgetYear.id == budget_year_id)
        drafts = []
        continuing_id = 0
        for position, (kind, code, name, theme_id, cents) in enumerate(plan):
            row = await Account.insert(
                Account(
                    budget_year=budget_year_id,
                    kind=kind,
                    code=code,
                    name=name,
                    theme_id=theme_id,
                    position=position,
                )
            ).returning(Account.id)
            if kind == CONTINUING_LINE[0]:
                continuing_id = row[0]["id"]
            if cents:
                drafts.append(
                    EntryDraft(
                        "budget",
                        row[0]["id"],
                        cents,
                        reason="Opening uit de SPUK-beschikking",
                        document_reference=year["grant_reference"],
                    )
                )
        await book(
            actor,
            budget_year_id,
            drafts,
            network_id=network_id,
            summary=f"Begroting {year['year']} ingedeeld: "
            f"{format_euros(year['spuk_amount_cents'])}",
        )
        for part in waiting:
            await book_later_part(
                actor, part["id"], budget_year_id, continuing_id, clock.now().date()
            )
    return {}


# --- grants, payments, corrections ----------------------------------------------------------


async def theme_account(budget_year_id: int, theme_id: int) -> dict | None:
    return (
        await Account.select()
        .where((Account.budget_year == budget_year_id) & (Account.theme_id == theme_id))
        .first()
    )


async def commit_grant(
    actor: Principal,
    *,
    network_id: int,
    budget_year_id: int,
    theme_id: int,
    proposal_id: int | None,
    title: str,
    region_id: int | None,
    start_date: dt.date | None,
    end_date: dt.date | None,
    amount_cents: int,
    decision_reference: str,
    decision_date: dt.date,
    advance_bp: int = DEFAULT_ADVANCE_BP,
    requested_by_year: dict[int, int] | None = None,
) -> int:
    """Book the commitment of a grant decision; call inside the decision's transaction.

    `requested_by_year`: what the proposal's budget asks per year. Where the network commits
    each year's part in that year's budget, a grant over several years gets a project per year
    (ledger/books/projects.py); the grant year's is returned."""
    account = await theme_account(budget_year_id, theme_id)
    if account is None:
        raise LedgerRefused(
            "Het begrotingsjaar van deze ronde is nog niet ingedeeld, of het thema heeft geen "
            "post in de begroting. Deel eerst de begroting in (Begroting → Indelen)."
        )
    async with write_transaction():
        grant_year = required(
            await BudgetYear.select(BudgetYear.year).where(BudgetYear.id == budget_year_id).first()
        )["year"]
        booking = required(
            await Network.select(Network.grant_booking).where(Network.id == network_id).first()
        )["grant_booking"]
        # A proposal is granted once; a grant without a proposal is always a new project.
        existing = (
            await Project.select(Project.id).where(Project.proposal_id == proposal_id).first()
            if proposal_id is not None
            else None
        )
        parts = (
            split_by_year(amount_cents, requested_by_year, grant_year)
            if requested_by_year and booking == GrantBooking.per_year and not existing
            else {grant_year: amount_cents}
        )
        last_year = max(parts)
        periods = {
            year: year_period(start_date, end_date, year, grant_year, last_year) for year in parts
        }
        own_start, own_end = periods[grant_year]
        await refuse_outside_spend_window(budget_year_id, own_end)
        if existing:
            project_id = existing["id"]
        else:
            project_id = await open_project(
                Project(
                    budget_year=budget_year_id,
                    account=account["id"],
                    proposal_id=proposal_id,
                    network=network_id,
                    title=title,
                    region_id=region_id,
                    start_date=own_start,
                    end_date=own_end,
                    advance_bp=advance_bp,
                    decision_reference=decision_reference,
                    decision_date=decision_date,
                ),
                own_start or decision_date,
                own_end or decision_date,
            )
        await book(
            actor,
            budget_year_id,
            [
                EntryDraft(
                    "commitment",
                    account["id"],
                    parts[grant_year],
                    project_id=project_id,
                    reason=f"Verleningsbeschikking {title}",
                    document_reference=decision_reference,
                )
            ],
            network_id=network_id,
            summary=f"Verplichting {format_euros(parts[grant_year])} voor {title}",
            object_type="project",
            object_id=project_id,
            booked_on=decision_date,
        )
        for year, cents in parts.items():
            if year != grant_year:
                await plan_later_part(actor, project_id, network_id, year, cents, periods[year])
        await project_changed(project_id)
    return project_id


async def pay(
    actor: Principal,
    project: ProjectRow,
    kind: str,
    amount_cents: int,
    document_reference: str,
    reason: str = "",
) -> None:
    if kind not in ("advance_payment", "final_payment"):
        raise LedgerRefused("Kies voorschot of nabetaling.")
    label = "Voorschot" if kind == "advance_payment" else "Nabetaling"
    await book(
        actor,
        project["budget_year"],
        [
            EntryDraft(
                kind,
                project["account"],
                amount_cents,
                project_id=project["id"],
                reason=reason or f"{label} {project['title']}",
                document_reference=document_reference,
            )
        ],
        network_id=project["network"],
        summary=f"{label} van {format_euros(amount_cents)} aan {project['title']}",
        object_type="project",
        object_id=project["id"],
    )


async def move(
    actor: Principal,
    network_id: int,
    budget_year_id: int,
    kind: str,
    from_account: int,
    to_account: int,
    amount_cents: int,
    reason: str,
    document_reference: str,
) -> None:
    """A transfer between lines (herschikking), a reserve release (inzet onvoorzien) or a
    carry-over into another year's line."""
    if not reason.strip():
        raise LedgerRefused("Geef de reden van deze boeking.")
    source = await queries.account_row(from_account)
    target = await queries.account_row(to_account)
    if (
        source is None
        or target is None
        or source["network"] != network_id
        or (target["network"] != network_id)
    ):
        raise LedgerRefused("Kies posten van dit netwerk.")
    if source["budget_year"] != budget_year_id:
        raise LedgerRefused("De post waar het geld vandaan komt hoort niet bij dit jaar.")
    if kind == "carry_over" and target["budget_year"] == budget_year_id:
        raise LedgerRefused("Overhevelen gaat naar een post van een ander jaar.")
    if kind in ("transfer", "reserve_release") and target["budget_year"] != budget_year_id:
        raise LedgerRefused("Een herschikking blijft binnen het jaar; gebruik overhevelen.")
    if kind == "reserve_release" and source["kind"] not in RESERVE_KINDS:
        raise LedgerRefused("Een inzet onvoorzien komt uit een van de twee reserves.")
    await book(
        actor,
        budget_year_id,
        [
            EntryDraft(
                kind,
                to_account,
                amount_cents,
                counter_account_id=from_account,
                reason=reason,
                document_reference=document_reference,
            )
        ],
        network_id=network_id,
        summary=f"{ENTRY_KINDS[kind]}: {format_euros(amount_cents)} van {source['name']} "
        f"naar {target['name']}",
    )


async def reverse(
    actor: Principal,
    network_id: int,
    entry_id: int,
    reason: str,
    *,
    budget_year_id: int | None = None,
) -> None:
    """Book the reversal of an entry of this network (and, given, of this budget year: the
    year in the address the form was sent from)."""
    # One transaction from the first question on: a repeat of the same form stops at its key
    # before anything is asked, and whether the entry was corrected already is decided in
    # `book` with the year locked.
    async with write_transaction():
        entry = await queries.entry_row(entry_id)
        if entry is None or entry["network"] != network_id:
            raise LedgerRefused("Deze boeking bestaat niet.")
        if budget_year_id is not None and entry["budget_year"] != budget_year_id:
            raise LedgerRefused("Deze boeking hoort niet bij dit begrotingsjaar.")
        if entry["reverses"] is not None:
            raise LedgerRefused(
                "Een correctieboeking kan niet zelf worden gecorrigeerd; boek opnieuw."
            )
        await book(
            actor,
            entry["budget_year"],
            [
                EntryDraft(
                    entry["kind"],
                    entry["account"],
                    entry["amount_cents"],
                    counter_account_id=entry["counter_account"],
                    project_id=entry["project"],
                    reason=reason,
                    document_reference=entry["document_reference"],
                    sign=-entry["sign"],
                    reverses=entry_id,
                    period_year=entry["period_year"],
                )
            ],
            network_id=network_id,
            summary=f"Correctie van boeking {entry_id} ({ENTRY_KINDS[entry['kind']].lower()}, "
            f"{format_euros(entry['amount_cents'])}): {reason.strip()}",
        )


async def set_advance_share(actor: Principal, project: ProjectRow, advance_bp: int) -> None:
    if not 0 <= advance_bp <= 10_000:
        raise LedgerRefused("Kies een voorschotpercentage tussen 0 en 100.")
    async with write_transaction():
        await Project.update({Project.advance_bp: advance_bp}).where(Project.id == project["id"])
        await events.record(
            actor_id=actor.user_id,
            network_id=project["network"],
            action="advance_share_set",
            object_type="project",
            object_id=project["id"],
            summary=f"Voorschotpercentage gewijzigd naar {format_basis_points(advance_bp)} %",
        )
