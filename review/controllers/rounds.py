"""The coordinator's rounds: progress and ranking, the round's settings, automatic assignment, and
the decisions of a whole round on one screen."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from portal.accounts.deps import provide_network
from portal.accounts.layout import query, redirect, render, url
from portal.accounts.panel import MAX_NEED, describe, panel_of_round
from portal.accounts.principal import NetworkRef, Principal
from portal.lib import clock
from portal.lib.db import required, write_transaction
from portal.lib.formatting import from_local_input, to_local_input
from portal.lib.forms import page_count, page_number, query_int, text, whole_number
from portal.lib.refusals import Refused, refusal_error
from portal.lib.together import together
from proposals import queries as proposal_queries
from proposals import services as proposal_services
from proposals.criteria import from_json
from review import counts, forms, queries, services
from review.aggregate import (
    aggregate,
)
from review.assignment import conflict_reason
from review.controllers.common import (
    COORDINATOR,
    MATRIX_PER_PAGE,
    RANKING_TOP,
    rank_sort,
    scores_of,
    theme_ranking,
    vocab,
)


class RoundReviewController(Controller):
    """A round's review as the coordinator runs it."""

    path = "/n/{network:str}/beoordeling"

    @get("/", name="review:rounds", opt=COORDINATOR)
    async def rounds(self, request: Request, network_ref: NamedDependency[NetworkRef]) -> Template:
        rounds = await counts.rounds_with_counts(network_ref.id)
        return render(request, "review/rounds.html", rounds=rounds)

    async def _round(self, request: Request, round_id: int) -> dict:
        row = await proposal_queries.round_of(provide_network(request).id, round_id)
        if row is None:
            raise NotFoundException("Deze ronde bestaat niet in dit netwerk.")
        return row

    @get("/rondes/{round_id:int}", name="review:round", opt=COORDINATOR)
    async def round_overview(
        self,
        request: Request,
        round_id: FromPath[int],
        sorteer: FromQuery[str | None] = None,
        pagina: FromQuery[str | None] = None,
        thema: FromQuery[str | None] = None,
    ) -> Template:
        """`thema`: a theme whose ranking is shown in full (the link under its first rows
        without JavaScript); the others show their first RANKING_TOP."""
        return await self._round_page(
            request,
            round_id,
            rank_sort(sorteer),
            {},
            {},
            page=page_number(query_int(pagina)),
            full_theme=query_int(thema),
        )

    @get("/rondes/{round_id:int}/rangorde", name="review:round_ranking", opt=COORDINATOR)
    async def round_ranking(
        self,
        request: HTMXRequest,
        round_id: FromPath[int],
        thema: FromQuery[str | None] = None,
        sorteer: FromQuery[str | None] = None,
        pagina: FromQuery[str | None] = None,
    ) -> Template | Redirect:
        """One theme's whole ranking, swapped through htmx in place of its first rows on the
        round page. A request without htmx is sent to the round page with that theme in full."""
        round_row = await self._round(request, round_id)
        wanted = query_int(thema)
        theme = next(
            (t for t in await proposal_queries.themes_of(round_id) if t["id"] == wanted), None
        )
        if theme is None:
            raise NotFoundException("Dit thema bestaat niet in deze ronde.")
        sort, page = rank_sort(sorteer), page_number(query_int(pagina))
        if not request.htmx:
            shown = query(sorteer=sort, pagina=page, thema=theme["id"])
            return Redirect(
                path=f"{self._round_url(request, round_id)}{shown}#thema-{theme['id']}",
                status_code=303,
            )
        proposals = await queries.round_page_proposals(round_id, theme["id"])
        reviews = await queries.round_review_scores(round_id, theme["id"])
        return render(
            request,
            "review/partials/theme_ranking.html",
            round=round_row,
            ranking=theme_ranking(
                theme, proposals, reviews, sort, None, from_json(round_row["criteria"])
            ),
            sort=sort,
            page=page,
        )

    async def _round_page(
        self,
        request: Request,
        round_id: int,
        sort: str,
        values: dict,
        errors: dict,
        status_code: int = 200,
        problems: list | None = None,
        page: int = 1,
        full_theme: int | None = None,
    ) -> Template:
        network_id = provide_network(request).id
        # The whole page in one statement: the round, its proposals under review and their
        # reviews, the reviewer pool, the declared conflicts, the themes.
        read = await together(
            round=proposal_queries.round_query(network_id, round_id),
            proposals=queries.round_page_query(round_id),
            reviews=queries.round_scores_query(round_id),
            pool=queries.reviewer_pool_query(network_id),
            declared=queries.round_conflicts_query(round_id),
            themes=proposal_queries.themes_query(round_id),
        )
        if not read["round"]:
            raise NotFoundException("Deze ronde bestaat niet in dit netwerk.")
        round_row, proposals = read["round"][0], read["proposals"]
        reviews = queries.scores_by_proposal(read["reviews"])
        pool = queries.pool_from_rows(read["pool"])
        # The progress matrix shows MATRIX_PER_PAGE proposals a page: a full round is hundreds
        # of proposals times every reviewer, and rendering all of it made this page miss its
        # time (issue 8). The load per reviewer still counts the whole round; the conflicts
        # are only worked out for the proposals shown.
        load = {r.id: 0 for r in pool}
        for p in proposals:
            for r in reviews.get(p["id"], []):
                if r["version"] == p["version"] and r["reviewer"] in load:
                    load[r["reviewer"]] += 1
        pages = page_count(len(proposals), MATRIX_PER_PAGE)
        page = min(page, pages)
        shown = proposals[(page - 1) * MATRIX_PER_PAGE : page * MATRIX_PER_PAGE]
        declared = queries.declared_by_proposal(read["declared"])
        infos = {i.id: i for i in await queries.proposal_infos(shown, reviews, declared)}
        matrix = []
        for p in shown:
            current = {
                r["reviewer"]: r for r in reviews.get(p["id"], []) if r["version"] == p["version"]
            }
            cells = []
            for reviewer in pool:
                if reviewer.id in current:
                    state = current[reviewer.id]["state"]
                elif conflict_reason(reviewer, infos[p["id"]]):
                    state = "conflict"
                else:
                    state = ""
                cells.append(state)
            matrix.append({"p": p, "cells": cells})
        # Every proposal is ranked (its place and whether it fits depend on all above it);
        # each theme shows its first RANKING_TOP rows, the one asked for (`full_theme`) all.
        criteria = from_json(round_row["criteria"])
        rankings = [
            theme_ranking(
                theme,
                proposals,
                reviews,
                sort,
                None if theme["id"] == full_theme else RANKING_TOP,
                criteria,
            )
            for theme in read["themes"]
        ]
        panel = panel_of_round(round_row["panel"], round_row["reviewers_per_proposal"])
        if not values:
            values = {
                "review_deadline": to_local_input(round_row["review_deadline"]),
                "reviewers_per_proposal": str(round_row["reviewers_per_proposal"]),
            } | {f"need_{k.code}": str(k.need) for k in panel}
        return render(
            request,
            "review/round.html",
            status_code=status_code,
            round=round_row,
            pool=pool,
            matrix=matrix,
            load=load,
            total=len(proposals),
            page=page,
            pages=pages,
            rankings=rankings,
            full_theme=full_theme,
            sort=sort,
            values=values,
            errors=errors,
            problems=problems or [],
            panel=panel,
            panel_words=describe(panel),
            settings_labels={
                "review_deadline": "Beoordelingstermijn",
                "reviewers_per_proposal": "Beoordelaars per voorstel",
            }
            | {f"need_{k.code}": k.name for k in panel},
            **vocab(),
        )

    @post("/rondes/{round_id:int}/instellingen", name="review:round_settings", opt=COORDINATOR)
    async def settings(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        round_id: FromPath[int],
    ) -> Template | Redirect:
        round_row = await self._round(request, round_id)
        panel = panel_of_round(round_row["panel"], round_row["reviewers_per_proposal"])
        form = await request.form()
        raw_deadline = text(form, "review_deadline")
        deadline = from_local_input(raw_deadline) if raw_deadline else None
        count = text(form, "reviewers_per_proposal")
        errors = {}
        if raw_deadline and deadline is None:
            errors["review_deadline"] = "Vul een geldige datum en tijd in."
        else:
            errors = await proposal_services.set_review_settings(
                principal,
                network_ref.id,
                round_id,
                deadline,
                whole_number(count, maximum=1000),
                {
                    k.code: whole_number(text(form, f"need_{k.code}") or "0", maximum=MAX_NEED)
                    for k in panel
                },
            )
        if errors:
            return await self._round_page(
                request, round_id, "mean", dict(form.items()), errors, 422
            )
        return redirect(
            request,
            self._round_url(request, round_id),
            "De instellingen van de beoordeling zijn opgeslagen.",
        )

    @post("/rondes/{round_id:int}/toewijzen", name="review:round_assign", opt=COORDINATOR)
    async def auto_assign(
        self, request: Request, principal: NamedDependency[Principal], round_id: FromPath[int]
    ) -> Template | Redirect:
        round_row = await self._round(request, round_id)
        problems = await services.auto_assign(principal, round_row, request.app.state.settings)
        if problems:
            return await self._round_page(request, round_id, "mean", {}, {}, 200, problems)
        return redirect(
            request,
            self._round_url(request, round_id),
            "Alle voorstellen hebben hun beoordelaars; zij krijgen een e-mail.",
        )

    @get("/rondes/{round_id:int}/besluiten", name="review:round_decisions", opt=COORDINATOR)
    async def round_decisions(self, request: Request, round_id: FromPath[int]) -> Template:
        return await self._decisions_page(request, round_id, {}, {})

    async def _decisions_page(
        self, request: Request, round_id: int, values: dict, errors: dict, status_code: int = 200
    ) -> Template:
        round_row = await self._round(request, round_id)
        proposals = [p for p in await queries.round_proposals(round_id) if p["state"] == "advised"]
        reviews = await queries.reviews_by_proposal([p["id"] for p in proposals])
        criteria = from_json(round_row["criteria"])
        for p in proposals:
            p["stats"] = aggregate(
                [
                    scores_of(r, criteria)
                    for r in reviews.get(p["id"], [])
                    if r["state"] == "submitted" and r["version"] == p["version"]
                ],
                criteria,
            )
        return render(
            request,
            "review/round_decisions.html",
            status_code=status_code,
            round=round_row,
            route=await queries.route_of(provide_network(request).id),
            proposals=proposals,
            values=values,
            errors=errors,
            today=clock.now().date().isoformat(),
            **vocab(),
        )

    @post("/rondes/{round_id:int}/besluiten", name="review:round_decide", opt=COORDINATOR)
    async def decide_round(
        self, request: Request, principal: NamedDependency[Principal], round_id: FromPath[int]
    ) -> Template | Redirect:
        await self._round(request, round_id)
        form = await request.form()
        proposals = [p for p in await queries.round_proposals(round_id) if p["state"] == "advised"]
        route = await queries.route_of(provide_network(request).id)
        decisions: list[tuple[dict, forms.DecisionInput]] = []
        errors: dict[str, str] = {}
        shared = {
            k: text(form, k)
            for k in ("decision_date", "reference", "advice_date", "advice_reference")
        }
        for p in proposals:
            prefix = f"p{p['id']}_"
            if not text(form, f"{prefix}outcome"):
                continue  # left open: decided later
            scoped = _scoped(form, prefix, shared)
            data, problems = forms.parse_decision(
                scoped, p["requested_amount_cents"], prefix, route
            )
            errors |= _on_shared_fields(problems, prefix, shared)
            decisions.append((p, data))
        if not decisions and not errors:
            errors["form"] = "Kies bij minstens één voorstel een besluit."
        if errors:
            return await self._decisions_page(request, round_id, dict(form.items()), errors, 422)
        try:
            # All or nothing: one screen, one transaction.
            async with write_transaction():
                for p, data in decisions:
                    full = required(await proposal_queries.proposal_row(p["network"], p["id"]))
                    try:
                        await services.decide(principal, full, data, request.app.state.settings)
                    except Refused as error:
                        # The screen again with what was typed: the message on the field it
                        # is about, else over the screen, naming the proposal (which is gone
                        # from the screen when it was decided meanwhile).
                        key = f"p{p['id']}_{error.field}" if error.field else "form"
                        problems = {key: f"{p['title']}: {error}"}
                        errors = _on_shared_fields(problems, f"p{p['id']}_", shared)
                        raise
        except Refused as error:
            errors = errors or refusal_error(error)
            return await self._decisions_page(request, round_id, dict(form.items()), errors, 422)
        return redirect(
            request, self._round_url(request, round_id), f"{len(decisions)} besluit(en) vastgelegd."
        )

    @staticmethod
    def _round_url(request: Request, round_id: int) -> str:
        return url(request, "review:round", round_id=round_id)


def _on_shared_fields(problems: dict[str, str], prefix: str, shared: dict[str, str]) -> dict:
    """A problem with a date or reference this screen asks once for all its decisions lands on
    that one field, not on a per-proposal one the screen does not have."""
    moved: dict[str, str] = {}
    for key, message in problems.items():
        name = key.removeprefix(prefix)
        moved[name if name in shared else key] = message
    return moved


def _scoped(form, prefix: str, shared: dict[str, str]):
    """The round screen's per-proposal fields, with the shared dates and references filled in."""
    from litestar.datastructures import FormMultiDict

    items = [(k, v) for k, v in form.multi_items() if k != f"{prefix}reasons"]
    for key, value in shared.items():
        if not form.get(f"{prefix}{key}"):
            items.append((f"{prefix}{key}", value))
    # One text column on this screen: conditions for a grant, reasons for the rest.
    if form.get(f"{prefix}outcome") in ("returned", "rejected"):
        items = [(k, v) for k, v in items if k != f"{prefix}conditions"]
        items.append((f"{prefix}reasons", form.get(f"{prefix}conditions", "")))
    return FormMultiDict(items)
