"""A grant's schedule of instalments (betaalschema): the coordinator lays down what is paid and
when, some instalments tied to a condition ("na het tussentijds verslag") or a date; an
instalment is paid by the coordinator, or on the region's payment request for it, only once its
condition is met. The schedule never promises more than the project's commitment.

Every check runs again inside the transaction that writes, with the project's row locked: two
instalments added at once cannot both fit in room for one, and an instalment is paid once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from litestar.datastructures import FormMultiDict

from ledger.books.booking import EntryDraft, LedgerRefused, book
from ledger.books.queries import figures_of_projects
from ledger.books.tables import (
    EntryKind,
    Instalment,
    InstalmentCondition,
    PaymentRequest,
    PaymentRequestState,
    Project,
    Report,
    ReportState,
)
from portal.accounts import events
from portal.accounts.principal import Principal
from portal.lib.db import lock_row, write_transaction
from portal.lib.formatting import datum
from portal.lib.forms import date_field, money_field, text
from portal.lib.money import format_euros

CONDITION_LABELS: dict[str, str] = {
    InstalmentCondition.none: "geen voorwaarde",
    InstalmentCondition.report_submitted: "na het indienen van een verslag",
    InstalmentCondition.report_accepted: "na goedkeuring van een verslag",
}


@dataclass(frozen=True)
class InstalmentInput:
    description: str
    amount_cents: int
    condition: InstalmentCondition
    not_before: dt.date | None


def parse_instalment(form: FormMultiDict) -> tuple[InstalmentInput | None, dict[str, str]]:
    errors: dict[str, str] = {}
    description = text(form, "description", 300, errors)
    if not description:
        errors["description"] = "Omschrijf de termijn, bijvoorbeeld 'Tweede termijn'."
    amount = money_field(form, "amount", errors, positive=True) or 0
    condition = text(form, "condition") or InstalmentCondition.none
    if condition not in CONDITION_LABELS:
        errors["condition"] = "Kies een van de voorwaarden."
        condition = InstalmentCondition.none
    not_before = date_field(form, "not_before", errors)
    if errors:
        return None, errors
    return InstalmentInput(description, amount, InstalmentCondition(condition), not_before), {}


def condition_problem(
    condition: str, not_before: dt.date | None, report_states: list[str], today: dt.date
) -> str | None:
    """Why an instalment may not be paid yet, in Dutch; None when it may."""
    if not_before is not None and today < not_before:
        return f"Deze termijn wordt niet vóór {datum(not_before)} betaald."
    handed_in = {ReportState.submitted, ReportState.accepted}
    if condition == InstalmentCondition.report_submitted and not handed_in & set(report_states):
        return "Deze termijn wordt betaald nadat de regio een verslag heeft ingediend."
    if condition == InstalmentCondition.report_accepted and (
        ReportState.accepted not in report_states
    ):
        return "Deze termijn wordt betaald nadat een verslag van het project is goedgekeurd."
    return None


async def schedule_of(project_id: int) -> list[dict]:
    """The project's instalments in order; `requested`: the region asked for it and the
    request waits for the coordinator (it is paid by approving that request)."""
    rows = await (
        Instalment.select(
            *Instalment.all_columns(), Instalment.payment.booked_on.as_alias("paid_on")
        )
        .where(Instalment.project == project_id)
        .order_by(Instalment.number)
    )
    asked = {
        r["instalment"]
        for r in await PaymentRequest.select(PaymentRequest.instalment).where(
            (PaymentRequest.project == project_id)
            & (PaymentRequest.state == PaymentRequestState.requested)
        )
    }
    return [{**r, "requested": r["id"] in asked} for r in rows]


async def open_instalments(project_ids: list[int]) -> list[dict]:
    """The unpaid instalments of these projects, for the region's payment request form."""
    if not project_ids:
        return []
    return await (
        Instalment.select(
            *Instalment.all_columns(), Instalment.project.title.as_alias("project_title")
        )
        .where(Instalment.project.is_in(project_ids) & Instalment.payment.is_null())
        .order_by(Instalment.project, Instalment.number)
    )


async def _report_states(project_id: int) -> list[str]:
    rows = await Report.select(Report.state).where(Report.project == project_id)
    return [r["state"] for r in rows]


async def _locked_project(network_id: int, project_id: int) -> dict:
    await lock_row(Project, project_id)
    project = (
        await Project.select()
        .where((Project.id == project_id) & (Project.network == network_id))
        .first()
    )
    if project is None:
        raise LedgerRefused("Dit project bestaat niet in dit netwerk.")
    if project["settled_on"] is not None:
        raise LedgerRefused("Dit project is vastgesteld; de rest volgt uit de vaststelling.")
    return project


