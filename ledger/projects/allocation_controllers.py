"""The coordinator's page for a direct allocation: money on a budget line without a proposal."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ledger.books import services as books
from ledger.books.booking import LedgerRefused
from ledger.projects import allocations
from ledger.projects.allocation_forms import OUTSIDE, parse_allocation
from portal.accounts.guards import allow
from portal.accounts.layout import redirect, render, url
from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.tables import Role
from portal.lib import clock
from portal.lib.money import format_euros

COORDINATOR = allow(Role.coordinator)


class AllocationController(Controller):
    path = "/n/{network:str}/begroting/{year_id:int}/toewijzingen"

    @get("/nieuw", name="ledger:allocation_new", opt=COORDINATOR)
    async def new(
        self, request: Request, network_ref: NamedDependency[NetworkRef], year_id: FromPath[int]
    ) -> Template:
        return await self._page(request, network_ref, year_id, {}, {})

    @post("/nieuw", name="ledger:allocation_create", opt=COORDINATOR)
    async def create(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        year_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        allocation, errors = parse_allocation(
            form,
            accounts=await allocations.allocatable_accounts(year_id),
            recipients=await allocations.recipients_of(network_ref.id),
            today=clock.now().date(),
        )
        if allocation is not None:
            try:
                project_id = await allocations.allocate(
                    principal, network_ref.id, year_id, allocation
                )
            except LedgerRefused as refusal:
                errors = {"form": str(refusal)}
            else:
                return redirect(
                    request,
                    url(request, "ledger:project", project_id=project_id),
                    f"{format_euros(allocation.amount_cents)} is toegewezen aan "
                    f"{allocation.recipient}.",
                )
        return await self._page(request, network_ref, year_id, dict(form.items()), errors, 422)

    async def _page(
        self,
        request: Request,
        network_ref: NamedDependency[NetworkRef],
        year_id: int,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        year = await books.budget_year(network_ref.id, year_id)
        if year is None:
            raise NotFoundException("Dit begrotingsjaar bestaat niet in dit netwerk.")
        accounts = await allocations.allocatable_accounts(year_id)
        recipients = await allocations.recipients_of(network_ref.id)
        return render(
            request,
            "ledger/allocation_new.html",
            status_code=status_code,
            year=year,
            accounts=[(str(k), v) for k, v in accounts.items()],
            recipients=[
                *((key, r.label) for key, r in recipients.items()),
                (OUTSIDE, "Een andere partij (naam en KvK-nummer hieronder)"),
            ],
            values=values,
            errors=errors,
        )
