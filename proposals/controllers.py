"""Pages of the proposals domain: rounds (coordinator) and proposals (everyone involved).

Thin: parse, authorise, call a service, render. Object-level access lives in access.py.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from ledger.books import services as ledger
from portal.accounts.events import timeline
from portal.accounts.guards import allow
from portal.accounts.layout import redirect, render, url
from portal.accounts.tables import Role
from portal.lib import clock
from portal.lib.downloads import download
from portal.lib.files import FileRefused, check_upload, stored_for
from portal.lib.formatting import from_local_input, to_local_input
from portal.lib.forms import (
    MAX_ID,
    clean,
    optional_id,
    page_count,
    page_number,
    query_int,
    text,
    whole_number,
)
from portal.lib.money import MoneyError, format_euros, parse_euros
from portal.lib.uploads import serve_stored
from portal.lib.xlsx import XLSX_MEDIA_TYPE
from proposals import forms, queries, services
from proposals.access import SCOPES, actors_for, available_lists, list_scope
from proposals.budget_workbook import BUDGET_LINE_KINDS, build_template, parse_budget_workbook
from proposals.deps import load_proposal
from proposals.eligibility import DEFAULT_THRESHOLDS_CENTS, checklist
from proposals.rules import (
    ATTACHMENT_KINDS,
    BOUWTEAM_POSITIONS,
    EXTENDS_OFFER,
    FUNCTIONS,
    PROCUREMENT_ROUTES,
    PROCUREMENT_SERVICE_KINDS,
    STATE_LABELS,
    TRANSFORMATION_GOALS,
    VIERKANT,
    Actor,
    allowed_actions,
    diff_snapshots,
    visible_timeline,
)
from proposals.views import (
    bouwteam_values,
    budget_row,
    current_values,
    line_input,
    project_years,
    rows_to_form,
    typed_values,
)

COORDINATOR = allow(Role.coordinator)
APPLICANT = allow(Role.applicant)
INVOLVED = allow(Role.applicant, Role.region_officer, Role.coordinator)
# Reading a proposal: also the reviewers assigned to it (checked per object in load_proposal).
READERS = allow(Role.applicant, Role.region_officer, Role.coordinator, Role.reviewer)
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


# --- rounds ---------------------------------------------------------------------------------


class RoundController(Controller):
    path = "/n/{network:str}"

    @get("/rondes", name="proposals:rounds", opt=COORDINATOR)
    async def rounds(self, request: Request) -> Template:
        return await self._rounds_page(request, {}, {})

    async def _rounds_page(
        self, request: Request, values: dict, errors: dict, status_code: int = 200
    ) -> Template:
        network = request.state.network
        rounds = await queries.rounds_of(network.id)
        ids = [r["id"] for r in rounds]
        themes = await queries.themes_of_rounds(ids)
        locked = await queries.rounds_with_submissions(ids)
        for r in rounds:
            r["themes"] = themes[r["id"]]
            r["locked"] = r["id"] in locked
        return render(
            request,
            "proposals/rounds.html",
            status_code=status_code,
            budget_years=await ledger.budget_years_of(network.id),
            rounds=rounds,
            values=values,
            errors=errors,
            now=clock.now(),
        )

    @post("/begrotingsjaren", name="proposals:budget_year_create", opt=COORDINATOR)
    async def create_budget_year(self, request: Request) -> Template | Redirect:
        form = await request.form()
        errors: dict[str, str] = {}
        year_text = text(form, "year")
        amount = None
        try:
            amount = parse_euros(text(form, "spuk_amount"))
        except MoneyError as error:
            errors["spuk_amount"] = str(error)
        _, problems = await ledger.create_budget_year(
            request.user,
            request.state.network.id,
            whole_number(year_text),
            amount,
            text(form, "grant_reference"),
        )
        errors = problems | errors
        if errors:
            return await self._rounds_page(request, dict(form.items()), errors, 422)
        return redirect(
            request,
            url(request, "proposals:rounds"),
            f"Begrotingsjaar {year_text} is aangemaakt.",
        )

    @get("/rondes/nieuw", name="proposals:round_new", opt=COORDINATOR)
    async def new_round(self, request: Request) -> Template:
        values = {
            "attachment_limit_mb": "10",
            "themes": [{"id": "", "name": "", "description": "", "budget": ""}],
        }
        return await self._round_form(request, values, {}, None)

    @post("/rondes/nieuw", name="proposals:round_create", opt=COORDINATOR)
    async def create_round(self, request: Request) -> Template | Redirect:
        return await self._save_round(request, None)

    @get("/rondes/{round_id:int}", name="proposals:round", opt=COORDINATOR)
    async def edit_round(self, request: Request, round_id: FromPath[int]) -> Template:
        row = await queries.round_of(request.state.network.id, round_id)
        if row is None:
            raise NotFoundException("Deze ronde bestaat niet in dit netwerk.")
        themes = await queries.themes_of(round_id)
        values = {
            "budget_year": str(row["budget_year"]),
            "title": row["title"],
            "opens_at": to_local_input(row["opens_at"]),
            "closes_at": to_local_input(row["closes_at"]),
            "attachment_limit_mb": str(row["attachment_limit_mb"]),
            "themes": [
                {
                    "id": str(t["id"]),
                    "name": t["name"],
                    "description": t["description"],
                    "budget": format_euros(t["guide_budget_cents"], symbol=False),
                }
                for t in themes
            ],
        }
        return await self._round_form(request, values, {}, row)

    @post("/rondes/{round_id:int}", name="proposals:round_update", opt=COORDINATOR)
    async def update_round(self, request: Request, round_id: FromPath[int]) -> Template | Redirect:
        return await self._save_round(request, round_id)

    async def _round_form(
        self,
        request: Request,
        values: dict,
        errors: dict,
        round_row: dict | None,
        status_code: int = 200,
    ) -> Template:
        network = request.state.network
        locked = bool(round_row) and await queries.round_has_submissions(round_row["id"])
        years = await ledger.budget_years_of(network.id)
        return render(
            request,
            "proposals/round_form.html",
            status_code=status_code,
            values=values,
            errors=errors,
            round=round_row,
            locked=locked,
            year_options=[(str(y["id"]), str(y["year"])) for y in years],
        )

    async def _save_round(self, request: Request, round_id: int | None) -> Template | Redirect:
        network = request.state.network
        form = await request.form()
        errors: dict[str, str] = {}
        themes, rows = [], []
        names, descriptions = form.getall("theme_name", []), form.getall("theme_description", [])
        budgets, ids = form.getall("theme_budget", []), form.getall("theme_id", [])
        for i, name in enumerate(names):
            row = {
                "id": ids[i] if i < len(ids) else "",
                "name": clean(name),
                "description": clean(descriptions[i]) if i < len(descriptions) else "",
                "budget": clean(budgets[i]) if i < len(budgets) else "",
            }
            if not row["name"] and not row["budget"] and not row["description"]:
                continue
            rows.append(row)
            n = len(rows)
            cents = 0
            if row["budget"]:
                try:
                    cents = parse_euros(row["budget"])
                except MoneyError as error:
                    errors[f"theme{n}_budget"] = str(error)
            themes.append(
                services.ThemeInput(
                    whole_number(row["id"], minimum=1, maximum=MAX_ID),
                    row["name"],
                    row["description"],
                    cents,
                )
            )
        opens_at = from_local_input(text(form, "opens_at"))
        closes_at = from_local_input(text(form, "closes_at"))
        if text(form, "opens_at") and opens_at is None:
            errors["opens_at"] = "Vul een geldige datum en tijd in."
        if text(form, "closes_at") and closes_at is None:
            errors["closes_at"] = "Vul een geldige datum en tijd in."
        limit = text(form, "attachment_limit_mb")
        data = services.RoundInput(
            budget_year_id=optional_id(form, "budget_year"),
            title=text(form, "title", 200),
            opens_at=opens_at,
            closes_at=closes_at,
            attachment_limit_mb=whole_number(limit, maximum=10_000),
            themes=themes,
        )
        if not errors:
            _, errors = await services.save_round(request.user, network.id, data, round_id)
        if errors:
            values = {
                k: text(form, k)
                for k in ("budget_year", "title", "opens_at", "closes_at", "attachment_limit_mb")
            }
            values["themes"] = rows or [{"id": "", "name": "", "description": "", "budget": ""}]
            row = await queries.round_of(network.id, round_id) if round_id else None
            return await self._round_form(request, values, errors, row, 422)
        return redirect(request, url(request, "proposals:rounds"), "De ronde is opgeslagen.")


# --- proposals ------------------------------------------------------------------------------


# Other domains add a section to the proposal page (the review domain: questions, decision)
# through this hook: an async function (request, proposal, actors) -> context dict with a
# "template" key, or None.
DETAIL_SECTIONS: list = []


def register_detail_section(provider) -> None:
    if provider not in DETAIL_SECTIONS:
        DETAIL_SECTIONS.append(provider)


# The same kind of hook for the first page of the edit form (similar funded projects).
EDIT_SECTIONS: list = []


def register_edit_section(provider) -> None:
    if provider not in EDIT_SECTIONS:
        EDIT_SECTIONS.append(provider)


def thresholds(request: Request) -> dict[str, int]:
    return getattr(request.app.state, "procurement_thresholds", DEFAULT_THRESHOLDS_CENTS)


async def proposal_checks(request: Request, proposal: dict, parts: queries.Parts | None = None):
    return checklist(await queries.facts_for(proposal, clock.now(), thresholds(request), parts))


class ProposalController(Controller):
    path = "/n/{network:str}/voorstellen"

    @get("/", name="proposals:list", opt=INVOLVED)
    async def index(
        self,
        request: Request,
        lijst: FromQuery[str | None] = None,
        ronde: FromQuery[str | None] = None,
        thema: FromQuery[str | None] = None,
        regio: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        zoek: FromQuery[str | None] = None,
        pagina: FromQuery[str | None] = None,
    ) -> Template:
        network = request.state.network
        roles = request.user.roles_in(network.id)
        available = available_lists(request.user, network.id)
        scope = list_scope(request.user, network.id, lijst)
        filters = queries.ListFilter(
            round_id=query_int(ronde),
            theme_id=query_int(thema),
            region_id=query_int(regio),
            state=status if status in STATE_LABELS else None,
            search=clean(zoek or "")[:100],
            page=page_number(query_int(pagina)),
        )
        rows, total = await queries.list_proposals(
            network.id,
            SCOPES[scope][0],
            request.user.user_id,
            request.user.region_ids(network.id, Role.region_officer),
            filters,
        )
        rounds = await queries.rounds_of(network.id)
        by_round = await queries.themes_of_rounds([r["id"] for r in rounds])
        themes = [t for r in rounds for t in by_round[r["id"]]]
        return render(
            request,
            "proposals/list.html",
            rows=rows,
            total=total,
            scope=scope,
            scope_title=SCOPES[scope][1],
            scopes=[(k, SCOPES[k][1]) for k in available],
            filters=filters,
            pages=page_count(total, filters.per_page),
            rounds=rounds,
            themes=themes,
            regions=await queries.region_names(network.id),
            state_labels=STATE_LABELS,
            can_create=Role.applicant in roles,
        )

    @get("/nieuw", name="proposals:new", opt=APPLICANT)
    async def new(self, request: Request) -> Template:
        return await self._new_page(request, {}, {})

    async def _new_page(
        self, request: Request, values: dict, errors: dict, status_code: int = 200
    ) -> Template:
        now = clock.now()
        rounds = [
            r
            for r in await queries.rounds_of(request.state.network.id)
            if clock.as_utc(r["closes_at"]) > now
        ]
        return render(
            request,
            "proposals/new.html",
            status_code=status_code,
            values=values,
            errors=errors,
            round_options=[(str(r["id"]), r["title"]) for r in rounds],
        )

    @post("/nieuw", name="proposals:create", opt=APPLICANT)
    async def create(self, request: Request) -> Template | Redirect:
        form = await request.form()
        network = request.state.network
        proposal_id, errors = await services.create_proposal(
            request.user, network.id, optional_id(form, "round"), text(form, "title", 300)
        )
        if errors:
            return await self._new_page(request, dict(form.items()), errors, 422)
        return redirect(
            request,
            self._edit_url(request, proposal_id, "algemeen"),
            "Het concept is aangemaakt. Alles wat u invult wordt bewaard, ook als het "
            "nog niet compleet is.",
        )

    @get("/{proposal_id:int}", name="proposals:detail", opt=READERS)
    async def detail(self, request: Request, proposal_id: FromPath[int]) -> Template:
        proposal, actors = await load_proposal(request, proposal_id)
        return render(
            request,
            "proposals/detail.html",
            **await self._detail_context(request, proposal, actors),
        )

    async def _detail_context(self, request: Request, proposal: dict, actors: set[Actor]) -> dict:
        # The checklist and the page show the same lines, bouwteam, attachments and regions.
        parts = await queries.parts_of(proposal)
        checks = await proposal_checks(request, proposal, parts)
        lines = parts.lines
        totals: dict[int, int] = {}
        for line in lines:
            totals[line["year"]] = totals.get(line["year"], 0) + line["amount_cents"]
        return {
            "p": proposal,
            "actors": {a.value for a in actors},
            "checks": checks,
            "editable": Actor.author in actors and proposal["state"] == "draft",
            "actions": allowed_actions(proposal["state"], actors),
            "bouwteam": parts.members,
            "lines": lines,
            "totals": dict(sorted(totals.items())),
            "line_total": sum(totals.values()),
            "attachments": parts.attachments,
            "authors": await queries.authors_of(proposal["id"]),
            "versions": await queries.versions_of(proposal["id"]),
            "events": visible_timeline(
                await timeline("proposal", proposal["id"]), Actor.coordinator in actors
            ),
            "regions": parts.regions,
            "extra_sections": [
                section
                for provider in DETAIL_SECTIONS
                if (section := await provider(request, proposal, actors)) is not None
            ],
            **vocabularies(),
        }

    @get("/{proposal_id:int}/afdrukken", name="proposals:print", opt=READERS)
    async def printable(self, request: Request, proposal_id: FromPath[int]) -> Template:
        proposal, actors = await load_proposal(request, proposal_id)
        return render(
            request, "proposals/print.html", **await self._detail_context(request, proposal, actors)
        )

    @get("/{proposal_id:int}/bewerken/{section:str}", name="proposals:edit", opt=INVOLVED)
    async def edit(
        self, request: Request, proposal_id: FromPath[int], section: FromPath[str]
    ) -> Template | Redirect:
        proposal, actors = await load_proposal(request, proposal_id)
        if section not in forms.SECTIONS:
            raise NotFoundException("Dit onderdeel bestaat niet.")
        if Actor.author not in actors or proposal["state"] != "draft":
            return redirect(
                request,
                self._url(request, proposal_id),
                "Dit voorstel kan nu niet worden bewerkt.",
                "warning",
            )
        return await self._edit_page(request, proposal, section, current_values(proposal), {})

    async def _edit_page(
        self,
        request: Request,
        proposal: dict,
        section: str,
        values: dict,
        errors: dict,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        network_id = proposal["network"]
        context: dict[str, Any] = {
            "p": proposal,
            "section": section,
            "sections": forms.SECTIONS,
            "values": values,
            "errors": errors,
            "checks": await proposal_checks(request, proposal),
            **vocabularies(),
            **extra,
        }
        if section == "algemeen":
            actors = await actors_for(request.user, proposal)
            # What other domains show next to the draft (the projectenbank: similar projects).
            context["extra_sections"] = [
                extra
                for provider in EDIT_SECTIONS
                if (extra := await provider(request, proposal, actors)) is not None
            ]
            context["theme_options"] = [
                (str(t["id"]), t["name"]) for t in await queries.themes_of(proposal["round"])
            ]
            context["region_options"] = [
                (str(k), v) for k, v in (await queries.region_names(network_id)).items()
            ]
            context["organisation_options"] = [
                (str(k), v) for k, v in (await queries.organisations(network_id)).items()
            ]
        if section == "criteria":
            context["region_options"] = [
                (str(k), v) for k, v in (await queries.region_names(network_id)).items()
            ]
        if section == "bouwteam" and "members" not in values:
            values.update(bouwteam_values(await queries.bouwteam_of(proposal["id"])))
        if section == "bijlagen":
            context["attachments"] = await queries.attachments_of(proposal["id"])
            context["region_options"] = [
                (str(k), v) for k, v in (await queries.region_names(network_id)).items()
            ]
        if section == "begroting":
            if values.get("rows") is None:
                values["rows"] = [
                    budget_row(line) for line in await queries.budget_lines_of(proposal["id"])
                ]
                values.setdefault("requested_amount", current_values(proposal)["requested_amount"])
            context["years"] = project_years(proposal)
            parsed = forms.parse_budget(
                rows_to_form(values.get("requested_amount", ""), values["rows"]),
                set(context["years"]),
            )
            context["totals"] = parsed.totals_per_year()
            context["total"] = parsed.total_cents
            context["requested"] = parsed.requested_amount_cents
        return render(request, "proposals/edit.html", status_code=status_code, **context)

    @post("/{proposal_id:int}/bewerken/{section:str}", name="proposals:save", opt=INVOLVED)
    async def save(
        self, request: Request, proposal_id: FromPath[int], section: FromPath[str]
    ) -> Template | Redirect:
        proposal, actors = await load_proposal(request, proposal_id)
        if section not in forms.SECTIONS:
            raise NotFoundException("Dit onderdeel bestaat niet.")
        form = await request.form()
        network_id = proposal["network"]
        if section == "begroting":
            return await self._save_budget(request, proposal, actors, form)
        if section == "bijlagen":
            return self._after_save(request, proposal_id, section, form)
        if section == "algemeen":
            themes = {t["id"] for t in await queries.themes_of(proposal["round"])}
            data = forms.parse_general(
                form,
                themes,
                set(await queries.region_names(network_id)),
                set(await queries.organisations(network_id)),
            )
        elif section == "bouwteam":
            data = forms.parse_bouwteam(form)
        elif section == "inhoud":
            data = forms.parse_content(form)
        elif section == "criteria":
            data = forms.parse_criteria(form, set(await queries.region_names(network_id)))
        else:
            data = forms.parse_procurement(form)
        if data.errors:
            return await self._edit_page(
                request, proposal, section, typed_values(form), data.errors, 422
            )
        try:
            await services.save_section(request.user, proposal, actors, section, data)
        except services.ProposalRefused as error:
            return redirect(request, self._url(request, proposal_id), str(error), "error")
        return self._after_save(request, proposal_id, section, form)

    def _after_save(self, request: Request, proposal_id: int, section: str, form) -> Redirect:
        keys = list(forms.SECTIONS)
        if text(form, "next") == "1" and keys.index(section) + 1 < len(keys):
            target = self._edit_url(request, proposal_id, keys[keys.index(section) + 1])
        else:
            target = self._edit_url(request, proposal_id, section)
        return redirect(request, target, f"Onderdeel {forms.SECTIONS[section]} is opgeslagen.")

    async def _save_budget(
        self, request: Request, proposal: dict, actors: set[Actor], form
    ) -> Template | Redirect:
        parsed = forms.parse_budget(form, set(project_years(proposal)))
        if parsed.errors:
            values = {"requested_amount": text(form, "requested_amount"), "rows": parsed.rows}
            return await self._edit_page(request, proposal, "begroting", values, parsed.errors, 422)
        try:
            await services.save_budget(
                request.user, proposal, actors, parsed.requested_amount_cents, parsed.lines
            )
        except services.ProposalRefused as error:
            return redirect(request, self._url(request, proposal["id"]), str(error), "error")
        return self._after_save(request, proposal["id"], "begroting", form)

    @post("/{proposal_id:int}/begroting/totalen", name="proposals:budget_totals", opt=INVOLVED)
    async def budget_totals(self, request: Request, proposal_id: FromPath[int]) -> Template:
        proposal, _ = await load_proposal(request, proposal_id)
        parsed = forms.parse_budget(await request.form(), set(project_years(proposal)))
        return render(
            request,
            "proposals/partials/budget_totals.html",
            totals=parsed.totals_per_year(),
            total=parsed.total_cents,
            requested=parsed.requested_amount_cents,
        )

    @get(
        "/{proposal_id:int}/begroting/sjabloon.xlsx", name="proposals:budget_template", opt=INVOLVED
    )
    async def budget_template(self, request: Request, proposal_id: FromPath[int]) -> Response:
        proposal, _ = await load_proposal(request, proposal_id)
        lines = [line_input(row) for row in await queries.budget_lines_of(proposal_id)]
        data = build_template(project_years(proposal), proposal["title"], lines)
        return download(data, f"begroting-{proposal_id}.xlsx", XLSX_MEDIA_TYPE)

    @post(
        "/{proposal_id:int}/begroting/importeren",
        name="proposals:budget_import",
        opt=INVOLVED,
        request_max_body_size=6 * 1024 * 1024,
    )
    async def budget_import(
        self,
        request: Request,
        proposal_id: FromPath[int],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        proposal, actors = await load_proposal(request, proposal_id)
        upload = data.get("file")
        values: dict = {"rows": None}
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors = {"file": "Kies het ingevulde Excel-bestand."}
            return await self._edit_page(request, proposal, "begroting", values, errors, 422)
        content = await upload.read()
        # Parsing is CPU work (seconds for a hostile file): keep it off the event loop.
        lines, problems = await anyio.to_thread.run_sync(
            parse_budget_workbook, content, set(project_years(proposal)), upload.filename
        )
        if problems:
            errors = {
                "file": "Het bestand is niet ingelezen; er is niets veranderd. Los deze "
                "punten op en probeer het opnieuw."
            }
            return await self._edit_page(
                request, proposal, "begroting", values, errors, 422, workbook_problems=problems
            )
        try:
            await services.save_budget(
                request.user,
                proposal,
                actors,
                sum(line.amount_cents for line in lines),
                lines,
                source="Excel-bestand",
            )
        except services.ProposalRefused as error:
            return redirect(request, self._url(request, proposal_id), str(error), "error")
        return redirect(
            request,
            self._edit_url(request, proposal_id, "begroting"),
            f"{len(lines)} begrotingsregels ingelezen uit {upload.filename}.",
        )

    @post(
        "/{proposal_id:int}/bijlagen",
        name="proposals:attachment_upload",
        opt=INVOLVED,
        request_max_body_size=MAX_UPLOAD_BYTES,
    )
    async def upload_attachment(
        self,
        request: Request,
        proposal_id: FromPath[int],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        proposal, actors = await load_proposal(request, proposal_id)
        upload = data.get("file")
        kind = str(data.get("kind") or "")
        region_text = str(data.get("region") or "")
        region_id = whole_number(region_text, minimum=1, maximum=MAX_ID)
        back = self._edit_url(request, proposal_id, "bijlagen")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return redirect(request, back, "Kies een bestand om toe te voegen.", "error")
        content = await upload.read()
        limit = proposal["attachment_limit_mb"] * 1024 * 1024
        try:
            checked = await anyio.to_thread.run_sync(check_upload, content, upload.filename, limit)
        except FileRefused as error:
            return redirect(request, back, f"{upload.filename[:80]}: {error}", "error")
        if region_id is not None and region_id not in await queries.region_names(
            proposal["network"]
        ):
            region_id = None
        try:
            async with stored_for(request.app.state.settings.upload_dir, content) as stored:
                await services.add_attachment(
                    request.user, proposal, actors, kind, region_id, checked, stored
                )
        except services.ProposalRefused as error:
            return redirect(request, back, str(error), "error")
        return redirect(request, back, f"Bijlage {checked.display_name} is toegevoegd.")

    @get(
        "/{proposal_id:int}/bijlagen/{attachment_id:int}", name="proposals:attachment", opt=READERS
    )
    async def download_attachment(
        self, request: Request, proposal_id: FromPath[int], attachment_id: FromPath[int]
    ) -> Response:
        await load_proposal(request, proposal_id)
        rows = await queries.attachments_of(proposal_id, include_removed=True)
        row = next((a for a in rows if a["id"] == attachment_id), None)
        if row is None:
            raise NotFoundException("Deze bijlage bestaat niet.")
        return serve_stored(request.app.state.settings.upload_dir, row)

    @post(
        "/{proposal_id:int}/bijlagen/{attachment_id:int}/verwijderen",
        name="proposals:attachment_remove",
        opt=INVOLVED,
    )
    async def remove_attachment(
        self, request: Request, proposal_id: FromPath[int], attachment_id: FromPath[int]
    ) -> Redirect:
        proposal, actors = await load_proposal(request, proposal_id)
        back = self._edit_url(request, proposal_id, "bijlagen")
        try:
            await services.remove_attachment(request.user, proposal, actors, attachment_id)
        except services.ProposalRefused as error:
            return redirect(request, back, str(error), "error")
        return redirect(request, back, "De bijlage is verwijderd.")

    @post("/{proposal_id:int}/auteurs", name="proposals:author_add", opt=INVOLVED)
    async def add_author(self, request: Request, proposal_id: FromPath[int]) -> Template | Redirect:
        proposal, actors = await load_proposal(request, proposal_id)
        form = await request.form()
        try:
            errors = await services.add_coauthor(
                request.user, proposal, actors, text(form, "email", 254), request.app.state.settings
            )
        except services.ProposalRefused as error:
            return redirect(request, self._url(request, proposal_id), str(error), "error")
        if errors:
            return redirect(
                request, self._url(request, proposal_id) + "#auteurs", errors["email"], "error"
            )
        return redirect(
            request,
            self._url(request, proposal_id) + "#auteurs",
            "De collega is toegevoegd als mede-auteur en krijgt een e-mail.",
        )

    @get("/{proposal_id:int}/indienen", name="proposals:submit", opt=INVOLVED)
    async def submit_page(self, request: Request, proposal_id: FromPath[int]) -> Template:
        proposal, actors = await load_proposal(request, proposal_id)
        return render(
            request,
            "proposals/submit.html",
            p=proposal,
            checks=await proposal_checks(request, proposal),
            may_submit=Actor.region_officer in actors and proposal["state"] == "ready",
        )

    @post("/{proposal_id:int}/stap/{action:str}", name="proposals:step", opt=INVOLVED)
    async def step(
        self, request: Request, proposal_id: FromPath[int], action: FromPath[str]
    ) -> Redirect:
        proposal, actors = await load_proposal(request, proposal_id)
        checks = await proposal_checks(request, proposal)
        try:
            state = await services.transition(
                request.user, proposal, actors, action, checks, request.app.state.settings
            )
        except services.ProposalRefused as error:
            return redirect(request, self._url(request, proposal_id), str(error), "error")
        return redirect(
            request,
            self._url(request, proposal_id),
            f"Het voorstel heeft nu de status '{STATE_LABELS[state]}'.",
        )

    @get("/{proposal_id:int}/versies/{number:int}", name="proposals:version", opt=READERS)
    async def version(
        self, request: Request, proposal_id: FromPath[int], number: FromPath[int]
    ) -> Template:
        proposal, _ = await load_proposal(request, proposal_id)
        snapshot = await queries.version_snapshot(proposal_id, number)
        if snapshot is None:
            raise NotFoundException("Deze versie bestaat niet.")
        return render(
            request,
            "proposals/version.html",
            p=proposal,
            number=number,
            snapshot=snapshot,
            versions=await queries.versions_of(proposal_id),
            labels=_snapshot_labels(),
        )

    @get("/{proposal_id:int}/vergelijk", name="proposals:compare", opt=READERS)
    async def compare(
        self,
        request: Request,
        proposal_id: FromPath[int],
        van: FromQuery[str | None] = None,
        naar: FromQuery[str | None] = None,
    ) -> Template:
        proposal, _ = await load_proposal(request, proposal_id)
        versions = await queries.versions_of(proposal_id)

        async def side(key: str | None) -> tuple[str, dict | None]:
            number = whole_number(key, minimum=1, maximum=MAX_ID)
            if number is not None:
                return f"versie {number}", await queries.version_snapshot(proposal_id, number)
            return "huidige tekst", await queries.snapshot(proposal)

        before_label, before = await side(van or (str(versions[0]["number"]) if versions else None))
        after_label, after = await side(naar)
        if before is None or after is None:
            raise NotFoundException("Deze versie bestaat niet.")
        return render(
            request,
            "proposals/compare.html",
            p=proposal,
            versions=versions,
            changes=diff_snapshots(before, after),
            before_label=before_label,
            after_label=after_label,
            van=van or "",
            naar=naar or "",
        )

    @staticmethod
    def _url(request: Request, proposal_id: int) -> str:
        return url(request, "proposals:detail", proposal_id=proposal_id)

    @staticmethod
    def _edit_url(request: Request, proposal_id: int, section: str) -> str:
        return url(request, "proposals:edit", proposal_id=proposal_id, section=section)


def _snapshot_labels() -> dict[str, str]:
    from proposals.rules import SNAPSHOT_LABELS

    return SNAPSHOT_LABELS


def vocabularies() -> dict[str, Any]:
    return {
        "FUNCTIONS": FUNCTIONS,
        "TRANSFORMATION_GOALS": TRANSFORMATION_GOALS,
        "BOUWTEAM_POSITIONS": BOUWTEAM_POSITIONS,
        "VIERKANT": VIERKANT,
        "EXTENDS_OFFER": EXTENDS_OFFER,
        "PROCUREMENT_ROUTES": PROCUREMENT_ROUTES,
        "PROCUREMENT_SERVICE_KINDS": PROCUREMENT_SERVICE_KINDS,
        "ATTACHMENT_KINDS": ATTACHMENT_KINDS,
        "STATE_LABELS": STATE_LABELS,
        "BUDGET_LINE_KINDS": BUDGET_LINE_KINDS,
    }
