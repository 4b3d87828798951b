"""The coordinator's view of one proposal in review: reviewers, advice, the decision and the
grant letter."""

from __future__ import annotations

from typing import Any, cast

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from portal.accounts import letters as account_letters
from portal.accounts.deps import provide_network
from portal.accounts.guards import allow
from portal.accounts.layout import redirect, render, url
from portal.accounts.principal import NetworkRef, Principal
from portal.accounts.tables import Role
from portal.lib import clock
from portal.lib.db import required, write_transaction
from portal.lib.downloads import download
from portal.lib.forms import optional_id
from portal.lib.refusals import Refused, refusal_error
from portal.lib.together import together
from proposals import queries as proposal_queries
from proposals.deps import load_proposal
from proposals.rows import ProposalRow
from review import forms, queries, services
from review import letters as review_letters
from review.aggregate import (
    aggregate,
)
from review.assignment import conflict_reason
from review.controllers.common import COORDINATOR, criteria_of, scores_of, vocab
from review.rows import ReviewRow

# The letter of a decision: the coordinator who sent it, the auditor, and those who may see the
# proposal (its authors and its region's officers; load_proposal checks which proposal).
LETTER_READERS = allow(Role.applicant, Role.region_officer, Role.coordinator, Role.auditor)


# A refusal of the advice or the decision that is about the form as a whole (the proposal moved
# on in another tab): shown over that form, or where it was (templates/review/proposal.html).
ADVICE_FORM = "_advice"
DECISION_FORM = "_decision"


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
        network_id = provide_network(request).id
        # Everything the page shows of the review, in one statement.
        read = await together(
            round=proposal_queries.round_query(network_id, proposal["round"]),
            reviews=queries.reviews_query(proposal["id"], proposal["version"]),
            pool=queries.reviewer_pool_query(network_id),
            declared=queries.declared_conflicts_query(proposal["id"]),
            route=queries.route_query(proposal["network"]),
            questions=queries.questions_query(proposal["id"]),
            advice=queries.advice_query(proposal["id"]),
            decision=queries.decision_query(proposal["id"]),
        )
        # A proposal's round is of its network (on_delete restrict).
        round_row = read["round"][0]
        proposal["review_deadline"] = round_row["review_deadline"]
        reviews = cast(list[ReviewRow], read["reviews"])
        submitted = [r for r in reviews if r["state"] == "submitted"]
        criteria = criteria_of(proposal)
        pool = queries.pool_from_rows(read["pool"])
        declared = queries.declared_by_proposal(read["declared"]).get(proposal["id"], {})
        (info,) = await queries.proposal_infos(
            [proposal], {proposal["id"]: reviews}, {proposal["id"]: declared}
        )
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
            route=queries.route_from_rows(read["route"]),
            candidates=candidates,
            questions=read["questions"],
            advice=read["advice"],
            decision=read["decision"][0] if read["decision"] else None,
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
        reviewer_id = optional_id(form, "reviewer")
        if reviewer_id is None:
            return redirect(
                request,
                self._proposal_url(request, proposal_id),
                "Kies de beoordelaar die u wilt toewijzen.",
                "error",
            )
        try:
            await services.assign(
                principal,
                proposal,
                reviewer_id,
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
            # The form again, with what was typed: the message on its field, or over the form
            # (or where the form was, when the proposal moved on meanwhile).
            errors = refusal_error(error, whole=ADVICE_FORM)
            return await self._proposal_page(request, proposal, dict(form.items()), errors, 422)
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
            errors = refusal_error(error, whole=DECISION_FORM)
            return await self._proposal_page(request, proposal, dict(form.items()), errors, 422)
        return redirect(
            request,
            self._proposal_url(request, proposal_id),
            f"Het besluit is vastgelegd: {forms.OUTCOMES[data.outcome].lower()}.",
        )

    @get(
        "/voorstellen/{proposal_id:int}/beschikking",
        name="review:letter",
        opt=LETTER_READERS,
    )
    async def letter(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        proposal_id: FromPath[int],
    ) -> Template:
        proposal, letter = await self._letter(request, principal, network_ref, proposal_id)
        return render(request, "review/letter.html", p=proposal, letter=letter)

    @get(
        "/voorstellen/{proposal_id:int}/beschikking.pdf",
        name="review:letter_pdf",
        opt=LETTER_READERS,
    )
    async def letter_pdf(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        proposal_id: FromPath[int],
    ) -> Response:
        _, letter = await self._letter(request, principal, network_ref, proposal_id)
        return download(
            await account_letters.pdf_of(letter["id"]),
            f"{letter['subject']}.pdf",
            "application/pdf",
        )

    async def _letter(
        self,
        request: Request,
        principal: Principal,
        network_ref: NetworkRef,
        proposal_id: int,
    ) -> tuple[ProposalRow, dict]:
        """The proposal and the letter of its decision, for those who may read it: the
        coordinator, the network's auditor (who reads letters, not proposals) and the people
        who may see the proposal (its authors, its region's officers)."""
        if principal.has_role(network_ref.id, Role.auditor) and not principal.has_role(
            network_ref.id, Role.coordinator
        ):
            found = await proposal_queries.proposal_row(network_ref.id, proposal_id)
            if found is None:
                raise NotFoundException("Er is (nog) geen beschikking voor dit voorstel.")
            proposal = found
        else:
            proposal, _ = await load_proposal(request, proposal_id)
        decision = await queries.decision_of(proposal_id)
        if decision is None or review_letters.kind_of(decision["outcome"]) is None:
            raise NotFoundException("Er is (nog) geen beschikking voor dit voorstel.")
        letter = await account_letters.latest(network_ref.id, "decision", decision["id"])
        if letter is None:
            # A decision from before letters were kept: made now, once, and kept from now on.
            async with write_transaction():
                await review_letters.freeze_for(proposal, decision["id"])
            letter = required(
                await account_letters.latest(network_ref.id, "decision", decision["id"])
            )
        return proposal, letter

    @staticmethod
    def _proposal_url(request: Request, proposal_id: int) -> str:
        return url(request, "review:proposal", proposal_id=proposal_id)
