"""Downloads of lists: CSV that Dutch Excel opens as it should, and the proposal list as .xlsx.

Each domain says what a list holds (`*/exports.py`: columns as (header, kind) and rows of plain
values, money in integer cents); portal/lib/xlsx.py writes those rows to a file. Every download
checks access as the page it comes from does.
"""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from ledger.books.services import budget_year
from ledger.projects import exports as ledger_exports
from portal.accounts.deps import provide_network, provide_principal
from portal.accounts.guards import allow
from portal.accounts.principal import NetworkRef
from portal.accounts.tables import Role
from portal.lib import clock
from portal.lib.downloads import download
from portal.lib.formatting import AMSTERDAM
from portal.lib.forms import clean, query_int
from portal.lib.xlsx import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, dutch_csv, xlsx_workbook
from proposals import exports as proposal_exports
from proposals import listing
from proposals import queries as proposal_queries
from proposals.access import SCOPES, list_scope
from proposals.rules import STATE_LABELS
from review import exports as review_exports

LEDGER_READERS = allow(Role.coordinator, Role.auditor)
COORDINATOR = allow(Role.coordinator)
# Who sees the proposal list; the list itself narrows it to their own scope.
LIST_READERS = allow(Role.applicant, Role.region_officer, Role.coordinator)


def _local(value: dt.datetime) -> dt.datetime:
    return clock.as_utc(value).astimezone(AMSTERDAM)


def _stamp() -> str:
    return f"{_local(clock.now()):%Y-%m-%d}"


class ExportController(Controller):
    path = "/n/{network:str}"

    async def _proposal_rows(
        self,
        request: Request,
        lijst: str | None,
        ronde: str | None,
        thema: str | None,
        regio: str | None,
        status: str | None,
        zoek: str | None,
    ) -> tuple[str, list[list]]:
        network_id = provide_network(request).id
        scope = list_scope(provide_principal(request), network_id, lijst)
        filters = listing.ListFilter(
            round_id=query_int(ronde),
            theme_id=query_int(thema),
            region_id=query_int(regio),
            state=status if status in STATE_LABELS else None,
            search=clean(zoek or "")[:100],
        )
        rows = await proposal_exports.list_rows(
            provide_principal(request), network_id, scope, filters
        )
        return scope, rows

    @get("/voorstellen/export.csv", name="proposals:export_csv", opt=LIST_READERS)
    async def proposals_csv(
        self,
        request: Request,
        network_ref: NamedDependency[NetworkRef],
        lijst: FromQuery[str | None] = None,
        ronde: FromQuery[str | None] = None,
        thema: FromQuery[str | None] = None,
        regio: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        zoek: FromQuery[str | None] = None,
    ) -> Response:
        """The proposal list as filtered on screen (the list page's query parameters)."""
        scope, rows = await self._proposal_rows(request, lijst, ronde, thema, regio, status, zoek)
        name = f"voorstellen-{network_ref.slug}-{scope}-{_stamp()}.csv"
        return download(dutch_csv(proposal_exports.LIST_COLUMNS, rows), name, CSV_MEDIA_TYPE)

    @get("/voorstellen/export.xlsx", name="proposals:export_xlsx", opt=LIST_READERS)
    async def proposals_xlsx(
        self,
        request: Request,
        network_ref: NamedDependency[NetworkRef],
        lijst: FromQuery[str | None] = None,
        ronde: FromQuery[str | None] = None,
        thema: FromQuery[str | None] = None,
        regio: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        zoek: FromQuery[str | None] = None,
    ) -> Response:
        scope, rows = await self._proposal_rows(request, lijst, ronde, thema, regio, status, zoek)
        network = network_ref
        content = xlsx_workbook(
            f"{SCOPES[scope][1]} – {network.name}",
            "Voorstellen",
            proposal_exports.LIST_COLUMNS,
            rows,
        )
        name = f"voorstellen-{network.slug}-{scope}-{_stamp()}.xlsx"
        return download(content, name, XLSX_MEDIA_TYPE)

    @get("/beoordeling/rondes/{round_id:int}/scores.csv", name="review:scores_csv", opt=COORDINATOR)
    async def review_scores_csv(
        self, request: Request, network_ref: NamedDependency[NetworkRef], round_id: FromPath[int]
    ) -> Response:
        """The scores of every review in a round, one row per reviewer and proposal."""
        if await proposal_queries.round_of(network_ref.id, round_id) is None:
            raise NotFoundException("Deze ronde bestaat niet in dit netwerk.")
        columns, rows = await review_exports.score_table(round_id)
        name = f"scores-{network_ref.slug}-ronde-{round_id}-{_stamp()}.csv"
        return download(dutch_csv(columns, rows), name, CSV_MEDIA_TYPE)

    @get(
        "/begroting/{year_id:int}/mutaties/export.csv",
        name="ledger:entries_csv",
        opt=LEDGER_READERS,
    )
    async def ledger_entries_csv(
        self,
        request: Request,
        network_ref: NamedDependency[NetworkRef],
        year_id: FromPath[int],
        soort: FromQuery[str | None] = None,
        project: FromQuery[str | None] = None,
        post_id: FromQuery[str | None] = None,
    ) -> Response:
        """The entries of a budget year, filtered as on the entries page."""
        year = await budget_year(network_ref.id, year_id)
        if year is None:
            raise NotFoundException("Dit begrotingsjaar bestaat niet in dit netwerk.")
        rows = await ledger_exports.entry_rows(
            year_id, kind=soort, project_id=query_int(project), account_id=query_int(post_id)
        )
        name = f"mutaties-{network_ref.slug}-{year['year']}-{_stamp()}.csv"
        return download(dutch_csv(ledger_exports.ENTRY_COLUMNS, rows), name, CSV_MEDIA_TYPE)
