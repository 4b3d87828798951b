"""Accountability reports: what is due (with the SiSa deadline of each year), handing reports in
(region) and judging them (coordinator)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from ledger.books import queries
from ledger.books.booking import LedgerRefused
from ledger.books.deadlines import STATUS_LABELS, format_due
from ledger.books.rows import ReportRow
from ledger.books.rules import (
    ProjectFigures,
)
from ledger.projects import report_forms, report_groups, reports, sisa
from portal.accounts import view_log
from portal.accounts.deps import provide_network, provide_principal
from portal.accounts.guards import allow
from portal.accounts.layout import query, redirect, render, url
from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.tables import Role
from portal.accounts.view_log import ViewedItem, ViewSubject
from portal.lib import clock, privacy
from portal.lib.db import required
from portal.lib.files import FileRefused, stored_for
from portal.lib.forms import money_field, page_count, page_number, query_int, text
from portal.lib.together import together
from portal.lib.uploads import accepted_upload, serve_stored

COORDINATOR = allow(Role.coordinator)
REPORTERS = allow(Role.coordinator, Role.region_officer)
# The auditor reads what the coordinator reads, and writes nothing.
READERS = allow(Role.coordinator, Role.auditor)
# The authors of a granted proposal read its reports (they write what the region hands in);
# which reports a person reads is decided per report (`_report`, `reports.scope_of`).
REPORT_READERS = allow(Role.coordinator, Role.region_officer, Role.auditor, Role.applicant)
# The report groups of the deadlines page in their order, with the query parameter of each
# group's page number.
REPORT_GROUPS: dict[str, str] = {
    "overdue": "te_laat",
    "due_soon": "binnenkort",
    "received": "ontvangen",
    "accepted": "goedgekeurd",
    "later": "later",
}
# Reports a page within each group: 25, not 50, since the groups stand one below the other
# and a coordinator's page of five full groups was 75 KB, the slowest to render (issue 19).
REPORTS_PER_PAGE = 25
REPORT_UPLOAD_BYTES = 20 * 1024 * 1024


class ReportController(Controller):
    """Accountability: what is due, handing reports in (region) and judging them (coordinator)."""

    path = "/n/{network:str}/verantwoording"

    async def _scope(self, request: Request) -> reports.ReportScope | None:
        return await reports.scope_of(provide_principal(request), provide_network(request).id)

    @get("/", name="ledger:reports", opt=REPORT_READERS)
    async def index(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template:
        network_id = network_ref.id
        reads_books = principal.has_role(network_id, Role.coordinator, Role.auditor)
        scope = await self._scope(request)
        today = clock.now().date()
        # How many reports each group holds, and the years; then the rows of each group's
        # page: the database groups, sorts and pages (issue 19: not all 800 keys in Python).
        read = await together(
            counts=report_groups.group_counts_query(network_id, scope, today),
            **({"years": sisa.sisa_years_query(network_id)} if reads_books else {}),
        )
        totals = {r["status"]: int(r["total"]) for r in read["counts"]}
        # Each group is paged on its own (?goedgekeurd=3): a network's accepted reports of past
        # years run into the hundreds (issue 8). The counts stay complete; a pager link keeps
        # the other groups' pages.
        wanted = {
            key: page_number(query_int(request.query_params.get(REPORT_GROUPS[key])))
            for key in REPORT_GROUPS
        }
        here = url(request, "ledger:reports")
        pages_shown = {REPORT_GROUPS[k]: v for k, v in wanted.items() if v > 1}
        groups: dict[str, dict[str, Any]] = {}
        for key in REPORT_GROUPS:
            total = totals.get(key, 0)
            pages = page_count(total, REPORTS_PER_PAGE)
            page = min(wanted[key], pages)

            def href(n: int, key: str = key) -> str:
                changed = query(pages_shown, **{REPORT_GROUPS[key]: n if n > 1 else None})
                return f"{here}{changed}#groep-{key}"

            groups[key] = {
                "rows": [],
                "total": total,
                "page": page,
                "pages": pages,
                "previous": href(page - 1) if page > 1 else None,
                "next": href(page + 1) if page < pages else None,
            }
        shown_pages = {key: g["page"] for key, g in groups.items() if g["total"]}
        if shown_pages:
            pages_query = report_groups.group_pages_query(
                network_id, scope, today, shown_pages, REPORTS_PER_PAGE
            )
            for row in (await together(rows=pages_query))["rows"]:
                groups[row["status"]]["rows"].append(report_groups.shown_row(row))
        return render(
            request,
            "ledger/deadlines.html",
            groups=groups,
            labels=STATUS_LABELS,
            format_due=format_due,
            sisa_years=sisa.deadlines_from(read["years"], today) if reads_books else [],
        )

    async def _report(self, request: Request, report_id: int) -> ReportRow:
        report = await reports.report_row(provide_network(request).id, report_id)
        scope = await self._scope(request)
        if report is None or (scope is not None and not scope.covers(report)):
            raise NotFoundException("Dit verslag bestaat niet, of u heeft er geen toegang toe.")
        return report

    @get("/{report_id:int}", name="ledger:report", opt=REPORT_READERS)
    async def report(self, request: Request, report_id: FromPath[int]) -> Template:
        report = await self._report(request, report_id)
        # Who read it, for the coordinator (portal/accounts/view_log.py).
        await view_log.record_view(
            provide_principal(request),
            provide_network(request).id,
            ViewSubject.report,
            report["id"],
            ViewedItem.report,
        )
        return await self._page(request, report, reports.form_values(report), {})

    async def _page(
        self,
        request: Request,
        report: ReportRow,
        values: dict,
        errors: dict,
        status_code: int = 200,
        privacy_warnings: list | None = None,
    ) -> Template:
        goals, lines = await self._goals_and_lines(report)
        # A report's project stays (on_delete restrict) and is of the report's network.
        project = required(
            await queries.project_row(provide_network(request).id, report["project"])
        )
        _, figures = await queries.year_figures(project["budget_year"])
        may_hand_in = reports.may_hand_in(
            provide_principal(request), provide_network(request).id, report["region_id"]
        )
        writing = may_hand_in and report["state"] in reports.OPEN_STATES
        # Lines that spent more than their budget: in the form as typed so far, on the page
        # of a report handed in as it was handed in.
        shown_lines = (
            report_forms.typed_lines(values, lines) if writing else report["realised_lines"] or []
        )
        return render(
            request,
            "ledger/report.html",
            attachments=await reports.attachments_of(report["id"]),
            status_code=status_code,
            report=report,
            project=project,
            f=figures.get(project["id"], ProjectFigures()),
            goals=goals,
            lines=lines,
            values=values,
            errors=errors,
            overspent=reports.overspent(shown_lines, report["year"]),
            is_coordinator=provide_principal(request).has_role(
                provide_network(request).id, Role.coordinator, Role.auditor
            ),
            views=await view_log.views_of(ViewSubject.report, report["id"])
            if view_log.may_see_views(provide_principal(request), provide_network(request).id)
            else None,
            views_limit=view_log.SHOWN_VIEWS,
            may_hand_in=may_hand_in,
            format_due=format_due,
            privacy_warnings=privacy_warnings or [],
        )

    async def _goals_and_lines(self, report: ReportRow) -> tuple[list[str], list[dict]]:
        """The goals and budget lines the report answers to: from the proposal, if any."""
        goals = [r["goal"] for r in report["results"]] if report["results"] else []
        lines = [dict(line) for line in report["realised_lines"] or []]
        proposal_id = await reports.proposal_of(report)
        if proposal_id and (not goals or not lines):
            from proposals import queries as proposal_queries
            from proposals.tables import Proposal

            proposal = (
                await Proposal.select(Proposal.goals).where(Proposal.id == proposal_id).first()
            )
            if not goals and proposal:
                goals = [g.strip(" -•\t") for g in proposal["goals"].splitlines() if g.strip()]
            if not lines:
                lines = [
                    {
                        "description": f"{bl['year']} · {bl['description']}",
                        "budget_cents": bl["amount_cents"],
                        "realised_cents": 0,
                    }
                    for bl in await proposal_queries.budget_lines_of(proposal_id)
                    if bl["year"] == report["year"]
                ] or [{"description": "Totaal", "budget_cents": 0, "realised_cents": 0}]
        if not goals:
            goals = ["Doelen van het project"]
        if not lines:
            # A direct allocation has no budget lines: the one line is what was allocated.
            lines = [
                {
                    "description": f"Toewijzing: {report['title']}",
                    "budget_cents": await reports.committed_of(report),
                    "realised_cents": 0,
                }
            ]
        return goals, lines

    @post("/{report_id:int}", name="ledger:report_submit", opt=REPORTERS)
    async def submit(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        report_id: FromPath[int],
    ) -> Template | Redirect:
        report = await self._report(request, report_id)
        if not reports.may_hand_in(principal, network_ref.id, report["region_id"]):
            raise PermissionDeniedException(reports.HAND_IN_REFUSED)
        form = await request.form()
        goals, lines = await self._goals_and_lines(report)
        data, errors = report_forms.parse_report(form, goals, lines, report["year"])
        refusals, unconfirmed = report_forms.privacy_problems(form, goals)
        errors = {**refusals, **errors}
        if not errors and not unconfirmed:
            try:
                errors = await reports.submit_report(principal, report, data)
            except LedgerRefused as error:
                errors = {"form": str(error)}
        if errors or unconfirmed:
            return await self._page(request, report, dict(form.items()), errors, 422, unconfirmed)
        message = "Het verslag is ingediend; de coördinator beoordeelt het."
        warnings = reports.overspent(data.realised_lines, report["year"])
        if warnings:
            message += " Let op, meer besteed dan begroot: " + "; ".join(warnings) + "."
        return redirect(request, url(request, "ledger:reports"), message)

    @post("/{report_id:int}/concept", name="ledger:report_draft", opt=REPORTERS)
    async def save_draft(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        report_id: FromPath[int],
    ) -> Template | Redirect:
        """Keep what is typed so far ("Concept opslaan"), incomplete or not; the form opens
        with it again. Nothing is handed in."""
        report = await self._report(request, report_id)
        if not reports.may_hand_in(principal, network_ref.id, report["region_id"]):
            raise PermissionDeniedException(reports.HAND_IN_REFUSED)
        form = await request.form()
        goals, lines = await self._goals_and_lines(report)
        values, too_long = report_forms.typed_values(form, goals, lines)
        refusals, warnings = report_forms.privacy_problems(form, goals)
        if too_long or refusals or warnings:
            errors = {**refusals, **too_long}
            return await self._page(request, report, dict(form.items()), errors, 422, warnings)
        try:
            await reports.save_draft(principal, report, values)
        except LedgerRefused as error:
            return await self._page(request, report, dict(form.items()), {"form": str(error)}, 422)
        return redirect(
            request,
            url(request, "ledger:report", report_id=report_id),
            "Het concept is opgeslagen; het verslag is nog niet ingediend.",
        )

    @post(
        "/{report_id:int}/bijlagen",
        name="ledger:report_upload",
        opt=REPORTERS,
        request_max_body_size=REPORT_UPLOAD_BYTES,
    )
    async def upload(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        report_id: FromPath[int],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Redirect:
        report = await self._report(request, report_id)
        back = url(request, "ledger:report", report_id=report_id)
        if not reports.may_hand_in(principal, network_ref.id, report["region_id"]):
            raise PermissionDeniedException(reports.HAND_IN_REFUSED)
        upload = data.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return redirect(request, back, "Kies een bestand om toe te voegen.", "error")
        try:
            content, checked, warnings = await accepted_upload(
                upload,
                REPORT_UPLOAD_BYTES,
                confirmed=privacy.confirmed(data.get("privacy_ok_file")),
            )
        except FileRefused as error:
            return redirect(request, back, f"{upload.filename[:80]}: {error}", "error")
        settings = request.app.state.settings
        try:
            async with stored_for(settings.upload_dir, content) as stored:
                await reports.add_attachment(principal, report, checked, stored, warnings)
        except LedgerRefused as error:
            return redirect(request, back, str(error), "error")
        return redirect(request, back, f"Bijlage {checked.display_name} is toegevoegd.")

    @get(
        "/{report_id:int}/bijlagen/{attachment_id:int}",
        name="ledger:report_attachment",
        opt=REPORT_READERS,
    )
    async def download(
        self, request: Request, report_id: FromPath[int], attachment_id: FromPath[int]
    ) -> Response:
        await self._report(request, report_id)
        row = next(
            (a for a in await reports.attachments_of(report_id) if a["id"] == attachment_id), None
        )
        if row is None:
            raise NotFoundException("Deze bijlage bestaat niet.")
        response = serve_stored(request.app.state.settings.upload_dir, row)
        await view_log.record_view(
            provide_principal(request),
            provide_network(request).id,
            ViewSubject.report,
            report_id,
            ViewedItem.report_attachment,
            row["id"],
            row["display_name"],
        )
        return response

    @post("/{report_id:int}/beoordelen", name="ledger:report_judge", opt=COORDINATOR)
    async def judge(
        self, request: Request, principal: NamedDependency[Principal], report_id: FromPath[int]
    ) -> Template | Redirect:
        report = await self._report(request, report_id)
        form = await request.form()
        errors: dict[str, str] = {}
        try:
            if text(form, "decision") == "return":
                await reports.return_report(principal, report, text(form, "reason", 5000))
                message = "Het verslag is teruggestuurd naar de regio."
            else:
                final = money_field(form, "final_amount", errors, required=False)
                if errors:
                    return await self._page(request, report, dict(form.items()), errors, 422)
                await reports.accept_report(principal, report, final)
                message = (
                    "Het verslag is goedgekeurd en de subsidie is vastgesteld."
                    if report["final"]
                    else "Het verslag is goedgekeurd."
                )
        except LedgerRefused as error:
            return await self._page(request, report, dict(form.items()), {"form": str(error)}, 422)
        return redirect(request, url(request, "ledger:report", report_id=report_id), message)
