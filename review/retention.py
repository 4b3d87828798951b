"""What the end of a proposal's retention period means for review (portal/accounts/
retention.py): the questions to the applicants and their answers, and the reasons reviewers
gave for a conflict of interest, may name people and go. Scores, advice and decisions stay:
they are what the decision rests on."""

from __future__ import annotations

from portal.accounts.retention import MARKER, Removed, register_extra
from review.tables import ConflictDeclaration, Question


async def anonymise_texts(proposal_id: int) -> Removed:
    """Inside the caller's write transaction; a second call changes nothing."""
    removed = Removed()
    questions = (
        await Question.update({Question.question: MARKER})
        .where((Question.proposal == proposal_id) & (Question.question != MARKER))
        .returning(Question.id)
    )
    removed.add("questions", len(questions))
    answers = (
        await Question.update({Question.answer: MARKER})
        .where(
            (Question.proposal == proposal_id)
            & (Question.answer != "")
            & (Question.answer != MARKER)
        )
        .returning(Question.id)
    )
    removed.add("answers", len(answers))
    reasons = (
        await ConflictDeclaration.update({ConflictDeclaration.reason: MARKER})
        .where(
            (ConflictDeclaration.proposal == proposal_id)
            & (ConflictDeclaration.reason != "")
            & (ConflictDeclaration.reason != MARKER)
        )
        .returning(ConflictDeclaration.id)
    )
    removed.add("conflict_reasons", len(reasons))
    return removed


def register() -> None:
    """A closed proposal's questions go with it."""
    register_extra("proposal", anonymise_texts)
