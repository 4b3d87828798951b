"""Questions on a proposal, and what the proposal page shows of its review."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from portal.accounts.deps import provide_principal
from portal.accounts.layout import redirect, render, url
from portal.accounts.principal import Principal
from portal.lib import privacy
from portal.lib.forms import TEXT_LIMIT, text
from portal.lib.refusals import Refused, refusal_error
from portal.lib.together import together
from proposals.deps import load_proposal
from proposals.rows import ProposalRow
from proposals.rules import Actor
from review import forms, queries, question_services
from review.controllers.common import INVOLVED, QUESTIONERS
from review.letters import kind_of as letter_kind_of


class QuestionController(Controller):
    """Clarification questions on a proposal: reviewers and coordinators ask, authors answer."""

    path = "/n/{network:str}/voorstellen/{proposal_id:int}/vragen"

    @post("/", name="review:question_ask", opt=QUESTIONERS)
    async def ask(
        self, request: Request, principal: NamedDependency[Principal], proposal_id: FromPath[int]
    ) -> Template | Redirect:
        proposal, actors = await load_proposal(request, proposal_id)
        if not actors & {Actor.reviewer, Actor.coordinator}:
            raise PermissionDeniedException("Alleen beoordelaars en de coördinator stellen vragen.")
        form = await request.form()
        # Back to the page the question was asked on, if it is a page of this network.
        proposal_page = url(request, "proposals:detail", proposal_id=proposal_id)
        back = text(form, "back") or proposal_page
        if not back.startswith(url(request, "portal:network") + "/"):
            back = proposal_page
        errors: dict[str, str] = {}
        question = text(form, "question", forms.QUESTION_LIMIT, errors)
        warnings = _privacy_problems(form, "question", LABELS["question"], errors)
        if errors or warnings:
            return _question_page(
                request, proposal, back, None, {"question": question}, errors, warnings
            )
        try:
            await question_services.ask_question(
                principal, proposal, question, request.app.state.settings
            )
        except Refused as error:
            return _question_page(
                request, proposal, back, None, {"question": question}, refusal_error(error), []
            )
        return redirect(request, back, "Uw vraag is gesteld; de aanvragers krijgen een e-mail.")

    @post("/{question_id:int}/antwoord", name="review:question_answer", opt=INVOLVED)
    async def answer(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        proposal_id: FromPath[int],
        question_id: FromPath[int],
    ) -> Template | Redirect:
        proposal, actors = await load_proposal(request, proposal_id)
        back = url(request, "proposals:detail", proposal_id=proposal_id) + "#vragen"
        if Actor.author not in actors:
            raise PermissionDeniedException("Alleen de auteurs beantwoorden vragen.")
        form = await request.form()
        errors: dict[str, str] = {}
        answer = text(form, "answer", TEXT_LIMIT, errors)
        warnings = _privacy_problems(form, "answer", LABELS["answer"], errors)
        if not (errors or warnings):
            try:
                await question_services.answer_question(
                    principal, proposal, question_id, answer, request.app.state.settings
                )
            except Refused as error:
                errors = refusal_error(error)
        if errors or warnings:
            question = next(
                (q for q in await queries.questions_of(proposal_id) if q["id"] == question_id),
                None,
            )
            if question is None:
                return redirect(request, back, "Deze vraag bestaat niet.", "error")
            return _question_page(
                request, proposal, back, question, {"answer": answer}, errors, warnings
            )
        return redirect(request, back, "Uw antwoord is verstuurd.")


def _question_page(
    request: Request,
    proposal: ProposalRow,
    back: str,
    question: dict | None,
    values: dict[str, str],
    errors: dict[str, str],
    privacy_warnings: list[privacy.Finding],
) -> Template:
    """A question or an answer refused as typed: its form again with the whole text (the
    proposal page and the review form each hold it among much else)."""
    return render(
        request,
        "review/question_form.html",
        status_code=422,
        p=proposal,
        back=back,
        question=question,
        values=values,
        errors=errors,
        privacy_warnings=privacy_warnings,
        QUESTION_LIMIT=forms.QUESTION_LIMIT,
    )


LABELS = {"question": "Vraag aan de aanvragers", "answer": "Uw antwoord"}


def _privacy_problems(
    form: FormMultiDict, name: str, label: str, errors: dict[str, str]
) -> list[privacy.Finding]:
    """A BSN in the text lands in `errors`; the warnings come back while they are unconfirmed."""
    screening = privacy.screen({name: text(form, name)}, {name: label})
    errors.update({k: v for k, v in screening.refusals.items() if k not in errors})
    return [] if privacy.confirmed(text(form, "privacy_ok")) else screening.warnings


async def proposal_page_section(
    request: Request, proposal: ProposalRow, actors: set
) -> dict | None:
    """What the proposal page shows of the review: questions and answers for all involved, the
    shared decision for the applicants, links for the coordinator and the reviewer."""
    if proposal["submitted_at"] is None:
        return None
    # The decision, the questions and (for a reviewer) the reviews: one statement.
    parts = {
        "decision": queries.decision_query(proposal["id"]),
        "questions": queries.questions_query(proposal["id"]),
    }
    if Actor.reviewer in actors:
        parts["reviews"] = queries.reviews_query(proposal["id"], proposal["version"])
    read = await together(**parts)
    decision = read["decision"][0] if read["decision"] else None
    mine = [
        r for r in read.get("reviews", []) if r["reviewer"] == provide_principal(request).user_id
    ]
    review_id = mine[0]["id"] if mine else None
    return {
        "template": "review/partials/proposal_section.html",
        "questions": read["questions"],
        "decision": decision,
        "is_author": Actor.author in actors,
        "is_coordinator": Actor.coordinator in actors,
        "may_ask": bool(actors & {Actor.reviewer, Actor.coordinator}),
        # The decision's letter: for those it was sent to and the coordinator who sent it.
        "letter": decision is not None
        and letter_kind_of(decision["outcome"]) is not None
        and bool(actors & {Actor.author, Actor.region_officer, Actor.coordinator}),
        "review_id": review_id,
        "OUTCOMES": forms.OUTCOMES,
        "question_limit": forms.QUESTION_LIMIT,
    }
