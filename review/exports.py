"""What the review domain hands to the outside world: the scores of a round as a table to
download, one row per reviewer and proposal, for the coordinator who prepares the meeting.

Reads only. Scores, preconditions and recommendation are shown once a review is submitted, as
on the round page: a draft is the reviewer's own until then.
"""

from __future__ import annotations

from proposals.rules import STATE_LABELS
from review import queries
from review.aggregate import PRECONDITION_VALUES, RECOMMENDATIONS, running_mean
from review.forms import CRITERIA_LABELS, PRECONDITION_LABELS
from review.tables import REVIEW_STATE_LABELS

# (header, kind): kind tells the encoder how to write the cells (see portal/controllers/exports).
SCORE_COLUMNS: list[tuple[str, str]] = [
    ("Nr.", "number"),
    ("Voorstel", "text"),
    ("Thema", "text"),
    ("Regio", "text"),
    ("Gevraagd bedrag", "money"),
    ("Status voorstel", "text"),
    ("Versie", "number"),
    ("Beoordelaar", "text"),
    ("Beoordeling", "text"),
    *[(label, "number") for label in CRITERIA_LABELS.values()],
    ("Gemiddelde", "decimal"),
    *[(label, "text") for label in PRECONDITION_LABELS.values()],
    ("Advies", "text"),
    ("Toelichting", "text"),
    ("Ingediend op", "datetime"),
]


async def score_rows(round_id: int) -> list[list]:
    """A row per review of the current version of each proposal under review in the round; a
    proposal without reviewers gets one row with the reviewer columns empty."""
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
            rows.append(proposal_cells + [""] * (len(SCORE_COLUMNS) - len(proposal_cells)))
        for r in current:
            submitted = r["state"] == "submitted"
            scores = {f.upper(): r[f] for f in queries.SCORE_FIELDS} if submitted else {}
            rows.append(
                [
                    *proposal_cells,
                    r["reviewer_name"],
                    REVIEW_STATE_LABELS.get(r["state"], r["state"]),
                    *[scores.get(f.upper()) for f in queries.SCORE_FIELDS],
                    running_mean(scores) if submitted else None,
                    *[
                        PRECONDITION_VALUES.get(r[f], "") if submitted else ""
                        for f in queries.PRECONDITION_FIELDS
                    ],
                    RECOMMENDATIONS.get(r["recommendation"], "") if submitted else "",
                    r["advice"] if submitted else "",
                    r["submitted_at"],
                ]
            )
    return rows
