"""The beheerder's page of the SiSa wording (for every network: the wording is the ministry's)."""

from __future__ import annotations

import dataclasses

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.response import Redirect, Template

from ledger.books.booking import LedgerRefused
from ledger.projects.spuk import wording
from portal.accounts.guards import allow
from portal.accounts.layout import redirect, render, url
from portal.accounts.principal import Principal
from portal.accounts.tables import Role
from portal.lib import clock

ADMIN = allow(Role.admin)
ONLY_THE_PORTALS_ADMIN = "Alleen de beheerder van het portaal stelt de SiSa-teksten in."


class SisaWordingController(Controller):
    path = "/beheer/sisa"

    @get("/", name="admin:sisa", opt=ADMIN)
    async def page(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        if not principal.is_superadmin:
            raise PermissionDeniedException(ONLY_THE_PORTALS_ADMIN)
        year = clock.now().year
        current = dataclasses.asdict(await wording.wording_for(year))
        return await self._page(request, {"from_year": str(year), **current}, {})

    @post("/", name="admin:sisa_save", opt=ADMIN)
    async def save(
        self, request: Request, principal: NamedDependency[Principal]
    ) -> Template | Redirect:
        if not principal.is_superadmin:
            raise PermissionDeniedException(ONLY_THE_PORTALS_ADMIN)
        form = await request.form()
        parsed, errors = wording.parse_wording(form)
        if parsed is not None:
            year, text = parsed
            try:
                await wording.save(principal, year, text)
            except LedgerRefused as refusal:
                errors = {"form": str(refusal)}
            else:
                return redirect(
                    request,
                    url(request, "admin:sisa"),
                    f"De SiSa-teksten vanaf {year} zijn opgeslagen.",
                )
        return await self._page(request, dict(form.items()), errors, 422)

    async def _page(
        self,
        request: Request,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        return render(
            request,
            "ledger/sisa_wording.html",
            status_code=status_code,
            rows=await wording.rows(),
            fields=wording.FIELDS,
            labels={"from_year": "Vanaf jaar", **wording.FIELDS, "form": "SiSa-teksten"},
            values=values,
            errors=errors,
        )
