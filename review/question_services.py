"""Questions for clarification: a reviewer or the coordinator asks the authors, the authors
answer; both by e-mail. Apart from review/services.py, which keeps the rest of the review."""

from __future__ import annotations

from portal.accounts import events
from portal.accounts.events import Mail
from portal.accounts.principal import Principal
from portal.accounts.tables import Role
from portal.lib import clock
from portal.lib.db import write_transaction
from portal.lib.forms import TEXT_LIMIT, too_long
from portal.lib.settings import Settings
from proposals import queries as proposal_queries
from proposals.rows import ProposalRow
from review import queries
from review.forms import QUESTION_LIMIT
from review.services import ReviewRefused, conflict_closed, portal_link
from review.tables import Question, Review


async def ask_question(
    actor: Principal, proposal: ProposalRow, question: str, settings: Settings
) -> None:
    if not question.strip():
        raise ReviewRefused("Schrijf uw vraag.", field="question")
    if problem := too_long(question.strip(), QUESTION_LIMIT):
        raise ReviewRefused(problem, field="question")
    link = await portal_link(settings, proposal["network"], f"/voorstellen/{proposal['id']}#vragen")
    authors = await proposal_queries.authors_of(proposal["id"])
    async with write_transaction():
        if not actor.has_role(proposal["network"], Role.coordinator):
            # A reviewer asks as an assigned reviewer without a conflict, as it is now: a
            # conflict declared since the page was loaded closes the questions too.
            reason = await queries.reviewer_conflict(proposal["id"], actor.user_id)
            if reason:
                raise ReviewRefused(conflict_closed(reason))
            if not await Review.exists().where(
                (Review.proposal == proposal["id"]) & (Review.reviewer == actor.user_id)
            ):
                raise ReviewRefused("Alleen beoordelaars en de coördinator stellen vragen.")
        await Question.insert(
            Question(
                proposal=proposal["id"],
                asked_by=actor.user_id,
                question=question.strip(),
                asked_at=clock.now(),
            )
        )
        await events.record(
            actor_id=actor.user_id,
            network_id=proposal["network"],
            action="question_asked",
            object_type="proposal",
            object_id=proposal["id"],
            summary="Verduidelijkingsvraag gesteld aan de aanvragers",
            mails=[
                Mail(
                    to=a["email"],
                    subject=f"Vraag over uw voorstel '{proposal['title']}'",
                    body=f"Beste {a['name']},\n\nEr is een vraag gesteld over uw voorstel:\n\n"
                    f"{question.strip()}\n\nU kunt antwoorden in het portaal:\n{link}\n",
                )
                for a in authors
            ],
        )


async def answer_question(
    actor: Principal, proposal: ProposalRow, question_id: int, answer: str, settings: Settings
) -> None:
    if not answer.strip():
        raise ReviewRefused("Schrijf uw antwoord.", field="answer")
    if problem := too_long(answer.strip(), TEXT_LIMIT):
        raise ReviewRefused(problem, field="answer")
    row = (
        await Question.select(
            Question.id,
            Question.answered_at,
            Question.asked_by.email.as_alias("asker_email"),
            Question.asked_by.name.as_alias("asker_name"),
        )
        .where((Question.id == question_id) & (Question.proposal == proposal["id"]))
        .first()
    )
    if row is None:
        raise ReviewRefused("Deze vraag bestaat niet.")
    if row["answered_at"] is not None:
        raise ReviewRefused("Deze vraag is al beantwoord.")
    link = await portal_link(settings, proposal["network"], f"/voorstellen/{proposal['id']}#vragen")
    async with write_transaction():
        await Question.update(
            {
                Question.answer: answer.strip(),
                Question.answered_by: actor.user_id,
                Question.answered_at: clock.now(),
            }
        ).where(Question.id == question_id)
        mails = []
        if row["asker_email"]:
            mails.append(
                Mail(
                    to=row["asker_email"],
                    subject=f"Antwoord op uw vraag over '{proposal['title']}'",
                    body=f"Beste {row['asker_name']},\n\nDe aanvragers hebben uw vraag "
                    f"beantwoord:\n\n{answer.strip()}\n\n{link}\n",
                )
            )
        await events.record(
            actor_id=actor.user_id,
            network_id=proposal["network"],
            action="question_answered",
            object_type="proposal",
            object_id=proposal["id"],
            summary="Verduidelijkingsvraag beantwoord",
            mails=mails,
        )