async def _committed_and_paid(project: dict) -> tuple[int, int]:
    figures = await figures_of_projects(project["budget_year"], [project["id"]])
    f = figures.get(project["id"])
    return (f.committed, f.paid) if f else (0, 0)


async def add_instalment(
    actor: Principal, network_id: int, project_id: int, data: InstalmentInput
) -> int:
    async with write_transaction():
        project = await _locked_project(network_id, project_id)
        schedule = await schedule_of(project_id)
        planned = sum(i["amount_cents"] for i in schedule)
        committed, _ = await _committed_and_paid(project)
        if planned + data.amount_cents > committed:
            raise LedgerRefused(
                f"Het betaalschema komt dan op {format_euros(planned + data.amount_cents)}, meer "
                f"dan de verplichting van {format_euros(committed)}; er past nog "
                f"{format_euros(max(committed - planned, 0))} in."
            )
        number = max((i["number"] for i in schedule), default=0) + 1
        row = await Instalment.insert(
            Instalment(
                project=project_id,
                number=number,
                description=data.description,
                amount_cents=data.amount_cents,
                condition=data.condition,
                not_before=data.not_before,
                created_by=actor.user_id,
            )
        ).returning(Instalment.id)
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="instalment_added",
            object_type="project",
            object_id=project_id,
            summary=f"Termijn {number} ({data.description}) van "
            f"{format_euros(data.amount_cents)}, {CONDITION_LABELS[data.condition]}",
        )
    instalment_id: int = row[0]["id"]
    return instalment_id


async def _locked_instalment(network_id: int, instalment_id: int) -> tuple[dict, dict]:
    found = (
        await Instalment.select(Instalment.project)
        .where((Instalment.id == instalment_id) & (Instalment.project.network == network_id))
        .first()
    )
    if found is None:
        raise LedgerRefused("Deze termijn bestaat niet in dit netwerk.")
    project = await _locked_project(network_id, found["project"])
    instalment = await Instalment.select().where(Instalment.id == instalment_id).first()
    assert instalment is not None  # an instalment is removed only with its project row locked
    return instalment, project


async def remove_instalment(actor: Principal, network_id: int, instalment_id: int) -> None:
    async with write_transaction():
        instalment, project = await _locked_instalment(network_id, instalment_id)
        if instalment["payment"] is not None:
            raise LedgerRefused("Deze termijn is al betaald; hij blijft in het schema.")
        if await PaymentRequest.exists().where(PaymentRequest.instalment == instalment_id):
            raise LedgerRefused("De regio heeft om deze termijn gevraagd; hij blijft staan.")
        await Instalment.delete().where(Instalment.id == instalment_id)
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="instalment_removed",
            object_type="project",
            object_id=project["id"],
            summary=f"Termijn {instalment['number']} ({instalment['description']}) geschrapt",
        )


async def pay_locked(
    actor: Principal,
    network_id: int,
    instalment: dict,
    project: dict,
    document_reference: str,
    today: dt.date,
) -> int:
    """Book the instalment's payment; the caller holds the project's row lock in its write
    transaction. The books refuse paying more than is committed."""
    if instalment["payment"] is not None:
        raise LedgerRefused("Deze termijn is al betaald.")
    problem = condition_problem(
        instalment["condition"],
        instalment["not_before"],
        await _report_states(project["id"]),
        today,
    )
    if problem:
        raise LedgerRefused(problem)
    (payment,) = await book(
        actor,
        project["budget_year"],
        [
            EntryDraft(
                EntryKind.advance_payment,
                project["account"],
                instalment["amount_cents"],
                project_id=project["id"],
                reason=f"Termijn {instalment['number']}: {instalment['description']}",
                document_reference=document_reference,
            )
        ],
        network_id=network_id,
        summary=f"Termijn {instalment['number']} van {format_euros(instalment['amount_cents'])} "
        f"aan {project['title']}",
        object_type="project",
        object_id=project["id"],
        booked_on=today,
    )
    await Instalment.update({Instalment.payment: payment}).where(Instalment.id == instalment["id"])
    return payment


async def pay_instalment(
    actor: Principal,
    network_id: int,
    instalment_id: int,
    document_reference: str,
    today: dt.date,
) -> None:
    if not document_reference:
        raise LedgerRefused("Vul het kenmerk van de betaling in.")
    async with write_transaction():
        instalment, project = await _locked_instalment(network_id, instalment_id)
        if await PaymentRequest.exists().where(
            (PaymentRequest.instalment == instalment_id)
            & (PaymentRequest.state == PaymentRequestState.requested)
        ):
            raise LedgerRefused(
                "De regio heeft om deze termijn gevraagd: keur het betaalverzoek goed."
            )
        await pay_locked(actor, network_id, instalment, project, document_reference, today)
