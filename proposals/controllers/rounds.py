"""The coordinator's pages for rounds and their themes, and the budget years they fall in."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ledger.books import services as ledger
from ledger.books.services import GRANT_REFERENCE_LIMIT
from portal.accounts.guards import allow
from portal.accounts.layout import redirect, render, url
from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.tables import Role
from portal.lib import clock
from portal.lib.formatting import from_local_input, to_local_input
from portal.lib.forms import MAX_ID, TEXT_LIMIT, clean, optional_id, text, too_long, whole_number
from portal.lib.money import MoneyError, format_euros, parse_euros
from proposals import queries, round_services, services
from proposals.controllers.common import COORDINATOR
from proposals.eligibility import ESSENTIAL_RULES, RULE_SETTINGS, RULES

# The coordinator runs the procedure; the beheerder sets a network up.
KEEPERS = allow(Role.coordinator, Role.admin)
EMPTY_THEME = {"id": "", "name": "", "description": "", "budget": ""}
ROUND_FIELDS = ("budget_year", "title", "opens_at", "closes_at", "attachment_limit_mb")


class RoundController(Controller):
    path = "/n/{network:str}"

    @get("/rondes", name="proposals:rounds", opt=COORDINATOR)
    async def rounds(self, request: Request, network_ref: NamedDependency[NetworkRef]) -> Template:
        return await self._rounds_page(request, network_ref, {}, {})

    async def _rounds_page(
        self,
        request: Request,
        network: NetworkRef,
        values: dict[str, Any],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
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
    async def create_budget_year(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template | Redirect:
        form = await request.form()
        errors: dict[str, str] = {}
        year_text = text(form, "year")
        amount = None
        try:
            amount = parse_euros(text(form, "spuk_amount"))
        except MoneyError as error:
            errors["spuk_amount"] = str(error)
        _, problems = await ledger.create_budget_year(
            principal,
            network_ref.id,
            whole_number(year_text),
            amount,
            text(form, "grant_reference", GRANT_REFERENCE_LIMIT, errors),
        )
        errors = problems | errors
        if errors:
            return await self._rounds_page(request, network_ref, dict(form.items()), errors, 422)
        return redirect(
            request,
            url(request, "proposals:rounds"),
            f"Begrotingsjaar {year_text} is aangemaakt.",
        )

    @get("/rondes/nieuw", name="proposals:round_new", opt=COORDINATOR)
    async def new_round(
        self, request: Request, network_ref: NamedDependency[NetworkRef]
    ) -> Template:
        values = {"attachment_limit_mb": "10", "themes": [dict(EMPTY_THEME)]}
        return await self._round_form(request, network_ref, values, {}, None)

    @post("/rondes/nieuw", name="proposals:round_create", opt=COORDINATOR)
    async def create_round(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template | Redirect:
        return await self._save_round(request, principal, network_ref, None)

    @get("/rondes/{round_id:int}", name="proposals:round", opt=COORDINATOR)
    async def edit_round(
        self, request: Request, network_ref: NamedDependency[NetworkRef], round_id: FromPath[int]
    ) -> Template:
        row = await queries.round_of(network_ref.id, round_id)
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
        return await self._round_form(request, network_ref, values, {}, row)

    @post("/rondes/{round_id:int}", name="proposals:round_update", opt=COORDINATOR)
    async def update_round(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        round_id: FromPath[int],
    ) -> Template | Redirect:
        return await self._save_round(request, principal, network_ref, round_id)

    async def _round_form(
        self,
        request: Request,
        network: NetworkRef,
        values: dict[str, Any],
        errors: dict[str, str],
        round_row: dict | None,
        status_code: int = 200,
    ) -> Template:
        locked = round_row is not None and await queries.round_has_submissions(round_row["id"])
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

    async def _save_round(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network: NetworkRef,
        round_id: int | None,
    ) -> Template | Redirect:
        form = await request.form()
        errors: dict[str, str] = {}
        themes, rows = _themes(form, errors)
        opens_at = from_local_input(text(form, "opens_at"))
        closes_at = from_local_input(text(form, "closes_at"))
        if text(form, "opens_at") and opens_at is None:
            errors["opens_at"] = "Vul een geldige datum en tijd in."
        if text(form, "closes_at") and closes_at is None:
            errors["closes_at"] = "Vul een geldige datum en tijd in."
        limit = text(form, "attachment_limit_mb")
        data = services.RoundInput(
            budget_year_id=optional_id(form, "budget_year"),
            title=text(form, "title", 200, errors),
            opens_at=opens_at,
            closes_at=closes_at,
            attachment_limit_mb=whole_number(limit, maximum=10_000),
            themes=themes,
        )
        if not errors:
            _, errors = await services.save_round(principal, network.id, data, round_id)
        if errors:
            values: dict[str, Any] = {k: text(form, k) for k in ROUND_FIELDS}
            values["themes"] = rows or [dict(EMPTY_THEME)]
            row = await queries.round_of(network.id, round_id) if round_id else None
            return await self._round_form(request, network, values, errors, row, 422)
        return redirect(request, url(request, "proposals:rounds"), "De ronde is opgeslagen.")


THEME_NAME_LIMIT = 200  # the column's length


def _themes(
    form: FormMultiDict, errors: dict[str, str]
) -> tuple[list[services.ThemeInput], list[dict[str, str]]]:
    """The theme rows of the round form: what to save, and what was typed (to show again)."""
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
        for name, limit in (("name", THEME_NAME_LIMIT), ("description", TEXT_LIMIT)):
            if problem := too_long(row[name], limit):
                errors[f"theme{n}_{name}"] = problem
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
    return themes, rows


class EligibilityController(Controller):
    """How the network applies the eligibility rules of the checklist."""

    path = "/n/{network:str}/rondes/toetsing"

    @get("/", name="proposals:eligibility", opt=KEEPERS)
    async def show(self, request: Request, network_ref: NamedDependency[NetworkRef]) -> Template:
        settings = await round_services.rule_settings(network_ref.id)
        return self._page(request, settings, {})

    @post("/", name="proposals:eligibility_save", opt=KEEPERS)
    async def save(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
    ) -> Template | Redirect:
        form = await request.form()
        typed = {
            rule.code: text(form, rule.code) for rule in RULES if rule.code not in ESSENTIAL_RULES
        }
        problems = await round_services.save_rule_settings(principal, network_ref.id, typed)
        if problems:
            return self._page(request, typed, problems, 422)
        return redirect(
            request,
            url(request, "proposals:eligibility"),
            "De toetsingsregels zijn opgeslagen; de checklist van elk voorstel volgt ze.",
        )

    def _page(
        self, request: Request, values: dict[str, str], errors: dict[str, str], status: int = 200
    ) -> Template:
        rules = [
            {
                "code": r.code,
                "rule": r.rule,
                "default": "blokkeert indienen" if r.blocking else "waarschuwing",
                "fixed": r.code in ESSENTIAL_RULES,
            }
            for r in RULES
        ]
        return render(
            request,
            "proposals/eligibility.html",
            status_code=status,
            rules=rules,
            values=values,
            errors=errors,
            options=list(RULE_SETTINGS.items()),
        )
