"""The proposal as its queries return it.

Piccolo's selects return plain dicts; these say which keys a row of the domain's central
queries has, so that the type checker catches a misspelt key or a missing column.
`tests/test_rows.py` keeps each type equal to its table's columns. (No `from __future__
import annotations` here: Python 3.11 reads NotRequired only from evaluated annotations.)
"""

import datetime as dt
from typing import Any, NotRequired, TypedDict


class ProposalRow(TypedDict):
    """A proposal with, from `queries.proposal_row`, the names of what it points to."""

    id: int
    network: int
    round: int
    theme: int | None
    region: int | None
    lead_organisation: int | None
    created_by: int
    state: str
    version: int
    title: str
    summary: str
    contact_name: str
    contact_email: str
    contact_phone: str
    goals: str
    results: str
    activities: str
    target_group: str
    start_date: dt.date | None
    end_date: dt.date | None
    functions: Any
    transformation_goals: Any
    participating_region_ids: Any
    benefiting_region_ids: Any
    supra_regional_reason: str
    innovation: str
    extends_offer: str
    extension_region: int | None
    extension_description: str
    procurement_expert_name: str
    procurement_expert_organisation: str
    procurement_route: str
    procurement_service_kind: str
    estimated_contract_value_cents: int | None
    procurement_policy_fit: str
    procurement_notes: str
    requested_amount_cents: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    ready_at: dt.datetime | None
    submitted_at: dt.datetime | None
    submitted_by: int | None
    anonymised_at: dt.datetime | None
    # joined by some queries
    round_title: NotRequired[str]
    round_opens_at: NotRequired[dt.datetime]
    round_closes_at: NotRequired[dt.datetime]
    attachment_limit_mb: NotRequired[int]
    round_criteria: NotRequired[Any]  # the round's criteria set (proposals/criteria.py)
    year: NotRequired[int]
    budget_year_id: NotRequired[int]
    theme_name: NotRequired[str | None]
    region_name: NotRequired[str | None]
    lead_organisation_name: NotRequired[str | None]
    extension_region_name: NotRequired[str | None]
    created_by_name: NotRequired[str | None]
    # set by review from the round before assigning reviewers
    review_deadline: NotRequired[dt.datetime | None]
