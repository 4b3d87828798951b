"""What the review domain hands to the outside world: the scores of a round as a table to
download, one row per reviewer and proposal, for the coordinator who prepares the meeting.

Reads only. Scores, preconditions and recommendation are shown once a review is submitted, as
on the round page: a draft is the reviewer's own until then.
"""

from __future__ import annotations

from proposals.criteria import DEFAULT_CRITERIA, Criteria, from_json, pass_fail, scored
from proposals.rules import STATE_LABELS
from proposals.tables import Round
from review import queries
from review.aggregate import (
    PRECONDITION_VALUES,
    RECOMMENDATIONS,
    ProposalAggregate,
    aggregate,
    running_mean,
    scores_of,
)
from review.tables import REVIEW_STATE_LABELS


def score_columns(criteria: Criteria) -> list[tuple[str, str]]:
    """(header, kind) per column for a round's set; kind tells the encoder how to write the
    cells (see portal/controllers/exports)."""
    return [
        ("Nr.", "number"),
        ("Voorstel", "text"),
        ("Thema", "text"),
        ("Regio", "text"),
        ("Gevraagd bedrag", "money"),
        ("Status voorstel", "text"),
        ("Versie", "number"),
        ("Beoordelaar", "text"),
        ("Beoordeling", "text"),
        *[(c.label, "number") for c in scored(criteria)],
        ("Gemiddelde", "decimal"),
        *[(c.label, "text") for c in pass_fail(criteria)],
        ("Advies", "text"),
        ("Toelichting", "text"),
        ("Ingediend op", "datetime"),
    ]


# The columns of a round with the default set (Zuid-West's).
SCORE_COLUMNS = score_columns(DEFAULT_CRITERIA)


async def score_table(round_id: int) -> tuple[list[tuple[str, str]], list[list]]:
    """The columns of the round's criteria set and a row per review of the current version of
    each proposal under review in the round; a proposal without reviewers gets one row with the
    reviewer columns empty."""
    round_row = await Round.select(Round.criteria).where(Round.id == round_id).first()
    criteria = from_json(round_row["criteria"] if round_row else None)
    columns = score_columns(criteria)
    proposals = await queries.round_proposals(round_id)
    reviews = await queries.reviews_by_proposal([p["id"] for p in proposals])
    rows = []
    for p in proposals:
        proposal_cells = [
            p["id"],
            p["title"],
            p["theme_name"] or "",
            p["region_name"] or "",
            p["requested_amount_cents"],
            STATE_LABELS.get(p["state"], p["state"]),
            p["version"],
        ]
        current = [r for r in reviews.get(p["id"], []) if r["version"] == p["version"]]
        if not current:
            rows.append(proposal_cells + [""] * (len(columns) - len(proposal_cells)))
        for r in current:
            submitted = r["state"] == "submitted"
            answers = (r["scores"] or {}) if submitted else {}
            numbers = {c.code: answers.get(c.code) for c in scored(criteria)}
            rows.append(
                [
                    *proposal_cells,
                    r["reviewer_name"],
                    REVIEW_STATE_LABELS.get(r["state"], r["state"]),
                    *numbers.values(),
                    running_mean(numbers, criteria) if submitted else None,
                    *[
                        PRECONDITION_VALUES.get(str(answers.get(c.code, "")), "")
                        for c in pass_fail(criteria)
                    ],
                    RECOMMENDATIONS.get(r["recommendation"], "") if submitted else "",
                    r["advice"] if submitted else "",
                    r["submitted_at"],
                ]
            )
    return columns, rows


async def round_statistics(
    round_id: int,
) -> tuple[Criteria, list[tuple[dict, int, ProposalAggregate]]]:
    """The round's criteria set and, per proposal of the round, how many reviews of its current
    version are submitted and their statistics on that set (for the API)."""
    round_row = await Round.select(Round.criteria).where(Round.id == round_id).first()
    criteria = from_json(round_row["criteria"] if round_row else None)
    proposals = await queries.round_proposals(round_id)
    reviews = await queries.reviews_by_proposal([p["id"] for p in proposals])
    out = []
    for p in proposals:
        submitted = [
            r
            for r in reviews.get(p["id"], [])
            if r["version"] == p["version"] and r["state"] == "submitted"
        ]
        scores = [scores_of(r, criteria) for r in submitted]
        out.append((p, len(submitted), aggregate(scores, criteria)))
    return criteria, out
