"""What the review pages share: who may use them, the scores of a review, the ranking of a
theme, the vocabularies the templates show."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.accounts.guards import allow
from portal.accounts.tables import Role
from portal.lib.forms import whole_number
from proposals.criteria import Criteria, from_json
from proposals.rules import STATE_LABELS
from review import forms
from review.aggregate import (
    PRECONDITION_VALUES,
    RANK_SORTS,
    RECOMMENDATIONS,
    ScoreShape,
    overall_score,
    rank_theme,
)
from review.aggregate import scores_of as scores_of
from review.assignment import CONFLICT_KINDS, CONFLICT_REASONS
from review.tables import REVIEW_STATE_LABELS

REVIEWER = allow(Role.reviewer)
COORDINATOR = allow(Role.coordinator)
QUESTIONERS = allow(Role.reviewer, Role.coordinator)
# Proposals per page of a round's progress matrix (one row each, a column per reviewer):
# 25 rows of a network's 20-30 reviewers are 500-750 cells, a screen or two; at 50 the matrix
# was most of the round page's 88 KB and of its rendering (issue 19).
MATRIX_PER_PAGE = 25
# Rows of a theme's ranking on the round page, with a link to all of them: a theme of a full
# round holds tens of proposals, and every ranking in full was most of that page's size and
# time (issue 8).
RANKING_TOP = 10
# Reviews per page of a reviewer's list.
REVIEWS_PER_PAGE = 50
INVOLVED = allow(Role.applicant, Role.region_officer, Role.coordinator, Role.reviewer)


def criteria_of(row: Mapping[str, Any]) -> Criteria:
    """The criteria set of a proposal's or a review's round (`round_criteria`)."""
    return from_json(row.get("round_criteria"))


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
    criteria: Criteria,
) -> dict[str, Any]:
    """One theme's ranking on the round page (`review/partials/theme_ranking.html`): the rows
    shown (the first `limit` in the order of `sort`, all when None) and, over all the theme's
    proposals, how many there are and how many fit in its guide budget, with their total.

    `reviews` as `queries.round_review_scores` gives them; only the submitted reviews of a
    proposal's current version count."""
    items = []
    shape = ScoreShape.of(criteria)
    for p in proposals:
        if p["theme"] != theme["id"]:
            continue
        answers = [
            r["scores"] or {}
            for r in reviews.get(p["id"], [])
            if r["version"] == p["version"] and r["state"] == "submitted"
        ]
        items.append(
            (
                p["id"],
                p["title"],
                p["requested_amount_cents"] or 0,
                overall_score(answers, criteria, shape),
            )
        )
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
        "REVIEW_STATE_LABELS": REVIEW_STATE_LABELS,
        "PRECONDITION_VALUES": PRECONDITION_VALUES,
        "RECOMMENDATIONS": RECOMMENDATIONS,
        "OUTCOMES": forms.OUTCOMES,
        "DECISION_REQUIRED_WHEN": forms.DECISION_REQUIRED_WHEN,
        "ADVICE_BODIES": forms.ADVICE_BODIES,
        "CONFLICT_KINDS": CONFLICT_KINDS,
        "CONFLICT_REASONS": CONFLICT_REASONS,
        "STATE_LABELS": STATE_LABELS,
        "SCORE_WORDS": SCORE_WORDS,
        "REASON_LIMIT": forms.REASON_LIMIT,
        "QUESTION_LIMIT": forms.QUESTION_LIMIT,
    }


# What a score means, shown under its number on the review form.
SCORE_WORDS = {1: "onvoldoende", 2: "matig", 3: "voldoende", 4: "goed", 5: "uitstekend"}
