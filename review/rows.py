"""The review as its queries return it.

Piccolo's selects return plain dicts; these say which keys a row of the domain's central
queries has, so that the type checker catches a misspelt key or a missing column.
`tests/test_rows.py` keeps each type equal to its table's columns. (No `from __future__
import annotations` here: Python 3.11 reads NotRequired only from evaluated annotations.)
"""

import datetime as dt
from typing import Any, NotRequired, TypedDict


class ReviewRow(TypedDict):
    """One reviewer's scores on one version of a proposal."""

    id: int
    proposal: int
    reviewer: int
    version: int
    state: str
    assigned_by: int | None
    assigned_at: dt.datetime
    # by criterion code: a score 1–5 or a pass/fail answer, and the motivation of each
    scores: Any
    notes: Any
    recommendation: str
    advice: str
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    # joined by some queries
    reviewer_name: NotRequired[str]
    reviewer_email: NotRequired[str]
    network: NotRequired[int]
    proposal_version: NotRequired[int]
    proposal_state: NotRequired[str]
    proposal_title: NotRequired[str]
    review_deadline: NotRequired[dt.datetime | None]
    round_criteria: NotRequired[Any]
