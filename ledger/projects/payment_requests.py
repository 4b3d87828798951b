"""Payment requests: the region asks for an advance or an instalment on its project, with a
statement; the coordinator approves it, which books the payment, or refuses it with a reason.

Who may ask is checked inside the transaction that writes, with the project's row locked: the
region officer of the project's region, for a project that is not settled, for at most what is
committed and neither paid nor asked for already."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from litestar.datastructures import FormMultiDict

from ledger.books.booking import EntryDraft, LedgerRefused, book
from ledger.books.queries import figures_of_projects
from ledger.books.rows import ProjectRow
from ledger.books.tables import (
    EntryKind,
    Instalment,
    PaymentRequest,
    PaymentRequestKind,
    PaymentRequestState,
    Project,
    Report,
)
from ledger.projects.instalments import condition_problem, pay_locked
from portal.accounts import events
from portal.accounts.events import Mail
from portal.accounts.principal import Principal
from portal.accounts.queries import coordinator_emails
from portal.accounts.tables import Role
from portal.lib import clock
from portal.lib.db import lock_row, write_transaction
from portal.lib.forms import MAX_ID, money_field, text, whole_number
from portal.lib.money import format_euros

KIND_LABELS: dict[str, str] = {
    PaymentRequestKind.advance: "Voorschot",
    PaymentRequestKind.instalment: "Termijn",
}
STATE_LABELS: dict[str, str] = {
    PaymentRequestState.requested: "aangevraagd",
    PaymentRequestState.approved: "goedgekeurd en betaald",
    PaymentRequestState.refused: "afgewezen",
}
# A change request goes through the same states; granted is what a change is.
CHANGE_STATE_LABELS: dict[str, str] = {**STATE_LABELS, PaymentRequestState.approved: "toegekend"}
APPROVE, REFUSE = "goedkeuren", "afwijzen"


@dataclass(frozen=True)
class RequestInput:
    project_id: int
    kind: PaymentRequestKind
    amount_cents: int
    statement: str
    instalment_id: int | None = None  # a termijn of the project's schedule


def parse_request(
    form: FormMultiDict, projects: set[int], instalments: dict[int, dict] | None = None
) -> tuple[RequestInput | None, dict[str, str]]:
    """`instalments`: the open instalments of those projects by id; one of them may be asked
    for, and then it says the project, the kind and the amount."""
    errors: dict[str, str] = {}
    instalment_id = whole_number(text(form, "instalment"), maximum=MAX_ID)
    instalment = (instalments or {}).get(instalment_id or 0)
    if text(form, "instalment") and instalment is None:
        errors["instalment"] = "Kies een termijn uit het betaalschema, of geen."
    project_id = whole_number(text(form, "project"), maximum=MAX_ID)
    if instalment is not None:
        if project_id not in (None, instalment["project"]):
            errors["instalment"] = "Deze termijn hoort bij een ander project."
        project_id = instalment["project"]
    if project_id not in projects:
        errors["project"] = "Kies het project waarvoor u een betaling vraagt."
    kind = PaymentRequestKind.instalment if instalment is not None else text(form, "kind")
    if kind not in KIND_LABELS:
        errors["kind"] = "Kies voorschot of termijn."
    amount = (
        instalment["amount_cents"]
        if instalment is not None
        else money_field(form, "amount", errors, positive=True) or 0
    )
    statement = text(form, "statement", 5_000, errors)
    if not statement:
        errors["statement"] = (
            "Licht het verzoek toe: waarvoor het geld nu nodig is en hoe het project ervoor staat."
        )
    if errors or project_id is None:
        return None, errors
    return (
        RequestInput(
            project_id,
            PaymentRequestKind(kind),
            amount,
            statement,
            instalment["id"] if instalment is not None else None,
        ),
        {},
    )


def scope_of(principal: Principal, network_id: int) -> set[int] | None:
    """The regions whose requests this person sees; None: all of the network's."""
    if principal.has_role(network_id, Role.coordinator, Role.auditor):
        return None
    return principal.region_ids(network_id, Role.region_officer)


async def requestable_projects(principal: Principal, network_id: int) -> list[dict]:
    """The unsettled projects of the regions this region officer asks for."""
    regions = principal.region_ids(network_id, Role.region_officer)
    if not regions:
        return []
    return await (
        Project.select(Project.id, Project.title, Project.budget_year.year.as_alias("year"))
        .where(
            (Project.network == network_id)
            & Project.region_id.is_in(list(regions))
            & Project.settled_on.is_null()
        )
        .order_by(Project.title)
    )


