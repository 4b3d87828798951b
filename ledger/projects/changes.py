"""Changes after award: the region asks for a later end date, more or less money, or a shift
between budget lines, with its reason; the coordinator decides with a change letter
(wijzigingsbeschikking). Approval books what it must in the same transaction: more money an
extra commitment (the ledger's rules decide whether the line has room), less money a release
(never below what is paid), a later end date the reports of the years it adds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from litestar.datastructures import FormMultiDict

from ledger.books.booking import EntryDraft, LedgerRefused, book
from ledger.books.deadlines import report_schedule
from ledger.books.projects import refuse_outside_spend_window
from ledger.books.queries import figures_of_projects
from ledger.books.rows import ProjectRow
from ledger.books.tables import (
    ChangeKind,
    ChangeRequest,
    Entry,
    EntryKind,
    PaymentRequestState,
    Project,
    Report,
)
from ledger.projects import letters as ledger_letters
from ledger.projects.payment_requests import (
    APPROVE,
    CHANGE_STATE_LABELS,
    REFUSE,
    STATE_LABELS,
    requestable_projects,
)
from portal.accounts import events
from portal.accounts.events import Mail
from portal.accounts.principal import Principal
from portal.accounts.queries import coordinator_emails
from portal.accounts.tables import Role
from portal.lib import clock
from portal.lib.db import lock_row, required, write_transaction
from portal.lib.forms import MAX_ID, date_field, money_field, text, whole_number
from portal.lib.money import format_euros

KIND_LABELS: dict[str, str] = {
    ChangeKind.period: "Langere looptijd",
    ChangeKind.amount: "Ander subsidiebedrag",
    ChangeKind.budget_shift: "Verschuiving tussen begrotingsposten",
}
__all__ = ["APPROVE", "REFUSE", "STATE_LABELS"]


@dataclass(frozen=True)
class ChangeInput:
    project_id: int
    kind: ChangeKind
    new_end_date: dt.date | None
    new_amount_cents: int | None
    reason: str


def parse_change(
    form: FormMultiDict, projects: dict[int, dict]
) -> tuple[ChangeInput | None, dict[str, str]]:
    """`projects`: the projects this person may ask a change for, by id, with their end date."""
    errors: dict[str, str] = {}
    project_id = whole_number(text(form, "project"), maximum=MAX_ID)
    project = projects.get(project_id) if project_id is not None else None
    if project is None:
        errors["project"] = "Kies het project waarvoor u een wijziging vraagt."
    kind = text(form, "kind")
    if kind not in KIND_LABELS:
        errors["kind"] = "Kies wat er moet veranderen."
    end_date = None
    amount = None
    if kind == ChangeKind.period:
        end_date = date_field(
            form,
            "new_end_date",
            errors,
            "Vul de nieuwe einddatum in: die is verplicht bij een langere looptijd.",
        )
        current_end = project["end_date"] if project is not None else None
        if end_date and current_end and end_date <= current_end:
            errors["new_end_date"] = (
                "De nieuwe einddatum ligt niet na de huidige; een project inkorten gaat via "
                "de verantwoording."
            )
    if kind == ChangeKind.amount:
        amount = money_field(form, "new_amount", errors)
        if not text(form, "new_amount"):
            errors["new_amount"] = (
                "Vul het nieuwe subsidiebedrag in: dat is verplicht bij een ander bedrag."
            )
        if amount is not None and amount < 0:
            errors["new_amount"] = "Het nieuwe bedrag kan niet negatief zijn."
    reason = text(form, "reason", 5_000, errors)
    if not reason:
        errors["reason"] = "Geef de reden van de wijziging."
    if errors or project_id is None:
        return None, errors
    return ChangeInput(project_id, ChangeKind(kind), end_date, amount, reason), {}


async def changeable_projects(principal: Principal, network_id: int) -> dict[int, dict]:
    """The unsettled projects of this region officer's regions, by id, with their end date."""
    ids = [p["id"] for p in await requestable_projects(principal, network_id)]
    if not ids:
        return {}
    rows = await Project.select(Project.id, Project.title, Project.end_date).where(
        Project.id.is_in(ids)
    )
    return {r["id"]: r for r in rows}


async def committed_of(project: ProjectRow) -> tuple[int, int]:
    """(committed, paid) of a project now."""
    figures = await figures_of_projects(project["budget_year"], [project["id"]])
    f = figures.get(project["id"])
    return (f.committed, f.paid) if f else (0, 0)


