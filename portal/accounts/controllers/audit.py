"""The audit log of a network for its auditor (the beheerder reads it under /beheer)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Template

from portal.accounts import queries
from portal.accounts.guards import allow
from portal.accounts.layout import render
from portal.accounts.principal import NetworkRef
from portal.accounts.tables import Role
from portal.lib.forms import page_count, page_number, query_int

PER_PAGE = 50


class AuditLogController(Controller):
    path = "/n/{network:str}/logboek"

    @get("/", name="accounts:audit", opt=allow(Role.auditor))
    async def audit(
        self,
        request: Request,
        network_ref: NamedDependency[NetworkRef],
        page_text: Annotated[str | None, QueryParameter(name="pagina")] = None,
    ) -> Template:
        page = page_number(query_int(page_text))
        rows, total = await queries.audit_page(network_ref.id, page)
        return render(
            request,
            "portal/admin/audit.html",
            events=rows,
            page=page,
            pages=page_count(total, PER_PAGE),
            total=total,
            page_route="accounts:audit",
        )
