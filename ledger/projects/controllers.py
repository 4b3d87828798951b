"""Pages of the ledger: budget years, their division, balances, entries, projects, payments,
accountability reports and deadlines. Every booking form asks for what its rule requires."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from ledger.books import queries, services
from ledger.books.booking import REASON_LIMIT, REFERENCE_LIMIT, LedgerRefused
from ledger.books.chart import Bar, budget_chart
from ledger.books.projects import waiting_parts
from ledger.books.rows import AccountRow
from ledger.books.rules import (
    ACCOUNT_CATEGORY,
    CATEGORY_LABELS,
    CONTINUING_LINE,
    ENTRY_KINDS,
    PROCESS_LINES,
    RESERVE_KINDS,
    AccountFigures,
    ProjectFigures,
    floors,
    process_names_problems,
)
from portal.accounts.deps import provide_network
from portal.accounts.guards import allow
from portal.accounts.layout import query, redirect, render, url
from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.rules import format_basis_points, reserve_percentage_problem
from portal.accounts.tables import Role
from portal.lib.forms import (
    money_field,
    optional_id,
    page_count,
    page_number,
    query_int,
    text,
)
from portal.lib.money import format_euros
from portal.lib.refusals import refusal_error

COORDINATOR = allow(Role.coordinator)
# The auditor reads what the coordinator reads, and writes nothing.
READERS = allow(Role.coordinator, Role.auditor)
# Projects a page within one account's group on the budget year page.
PROJECTS_PER_PAGE = 50


class LedgerController(Controller):
    path = "/n/{network:str}/begroting"

    async def _year(self, request: Request, year_id: int) -> dict:
        row = await services.budget_year(provide_network(request).id, year_id)
        if row is None:
            raise NotFoundException("Dit begrotingsjaar bestaat niet in dit netwerk.")
        return row

    @get("/", name="ledger:years", opt=READERS)
    async def index(
        self, request: Request, network_ref: NamedDependency[NetworkRef]
    ) -> Template | Redirect:
        years = await services.budget_years_of(network_ref.id)
        return render(request, "ledger/years.html", years=years)

    @get("/{year_id:int}", name="ledger:year", opt=READERS)
    async def year(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        year_id: FromPath[int],
        rekening: FromQuery[str | None] = None,
        pagina: FromQuery[str | None] = None,
    ) -> Template | Redirect:
        """The year's figures per account, and its projects folded per account: a group shows
        its count and totals; its rows come on demand (`year_projects`), or, without
        JavaScript, with `?rekening=<account id>` (and `&pagina=`) on this page."""
        year = await self._year(request, year_id)
        accounts = await queries.accounts_of(year_id)
        if not accounts and Role.coordinator not in principal.roles_in(network_ref.id):
            raise NotFoundException(f"De begroting van {year['year']} is nog niet ingedeeld.")
        if not accounts:
            return redirect(
                request,
                url(request, "ledger:setup", year_id=year_id),
                f"Deel eerst de begroting van {year['year']} in.",
                "info",
            )
        totals = await queries.year_totals(year_id, year["entries_stamp"])
        figures, groups = totals.accounts, totals.project_groups
        year_floors = floors(queries.year_info_of(year, accounts), figures)
        rows: list[dict[str, Any]] = []
        for a in accounts:
            f = figures.get(a["id"], AccountFigures())
            rows.append(
                {
                    "account": a,
                    "f": f,
                    "floor": year_floors.get(a["id"]),
                    "category": ACCOUNT_CATEGORY[a["kind"]],
                }
            )
        categories = []
        for key, label in CATEGORY_LABELS.items():
            members = [r for r in rows if r["category"] == key]
            total = AccountFigures()
            for r in members:
                for field in ("budget", "committed", "released", "paid", "realised"):
                    setattr(total, field, getattr(total, field) + getattr(r["f"], field))
            categories.append({"key": key, "label": label, "rows": members, "total": total})
        chart = budget_chart(
            [
                Bar(
                    r["account"]["name"],
                    r["f"].budget,
                    r["f"].committed,
                    r["f"].paid,
                    r["f"].realised,
                    r["floor"] or 0,
                )
                for r in rows
            ],
            f"Begroting {year['year']}",
        )
        project_groups = [
            {"account": a, "group": groups[a["id"]]} for a in accounts if a["id"] in groups
        ]
        opened = None
        account_id = query_int(rekening)
        if account_id in groups:
            account = next(a for a in accounts if a["id"] == account_id)
            opened = await self._project_rows(
                request, year, account, groups[account_id], query_int(pagina)
            )
        return render(
            request,
            "ledger/year.html",
            year=year,
            categories=categories,
            chart=chart,
            project_groups=project_groups,
            project_count=sum(g.projects for g in groups.values()),
            opened=opened,
            total=sum(r["f"].budget for r in rows),
        )

    @get("/{year_id:int}/projecten", name="ledger:year_projects", opt=READERS)
    async def year_projects(
        self,
        request: HTMXRequest,
        year_id: FromPath[int],
        rekening: FromQuery[str | None] = None,
        pagina: FromQuery[str | None] = None,
    ) -> Template | Redirect:
        """The rows of one account's projects (a page of them), swapped into its group on the
        year page. A request without htmx is sent to the year page with that group open."""
        year = await self._year(request, year_id)
        account_id = query_int(rekening)
        account = next(
            (a for a in await queries.accounts_of(year_id) if a["id"] == account_id), None
        )
        if account is None:
            raise NotFoundException("Deze post bestaat niet in dit begrotingsjaar.")
        if not request.htmx:
            page = page_number(query_int(pagina))
            opened = query(rekening=account_id, pagina=page if page > 1 else None)
            return Redirect(
                path=f"{url(request, 'ledger:year', year_id=year_id)}{opened}#post-{account_id}",
                status_code=303,
            )
        totals = await queries.year_totals(year_id, year["entries_stamp"])
        # account_id is the id of the account found above, never None here.
        group = totals.project_groups.get(account["id"], queries.ProjectGroup(account["id"]))
        rows = await self._project_rows(request, year, account, group, query_int(pagina))
        return render(request, "ledger/partials/project_rows.html", year=year, **rows)

    async def _project_rows(
        self,
        request: Request,
        year: dict,
        account: AccountRow,
        group: queries.ProjectGroup,
        wanted_page: int | None,
    ) -> dict[str, Any]:
        """What `ledger/partials/project_rows.html` shows: one page of an account's projects
        with their figures, and the group's totals over all its projects."""
        pages = page_count(group.projects, PROJECTS_PER_PAGE)
        page = min(page_number(wanted_page), pages)
        projects = await queries.projects_of_account(
            year["id"], account["id"], page=page, per_page=PROJECTS_PER_PAGE
        )
        return {
            "account": account,
            "group": group,
            "projects": projects,
            "project_figures": await queries.figures_of_projects(
                year["id"], [p["id"] for p in projects]
            ),
            "empty": ProjectFigures(),
            "page": page,
            "pages": pages,
        }

    @get("/{year_id:int}/indelen", name="ledger:setup", opt=COORDINATOR)
    async def setup_form(self, request: Request, year_id: FromPath[int]) -> Template | Redirect:
        year = await self._year(request, year_id)
        if await queries.accounts_of(year_id):
            return redirect(
                request,
                self._url(request, year_id),
                "Dit jaar is al ingedeeld; wijzig de verdeling met een herschikking.",
                "info",
            )
        waiting = await waiting_parts(year["network"], year["year"])
        names = {**PROCESS_LINES, **await queries.process_names(year["network"])}
        values = {
            **{f"name_{code}": name for code, name in names.items()},
            "unforeseen_reserve": format_basis_points(year["unforeseen_reserve_bp"]),
            "themes_reserve": format_basis_points(year["themes_reserve_bp"]),
            # What earlier years' grants wait for here, so that the least is the default.
            "continuing": format_euros(sum(p["amount_cents"] for p in waiting), symbol=False)
            if waiting
            else "",
        }
        return await self._setup_page(request, year, values, {})

    async def _setup_page(
        self, request: Request, year: dict, values: dict, errors: dict, status_code: int = 200
    ) -> Template:
        themes = await self._themes(request, year["id"])
        return render(
            request,
            "ledger/setup.html",
            status_code=status_code,
            year=year,
            themes=themes,
            values=values,
            errors=errors,
            process_lines=PROCESS_LINES,
            waiting=await waiting_parts(year["network"], year["year"]),
            continuing_label=CONTINUING_LINE[1],
        )

    async def _themes(self, request: Request, year_id: int) -> list[dict]:
        from proposals import queries as proposal_queries

        by_year = await proposal_queries.themes_by_budget_year(provide_network(request).id)
        return by_year.get(year_id, [])

    @post("/{year_id:int}/indelen", name="ledger:setup_save", opt=COORDINATOR)
    async def setup(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        year_id: FromPath[int],
    ) -> Template | Redirect:
        year = await self._year(request, year_id)
        form = await request.form()
        errors: dict[str, str] = {}
        themes = await self._themes(request, year_id)
        process = {code: money_field(form, code, errors, False) or 0 for code in PROCESS_LINES}
        # A line's name as the network calls it; a form without the field keeps the default.
        names = {
            code: text(form, f"name_{code}", 200, errors)
            for code in PROCESS_LINES
            if f"name_{code}" in form
        }
        errors |= process_names_problems(names)
        theme_cents = {
            t["id"]: money_field(form, f"theme_{t['id']}", errors, False) or 0 for t in themes
        }
        unforeseen_bp, problem = reserve_percentage_problem(text(form, "unforeseen_reserve"))
        if problem:
            errors["unforeseen_reserve"] = problem
        themes_bp, problem = reserve_percentage_problem(text(form, "themes_reserve"))
        if problem:
            errors["themes_reserve"] = problem
        data = services.SetupInput(
            process_cents=process,
            theme_cents=theme_cents,
            theme_names={t["id"]: t["name"] for t in themes},
            themes_reserve_cents=money_field(form, "themes_reserve_amount", errors, False) or 0,
            learning_cents=money_field(form, "learning", errors, False) or 0,
            unforeseen_cents=money_field(form, "unforeseen", errors, False) or 0,
            unforeseen_reserve_bp=unforeseen_bp or 0,
            themes_reserve_bp=themes_bp or 0,
            continuing_cents=money_field(form, "continuing", errors, False) or 0,
            process_names=names,
        )
        if not errors:
            errors = await services.set_up_year(principal, network_ref.id, year_id, data)
        if errors:
            return await self._setup_page(request, year, dict(form.items()), errors, 422)
        return redirect(
            request,
            self._url(request, year_id),
            f"De begroting {year['year']} is ingedeeld en geboekt.",
        )

    @get("/{year_id:int}/mutaties", name="ledger:entries", opt=READERS)
    async def entries(
        self,
        request: Request,
        year_id: FromPath[int],
        soort: FromQuery[str | None] = None,
        project: FromQuery[str | None] = None,
        post_id: FromQuery[str | None] = None,
        pagina: FromQuery[str | None] = None,
    ) -> Template:
        page = page_number(query_int(pagina))
        project_id, account_id = query_int(project), query_int(post_id)
        listed = await queries.entries_page(
            provide_network(request).id,
            year_id,
            kind=soort if soort in ENTRY_KINDS else None,
            project_id=project_id,
            account_id=account_id,
            page=page,
        )
        if listed.year is None:
            raise NotFoundException("Dit begrotingsjaar bestaat niet in dit netwerk.")
        total = listed.total
        return render(
            request,
            "ledger/entries.html",
            year=listed.year,
            rows=listed.rows,
            total=total,
            page=page,
            pages=max(1, (total + 49) // 50),
            kinds=ENTRY_KINDS,
            kind=soort or "",
            project=project_id or "",
            account=account_id or "",
            accounts=listed.accounts,
            projects=listed.projects,
            reversed_ids=listed.reversed_ids,
        )

    @get(
        "/{year_id:int}/mutaties/{entry_id:int}/corrigeren",
        name="ledger:entry_reverse_form",
        opt=COORDINATOR,
    )
    async def reverse_form(
        self, request: Request, year_id: FromPath[int], entry_id: FromPath[int]
    ) -> Template:
        year = await self._year(request, year_id)
        return await self._reverse_page(request, year, entry_id, {}, {})

    async def _reverse_page(
        self,
        request: Request,
        year: dict,
        entry_id: int,
        values: dict,
        errors: dict,
        status_code: int = 200,
    ) -> Template:
        """One entry and the form that corrects it: on a page of its own rather than a form in
        every row of the entries page (fifty forms with their one-time keys, issue 19), so that
        a refused correction comes back with the reason as typed."""
        entry = await queries.entry_row(entry_id)
        # Only through the address of its own year, as the entries page lists it.
        if (
            entry is None
            or entry["network"] != provide_network(request).id
            or entry["budget_year"] != year["id"]
        ):
            raise NotFoundException("Deze boeking bestaat niet in dit begrotingsjaar.")
        return render(
            request,
            "ledger/entry_reverse.html",
            status_code=status_code,
            year=year,
            entry=entry,
            reversed=await queries.is_reversed(entry_id),
            kinds=ENTRY_KINDS,
            values=values,
            errors=errors,
            REASON_LIMIT=REASON_LIMIT,
        )

    @post(
        "/{year_id:int}/mutaties/{entry_id:int}/corrigeren",
        name="ledger:entry_reverse",
        opt=COORDINATOR,
    )
    async def reverse(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        year_id: FromPath[int],
        entry_id: FromPath[int],
    ) -> Template | Redirect:
        year = await self._year(request, year_id)
        form = await request.form()
        errors: dict[str, str] = {}
        reason = text(form, "reason", REASON_LIMIT, errors)
        if not errors:
            try:
                await services.reverse(
                    principal, network_ref.id, entry_id, reason, budget_year_id=year_id
                )
            except LedgerRefused as error:
                errors = refusal_error(error)
        if errors:
            return await self._reverse_page(
                request, year, entry_id, {"reason": reason}, errors, 422
            )
        return redirect(
            request,
            url(request, "ledger:entries", year_id=year_id),
            f"Boeking {entry_id} is gecorrigeerd.",
        )

    @get("/{year_id:int}/herschikken", name="ledger:move", opt=COORDINATOR)
    async def move_form(self, request: Request, year_id: FromPath[int]) -> Template:
        year = await self._year(request, year_id)
        return await self._move_page(request, year, {"kind": "transfer"}, {})

    async def _move_page(
        self, request: Request, year: dict, values: dict, errors: dict, status_code: int = 200
    ) -> Template:
        accounts = await queries.accounts_of(year["id"])
        figures, _ = await queries.year_figures(year["id"])
        others = []
        for y in await services.budget_years_of(provide_network(request).id):
            if y["id"] != year["id"]:
                others += [{**a, "year": y["year"]} for a in await queries.accounts_of(y["id"])]
        return render(
            request,
            "ledger/move.html",
            status_code=status_code,
            year=year,
            accounts=accounts,
            figures=figures,
            other_accounts=others,
            values=values,
            errors=errors,
            reserve_kinds=RESERVE_KINDS,
            empty=AccountFigures(),
            REASON_LIMIT=REASON_LIMIT,
        )

    @post("/{year_id:int}/herschikken", name="ledger:move_save", opt=COORDINATOR)
    async def move(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        year_id: FromPath[int],
    ) -> Template | Redirect:
        year = await self._year(request, year_id)
        form = await request.form()
        errors: dict[str, str] = {}
        kind = text(form, "kind")
        if kind not in ("transfer", "reserve_release", "carry_over"):
            errors["kind"] = "Kies het soort boeking."
        amount = money_field(form, "amount", errors)
        source, target = optional_id(form, "from_account"), optional_id(form, "to_account")
        if source is None:
            errors["from_account"] = "Kies de post waar het geld vandaan komt."
        if target is None:
            errors["to_account"] = "Kies de post waar het geld heen gaat."
        reason = text(form, "reason", REASON_LIMIT, errors)
        reference = text(form, "document_reference", REFERENCE_LIMIT, errors)
        if not reason:
            errors["reason"] = "Geef de reden."
        if kind == "reserve_release" and not reference:
            errors["document_reference"] = (
                "Vul het kenmerk van het besluit in: dat is verplicht bij inzet onvoorzien."
            )
        if not errors:
            try:
                await services.move(
                    principal,
                    network_ref.id,
                    year_id,
                    kind,
                    source or 0,
                    target or 0,
                    amount or 0,
                    reason,
                    reference,
                )
            except LedgerRefused as error:
                errors["form"] = str(error)
        if errors:
            return await self._move_page(request, year, dict(form.items()), errors, 422)
        return redirect(request, self._url(request, year_id), f"{ENTRY_KINDS[kind]} is geboekt.")

    def _url(self, request: Request, year_id: int) -> str:
        return url(request, "ledger:year", year_id=year_id)