async def changes_of(network_id: int, regions: set[int] | None) -> list[dict]:
    query = ChangeRequest.select(
        *ChangeRequest.all_columns(),
        ChangeRequest.project.title.as_alias("project_title"),
        ChangeRequest.project.region_id.as_alias("region_id"),
        ChangeRequest.requested_by.name.as_alias("requester_name"),
    ).where(ChangeRequest.project.network == network_id)
    if regions is not None:
        if not regions:
            return []
        query = query.where(ChangeRequest.project.region_id.is_in(list(regions)))
    return await query.order_by(ChangeRequest.requested_at, ascending=False)


async def change_row(network_id: int, change_id: int) -> dict | None:
    return await (
        ChangeRequest.select(
            *ChangeRequest.all_columns(),
            ChangeRequest.project.title.as_alias("project_title"),
            ChangeRequest.project.region_id.as_alias("region_id"),
            ChangeRequest.project.recipient.as_alias("recipient"),
            ChangeRequest.project.decision_date.as_alias("grant_date"),
            ChangeRequest.project.decision_reference.as_alias("grant_reference"),
            ChangeRequest.requested_by.email.as_alias("requester_email"),
        )
        .where((ChangeRequest.id == change_id) & (ChangeRequest.project.network == network_id))
        .first()
    )


async def request_change(actor: Principal, network_id: int, data: ChangeInput) -> int:
    async with write_transaction():
        await lock_row(Project, data.project_id)
        project = await (
            Project.select()
            .where((Project.id == data.project_id) & (Project.network == network_id))
            .first()
        )
        if project is None or project["region_id"] not in actor.region_ids(
            network_id, Role.region_officer
        ):
            raise LedgerRefused("Alleen de regio-indiener van de regio van het project vraagt.")
        if project["settled_on"] is not None:
            raise LedgerRefused("Dit project is vastgesteld; het kan niet meer wijzigen.")
        row = await ChangeRequest.insert(
            ChangeRequest(
                project=project["id"],
                kind=data.kind,
                new_end_date=data.new_end_date,
                new_amount_cents=data.new_amount_cents,
                reason=data.reason,
                requested_by=actor.user_id,
            )
        ).returning(ChangeRequest.id)
        coordinators = await coordinator_emails(network_id)
        label = KIND_LABELS[data.kind]
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="change_requested",
            object_type="project",
            object_id=project["id"],
            summary=f"Wijzigingsverzoek: {label.lower()}",
            mails=[
                Mail(
                    to=email,
                    subject=f"Wijzigingsverzoek: {project['title']}",
                    body=f"Voor '{project['title']}' is een wijziging gevraagd ({label.lower()}). "
                    "Het verzoek wacht op uw besluit onder Wijzigingen.",
                )
                for email in coordinators
            ],
        )
    change_id: int = row[0]["id"]
    return change_id


