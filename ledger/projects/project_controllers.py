"""The page of one project (a grant, an allocation, a later year of a multi-year grant) and
what the coordinator does there: pay, set the advance share, keep the schedule of instalments
(betaalschema), and the settlement letter."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ledger.books import queries, services
from ledger.books.booking import LedgerRefused
from ledger.books.deadlines import STATUS_LABELS, format_due
from ledger.books.projects import later_parts_of
from ledger.books.rows import ProjectRow
from ledger.books.rules import ENTRY_KINDS, ProjectFigures
from ledger.projects import changes, instalments, reports
from ledger.projects import letters as ledger_letters
from ledger.projects.expert_fees import FEE_LINE
from ledger.projects.settlement import advance_cents, default_schedule_text
from portal.accounts import letters as account_letters
from portal.accounts.deps import provide_network
from portal.accounts.guards import allow
from portal.accounts.layout import redirect, render, url
from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.rules import format_basis_points, reserve_percentage_problem
from portal.accounts.tables import Role
from portal.lib import clock
from portal.lib.db import required, write_transaction
from portal.lib.downloads import download
from portal.lib.forms import TooLong, money_field, text
from portal.lib.money import format_euros

COORDINATOR = allow(Role.coordinator)
# The auditor reads what the coordinator reads, and writes nothing.
READERS = allow(Role.coordinator, Role.auditor)


async def project_page(
    request: Request, project_id: int, values: dict, errors: dict, status_code: int = 200
) -> Template:
    """A project's page: its figures, entries, reports, schedule and, for a multi-year grant,
    its years; with `errors` the form that was refused, showing what was typed."""
    project = await queries.project_row(provide_network(request).id, project_id)
    if project is None:
        raise NotFoundException("Dit project bestaat niet in dit netwerk.")
    _, figures = await queries.year_figures(project["budget_year"])
    f = figures.get(project_id, ProjectFigures())
    rows, _ = await queries.entries(project["budget_year"], project_id=project_id, per_page=1000)
    project_reports = [
        r
        for r in await reports.reports_of_network(provide_network(request).id)
        if r["project"] == project_id
    ]
    suggested = max(0, advance_cents(f.committed, project["advance_bp"]) - f.paid)
    # A multi-year grant: the grant year's project lists the later years, a later year's
    # project points back to it.
    first = None
    if project["grant_of"] is not None:
        first = await queries.project_row(project["network"], project["grant_of"])
    later = await later_parts_of(project_id) if first is None else []
    # The schedule, each open instalment with what it still waits for (None: payable now).
    states = [r["state"] for r in project_reports]
    today = clock.now().date()
    schedule = [
        {
            **i,
            "waits_for": None
            if i["payment"] is not None
            else instalments.condition_problem(i["condition"], i["not_before"], states, today),
        }
        for i in await instalments.schedule_of(project_id)
    ]
    return render(
        request,
        "ledger/project.html",
        status_code=status_code,
        project=project,
        f=f,
        entries=rows,
        reports=project_reports,
        values=values,
        errors=errors,
        suggested=suggested,
        kinds=ENTRY_KINDS,
        schedule=default_schedule_text(project["advance_bp"]),
        advance_pct=format_basis_points(project["advance_bp"]),
        status_labels=STATUS_LABELS,
        format_due=format_due,
        original=await changes.original_amount(project),
        fee_scheme=project["account_code"] == FEE_LINE,
        grant_of=first,
        later_parts=later,
        instalments=schedule,
        planned=sum(i["amount_cents"] for i in schedule),
        condition_labels=instalments.CONDITION_LABELS,
    )


class ProjectController(Controller):
    path = "/n/{network:str}/begroting"

    @get("/projecten/{project_id:int}", name="ledger:project", opt=READERS)
    async def project(self, request: Request, project_id: FromPath[int]) -> Template:
        return await project_page(request, project_id, {}, {})

    @post("/projecten/{project_id:int}/betalen", name="ledger:pay", opt=COORDINATOR)
    async def pay(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        project_id: FromPath[int],
    ) -> Template | Redirect:
        project = await queries.project_row(network_ref.id, project_id)
        if project is None:
            raise NotFoundException("Dit project bestaat niet in dit netwerk.")
        form = await request.form()
        errors: dict[str, str] = {}
        amount = money_field(form, "amount", errors)
        reference = text(form, "document_reference", 200, errors)
        if not reference:
            errors["document_reference"] = "Vul het kenmerk van de betaling of factuur in."
        if not errors:
            try:
                await services.pay(
                    principal,
                    project,
                    text(form, "kind") or "advance_payment",
                    amount or 0,
                    reference,
                )
            except LedgerRefused as error:
                errors["form"] = str(error)
        if errors:
            return await project_page(request, project_id, dict(form.items()), errors, 422)
        return redirect(
            request,
            url(request, "ledger:project", project_id=project_id),
            f"Betaling van {format_euros(amount or 0)} is geboekt.",
        )

    @post("/projecten/{project_id:int}/voorschot", name="ledger:advance_share", opt=COORDINATOR)
    async def advance_share(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        project_id: FromPath[int],
    ) -> Template | Redirect:
        project = await queries.project_row(network_ref.id, project_id)
        if project is None:
            raise NotFoundException("Dit project bestaat niet in dit netwerk.")
        form = await request.form()
        share, problem = reserve_percentage_problem(text(form, "advance_share"))
        if problem is None and share is not None and share > 10_000:
            problem = "Kies een percentage tussen 0 en 100."
        if problem:
            return await project_page(
                request, project_id, dict(form.items()), {"advance_share": problem}, 422
            )
        await services.set_advance_share(principal, project, share or 0)
        return redirect(
            request,
            url(request, "ledger:project", project_id=project_id),
            "Het voorschotpercentage is gewijzigd.",
        )

    @get("/projecten/{project_id:int}/vaststelling", name="ledger:settlement_letter", opt=READERS)
    async def settlement_letter(
        self, request: Request, network_ref: NamedDependency[NetworkRef], project_id: FromPath[int]
    ) -> Template:
        project, letter = await _settlement_letter(network_ref.id, project_id)
        return render(request, "ledger/settlement_letter.html", project=project, letter=letter)

    @get(
        "/projecten/{project_id:int}/vaststelling.pdf",
        name="ledger:settlement_letter_pdf",
        opt=READERS,
    )
    async def settlement_letter_pdf(
        self, network_ref: NamedDependency[NetworkRef], project_id: FromPath[int]
    ) -> Response:
        _, letter = await _settlement_letter(network_ref.id, project_id)
        pdf = await account_letters.pdf_of(letter["id"])
        return download(pdf, f"{letter['subject']}.pdf", "application/pdf")

    @post("/projecten/{project_id:int}/termijnen", name="ledger:instalment_add", opt=COORDINATOR)
    async def add_instalment(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        project_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        data, errors = instalments.parse_instalment(form)
        if data is not None:
            try:
                await instalments.add_instalment(principal, network_ref.id, project_id, data)
            except LedgerRefused as error:
                errors = {"instalment": str(error)}
        if errors:
            values = {f"instalment_{k}": v for k, v in form.items()}
            errors = {f"instalment_{k}": v for k, v in errors.items()}
            return await project_page(request, project_id, values, errors, 422)
        return redirect(
            request,
            url(request, "ledger:project", project_id=project_id),
            f"De termijn van {format_euros(data.amount_cents if data else 0)} staat in het "
            "betaalschema.",
        )

    @post(
        "/projecten/{project_id:int}/termijnen/{instalment_id:int}/betalen",
        name="ledger:instalment_pay",
        opt=COORDINATOR,
    )
    async def pay_instalment(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        project_id: FromPath[int],
        instalment_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        try:
            await instalments.pay_instalment(
                principal,
                network_ref.id,
                instalment_id,
                text(form, "document_reference", 200),
                clock.now().date(),
            )
        except (LedgerRefused, TooLong) as error:
            values = {f"pay_{instalment_id}": text(form, "document_reference")}
            return await project_page(
                request, project_id, values, {f"pay_{instalment_id}": str(error)}, 422
            )
        return redirect(
            request,
            url(request, "ledger:project", project_id=project_id),
            "De termijn is betaald en geboekt.",
        )

    @post(
        "/projecten/{project_id:int}/termijnen/{instalment_id:int}/schrappen",
        name="ledger:instalment_remove",
        opt=COORDINATOR,
    )
    async def remove_instalment(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        project_id: FromPath[int],
        instalment_id: FromPath[int],
    ) -> Template | Redirect:
        try:
            await instalments.remove_instalment(principal, network_ref.id, instalment_id)
        except LedgerRefused as error:
            return await project_page(
                request, project_id, {}, {f"pay_{instalment_id}": str(error)}, 422
            )
        return redirect(
            request,
            url(request, "ledger:project", project_id=project_id),
            "De termijn is uit het betaalschema geschrapt.",
        )


async def _settlement_letter(network_id: int, project_id: int) -> tuple[ProjectRow, dict]:
    project = await queries.project_row(network_id, project_id)
    if project is None or project["final_amount_cents"] is None:
        raise NotFoundException("Dit project is (nog) niet vastgesteld.")
    letter = await account_letters.latest(network_id, ledger_letters.SETTLEMENT, project_id)
    if letter is None:
        # A project settled before letters were kept: made now, once, and kept.
        async with write_transaction():
            await ledger_letters.freeze_settlement(network_id, project_id, "")
        letter = required(
            await account_letters.latest(network_id, ledger_letters.SETTLEMENT, project_id)
        )
    return project, letter
