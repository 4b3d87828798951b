"""Pages of the review domain: the reviewer's work, the coordinator's overview, advice and
decisions, and the questions on a proposal."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from portal.accounts.guards import allow
from portal.accounts.layout import query, redirect, render, url
from portal.accounts.tables import Role
from portal.lib import clock
from portal.lib.formatting import from_local_input, to_local_input
from portal.lib.forms import optional_id, page_count, page_number, query_int, text, whole_number
from portal.lib.refusals import Refused
from proposals import queries as proposal_queries
from proposals import services as proposal_services
from proposals.deps import load_proposal
from proposals.rules import STATE_LABELS, Actor
from review import forms, queries, services
from review.aggregate import (
    PRECONDITION_VALUES,
    RANK_SORTS,
    RECOMMENDATIONS,
    ReviewScores,
    aggregate,
    overall_score,
    rank_theme,
    running_mean,
)
from review.assignment import CONFLICT_KINDS, CONFLICT_REASONS, conflict_reason

REVIEWER = allow(Role.reviewer)
COORDINATOR = allow(Role.coordinator)
QUESTIONERS = allow(Role.reviewer, Role.coordinator)
# Proposals per page of a round's progress matrix (one row each, a column per reviewer).
MATRIX_PER_PAGE = 50
# Rows of a theme's ranking on the round page, with a link to all of them: a theme of a full
# round holds tens of proposals, and every ranking in full was most of that page's size and
# time (issue 8).
RANKING_TOP = 10
# Reviews per page of a reviewer's list.
REVIEWS_PER_PAGE = 50
INVOLVED = allow(Role.applicant, Role.region_officer, Role.coordinator, Role.reviewer)


def scores_of(review: dict) -> ReviewScores:
    return ReviewScores(
        reviewer_id=review["reviewer"],
        scores={k.upper(): review[k] for k in queries.SCORE_FIELDS if review[k] is not None},
        preconditions={k.upper(): review[k] for k in queries.PRECONDITION_FIELDS if review[k]},
        recommendation=review["recommendation"] or None,
    )


def valid_score(value: object) -> int | None:
    return whole_number(str(value or ""), minimum=1, maximum=5)


def rank_sort(value: str | None) -> str:
    return value if value in RANK_SORTS else "mean"


def theme_ranking(
    theme: dict,
    proposals: list[dict],
    reviews: dict[int, list[dict]],
    sort: str,
    limit: int | None,
) -> dict[str, Any]:
    """One theme's ranking on the round page (`review/partials/theme_ranking.html`): the rows
    shown (the first `limit` in the order of `sort`, all when None) and, over all the theme's
    proposals, how many there are and how many fit in its guide budget, with their total.

    `reviews` as `queries.round_review_scores` gives them; only the submitted reviews of a
    proposal's current version count."""
    items = []
    for p in proposals:
        if p["theme"] != theme["id"]:
            continue
        scores = [
            {field.upper(): r[field] for field in queries.SCORE_FIELDS}
            for r in reviews.get(p["id"], [])
            if r["version"] == p["version"] and r["state"] == "submitted"
        ]
        items.append((p["id"], p["title"], p["requested_amount_cents"] or 0, overall_score(scores)))
    rows = rank_theme(items, theme["guide_budget_cents"], sort)
    fitting = [row for row in rows if row.fits]
    return {
        "theme": theme,
        "rows": rows if limit is None else rows[:limit],
        "total": len(rows),
        "full": limit is None or len(rows) <= limit,
        "top": RANKING_TOP,
        "fitting": len(fitting),
        "fitting_cents": sum(row.requested_cents for row in fitting),
    }


def vocab() -> dict[str, Any]:
    return {
        "CRITERIA_LABELS": forms.CRITERIA_LABELS,
        "PRECONDITION_LABELS": forms.PRECONDITION_LABELS,
        "PRECONDITION_VALUES": PRECONDITION_VALUES,
        "RECOMMENDATIONS": RECOMMENDATIONS,
        "OUTCOMES": forms.OUTCOMES,
        "ADVICE_BODIES": forms.ADVICE_BODIES,
        "CONFLICT_KINDS": CONFLICT_KINDS,
        "CONFLICT_REASONS": CONFLICT_REASONS,
        "STATE_LABELS": STATE_LABELS,
    }