async def decide(
    actor: Principal,
    network_id: int,
    change_id: int,
    decision: str,
    decision_reference: str,
    note: str,
) -> str:
    if decision not in (APPROVE, REFUSE):
        raise LedgerRefused("Kies goedkeuren of afwijzen.")
    if not decision_reference:
        raise LedgerRefused("Vul het kenmerk van het besluit in; het staat op de beschikking.")
    if decision == REFUSE and not note:
        raise LedgerRefused(
            "Geef een toelichting: die is verplicht bij afwijzen; de regio krijgt die te lezen.",
            field="note",
        )
    async with write_transaction():
        await lock_row(ChangeRequest, change_id)
        change = await change_row(network_id, change_id)
        if change is None:
            raise LedgerRefused("Dit wijzigingsverzoek bestaat niet in dit netwerk.")
        if change["state"] != PaymentRequestState.requested:
            raise LedgerRefused(
                f"Dit verzoek is al {CHANGE_STATE_LABELS[change['state']]}; "
                "er is niets meer te beslissen."
            )
        project = cast(
            ProjectRow | None,
            await Project.select().where(Project.id == change["project"]).first(),
        )
        assert project is not None  # kept by on_delete restrict
        committed, paid = await committed_of(project)
        entry = None
        state = PaymentRequestState.refused
        if decision == APPROVE:
            if project["settled_on"] is not None:
                raise LedgerRefused("Dit project is intussen vastgesteld; wijs het verzoek af.")
            entry = await _carry_out(actor, project, change, committed, paid, decision_reference)
            state = PaymentRequestState.approved
        await ChangeRequest.update(
            {
                ChangeRequest.state: state,
                ChangeRequest.decided_by: actor.user_id,
                ChangeRequest.decided_at: clock.now(),
                ChangeRequest.decision_reference: decision_reference,
                ChangeRequest.decision_note: note,
                ChangeRequest.old_end_date: project["end_date"],
                ChangeRequest.old_amount_cents: committed,
                ChangeRequest.entry: entry,
            }
        ).where(ChangeRequest.id == change_id)
        if state == PaymentRequestState.approved:
            # The change letter as sent, made with the booking it reports on.
            await ledger_letters.freeze_change(
                project, required(await change_row(network_id, change_id)), actor.name
            )
        outcome = "toegekend" if state == PaymentRequestState.approved else f"afgewezen: {note}"
        label = KIND_LABELS[change["kind"]]
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="change_decided",
            object_type="project",
            object_id=project["id"],
            summary=f"Wijzigingsverzoek ({label.lower()}) {outcome}",
            mails=[
                Mail(
                    to=change["requester_email"],
                    subject=f"Uw wijzigingsverzoek: {project['title']}",
                    body=f"Uw verzoek ({label.lower()}) voor '{project['title']}' is {outcome}. "
                    "De wijzigingsbeschikking staat in het portaal onder Wijzigingen.",
                )
            ]
            if change["requester_email"]
            else [],
        )
    return state


async def _carry_out(
    actor: Principal, project: ProjectRow, change: dict, committed: int, paid: int, reference: str
) -> int | None:
    """Book and record what an approved change means; the entry it booked, if any."""
    if change["kind"] == ChangeKind.period:
        new_end = change["new_end_date"]
        await refuse_outside_spend_window(project["budget_year"], new_end)
        await Project.update({Project.end_date: new_end}).where(Project.id == project["id"])
        reports = await Report.select(Report.id, Report.year, Report.state).where(
            Report.project == project["id"]
        )
        known = {r["year"] for r in reports}
        start = project["start_date"] or project["decision_date"] or new_end
        schedule = report_schedule(start, new_end)
        for r in reports:  # the last report is the final one; an earlier year's is not
            if r["year"] != schedule[-1].year and r["state"] != "accepted":
                await Report.update({Report.final: False}).where(Report.id == r["id"])
        for due in schedule:
            if due.year not in known:
                await Report.insert(
                    Report(
                        project=project["id"], year=due.year, due_date=due.due_date, final=due.final
                    )
                )
        return None
    if change["kind"] == ChangeKind.amount:
        new_amount = change["new_amount_cents"]
        if new_amount == committed:
            raise LedgerRefused(f"Het project heeft al {format_euros(committed)} verleend.")
        if new_amount < paid:
            raise LedgerRefused(
                f"Het nieuwe bedrag ({format_euros(new_amount)}) ligt onder wat al is betaald "
                f"({format_euros(paid)})."
            )
        more = new_amount > committed
        (entry,) = await book(
            actor,
            project["budget_year"],
            [
                EntryDraft(
                    EntryKind.commitment if more else EntryKind.release,
                    project["account"],
                    abs(new_amount - committed),
                    project_id=project["id"],
                    reason=f"Wijzigingsbeschikking {project['title']}",
                    document_reference=reference,
                )
            ],
            network_id=project["network"],
            summary=f"Wijziging {project['title']}: verleend van {format_euros(committed)} "
            f"naar {format_euros(new_amount)}",
            object_type="project",
            object_id=project["id"],
        )
        return entry
    return None  # a shift between budget lines books nothing: the total stays


async def original_amount(project: ProjectRow) -> int:
    """What the grant letter gave, before any change: the commitments not booked by a change."""
    changed = await ChangeRequest.select(ChangeRequest.entry).where(
        (ChangeRequest.project == project["id"]) & ChangeRequest.entry.is_not_null()
    )
    rows = await Entry.select(Entry.id, Entry.sign, Entry.amount_cents).where(
        (Entry.project == project["id"]) & (Entry.kind == EntryKind.commitment)
    )
    skip = {c["entry"] for c in changed}
    return sum(r["sign"] * r["amount_cents"] for r in rows if r["id"] not in skip)
