"""What waits in the books and the projects for the start page (`portal/accounts/worklist.py`):
the reports of an applicant's projects and of a region that are due or returned; for the
coordinator the payment and change requests to decide, the reports to judge, the deadlines of
the coming 60 days and the reserves near their floor. Also the names and links of projects and
budget years in a person's recent activity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import cast

from piccolo.query import Select

from ledger.books import queries
from ledger.books.deadlines import DUE_SOON_DAYS, format_due, sisa_due_date, status_of
from ledger.books.rows import AccountRow
from ledger.books.rules import account_figures, floors
from ledger.books.tables import (
    Account,
    BudgetYear,
    ChangeRequest,
    PaymentRequest,
    PaymentRequestState,
    Project,
    Report,
    ReportState,
)
from ledger.projects import changes, payment_requests, reports
from portal.accounts import worklist
from portal.accounts.tables import Role
from portal.accounts.worklist import (
    ObjectLink,
    WorkContext,
    WorkItem,
    WorkList,
    work_list,
    work_list_of,
)
from portal.lib.compiled import compiled
from portal.lib.money import format_euros
from proposals.tables import ProposalAuthor

# A reserve shows as near its floor when what it holds above the floor is less than this share
# of the floor (basis points): at the floor, below it after an "inzet onvoorzien", or just above.
NEAR_FLOOR_BP = 1000
OPEN_REPORT_STATES = [ReportState.due, ReportState.returned]


# The reads, compiled once (portal/lib/compiled.py).
REPORT_COLUMNS = (
    Report.id,
    Report.year,
    Report.due_date,
    Report.state,
    Report.final,
    Report.project.title.as_alias("title"),
)


@compiled()
def applicant_reports_query(user_id: int, network_id: int) -> Select:
    """The open reports of the projects of the person's proposals and of the later years of
    those grants."""
    authored = ProposalAuthor.select(ProposalAuthor.proposal).where(ProposalAuthor.user == user_id)
    granted = Project.select(Project.id).where(
        (Project.network == network_id) & Project.proposal_id.is_in(authored)
    )
    projects = Project.select(Project.id).where(
        (Project.network == network_id)
        & (Project.id.is_in(granted) | Project.grant_of.is_in(granted))
    )
    return (
        Report.select(*REPORT_COLUMNS)
        .where(Report.project.is_in(projects) & Report.state.is_in(OPEN_REPORT_STATES))
        .order_by(Report.due_date)
        .order_by(Report.id)
    )


@compiled()
def officer_reports_query(network_id: int, region_ids: list[int]) -> Select:
    return (
        Report.select(*REPORT_COLUMNS)
        .where(
            (Report.project.network == network_id)
            & Report.project.region_id.is_in(region_ids)
            & Report.state.is_in(OPEN_REPORT_STATES)
        )
        .order_by(Report.due_date)
        .order_by(Report.id)
    )


@compiled()
def payments_to_decide_query(network_id: int) -> Select:
    return (
        PaymentRequest.select(
            PaymentRequest.id,
            PaymentRequest.kind,
            PaymentRequest.amount_cents,
            PaymentRequest.project.title.as_alias("title"),
        )
        .where(
            (PaymentRequest.project.network == network_id)
            & (PaymentRequest.state == PaymentRequestState.requested)
        )
        .order_by(PaymentRequest.requested_at)
        .order_by(PaymentRequest.id)
    )


@compiled()
def changes_to_decide_query(network_id: int) -> Select:
    return (
        ChangeRequest.select(
            ChangeRequest.id,
            ChangeRequest.kind,
            ChangeRequest.project.title.as_alias("title"),
        )
        .where(
            (ChangeRequest.project.network == network_id)
            & (ChangeRequest.state == PaymentRequestState.requested)
        )
        .order_by(ChangeRequest.requested_at)
        .order_by(ChangeRequest.id)
    )


@compiled()
def coordinator_reports_query(network_id: int, horizon: dt.date) -> Select:
    """The reports handed in, and those open and due by `horizon`."""
    return (
        Report.select(*REPORT_COLUMNS)
        .where(
            (Report.project.network == network_id)
            & (
                (Report.state == ReportState.submitted)
                | (Report.state.is_in(OPEN_REPORT_STATES) & (Report.due_date <= horizon))
            )
        )
        .order_by(Report.due_date)
        .order_by(Report.id)
    )


@compiled()
def years_query(network_id: int) -> Select:
    return BudgetYear.select(
        BudgetYear.id,
        BudgetYear.year,
        BudgetYear.spuk_amount_cents,
        BudgetYear.unforeseen_reserve_bp,
        BudgetYear.themes_reserve_bp,
        BudgetYear.sisa_submitted_on,
        BudgetYear.spend_until,
        BudgetYear.entries_stamp,
    ).where(BudgetYear.network == network_id)


@compiled()
def accounts_of_years_query(year_ids: list[int]) -> Select:
    return Account.select().where(Account.budget_year.is_in(year_ids))


def _report_item(ctx: WorkContext, r: dict, note: str = "") -> WorkItem:
    status = status_of(r["due_date"], ctx.today, r["state"] == ReportState.submitted, False)
    if not note:
        note = "teruggestuurd" if r["state"] == ReportState.returned else ""
        note = note or ("eindverslag" if r["final"] else "verslag")
    return WorkItem(
        f"{r['title']}, verslag {r['year']}",
        ctx.url("ledger:report", report_id=r["id"]),
        note,
        due=r["due_date"],
        due_label="vóór",
        late=status == "overdue",
    )


def _same(item: WorkItem) -> WorkItem:
    return item


def _pressing(ctx: WorkContext, r: dict) -> bool:
    """Returned, late or due within `DUE_SOON_DAYS`: a report due next year waits quietly."""
    if r["state"] == ReportState.returned:
        return True
    return status_of(r["due_date"], ctx.today, False, False) in ("overdue", "due_soon")


async def applicant_work(ctx: WorkContext) -> list[WorkList]:
    """The reports of the projects of the person's proposals that the region still hands in:
    the authors write what it says, so they see it coming."""
    rows = await ctx.read(applicant_reports_query(ctx.principal.user_id, ctx.network.id))
    items = [_report_item(ctx, r) for r in rows if _pressing(ctx, r)]
    return [
        work_list(
            "applicant-reports",
            "Verantwoording van uw projecten (de regio dient in)",
            items,
            ctx.url("ledger:reports"),
        )
    ]


async def region_officer_work(ctx: WorkContext) -> list[WorkList]:
    regions = ctx.principal.region_ids(ctx.network.id, Role.region_officer)
    rows = await ctx.read(officer_reports_query(ctx.network.id, sorted(regions) or [0]))
    items = [_report_item(ctx, r) for r in rows if _pressing(ctx, r)]
    return [
        work_list(
            "officer-reports",
            "Verantwoordingsverslagen in te dienen",
            items,
            ctx.url("ledger:reports"),
        )
    ]


async def coordinator_work(ctx: WorkContext) -> list[WorkList]:
    """Two rounds of reads: the requests, the reports received or due soon and the years;
    then the accounts and sums of the years whose SiSa is still open."""
    network_id = ctx.network.id
    horizon = ctx.today + dt.timedelta(days=DUE_SOON_DAYS)
    payments, change_rows, report_rows, years = await ctx.gather(
        ctx.read(payments_to_decide_query(network_id)),
        ctx.read(changes_to_decide_query(network_id)),
        ctx.read(coordinator_reports_query(network_id, horizon)),
        ctx.read(years_query(network_id)),
    )
    payment_page = ctx.url("ledger:payment_requests")
    payment_items = [
        WorkItem(
            r["title"],
            f"{payment_page}#verzoek-{r['id']}",
            f"{payment_requests.KIND_LABELS[r['kind']].lower()} van "
            f"{format_euros(r['amount_cents'])}",
        )
        for r in payments
    ]
    change_page = ctx.url("ledger:changes")
    change_items = [
        WorkItem(
            r["title"],
            f"{change_page}#wijziging-{r['id']}",
            changes.KIND_LABELS[r["kind"]].lower(),
        )
        for r in change_rows
    ]
    received = [r for r in report_rows if r["state"] == ReportState.submitted]
    # (due date, what makes its item): only the items shown are made (work_list_of).
    deadlines: list[tuple[dt.date, Callable[[], WorkItem]]] = [
        (r["due_date"], partial(_report_item, ctx, r))
        for r in report_rows
        if r["state"] != ReportState.submitted
    ]
    for y in years:
        href = ctx.url("ledger:year", year_id=y["id"])
        if y["sisa_submitted_on"] is None and sisa_due_date(y["year"]) <= horizon:
            due = sisa_due_date(y["year"])
            sisa = WorkItem(
                f"SiSa-verantwoording {y['year']} aan het Rijk",
                href,
                format_due(due),
                due=due,
                due_label="vóór",
                late=ctx.today >= due,
            )
            deadlines.append((due, partial(_same, sisa)))
        spend_until = y["spend_until"]
        if spend_until is not None and ctx.today <= spend_until <= horizon:
            spending = WorkItem(
                f"Bestedingstermijn begroting {y['year']}",
                href,
                "het geld van dit jaar mag tot en met deze dag besteed worden",
                due=spend_until,
                due_label="t/m",
            )
            deadlines.append((spend_until, partial(_same, spending)))
    deadlines.sort(key=lambda pair: pair[0])
    reserves = await _reserves_near_floor(ctx, [y for y in years if y["sisa_submitted_on"] is None])
    reports_page = ctx.url("ledger:reports")
    return [
        work_list(
            "coordinator-payments", "Betaalverzoeken te beslissen", payment_items, payment_page
        ),
        work_list(
            "coordinator-changes", "Wijzigingsverzoeken te beslissen", change_items, change_page
        ),
        work_list_of(
            "coordinator-reports",
            "Verantwoordingsverslagen te beoordelen",
            received,
            partial(_report_item, ctx, note="ingediend, te beoordelen"),
            reports_page,
        ),
        work_list_of(
            "coordinator-deadlines",
            f"Termijnen: te laat en de komende {DUE_SOON_DAYS} dagen",
            deadlines,
            lambda pair: pair[1](),
            reports_page,
        ),
        work_list(
            "coordinator-reserves", "Reserves bij hun ondergrens", reserves, ctx.url("ledger:years")
        ),
    ]


async def _reserves_near_floor(ctx: WorkContext, years: list[dict]) -> list[WorkItem]:
    """The reserves of the years still being accounted for (SiSa not yet handed in) whose money
    above the floor is less than `NEAR_FLOOR_BP` of the floor: the accounts of those years and
    the sums of each, in one round of reads (the sums of a year whose entries did not change
    since this process last read them are taken as kept)."""
    if not years:
        return []
    years = sorted(years, key=lambda y: y["year"])
    kept = {y["id"]: queries.KEPT_ACCOUNT_SUMS.get(y["id"], y["entries_stamp"]) for y in years}
    stale = [y for y in years if kept[y["id"]] is None]
    accounts_read, *sums_read = await ctx.gather(
        ctx.read(accounts_of_years_query([y["id"] for y in years])),
        *(ctx.read(queries.account_sums_of_year_query(y["id"])) for y in stale),
    )
    for y, rows in zip(stale, sums_read, strict=True):
        queries.KEPT_ACCOUNT_SUMS.keep(y["id"], y["entries_stamp"], rows)
        kept[y["id"]] = rows
    accounts = cast("list[AccountRow]", accounts_read)
    items = []
    for y in years:
        sums = kept[y["id"]] or []
        own = [a for a in accounts if a["budget_year"] == y["id"]]
        if not own:
            continue  # not divided yet: no reserves
        figures = account_figures(queries.sums_from_rows(sums))
        info = queries.year_info_of(y, own)
        names = {a["id"]: a["name"] for a in own}
        for account_id, floor in floors(info, figures).items():
            if floor <= 0:
                continue  # a year without reserves (Zuid-West 2020 ran with 0 %)
            held = figures[account_id].budget if account_id in figures else 0
            room = held - floor
            if room * 10_000 >= floor * NEAR_FLOOR_BP:
                continue
            if room > 0:
                note = f"{format_euros(room)} boven de ondergrens van {format_euros(floor)}"
            elif room == 0:
                note = f"op de ondergrens van {format_euros(floor)}"
            else:
                note = (
                    f"{format_euros(-room)} onder de ondergrens van {format_euros(floor)} "
                    "(inzet onvoorzien)"
                )
            items.append(
                WorkItem(
                    f"{names[account_id]} {y['year']}",
                    ctx.url("ledger:year", year_id=y["id"]),
                    note,
                )
            )
    return items


async def project_links(ctx: WorkContext, ids: list[int]) -> dict[int, ObjectLink]:
    """A project's page for who reads the books; for the region and the authors, who read its
    reports, its latest report."""
    rows = await ctx.read(
        Project.select(Project.id, Project.title, Project.region_id).where(
            (Project.network == ctx.network.id) & Project.id.is_in(ids)
        )
    )
    if ctx.has_role(Role.coordinator, Role.auditor):
        return {
            r["id"]: ObjectLink(
                f"project {r['title']}", ctx.url("ledger:project", project_id=r["id"])
            )
            for r in rows
        }
    scope = await reports.scope_of(ctx.principal, ctx.network.id)
    readable = {
        r["id"]
        for r in rows
        if scope is not None
        and (r["region_id"] in scope.region_ids or r["id"] in scope.project_ids)
    }
    latest: dict[int, int] = {}
    if readable:
        for report in await ctx.read(
            Report.select(Report.id, Report.project)
            .where(Report.project.is_in(sorted(readable)))
            .order_by(Report.year)
        ):
            latest[report["project"]] = report["id"]
    return {
        r["id"]: ObjectLink(
            f"project {r['title']}",
            ctx.url("ledger:report", report_id=latest[r["id"]]) if r["id"] in latest else None,
        )
        for r in rows
    }


async def budget_year_links(ctx: WorkContext, ids: list[int]) -> dict[int, ObjectLink]:
    rows = await ctx.read(
        BudgetYear.select(BudgetYear.id, BudgetYear.year).where(
            (BudgetYear.network == ctx.network.id) & BudgetYear.id.is_in(ids)
        )
    )
    readers = ctx.has_role(Role.coordinator, Role.auditor)
    return {
        r["id"]: ObjectLink(
            f"begroting {r['year']}",
            ctx.url("ledger:year", year_id=r["id"]) if readers else None,
        )
        for r in rows
    }


def register() -> None:
    worklist.register(Role.coordinator, coordinator_work)
    worklist.register(Role.region_officer, region_officer_work)
    worklist.register(Role.applicant, applicant_work)
    worklist.register_object("project", project_links)
    worklist.register_object("budget_year", budget_year_links)
