"""The budget section's own routes: the running totals (htmx), the Excel template and reading
a filled-in workbook back."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from portal.accounts.layout import redirect, render
from portal.accounts.principal import Principal
from portal.lib import privacy
from portal.lib.downloads import download
from portal.lib.xlsx import XLSX_MEDIA_TYPE
from proposals import forms, queries, services
from proposals.budget_reader import parse_budget_workbook
from proposals.budget_template import build_template
from proposals.budget_workbook import BUDGET_LINE_KINDS, MAX_FILE_BYTES, WorkbookProblem
from proposals.controllers.common import INVOLVED, SEEN, detail_url, edit_url
from proposals.controllers.sections import BUDGET, edit_page
from proposals.deps import SeenProposal
from proposals.views import line_input, project_years


class BudgetController(Controller):
    path = "/n/{network:str}/voorstellen/{proposal_id:int}/begroting"
    dependencies = SEEN

    @post("/totalen", name="proposals:budget_totals", opt=INVOLVED)
    async def budget_totals(
        self, request: Request, seen: NamedDependency[SeenProposal]
    ) -> Template:
        form = await request.form()
        parsed = forms.parse_budget(form, set(project_years(seen.proposal)))
        return render(
            request,
            "proposals/partials/budget_totals.html",
            totals=parsed.totals_per_year(),
            total=parsed.total_cents,
            requested=parsed.requested_amount_cents,
            row_amounts=parsed.row_amounts,
            row_count=min(len(form.getall("kind", [])), forms.MAX_BUDGET_ROWS),
        )

    @post("/regel", name="proposals:budget_row", opt=INVOLVED)
    async def budget_row(self, request: Request, seen: NamedDependency[SeenProposal]) -> Template:
        """One more empty row (htmx), numbered after the rows the form has now."""
        form = await request.form()
        count = len(form.getall("kind", []))
        return render(
            request,
            "proposals/partials/budget_row.html",
            n=min(count, forms.MAX_BUDGET_ROWS) + 1,
            row=dict.fromkeys(("kind", "year", "description", "hours", "rate", "amount"), ""),
            errors={},
            years=project_years(seen.proposal),
            BUDGET_LINE_KINDS=BUDGET_LINE_KINDS,
        )

    @get("/sjabloon.xlsx", name="proposals:budget_template", opt=INVOLVED)
    async def budget_template(self, seen: NamedDependency[SeenProposal]) -> Response:
        proposal = seen.proposal
        lines = [line_input(row) for row in await queries.budget_lines_of(proposal["id"])]
        data = build_template(project_years(proposal), proposal["title"], lines)
        return download(data, f"begroting-{proposal['id']}.xlsx", XLSX_MEDIA_TYPE)

    @post(
        "/importeren",
        name="proposals:budget_import",
        opt=INVOLVED,
        request_max_body_size=6 * 1024 * 1024,
    )
    async def budget_import(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        seen: NamedDependency[SeenProposal],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        proposal, actors = seen
        upload = data.get("file")
        values: dict[str, Any] = {"rows": None}
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors = {"file": "Kies het ingevulde Excel-bestand."}
            return await edit_page(request, proposal, actors, BUDGET, values, errors, 422)
        # Never more than the reader takes: a larger file is refused by its size.
        content = await upload.read(MAX_FILE_BYTES + 1)
        # Parsing is CPU work (seconds for a hostile file): keep it off the event loop.
        lines, problems = await anyio.to_thread.run_sync(
            parse_budget_workbook, content, set(project_years(proposal)), upload.filename
        )
        # A BSN in a line's description is refused as in the form (DESIGN §2.11).
        screening = privacy.screen({str(n): line.description for n, line in enumerate(lines, 1)})
        problems += [
            WorkbookProblem("", None, None, f"Regel {n}: {message}")
            for n, message in screening.refusals.items()
        ]
        if problems:
            errors = {
                "file": "Het bestand is niet ingelezen; er is niets veranderd. Los deze "
                "punten op en probeer het opnieuw."
            }
            return await edit_page(
                request, proposal, actors, BUDGET, values, errors, 422, workbook_problems=problems
            )
        try:
            await services.save_budget(
                principal,
                proposal,
                actors,
                sum(line.amount_cents for line in lines),
                lines,
                source="Excel-bestand",
            )
        except services.ProposalRefused as error:
            return redirect(request, detail_url(request, proposal["id"]), str(error), "error")
        return redirect(
            request,
            edit_url(request, proposal["id"], BUDGET.key),
            f"{len(lines)} begrotingsregels ingelezen uit {upload.filename}.",
        )
