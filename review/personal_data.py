"""What the review domain holds about a person, for their download (Mijn gegevens,
`portal/accounts/personal_data.py`): the reviews they wrote, the conflicts they declared, the
questions they asked or answered, the advice and the decisions they recorded.

Only the person's own: a review without its co-reviewers or who assigned it, a question
without the other side's text (the answer of an author, the question of a reviewer).
"""

from __future__ import annotations

from typing import Any

from portal.accounts.personal_data import Part, Person, register
from review.aggregate import RECOMMENDATIONS
from review.assignment import CONFLICT_KINDS
from review.forms import OUTCOMES
from review.tables import (
    REVIEW_STATE_LABELS,
    Advice,
    ConflictDeclaration,
    Decision,
    Question,
    Review,
)


def _per_criterion(values: Any) -> str:
    """{"C1": 4, "C2": 3} as "C1: 4" lines."""
    if not isinstance(values, dict):
        return ""
    return "\n".join(f"{key}: {value}" for key, value in values.items() if value not in ("", None))


async def parts_of(person: Person) -> list[Part]:
    user_id = person.id
    reviews = [
        {
            "Voorstel": row["proposal"],
            "Titel voorstel": row["proposal_title"],
            "Versie": row["version"],
            "Stand": REVIEW_STATE_LABELS.get(row["state"], row["state"]),
            "Toegewezen": row["assigned_at"],
            "Ingediend": row["submitted_at"],
            "Scores": _per_criterion(row["scores"]),
            "Toelichting": _per_criterion(row["notes"]),
            "Aanbeveling": RECOMMENDATIONS.get(row["recommendation"], row["recommendation"]),
            "Advies": row["advice"],
        }
        for row in await Review.select(
            Review.proposal,
            Review.proposal.title.as_alias("proposal_title"),
            Review.version,
            Review.state,
            Review.assigned_at,
            Review.submitted_at,
            Review.scores,
            Review.notes,
            Review.recommendation,
            Review.advice,
        )
        .where(Review.reviewer == user_id)
        .order_by(Review.id)
        .output(load_json=True)
    ]
    conflicts = [
        {
            "Voorstel": row["proposal"],
            "Titel voorstel": row["proposal_title"],
            "Soort": CONFLICT_KINDS.get(row["kind"], row["kind"]),
            "Reden": row["reason"],
            "Gemeld": row["declared_at"],
        }
        for row in await ConflictDeclaration.select(
            ConflictDeclaration.proposal,
            ConflictDeclaration.proposal.title.as_alias("proposal_title"),
            ConflictDeclaration.kind,
            ConflictDeclaration.reason,
            ConflictDeclaration.declared_at,
        )
        .where(ConflictDeclaration.reviewer == user_id)
        .order_by(ConflictDeclaration.id)
    ]
    questions = []
    for row in (
        await Question.select(
            Question.proposal,
            Question.proposal.title.as_alias("proposal_title"),
            Question.asked_by,
            Question.question,
            Question.asked_at,
            Question.answered_by,
            Question.answer,
            Question.answered_at,
        )
        .where((Question.asked_by == user_id) | (Question.answered_by == user_id))
        .order_by(Question.id)
    ):
        asked = row["asked_by"] == user_id
        answered = row["answered_by"] == user_id
        questions.append(
            {
                "Voorstel": row["proposal"],
                "Titel voorstel": row["proposal_title"],
                "Gesteld": row["asked_at"] if asked else None,
                "Uw vraag": row["question"] if asked else "",
                "Beantwoord": row["answered_at"] if answered else None,
                "Uw antwoord": row["answer"] if answered else "",
            }
        )
    advice = [
        {
            "Voorstel": row["proposal"],
            "Titel voorstel": row["proposal_title"],
            "Orgaan": row["body"],
            "Kenmerk": row["reference"],
            "Advies": row["advice"],
            "Reden om zonder alle beoordelingen verder te gaan": row["open_reviews_reason"],
            "Vastgelegd": row["recorded_at"],
        }
        for row in await Advice.select(
            Advice.proposal,
            Advice.proposal.title.as_alias("proposal_title"),
            Advice.body,
            Advice.reference,
            Advice.advice,
            Advice.open_reviews_reason,
            Advice.recorded_at,
        )
        .where(Advice.recorded_by == user_id)
        .order_by(Advice.id)
    ]
    decisions = [
        {
            "Voorstel": row["proposal"],
            "Titel voorstel": row["proposal_title"],
            "Besluit": OUTCOMES.get(row["outcome"], row["outcome"]),
            "Kenmerk": row["reference"],
            "Voorwaarden": row["conditions"],
            "Motivering": row["reasons"],
            "Vastgelegd": row["decided_at"],
        }
        for row in await Decision.select(
            Decision.proposal,
            Decision.proposal.title.as_alias("proposal_title"),
            Decision.outcome,
            Decision.reference,
            Decision.conditions,
            Decision.reasons,
            Decision.decided_at,
        )
        .where(Decision.decided_by == user_id)
        .order_by(Decision.id)
    ]
    return [
        Part(
            "beoordelingen",
            "Beoordelingen",
            "De beoordelingen die u schreef: scores, toelichting, aanbeveling en advies.",
            reviews,
        ),
        Part(
            "belangenconflicten",
            "Belangenconflicten",
            "De belangenconflicten die u meldde.",
            conflicts,
        ),
        Part(
            "vragen",
            "Vragen en antwoorden",
            "De verduidelijkingsvragen die u stelde en de antwoorden die u gaf (niet de tekst "
            "van de ander).",
            questions,
        ),
        Part("adviezen", "Adviezen", "De adviezen die u vastlegde.", advice),
        Part("besluiten", "Besluiten", "De besluiten die u vastlegde.", decisions),
    ]


def register_personal_data() -> None:
    register(parts_of)
