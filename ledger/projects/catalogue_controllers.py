"""The projectenbank pages: search the funded projects of the network (and those shared by
other networks), read one, see the themes over the years, and export that overview."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from ledger.books import services
from ledger.projects import catalogue
from ledger.projects.catalogue import Filters
from portal.accounts.guards import LOGGED_IN, allow
from portal.accounts.layout import redirect, render, url
from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.tables import Region, Role
from portal.lib.downloads import download
from portal.lib.forms import page_number, query_int, text
from portal.lib.xlsx import XLSX_MEDIA_TYPE, xlsx_workbook
from proposals.rows import ProposalRow
from proposals.rules import FUNCTIONS, TRANSFORMATION_GOALS

STATUS_LABELS = {"running": "Loopt", "finished": "Afgerond"}


class CatalogueController(Controller):
    path = "/n/{network:str}/projectenbank"

    @get("/", name="catalogue:index", opt=LOGGED_IN)
    async def index(
        self,
        request: Request,
        network_ref: NamedDependency[NetworkRef],
        zoek: FromQuery[str | None] = None,
        thema: FromQuery[str | None] = None,
        functie: FromQuery[str | None] = None,
        doel: FromQuery[str | None] = None,
        regio: FromQuery[str | None] = None,
        jaar: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        pagina: FromQuery[str | None] = None,
    ) -> Template:
        network = network_ref
        filters = Filters(
            theme=(thema or "")[:200],
            function=functie if functie in FUNCTIONS else "",
            goal=doel if doel in TRANSFORMATION_GOALS else "",
            region=query_int(regio),
            year=query_int(jaar),
            status=status if status in STATUS_LABELS else "",
        )
        page = page_number(query_int(pagina))
        rows, total = await catalogue.search(network.id, zoek or "", filters, page)
        themes, years = await catalogue.facets(network.id)
        regions = {
            r["id"]: r["name"] for r in await Region.select().where(Region.network == network.id)
        }
        return render(
            request,
            "ledger/catalogue/index.html",
            rows=rows,
            total=total,
            search=zoek or "",
            filters=filters,
            page=page,
            pages=max(1, (total + 19) // 20),
            themes=themes,
            years=years,
            regions=regions,
            FUNCTIONS=FUNCTIONS,
            TRANSFORMATION_GOALS=TRANSFORMATION_GOALS,
            STATUS_LABELS=STATUS_LABELS,
        )

    @get("/{entry_id:int}", name="catalogue:detail", opt=LOGGED_IN)
    async def detail(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        entry_id: FromPath[int],
    ) -> Template:
        network = network_ref
        row = await catalogue.entry(network.id, entry_id)
        if row is None:
            raise NotFoundException("Dit project bestaat niet in de projectenbank van uw netwerk.")
        return render(
            request,
            "ledger/catalogue/detail.html",
            e=row,
            own=row["network"] == network.id,
            may_share=row["network"] == network.id
            and principal.has_role(network.id, Role.coordinator),
            FUNCTIONS=FUNCTIONS,
            TRANSFORMATION_GOALS=TRANSFORMATION_GOALS,
            STATUS_LABELS=STATUS_LABELS,
        )

    @post("/{entry_id:int}/delen", name="catalogue:share", opt=allow(Role.coordinator))
    async def share(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        entry_id: FromPath[int],
    ) -> Redirect:
        form = await request.form()
        problem = await catalogue.set_shared(
            principal, network_ref.id, entry_id, text(form, "shared") == "1"
        )
        back = url(request, "catalogue:detail", entry_id=entry_id)
        if problem:
            return redirect(request, back, problem, "error")
        return redirect(request, back, "De zichtbaarheid is aangepast.")

    @get("/themas", name="catalogue:themes", opt=LOGGED_IN)
    async def themes(self, request: Request, network_ref: NamedDependency[NetworkRef]) -> Template:
        return render(
            request,
            "ledger/catalogue/themes.html",
            years=await themes_over_years(network_ref.id),
        )

    @get("/themas.xlsx", name="catalogue:themes_xlsx", opt=LOGGED_IN)
    async def themes_export(
        self, request: Request, network_ref: NamedDependency[NetworkRef]
    ) -> Response:
        data = themes_workbook(await themes_over_years(network_ref.id), network_ref.name)
        return download(data, "themas-door-de-jaren.xlsx", XLSX_MEDIA_TYPE)


async def themes_over_years(network_id: int) -> list[dict]:
    """Per budget year, per theme: guide budget, funded projects, money granted and realised,
    and the reported results: material for the yearly "rode draden" analysis."""
    from proposals import queries as proposal_queries

    rows, _ = await catalogue.search(network_id, "", Filters(), 1, 100_000)
    own = [r for r in rows if r["network"] == network_id]
    years = []
    by_year = await proposal_queries.themes_by_budget_year(network_id)
    for year in await services.budget_years_of(network_id):
        themes = []
        for theme in by_year.get(year["id"], []):
            projects = [p for p in own if p["theme_id"] == theme["id"]]
            themes.append(
                {
                    "name": theme["name"],
                    "guide_budget_cents": theme["guide_budget_cents"],
                    "projects": projects,
                    "granted_cents": sum(p["granted_cents"] for p in projects),
                    "realised_cents": sum(p["realised_cents"] for p in projects),
                }
            )
        years.append({"year": year["year"], "themes": themes})
    return years


THEME_COLUMNS = (
    ("Jaar", "number"),
    ("Thema", "text"),
    ("Richtinggevend budget", "money"),
    ("Projecten", "text"),
    ("Toegekend", "money"),
    ("Gerealiseerd", "money"),
    ("Resultaten", "text"),
)


def themes_workbook(years: list[dict], network_name: str) -> bytes:
    """Through the one spreadsheet writer: project titles and results are typed by people, and
    must stay text (a title '=HYPERLINK(…)' was a live formula here once)."""
    rows = [
        [
            year["year"],
            theme["name"],
            theme["guide_budget_cents"],
            "; ".join(p["title"] for p in theme["projects"]),
            theme["granted_cents"],
            theme["realised_cents"],
            "\n".join(p["results_text"] for p in theme["projects"] if p["results_text"]),
        ]
        for year in years
        for theme in year["themes"]
    ]
    return xlsx_workbook(
        f"Thema's door de jaren — {network_name}",
        "Thema's door de jaren",
        THEME_COLUMNS,
        rows,
        widths=(8, 40, 20, 60, 16, 16, 80),
    )


async def similar_projects_section(
    request: Request, proposal: ProposalRow, actors: set
) -> dict | None:
    """While drafting, the authors see funded projects like theirs (theme and words)."""
    from proposals.rules import Actor

    if Actor.author not in actors or proposal["state"] not in ("draft", "ready"):
        return None
    rows = await catalogue.similar(
        proposal["network"],
        proposal["theme"],
        f"{proposal['title']} {proposal['summary']} {proposal['goals']}",
        proposal["id"],
    )
    if not rows:
        return None
    return {"template": "ledger/catalogue/similar.html", "projects": rows}