async def requests_of(network_id: int, regions: set[int] | None) -> list[dict]:
    query = PaymentRequest.select(
        *PaymentRequest.all_columns(),
        PaymentRequest.project.title.as_alias("project_title"),
        PaymentRequest.project.region_id.as_alias("region_id"),
        PaymentRequest.requested_by.name.as_alias("requester_name"),
        PaymentRequest.instalment.number.as_alias("instalment_number"),
        PaymentRequest.instalment.description.as_alias("instalment_description"),
    ).where(PaymentRequest.project.network == network_id)
    if regions is not None:
        if not regions:
            return []
        query = query.where(PaymentRequest.project.region_id.is_in(list(regions)))
    return await query.order_by(PaymentRequest.requested_at, ascending=False)


async def _room(project: ProjectRow) -> tuple[int, int, int]:
    """(committed, paid, asked for and not decided) of a project."""
    figures = await figures_of_projects(project["budget_year"], [project["id"]])
    f = figures.get(project["id"])
    pending = await PaymentRequest.select(PaymentRequest.amount_cents).where(
        (PaymentRequest.project == project["id"])
        & (PaymentRequest.state == PaymentRequestState.requested)
    )
    return (
        f.committed if f else 0,
        f.paid if f else 0,
        sum(p["amount_cents"] for p in pending),
    )


async def _refuse_instalment(project_id: int, data: RequestInput) -> None:
    """Inside the request's transaction: the termijn is the project's, open, not asked for
    already, of the amount asked, and its condition is met."""
    instalment = await Instalment.select().where(Instalment.id == data.instalment_id).first()
    if instalment is None or instalment["project"] != project_id:
        raise LedgerRefused("Deze termijn hoort niet bij dit project.")
    if instalment["payment"] is not None:
        raise LedgerRefused("Deze termijn is al betaald.")
    if instalment["amount_cents"] != data.amount_cents:
        raise LedgerRefused("Het schema is intussen gewijzigd; vraag de termijn opnieuw aan.")
    if await PaymentRequest.exists().where(
        (PaymentRequest.instalment == instalment["id"])
        & (PaymentRequest.state == PaymentRequestState.requested)
    ):
        raise LedgerRefused("Om deze termijn is al gevraagd; het verzoek wacht op de coördinator.")
    reports = await Report.select(Report.state).where(Report.project == project_id)
    problem = condition_problem(
        instalment["condition"],
        instalment["not_before"],
        [r["state"] for r in reports],
        clock.now().date(),
    )
    if problem:
        raise LedgerRefused(problem)


async def request_payment(actor: Principal, network_id: int, data: RequestInput) -> int:
    async with write_transaction():
        await lock_row(Project, data.project_id)
        project = cast(
            ProjectRow | None,
            await Project.select()
            .where((Project.id == data.project_id) & (Project.network == network_id))
            .first(),
        )
        if project is None or project["region_id"] not in actor.region_ids(
            network_id, Role.region_officer
        ):
            raise LedgerRefused("Alleen de regio-indiener van de regio van het project vraagt.")
        if project["settled_on"] is not None:
            raise LedgerRefused("Dit project is vastgesteld; de rest volgt uit de vaststelling.")
        if data.instalment_id is not None:
            await _refuse_instalment(project["id"], data)
        committed, paid, pending = await _room(project)
        room = committed - paid - pending
        if data.amount_cents > room:
            raise LedgerRefused(
                f"Er kan hoogstens {format_euros(max(room, 0))} worden gevraagd: verplicht "
                f"{format_euros(committed)}, betaald {format_euros(paid)}, al gevraagd "
                f"{format_euros(pending)}."
            )
        row = await PaymentRequest.insert(
            PaymentRequest(
                project=project["id"],
                kind=data.kind,
                amount_cents=data.amount_cents,
                statement=data.statement,
                requested_by=actor.user_id,
                instalment=data.instalment_id,
            )
        ).returning(PaymentRequest.id)
        coordinators = await coordinator_emails(network_id)
        label = KIND_LABELS[data.kind].lower()
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="payment_requested",
            object_type="project",
            object_id=project["id"],
            summary=f"Betaalverzoek ({label}) van {format_euros(data.amount_cents)}",
            mails=[
                Mail(
                    to=email,
                    subject=f"Betaalverzoek: {project['title']}",
                    body=f"Voor '{project['title']}' is een {label} van "
                    f"{format_euros(data.amount_cents)} gevraagd. Het verzoek wacht op uw "
                    "beoordeling onder Betaalverzoeken.",
                )
                for email in coordinators
            ],
        )
    request_id: int = row[0]["id"]
    return request_id


