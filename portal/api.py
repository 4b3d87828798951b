"""The read-only JSON API for the municipality's finance and reporting systems: `/api/v1/...`.

Who is asking: a personal API token in `Authorization: Bearer …` (portal/accounts/api_tokens.py).
`BearerTokenMiddleware` turns it into the Principal of its user, carrying only their coordinator
roles, in `scope["user"]` (what SessionMiddleware does for a browser; a session cookie counts
for nothing here) and answers 401 itself when the token is missing, unknown or revoked.
What they may read: every handler declares `opt=COORDINATOR`, and the app-wide guard decides as
for pages (portal/accounts/guards.py): a network in the path must be one of the token user's
networks, else 404, so another network's data never comes back.

Money is always integer cents; dates and times are ISO 8601 (times in UTC).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar import Controller, MediaType, Request, Response, Router, get
from litestar.datastructures import ResponseHeader
from litestar.exceptions import NotFoundException, ValidationException
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, OpenAPIType, SecurityScheme
from litestar.params import PathParameter, QueryParameter
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    Scope,
    Send,
)

from ledger.books.deadlines import STATUS_LABELS
from ledger.books.rules import ENTRY_KINDS, AccountFigures
from ledger.projects import exports as ledger_exports
from portal.accounts.api_tokens import TokenRefused, authenticate
from portal.accounts.guards import OUT_OF_RANGE_IS_INVALID, PUBLIC, allow
from portal.accounts.queries import network_row, regions_of
from portal.accounts.tables import Role
from portal.lib import clock
from proposals import exports as proposal_exports
from proposals.rules import STATE_LABELS
from review.queries import decisions_by_proposal

COORDINATOR = allow(Role.coordinator)
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
# Every integer parameter is bounded in its declaration, so Litestar answers 400 before a query
# runs: ids are PostgreSQL `integer` (int4) columns, which refuse anything beyond 2^31 - 1 with
# an error (SQLite beyond 2^63 - 1), and a year is one that a date can hold.
MAX_ID = 2_147_483_647
MIN_YEAR, MAX_YEAR = 1, 9999
API_VERSION = "1.0.0"
REPORT_STATUS_LABELS = {
    "due": "Nog in te dienen",
    "overdue": STATUS_LABELS["overdue"],
    "received": STATUS_LABELS["received"],
    "accepted": STATUS_LABELS["accepted"],
}


# --- who is asking ----------------------------------------------------------------------------


def bearer_secret(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"authorization":
            scheme, _, secret = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and secret.strip():
                return secret.strip()
    return None


class BearerTokenMiddleware:
    """Puts the Principal of the request's API token in scope["user"], or answers 401."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope["user"] = None  # a session cookie never opens the API
            secret = bearer_secret(scope)
            if secret is None:
                await _unauthorized(
                    send, "Stuur een API-sleutel mee: Authorization: Bearer <sleutel>."
                )
                return
            try:
                scope["user"] = await authenticate(secret)
            except TokenRefused as refused:
                await _unauthorized(send, str(refused))
                return
        await self.app(scope, receive, send)


async def _unauthorized(send: Send, detail: str) -> None:
    # The same body as every other API error (portal/accounts/errors.py), plus the challenge of
    # RFC 6750.
    body = msgspec.json.encode({"status_code": 401, "detail": detail})
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 401,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"www-authenticate", b'Bearer realm="fondsportaal"'),
            (b"cache-control", b"no-store"),
        ],
    }
    await send(start)
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(end)


def invalid_input(request: Request, exc: ValidationException) -> Response:
    """A query parameter that cannot be read: which one, in Dutch, as JSON."""
    names = sorted(
        {str(e.get("key")) for e in exc.extra or [] if isinstance(e, dict) and e.get("key")}
    )
    if names:
        detail = "Ongeldige waarde voor: " + ", ".join(names) + "."
    else:
        detail = str(exc.detail or "Ongeldige aanvraag.")
    return Response(
        {"status_code": 400, "detail": detail}, status_code=400, media_type=MediaType.JSON
    )


# --- what comes back --------------------------------------------------------------------------


class ApiError(msgspec.Struct):
    status_code: int
    detail: str


class RegionOut(msgspec.Struct):
    id: int
    name: str


class NetworkOut(msgspec.Struct):
    slug: str
    name: str
    coordinating_municipality: str
    years: list[int]
    regions: list[RegionOut]


