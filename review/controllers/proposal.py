"""The coordinator's view of one proposal in review: reviewers, advice, the decision and the
grant letter."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ledger.books import queries as ledger_queries
from ledger.books.projects import later_parts_of
from portal.accounts.deps import provide_network
from portal.accounts.guards import allow
from portal.accounts.layout import redirect, render, url
from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.tables import Role
from portal.lib import clock
from portal.lib.db import required
from portal.lib.formatting import joined
from portal.lib.forms import optional_id
from portal.lib.refusals import Refused
from proposals import queries as proposal_queries
from proposals.deps import load_proposal
from proposals.rows import ProposalRow
from review import forms, queries, services
from review.aggregate import (
    aggregate,
)
from review.assignment import conflict_reason
from review.controllers.common import COORDINATOR, criteria_of, scores_of, vocab


class ProposalReviewController(Controller):
    """One proposal's review as the coordinator runs it."""

    path = "/n/{network:str}/beoordeling"

    @get("/voorstellen/{proposal_id:int}", name="review:proposal", opt=COORDINATOR)
    async def proposal_overview(self, request: Request, proposal_id: FromPath[int]) -> Template:
        proposal, _ = await load_proposal(request, proposal_id)
        return await self._proposal_page(request, proposal, {}, {})

    async def _proposal_page(
        self,
        request: Request,
        proposal: ProposalRow,
        values: dict,
        errors: dict,
        status_code: int = 200,
    ) -> Template:
        # A proposal's round is of its network (on_delete restrict).
        round_row = required(
            await proposal_queries.round_of(provide_network(request).id, proposal["round"])
        )
        proposal["review_deadline"] = round_row["review_deadline"]
        reviews = await queries.reviews_of(proposal["id"], proposal["version"])
        submitted = [r for r in reviews if r["state"] == "submitted"]
        criteria = criteria_of(proposal)
        pool = await queries.reviewer_pool(provide_network(request).id)
        (info,) = await queries.proposal_infos([proposal])
        declared = (await queries.declared_conflicts([proposal["id"]])).get(proposal["id"], {})
        candidates: list[dict[str, Any]] = []
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
            stats=aggregate([scores_of(r, criteria) for r in submitted], criteria),
            criteria=criteria,
            route=await queries.route_of(proposal["network"]),
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
    async def assign(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        proposal_id: FromPath[int],
    ) -> Redirect:
        proposal, _ = await load_proposal(request, proposal_id)
        # A proposal's round is of its network (on_delete restrict).
        round_row = required(await proposal_queries.round_of(network_ref.id, proposal["round"]))
        proposal["review_deadline"] = round_row["review_deadline"]
        form = await request.form()
        try:
            await services.assign(
                principal,
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
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        proposal_id: FromPath[int],
        review_id: FromPath[int],
    ) -> Redirect:
        proposal, _ = await load_proposal(request, proposal_id)
        # A proposal's round is of its network (on_delete restrict).
        round_row = required(await proposal_queries.round_of(network_ref.id, proposal["round"]))
        proposal["review_deadline"] = round_row["review_deadline"]
        try:
            await services.unassign(principal, proposal, review_id)
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
        self,
        request: Request,
        principal: NamedDependency[Principal],
        proposal_id: FromPath[int],
        review_id: FromPath[int],
    ) -> Redirect:
        proposal, _ = await load_proposal(request, proposal_id)
        try:
            await services.reopen_review(principal, proposal, review_id)
        except Refused as error:
            return redirect(request, self._proposal_url(request, proposal_id), str(error), "error")
        return redirect(
            request, self._proposal_url(request, proposal_id), "De beoordeling is heropend."
        )

    @post("/voorstellen/{proposal_id:int}/advies", name="review:advice", opt=COORDINATOR)
    async def advice(
        self, request: Request, principal: NamedDependency[Principal], proposal_id: FromPath[int]
    ) -> Template | Redirect:
        proposal, _ = await load_proposal(request, proposal_id)
        form = await request.form()
        route = await queries.route_of(proposal["network"])
        data, errors = forms.parse_advice(form, route=route)
        if errors:
            return await self._proposal_page(request, proposal, dict(form.items()), errors, 422)
        try:
            await services.record_advice(principal, proposal, data)
        except Refused as error:
            if error.field:  # about what was typed: the form again, with it
                errors = {error.field: str(error)}
                return await self._proposal_page(request, proposal, dict(form.items()), errors, 422)
            return redirect(request, self._proposal_url(request, proposal_id), str(error), "error")
        return redirect(
            request,
            self._proposal_url(request, proposal_id) + "#besluit",
            "Het advies is vastgelegd.",
        )

    @post("/voorstellen/{proposal_id:int}/besluit", name="review:decide", opt=COORDINATOR)
    async def decide(
        self, request: Request, principal: NamedDependency[Principal], proposal_id: FromPath[int]
    ) -> Template | Redirect:
        proposal, _ = await load_proposal(request, proposal_id)
        form = await request.form()
        route = await queries.route_of(proposal["network"])
        data, errors = forms.parse_decision(form, proposal["requested_amount_cents"], route=route)
        if errors:
            return await self._proposal_page(request, proposal, dict(form.items()), errors, 422)
        try:
            await services.decide(principal, proposal, data, request.app.state.settings)
        except Refused as error:
            if error.field:  # about what was typed: the form again, with it
                errors = {error.field: str(error)}
                return await self._proposal_page(request, proposal, dict(form.items()), errors, 422)
            return redirect(request, self._proposal_url(request, proposal_id), str(error), "error")
        return redirect(
            request,
            self._proposal_url(request, proposal_id),
            f"Het besluit is vastgelegd: {forms.OUTCOMES[data.outcome].lower()}.",
        )

    @get(
        "/voorstellen/{proposal_id:int}/beschikking",
        name="review:letter",
        opt=allow(Role.coordinator, Role.auditor),
    )
    async def letter(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        proposal_id: FromPath[int],
    ) -> Template:
        if principal.has_role(network_ref.id, Role.coordinator):
            proposal, _ = await load_proposal(request, proposal_id)
        else:
            # The auditor reads the network's grant letters, not its proposals: only a granted
            # proposal of this network has one (checked below).
            found = await proposal_queries.proposal_row(network_ref.id, proposal_id)
            if found is None:
                raise NotFoundException("Er is (nog) geen toekenning voor dit voorstel.")
            proposal = found
        decision = await queries.decision_of(proposal_id)
        if decision is None or not decision["outcome"].startswith("granted"):
            raise NotFoundException("Er is (nog) geen toekenning voor dit voorstel.")
        from portal.accounts.queries import network_row

        return render(
            request,
            "review/letter.html",
            p=proposal,
            decision=decision,
            route=await queries.route_of(proposal["network"]),
            joined=joined,
            years=await _years_of_grant(proposal, decision["amount_cents"] or 0),
            network=await network_row(proposal["network"]),
            authors=await proposal_queries.authors_of(proposal_id),
            **vocab(),
        )

    @staticmethod
    def _proposal_url(request: Request, proposal_id: int) -> str:
        return url(request, "review:proposal", proposal_id=proposal_id)


async def _years_of_grant(proposal: ProposalRow, amount_cents: int) -> dict[int, int]:
    """What the grant commits in each budget year (one year unless it runs over several and
    its network books per year: ledger/books/projects.py)."""
    project = await ledger_queries.project_by_proposal(proposal["id"])
    parts = await later_parts_of(project["id"]) if project else []
    later = {p["year"]: p["amount_cents"] for p in parts}
    return {proposal["year"]: amount_cents - sum(later.values()), **later}
