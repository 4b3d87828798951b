"""The parts of an umbrella allocation: what is decided, and what is still to be decided."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ledger.books.booking import LedgerRefused
from ledger.projects import umbrella
from portal.accounts.guards import allow
from portal.accounts.layout import redirect, render, url
from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.tables import Role
from portal.lib import clock
from portal.lib.money import format_euros

COORDINATOR = allow(Role.coordinator)
READERS = allow(Role.coordinator, Role.auditor)


class UmbrellaController(Controller):
    path = "/n/{network:str}/begroting/projecten/{project_id:int}/delen"

    @get("/", name="ledger:parts", opt=READERS)
    async def page(
        self, request: Request, network_ref: NamedDependency[NetworkRef], project_id: FromPath[int]
    ) -> Template:
        return await self._page(request, network_ref, project_id, {}, {})

    @post("/", name="ledger:part_add", opt=COORDINATOR)
    async def add(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        project_id: FromPath[int],
    ) -> Template | Redirect:
        form = await request.form()
        part, errors = umbrella.parse_part(form, clock.now().date())
        if part is not None:
            try:
                await umbrella.add_part(principal, network_ref.id, project_id, part)
            except LedgerRefused as refusal:
                errors = {"form": str(refusal)}
            else:
                return redirect(
                    request,
                    url(request, "ledger:parts", project_id=project_id),
                    f"Deel {part.title} ({format_euros(part.amount_cents)}) is vastgelegd.",
                )
        return await self._page(request, network_ref, project_id, dict(form.items()), errors, 422)

    async def _page(
        self,
        request: Request,
        network_ref: NetworkRef,
        project_id: int,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        project = await umbrella.allocation(network_ref.id, project_id)
        if project is None:
            raise NotFoundException("Dit project is geen rechtstreekse toewijzing van dit netwerk.")
        parts = await umbrella.parts_of(project_id)
        committed = await umbrella.committed_of(project)
        divided = sum(p["amount_cents"] for p in parts)
        return render(
            request,
            "ledger/parts.html",
            status_code=status_code,
            project=project,
            parts=parts,
            committed=committed,
            divided=divided,
            undecided=committed - divided,
            values=values,
            errors=errors,
        )
