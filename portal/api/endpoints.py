"""The endpoints under /api/v1, read-only, for coordinators with a personal token."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from litestar import Controller, Request, Router, get
from litestar.datastructures import ResponseHeader
from litestar.exceptions import NotFoundException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIType
from litestar.params import PathParameter, QueryParameter

from ledger.books.rules import ENTRY_KINDS
from ledger.projects import exports as ledger_exports
from portal.accounts.guards import OUT_OF_RANGE_IS_INVALID
from portal.accounts.queries import network_row, regions_of
from portal.api.auth import BearerTokenMiddleware, invalid_input
from portal.api.common import (
    COORDINATOR,
    DEFAULT_PER_PAGE,
    MAX_ID,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_YEAR,
    MIN_YEAR,
    REPORT_STATUS_LABELS,
)
from portal.api.schemas import (
    ApiError,
    CategoryOut,
    CriterionOut,
    CriterionStatsOut,
    LedgerEntryOut,
    LedgerEntryPage,
    LineOut,
    NetworkOut,
    ProposalOut,
    ProposalPage,
    ProposalScoresOut,
    RegionOut,
    ReportList,
    ReportOut,
    RoundScoresOut,
    YearOut,
    _figures,
    _paging,
    _utc,
)
from portal.lib import clock
from portal.lib.forms import page_count
from proposals import exports as proposal_exports
from proposals.queries import round_of
from proposals.rules import STATE_LABELS
from review.exports import round_statistics
from review.queries import decisions_by_proposal

# --- the endpoints ----------------------------------------------------------------------------

ERRORS = {
    400: ResponseSpec(ApiError, description="Ongeldige parameter", generate_examples=False),
    401: ResponseSpec(
        ApiError,
        description="Geen, een onbekende of een ingetrokken API-sleutel",
        generate_examples=False,
    ),
    404: ResponseSpec(
        ApiError,
        description="Het netwerk (of jaar) bestaat niet of valt buiten de sleutel",
        generate_examples=False,
    ),
}
NetworkSlug = Annotated[str, PathParameter(description="Het netwerk, bijvoorbeeld zuid-west.")]
RoundInPath = Annotated[int, PathParameter(description="De ronde (id).", ge=1, le=MAX_ID)]
YearInPath = Annotated[
    int, PathParameter(description="Het begrotingsjaar.", ge=MIN_YEAR, le=MAX_YEAR)
]
Page = Annotated[
    int, QueryParameter(description=f"Pagina, 1 tot en met {MAX_PAGE}.", ge=1, le=MAX_PAGE)
]
# More than the maximum is not an error: the page is simply the largest there is.
PerPage = Annotated[
    int,
    QueryParameter(
        description=f"Aantal per pagina, vanaf 1; meer dan {MAX_PER_PAGE} wordt {MAX_PER_PAGE}.",
        ge=1,
    ),
]


def optional_query(
    description: str,
    kind: OpenAPIType,
    *,
    name: str | None = None,
    choices: list[str] | None = None,
    ge: int | None = None,
    le: int | None = None,
) -> QueryParameter:
    """An optional filter. Litestar would declare `int | None` as `oneOf: [integer, null]`, a
    value no query string can carry, so that clients (and schemathesis) would send `null` or
    an empty value: the filter is declared as its plain type, and is simply left out."""
    extra: dict[str, object] = {"one_of": None, "type": kind}
    if choices is not None:
        # Declared for clients; the handler itself refuses other values with the choices in Dutch.
        extra["enum"] = choices
    return QueryParameter(name=name, description=description, schema_extra=extra, ge=ge, le=le)


def year_filter(description: str) -> QueryParameter:
    return optional_query(description, OpenAPIType.INTEGER, ge=MIN_YEAR, le=MAX_YEAR)


def id_filter(description: str) -> QueryParameter:
    return optional_query(description, OpenAPIType.INTEGER, ge=1, le=MAX_ID)


class ApiController(Controller):
    """The endpoints; api_router() below gives them their path, authentication and errors."""

    path = "/"

    @get("/networks", name="api:networks", opt=COORDINATOR, responses=ERRORS)
    async def networks(self, request: Request) -> list[NetworkOut]:
        """The networks the token reaches: those in which its user is coordinator."""
        refs = request.user.networks()
        years = await ledger_exports.years_by_network([n.id for n in refs])
        result = []
        for ref in refs:
            row = await network_row(ref.id)
            result.append(
                NetworkOut(
                    slug=ref.slug,
                    name=ref.name,
                    coordinating_municipality=row["coordinating_municipality"] if row else "",
                    years=years[ref.id],
                    regions=[RegionOut(r["id"], r["name"]) for r in await regions_of(ref.id)],
                )
            )
        return result

    @get(
        "/networks/{network:str}/years/{year:int}",
        name="api:year",
        opt=COORDINATOR,
        responses=ERRORS,
    )
    async def year(self, request: Request, network: NetworkSlug, year: YearInPath) -> YearOut:
        """A budget year: the SPUK amount and, per category and per line (process-cost line,
        theme, reserve), budget, committed, paid, realised, released, available and the
        reserve floor."""
        row = await ledger_exports.budget_year_of(request.state.network.id, year)
        if row is None:
            raise NotFoundException(f"Dit netwerk heeft geen begrotingsjaar {year}.")
        categories = await ledger_exports.year_categories(row["id"])
        return YearOut(
            network=request.state.network.slug,
            year=row["year"],
            spuk_cents=row["spuk_amount_cents"],
            grant_reference=row["grant_reference"],
            unforeseen_reserve_bp=row["unforeseen_reserve_bp"],
            themes_reserve_bp=row["themes_reserve_bp"],
            divided=bool(categories),
            categories=[
                CategoryOut(
                    key=c.key,
                    name=c.label,
                    **_figures(c.figures),
                    floor_cents=c.floor_cents,
                    lines=[
                        LineOut(
                            code=line.code,
                            kind=line.kind,
                            name=line.name,
                            theme_id=line.theme_id,
                            **_figures(line.figures),
                            floor_cents=line.floor_cents,
                        )
                        for line in c.lines
                    ],
                )
                for c in categories
            ],
        )

    @get(
        "/networks/{network:str}/proposals", name="api:proposals", opt=COORDINATOR, responses=ERRORS
    )
    async def proposals(
        self,
        request: Request,
        network: NetworkSlug,
        year: Annotated[int | None, year_filter("Begrotingsjaar van de ronde.")] = None,
        # `state` is a name Litestar keeps for itself: the query parameter is renamed.
        state_filter: Annotated[
            str | None,
            optional_query(
                "Status: " + ", ".join(STATE_LABELS) + ".",
                OpenAPIType.STRING,
                choices=list(STATE_LABELS),
                name="state",
            ),
        ] = None,
        region: Annotated[int | None, id_filter("Regio (id, zie /networks).")] = None,
        page: Page = 1,
        per_page: PerPage = DEFAULT_PER_PAGE,
    ) -> ProposalPage:
        """The proposals that were submitted to the network (drafts stay with their authors),
        with the requested and granted amounts and the decision."""
        if state_filter is not None and state_filter not in STATE_LABELS:
            raise ValidationException(
                f"Onbekende status '{state_filter}'. Kies uit: {', '.join(STATE_LABELS)}."
            )
        page, per_page = _paging(page, per_page)
        rows, total = await proposal_exports.submitted_proposals(
            request.state.network.id,
            year=year,
            state=state_filter,
            region_id=region,
            page=page,
            per_page=per_page,
        )
        ids = [r["id"] for r in rows]
        decisions = await decisions_by_proposal(ids)
        projects = await ledger_exports.project_ids_by_proposal(ids)
        items = []
        for r in rows:
            decision = decisions.get(r["id"])
            items.append(
                ProposalOut(
                    id=r["id"],
                    title=r["title"],
                    state=r["state"],
                    state_label=STATE_LABELS.get(r["state"], r["state"]),
                    version=r["version"],
                    year=r["year"],
                    round=r["round_title"],
                    theme_id=r["theme_id"],
                    theme=r["theme_name"],
                    region_id=r["region_id"],
                    region=r["region_name"],
                    lead_organisation=r["lead_organisation_name"],
                    submitted_at=_utc(r["submitted_at"]),
                    requested_cents=r["requested_amount_cents"],
                    granted_cents=decision["amount_cents"] if decision else None,
                    decision=decision["outcome"] if decision else None,
                    decision_date=decision["decision_date"] if decision else None,
                    decision_reference=(decision["reference"] or None) if decision else None,
                    project_id=projects.get(r["id"]),
                )
            )
        return ProposalPage(items, page, per_page, total, page_count(total, per_page))

    @get(
        "/networks/{network:str}/ledger-entries",
        name="api:ledger_entries",
        opt=COORDINATOR,
        responses=ERRORS,
    )
    async def ledger_entries(
        self,
        request: Request,
        network: NetworkSlug,
        year: Annotated[int | None, year_filter("Begrotingsjaar.")] = None,
        kind: Annotated[
            str | None,
            optional_query(
                "Soort: " + ", ".join(ENTRY_KINDS) + ".",
                OpenAPIType.STRING,
                choices=list(ENTRY_KINDS),
            ),
        ] = None,
        project: Annotated[int | None, id_filter("Project (project_id).")] = None,
        page: Page = 1,
        per_page: PerPage = DEFAULT_PER_PAGE,
    ) -> LedgerEntryPage:
        """The ledger entries, oldest first. Entries are never changed: a correction is a new
        entry with the opposite sign that names the entry it reverses."""
        if kind is not None and kind not in ENTRY_KINDS:
            raise ValidationException(
                f"Onbekende soort '{kind}'. Kies uit: {', '.join(ENTRY_KINDS)}."
            )
        page, per_page = _paging(page, per_page)
        rows, total = await ledger_exports.entries_of_network(
            request.state.network.id,
            year=year,
            kind=kind,
            project_id=project,
            page=page,
            per_page=per_page,
        )
        items = [
            LedgerEntryOut(
                id=e["id"],
                year=e["year"],
                booked_on=e["booked_on"],
                kind=e["kind"],
                kind_label=ENTRY_KINDS.get(e["kind"], e["kind"]),
                account_code=e["account_code"],
                account=e["account_name"],
                counter_account_code=e["counter_account_code"],
                counter_account=e["counter_account_name"],
                project_id=e["project"],
                project=e["project_title"],
                amount_cents=e["sign"] * e["amount_cents"],
                reverses=e["reverses"],
                reason=e["reason"],
                document_reference=e["document_reference"],
                created_by=e["created_by_name"],
                created_at=clock.as_utc(e["created_at"]),
            )
            for e in rows
        ]
        return LedgerEntryPage(items, page, per_page, total, page_count(total, per_page))

    @get("/networks/{network:str}/reports", name="api:reports", opt=COORDINATOR, responses=ERRORS)
    async def reports(self, request: Request, network: NetworkSlug) -> ReportList:
        """The accountability reports of the funded projects and where each stands today: due,
        overdue (its date has passed), received (awaiting judgement) or accepted."""
        rows = await ledger_exports.report_rows(request.state.network.id, clock.now().date())
        items = [
            ReportOut(
                id=r["id"],
                project_id=r["project"],
                project=r["title"],
                region=r["region_name"],
                budget_year=r["budget_year"],
                year=r["year"],
                final=bool(r["final"]),
                due_date=r["due_date"],
                status=r["status"],
                status_label=REPORT_STATUS_LABELS[r["status"]],
                submitted_at=_utc(r["submitted_at"]),
                accepted_at=_utc(r["reviewed_at"]) if r["state"] == "accepted" else None,
                realised_cents=(
                    r["realised_cents"] if r["state"] in ("submitted", "accepted") else None
                ),
            )
            for r in rows
        ]
        counts = {status: 0 for status in REPORT_STATUS_LABELS}
        for item in items:
            counts[item.status] += 1
        return ReportList(counts, items)

    @get(
        "/networks/{network:str}/rounds/{round_id:int}/scores",
        name="api:round_scores",
        opt=COORDINATOR,
        responses=ERRORS,
    )
    async def round_scores(
        self, request: Request, network: NetworkSlug, round_id: RoundInPath
    ) -> RoundScoresOut:
        """The round's criteria set (as it opened with it) and, per proposal, the statistics
        of the submitted reviews of its current version on that set: per scored criterion the
        count, mean, median, minimum, maximum and spread; the weighted overall mean; the
        pass/fail criteria failed and whether an excluding one excludes it."""
        round_row = await round_of(request.state.network.id, round_id)
        if round_row is None:
            raise NotFoundException("Deze ronde bestaat niet in dit netwerk.")
        criteria, rows = await round_statistics(round_id)
        return RoundScoresOut(
            round_id=round_id,
            round=round_row["title"],
            criteria=[
                CriterionOut(c.code, c.name, str(c.scale), c.weight, c.excluding) for c in criteria
            ],
            proposals=[
                ProposalScoresOut(
                    id=p["id"],
                    title=p["title"],
                    state=p["state"],
                    reviews_submitted=count,
                    criteria=[
                        CriterionStatsOut(
                            code=code,
                            count=st.count,
                            mean=_decimal(st.mean),
                            median=_decimal(st.median),
                            minimum=st.minimum,
                            maximum=st.maximum,
                            spread=st.spread,
                        )
                        for code, st in stats.criteria.items()
                    ],
                    overall_mean=_decimal(stats.overall_mean),
                    failing={k: len(v) for k, v in stats.precondition_failures.items()},
                    excluded_by=list(stats.excluded_by),
                    recommendations=stats.recommendations,
                )
                for p, count, stats in rows
            ],
        )


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def api_router() -> Router:
    """The API under /api/v1: bearer-token authentication, JSON errors, in the OpenAPI schema."""
    return Router(
        path="/api/v1",
        route_handlers=[ApiController],
        middleware=[BearerTokenMiddleware],
        exception_handlers={ValidationException: invalid_input},
        opt={OUT_OF_RANGE_IS_INVALID: True},
        include_in_schema=True,
        security=[{"bearer": []}],
        tags=["API v1"],
        # Figures of a network: for the system that asked, not for caches on the way.
        response_headers=[ResponseHeader(name="cache-control", value="no-store")],
    )
