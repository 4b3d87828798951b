"""The reviewer's side: their reviews, the scoring form, declaring a conflict."""

from __future__ import annotations

from typing import cast

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from portal.accounts.deps import provide_network, provide_principal
from portal.accounts.layout import redirect, render, url
from portal.accounts.principal import NetworkRef, Principal
from portal.lib import clock
from portal.lib.forms import page_count, page_number, query_int, text
from portal.lib.refusals import Refused, refusal_error
from proposals import queries as proposal_queries
from proposals.controllers.pages import sections_context
from proposals.criteria import scored
from proposals.deps import load_proposal
from proposals.rows import ProposalRow
from proposals.rules import Actor
from review import forms, queries, services
from review.aggregate import (
    running_mean,
)
from review.controllers.common import (
    REVIEWER,
    REVIEWS_PER_PAGE,
    criteria_of,
    valid_score,
    vocab,
)
from review.rows import ReviewRow


class ReviewerController(Controller):
    """What an AO member or expert-team chair does: score the proposals assigned to them."""

    path = "/n/{network:str}/beoordelingen"

    @get("/", name="review:my_reviews", opt=REVIEWER)
    async def index(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        network_ref: NamedDependency[NetworkRef],
        pagina: FromQuery[str | None] = None,
    ) -> Template:
        # Paged: a reviewer of several years has hundreds of reviews, each open one with its
        # conflict form, and rendering them all made this page miss its time (issue 8).
        page = page_number(query_int(pagina))
        # A review closed by a conflict of interest says so instead of offering to declare one.
        rows, total = await queries.my_reviews(
            principal.user_id, network_ref.id, page, REVIEWS_PER_PAGE
        )
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

    async def _own_review(self, request: Request, review_id: int) -> tuple[ReviewRow, dict]:
        """The review, if it is this reviewer's in this network and no conflict of interest
        closes it, and what its page shows around it (read in one statement)."""
        user_id = provide_principal(request).user_id
        network_id = provide_network(request).id
        read = await queries.around_review(review_id, user_id, network_id)
        review = cast(ReviewRow, read["review"][0]) if read["review"] else None
        if (
            review is None
            or review["reviewer"] != user_id
            or review["network"] != network_id
            or not read["proposal"]
        ):
            raise NotFoundException("Deze beoordeling bestaat niet.")
        # A conflict of interest (declared, own region, own organisation) closes the form,
        # its running mean and the others' reviews; saving asks again inside its transaction.
        proposal = read["proposal"][0]
        declared = {row["proposal"] for row in read["declared"]}
        reason = queries.conflicts_from(user_id, read["memberships"], declared, [proposal]).get(
            proposal["id"]
        )
        if reason:
            raise PermissionDeniedException(services.conflict_closed(reason))
        return review, read

    @get("/{review_id:int}", name="review:review", opt=REVIEWER)
    async def review(self, request: Request, review_id: FromPath[int]) -> Template:
        review, read = await self._own_review(request, review_id)
        values = forms.form_values(review, criteria_of(review))
        return await self._page(request, review, read, values, {})

    async def _page(
        self,
        request: Request,
        review: ReviewRow,
        read: dict,
        values: dict,
        errors: dict,
        status_code: int = 200,
    ) -> Template:
        proposal = cast(ProposalRow, read["proposal"][0])
        others = []
        if review["state"] == "submitted":
            # Only after submitting their own does a reviewer see the others' reviews.
            others = [
                r
                for r in read["reviews"]
                if r["version"] == review["version"]
                and r["id"] != review["id"]
                and r["state"] == "submitted"
            ]
        criteria = criteria_of(review)
        mean = running_mean(
            {c.code: valid_score(values.get(c.field)) for c in scored(criteria)}, criteria
        )
        return render(
            request,
            "review/review_form.html",
            status_code=status_code,
            # The proposal beside the form (one below the other on a narrow screen); both
            # domains name the proposal states alike.
            **(sections_context(proposal, await proposal_queries.parts_of(proposal)) | vocab()),
            review=review,
            values=values,
            errors=errors,
            others=others,
            mean=mean,
            questions=read["questions"],
            locked=review["state"] == "submitted",
            criteria=criteria,
            field_labels=forms.field_labels(criteria),
        )

    @post("/{review_id:int}", name="review:review_save", opt=REVIEWER)
    async def save(
        self, request: Request, principal: NamedDependency[Principal], review_id: FromPath[int]
    ) -> Template | Redirect:
        review, read = await self._own_review(request, review_id)
        form = await request.form()
        submit = text(form, "action") == "submit"
        values, errors = forms.parse_review(form, criteria_of(review), submit)
        typed = {k: v for k, v in form.items() if k != "_csrf_token"}
        if errors:
            return await self._page(request, review, read, typed, errors, 422)
        try:
            await services.save_review(principal, review, values, submit)
        except Refused as error:
            # The scores and notes as typed stay on the form, with why they were not saved.
            return await self._page(request, review, read, typed, refusal_error(error), 422)
        message = (
            "Uw beoordeling is ingediend. U ziet nu ook de andere ingediende beoordelingen."
            if submit
            else "Uw beoordeling is als concept bewaard."
        )
        return redirect(request, self._url(request, review_id), message)

    @post("/{review_id:int}/gemiddelde", name="review:review_mean", opt=REVIEWER)
    async def mean(self, request: Request, review_id: FromPath[int]) -> Template:
        review, _ = await self._own_review(request, review_id)
        criteria = criteria_of(review)
        form = await request.form()
        scores = {c.code: valid_score(text(form, c.field)) for c in scored(criteria)}
        return render(request, "review/partials/mean.html", mean=running_mean(scores, criteria))

    @post("/conflict/{proposal_id:int}", name="review:conflict_declare", opt=REVIEWER)
    async def declare_conflict(
        self, request: Request, principal: NamedDependency[Principal], proposal_id: FromPath[int]
    ) -> Template | Redirect:
        proposal, actors = await load_proposal(request, proposal_id)
        if Actor.reviewer not in actors:
            raise NotFoundException("Dit voorstel bestaat niet, of u heeft er geen toegang toe.")
        form = await request.form()
        errors: dict[str, str] = {}
        kind, reason = text(form, "kind"), text(form, "reason", forms.REASON_LIMIT, errors)
        if not errors:
            try:
                await services.declare_conflict(principal, proposal, kind, reason)
            except Refused as error:
                errors = refusal_error(error)
        if errors:
            # The form again, on a page of its own, with what was typed and why not.
            return render(
                request,
                "review/conflict.html",
                status_code=422,
                p=proposal,
                conflict_values={"kind": kind, "reason": reason},
                conflict_errors=errors,
                **vocab(),
            )
        return redirect(
            request,
            url(request, "review:my_reviews"),
            "Uw belangenconflict is gemeld; u beoordeelt dit voorstel niet.",
        )

    @staticmethod
    def _url(request: Request, review_id: int) -> str:
        return url(request, "review:review", review_id=review_id)