async def decide(
    actor: Principal,
    network_id: int,
    request_id: int,
    decision: str,
    document_reference: str,
    note: str,
) -> PaymentRequestState:
    if decision == APPROVE and not document_reference:
        raise LedgerRefused(
            "Vul het kenmerk van de betaling in: dat is verplicht bij goedkeuren.",
            field="document_reference",
        )
    if decision == REFUSE and not note:
        raise LedgerRefused(
            "Geef de reden: die is verplicht bij afwijzen; de regio krijgt die te lezen.",
            field="note",
        )
    if decision not in (APPROVE, REFUSE):
        raise LedgerRefused("Kies goedkeuren of afwijzen.")
    async with write_transaction():
        await lock_row(PaymentRequest, request_id)
        request = await (
            PaymentRequest.select(
                *PaymentRequest.all_columns(),
                PaymentRequest.requested_by.email.as_alias("requester_email"),
            )
            .where(
                (PaymentRequest.id == request_id) & (PaymentRequest.project.network == network_id)
            )
            .first()
        )
        if request is None:
            raise LedgerRefused("Dit betaalverzoek bestaat niet in dit netwerk.")
        if request["state"] != PaymentRequestState.requested:
            raise LedgerRefused(
                f"Dit verzoek is al {STATE_LABELS[request['state']]}; "
                "er is niets meer te beslissen."
            )
        # The project's row too: a termijn is paid once, whether by this request or by hand.
        await lock_row(Project, request["project"])
        project = await Project.select().where(Project.id == request["project"]).first()
        assert project is not None  # a request's project is kept (on_delete restrict)
        state = PaymentRequestState.refused
        payment = None
        label = KIND_LABELS[request["kind"]]
        if decision == APPROVE and project["settled_on"] is not None:
            raise LedgerRefused("Dit project is intussen vastgesteld; wijs het verzoek af.")
        if decision == APPROVE and request["instalment"] is not None:
            # A termijn of the schedule: its condition is asked again now.
            instalment = (
                await Instalment.select().where(Instalment.id == request["instalment"]).first()
            )
            assert instalment is not None  # kept while a request points at it
            payment = await pay_locked(
                actor, network_id, instalment, project, document_reference, clock.now().date()
            )
            state = PaymentRequestState.approved
        elif decision == APPROVE:
            (payment,) = await book(
                actor,
                project["budget_year"],
                [
                    EntryDraft(
                        EntryKind.advance_payment,
                        project["account"],
                        request["amount_cents"],
                        project_id=project["id"],
                        reason=f"{label} op verzoek van de regio",
                        document_reference=document_reference,
                    )
                ],
                network_id=network_id,
                summary=f"{label} van {format_euros(request['amount_cents'])} aan "
                f"{project['title']} (betaalverzoek)",
                object_type="project",
                object_id=project["id"],
            )
            state = PaymentRequestState.approved
        await PaymentRequest.update(
            {
                PaymentRequest.state: state,
                PaymentRequest.decided_by: actor.user_id,
                PaymentRequest.decided_at: clock.now(),
                PaymentRequest.decision_note: note,
                PaymentRequest.payment: payment,
            }
        ).where(PaymentRequest.id == request_id)
        outcome = "goedgekeurd en betaald" if payment else f"afgewezen: {note}"
        await events.record(
            actor_id=actor.user_id,
            network_id=network_id,
            action="payment_request_decided",
            object_type="project",
            object_id=project["id"],
            summary=f"Betaalverzoek {format_euros(request['amount_cents'])} {outcome}",
            mails=[
                Mail(
                    to=request["requester_email"],
                    subject=f"Uw betaalverzoek: {project['title']}",
                    body=f"Uw verzoek om een {label.lower()} van "
                    f"{format_euros(request['amount_cents'])} voor '{project['title']}' is "
                    f"{outcome}.",
                )
            ]
            if request["requester_email"]
            else [],
        )
    return state
