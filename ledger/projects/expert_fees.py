"""Expert fees (vacatiegeldregeling, process line d): the hours experts give to the network,
claimed per expert and date at the scheme's hourly rate, and paid in batches.

The scheme is a direct allocation on line d (`allocations.allocate`), with its hourly rate set
on it. Claims add up to at most the scheme's commitment, which the ledger keeps within the line;
a batch books what the open claims add up to as spent and paid in one go."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import cast

from litestar.datastructures import FormMultiDict

from ledger.books.booking import EntryDraft, LedgerRefused, book
from ledger.books.queries import figures_of_projects
from ledger.books.rows import ProjectRow
from ledger.books.rules import ProjectFigures
from ledger.books.tables import EntryKind, ExpertClaim, Project
from portal.accounts import events
from portal.accounts.principal import Principal
from portal.lib.db import lock_row, write_transaction
from portal.lib.forms import date_field, money_field, text
from portal.lib.money import format_euros

FEE_LINE = "process_d"  # d. Uren in te zetten experts (vacatiegeldregeling)
MAX_MINUTES = 24 * 60  # a claim is the work of one day
_HOURS = re.compile(r"(\d{1,2})(?:,(\d{1,2}))?", re.ASCII)


@dataclass(frozen=True)
class ClaimInput:
    expert_name: str
    work_date: dt.date
    minutes: int
    description: str


def fee_cents(minutes: int, rate_cents: int) -> int:
    """Hours × rate, to the cent, half a cent up: an expert is never paid a cent short."""
    return (minutes * rate_cents + 30) // 60


def format_hours(minutes: int) -> str:
    """90 -> '1,5'. Claims hold whole hundredths of an hour (`parse_minutes`), so this is
    exact; other minutes are shown as hours and minutes."""
    if minutes * 100 % 60:
        return f"{minutes // 60}:{minutes % 60:02d}"
    hours, hundredths = divmod(minutes * 100 // 60, 100)
    return f"{hours},{hundredths:02d}".rstrip("0").rstrip(",")


def parse_minutes(raw: str) -> int | None:
    """'1,5' -> 90. Hours with at most two decimals that make whole minutes; None otherwise."""
    match = _HOURS.fullmatch(raw.strip().replace(".", ","))
    if not match:
        return None
    whole, fraction = match.group(1), match.group(2) or "0"
    hundredths = int(whole) * 100 + int(fraction.ljust(2, "0"))
    if hundredths * 60 % 100:
        return None
    return hundredths * 60 // 100


def parse_claim(form: FormMultiDict, today: dt.date) -> tuple[ClaimInput | None, dict[str, str]]:
    errors: dict[str, str] = {}
    name = text(form, "expert_name", 200, errors)
    if not name:
        errors["expert_name"] = "Vul de naam van de expert in."
    work_date = date_field(form, "work_date", errors, "Vul de datum van het werk in.")
    if work_date and work_date > today:
        errors["work_date"] = "Declareer uren pas als ze gewerkt zijn."
    minutes = parse_minutes(text(form, "hours"))
    if minutes is None or not 0 < minutes <= MAX_MINUTES:
        errors["hours"] = (
            "Vul het aantal uren in, meer dan 0 en hoogstens 24, bijvoorbeeld 3 of 1,5 "
            "(in hele minuten)."
        )
    description = text(form, "description", 500, errors)
    if not description:
        errors["description"] = (
            "Beschrijf het werk, bijvoorbeeld 'Consultatie expertteam Haaglanden'."
        )
    if errors or work_date is None or minutes is None:
        return None, errors
    return ClaimInput(name, work_date, minutes, description), {}


def parse_rate(form: FormMultiDict) -> tuple[int | None, dict[str, str]]:
    errors: dict[str, str] = {}
    cents = money_field(form, "fee_rate", errors, positive=True)
    return (None, errors) if errors else (cents, {})


async def scheme(network_id: int, project_id: int) -> ProjectRow | None:
    """The project, if it is an allocation on the fee line of this network."""
    row = await (
        Project.select(*Project.all_columns(), Project.account.code.as_alias("account_code"))
        .where(
            (Project.id == project_id)
            & (Project.network == network_id)
            & (Project.account.code == FEE_LINE)
        )
        .first()
    )
    return cast("ProjectRow | None", row)


async def claims_of(project_id: int) -> list[dict]:
    return await (
        ExpertClaim.select()
        .where(ExpertClaim.project == project_id)
        .order_by(ExpertClaim.work_date, ExpertClaim.id)
    )


def open_total(claims: list[dict]) -> int:
    return sum(c["amount_cents"] for c in claims if c["paid_by"] is None)


async def _locked_scheme(network_id: int, project_id: int) -> ProjectRow:
    """Inside a write transaction: the scheme, with its claims' writers queued behind us, so
    that two claims cannot both fit in the room only one of them has."""
    await lock_row(Project, project_id)
    found = await scheme(network_id, project_id)
    if found is None:
        raise LedgerRefused("Dit project is geen vacatiegeldregeling van dit netwerk.")
    if found["settled_on"] is not None:
        raise LedgerRefused("Deze regeling is vastgesteld; er kan niets meer bij.")
    return found


async def figures_of(project: ProjectRow) -> ProjectFigures:
    figures = await figures_of_projects(project["budget_year"], [project["id"]])
    return figures.get(project["id"], ProjectFigures())


async def set_rate(actor: Principal, network_id: int, project_id: int, rate_cents: int) -> None:
    async with write_transaction():
        project = await _locked_scheme(network_id, project_id)
        await Project.update({Project.fee_rate_cents: rate_cents}).where(Project.id == project_id)
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="fee_rate_set",
            object_type="project",
            object_id=project_id,
            summary=f"Uurtarief vacatiegeld {project['title']}: {format_euros(rate_cents)}",
        )


async def add_claim(actor: Principal, network_id: int, project_id: int, claim: ClaimInput) -> int:
    async with write_transaction():
        project = await _locked_scheme(network_id, project_id)
        rate = project["fee_rate_cents"]
        if rate is None:
            raise LedgerRefused("Stel eerst het uurtarief van de regeling in.")
        amount = fee_cents(claim.minutes, rate)
        claimed = sum(c["amount_cents"] for c in await claims_of(project_id))
        committed = (await figures_of(project)).committed
        if claimed + amount > committed:
            raise LedgerRefused(
                f"Deze declaratie ({format_euros(amount)}) past niet in de regeling: "
                f"toegewezen {format_euros(committed)}, al gedeclareerd "
                f"{format_euros(claimed)}, ruimte {format_euros(committed - claimed)}."
            )
        row = await ExpertClaim.insert(
            ExpertClaim(
                project=project_id,
                expert_name=claim.expert_name,
                work_date=claim.work_date,
                minutes=claim.minutes,
                rate_cents=rate,
                amount_cents=amount,
                description=claim.description,
                created_by=actor.user_id,
            )
        ).returning(ExpertClaim.id)
        claim_id: int = row[0]["id"]
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="fee_claim_added",
            object_type="project",
            object_id=project_id,
            summary=(
                f"Vacatiegeld {claim.expert_name}, {format_hours(claim.minutes)} uur: "
                f"{format_euros(amount)}"
            ),
        )
    return claim_id


async def pay_open_claims(
    actor: Principal, network_id: int, project_id: int, document_reference: str
) -> tuple[int, int]:
    """Pay every open claim of the scheme as one batch: the total is booked as spent and as
    paid, and each claim points at the payment. Returns (number of claims, total)."""
    if not document_reference:
        raise LedgerRefused("Vul het kenmerk van de betaalopdracht in.")
    async with write_transaction():
        project = await _locked_scheme(network_id, project_id)
        open_claims = [c for c in await claims_of(project_id) if c["paid_by"] is None]
        if not open_claims:
            raise LedgerRefused("Er zijn geen openstaande declaraties.")
        total = sum(c["amount_cents"] for c in open_claims)
        reason = f"Vacatiegeld: {len(open_claims)} declaratie(s)"
        # The spending belongs to the year the work was done; the payment is one.
        by_year: dict[int, int] = {}
        for c in open_claims:
            by_year[c["work_date"].year] = by_year.get(c["work_date"].year, 0) + c["amount_cents"]
        *_, payment = await book(
            actor,
            project["budget_year"],
            [
                *(
                    EntryDraft(
                        EntryKind.realised,
                        project["account"],
                        cents,
                        project_id=project_id,
                        reason=f"{reason}, werk in {year}",
                        document_reference=document_reference,
                        period_year=year,
                    )
                    for year, cents in sorted(by_year.items())
                ),
                EntryDraft(
                    EntryKind.final_payment,
                    project["account"],
                    total,
                    project_id=project_id,
                    reason=reason,
                    document_reference=document_reference,
                ),
            ],
            network_id=network_id,
            summary=f"{reason} betaald, {format_euros(total)}",
            object_type="project",
            object_id=project_id,
        )
        await ExpertClaim.update({ExpertClaim.paid_by: payment}).where(
            ExpertClaim.id.is_in([c["id"] for c in open_claims])
        )
    return len(open_claims), total
