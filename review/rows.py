"""The review as its queries return it.

Piccolo's selects return plain dicts; these say which keys a row of the domain's central
queries has, so that the type checker catches a misspelt key or a missing column.
`tests/test_rows.py` keeps each type equal to its table's columns. (No `from __future__
import annotations` here: Python 3.11 reads NotRequired only from evaluated annotations.)
"""

import datetime as dt
from typing import NotRequired, TypedDict


class ReviewRow(TypedDict):
    """One reviewer's scores on one version of a proposal."""

    id: int
    proposal: int
    reviewer: int
    version: int
    state: str
    assigned_by: int | None
    assigned_at: dt.datetime
    c1: int | None
    c2: int | None
    c3: int | None
    c4: int | None
    c1_motivation: str
    c2_motivation: str
    c3_motivation: str
    c4_motivation: str
    r1: str
    r3: str
    r4: str
    r1_explanation: str
    r3_explanation: str
    r4_explanation: str
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