class LineOut(msgspec.Struct):
    """A line of the budget: a process-cost line, a theme, a reserve or learning."""

    code: str
    kind: str
    name: str
    theme_id: int | None
    budget_cents: int
    committed_cents: int
    paid_cents: int
    realised_cents: int
    released_cents: int
    available_cents: int
    floor_cents: int | None


class CategoryOut(msgspec.Struct):
    """A category of the SPUK budget with the sums of its lines."""

    key: str
    name: str
    budget_cents: int
    committed_cents: int
    paid_cents: int
    realised_cents: int
    released_cents: int
    available_cents: int
    floor_cents: int | None
    lines: list[LineOut]


class YearOut(msgspec.Struct):
    network: str
    year: int
    spuk_cents: int
    grant_reference: str
    unforeseen_reserve_bp: int
    themes_reserve_bp: int
    divided: bool
    categories: list[CategoryOut]


class ProposalOut(msgspec.Struct):
    id: int
    title: str
    state: str
    state_label: str
    version: int
    year: int
    round: str
    theme_id: int | None
    theme: str | None
    region_id: int | None
    region: str | None
    lead_organisation: str | None
    submitted_at: dt.datetime | None
    requested_cents: int | None
    granted_cents: int | None
    decision: str | None
    decision_date: dt.date | None
    decision_reference: str | None
    project_id: int | None


class ProposalPage(msgspec.Struct):
    items: list[ProposalOut]
    page: int
    per_page: int
    total: int
    pages: int


class LedgerEntryOut(msgspec.Struct):
    id: int
    year: int
    booked_on: dt.date
    kind: str
    kind_label: str
    account_code: str
    account: str
    counter_account_code: str | None
    counter_account: str | None
    project_id: int | None
    project: str | None
    amount_cents: int
    reverses: int | None
    reason: str
    document_reference: str
    created_by: str | None
    created_at: dt.datetime


class LedgerEntryPage(msgspec.Struct):
    items: list[LedgerEntryOut]
    page: int
    per_page: int
    total: int
    pages: int


class ReportOut(msgspec.Struct):
    id: int
    project_id: int
    project: str
    region: str | None
    budget_year: int
    year: int
    final: bool
    due_date: dt.date
    status: str
    status_label: str
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    realised_cents: int | None


class ReportList(msgspec.Struct):
    counts: dict[str, int]
    items: list[ReportOut]


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else clock.as_utc(value)


def _figures(f: AccountFigures) -> dict[str, int]:
    return {
        "budget_cents": f.budget,
        "committed_cents": f.committed,
        "paid_cents": f.paid,
        "realised_cents": f.realised,
        "released_cents": f.released,
        "available_cents": f.available,
    }


def _paging(page: int, per_page: int) -> tuple[int, int]:
    # The declarations already refuse what is out of range (400); only per_page is capped.
    return page, min(per_page, MAX_PER_PAGE)


def _pages(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


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
        return ProposalPage(items, page, per_page, total, _pages(total, per_page))

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
        return LedgerEntryPage(items, page, per_page, total, _pages(total, per_page))

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


# --- the documentation ------------------------------------------------------------------------

# Swagger UI comes from a CDN and starts with an inline script; only these pages may load it.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'"
)


def openapi_config() -> OpenAPIConfig:
    """The OpenAPI schema of the API (only routes that opt in: the app sets
    include_in_schema=False), with Swagger UI at /api/docs and the JSON at
    /api/docs/openapi.json. The documentation itself is public; the data is not."""
    return OpenAPIConfig(
        title="Fondsportaal API",
        version=API_VERSION,
        description=(
            "Alleen-lezen API voor de financiële en rapportagesystemen van de gemeente. "
            "Gebruik een persoonlijke API-sleutel (Authorization: Bearer …) die een coördinator "
            "maakt onder 'API-sleutels'. Bedragen zijn altijd hele centen."
        ),
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(
                    type="http", scheme="bearer", description="Persoonlijke API-sleutel"
                )
            }
        ),
        # Swagger UI from our own static files: no visitor is ever sent to a third party.
        render_plugins=[
            SwaggerRenderPlugin(
                path="/",
                js_url="/static/vendor/swagger/swagger-ui-bundle.js",
                css_url="/static/vendor/swagger/swagger-ui.css",
                standalone_preset_js_url="/static/vendor/swagger/swagger-ui-standalone-preset.js",
                favicon="",
            )
        ],
        openapi_router=Router(
            path="/api/docs",
            route_handlers=[],
            opt=PUBLIC,
            include_in_schema=False,
            response_headers=[ResponseHeader(name="content-security-policy", value=DOCS_CSP)],
        ),
    )
