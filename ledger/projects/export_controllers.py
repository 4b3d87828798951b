"""Downloads of the ledger: the SPUK workbook of a budget year (DESIGN §2.6)."""

from __future__ import annotations

import functools

import anyio.to_thread
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from ledger.books import services
from ledger.projects import spuk
from portal.accounts.guards import allow
from portal.accounts.principal import NetworkRef
from portal.accounts.tables import Role
from portal.lib import clock
from portal.lib.downloads import download


class SpukExportController(Controller):
    path = "/n/{network:str}/begroting"

    @get("/{year_id:int}/spuk.xlsx", name="ledger:spuk", opt=allow(Role.coordinator, Role.auditor))
    async def spuk_workbook(
        self, request: Request, network_ref: NamedDependency[NetworkRef], year_id: FromPath[int]
    ) -> Response[bytes]:
        network = network_ref
        year = await services.budget_year(network.id, year_id)
        if year is None:
            raise NotFoundException("Dit begrotingsjaar bestaat niet in dit netwerk.")
        data = await spuk.gather(network.id, year["year"])
        # Writing a large year is seconds of CPU work: keep it off the event loop.
        content = await anyio.to_thread.run_sync(
            functools.partial(spuk.build_workbook, data, exported_at=clock.now())
        )
        return download(content, spuk.file_name(data), spuk.MEDIA_TYPE)
