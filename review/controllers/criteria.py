"""The network's procedure: its criteria set (what reviewers score new rounds on), its panel
(the kinds of reviewer and how many of each a proposal needs) and its decision route (who
advises, who decides)."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from portal.accounts.guards import allow
from portal.accounts.layout import redirect, render, url
from portal.accounts.letter_texts import FIELDS, LETTER_KIND_LABELS, LetterKind, texts_from_json
from portal.accounts.letters import compose
from portal.accounts.panel import MAX_KINDS
from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.queries import network_panel, network_row
from portal.accounts.tables import Role
from portal.lib.db import required
from portal.lib.downloads import download
from portal.lib.file_checks import FileRefused
from portal.lib.forms import text
from portal.lib.letters import LOGO_MAX_BYTES, logo_data_uri, pdf_from_html
from portal.lib.uploads import read_upload
from proposals.criteria import MAX_CRITERIA, SCALE_LABELS, Criteria
from review import criteria_services, queries
from review.route import MAX_STEPS, route_problems, with_names

# The coordinator runs the procedure; the beheerder sets a network up.
KEEPERS = allow(Role.coordinator, Role.admin)
ADDRESS_LIMIT = 500  # the letterhead's address: a few lines


class CriteriaController(Controller):
    path = "/n/{network:str}/beoordeling/criteria"

    @get("/", name="review:criteria", opt=KEEPERS)
    async def show(self, request: Request, network_ref: NamedDependency[NetworkRef]) -> Template:
        criteria = await criteria_services.network_set(network_ref.id)
        return self._page(request, criteria, criteria_services.form_values(criteria), {})

    @post("/", name="review:criteria_save", opt=KEEPERS)
    async def save(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template | Redirect:
        form = await request.form()
        criteria, problems = criteria_services.parse_set(form)
        if problems:
            values = {k: v for k, v in form.items() if k != "_csrf_token"}
            return self._page(request, criteria, values, problems, 422)
        await criteria_services.save_set(principal, network_ref.id, criteria)
        return redirect(
            request,
            url(request, "review:criteria"),
            "De criteriaset is opgeslagen. Nieuwe rondes gebruiken hem; lopende rondes houden "
            "de set waarmee zij openden.",
        )

    def _page(
        self,
        request: Request,
        criteria: Criteria,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        rows = min(
            max(len(criteria), _rows_typed(values)) + criteria_services.NEW_ROWS,
            MAX_CRITERIA + criteria_services.NEW_ROWS,
        )
        return render(
            request,
            "review/criteria.html",
            status_code=status_code,
            rows=rows,
            values=values,
            errors=errors,
            scales=list(SCALE_LABELS.items()),
            EXPLANATION_LIMIT=criteria_services.EXPLANATION_LIMIT,
        )


def _rows_typed(values: dict[str, str]) -> int:
    """The highest row number the form came back with something in."""
    numbers = [
        int(k[len(prefix) :])
        for k, v in values.items()
        for prefix in ("code", "name", "explanation")
        if v and k.startswith(prefix) and k[len(prefix) :].isdigit()
    ]
    return max(numbers, default=0)


class RouteController(Controller):
    path = "/n/{network:str}/beoordeling/besluitvorming"

    @get("/", name="review:route", opt=KEEPERS)
    async def show(self, request: Request, network_ref: NamedDependency[NetworkRef]) -> Template:
        route = await queries.route_of(network_ref.id)
        values = {f"step{i}": s.name for i, s in enumerate(route.advice, start=1)}
        network = await network_row(network_ref.id)
        letterhead = (network or {}).get("letterhead") or {}
        return self._page(request, {**values, "decider": route.decider, **letterhead}, {})

    @post("/", name="review:route_save", opt=KEEPERS)
    async def save(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template | Redirect:
        form = await request.form()
        typed: dict[str, str] = {}
        names = [text(form, f"step{i}", 200, typed) for i in range(1, MAX_STEPS + 1)]
        names = [n for n in names if n]
        decider = text(form, "decider", 300, typed)
        letterhead = {
            "address": text(form, "address", ADDRESS_LIMIT, typed),
            "signatory": text(form, "signatory", 200, typed),
            "function": text(form, "function", 200, typed),
        }
        problems = typed | route_problems(names, decider)
        if problems:
            values = {k: v for k, v in form.items() if k != "_csrf_token"}
            return self._page(request, values, problems, 422)
        route = with_names(await queries.route_of(network_ref.id), names, decider)
        await criteria_services.save_route(principal, network_ref.id, route, letterhead)
        return redirect(
            request,
            url(request, "review:route"),
            "De besluitvorming is opgeslagen; pagina's, e-mails en beschikkingen gebruiken deze "
            "namen.",
        )

    def _page(
        self, request: Request, values: dict[str, str], errors: dict[str, str], status: int = 200
    ) -> Template:
        return render(
            request,
            "review/route.html",
            status_code=status,
            values=values,
            errors=errors,
            steps=MAX_STEPS,
            ADDRESS_LIMIT=ADDRESS_LIMIT,
        )


class PanelController(Controller):
    path = "/n/{network:str}/beoordeling/panel"

    @get("/", name="review:panel", opt=KEEPERS)
    async def show(self, request: Request, network_ref: NamedDependency[NetworkRef]) -> Template:
        panel = await network_panel(network_ref.id)
        return self._page(request, criteria_services.panel_values(panel), {})

    @post("/", name="review:panel_save", opt=KEEPERS)
    async def save(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template | Redirect:
        form = await request.form()
        panel, problems = criteria_services.parse_panel(form)
        if not problems:
            problems = await criteria_services.save_panel(principal, network_ref.id, panel)
        if problems:
            values = {k: v for k, v in form.items() if k != "_csrf_token"}
            return self._page(request, values, problems, 422)
        return redirect(
            request,
            url(request, "review:panel"),
            "Het panel is opgeslagen. Nieuwe rondes nemen het over; lopende rondes houden hun "
            "eigen aantallen.",
        )

    def _page(
        self, request: Request, values: dict[str, str], errors: dict[str, str], status: int = 200
    ) -> Template:
        typed = max(
            (
                int(k[4:])
                for k, v in values.items()
                if v and k[:4] in ("code", "name") and k[4:].isdigit()
            ),
            default=0,
        )
        rows = min(typed + criteria_services.NEW_ROWS, MAX_KINDS + criteria_services.NEW_ROWS)
        return render(
            request,
            "review/panel.html",
            status_code=status,
            values=values,
            errors=errors,
            rows=rows,
        )


class LettersController(Controller):
    """The network's letters: the text of each kind with its invulvelden, a preview, and the
    logo of the letterhead (address and signatory are on the Besluitvorming page)."""

    path = "/n/{network:str}/beoordeling/brieven"

    @get("/", name="review:letters", opt=KEEPERS)
    async def show(self, request: Request, network_ref: NamedDependency[NetworkRef]) -> Template:
        network = required(await network_row(network_ref.id))
        texts = texts_from_json(network["letters"])
        return self._page(request, network, criteria_services.letter_values(texts), {})

    @post("/", name="review:letters_save", opt=KEEPERS)
    async def save(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template | Redirect:
        form = await request.form()
        texts, problems = criteria_services.parse_letters(form)
        if problems:
            values = {k: str(v) for k, v in form.items() if k != "_csrf_token"}
            network = required(await network_row(network_ref.id))
            return self._page(request, network, values, problems, 422)
        await criteria_services.save_letters(principal, network_ref.id, texts)
        return redirect(
            request,
            url(request, "review:letters"),
            "De teksten van de brieven zijn opgeslagen. Nieuwe besluiten gebruiken ze; brieven "
            "die al verstuurd zijn, blijven zoals ze waren.",
        )

    @post(
        "/logo",
        name="review:letters_logo",
        opt=KEEPERS,
        request_max_body_size=LOGO_MAX_BYTES + 64 * 1024,
    )
    async def logo(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Redirect:
        back = url(request, "review:letters")
        if data.get("remove") == "1":
            await criteria_services.save_logo(principal, network_ref.id, "")
            return redirect(request, back, "Het logo is uit het briefhoofd verwijderd.")
        upload = data.get("logo")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return redirect(request, back, "Kies een afbeelding (PNG of JPEG).", "error")
        try:
            content = await read_upload(upload, LOGO_MAX_BYTES)
        except FileRefused:
            return redirect(
                request, back, "Het logo is groter dan 500 kB; maak het kleiner.", "error"
            )
        logo, problem = await anyio.to_thread.run_sync(logo_data_uri, content)
        if logo is None:
            return redirect(
                request, back, problem or "Deze afbeelding kan niet worden gelezen.", "error"
            )
        await criteria_services.save_logo(principal, network_ref.id, logo)
        return redirect(request, back, "Het logo staat in het briefhoofd van nieuwe brieven.")

    @get("/{kind:str}/voorbeeld.pdf", name="review:letters_preview", opt=KEEPERS)
    async def preview(
        self, network_ref: NamedDependency[NetworkRef], kind: FromPath[str]
    ) -> Response:
        """The letter with its invulvelden shown by name, as the network's letterhead and
        current text make it; nothing is stored."""
        if kind not in LetterKind.__members__:
            raise NotFoundException("Deze soort brief bestaat niet.")
        letter_kind = LetterKind(kind)
        network = required(await network_row(network_ref.id))
        sample = {name: f"[{name.replace('_', ' ')}]" for name in FIELDS[letter_kind]}
        _, html = compose(
            network,
            letter_kind,
            sample,
            ["Aan [regio]", "t.a.v. [contactpersoon]"],
            "[besluitdatum]",
            "[kenmerk]",
            "[ondertekenaar]",
        )
        pdf = await anyio.to_thread.run_sync(pdf_from_html, html, "Voorbeeld")
        return download(
            pdf, f"Voorbeeld {LETTER_KIND_LABELS[letter_kind].lower()}.pdf", "application/pdf"
        )

    def _page(
        self,
        request: Request,
        network: dict,
        values: dict[str, str],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        return render(
            request,
            "review/letters.html",
            status_code=status,
            values=values,
            errors=errors,
            kinds=[(k, LETTER_KIND_LABELS[k], FIELDS[k]) for k in LetterKind],
            logo=network["logo"],
        )