class ReviewerController(Controller):
    """What an AO member or expert-team chair does: score the proposals assigned to them."""

    path = "/n/{network:str}/beoordelingen"

    @get("/", name="review:my_reviews", opt=REVIEWER)
    async def index(self, request: Request, pagina: FromQuery[str | None] = None) -> Template:
        # Paged: a reviewer of several years has hundreds of reviews, each open one with its
        # conflict form, and rendering them all made this page miss its time (issue 8).
        page = page_number(query_int(pagina))
        rows, total = await queries.my_reviews(
            request.user.user_id, request.state.network.id, page, REVIEWS_PER_PAGE
        )
        # A review closed by a conflict of interest says so instead of offering to declare one.
        conflicts = await queries.conflicts_of_reviewer(
            request.user.user_id,
            request.state.network.id,
            [{**r, "id": r["proposal"]} for r in rows],
        )
        for r in rows:
            r["conflict"] = conflicts.get(r["proposal"])
        return render(
            request,
            "review/my_reviews.html",
            reviews=rows,
            total=total,
            page=page,
            pages=page_count(total, REVIEWS_PER_PAGE),
            now=clock.now(),
            **vocab(),
        )

    async def _own_review(self, request: Request, review_id: int) -> dict:
        review = await queries.review_row(review_id)
        if (
            review is None
            or review["reviewer"] != request.user.user_id
            or review["network"] != request.state.network.id
        ):
            raise NotFoundException("Deze beoordeling bestaat niet.")
        # A conflict of interest (declared, own region, own organisation) closes the form,
        # its running mean and the others' reviews; saving asks again inside its transaction.
        reason = await queries.reviewer_conflict(review["proposal"], request.user.user_id)
        if reason:
            raise PermissionDeniedException(services.conflict_closed(reason))
        return review

    @get("/{review_id:int}", name="review:review", opt=REVIEWER)
    async def review(self, request: Request, review_id: FromPath[int]) -> Template:
        review = await self._own_review(request, review_id)
        values = {
            k: "" if review[k] is None else str(review[k])
            for k in (
                *queries.SCORE_FIELDS,
                *(f"{f}_motivation" for f in queries.SCORE_FIELDS),
                *queries.PRECONDITION_FIELDS,
                *(f"{f}_explanation" for f in queries.PRECONDITION_FIELDS),
                "recommendation",
                "advice",
            )
        }
        return await self._page(request, review, values, {})

    async def _page(
        self, request: Request, review: dict, values: dict, errors: dict, status_code: int = 200
    ) -> Template:
        proposal = await proposal_queries.proposal_row(review["network"], review["proposal"])
        others = []
        if review["state"] == "submitted":
            # Only after submitting their own does a reviewer see the others' reviews.
            others = [
                r
                for r in await queries.reviews_of(review["proposal"], review["version"])
                if r["id"] != review["id"] and r["state"] == "submitted"
            ]
        mean = running_mean(
            {k.upper(): valid_score(v) for k, v in values.items() if k in queries.SCORE_FIELDS}
        )
        return render(
            request,
            "review/review_form.html",
            status_code=status_code,
            review=review,
            p=proposal,
            values=values,
            errors=errors,
            others=others,
            mean=mean,
            questions=await queries.questions_of(review["proposal"]),
            locked=review["state"] == "submitted",
            **vocab(),
        )

    @post("/{review_id:int}", name="review:review_save", opt=REVIEWER)
    async def save(self, request: Request, review_id: FromPath[int]) -> Template | Redirect:
        review = await self._own_review(request, review_id)
        form = await request.form()
        submit = text(form, "action") == "submit"
        values, errors = forms.parse_review(form, submit)
        if errors:
            typed = {k: v for k, v in form.items() if k != "_csrf_token"}
            return await self._page(request, review, typed, errors, 422)
        try:
            await services.save_review(request.user, review, values, submit)
        except Refused as error:
            return redirect(request, self._url(request, review_id), str(error), "error")
        message = (
            "Uw beoordeling is ingediend. U ziet nu ook de andere ingediende beoordelingen."
            if submit
            else "Uw beoordeling is als concept bewaard."
        )
        return redirect(request, self._url(request, review_id), message)

    @post("/{review_id:int}/gemiddelde", name="review:review_mean", opt=REVIEWER)
    async def mean(self, request: Request, review_id: FromPath[int]) -> Template:
        await self._own_review(request, review_id)
        form = await request.form()
        scores = {f.upper(): valid_score(text(form, f)) for f in queries.SCORE_FIELDS}
        return render(request, "review/partials/mean.html", mean=running_mean(scores))

    @post("/conflict/{proposal_id:int}", name="review:conflict_declare", opt=REVIEWER)
    async def declare_conflict(self, request: Request, proposal_id: FromPath[int]) -> Redirect:
        proposal, actors = await load_proposal(request, proposal_id)
        if Actor.reviewer not in actors:
            raise NotFoundException("Dit voorstel bestaat niet, of u heeft er geen toegang toe.")
        form = await request.form()
        try:
            await services.declare_conflict(
                request.user, proposal, text(form, "kind"), text(form, "reason", 2000)
            )
        except Refused as error:
            return redirect(request, url(request, "review:my_reviews"), str(error), "error")
        return redirect(
            request,
            url(request, "review:my_reviews"),
            "Uw belangenconflict is gemeld; u beoordeelt dit voorstel niet.",
        )

    @staticmethod
    def _url(request: Request, review_id: int) -> str:
        return url(request, "review:review", review_id=review_id)


