"""The proposal form: one page per section, each saved on its own.

The sections are a table (`SECTION_TABLE`): what a section's page needs and how its form is read
and saved is its entry, so a new section is a new entry (and its template), not a new branch in
every handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from portal.accounts.layout import redirect, render
from portal.accounts.principal import Principal
from portal.lib import privacy
from portal.lib.forms import text, whole_number
from proposals import forms, queries, services
from proposals.controllers.common import (
    EDIT_SECTIONS,
    INVOLVED,
    SEEN,
    detail_url,
    edit_url,
    proposal_checks,
    provided_sections,
    vocabularies,
)
from proposals.deps import SeenProposal
from proposals.rows import ProposalRow
from proposals.rules import SECTIONS, Actor, may_edit
from proposals.views import (
    bouwteam_values,
    budget_row,
    current_values,
    project_years,
    rows_to_form,
    typed_values,
)

# What a section's form reads into: its fields, or the budget's lines.
Parsed = TypeVar("Parsed", forms.SectionInput, forms.BudgetInput)
Context = dict[str, Any]


@dataclass(frozen=True)
class Section(Generic[Parsed]):
    key: str  # in the path: /bewerken/<key>
    check_field: str  # the checklist's name for the rules about this section
    # Reads the posted form (with what the proposal's network and round allow); None for a
    # section whose page has forms of its own (attachments) and nothing to save here.
    parse: Callable[[FormMultiDict, ProposalRow], Awaitable[Parsed]] | None
    # The service that stores what was read: (principal, proposal, actors, key, parsed).
    save: Callable[[Principal, ProposalRow, set[Actor], str, Parsed], Awaitable[None]] | None
    # What the section's page shows besides the values (choices, rows); may fill in `values`.
    context: Callable[[Request, ProposalRow, set[Actor], dict[str, Any]], Awaitable[Context]] | None
    # What a refused form shows again: by default what was typed.
    shown_again: Callable[[FormMultiDict, Parsed], dict[str, Any]] | None = None

    @property
    def title(self) -> str:
        return SECTIONS[self.key]

    @property
    def template(self) -> str:
        return f"proposals/sections/{self.key}.html"


def _plain(
    parse: Callable[[FormMultiDict], forms.SectionInput],
) -> Callable[[FormMultiDict, ProposalRow], Awaitable[forms.SectionInput]]:
    async def read(form: FormMultiDict, proposal: ProposalRow) -> forms.SectionInput:
        return parse(form)

    return read


async def _options(rows: Any) -> list[tuple[str, str]]:
    return [(str(k), v) for k, v in (await rows).items()]


# --- algemeen


async def _parse_general(form: FormMultiDict, proposal: ProposalRow) -> forms.SectionInput:
    network_id = proposal["network"]
    themes = {t["id"] for t in await queries.themes_of(proposal["round"])}
    return forms.parse_general(
        form,
        themes,
        set(await queries.region_names(network_id)),
        set(await queries.organisations(network_id)),
    )


async def _general_context(
    request: Request, proposal: ProposalRow, actors: set[Actor], values: dict[str, Any]
) -> Context:
    network_id = proposal["network"]
    return {
        # What other domains show next to the draft (the projectenbank: similar projects).
        "extra_sections": await provided_sections(EDIT_SECTIONS, request, proposal, actors),
        "theme_options": [
            (str(t["id"]), t["name"]) for t in await queries.themes_of(proposal["round"])
        ],
        "region_options": await _options(queries.region_names(network_id)),
        "organisation_options": await _options(queries.organisations(network_id)),
    }


# --- bouwteam


async def _bouwteam_context(
    request: Request, proposal: ProposalRow, actors: set[Actor], values: dict[str, Any]
) -> Context:
    if "members" not in values:  # not a refused form: the stored members
        values.update(bouwteam_values(await queries.bouwteam_of(proposal["id"])))
    return {}


# --- criteria and bijlagen


async def _regions_context(
    request: Request, proposal: ProposalRow, actors: set[Actor], values: dict[str, Any]
) -> Context:
    return {"region_options": await _options(queries.region_names(proposal["network"]))}


async def _parse_criteria(form: FormMultiDict, proposal: ProposalRow) -> forms.SectionInput:
    return forms.parse_criteria(form, set(await queries.region_names(proposal["network"])))


async def _attachments_context(
    request: Request, proposal: ProposalRow, actors: set[Actor], values: dict[str, Any]
) -> Context:
    return {
        "attachments": await queries.attachments_of(proposal["id"]),
        **await _regions_context(request, proposal, actors, values),
    }


# --- begroting


async def _parse_budget(form: FormMultiDict, proposal: ProposalRow) -> forms.BudgetInput:
    return forms.parse_budget(form, set(project_years(proposal)))


async def _save_budget(
    principal: NamedDependency[Principal],
    proposal: ProposalRow,
    actors: set[Actor],
    key: str,
    data: forms.BudgetInput,
) -> None:
    await services.save_budget(principal, proposal, actors, data.requested_amount_cents, data.lines)


def _budget_shown_again(form: FormMultiDict, data: forms.BudgetInput) -> dict[str, Any]:
    return {"requested_amount": text(form, "requested_amount"), "rows": data.rows}


async def _budget_context(
    request: Request, proposal: ProposalRow, actors: set[Actor], values: dict[str, Any]
) -> Context:
    if values.get("rows") is None:  # not a refused form: the stored lines
        lines = await queries.budget_lines_of(proposal["id"])
        values["rows"] = [budget_row(line) for line in lines]
        values.setdefault("requested_amount", current_values(proposal)["requested_amount"])
    years = project_years(proposal)
    parsed = forms.parse_budget(
        rows_to_form(values.get("requested_amount", ""), values["rows"]), set(years)
    )
    # "Regel toevoegen" without script saved the form and asked for more empty rows.
    extra = whole_number(request.query_params.get("lege_regels") or "", maximum=MAX_BLANK_ROWS)
    return {
        "years": years,
        "totals": parsed.totals_per_year(),
        "total": parsed.total_cents,
        "requested": parsed.requested_amount_cents,
        "row_amounts": parsed.row_amounts,
        "blank_rows": max(extra or 0, BLANK_ROWS),
    }


BLANK_ROWS = 3  # empty rows under the budget's lines
MAX_BLANK_ROWS = 50


# In the order the form walks them ("Opslaan en verder" goes to the next entry).
SECTION_TABLE: dict[str, Section[Any]] = {
    s.key: s
    for s in (
        Section("algemeen", "general", _parse_general, services.save_section, _general_context),
        Section(
            "bouwteam",
            "bouwteam",
            _plain(forms.parse_bouwteam),
            services.save_section,
            _bouwteam_context,
        ),
        Section("inhoud", "content", _plain(forms.parse_content), services.save_section, None),
        Section("criteria", "criteria", _parse_criteria, services.save_section, _regions_context),
        Section(
            "inkoop", "procurement", _plain(forms.parse_procurement), services.save_section, None
        ),
        Section(
            "begroting",
            "budget",
            _parse_budget,
            _save_budget,
            _budget_context,
            _budget_shown_again,
        ),
        Section("bijlagen", "attachments", None, None, _attachments_context),
    )
}
BUDGET = SECTION_TABLE["begroting"]


def section_of(key: str) -> Section[Any]:
    if key not in SECTION_TABLE:
        raise NotFoundException("Dit onderdeel bestaat niet.")
    return SECTION_TABLE[key]


async def edit_page(
    request: Request,
    proposal: ProposalRow,
    actors: set[Actor],
    section: Section[Any],
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    **extra: Any,
) -> Template:
    context: Context = {
        "p": proposal,
        "section": section.key,
        "section_template": section.template,
        "sections": {key: s.title for key, s in SECTION_TABLE.items()},
        "check_fields": {key: s.check_field for key, s in SECTION_TABLE.items()},
        "values": values,
        "errors": errors,
        "checks": await proposal_checks(request, proposal),
        **vocabularies(),
        **extra,
    }
    if section.context is not None:
        context |= await section.context(request, proposal, actors, values)
    return render(request, "proposals/edit.html", status_code=status_code, **context)


def after_save(request: Request, proposal_id: int, section: str, form: FormMultiDict) -> Redirect:
    keys = list(SECTION_TABLE)
    following = keys.index(section) + 1
    if text(form, "next") == "1" and following < len(keys):
        target = edit_url(request, proposal_id, keys[following])
    elif text(form, "meer_regels") == "1":  # the budget's "Regel toevoegen" without script
        target = edit_url(request, proposal_id, section) + f"?lege_regels={BLANK_ROWS + 5}"
    else:
        target = edit_url(request, proposal_id, section)
    return redirect(request, target, f"Onderdeel {SECTION_TABLE[section].title} is opgeslagen.")


class ProposalFormController(Controller):
    path = "/n/{network:str}/voorstellen"

    @get(
        "/{proposal_id:int}/bewerken/{section:str}",
        name="proposals:edit",
        opt=INVOLVED,
        dependencies=SEEN,
    )
    async def edit(
        self, request: Request, seen: NamedDependency[SeenProposal], section: FromPath[str]
    ) -> Template | Redirect:
        proposal, actors = seen
        entry = section_of(section)
        if not may_edit(actors, proposal):
            return redirect(
                request,
                detail_url(request, proposal["id"]),
                "Dit voorstel kan nu niet worden bewerkt.",
                "warning",
            )
        return await edit_page(request, proposal, actors, entry, current_values(proposal), {})

    @post(
        "/{proposal_id:int}/bewerken/{section:str}",
        name="proposals:save",
        opt=INVOLVED,
        dependencies=SEEN,
    )
    async def save(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        seen: NamedDependency[SeenProposal],
        section: FromPath[str],
    ) -> Template | Redirect:
        proposal, actors = seen
        entry = section_of(section)
        form = await request.form()
        if entry.parse is None or entry.save is None:
            return after_save(request, proposal["id"], entry.key, form)
        data = await entry.parse(form, proposal)
        # A BSN is refused on its field; a likely client's name or birth date waits for the
        # author's tick that it is not one (DESIGN §2.11).
        screening = privacy.screen(*forms.free_texts(data))
        errors = screening.refusals | data.errors
        unconfirmed = screening.warnings and not privacy.confirmed(text(form, "privacy_ok"))
        if errors or unconfirmed:
            shown = entry.shown_again(form, data) if entry.shown_again else typed_values(form)
            return await edit_page(
                request,
                proposal,
                actors,
                entry,
                shown,
                errors,
                422,
                privacy_warnings=screening.warnings if unconfirmed else [],
            )
        try:
            await entry.save(principal, proposal, actors, entry.key, data)
        except services.ProposalRefused as error:
            return redirect(request, detail_url(request, proposal["id"]), str(error), "error")
        return after_save(request, proposal["id"], entry.key, form)