class CoordinatorReviewController(Controller):
    """The coordinator's side: assignment, progress, scores, ranking, advice and decisions."""

    path = "/n/{network:str}/beoordeling"

    @get("/", name="review:rounds", opt=COORDINATOR)
    async def rounds(self, request: Request) -> Template:
        rounds = await proposal_queries.rounds_of(request.state.network.id)
        counts = await queries.review_counts_per_round([r["id"] for r in rounds])
        for r in rounds:
            r["proposal_count"] = counts[r["id"]]["proposals"]
            r["review_count"] = counts[r["id"]]["reviews"]
            r["submitted_count"] = counts[r["id"]]["submitted"]
        return render(request, "review/rounds.html", rounds=rounds)

    async def _round(self, request: Request, round_id: int) -> dict:
        row = await proposal_queries.round_of(request.state.network.id, round_id)
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
            ranking=theme_ranking(theme, proposals, reviews, sort, None),
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
        round_row = await self._round(request, round_id)
        proposals = await queries.round_page_proposals(round_id)
        reviews = await queries.round_review_scores(round_id)
        pool = await queries.reviewer_pool(request.state.network.id)
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
        infos = {i.id: i for i in await queries.proposal_infos(shown, reviews)}
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
        rankings = [
            theme_ranking(
                theme,
                proposals,
                reviews,
                sort,
                None if theme["id"] == full_theme else RANKING_TOP,
            )
            for theme in await proposal_queries.themes_of(round_id)
        ]
        if not values:
            values = {
                "review_deadline": to_local_input(round_row["review_deadline"]),
                "reviewers_per_proposal": str(round_row["reviewers_per_proposal"]),
            }
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
            **vocab(),
        )

    @post("/rondes/{round_id:int}/instellingen", name="review:round_settings", opt=COORDINATOR)
    async def settings(self, request: Request, round_id: FromPath[int]) -> Template | Redirect:
        await self._round(request, round_id)
        form = await request.form()
        raw_deadline = text(form, "review_deadline")
        deadline = from_local_input(raw_deadline) if raw_deadline else None
        count = text(form, "reviewers_per_proposal")
        errors = {}
        if raw_deadline and deadline is None:
            errors["review_deadline"] = "Vul een geldige datum en tijd in."
        else:
            errors = await proposal_services.set_review_settings(
                request.user,
                request.state.network.id,
                round_id,
                deadline,
                whole_number(count, maximum=1000),
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
    async def auto_assign(self, request: Request, round_id: FromPath[int]) -> Template | Redirect:
        round_row = await self._round(request, round_id)
        problems = await services.auto_assign(request.user, round_row, request.app.state.settings)
        if problems:
            return await self._round_page(request, round_id, "mean", {}, {}, 200, problems)
        return redirect(
            request,
            self._round_url(request, round_id),
            "Alle voorstellen hebben hun beoordelaars; zij krijgen een e-mail.",
        )

    @get("/voorstellen/{proposal_id:int}", name="review:proposal", opt=COORDINATOR)
    async def proposal_overview(self, request: Request, proposal_id: FromPath[int]) -> Template:
        proposal, _ = await load_proposal(request, proposal_id)
        return await self._proposal_page(request, proposal, {}, {})

    async def _proposal_page(
        self, request: Request, proposal: dict, values: dict, errors: dict, status_code: int = 200
    ) -> Template:
        round_row = await proposal_queries.round_of(request.state.network.id, proposal["round"])
        proposal["review_deadline"] = round_row["review_deadline"]
        reviews = await queries.reviews_of(proposal["id"], proposal["version"])
        submitted = [r for r in reviews if r["state"] == "submitted"]
        pool = await queries.reviewer_pool(request.state.network.id)
        (info,) = await queries.proposal_infos([proposal])
        declared = (await queries.declared_conflicts([proposal["id"]])).get(proposal["id"], {})
        candidates = []
        for reviewer in pool:
            reason = conflict_reason(reviewer, info)
            candidates.append(
                {
                    "reviewer": reviewer,
                    "conflict": reason,
                    "declared": declared.get(reviewer.id),
                    "assigned": reviewer.id in info.already_assigned,
                }
            )
        # Next to a review: its reviewer's conflict, if any (the reopen button goes with it).
        conflicts = {c["reviewer"].id: c["conflict"] for c in candidates if c["conflict"]}
        conflicts |= {i: "declared" for i in declared if i not in conflicts}
        return render(
            request,
            "review/proposal.html",
            status_code=status_code,
            p=proposal,
            round=round_row,
            reviews=reviews,
            conflicts=conflicts,
            stats=aggregate([scores_of(r) for r in submitted]),
            candidates=candidates,
            questions=await queries.questions_of(proposal["id"]),
            advice=await queries.advice_of(proposal["id"]),
            decision=await queries.decision_of(proposal["id"]),
            values=values,
            errors=errors,
            today=clock.now().date().isoformat(),
            **vocab(),
        )

    @post("/voorstellen/{proposal_id:int}/toewijzen", name="review:assign", opt=COORDINATOR)
    async def assign(self, request: Request, proposal_id: FromPath[int]) -> Redirect:
        proposal, _ = await load_proposal(request, proposal_id)
        round_row = await proposal_queries.round_of(request.state.network.id, proposal["round"])
        proposal["review_deadline"] = round_row["review_deadline"]
        form = await request.form()
        try:
            await services.assign(
                request.user,
                proposal,
                optional_id(form, "reviewer") or 0,
                request.app.state.settings,
            )
        except Refused as error:
            return redirect(request, self._proposal_url(request, proposal_id), str(error), "error")
        return redirect(
            request,
            self._proposal_url(request, proposal_id),
            "De beoordelaar is toegewezen en krijgt een e-mail.",
        )

    @post(
        "/voorstellen/{proposal_id:int}/toewijzing/{review_id:int}/intrekken",
        name="review:unassign",
        opt=COORDINATOR,
    )
    async def unassign(
        self, request: Request, proposal_id: FromPath[int], review_id: FromPath[int]
    ) -> Redirect:
        proposal, _ = await load_proposal(request, proposal_id)
        round_row = await proposal_queries.round_of(request.state.network.id, proposal["round"])
        proposal["review_deadline"] = round_row["review_deadline"]
        try:
            await services.unassign(request.user, proposal, review_id)
        except Refused as error:
            return redirect(request, self._proposal_url(request, proposal_id), str(error), "error")
        return redirect(
            request, self._proposal_url(request, proposal_id), "De toewijzing is ingetrokken."
        )

    @post(
        "/voorstellen/{proposal_id:int}/heropenen/{review_id:int}",
        name="review:reopen",
        opt=COORDINATOR,
    )
    async def reopen(
        self, request: Request, proposal_id: FromPath[int], review_id: FromPath[int]
    ) -> Redirect:
        proposal, _ = await load_proposal(request, proposal_id)
        try:
            await services.reopen_review(request.user, proposal, review_id)
        except Refused as error:
            return redirect(request, self._proposal_url(request, proposal_id), str(error), "error")
        return redirect(
            request, self._proposal_url(request, proposal_id), "De beoordeling is heropend."
        )

    @post("/voorstellen/{proposal_id:int}/advies", name="review:advice", opt=COORDINATOR)
    async def advice(self, request: Request, proposal_id: FromPath[int]) -> Template | Redirect:
        proposal, _ = await load_proposal(request, proposal_id)
        form = await request.form()
        data, errors = forms.parse_advice(form)
        if errors:
            return await self._proposal_page(request, proposal, dict(form.items()), errors, 422)
        try:
            await services.record_advice(request.user, proposal, data)
        except Refused as error:
            return redirect(request, self._proposal_url(request, proposal_id), str(error), "error")
        return redirect(
            request,
            self._proposal_url(request, proposal_id) + "#besluit",
            "Het advies is vastgelegd.",
        )

    @post("/voorstellen/{proposal_id:int}/besluit", name="review:decide", opt=COORDINATOR)
    async def decide(self, request: Request, proposal_id: FromPath[int]) -> Template | Redirect:
        proposal, _ = await load_proposal(request, proposal_id)
        form = await request.form()
        data, errors = forms.parse_decision(form, proposal["requested_amount_cents"])
        if errors:
            return await self._proposal_page(request, proposal, dict(form.items()), errors, 422)
        try:
            await services.decide(request.user, proposal, data, request.app.state.settings)
        except Refused as error:
            return redirect(request, self._proposal_url(request, proposal_id), str(error), "error")
        return redirect(
            request,
            self._proposal_url(request, proposal_id),
            f"Het besluit is vastgelegd: {forms.OUTCOMES[data.outcome].lower()}.",
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
        for p in proposals:
            p["stats"] = aggregate(
                [
                    scores_of(r)
                    for r in reviews.get(p["id"], [])
                    if r["state"] == "submitted" and r["version"] == p["version"]
                ]
            )
        return render(
            request,
            "review/round_decisions.html",
            status_code=status_code,
            round=round_row,
            proposals=proposals,
            values=values,
            errors=errors,
            today=clock.now().date().isoformat(),
            **vocab(),
        )

    @post("/rondes/{round_id:int}/besluiten", name="review:round_decide", opt=COORDINATOR)
    async def decide_round(self, request: Request, round_id: FromPath[int]) -> Template | Redirect:
        await self._round(request, round_id)
        form = await request.form()
        proposals = [p for p in await queries.round_proposals(round_id) if p["state"] == "advised"]
        decisions, errors = [], {}
        shared = {
            k: text(form, k)
            for k in ("decision_date", "reference", "advice_date", "advice_reference")
        }
        for p in proposals:
            prefix = f"p{p['id']}_"
            if not text(form, f"{prefix}outcome"):
                continue  # left open: decided later
            scoped = _scoped(form, prefix, shared)
            data, problems = forms.parse_decision(scoped, p["requested_amount_cents"], prefix)
            errors |= problems
            decisions.append((p, data))
        if not decisions and not errors:
            errors["form"] = "Kies bij minstens één voorstel een besluit."
        if errors:
            return await self._decisions_page(request, round_id, dict(form.items()), errors, 422)
        from portal.lib.db import write_transaction

        try:
            # All or nothing: one screen, one transaction.
            async with write_transaction():
                for p, data in decisions:
                    full = await proposal_queries.proposal_row(p["network"], p["id"])
                    await services.decide(request.user, full, data, request.app.state.settings)
        except Refused as error:
            return redirect(
                request,
                url(request, "review:round_decisions", round_id=round_id),
                str(error),
                "error",
            )
        return redirect(
            request, self._round_url(request, round_id), f"{len(decisions)} besluit(en) vastgelegd."
        )

    @get("/voorstellen/{proposal_id:int}/beschikking", name="review:letter", opt=COORDINATOR)
    async def letter(self, request: Request, proposal_id: FromPath[int]) -> Template:
        proposal, _ = await load_proposal(request, proposal_id)
        decision = await queries.decision_of(proposal_id)
        if decision is None or not decision["outcome"].startswith("granted"):
            raise NotFoundException("Er is (nog) geen toekenning voor dit voorstel.")
        from portal.accounts.queries import network_row

        return render(
            request,
            "review/letter.html",
            p=proposal,
            decision=decision,
            network=await network_row(proposal["network"]),
            authors=await proposal_queries.authors_of(proposal_id),
            **vocab(),
        )

    @staticmethod
    def _round_url(request: Request, round_id: int) -> str:
        return url(request, "review:round", round_id=round_id)

    @staticmethod
    def _proposal_url(request: Request, proposal_id: int) -> str:
        return url(request, "review:proposal", proposal_id=proposal_id)


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


class QuestionController(Controller):
    """Clarification questions on a proposal: reviewers and coordinators ask, authors answer."""

    path = "/n/{network:str}/voorstellen/{proposal_id:int}/vragen"

    @post("/", name="review:question_ask", opt=QUESTIONERS)
    async def ask(self, request: Request, proposal_id: FromPath[int]) -> Redirect:
        proposal, actors = await load_proposal(request, proposal_id)
        if not actors & {Actor.reviewer, Actor.coordinator}:
            raise PermissionDeniedException("Alleen beoordelaars en de coördinator stellen vragen.")
        form = await request.form()
        # Back to the page the question was asked on, if it is a page of this network.
        proposal_page = url(request, "proposals:detail", proposal_id=proposal_id)
        back = text(form, "back") or proposal_page
        if not back.startswith(url(request, "portal:network") + "/"):
            back = proposal_page
        try:
            await services.ask_question(
                request.user, proposal, text(form, "question", 5000), request.app.state.settings
            )
        except Refused as error:
            return redirect(request, back, str(error), "error")
        return redirect(request, back, "Uw vraag is gesteld; de aanvragers krijgen een e-mail.")

    @post("/{question_id:int}/antwoord", name="review:question_answer", opt=INVOLVED)
    async def answer(
        self, request: Request, proposal_id: FromPath[int], question_id: FromPath[int]
    ) -> Redirect:
        proposal, actors = await load_proposal(request, proposal_id)
        back = url(request, "proposals:detail", proposal_id=proposal_id) + "#vragen"
        if Actor.author not in actors:
            raise PermissionDeniedException("Alleen de auteurs beantwoorden vragen.")
        form = await request.form()
        try:
            await services.answer_question(
                request.user,
                proposal,
                question_id,
                text(form, "answer", 10000),
                request.app.state.settings,
            )
        except Refused as error:
            return redirect(request, back, str(error), "error")
        return redirect(request, back, "Uw antwoord is verstuurd.")


async def proposal_page_section(request: Request, proposal: dict, actors: set) -> dict | None:
    """What the proposal page shows of the review: questions and answers for all involved, the
    shared decision for the applicants, links for the coordinator and the reviewer."""
    if proposal["submitted_at"] is None:
        return None
    decision = await queries.decision_of(proposal["id"])
    review_id = None
    if Actor.reviewer in actors:
        mine = [
            r
            for r in await queries.reviews_of(proposal["id"], proposal["version"])
            if r["reviewer"] == request.user.user_id
        ]
        review_id = mine[0]["id"] if mine else None
    return {
        "template": "review/partials/proposal_section.html",
        "questions": await queries.questions_of(proposal["id"]),
        "decision": decision,
        "is_author": Actor.author in actors,
        "is_coordinator": Actor.coordinator in actors,
        "may_ask": bool(actors & {Actor.reviewer, Actor.coordinator}),
        "review_id": review_id,
        "OUTCOMES": forms.OUTCOMES,
    }
